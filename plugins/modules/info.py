#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: info
short_description: Read a Unity array's system, software and upgrade state
version_added: 1.0.0
description:
  - Reads what an upgrade decision needs from a Dell EMC Unity array through the Unisphere REST API;
    the system and its health, the installed software, upgrade candidates, upgrade sessions and the storage processors.
  - V(failback) reads where each NAS server and LUN runs against where it belongs (its home storage processor), to see
    whether they went back home after the SP reboots of an upgrade.
  - Health and status values are returned as numbers and as names.
  - Sends no request that changes the array.
author:
  - unity.upgrade contributors (@unity-upgrade)
options:
  gather_subset:
    description:
      - What to read. V(all) reads everything.
      - V(sessions) reads from C(upgradeSession), or from C(softwareUpgradeSession) on arrays that only offer that;
        RV(session_resource) says which.
      - V(failback) reads every NAS server (C(homeSP) against C(currentSP)), every LUN (C(defaultNode) against
        C(currentNode)) and whether the array fails them back by itself (C(system.isAutoFailbackEnabled)).
    type: list
    elements: str
    choices: [all, system, software, candidates, sessions, storage_processors, failback]
    default: [all]
extends_documentation_fragment:
  - unity.upgrade.connection
  - unity.upgrade.attributes
  - unity.upgrade.attributes.INFO_MODULE
'''

EXAMPLES = r'''
- name: Read everything about the array
  unity.upgrade.info:
    unispherehost: unity01.example.com
    username: admin
    password: "{{ vault_unity_password }}"
    ca_path: /etc/pki/unity-ca.pem
  register: unity

- name: Show the software version and health
  ansible.builtin.debug:
    msg: "{{ unity.system.model }} runs {{ unity.system.software_version }}, health {{ unity.system.health.name }}"

- name: Only the sessions, connection from module_defaults and UNITY_* environment variables
  module_defaults:
    group/unity.upgrade.unity:
      ca_path: /etc/pki/unity-ca.pem
  unity.upgrade.info:
    gather_subset: [sessions]
  register: unity_sessions

- name: Read where the NAS servers and LUNs run
  unity.upgrade.info:
    gather_subset: [failback]
  register: unity_placement

- name: Name what runs away from its home SP
  ansible.builtin.debug:
    msg: "{{ item.kind }} {{ item.name }} belongs on {{ item.home_sp }} but runs on {{ item.current_sp }}"
  loop: "{{ unity_placement.failback.away_from_home }}"

- name: Stop when an upgrade is already running
  ansible.builtin.assert:
    that: unity_sessions.active_session is none
    fail_msg: "Session {{ unity_sessions.active_session.id }} is {{ unity_sessions.active_session.status_name }}"
'''

RETURN = r'''
gathered:
  description: The subsets that were read.
  returned: always
  type: list
  elements: str
  sample: [system, software, candidates, sessions, storage_processors, failback]
system:
  description: The system. From the C(system) and C(basicSystemInfo) resources.
  returned: when O(gather_subset) includes V(system)
  type: dict
  contains:
    id:
      description: Always C(0).
      type: str
      returned: always
    name:
      description: System name.
      type: str
      returned: always
      sample: APM00213404195
    model:
      description: Model.
      type: str
      returned: always
      sample: Unity 480
    serial_number:
      description: Serial number.
      type: str
      returned: always
    platform:
      description: Platform.
      type: str
      returned: always
    health:
      description: System health.
      type: dict
      returned: always
      contains:
        value:
          description: HealthEnum value.
          type: int
          returned: always
          sample: 5
        name:
          description: HealthEnum name, one of V(UNKNOWN), V(OK), V(OK_BUT), V(DEGRADED), V(MINOR), V(MAJOR),
            V(CRITICAL), V(NON_RECOVERABLE).
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
    software_version:
      description: Installed software version (three parts).
      type: str
      returned: always
      sample: 5.2.0
    software_full_version:
      description: Full version text; null on arrays older than about 5.1.2.
      type: str
      returned: always
      sample: Unity 5.2.0.0 (Release, Build 173, 2022-11-10 10:00:00, 5.2.0.0.5.173)
    api_version:
      description: REST API version.
      type: str
      returned: always
      sample: '12.0'
    earliest_api_version:
      description: Oldest REST API version still supported.
      type: str
      returned: always
    upgrade_in_progress:
      description: True while an upgrade runs (configuration changes are refused then).
      type: bool
      returned: always
installed_version:
  description:
    - The installed operating-environment version, as precise as the array gives it and as the array writes it
      (a build written C(010) stays C(010)); the full six-part version when C(basicSystemInfo) has
      C(softwareFullVersion), else C(softwareVersion) (three parts).
    - When O(gather_subset) includes V(software) too and C(basicSystemInfo) gives only three parts (arrays before
      about 5.1.2 have no C(softwareFullVersion)), the six-part id of C(installedSoftwareVersion) that agrees with
      them.
    - The version M(unity.upgrade.upgrade_session) compares with its target and reports as C(version_before);
      use it rather than deriving one from RV(system.software_full_version).
    - Null when the array gives no version that can be read.
  returned: when O(gather_subset) includes V(system)
  type: str
  sample: 5.2.0.0.5.173
