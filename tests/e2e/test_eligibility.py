# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unity.upgrade.upgrade_eligibility_info through ansible-playbook against the simulator."""


import pytest

BLOCKING = 'flr::check_server_connectivity_2'
WARNING = 'flr::check_replication_sessions_1'
PLAY_TIMEOUT = 120


@pytest.fixture
def run_play(run_play):
    """The shared runner, with every playbook run bounded in time."""
    def runner(tasks, **kwargs):
        kwargs.setdefault('timeout', PLAY_TIMEOUT)
        return run_play(tasks, **kwargs)
    return runner


def check_task(name, **connection):
    return {'name': name, 'unity.upgrade.upgrade_eligibility_info': connection, 'register': 'out'}


def test_a_blocking_code_is_eligible_false_with_the_arrays_message_and_does_not_fail(start_sim, run_play):
    sim = start_sim(arrays=3, scenario={'arrays': {
        'array-1': {'eligibility': {'blocking': [BLOCKING], 'warnings': [WARNING]}},
        'array-2': {'eligibility': {'blocking': [BLOCKING]}, 'eligibility_async': True},
        'array-3': {'eligibility': {'warnings': [WARNING]}, 'health': 'OK_BUT',
                    'sessions': [{'status': 'Upgrade_Paused', 'candidate_version': '5.3.0.0.5.120'}]},
    }})
    run = run_play([
        check_task('sync', **sim.connection('array-1')),
        check_task('async', **sim.connection('array-2')),
        check_task('warnings only', **sim.connection('array-3')),
    ], check=True)
    assert run.rc == 0, run.stdout[-3000:]
    for name in ('sync', 'async'):
        result = run.result(name)
        assert run.status(name) == 'ok' and result['changed'] is False
        assert result['eligible'] is False, name
        assert [m['error_code'] for m in result['blocking']] == [BLOCKING], name
        blocking = result['blocking'][0]
        assert blocking['severity_name'] == 'ERROR'
        assert blocking['message'].startswith('The health check has failed. If an SP has to fail over')
        assert ('[Error Code: %s]' % BLOCKING) in blocking['message']
        assert result['msg'].startswith('not eligible: %s: The health check has failed.' % BLOCKING)
        assert result['system_health']['name'] == 'OK' and len(result['sp_health']) == 2
        assert result['session_resource'] == 'upgradeSession' and result['active_session'] is None
    assert [m['error_code'] for m in run.result('sync')['warning_messages']] == [WARNING]
    assert len(run.result('sync')['messages']) == 2
    assert '[WARNING]: %s' % WARNING in run.stdout or WARNING in run.stderr

    warned = run.result('warnings only')
    assert warned['system_health']['name'] == 'OK_BUT'
    assert warned['active_session']['status_name'] == 'paused'
    # a paused session blocks on the array; that is the array's answer, not a task failure
    assert warned['eligible'] is False
    assert 'flr::check_upgrade_in_progress_1' in [m['error_code'] for m in warned['blocking']]
    assert [m['error_code'] for m in warned['warning_messages']] == [WARNING]

    # the check is read-only: only verifyUpgradeEligibility was posted (and the job of array-2 read)
    for name in ('array-1', 'array-2', 'array-3'):
        posted = [r['path'] for r in sim.changing_requests(name)]
        assert posted == ['/api/types/upgradeSession/action/verifyUpgradeEligibility'], (name, posted)
    assert [r for r in sim.requests('array-2') if r['path'].startswith('/api/instances/job/')]


def test_a_healthy_array_is_eligible(start_sim, run_play):
    sim = start_sim(scenario={'session_resources': ['softwareUpgradeSession']})
    run = run_play([check_task('check')], module_defaults=sim.connection('array-1'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('check')
    assert (result['eligible'], result['blocking'], result['msg']) == (True, [], 'eligible')
    assert result['session_resource'] == 'softwareUpgradeSession'
    assert [r['path'] for r in sim.changing_requests('array-1')] == [
        '/api/types/softwareUpgradeSession/action/verifyUpgradeEligibility']


def test_a_degraded_system_is_named_in_the_answer(start_sim, run_play):
    sim = start_sim(scenario={'health': 'DEGRADED', 'sp_health': {'spa': 'OK', 'spb': 'MAJOR'}})
    run = run_play([check_task('check')], module_defaults=sim.connection('array-1'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('check')
    assert result['eligible'] is False
    assert result['system_health']['name'] == 'DEGRADED' and result['system_health']['descriptions']
    assert [(sp['name'], sp['health']['name']) for sp in result['sp_health']] == [('SP A', 'OK'), ('SP B', 'MAJOR')]
    codes = [m['error_code'] for m in result['blocking']]
    assert 'flr::check_system_health_1' in codes and 'flr::check_sp_health_1' in codes
