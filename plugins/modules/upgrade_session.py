#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: upgrade_session
short_description: Start, adopt, resume, cancel or acknowledge a Unity upgrade session, and wait for it
version_added: 1.0.0
description:
  - Upgrades the operating environment of a Dell EMC Unity array with an upgrade candidate already on the array
    (see M(unity.upgrade.upgrade_candidate)), idempotently, and waits for the upgrade through the SP reboots.
  - With O(state=present) an upgrade to the candidate exists or is done after the task. The module creates a session,
    adopts a running session of the same O(type) for the same candidate, or reports that the array already runs that
    version or newer. It never starts a second session. A session for another candidate, or of another type (such as
    a health check for the same candidate when O(type=upgrade)), that is not over fails the task and is named.
  - If the answer to the create request is lost, the module reads the sessions again to find the one it created;
    it never sends that create twice. A create the array certainly did not take in (connection refused, HTTP 502,
    503 or 504) is sent again after a pause, at most three times, and only when reading the sessions again shows no
    new one.
  - Works against arrays that offer C(upgradeSession) and against older ones that offer only
    C(softwareUpgradeSession); the choice is automatic and returned in RV(session_resource).
  - While it waits, the management API goes away while each SP reboots (connections refused or reset, then HTTP 503
    while services restart, then the login session is gone). The module tolerates that for O(outage_tolerance) seconds
    in a row, logs in again, and reports each outage in RV(outages).
author:
  - unity.upgrade contributors (@unity-upgrade)