software:
  description: The installed software (C(installedSoftwareVersion)).
  returned: when O(gather_subset) includes V(software)
  type: dict
  contains:
    id:
      description: Six-part version.
      type: str
      returned: always
      sample: 5.2.0.0.5.173
    version:
      description: Version.
      type: str
      returned: always
      sample: 5.2.0
    full_version:
      description: Full version text.
      type: str
      returned: always
    parsed_version:
      description: The most precise version found, dotted, as the array writes it (a build V(010) keeps its zeros; compare versions as numbers).
      type: str
      returned: always
      sample: 5.2.0.0.5.173
    revision:
      description: Revision.
      type: int
      returned: always
    release_date:
      description: Release date.
      type: str
      returned: always
    hot_fixes:
      description: Installed hot fixes.
      type: list
      elements: str
      returned: always
    languages:
      description: Installed language packs (name, version).
      type: list
      elements: dict
      returned: always
    package_versions:
      description: Package versions (name, version).
      type: list
      elements: dict
      returned: always
    drive_firmware:
      description: Drive firmware bundles (name, version, release_date, upgradable_drive_count, estimated_time, is_newer_version).
      type: list
      elements: dict
      returned: always
candidates:
  description: Upgrade candidates uploaded to the array (it holds at most one).
  returned: when O(gather_subset) includes V(candidates)
  type: list
  elements: dict
  contains:
    id:
      description: Candidate id, to pass to M(unity.upgrade.upgrade_session).
      type: str
      returned: always
    version:
      description: Version.
      type: str
      returned: always
      sample: 5.3.0.0.5.120
    full_version:
      description: Full version text.
      type: str
      returned: always
    parsed_version:
      description: The most precise version found, dotted, as the array writes it (a build V(010) keeps its zeros; compare versions as numbers).
      type: str
      returned: always
    revision:
      description: Revision.
      type: int
      returned: always
    release_date:
      description: Release date.
      type: str
      returned: always
    type:
      description: UpgradeTypeEnum value.
      type: int
      returned: always
    type_name:
      description: V(software), V(firmware) or V(language_pack).
      type: str
      returned: always
    reboot_required:
      description: Whether both SPs reboot (one at a time).
      type: bool
      returned: always
    can_pause_before_reboot:
      description: Whether the upgrade can pause before the first reboot.
      type: bool
      returned: always
sessions:
  description: Upgrade sessions listed by the array, old ones included.
  returned: when O(gather_subset) includes V(sessions)
  type: list
  elements: dict
  contains:
    id:
      description: Session id.
      type: str
      returned: always
      sample: Upgrade_5.3.0.120
    resource:
      description: The REST resource the session was read from.
      type: str
      returned: always
    type:
      description: UpgradeSessionTypeEnum value.
      type: int
      returned: always
    type_name:
      description: V(upgrade), V(health_check), V(storageprocessor_upgrade) or V(offline_storageprocessor_upgrade).
      type: str
      returned: always
    status:
      description: UpgradeStatusEnum value.
      type: int
      returned: always
    status_name:
      description: V(not_started), V(in_progress), V(completed), V(failed), V(failed_lock), V(cancelled), V(paused),
        V(acknowledged), V(waiting_for_user) or V(paused_lock).
      type: str
      returned: always
    caption:
      description: Caption.
      type: str
      returned: always
    candidate_id:
      description: Id of the candidate being installed.
      type: str
      returned: always
    candidate_version:
      description:
        - Version of the session's candidate, as the array writes it (a build such as V(010) keeps its zeros), from
          the candidates listed on the array, matched by RV(sessions[].candidate_id); null when no listed candidate
          has that id (the array drops a candidate once its session completed or was cancelled).
      type: str
      returned: always
      sample: 5.3.0.0.5.120
    selected_model:
      description:
        - For V(storageprocessor_upgrade) and V(offline_storageprocessor_upgrade) sessions, the SP model the session
          upgrades to (SPModelNameEnum name), when the array lists the session's C(selectedModel); null otherwise.
        - Dell's Unisphere Management REST API Reference Guide documents C(selectedModel) as an argument of the create
          only, not as an attribute of a session.
      type: str
      returned: always
      sample: SP680
    percent_complete:
      description: Percent complete.
      type: int
      returned: always
    creation_time:
      description: When the session started.
      type: str
      returned: always
    elapsed_time:
      description: Time the session has run (h+:mm:ss.sss).
      type: str
      returned: always
    elapsed_seconds:
      description: The same in seconds.
      type: float
      returned: always
    current_task:
      description: Caption of the task in progress, null when the session is over.
      type: str
      returned: always
    estimated_seconds_left:
      description:
        - The array's estimate of the time the session has left, in seconds, the C(estRemainTime) of every task not
          yet completed added up (a completed task keeps its estimate); V(0) once the session is done.
        - Null when it was cancelled or a task ahead carries no estimate.
      type: int
      returned: always
      sample: 5205
    tasks:
      description: Tasks (caption, status, status_name, type, creation_time, est_remain_time, est_remain_seconds).
      type: list
      elements: dict
      returned: always
    messages:
      description: Messages (error_code, severity, severity_name, http_status, message).
      type: list
      elements: dict
      returned: always
