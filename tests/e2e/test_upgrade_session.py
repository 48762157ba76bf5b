# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unity.upgrade.upgrade_session through ansible-playbook against the simulator: the must-shows of the
upgrade engine. Every test starts its own simulator (time-scaled: a 30-minute upgrade with two SP reboot
outages lasts about 8 seconds), so tests never share an array and each is bounded in time."""


import os
import re

import pytest

from e2e_helpers import ArmOnSession

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SCALE = 240
# 30 simulated minutes; each SP reboot refuses connections for 200 s, then answers 503 for 60 s
UPGRADE = {'software_version': BEFORE, 'candidate': {'version': TARGET}, 'upgrade_minutes': 30,
           'reboot_outage_seconds': 200, 'service_restart_seconds': 60}
# real seconds: poll often enough to see every outage, tolerate them, never wait long
WAIT = {'poll_interval': 0.2, 'outage_tolerance': 60, 'wait_timeout': 300}
CHANGING = ('/action/resume', '/action/cancel', '/action/acknowledge')

# seconds: every playbook run is bounded (run_playbook's timeout), so every test is
PLAY_TIMEOUT = 120


@pytest.fixture
def run_play(run_play):
    """The shared runner, with every playbook run bounded in time."""
    def runner(tasks, **kwargs):
        kwargs.setdefault('timeout', PLAY_TIMEOUT)
        return run_play(tasks, **kwargs)
    return runner


def task(name, **args):
    return {'name': name, 'unity.upgrade.upgrade_session': args, 'register': 'out'}


def session_creates(sim, name):
    return [r for r in sim.requests(name) if r['method'] == 'POST' and r['path'].endswith('Session/instances')]


def changing(sim, name):
    """Create, resume, cancel, acknowledge: the requests that change an upgrade."""
    return [r for r in sim.requests(name) if r['method'] == 'POST' and (
        r['path'].endswith('Session/instances') or r['path'].endswith(CHANGING))]


def logins(sim, name):
    return [r for r in sim.requests(name) if r['path'] == '/api/types/loginSessionInfo/instances']


def assert_both_reboot_outages(result):
    outages = result['outages']
    assert len(outages) == 2, outages
    for outage in outages:
        assert outage['ended'] is True and outage['seconds'] > 0
        assert outage['seen'][0] in ('connection refused', 'the connection was reset'), outage
        assert 'HTTP 503 (basicSystemInfo)' in outage['seen'] or 'HTTP 503' in outage['seen'], outage
    assert result['relogins'] >= 2, 'each reboot ends the login session'


def test_full_upgrade_through_both_reboots_then_a_second_run_changes_nothing(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    run = run_play([task('upgrade', version=TARGET, **WAIT)],
                   module_defaults=sim.connection('array-1'), verbosity=3)
    assert run.rc == 0, run.stdout[-3000:]
    password = sim.array('array-1')['password']
    assert password not in run.stdout and password not in run.stderr
    result = run.result('upgrade')
    assert (result['changed'], result['action']) == (True, 'created')
    assert result['session']['status_name'] == 'completed' and result['session']['percent_complete'] == 100
    assert (result['version_before'], result['version_after'], result['target_version']) == (BEFORE, TARGET, TARGET)
    assert_both_reboot_outages(result)
    assert [p['percent_complete'] for p in result['progress']] == sorted(p['percent_complete']
                                                                         for p in result['progress'])
    seen_tasks = set(p['current_task'] for p in result['progress'])
    assert 'Final tasks' in seen_tasks or result['progress'][-1]['status_name'] == 'completed'
    state = sim.state('array-1')
    assert len(state['sessions']) == 1 and state['software_version'] == TARGET
    assert len(session_creates(sim, 'array-1')) == 1
    assert len(logins(sim, 'array-1')) == 1 + result['relogins']

    sim.clear_requests('array-1')
    again = run_play([task('again', version=TARGET, **WAIT)], module_defaults=sim.connection('array-1'))
    assert again.rc == 0, again.stdout[-3000:]
    result = again.result('again')
    assert (result['changed'], result['action']) == (False, 'none')
    assert 'already runs %s' % TARGET in result['msg']
    assert sim.changing_requests('array-1') == [], 'no POST except login/logout'
    assert len(logins(sim, 'array-1')) == 1
    assert len(sim.state('array-1')['sessions']) == 1


def test_check_mode_sends_nothing_that_changes_the_array(start_sim, run_play):
    paused = {'status': 'Upgrade_Paused', 'candidate_version': TARGET}
    sim = start_sim(arrays=3, time_scale=SCALE, scenario={'arrays': {
        'array-1': UPGRADE,
        'array-2': dict(UPGRADE, sessions=[paused]),
        'array-3': {'software_version': TARGET,
                    'sessions': [{'status': 'Upgrade_Completed', 'candidate_version': TARGET}]},
    }})
    one, two, three = (sim.connection('array-%d' % i) for i in (1, 2, 3))
    run = run_play([
        task('present', version=TARGET, **dict(one, **WAIT)),
        task('resumed', state='resumed', **two),
        task('cancelled', state='cancelled', **two),
        task('acknowledged', state='acknowledged', **three),
    ], check=True, diff=True)
    assert run.rc == 0, run.stdout[-3000:]
    present = run.result('present')
    assert (present['changed'], present['action'], present['session']) == (True, 'created', None)
    assert present['msg'].startswith('check mode: would have created an upgrade to candidate')
    assert present['diff']['before'] == {} and present['diff']['after']['status_name'] == 'in_progress'
    assert present['waited_seconds'] == 0
    for name, action in (('resumed', 'resumed'), ('cancelled', 'cancelled'), ('acknowledged', 'acknowledged')):
        result = run.result(name)
        assert (result['changed'], result['action']) == (True, action), result
        expected = 'in_progress' if action == 'resumed' else action
        assert result['diff']['after']['status_name'] == expected
    assert run.result('resumed')['diff']['before']['status_name'] == 'paused'
    for name in ('array-1', 'array-2', 'array-3'):
        assert changing(sim, name) == [], name
        assert sim.changing_requests(name) == [], name
    assert [s['status_name'] for s in sim.state('array-2')['sessions']] == ['Upgrade_Paused']


def test_paused_before_reboot_then_resumed_to_completion(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    connection = sim.connection('array-1')
    run = run_play([task('prepare', version=TARGET, pause_before_reboot=True, **WAIT)], module_defaults=connection)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('prepare')
    assert (result['changed'], result['action']) == (True, 'created')
    assert result['session']['status_name'] == 'paused'
    assert result['session']['current_task'] == 'Waiting for reboot command'
    assert result['outages'] == [] and result['version_after'] == BEFORE
    assert "paused at task 'Waiting for reboot command'" in result['msg']

    # present again adopts the paused session: no change, nothing sent
    sim.clear_requests('array-1')
    run = run_play([task('adopt', version=TARGET, **WAIT)], module_defaults=connection)
    assert run.rc == 0 and (run.result('adopt')['changed'], run.result('adopt')['action']) == (False, 'adopted')
    assert changing(sim, 'array-1') == []

    run = run_play([task('resume', state='resumed', **WAIT)], module_defaults=connection)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('resume')
    assert (result['changed'], result['action']) == (True, 'resumed')
    assert result['session']['status_name'] == 'completed' and result['version_after'] == TARGET
    assert_both_reboot_outages(result)
    assert len(sim.state('array-1')['sessions']) == 1

    # resume again: the session is over, nothing to resume
    sim.clear_requests('array-1')
    run = run_play([task('again', state='resumed', **WAIT)], module_defaults=connection)
    result = run.result('again')
    assert run.rc == 0 and (result['changed'], result['action']) == (False, 'none')
    assert 'nothing to resume' in result['msg']
    assert changing(sim, 'array-1') == []


def test_pause_between_reboots_stops_green_after_the_first_sp(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    run = run_play([task('upgrade', version=TARGET, pause_between_reboots=True, **WAIT)],
                   module_defaults=sim.connection('array-1'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upgrade')
    assert result['session']['status_name'] == 'paused_lock'
    assert len(result['outages']) == 1 and result['version_after'] == BEFORE
    # past the point of cancellation
    run = run_play([task('cancel', state='cancelled')], module_defaults=sim.connection('array-1'))
    assert run.rc != 0 and 'past the point of cancellation' in run.result('cancel')['msg']
    assert changing(sim, 'array-1')[-1]['path'].endswith('Session/instances'), 'no cancel was sent'


def test_a_session_failed_at_a_task_fails_the_wait_then_resumes_to_completion(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, fail_at_task='Installing new software on peer SP'))
    connection = sim.connection('array-1')
    run = run_play([task('upgrade', version=TARGET, **WAIT)], module_defaults=connection)
    assert run.rc != 0
    result = run.result('upgrade')
    assert result['changed'] is True and result['action'] == 'created'
    assert result['session']['status_name'] == 'failed'
    assert result['failed_task'] == 'Installing new software on peer SP'
    assert "at task 'Installing new software on peer SP'" in result['msg']
    assert result['messages'] and all(m in result['msg'] for m in result['messages'])
    assert result['timed_out'] is False and result['api_unreachable'] is False

    run = run_play([task('resume', state='resumed', **WAIT)], module_defaults=connection)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('resume')
    assert (result['changed'], result['action'], result['session']['status_name']) == (True, 'resumed', 'completed')
    assert result['version_after'] == TARGET
    assert len(sim.state('array-1')['sessions']) == 1


def test_cancel_a_paused_session_then_again_is_no_change(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, sessions=[
        {'status': 'Upgrade_Paused', 'candidate_version': TARGET}]))
    connection = sim.connection('array-1')
    run = run_play([task('cancel', state='cancelled', **WAIT)], module_defaults=connection, diff=True)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('cancel')
    assert (result['changed'], result['action'], result['session']['status_name']) == (True, 'cancelled', 'cancelled')
    assert result['diff']['before']['status_name'] == 'paused'
    assert [r['path'].rsplit('/', 1)[-1] for r in changing(sim, 'array-1')] == ['cancel']

    sim.clear_requests('array-1')
    run = run_play([task('again', state='cancelled')], module_defaults=connection)
    assert run.rc == 0 and run.result('again')['changed'] is False
    assert 'already cancelled' in run.result('again')['msg']
    assert changing(sim, 'array-1') == []

    run = run_play([task('ack', state='acknowledged'), task('ack again', state='acknowledged')],
                   module_defaults=connection)
    assert run.rc == 0, run.stdout[-3000:]
    assert (run.result('ack')['changed'], run.result('ack')['session']['status_name']) == (True, 'acknowledged')
    assert run.result('ack again')['changed'] is False


def test_an_array_with_only_software_upgrade_session_upgrades_with_the_same_play(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, session_resources=['softwareUpgradeSession']))
    run = run_play([task('upgrade', version=TARGET, **WAIT)], module_defaults=sim.connection('array-1'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upgrade')
    assert result['session_resource'] == 'softwareUpgradeSession'
    assert result['session']['resource'] == 'softwareUpgradeSession'
    assert (result['changed'], result['session']['status_name'], result['version_after']) == (
        True, 'completed', TARGET)
    assert_both_reboot_outages(result)
    assert [r['path'] for r in session_creates(sim, 'array-1')] == ['/api/types/softwareUpgradeSession/instances']
    # cancel and acknowledge do not exist there: a clear error, nothing sent
    run = run_play([task('ack', state='acknowledged')], module_defaults=sim.connection('array-1'))
    assert run.rc != 0 and 'offers only softwareUpgradeSession' in run.result('ack')['msg']


def test_an_outage_longer_than_the_tolerance_fails_with_the_last_state_and_may_go_on(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, reboot_outage_seconds=100000))
    run = run_play([task('upgrade', version=TARGET, poll_interval=0.2, outage_tolerance=3, wait_timeout=300)],
                   module_defaults=sim.connection('array-1'))
    assert run.rc != 0
    result = run.result('upgrade')
    assert result['api_unreachable'] is True and result['timed_out'] is False
    assert 'more than outage_tolerance (3 s' in result['msg']
    assert 'the last state seen was session Upgrade_5.3.0.120 in_progress at' in result['msg']
    assert 'the upgrade may go on on the array' in result['msg']
    assert result['outages'][-1]['ended'] is False and result['outages'][-1]['seconds'] >= 3
    # the upgrade went on without the module (on a loaded machine it may even have finished)
    assert [s['status_name'] for s in sim.state('array-1')['sessions']] in (
        ['Upgrade_In_Progress'], ['Upgrade_Completed'])


def test_wait_timeout_says_the_upgrade_goes_on_and_a_rerun_adopts_it(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    connection = sim.connection('array-1')
    run = run_play([task('upgrade', version=TARGET, poll_interval=0.2, outage_tolerance=60, wait_timeout=1)],
                   module_defaults=connection)
    assert run.rc != 0
    result = run.result('upgrade')
    assert result['timed_out'] is True and result['changed'] is True
    assert 'goes on on the array' in result['msg']
    run = run_play([task('adopt', version=TARGET, **WAIT)], module_defaults=connection)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('adopt')
    assert (result['changed'], result['action'], result['session']['status_name']) == (False, 'adopted', 'completed')
    assert len(session_creates(sim, 'array-1')) == 1 and len(sim.state('array-1')['sessions']) == 1


def test_a_lost_create_answer_is_resolved_without_a_second_create(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, lose_create_response=True))
    run = run_play([task('upgrade', version=TARGET, wait=False)], module_defaults=sim.connection('array-1'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upgrade')
    assert (result['changed'], result['action']) == (True, 'created')
    assert 'answer to the create was lost' in result['msg']
    assert len(session_creates(sim, 'array-1')) == 1
    assert len(sim.state('array-1')['sessions']) == 1


def test_a_session_for_another_candidate_fails_with_its_id_and_status(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, candidate=None, sessions=[
        {'status': 'Upgrade_Failed', 'candidate_version': '5.2.1.0.5.10'}]))
    run = run_play([task('upgrade', version=TARGET, **WAIT)], module_defaults=sim.connection('array-1'))
    assert run.rc != 0
    msg = run.result('upgrade')['msg']
    assert 'session Upgrade_5.2.1.10 (failed' in msg and 'one upgrade session at a time' in msg
    assert changing(sim, 'array-1') == []


def test_503_storms_and_lost_login_sessions_never_fail_the_wait(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    # Armed as the session appears (the SPs' reboots count from its creation, which comes sooner or later
    # after the task starts), in simulated seconds of it: both windows fall before the first reboot (764 s
    # of 1800), where a reboot's own outage cannot hide them.
    armer = ArmOnSession(sim, 'array-1', {'faults': [{'start': 250, 'duration': 150, 'kind': '401'},
                                                     {'start': 500, 'duration': 150, 'kind': '503'}]})
    run = run_play([task('upgrade', version=TARGET, **WAIT)], module_defaults=sim.connection('array-1'))
    assert armer.armed
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upgrade')
    assert (result['changed'], result['session']['status_name']) == (True, 'completed')
    seen = [what for outage in result['outages'] for what in outage['seen']]
    assert 'HTTP 401 (login refused)' in seen and 'HTTP 503' in seen
    assert len(result['outages']) >= 3, result['outages']  # two reboots, the faults (one or two)
    assert len(sim.state('array-1')['sessions']) == 1 and len(session_creates(sim, 'array-1')) == 1


# -- issue 16, findings 8 and 11: resumed on a session waiting for a user, and on a running one ---------

@pytest.mark.parametrize('check', [False, True])
def test_resumed_never_sends_a_resume_to_a_session_waiting_for_user(start_sim, run_play, check):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, sessions=[
        {'status': 'Upgrade_Waiting_For_User', 'candidate_version': TARGET}]))
    run = run_play([task('resume', state='resumed', **WAIT)], module_defaults=sim.connection('array-1'),
                   check=check)
    assert run.rc != 0
    msg = run.result('resume')['msg']
    assert 'waits for a user action that the Unisphere REST API does not document' in msg, msg
    assert 'continue it in Unisphere' in msg and '\n' not in msg
    assert changing(sim, 'array-1') == []


def test_resumed_on_a_running_session_is_no_change_and_no_wait(start_sim, run_play):
    sim = start_sim(time_scale=SCALE, scenario=dict(UPGRADE, upgrade_minutes=600, sessions=[
        {'status': 'Upgrade_In_Progress', 'candidate_version': TARGET}]))
    run = run_play([task('resume', state='resumed', **WAIT)], module_defaults=sim.connection('array-1'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('resume')
    assert (result['changed'], result['action']) == (False, 'none')
    assert 'already running: nothing to resume' in result['msg']
    assert result['waited_seconds'] == 0 and result['progress'] == []
    assert changing(sim, 'array-1') == []


def test_a_wait_started_as_the_services_restart_rides_out_its_first_reads(start_sim, run_play):
    # The login gets through, then every read of the installed version answers 503 for 10 real seconds:
    # longer than the client's own tries of one read (at most about 7 s). A wait that starts as an SP
    # reboot begins meets this; it used to fail the task (the 50-array bench did, when the role waited in
    # short stretches). The wait then goes on for its 3 seconds and ends timed out.
    scale = 20
    sim = start_sim(time_scale=scale, scenario=dict(
        UPGRADE, sessions=[{'status': 'Upgrade_In_Progress', 'candidate_version': TARGET, 'task': 2}],
        faults=[{'start': 0, 'duration': 10 * scale, 'kind': '503', 'method': 'GET', 'path': 'basicSystemInfo'}]))
    stretch = dict(WAIT)
    stretch.update(version=TARGET, wait_timeout=3)
    run = run_play([task('stretch', **stretch)], module_defaults=sim.connection('array-1'))
    result = run.result('stretch')
    assert (result['timed_out'], result['changed'], result['action']) == (True, False, 'adopted'), result['msg']
    first = result['outages'][0]
    assert first['at_start'] is True and first['ended'] is True and first['seconds'] >= 3, first
    assert first['seen'][0] == 'HTTP 503 (the first reads)' and first['seen'][-1] == 'the first reads answered', first
    assert session_creates(sim, 'array-1') == [] and len(sim.state('array-1')['sessions']) == 1


def sections(stdout):
    """{task name: its part of the job output}."""
    parts = re.split(r'^TASK \[(.+?)\] \**$', stdout, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2]))


def test_progress_lines_while_one_module_run_waits_and_none_when_not_asked_for(start_sim, run_play, tmp_path):
    """The action plugin prints a line once the module has read the session, then every progress_interval
    seconds; with progress_interval 0, no_log or in check mode it prints none; its private directory goes."""
    sim = start_sim(time_scale=10, scenario=dict(UPGRADE, upgrade_minutes=600, sessions=[
        {'status': 'Upgrade_In_Progress', 'candidate_version': TARGET, 'task': 2}]))
    scratch = tmp_path / 'scratch'
    scratch.mkdir()
    wait = dict(WAIT)
    wait.update(version=TARGET, wait_timeout=3)
    timed_out = {'failed_when': 'not out.timed_out'}
    tasks = [dict(task('lines every second', progress_interval=1, **wait), **timed_out),
             dict(task('no lines with 0', progress_interval=0, **wait), **timed_out),
             dict(task('no lines with no_log', progress_interval=1, **wait), no_log=True, **timed_out),
             dict(task('no lines in check mode', progress_interval=1, **wait), check_mode=True)]
    run = run_play(tasks, module_defaults=sim.connection('array-1'), env={'TMPDIR': str(scratch)})
    assert run.rc == 0, run.stdout[-3000:]
    shown = dict((name, re.findall(r'^localhost: \d+% .*$', text, re.MULTILINE)) for name, text in sections(run.stdout).items())
    lines = shown['lines every second']
    # at once, then at 1, 2 (and perhaps 3) s of the 3-second wait, then the last line from the result
    assert 4 <= len(lines) <= 5, run.stdout[-3000:]
    assert all(re.match(r'localhost: \d+% in_progress - Preparing system software; about \d+ (min|s) left; '
                        r'0 outage\(s\) so far \(0 s unreachable\)$', line) for line in lines), lines
    assert [shown[name] for name in ('no lines with 0', 'no lines with no_log', 'no lines in check mode')] == [[], [], []]
    assert not [name for name in os.listdir(str(scratch)) if name.startswith('unity_upgrade_progress_')]
