#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


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
      - A waiting_for_user session fails V(resumed) (in check mode too) and is not resumed. The resume operation of
        Dell's Unisphere Management REST API Reference Guide takes only paused, failed and failed_lock sessions, and
        the guide does not say what such a session waits for. Continue it in Unisphere.
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
      - Version of the operating environment to upgrade to, 3 to 6 dot-separated numbers such as V(5.3.0.0.5.120) or
        V(5.3.0). The candidate of that version on the array is used.
      - Compared as numbers on the precision of O(version), so V(5.3.0) is met by any build of 5.3.0 and
        V(5.4.0.0.5.010) equals V(5.4.0.0.5.10); results and messages show it as written.
      - An array that reports its version with fewer parts than the target and agrees with it as far as it goes
        (older OEs report V(5.3.0) in C(basicSystemInfo); the module then reads C(installedSoftwareVersion) too) cannot
        tell whether the target is installed. The task fails with that reason instead of guessing; give O(version)
        as precise as the array reports it (V(5.3.0)) to accept any build of it. The same holds for the version of a
        candidate given with O(candidate).
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
  wait_out_login_refusals:
    description:
      - With O(wait=true), a first login refused with HTTP 401 is taken for the management service that restarts after
        an SP reboot, and waited out like any outage within O(outage_tolerance) (reported in RV(outages)).
      - Set it only when these credentials have logged in to this array before in the same run, as the role's preflight
        does. With a wrong password every retry is one more failed login, and Unity locks an account after repeated
        failed logins; so by default a refused login fails the task at once.
    type: bool
    default: false
    version_added: 1.1.0
  progress_interval:
    description:
      - With O(wait=true), seconds between two progress lines in the task's output while the module waits (the first
        as soon as it has read the session), each with
        the percent complete, the current task, the array's estimate of the time left, and the outages so far (one
        under way with its seconds and symptom). V(0) shows none.
      - The collection's action plugin prints them from a private file the module writes, so they need the module to
        run on the control node as the same user (the connection V(local) without become, as the role and the
        playbooks set); elsewhere the task shows none and waits all the same. A task with C(no_log) shows none.
      - A line says when the module has written nothing for longer than two reads should take (a module that hangs
        does not look like progress).
      - When the wait ends, a last line says where it left the session, with every outage of the wait.
      - The wait runs in ansible-playbook's worker for the task when it can, with no module process (the
        attribute C(action) says when).
      - The lines are display output (in AWX / Automation Platform, lines of the job's output); the task's result
        still comes at its end, with every change of the session in RV(progress).
    type: int
    default: 600
    version_added: 1.1.0
extends_documentation_fragment:
  - unity.upgrade.connection
  - unity.upgrade.attributes
attributes:
  check_mode:
    support: full
    details: Reads the array and reports what it would do in RV(action); sends nothing that changes the array and
      does not wait.
  diff_mode:
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
  - A resume, cancel or acknowledge that meets a refused connection, HTTP 502, 503 or 504, or whose answer was lost
    (a connection reset) is settled by reading the session again. One that left the status it had took the action;
    one that keeps it after three reads did not, and the action is sent again after a pause, at most three times.
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
      description: Caption of the task the session is at; null when it is over.
      type: str
      returned: always
      sample: Waiting for reboot command
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
        - True for the time the module's first login or first reads waited for an API that was away (O(wait=true)
          only); the outage may have begun before this task's first request, so it may go on one that an earlier
          task saw end with RV(outages[].ended=false), and RV(outages[].seconds) counts from that request.
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

from ansible_collections.unity.upgrade.plugins.module_utils._session_plan import STATES
from ansible_collections.unity.upgrade.plugins.module_utils._session_run import run
from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModule
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import SP_MODEL_NAMES
from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import SESSION_TYPE_VALUES


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
            wait_out_login_refusals=dict(type='bool', default=False),
            progress_interval=dict(type='int', default=600),
        ),
        supports_check_mode=True,
    )
    unity.run(run)


if __name__ == '__main__':
    main()
