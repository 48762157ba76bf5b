# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""End-to-end confirmation of the fault suite (test_faults.py) through ansible-playbook: the module in a
play and the fleet playbook unity.upgrade.upgrade (the role), with every kind of fault during the wait.

The faults are armed the moment the session appears on the array (a watcher thread on the admin API),
so they fall into the wait whatever the playbook's own start-up time."""


import re
import time

import yaml

from e2e_helpers import ArmOnSession, session_creates
from unity_sim.packages import write_candidate

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SCALE = 240
# 30 simulated minutes, 7.5 real seconds; each SP reboot: 150 s refused, 40 s of 503
UPGRADE = {'software_version': BEFORE, 'candidate': {'version': TARGET}, 'upgrade_minutes': 30,
           'reboot_outage_seconds': 150, 'service_restart_seconds': 40}
# simulated seconds from the creation of the session; one window of every kind, random 503s
FAULTS = [{'start': 60, 'duration': 90, 'kind': '503'},
          {'start': 200, 'duration': 60, 'kind': 'reset'},
          {'start': 330, 'duration': 80, 'kind': '401'},
          {'start': 480, 'duration': 100, 'kind': 'refuse'},
          {'start': 640, 'duration': 120, 'kind': 'slow', 'delay_ms': 400},
          {'start': 1300, 'duration': 60, 'kind': '503'}]
WAIT = {'poll_interval': 0.2, 'outage_tolerance': 30, 'wait_timeout': 120}


def session_task(name, **args):
    return {'name': name, 'unity.upgrade.upgrade_session': args, 'register': 'out'}


def test_an_upgrade_through_every_kind_of_fault_succeeds_with_one_session(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    armer = ArmOnSession(sim, 'array-1', {'faults': FAULTS, 'flaky_503': 0.05})
    run = run_play([session_task('upgrade', version=TARGET, request_timeout=2, **WAIT)],
                   module_defaults=sim.connection('array-1'), timeout=180)
    assert armer.armed, 'the faults were armed'
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upgrade')
    assert (result['changed'], result['action'], result['session']['status_name']) == (True, 'created', 'completed')
    assert result['version_after'] == TARGET
    seen = set(what for outage in result['outages'] for what in outage['seen'])
    assert {'HTTP 503', 'HTTP 401 (login refused)', 'connection refused'} <= seen, seen
    assert len(result['outages']) >= 4 and all(o['ended'] for o in result['outages'])
    assert len(session_creates(sim.requests('array-1'))) == 1
    assert [s['status_name'] for s in sim.state('array-1')['sessions']] == ['Upgrade_Completed']
    assert 'Traceback' not in run.stdout + run.stderr


def test_a_failing_array_under_faults_fails_the_task_with_its_own_message(start_sim, run_play):
    task = 'Installing new software on primary SP'
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, fail_at_task=task, fail_status='Upgrade_Failed_Lock'))
    armer = ArmOnSession(sim, 'array-1', {'faults': FAULTS, 'flaky_503': 0.05})
    run = run_play([session_task('upgrade', version=TARGET, request_timeout=2, **WAIT)],
                   module_defaults=sim.connection('array-1'), timeout=180)
    assert armer.armed and run.rc != 0
    result = run.result('upgrade')
    text = ("The upgrade task '%s' failed. The system is in a locked state past the point of cancellation: "
            'resolve the problem and resume the upgrade session. If the problem persists, contact your service '
            'provider. [Error Code: flr::upgrade_task_failed_9]' % task)
    assert result['messages'] == [text]
    assert result['msg'] == ("session Upgrade_5.3.0.120 is failed_lock at task '%s' (%s%%): %s; fix the cause, then "
                             'resume it with state: resumed' % (task, result['session']['percent_complete'], text))
    assert (result['failed_task'], result['timed_out'], result['api_unreachable']) == (task, False, False)
    assert len(sim.state('array-1')['sessions']) == 1 and len(session_creates(sim.requests('array-1'))) == 1


