# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The software_upgrade role through the fleet playbook unity.upgrade.upgrade, against the simulator."""


import re

from e2e_helpers import read_report
from unity_sim.packages import write_candidate

TARGET = '5.3.0.0.5.120'
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 150, 'service_restart_seconds': 40}
RUN_VARS = {'unity_upgrade_target_version': TARGET, 'unity_upgrade_poll_interval': 1,
            'unity_upgrade_progress_interval': 4, 'unity_upgrade_outage_tolerance': 120}


def fleet_run(run_playbook, inventory, report_dir, package=None, check=False, **extra):
    extra_vars = dict(RUN_VARS, unity_upgrade_report_dir=str(report_dir), **extra)
    if package:
        extra_vars['unity_upgrade_candidate_src'] = str(package)
    return run_playbook('unity.upgrade.upgrade', inventory=inventory, extra_vars=extra_vars, check=check,
                        timeout=600)


def test_rolling_upgrade_of_three_arrays_then_nothing_to_do(start_sim, run_playbook, tmp_path):
    scenario = dict(FAST, software_version='5.2.0.0.5.173', model='Unity 480F')
    sim = start_sim(arrays=3, time_scale=120, scenario=scenario)
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    report_dir = tmp_path / 'report'

    run = fleet_run(run_playbook, inventory, report_dir, package)
    assert run.rc == 0, run.stdout[-4000:]
    for name in sim.arrays:
        state = sim.state(name)
        assert state['software_version'] == TARGET
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], 'exactly one session'
    # serial 1: the arrays ran one after another, each with its own progress line(s)
    progress = re.findall(r'(array-\d): (\d+)% (\w+)', run.stdout)
    assert [a for a, p, s in progress if (p, s) == ('100', 'completed')] == ['array-1', 'array-2', 'array-3']
    # The SP reboots were waited through; how many outages a progress line counts depends on where
    # the stretches of waiting fall (a stretch that starts mid-reboot waits at its login), so the
    # module tests (test_upgrade_session.py) assert the outages, not this one.
    assert re.search(r'array-1: 100% completed; \d+ outage\(s\) so far', run.stdout)

    data, rows, page = read_report(report_dir)
    assert [r['array'] for r in data['arrays']] == ['array-1', 'array-2', 'array-3']
    assert [r['outcome'] for r in data['arrays']] == ['upgraded'] * 3
    assert len(rows) == 3
    for row in rows:
        array, model, before, after, duration, outcome = row[:6]
        assert re.match(r'^array-\d( |$)', array) and model == 'Unity 480F', 'inventory name, then the system name'
        assert (before, after, outcome) == ('5.2.0.0.5.173', TARGET, 'upgraded')
        assert re.match(r'^\d+:\d\d$', duration)
    assert '<script' not in page and 'http://' not in page and 'https://' not in page, 'self-contained'
    assert all(isinstance(r['outages'], list) for r in data['arrays'])

    for name in sim.arrays:
        sim.clear_requests(name)
    again = fleet_run(run_playbook, inventory, report_dir, package)
    assert again.rc == 0, again.stdout[-4000:]
    counts = again.recap()
    assert all(counts[name]['changed'] == 0 for name in sim.arrays), counts
    for name in sim.arrays:
        assert sim.changing_requests(name) == []
        assert not [r for r in sim.requests(name) if 'upload' in r['path']]
    data, rows, page = read_report(report_dir)
    assert [r['outcome'] for r in data['arrays']] == ['current'] * 3


def test_check_mode_plans_and_changes_nothing(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=2, time_scale=120, scenario={'arrays': {
        'array-1': dict(FAST, software_version='5.2.0.0.5.173'),
        'array-2': dict(FAST, software_version='5.2.0.0.5.173', candidate={'version': TARGET})}})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    run = fleet_run(run_playbook, inventory, tmp_path / 'report', package, check=True,
                    unity_upgrade_serial=2)
    assert run.rc == 0, run.stdout[-4000:]
    for name in sim.arrays:
        assert sim.modifying_requests(name) == [], 'check mode sends nothing that changes the array'
        assert sim.state(name)['sessions'] == []
    data = read_report(tmp_path / 'report')[0]
    assert data['check_mode'] in (True, 'True', 'true')
    assert [r['outcome'] for r in data['arrays']] == ['planned', 'planned']
    plans = [r['plan'] for r in data['arrays']]
    assert plans[0] == ('would upload Unity-5.3.0.0.5.120.tgz.bin.gpg, then start an upgrade session from '
                        '5.2.0.0.5.173 to 5.3.0.0.5.120; both SPs would then reboot, one at a time')
    assert plans[1] == ('would start an upgrade session from 5.2.0.0.5.173 to 5.3.0.0.5.120; both SPs would '
                        'then reboot, one at a time')


