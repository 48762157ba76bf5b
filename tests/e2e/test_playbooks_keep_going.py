# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unity_upgrade_keep_going (issue 16, finding 10): with serial 1 Ansible ends the play at the first
failed array whatever max_fail_percentage says; keep_going lets the fleet go on past it, and the run
still ends failed, the array marked failed in the recap and in the report. Without it the fleet stops
after the failed array (test_role_fleet.py pins that)."""


from unity_sim.packages import write_candidate

from e2e_helpers import fleet_vars, read_report

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 150, 'service_restart_seconds': 40,
        'software_version': BEFORE}
BLOCKED = {'eligibility': {'blocking': ['flr::check_server_connectivity_2']}}


def test_keep_going_upgrades_past_a_blocked_array_and_still_fails(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=3, time_scale=120, scenario={'default': FAST,
                                                        'arrays': {'array-2': dict(FAST, **BLOCKED)}})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    report_dir = tmp_path / 'report'
    run = run_playbook('unity.upgrade.upgrade', inventory=inventory, timeout=600,
                       extra_vars=fleet_vars(report_dir, unity_upgrade_candidate_src=package,
                                             unity_upgrade_serial=1, unity_upgrade_keep_going=True))
    assert run.rc == 2, run.stdout[-4000:]
    assert sim.state('array-1')['software_version'] == TARGET
    assert sim.state('array-3')['software_version'] == TARGET, 'the fleet went on past array-2'
    assert sim.state('array-2')['software_version'] == BEFORE and sim.state('array-2')['sessions'] == []
    assert not [r for r in sim.requests('array-2') if 'upload' in r['path']]

    counts = run.recap()
    assert (counts['array-1']['failed'], counts['array-2']['failed'], counts['array-3']['failed']) == (0, 1, 0), counts
    # the arrays ran one after another: array-3 after array-2 had failed
    assert run.stdout.index('array-3: 100% completed') > run.stdout.index('flr::check_server_connectivity_2')

    data, rows, page = read_report(report_dir)
    assert [(r['array'], r['outcome']) for r in data['arrays']] == [
        ('array-1', 'upgraded'), ('array-2', 'blocked'), ('array-3', 'upgraded')]
    assert [row[5] for row in rows] == ['upgraded', 'blocked', 'upgraded']
    # the report was shown before the run failed the array it went past
    assert 'Fleet report: %s/report.html' % report_dir in run.stdout
    assert 'array-2: blocked, %s -> %s' % (BEFORE, TARGET) in run.stdout
    failed_at_end = run.stdout.split('Fail the arrays that the fleet went past')[-1]
    assert 'fatal: [array-2]' in failed_at_end and 'check_server_connectivity_2' in failed_at_end