def test_a_wait_timeout_under_faults_ends_within_one_poll_and_a_rerun_adopts(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    armer = ArmOnSession(sim, 'array-1', {'faults': FAULTS})
    connection = dict(sim.connection('array-1'), request_timeout=2)
    run = run_play([session_task('upgrade', version=TARGET, poll_interval=0.5, outage_tolerance=30, wait_timeout=2)],
                   module_defaults=connection, timeout=120)
    assert armer.armed and run.rc != 0
    result = run.result('upgrade')
    assert result['timed_out'] is True and 'goes on on the array' in result['msg']
    # the deadline, plus at most the read in flight (a probe, the read, a new login: 3 x request_timeout)
    assert 2 <= result['waited_seconds'] <= 2 + 0.5 + 3 * 2
    run = run_play([session_task('adopt', version=TARGET, request_timeout=2, **WAIT)],
                   module_defaults=connection, timeout=180)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('adopt')
    assert result['action'] in ('adopted', 'none') and result['version_after'] == TARGET
    assert len(sim.state('array-1')['sessions']) == 1 and len(session_creates(sim.requests('array-1'))) == 1


def test_the_fleet_playbook_upgrades_two_arrays_through_faults(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=2, time_scale=SCALE, scenario=dict(UPGRADE, candidate=None))
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    armers = [ArmOnSession(sim, name, {'faults': FAULTS, 'flaky_503': 0.05}, timeout=300) for name in sorted(sim.arrays)]
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    run = run_playbook('unity.upgrade.upgrade', inventory=str(inventory), timeout=300, extra_vars={
        'unity_upgrade_target_version': TARGET, 'unity_upgrade_candidate_src': package,
        'unity_upgrade_poll_interval': 1, 'unity_upgrade_progress_interval': 4,
        'unity_upgrade_outage_tolerance': 30, 'unity_upgrade_request_timeout': 2, 'unity_upgrade_serial': 2,
        'unity_upgrade_report_dir': str(tmp_path / 'report')})
    assert all(a.armed for a in armers)
    assert run.rc == 0, run.stdout[-4000:]
    for name in sim.arrays:
        state = sim.state(name)
        assert state['software_version'] == TARGET, name
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], name
        assert len(session_creates(sim.requests(name))) == 1, name
    report = yaml.safe_load((tmp_path / 'report' / 'report.json').read_text())
    assert [r['outcome'] for r in report['arrays']] == ['upgraded', 'upgraded']
    # (the role polls at most once a second, in stretches: which outages it sees is a matter of timing)
    assert all(isinstance(r['outages'], list) for r in report['arrays'])
    assert 'Traceback' not in run.stdout + run.stderr


def test_the_role_stops_waiting_at_unity_upgrade_wait_timeout(start_sim, run_playbook, tmp_path):
    """A 60-minute upgrade (6 real minutes), unity_upgrade_wait_timeout 6 s: the role's one wait ends after
    6 s, with progress lines meanwhile, and the role stops the array saying the upgrade goes on."""
    sim = start_sim(time_scale=10, scenario=dict(UPGRADE, upgrade_minutes=60))
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    started = time.monotonic()
    run = run_playbook('unity.upgrade.upgrade', inventory=str(inventory), timeout=120, extra_vars={
        'unity_upgrade_target_version': TARGET, 'unity_upgrade_poll_interval': 1, 'unity_upgrade_progress_interval': 2,
        'unity_upgrade_wait_timeout': 6, 'unity_upgrade_report_dir': str(tmp_path / 'report')})
    elapsed, finished = time.monotonic() - started, time.time()
    assert run.rc == 2, run.stdout[-3000:]
    # the include 'Stop when the wait ran out' runs stop.yml, whose last task fails with the reason
    stop = [r for r in run.records if r['task'].endswith('Stop the array for that reason')]
    assert stop and stop[-1]['status'] == 'failed', [r['task'] for r in run.records]
    assert stop[-1]['result']['msg'].startswith('the upgrade did not finish within unity_upgrade_wait_timeout (6 s): '
                                                'session Upgrade_5.3.0.120 goes on on the array (')
    note = [r for r in run.records if r['task'].endswith('start the clock of the wait')][-1]
    wait_started = float(note['result']['ansible_facts']['__unity_upgrade_wait_started'])
    waits = [r for r in run.records if r['task'].endswith('Wait for the upgrade session')]
    assert len(waits) == 1 and 6 <= waits[0]['result']['waited_seconds'] <= 6 + 1, waits
    assert waits[0]['result']['timed_out'] is True
    # the wait ends within 6 s plus one poll, plus the tasks after it (slow on a loaded node)
    assert 6 <= stop[-1]['time'] - wait_started <= 6 + 1 + 5, stop[-1]['time'] - wait_started
    assert finished >= stop[-1]['time']
    # a line once the module had read the session, then every 2 s while it waited, and the last one
    assert 4 <= len(re.findall(r'^array-1: \d+% in_progress - ', run.stdout, re.MULTILINE)) <= 5, run.stdout[-3000:]
    assert elapsed < 60, 'the role stopped long before the upgrade would have finished'
    assert sim.state('array-1')['sessions'][0]['status_name'] == 'Upgrade_In_Progress', 'it goes on'