def test_a_blocked_array_fails_alone_and_the_others_finish(start_sim, run_playbook, tmp_path):
    blocked = {'eligibility': {'blocking': ['flr::check_server_connectivity_2']}}
    sim = start_sim(arrays=3, time_scale=120, scenario={'default': dict(FAST, software_version='5.2.0.0.5.173'),
                                                        'arrays': {'array-2': dict(FAST, **blocked)}})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    # Ansible ends a play when a whole batch fails, whatever max_fail_percentage says: the
    # blocked array shares its batch so that the percentage decides.
    run = fleet_run(run_playbook, inventory, tmp_path / 'report', package, unity_upgrade_serial=3,
                    unity_upgrade_max_fail_percentage=50)
    assert run.rc == 2, run.stdout[-4000:]
    counts = run.recap()
    assert counts['array-2']['failed'] == 1
    assert counts['array-1']['failed'] == 0 and counts['array-3']['failed'] == 0
    assert sim.state('array-2')['sessions'] == [], 'a blocked array gets no session'
    assert not [r for r in sim.requests('array-2') if 'upload' in r['path']], 'nor an upload'
    data, rows, page = read_report(tmp_path / 'report')
    outcomes = dict((r['array'], r) for r in data['arrays'])
    assert [outcomes[n]['outcome'] for n in ('array-1', 'array-2', 'array-3')] == ['upgraded', 'blocked', 'upgraded']
    assert any('[Error Code: flr::check_server_connectivity_2]' in m for m in outcomes['array-2']['messages'])
    assert 'flr::check_server_connectivity_2' in page


def test_a_blocked_array_stops_the_fleet_without_max_fail_percentage(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=2, time_scale=120, scenario={'default': dict(FAST, software_version='5.2.0.0.5.173'),
                                                        'arrays': {'array-1': {
                                                            'health': 'DEGRADED',
                                                            'software_version': '5.2.0.0.5.173'}}})
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    run = fleet_run(run_playbook, inventory, tmp_path / 'report', package)
    assert run.rc == 2
    assert sim.state('array-2')['sessions'] == [], 'serial 1 and max_fail_percentage 0: the fleet stopped'
    data = read_report(tmp_path / 'report')[0]
    assert [r['array'] for r in data['arrays']] == ['array-1'], 'the report still says what happened'
    assert data['arrays'][0]['outcome'] == 'blocked'
    assert data['arrays'][0]['messages'][0].startswith('health of the system is DEGRADED (worse than OK): ')


def test_pause_before_reboot_then_continue(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=1, time_scale=120, scenario=dict(FAST, software_version='5.2.0.0.5.173'))
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')

    first = fleet_run(run_playbook, inventory, tmp_path / 'report', package, unity_upgrade_pause_before_reboot=True)
    assert first.rc == 0, first.stdout[-4000:]
    state = sim.state('array-1')
    assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Paused']
    data = read_report(tmp_path / 'report')[0]
    assert data['arrays'][0]['outcome'] == 'paused'
    assert data['arrays'][0]['version_after'] == '5.2.0.0.5.173'

    second = fleet_run(run_playbook, inventory, tmp_path / 'report', package, unity_upgrade_continue_after_pause=True)
    assert second.rc == 0, second.stdout[-4000:]
    state = sim.state('array-1')
    assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed']
    assert state['software_version'] == TARGET
    data = read_report(tmp_path / 'report')[0]
    assert data['arrays'][0]['outcome'] == 'upgraded'
    assert data['arrays'][0]['version_after'] == TARGET


def test_precheck_reports_readiness_and_changes_nothing(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=3, time_scale=120, scenario={
        'default': {'software_version': '5.2.0.0.5.173'},
        'arrays': {'array-2': {'software_version': TARGET},
                   'array-3': {'software_version': '5.2.0.0.5.173',
                               'eligibility': {'blocking': ['flr::check_server_connectivity_2']}}}})
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    run = run_playbook('unity.upgrade.precheck', inventory=inventory, timeout=300,
                       extra_vars={'unity_upgrade_target_version': TARGET,
                                   'unity_upgrade_report_dir': str(tmp_path / 'report')})
    assert run.rc == 2, run.stdout[-4000:]
    for name in sim.arrays:
        assert sim.modifying_requests(name) == []
        assert sim.state(name)['sessions'] == []
    data = read_report(tmp_path / 'report')[0]
    assert [r['outcome'] for r in data['arrays']] == ['ready', 'current', 'blocked']