options:
  state:
    description:
      - V(present) creates a session to upgrade to the candidate, adopts a running one for the same candidate, or does
        nothing when the array already runs that version or newer.
      - V(resumed) resumes a paused, paused_lock, failed or failed_lock session, and with O(wait) waits for it. A
        session that is running or over is left alone (no change, no wait, RV(msg) says why). To wait on a running
        upgrade, use O(state=present), which adopts it.
      - A waiting_for_user session fails V(resumed) (in check mode too) and is not resumed. The reference's resume
        operation takes only paused, failed and failed_lock sessions, and what such a session waits for is not
        documented (UNCONFIRMED). Continue it in Unisphere.
      - V(cancelled) cancels a paused or failed session. A paused_lock or failed_lock session is past the point of
        cancellation and fails the task, as does a running one. Needs C(upgradeSession).
      - V(acknowledged) acknowledges a completed or cancelled session. Needs C(upgradeSession).
    type: str
    choices: [present, resumed, cancelled, acknowledged]
    default: present
  candidate:
    description:
      - Id of the upgrade candidate to install, as M(unity.upgrade.upgrade_candidate) or M(unity.upgrade.info) return it.
      - With O(state=present) and O(type=upgrade), exactly one of O(candidate) and O(version) is required.
    type: str
  version:
    description:
      - Version of the operating environment to upgrade to, such as V(5.3.0.0.5.120) or V(5.3.0). The candidate of
        that version on the array is used.
      - Compared as numbers on the precision both sides have, so V(5.3.0) is met by any build of 5.3.0 and
        V(5.4.0.0.5.010) equals V(5.4.0.0.5.10); results and messages show it as written.
      - For an operating-environment upgrade, O(version) means B(at least) this version. An array that already runs
        this version or a newer one is left alone, green (RV(action=none)); that includes a version older than the
        installed one, which is no downgrade and no error.
      - Drive firmware and language pack candidates are matched by their own version (compared within the
        candidate's type, never with the operating-environment version), for example V(4.3.0.1655078400).
    type: str
  type:
    description:
      - Type of the session to create with O(state=present).
      - V(health_check) runs the array's upgrade health checks only.
      - V(storageprocessor_upgrade) and V(offline_storageprocessor_upgrade) are hardware (SP model) upgrades and need
        O(selected_model); the offline one needs C(upgradeSession).
    type: str
    choices: [upgrade, health_check, storageprocessor_upgrade, offline_storageprocessor_upgrade]
    default: upgrade
  pause_before_reboot:
    description:
      - Stop the upgrade after the preinstall tasks, before the first SP reboot, at the task C(Waiting for reboot
        command) (status paused). Resume it later with O(state=resumed), in the maintenance window.
      - Only when the candidate can pause before reboot.
    type: bool
    default: false
  pause_between_reboots:
    description:
      - Stop the upgrade after the first SP has rebooted (status paused_lock). Needs C(upgradeSession).
    type: bool
    default: false
  selected_model:
    description:
      - The SP model to upgrade to, for O(type=storageprocessor_upgrade) and O(type=offline_storageprocessor_upgrade).
      - A running SP upgrade session is adopted only when the array lists its model (C(selectedModel)) and that is this
        model; an SP upgrade to another model, or to a model the array does not list, fails the task.
    type: str
    choices: [SP300, SP400, SP500, SP600, SP350, SP450, SP550, SP650, VSA2Core, VSA12Core, SP380, SP480, SP680, SP880]
  session_id:
    description:
      - The session to resume, cancel or acknowledge.
      - Default for V(resumed) and V(cancelled), the session that is not over (the active session); for V(acknowledged),
        the newest completed or cancelled session.
      - Not used with O(state=present).
    type: str
  wait:
    description:
      - Wait until the session completes, pauses or fails, or until O(wait_timeout).
      - A session that ends paused ends the task green (RV(session.status_name) says V(paused)); one that fails fails the
        task with the array's messages and the task it failed at.
      - Not in check mode.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait in all. When they pass, the task fails and says that the upgrade goes on on the array; run
        the task again to adopt the session and keep waiting.
      - A real upgrade takes about 90 minutes.
    type: int
    default: 10800
  poll_interval:
    description:
      - Seconds between two reads of the session while waiting. The last read is at the end of O(wait_timeout) even
        when that is shorter.
    type: float
    default: 30
  outage_tolerance:
    description:
      - Seconds the management API may stay unreachable in a row while waiting (each SP reboot takes it away for
        several minutes). A longer outage fails the task with the last state seen; the upgrade may go on on the array.
      - With O(wait=true) the first login also waits up to this long for an API that is away, so a task started while
        an SP reboots is no failure.
    type: int
    default: 1800
extends_documentation_fragment:
  - unity.upgrade.connection
  - unity.upgrade.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Reads the array and reports what it would do in RV(action); sends nothing that changes the array and
      does not wait.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: Shows a summary of the session before and after.
notes:
  - Only one upgrade session runs on an array at a time; sessions that are over stay listed on the array.
  - Drive firmware and language packs are installed like the operating environment, with an upgrade session of
    O(type=upgrade) (the session's type; the candidate's type says what it installs). Upload the package with
    M(unity.upgrade.upgrade_candidate) (give its O(unity.upgrade.upgrade_candidate#module:version) when the file name
    carries none), then run this module with O(candidate) (the id it returned) or O(version) (the candidate's own
    version). RV(version_before) and RV(version_after) stay the operating-environment version; RV(target_version) is
    the candidate's. Whether drive firmware is already installed is not read from the array; run
    M(unity.upgrade.info) (RV(unity.upgrade.info#module:software.drive_firmware)) first.
  - The module logs in once; it logs in again only when the array dropped the login session while an SP rebooted.
  - A resume, cancel or acknowledge that meets a refused connection or HTTP 502, 503 or 504 is settled by reading the
    session again; it is sent again, after a pause and at most three times, only while the session keeps the status
    it had. An answer that was lost counts as done when the session has left that status.
  - For long waits from AWX or Automation Platform, consider O(wait=false) followed by a task with O(state=present)
    and O(wait=true) in a later step, or C(async) on the task; the upgrade runs on the array either way.
seealso:
  - module: unity.upgrade.upgrade_candidate
  - module: unity.upgrade.upgrade_eligibility_info
  - module: unity.upgrade.info
'''

EXAMPLES = r'''
- name: Upgrade to 5.3.0.0.5.120 (candidate already uploaded) and wait through both SP reboots
  unity.upgrade.upgrade_session:
    unispherehost: unity01.example.com
    username: admin
    password: "{{ vault_unity_password }}"
    ca_path: /etc/pki/unity-ca.pem
    version: 5.3.0.0.5.120
  register: upgrade

- name: Show what happened
  ansible.builtin.debug:
    msg: "{{ upgrade.version_before }} -> {{ upgrade.version_after }} in {{ upgrade.waited_seconds }} s,
      {{ upgrade.outages | length }} outages"

- name: Run the preinstall tasks now and stop before the first reboot
  unity.upgrade.upgrade_session:
    candidate: "{{ candidate.candidate.id }}"
    pause_before_reboot: true
  register: prepared

- name: In the maintenance window, resume the paused session and wait for it
  unity.upgrade.upgrade_session:
    state: resumed
    wait_timeout: 7200

- name: Cancel a paused upgrade
  unity.upgrade.upgrade_session:
    state: cancelled

- name: Acknowledge the finished session
  unity.upgrade.upgrade_session:
    state: acknowledged

- name: Install the drive firmware bundle uploaded with unity.upgrade.upgrade_candidate (matched by its own version)
  unity.upgrade.upgrade_session:
    version: 4.3.0.1655078400

- name: Start without waiting; a later run with wait adopts the session
  unity.upgrade.upgrade_session:
    version: 5.3.0
    wait: false
'''

RETURN = r'''
action:
  description:
    - What the task did, or would do in check mode.
    - V(created), V(adopted) (a session for the same candidate was already running), V(resumed), V(cancelled),
      V(acknowledged) or V(none).
  returned: always
  type: str
  sample: created
session:
  description:
    - The session as last read, shaped like the sessions of M(unity.upgrade.info).
    - Null when there is none, and in check mode for a session that would be created.
  returned: always
  type: dict
  contains:
    id:
      description: Session id.
      type: str
      returned: always
      sample: Upgrade_5.3.0.120
    resource:
      description: The REST resource of the session.
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
      sample: completed
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
          the candidates listed on the array, matched by RV(session.candidate_id); null when no listed candidate
          has that id (the array drops a candidate once its session completed or was cancelled).
      type: str
      returned: always
      sample: 5.3.0.0.5.120
    selected_model:
      description:
        - For V(storageprocessor_upgrade) and V(offline_storageprocessor_upgrade) sessions, the SP model the session
          upgrades to (SPModelNameEnum name), when the array lists the session's C(selectedModel); null otherwise.
        - The reference documents C(selectedModel) as a create argument only (UNCONFIRMED as a session attribute).
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
      description: Caption of the task the session is at; null when it is over.
      type: str
      returned: always
      sample: Waiting for reboot command
    tasks:
      description: Tasks (caption, status, status_name, type, creation_time, est_remain_time, est_remain_seconds).
      type: list
      elements: dict
      returned: always
    messages:
      description: The array's messages (error_code, severity, severity_name, http_status, message).
      type: list
      elements: dict
      returned: always
session_resource:
  description: V(upgradeSession), or V(softwareUpgradeSession) on arrays that only offer that.
  returned: always
  type: str
  sample: upgradeSession
version_before:
  description: Installed version when the task started, from C(basicSystemInfo), as precise as the array gives it.
  returned: always
  type: str
  sample: 5.2.0.0.5.173
version_after:
  description:
    - Installed version when the task ended, read from C(basicSystemInfo) again after a wait.
    - When the API does not answer that read even after its retries, the version a completed session installed
      (RV(target_version)), else RV(version_before); RV(msg) then says so.
  returned: always
  type: str
  sample: 5.3.0.0.5.120
target_version:
  description:
    - Version of the candidate the session installs (or would), as written, for drive firmware and language packs
      too.
    - For a session whose candidate the array no longer lists (after a cancel or a completed upgrade), the release
      its id names (V(5.3.0) for C(Upgrade_5.3.0.120); ids carry no full version), else null.
  returned: always
  type: str
  sample: 5.3.0.0.5.120
waited_seconds:
  description: Seconds spent waiting for the session (0 without O(wait)).
  returned: always
  type: float
  sample: 5520.4
outages:
  description: Each time the management API could not be reached while waiting.
  returned: always
  type: list
  elements: dict
  contains:
    start:
      description: When the first read failed (ISO 8601, UTC).
      type: str
      returned: always
      sample: '2026-03-01T11:42:10.013Z'
    seconds:
      description: How long the API stayed unreachable, from the first failed read to the first answer.
      type: float
      returned: always
      sample: 610.2
    seen:
      description: What the reads met, in order (connection refused or reset, HTTP 503, a new login, ...).
      type: list
      elements: str
      returned: always
      sample: [connection refused, HTTP 503 (basicSystemInfo), basicSystemInfo answers again]
    failed_reads:
      description: Reads that failed during the outage.
      type: int
      returned: always
    during_task:
      description: The task of the session in the last answer before the outage began (the reboot task itself may
        have started since).
      type: str
      returned: always
      sample: Installing new software on peer SP
    percent_complete:
      description: Percent complete in the last answer before the outage began.
      type: int
      returned: always
    ended:
      description: False when the wait ended while the API was still unreachable.
      type: bool
      returned: always
    at_start:
      description:
        - True for the time the module's first login waited for an API that was already away (O(wait=true) only):
          the outage began before this task sent anything, so it may go on one that an earlier task saw end
          with RV(outages[].ended=false).
      type: bool
      returned: always
progress:
  description: Every change of status, percent or task seen while waiting.
  returned: always
  type: list
  elements: dict
  contains:
    time:
      description: When it was seen (ISO 8601, UTC).
      type: str
      returned: always
    elapsed_seconds:
      description: Seconds since the wait began.
      type: float
      returned: always
    status:
      description: UpgradeStatusEnum value.
      type: int
      returned: always
    status_name:
      description: Status name.
      type: str
      returned: always
    percent_complete:
      description: Percent complete.
      type: int
      returned: always
    current_task:
      description: Caption of the current task.
      type: str
      returned: always
relogins:
  description: How often the module had to log in again while waiting (the SP reboots end login sessions).
  returned: always
  type: int
failed_task:
  description: Caption of the task a session failed at, when the wait ended because it failed.
  returned: when the task failed because the session failed
  type: str
  sample: Installing new software on peer SP
messages:
  description: The texts of the array's messages of a session that failed while the module waited.
  returned: when the task failed because the session failed
  type: list
  elements: str
api_unreachable:
  description: True when the task failed because the management API could not be reached (for longer than
    O(outage_tolerance) while waiting).
  returned: when the task failed
  type: bool
timed_out:
  description:
    - True when the task failed because O(wait_timeout) passed; the upgrade goes on on the array, and running the task
      again adopts the session and keeps waiting.
    - A task that failed because the API stayed away longer than O(outage_tolerance) returns C(api_unreachable=true)
      instead.
  returned: always
  type: bool
msg:
  description: What happened, in one line.
  returned: always
  type: str
  sample: session Upgrade_5.3.0.120 completed after 5520 s of waiting
'''

import re

from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModule, UnityModuleError
from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityApiError
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    ACKNOWLEDGEABLE_STATUSES,
    CANCELLABLE_STATUSES,
    FAILED_STATUSES,
    RESUMABLE_STATUSES,
    RUNNING_STATUSES,
    SESSION_TYPE_NAMES,
    SESSION_TYPE_VALUES,
    SP_MODEL_NAMES,
    SP_MODEL_VALUES,
    UpgradeApi,
    active_session,
    compare_versions,
    installed_version,
    newest_session,
    parse_version,
    session_summary,
    written_version,
)
from ansible_collections.unity.upgrade.plugins.module_utils.waiter import (
    SessionWaiter,
    failed_task,
    outage_symptom,
    session_messages,
)

STATES = ('present', 'resumed', 'cancelled', 'acknowledged')
# state -> the session action that reaches it
ACTIONS = {'resumed': 'resume', 'cancelled': 'cancel', 'acknowledged': 'acknowledge'}
SP_UPGRADE_TYPES = ('storageprocessor_upgrade', 'offline_storageprocessor_upgrade')
SOFTWARE_TYPE = 0  # UpgradeTypeEnum Software
WAITING_FOR_USER = 8  # UpgradeStatusEnum Upgrade_Waiting_For_User
OPTIONAL_RESOURCE = 'upgradeSession'


class Plan:
    """What to do: an action (or none), the session it is about, and why."""

    def __init__(self, action, changed, session=None, msg='', target_version=None, body=None,
                 candidate=None, wait_on=True):
        self.action = action
        self.changed = changed
        self.session = session
        self.msg = msg
        self.target_version = target_version
        self.body = body
        self.candidate = candidate
        self.wait_on = wait_on


# -- input ----------------------------------------------------------------------------------

def validate(params):
    """One-line reasons for inputs that cannot work; returns the parsed target version."""
    state = params['state']
    for name in ('wait_timeout', 'poll_interval', 'outage_tolerance'):
        if params[name] is None or params[name] <= 0:
            raise UnityModuleError('%s must be a positive number of seconds, got %s' % (name, params[name]))
    if state != 'present':
        if params['candidate'] or params['version']:
            raise UnityModuleError('candidate and version apply to state present only; to pick the session '
                                   'to %s use session_id' % ACTIONS[state])
        return None
    if params['session_id']:
        raise UnityModuleError('session_id applies to states resumed, cancelled and acknowledged; state '
                               'present picks the session by its candidate')
    if params['candidate'] and params['version']:
        raise UnityModuleError('candidate and version are mutually exclusive: give the candidate id or '
                               'the version, not both')
    session_type = params['type']
    if session_type == 'upgrade' and not (params['candidate'] or params['version']):
        raise UnityModuleError('state present needs candidate (an id) or version (such as 5.3.0.0.5.120): '
                               'name the upgrade candidate to install')
    if session_type in SP_UPGRADE_TYPES:
        if not params['selected_model']:
            raise UnityModuleError('type %s needs selected_model, the SP model to upgrade to' % session_type)
        if params['candidate'] or params['version']:
            raise UnityModuleError('type %s upgrades SP hardware and takes no candidate or version'
                                   % session_type)
    version = None
    if params['version']:
        parsed = parse_version(params['version'])
        if parsed is None or len(parsed) < 3:
            raise UnityModuleError("version '%s' is not a Unity version such as 5.3.0 or 5.3.0.0.5.120"
                                   % params['version'])
        version = written_version(params['version'])
    return version


# -- decisions (pure: they read nothing and change nothing) -----------------------------------

def describe(session):
    text = '%s (%s' % (session['id'], session['status_name'])
    if session.get('percent_complete') is not None:
        text += ', %s%%' % session['percent_complete']
    if session.get('current_task'):
        text += ", task '%s'" % session['current_task']
    return text + ')'


def session_target(session):
    """What a session installs, for messages: its candidate's version, else its candidate id, else its type."""
    if session.get('candidate_version'):
        return session['candidate_version']
    if session.get('candidate_id'):
        return 'candidate %s' % session['candidate_id']
    if session.get('selected_model'):
        return 'SP model %s' % session['selected_model']
    return 'a %s' % (session.get('type_name') or 'session of unknown type')


def session_version(session, candidates):
    """The version a session installs, as written: its candidate's (listed now, or read earlier in this
    run), else, for an upgrade session whose id names one (``Upgrade_5.3.0.120``), the release that id
    names (``5.3.0``: ids carry no full version), else None."""
    if session.get('candidate_version'):
        return session['candidate_version']
    known = find_candidate(candidates, session.get('candidate_id')) if session.get('candidate_id') else None
    if known is not None:
        return known.get('parsed_version') or known.get('version')
    if session.get('type_name') == 'upgrade':
        match = re.match(r'^Upgrade_(\d+\.\d+\.\d+)(?:\.\d+)*(?:_\d+)?$', str(session.get('id') or ''))
        if match:
            return match.group(1)
    return None


def session_matches_version(session, version):
    """Whether a session id like ``Upgrade_5.3.0.120`` names an upgrade to ``version``.

    Ids carry major.minor.patch and the build; only used when the session lists no candidate
    that can be compared.
    """
    parsed = parse_version(session.get('id')) or parse_version(session.get('caption'))
    wanted = parse_version(version)
    if not parsed or not wanted or len(parsed) < 3:
        return False
    if parsed[:3] != wanted[:3]:
        return False
    return len(parsed) < 4 or len(wanted) < 6 or parsed[-1] == wanted[-1]


def find_candidate(candidates, candidate_id=None, version=None):
    """The candidate of that id, else of that version (compared within its own type: a drive firmware or
    language pack candidate is matched by its own version); a software candidate first."""
    if candidate_id:
        return next((c for c in candidates if c['id'] == candidate_id), None)
    matching = [c for c in candidates if c.get('parsed_version') and parse_version(c['parsed_version'])
                and compare_versions(c['parsed_version'], version) == 0]
    matching.sort(key=lambda c: 0 if is_software(c) else 1)
    return matching[0] if matching else None


def is_software(candidate):
    """Whether a candidate is an operating-environment upgrade (UpgradeTypeEnum 0; an array that does
    not say is taken to mean software, as before 1.1.0)."""
    return candidate is None or candidate.get('type') in (SOFTWARE_TYPE, None)


def decide_present(params, version, sessions, candidates, installed, resource, sp_models=()):
    """Plan for state present; raises UnityModuleError when the array is in the way."""
    session_type = params['type']
    if session_type in SP_UPGRADE_TYPES:
        return _decide_sp_upgrade(params, sessions, resource, sp_models)
    candidate_id = params['candidate']
    candidate = find_candidate(candidates, candidate_id, version) if (candidate_id or version) else None
    # The goal is the version asked for (5.3.0 is met by any build of it), else the candidate's;
    # the target reported is the most precise version known.
    target = version
    if candidate is not None and (candidate.get('parsed_version') or candidate.get('version')):
        target = candidate.get('parsed_version') or candidate.get('version')
    goal = version or target
    # A drive firmware or language pack version is not an operating-environment version: the
    # installed OE version says nothing about whether it is installed.
    compare_installed = is_software(candidate)
    active = active_session(sessions)

    def same(item):
        if item is None:
            return False
        if candidate is not None and item.get('candidate_id'):
            return item['candidate_id'] == candidate['id']
        if candidate_id:
            return item.get('candidate_id') == candidate_id
        return bool(version) and not item.get('candidate_id') and session_matches_version(item, version)

    if session_type == 'upgrade':
        if compare_installed and goal and installed and compare_versions(installed, goal) >= 0 \
                and not same(active):
            return Plan('none', False, session=None, target_version=target,
                        msg='the array already runs %s, which is %s or newer: nothing to do'
                            % (installed, goal))
        if candidate is None and candidate_id and not same(active):
            done = [s for s in sessions if s.get('candidate_id') == candidate_id
                    and s['status_name'] in ('completed', 'acknowledged')]
            if done:
                return Plan('none', False, session=done[-1], target_version=target,
                            msg='session %s already completed the upgrade to candidate %s; the array '
                                'runs %s: nothing to do' % (done[-1]['id'], candidate_id, installed))
    if active is not None:
        if same(active) and active.get('type_name') != session_type:
            # Only a session of the type asked for is adopted: a health check for this candidate
            # is not the upgrade (and a type the array does not name cannot be told to be one).
            raise UnityModuleError(
                'session %s is a %s session for %s, not a%s %s session, and is in the way; an array runs '
                'one upgrade session at a time: %s, then run again' % (
                    describe(active), active.get('type_name') or 'unknown type', session_target(active),
                    'n' if session_type[0] in 'aeiou' else '', session_type,
                    'cancel it with state: cancelled' if active['status'] in CANCELLABLE_STATUSES
                    else 'let it finish'),
                session=active)
        if same(active):
            if active['status'] in FAILED_STATUSES:
                raise UnityModuleError(
                    "session %s for this candidate is %s at task '%s': %s; resume it with state: resumed, "
                    'or cancel it with state: cancelled' % (
                        active['id'], active['status_name'], failed_task(active),
                        ' '.join(session_messages(active)) or 'the array gave no message'),
                    session=active)
            return Plan('adopted', False, session=active, target_version=target, candidate=candidate,
                        msg='session %s for this candidate is already on the array: adopted'
                            % describe(active))
        if session_type != 'upgrade' and active.get('type_name') == session_type:
            return Plan('adopted', False, session=active, target_version=target,
                        msg='a %s session is already on the array: adopted %s'
                            % (session_type, describe(active)))
        raise UnityModuleError(
            'session %s for %s is not over; an array runs one upgrade session at a time: let it '
            'finish, or resume or cancel it first' % (describe(active), session_target(active)),
            session=active)
    if session_type == 'upgrade' and candidate is None:
        listed = ', '.join('%s (%s)' % (c['id'], c.get('parsed_version') or c.get('version'))
                           for c in candidates) or 'none'
        if candidate_id:
            raise UnityModuleError("candidate '%s' is not on the array (candidates: %s); upload it with "
                                   'unity.upgrade.upgrade_candidate' % (candidate_id, listed))
        raise UnityModuleError('no upgrade candidate of version %s is on the array (candidates: %s); '
                               'upload it with unity.upgrade.upgrade_candidate' % (version, listed))
    body = create_body(params, candidate, resource)
    kind = {1: 'a drive firmware upgrade', 2: 'a language pack upgrade'}.get((candidate or {}).get('type'),
                                                                             'an upgrade')
    what = ('%s to candidate %s (%s)' % (kind, candidate['id'], target)) if candidate else \
        'a %s session' % session_type
    return Plan('created', True, target_version=target, body=body, candidate=candidate,
                msg='created %s' % what)


def _decide_sp_upgrade(params, sessions, resource, sp_models):
    session_type = params['type']
    model = params['selected_model']
    if session_type == 'offline_storageprocessor_upgrade' and resource != OPTIONAL_RESOURCE:
        raise UnityModuleError('type offline_storageprocessor_upgrade needs the upgradeSession resource; '
                               'this array offers only softwareUpgradeSession')
    if sp_models and all(m == model for m in sp_models):
        return Plan('none', False, msg='the storage processors are already %s: nothing to do' % model)
    active = active_session(sessions)
    if active is not None and active.get('type_name') == session_type \
            and active.get('selected_model') != model:
        state = 'running' if active['status'] in RUNNING_STATUSES else 'not over (%s)' % active['status_name']
        if active.get('selected_model'):
            raise UnityModuleError('another SP upgrade (to %s) is %s: session %s; it is not the upgrade to %s: '
                                   'let it finish, or cancel it, then run again'
                                   % (active['selected_model'], state, describe(active), model), session=active)
        raise UnityModuleError('an SP upgrade whose model the array does not list is %s: session %s; it cannot '
                               'be told to be the upgrade to %s: check it in Unisphere and let it finish, or '
                               'cancel it, then run again' % (state, describe(active), model), session=active)
    if active is not None:
        if active.get('type_name') == session_type:
            if active['status'] in FAILED_STATUSES:
                raise UnityModuleError("session %s is %s at task '%s': %s; resume it with state: resumed"
                                       % (active['id'], active['status_name'], failed_task(active),
                                          ' '.join(session_messages(active)) or 'no message'),
                                       session=active)
            return Plan('adopted', False, session=active,
                        msg='a %s session to %s is already on the array: adopted %s'
                            % (session_type, model, describe(active)))
        raise UnityModuleError('session %s is not over; an array runs one upgrade session at a time: let '
                               'it finish, or resume or cancel it first' % describe(active), session=active)
    return Plan('created', True, body=create_body(params, None, resource),
                msg='created a %s session to %s' % (session_type, model))


def create_body(params, candidate, resource):
    """The body of the create request, with only what the array's resource takes."""
    session_type = params['type']
    body = {}
    if candidate is not None:
        if params['pause_before_reboot'] and candidate.get('can_pause_before_reboot') is False:
            raise UnityModuleError('candidate %s cannot pause before reboot (canPauseBeforeReboot is false); '
                                   'set pause_before_reboot: false' % candidate['id'])
        body['candidate'] = {'id': candidate['id']}
    if session_type != 'upgrade':
        body['type'] = SESSION_TYPE_VALUES[session_type]
    if params['pause_before_reboot']:
        body['pauseBeforeReboot'] = True
    if params['pause_between_reboots']:
        if resource != OPTIONAL_RESOURCE:
            raise UnityModuleError('pause_between_reboots needs the upgradeSession resource; this array offers '
                                   'only softwareUpgradeSession: set pause_between_reboots: false')
        body['pauseBetweenReboots'] = True
    if params['selected_model']:
        body['selectedModel'] = SP_MODEL_VALUES[params['selected_model']]
    if session_type == 'offline_storageprocessor_upgrade':
        body['offline'] = True
    return body


def pick_session(sessions, session_id, state):
    """The session a resume, cancel or acknowledge is about, or None."""
    if session_id:
        for item in sessions:
            if item['id'] == session_id:
                return item
        raise UnityModuleError("session '%s' is not on the array (sessions: %s)"
                               % (session_id, ', '.join(s['id'] for s in sessions) or 'none'))
    if state == 'acknowledged':
        return newest_session(sessions, ACKNOWLEDGEABLE_STATUSES)
    return active_session(sessions)


def decide_resumed(sessions, session_id):
    target = pick_session(sessions, session_id, 'resumed')
    if target is None:
        newest = newest_session(sessions)
        return Plan('none', False, session=newest, wait_on=False,
                    msg='no session is paused or failed: nothing to resume%s'
                        % ('' if newest is None else ' (newest: %s)' % describe(newest)))
    if target['status'] == WAITING_FOR_USER:
        # The reference's Resume takes paused, failed and failed_lock sessions only (the simulator answers
        # 409); what a waiting_for_user session waits for is not documented (UNCONFIRMED).
        raise UnityModuleError(
            'session %s waits for a user action that the Unisphere REST API does not document; the module does not '
            'resume it: continue it in Unisphere, then run again' % describe(target), session=target)
    if target['status'] in RESUMABLE_STATUSES:
        return Plan('resumed', True, session=target, msg='resumed session %s' % describe(target))
    if target['status'] in RUNNING_STATUSES:
        # Nothing was resumed: no change and no wait (wait applies to a session this task resumed).
        return Plan('none', False, session=target, wait_on=False,
                    msg='session %s is already running: nothing to resume' % describe(target))
    return Plan('none', False, session=target, wait_on=False,
                msg='session %s is over: nothing to resume' % describe(target))


def decide_cancelled(sessions, session_id, resource):
    if resource != OPTIONAL_RESOURCE:
        raise UnityModuleError('state cancelled needs the upgradeSession resource; this array offers only '
                               'softwareUpgradeSession, which has no cancel operation: resume the session, '
                               'or cancel it from Unisphere')
    target = pick_session(sessions, session_id, 'cancelled')
    if target is None:
        newest = newest_session(sessions)
        if newest is not None and newest['status_name'] == 'cancelled':
            return Plan('none', False, session=newest, wait_on=False,
                        msg='session %s is already cancelled' % newest['id'])
        return Plan('none', False, session=newest, wait_on=False,
                    msg='no session is paused or failed: nothing to cancel%s'
                        % ('' if newest is None else ' (newest: %s)' % describe(newest)))
    status = target['status_name']
    if status == 'cancelled':
        return Plan('none', False, session=target, wait_on=False,
                    msg='session %s is already cancelled' % target['id'])
    if target['status'] in CANCELLABLE_STATUSES:
        return Plan('cancelled', True, session=target, msg='cancelled session %s' % describe(target))
    if status in ('paused_lock', 'failed_lock'):
        raise UnityModuleError('session %s is past the point of cancellation and cannot be cancelled; resume '
                               'it with state: resumed' % describe(target), session=target)
    if status in ('completed', 'acknowledged'):
        raise UnityModuleError('session %s is over and cannot be cancelled' % describe(target), session=target)
    raise UnityModuleError('session %s cannot be cancelled: only a paused or failed session can be (create it '
                           'with pause_before_reboot to stop at a point where it can)' % describe(target),
                           session=target)


def decide_acknowledged(sessions, session_id, resource):
    if resource != OPTIONAL_RESOURCE:
        raise UnityModuleError('state acknowledged needs the upgradeSession resource; this array offers only '
                               'softwareUpgradeSession, which has no acknowledge operation')
    target = pick_session(sessions, session_id, 'acknowledged')
    if target is None:
        done = newest_session(sessions, (7,))
        if done is not None:
            return Plan('none', False, session=done, wait_on=False,
                        msg='session %s is already acknowledged' % done['id'])
        return Plan('none', False, session=newest_session(sessions), wait_on=False,
                    msg='no session is completed or cancelled: nothing to acknowledge')
    if target['status_name'] == 'acknowledged':
        return Plan('none', False, session=target, wait_on=False,
                    msg='session %s is already acknowledged' % target['id'])
    if target['status'] in ACKNOWLEDGEABLE_STATUSES:
        return Plan('acknowledged', True, session=target, wait_on=False,
                    msg='acknowledged session %s' % describe(target))
    raise UnityModuleError('session %s cannot be acknowledged: only a completed or cancelled session can be'
                           % describe(target), session=target)


def planned_summary(plan, resource):
    """The diff's "after" for a session that is not read back (check mode)."""
    if plan.action == 'created':
        after = {'id': None, 'resource': resource, 'type_name': None, 'status_name': 'in_progress',
                 'candidate_id': (plan.candidate or {}).get('id'), 'percent_complete': 0,
                 'current_task': None}
        return after
    after = session_summary(plan.session)
    status = {'resumed': 'in_progress', 'cancelled': 'cancelled', 'acknowledged': 'acknowledged'}
    if plan.action in status:
        after['status_name'] = status[plan.action]
    return after


# -- the run ----------------------------------------------------------------------------------

def run(unity):
    params = unity.params
    state = params['state']
    version = validate(params)
    if params['wait'] and not unity.check_mode:
        # A task started while an SP reboots waits for the API to come back, as the wait itself does.
        unity.login_tolerance = params['outage_tolerance']
    api = UpgradeApi(unity.client)
    basic = api.basic_system_info()
    version_before = installed_version(basic)
    sessions = api.sessions()
    resource = api.session_resource
    # Read after the sessions (see below); every session record then carries its candidate's version.
    candidates = api.candidates()
    sessions = [api.annotate(s) for s in sessions]
    if state == 'present':
        sp_models = []
        if params['type'] in SP_UPGRADE_TYPES:
            sp_models = [sp['model_name'] for sp in api.storage_processors()
                         if sp.get('model_name') in SP_MODEL_NAMES.values()]
        try:
            plan = decide_present(params, version, sessions, candidates, version_before, resource, sp_models)
        except UnityModuleError:
            # The version is read before the sessions and candidates: an upgrade that completed in
            # between looks like "no candidate, no session" (the array drops the candidate). A
            # version that changed meanwhile says so; decide again on a fresh reading.
            now_installed = installed_version(api.basic_system_info())
            if now_installed == version_before:
                raise
            version_before = now_installed
            sessions = api.sessions()
            candidates = api.candidates()
            sessions = [api.annotate(s) for s in sessions]
            plan = decide_present(params, version, sessions, candidates, version_before, resource, sp_models)
    elif state == 'resumed':
        plan = decide_resumed(sessions, params['session_id'])
    elif state == 'cancelled':
        plan = decide_cancelled(sessions, params['session_id'], resource)
    else:
        plan = decide_acknowledged(sessions, params['session_id'], resource)
    if plan.target_version is None and plan.session is not None:
        plan.target_version = session_version(plan.session, candidates)

    before = session_summary(plan.session if plan.action != 'created' else None)
    result = {
        'changed': plan.changed, 'action': plan.action, 'session': plan.session,
        'session_resource': resource, 'version_before': version_before, 'version_after': version_before,
        'target_version': plan.target_version, 'waited_seconds': 0.0,
        'outages': [unity.login_outage] if unity.login_outage else [], 'progress': [],
        'relogins': 0, 'timed_out': False, 'msg': plan.msg,
    }
    if unity.check_mode:
        if plan.changed:
            result['msg'] = 'check mode: would have %s' % plan.msg
        if unity.module._diff:
            result['diff'] = {'before': before, 'after': planned_summary(plan, resource)}
        return result

    session = act(unity, api, plan, result)
    settle = ()
    if plan.action in ('resumed', 'cancelled') and plan.session:
        settle = (plan.session['status'],)
    if params['wait'] and plan.wait_on and session is not None:
        session = wait(unity, api, session, settle, result, state)
        installs = plan.candidate or next((c for c in candidates
                                           if c['id'] == (session or {}).get('candidate_id')), None)
        result['version_after'] = read_version_after(api, session, result, software=is_software(installs))
    result['session'] = session
    if unity.module._diff:
        result['diff'] = {'before': before, 'after': session_summary(session)}
    return result


def read_version_after(api, session, result, software=True):
    """The installed version after a wait. An API that is away right then (its reads are retried
    first) does not turn a finished upgrade into a failed task: the completed session installed
    the target version, and a session that did not complete installed nothing."""
    try:
        return installed_version(api.basic_system_info())
    except UnityApiError as error:
        symptom = outage_symptom(error)
        if symptom is None:
            raise
    done = (session or {}).get('status_name') in ('completed', 'acknowledged') and result['target_version'] \
        and software
    result['msg'] = '%s; the installed version could not be read again (%s)%s' % (
        result['msg'], symptom, ': it is the one the completed session installed' if done else '')
    return result['target_version'] if done else result['version_before']


def act(unity, api, plan, result):
    """Send the one changing request of the plan, if any; returns the session to report."""
    if plan.action == 'created':
        try:
            session, recovered = api.create_session(plan.body, candidate_id=(plan.candidate or {}).get('id'))
        except UnityApiError as error:
            if error.http_status != 409:
                raise
            return adopt_after_conflict(api, plan, result, error)
        result['msg'] = '%s: session %s' % (plan.msg, session['id'])
        if recovered:
            result['msg'] += ' (the answer to the create was lost; found the session by reading them again)'
        return session
    if plan.action in ('resumed', 'cancelled', 'acknowledged'):
        api.session_action(plan.session['id'], ACTIONS[plan.action], before_status=plan.session['status'])
        return api.get_session(plan.session['id'])
    return plan.session


def adopt_after_conflict(api, plan, result, error):
    """409 on create: someone started a session just now. Adopt it if it is ours to want."""
    active = active_session(api.sessions())
    wanted = (plan.candidate or {}).get('id')
    wanted_type = SESSION_TYPE_NAMES.get((plan.body or {}).get('type', 0))
    if active is not None and wanted and active.get('candidate_id') == wanted \
            and active.get('type_name') == wanted_type and active['status'] not in FAILED_STATUSES:
        result['changed'] = False
        result['action'] = 'adopted'
        result['msg'] = ('another client started session %s for this candidate at the same time: adopted'
                         % describe(active))
        return active
    raise UnityModuleError('the array refused to create the session (%s)%s' % (
        error.message, '' if active is None else '; session %s is not over' % describe(active)),
        error_code=error.error_code, http_status=error.http_status)


def wait(unity, api, session, settle, result, state):
    def progress(entry):
        unity.module.log('unity.upgrade.upgrade_session: %s %s%% %s' % (
            entry['status_name'], entry['percent_complete'], entry['current_task'] or ''))

    params = unity.params
    waiter = SessionWaiter(api, session['id'], poll_interval=params['poll_interval'],
                           wait_timeout=params['wait_timeout'], outage_tolerance=params['outage_tolerance'],
                           on_progress=progress, settle_statuses=settle)
    outcome = waiter.wait(initial=session)
    result.update({'waited_seconds': outcome.waited_seconds, 'outages': result['outages'] + outcome.outages,
                   'progress': outcome.progress, 'relogins': outcome.relogins})
    final = outcome.session or session
    wanted = ('cancelled',) if state == 'cancelled' else ('completed', 'acknowledged', 'paused')
    if outcome.outcome in wanted:
        if outcome.outcome != 'cancelled':
            result['msg'] = '%s; %s' % (result['msg'], outcome.message)
        return final
    details = dict((k, result[k]) for k in ('changed', 'action', 'session_resource', 'version_before',
                                            'version_after', 'target_version', 'waited_seconds', 'outages',
                                            'progress', 'relogins'))
    details['session'] = final
    details['timed_out'] = outcome.outcome == 'timeout'
    details['api_unreachable'] = outcome.outcome == 'unreachable'
    if outcome.outcome == 'failed':
        details['messages'] = session_messages(final)
        details['failed_task'] = failed_task(final)
    message = outcome.message
    if state == 'cancelled' and outcome.outcome != 'unreachable':
        message = ('the array did not cancel session %s within %s s: it is still %s'
                   % (final['id'], outcome.waited_seconds, final['status_name']))
    raise UnityModuleError(message, **details)


def main():
    unity = UnityModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=list(STATES)),
            candidate=dict(type='str'),
            version=dict(type='str'),
            type=dict(type='str', default='upgrade', choices=list(SESSION_TYPE_VALUES)),
            pause_before_reboot=dict(type='bool', default=False),
            pause_between_reboots=dict(type='bool', default=False),
            selected_model=dict(type='str', choices=list(SP_MODEL_NAMES.values())),
            session_id=dict(type='str'),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=10800),
            poll_interval=dict(type='float', default=30.0),
            outage_tolerance=dict(type='int', default=1800),
        ),
        supports_check_mode=True,
    )
    unity.run(run)


if __name__ == '__main__':
    main()
