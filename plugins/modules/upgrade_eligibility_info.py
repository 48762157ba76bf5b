#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: upgrade_eligibility_info
short_description: Ask a Unity array whether it may be upgraded now, and if not, why
version_added: 1.0.0
description:
  - Runs the array's own upgrade eligibility check (C(verifyUpgradeEligibility)) and returns its messages sorted
    into blocking ones and warnings, with the system and SP health and the upgrade session that is not over, if any.
  - A blocked array is an answer, not an error; the task does not fail. Use RV(eligible) in a condition.
  - The check changes nothing on the array, so the module runs in check mode too.
  - Handles both answers the array may give, the messages at once (HTTP 200) or an asynchronous job (HTTP 202) whose
    result is read when it ends.
author:
  - unity.upgrade contributors (@unity-upgrade)
extends_documentation_fragment:
  - unity.upgrade.connection
  - unity.upgrade.attributes
attributes:
  check_mode:
    support: full
    details: The eligibility check changes nothing on the array; it runs in check mode too.
  diff_mode:
    support: N/A
    details: This module does not change anything.
notes:
  - A message blocks when its severity is ERROR or worse (CRITICAL, ALERT, EMERGENCY), or when it has no severity and
    an HTTP status of 400 or more. WARNING messages are returned in RV(warning_messages).
  - An array that answers the check with HTTP 409 and an error entity is reported as not eligible with that message.
seealso:
  - module: unity.upgrade.upgrade_session
  - module: unity.upgrade.info
'''

EXAMPLES = r'''
- name: May this array be upgraded now?
  unity.upgrade.upgrade_eligibility_info:
    unispherehost: unity01.example.com
    username: admin
    password: "{{ vault_unity_password }}"
    ca_path: /etc/pki/unity-ca.pem
  register: eligibility

- name: Stop with the array's own reasons
  ansible.builtin.assert:
    that: eligibility.eligible
    fail_msg: "{{ eligibility.blocking | map(attribute='message') | join(' ') }}"

- name: Warnings pass, but are shown
  ansible.builtin.debug:
    msg: "{{ item.error_code }}: {{ item.message }}"
  loop: "{{ eligibility.warning_messages }}"
'''

RETURN = r'''
eligible:
  description: True when the array reports no blocking message.
  returned: always
  type: bool
  sample: false
blocking:
  description: Messages of severity ERROR or worse; each stops the upgrade.
  returned: always
  type: list
  elements: dict
  contains:
    error_code:
      description:
        - The array's error code, such as C(flr::check_server_connectivity_2).
        - (No C(sample) here on purpose, nor anywhere a C(::) follows a space in these docs; C(ansible-doc) takes such
          text for an RST directive and drops part of it.)
      type: str
      returned: always
    severity:
      description: SeverityEnum value.
      type: int
      returned: always
      sample: 3
    severity_name:
      description: SeverityEnum name (V(EMERGENCY), V(ALERT), V(CRITICAL), V(ERROR), V(WARNING), V(NOTICE), V(INFO),
        V(DEBUG), V(OK)).
      type: str
      returned: always
      sample: ERROR
    http_status:
      description: HTTP status the array attached to the message.
      type: int
      returned: always
      sample: 409
    message:
      description: The message text.
      type: str
      returned: always
warning_messages:
  description:
    - Messages of severity WARNING, shaped like RV(blocking). They do not block the upgrade.
    - Each is also shown as an Ansible warning.
    - Not named C(warnings), which Ansible reserves for its own warnings.
  returned: always
  type: list
  elements: dict
messages:
  description: Every message of the check as the array gave it, normalised like RV(blocking) and in its order.
  returned: always
  type: list
  elements: dict
system_health:
  description: System health.
  returned: always
  type: dict
  contains:
    value:
      description: HealthEnum value.
      type: int
      returned: always
      sample: 5
    name:
      description: HealthEnum name.
      type: str
      returned: always
      sample: OK
    description_ids:
      description: Ids of the health descriptions.
      type: list
      elements: str
      returned: always
    descriptions:
      description: What the array says about its health.
      type: list
      elements: str
      returned: always
    resolution_ids:
      description: Ids of the suggested resolutions.
      type: list
      elements: str
      returned: always
    resolutions:
      description: Suggested resolutions (help links).
      type: list
      elements: str
      returned: always
sp_health:
  description: Health of each storage processor.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: SP id.
      type: str
      returned: always
      sample: spa
    name:
      description: SP name.
      type: str
      returned: always
      sample: SP A
    health:
      description: Health, shaped like RV(system_health).
      type: dict
      returned: always
software_version:
  description: Installed version, as precise as the array gives it.
  returned: always
  type: str
  sample: 5.2.0.0.5.173
session_resource:
  description: V(upgradeSession), or V(softwareUpgradeSession) on arrays that only offer that. The check runs on it.
  returned: always
  type: str
active_session:
  description: The upgrade session that is not over, shaped like the session M(unity.upgrade.upgrade_session) returns,
    or null.
  returned: always
  type: dict
msg:
  description:
    - The answer in one line, such as C(eligible), or C(not eligible) followed by each blocking message (its
      RV(blocking[].error_code), such as C(flr::check_server_connectivity_2), then the array's text).
    - No C(sample) on purpose, see RV(blocking[].error_code).
  returned: always
  type: str
'''

from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModule
from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityApiError
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    BLOCKING_SEVERITY,
    SEVERITY_NAMES,
    WARNING_SEVERITY,
    UpgradeApi,
    active_session,
    is_blocking,
    system_installed_version,
)


def classify(messages):
    """(eligible, blocking, warnings) of normalised upgrade messages."""
    blocking = [m for m in messages if is_blocking(m)]
    warnings = [m for m in messages if m.get('severity') == WARNING_SEVERITY]
    return not blocking, blocking, warnings


def conflict_message(error):
    """A 409 answer to the check, as one blocking message."""
    return {'error_code': None if error.error_code is None else str(error.error_code),
            'severity': BLOCKING_SEVERITY, 'severity_name': SEVERITY_NAMES[BLOCKING_SEVERITY],
            'http_status': error.http_status, 'message': ' '.join(error.messages) or error.message}


def summary(eligible, blocking, warnings):
    if eligible:
        text = 'eligible'
        if warnings:
            text += ' with %d warning%s: %s' % (len(warnings), '' if len(warnings) == 1 else 's',
                                                ', '.join(m['error_code'] or '?' for m in warnings))
        return text
    return 'not eligible: %s' % '; '.join('%s: %s' % (m['error_code'] or '?', m['message']) for m in blocking)


def check(unity):
    api = UpgradeApi(unity.client)
    sessions = api.sessions()
    system = api.system()
    sps = api.storage_processors()
    try:
        messages = api.verify_eligibility()
    except UnityApiError as error:
        if error.http_status != 409:
            raise
        messages = [conflict_message(error)]
    eligible, blocking, warnings = classify(messages)
    for item in warnings:
        unity.module.warn('%s: %s' % (item['error_code'], item['message']))
    return {
        'changed': False,
        'eligible': eligible,
        'blocking': blocking,
        'warning_messages': warnings,
        'messages': messages,
        'system_health': system['health'],
        'sp_health': [{'id': sp['id'], 'name': sp['name'], 'health': sp['health']} for sp in sps],
        'software_version': system_installed_version(system),
        'session_resource': api.session_resource,
        'active_session': active_session(sessions),
        'msg': summary(eligible, blocking, warnings),
    }


def main():
    unity = UnityModule(argument_spec={}, supports_check_mode=True)
    unity.run(check)


if __name__ == '__main__':
    main()