active_session:
  description: The session that is not over (not completed, cancelled or acknowledged), or null; shaped like
    RV(sessions[]) (with C(candidate_version) and C(selected_model)).
  returned: when O(gather_subset) includes V(sessions)
  type: dict
session_resource:
  description: V(upgradeSession), or V(softwareUpgradeSession) on arrays that only offer that.
  returned: when O(gather_subset) includes V(sessions)
  type: str
storage_processors:
  description: The storage processors.
  returned: when O(gather_subset) includes V(storage_processors)
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
      description: Health, shaped like RV(system.health).
      type: dict
      returned: always
    is_rescue_mode:
      description: Whether the SP is in service (rescue) mode.
      type: bool
      returned: always
    needs_replacement:
      description: Whether the SP needs replacement.
      type: bool
      returned: always
    model:
      description: Model text.
      type: str
      returned: always
    model_name:
      description: SPModelNameEnum name.
      type: str
      returned: always
    slot_number:
      description: Slot.
      type: int
      returned: always
    memory_size_mb:
      description: Memory in MB.
      type: int
      returned: always
failback:
  description: Where the NAS servers and LUNs run, against their home storage processor.
  returned: when O(gather_subset) includes V(failback)
  type: dict
  contains:
    auto_failback_enabled:
      description: Whether the array fails NAS servers back to their home SP by itself (C(system.isAutoFailbackEnabled)),
        or null when the array does not say.
      type: bool
      returned: always
      sample: true
    nas_servers:
      description: Every NAS server.
      type: list
      elements: dict
      returned: always
      contains:
        id:
          description: NAS server id.
          type: str
          returned: always
          sample: nas_1
        name:
          description: NAS server name.
          type: str
          returned: always
          sample: nas01
        home_sp:
          description: The SP it belongs on (C(homeSP)), V(spa) or V(spb); null when the array does not say.
          type: str
          returned: always
          sample: spa
        current_sp:
          description: The SP it runs on (C(currentSP)); null when the array does not say.
          type: str
          returned: always
          sample: spb
        at_home:
          description: Whether it runs on its home SP (false when either SP is not known).
          type: bool
          returned: always
          sample: false
    luns:
      description: Every LUN, shaped like RV(failback.nas_servers); V(spa) and V(spb) from C(defaultNode) and
        C(currentNode) (NodeEnum 0 and 1; any other value is null).
      type: list
      elements: dict
      returned: always
      sample: [{id: sv_1, name: lun01, home_sp: spa, current_sp: spa, at_home: true}]
    away_from_home:
      description: The NAS servers and LUNs not on their home SP, each with C(kind) (V(NAS server) or V(LUN)),
        C(id), C(name), C(home_sp) and C(current_sp).
      type: list
      elements: dict
      returned: always
      sample: [{kind: NAS server, id: nas_1, name: nas01, home_sp: spa, current_sp: spb}]
'''

from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModule
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    UpgradeApi,
    active_session,
    system_installed_version,
)
from ansible_collections.unity.upgrade.plugins.module_utils.versions import more_precise

SUBSETS = ('system', 'software', 'candidates', 'sessions', 'storage_processors', 'failback')


def gather(unity):
    wanted = unity.params['gather_subset']
    subsets = list(SUBSETS) if 'all' in wanted else [s for s in SUBSETS if s in wanted]
    api = UpgradeApi(unity.client)
    result = {'changed': False, 'gathered': subsets}
    if 'system' in subsets:
        result['system'] = api.system()
        result['installed_version'] = system_installed_version(result['system'])
    if 'software' in subsets:
        result['software'] = api.installed_software()
        if 'system' in subsets:
            result['installed_version'] = more_precise(result['installed_version'],
                                                       (result['software'] or {}).get('parsed_version'))
    if 'candidates' in subsets:
        result['candidates'] = api.candidates()
    if 'sessions' in subsets:
        sessions = api.sessions()
        if 'candidates' not in subsets:
            api.candidates()  # for each session's candidate_version
        sessions = [api.annotate(s) for s in sessions]
        result['sessions'] = sessions
        result['active_session'] = active_session(sessions)
        result['session_resource'] = api.session_resource
    if 'storage_processors' in subsets:
        result['storage_processors'] = api.storage_processors()
    if 'failback' in subsets:
        result['failback'] = api.resource_placement()
    return result


def main():
    unity = UnityModule(
        argument_spec=dict(
            gather_subset=dict(type='list', elements='str', default=['all'],
                               choices=['all'] + list(SUBSETS)),
        ),
        supports_check_mode=True,
    )
    unity.run(gather)


if __name__ == '__main__':
    main()
