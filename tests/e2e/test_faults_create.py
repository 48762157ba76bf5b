# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The create of an upgrade session under fault: the answer lost after the array created the session
(a reset, a read timeout), a create the array never took in (503, reset before it was read), random
503s everywhere. The module ends with exactly one session and reports it, or, when the array has none,
fails saying so and the next run creates exactly one.

The cases run in this process (test_faults_harness), in parallel, one array each; one ansible-playbook
run confirms the slow create end to end."""


import threading

from e2e_helpers import Admin, one_line, session_creates

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SCALE = 600
UPGRADE = {'software_version': BEFORE, 'candidate': {'version': TARGET}, 'upgrade_minutes': 15,
           'reboot_outage_seconds': 60, 'service_restart_seconds': 30}
CREATE = {'method': 'POST', 'path': 'Session/instances'}
# real seconds
WAIT = {'poll_interval': 0.1, 'outage_tolerance': 4, 'wait_timeout': 60, 'request_timeout': 1.0}

CASES = {
    # the array creates the session, then resets the connection instead of answering
    'lost answer': {'lose_create_response': True},
    # the array answers after the client gave up (2.5 s > request_timeout), and creates the session then
    'read timeout': {'faults': [dict(CREATE, start=0, duration=100000, kind='slow', delay_ms=2500)]},
    # the management service is away for the create (1 s of real time): refused with 503, nothing created
    '503 on the create': {'faults': [dict(CREATE, start=0, duration=600, kind='503')]},
    # random 503s on every request, the create included
    'flaky 503': {'flaky_503': 0.3, 'seed': 11},
    # the connection is reset before the array reads the create: nothing created, the answer lost
    'reset before the create': {'faults': [dict(CREATE, start=0, duration=100000, kind='reset')]},
}


def test_a_create_under_fault_ends_with_exactly_one_session(start_sim, in_process):
    sim = start_sim(arrays=len(CASES), time_scale=SCALE)
    admin = Admin(sim)
    names = dict(zip(CASES, sorted(sim.arrays)))
    results = {}

    def run(case):
        name = names[case]
        admin.put(name, dict(UPGRADE, **CASES[case]))
        admin.clear_requests(name)
        args = dict(sim.connection(name), version=TARGET, **WAIT)
        first = in_process.run('upgrade_session', args)
        admin.patch(name, {'faults': [], 'flaky_503': 0.0, 'lose_create_response': False})
        second = in_process.run('upgrade_session', args) if first.failed else None
        results[case] = (first, second, admin.state(name), admin.requests(name))

    threads = [threading.Thread(target=run, args=(case,)) for case in CASES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)

    for case in ('lost answer', 'read timeout'):
        first, second, state, log = results[case]
        assert not first.failed, (case, first.msg, first.crash)
        result = first.result
        assert (result['changed'], result['action']) == (True, 'created'), case
        assert 'the answer to the create was lost; found the session by reading them again' in result['msg'], case
        assert result['session']['status_name'] == 'completed' and result['version_after'] == TARGET, case
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], case
        assert len(session_creates(log)) == 1, (case, 'the create is never sent twice')

    for case in ('503 on the create', 'flaky 503'):
        first, second, state, log = results[case]
        assert not first.failed, (case, first.msg, first.crash)
        assert (first.result['changed'], first.result['action']) == (True, 'created'), case
        assert first.result['session']['status_name'] == 'completed', case
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], case
        statuses = [r['status'] for r in session_creates(log)]
        assert statuses[-1] == 201 and all(s == 503 for s in statuses[:-1]), (case, statuses)

    first, second, state, log = results['reset before the create']
    assert first.failed and not first.crash
    assert first.msg.startswith('the answer to creating the upgrade session was lost (POST '
                                '/api/types/upgradeSession/instances: cannot reach https://')
    assert first.msg.endswith('no new session is listed on the array; run the task again: it adopts a '
                              'session that appears later and never starts a second one')
    assert len(session_creates(log)) == 2, 'one create in the first run, one in the second'
    assert not second.failed, second.msg
    assert (second.result['action'], second.result['session']['status_name']) == ('created', 'completed')
    assert len(state['sessions']) == 1

    for case, (first, second, state, log) in results.items():
        for one in (first, second):
            if one is not None:
                assert one_line(one.msg), (case, one.msg)
                assert one.crash is None, (case, one.crash)


def test_a_create_answered_too_late_through_ansible_playbook(start_sim, run_play):
    sim = start_sim(time_scale=240, scenario=dict(
        UPGRADE, faults=[dict(CREATE, start=0, duration=100000, kind='slow', delay_ms=3000)]))
    run = run_play([{'name': 'upgrade', 'unity.upgrade.upgrade_session': dict(
        version=TARGET, poll_interval=0.2, outage_tolerance=60, wait_timeout=120, request_timeout=1)}],
        module_defaults=sim.connection('array-1'), timeout=180)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-3000:]
    result = run.result('upgrade')
    assert (result['changed'], result['action'], result['session']['status_name']) == (True, 'created', 'completed')
    assert 'the answer to the create was lost' in result['msg']
    assert len(session_creates(sim.requests('array-1'))) == 1
    assert [s['status_name'] for s in sim.state('array-1')['sessions']] == ['Upgrade_Completed']
