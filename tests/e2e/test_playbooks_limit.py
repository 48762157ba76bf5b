# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet playbooks with --limit (issue 15) and a limited rerun's report (issue 16, finding 9).

The fleet report is prepared and shown by the hosts of the play, so a limit (one array, several, a
group) or a job slice, which leaves localhost out, still gets its report; and the report holds this
run's arrays only, each record naming the run it comes from."""


import yaml

import pytest

from unity_sim.packages import write_candidate

from e2e_helpers import fleet_vars, read_report

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 150, 'service_restart_seconds': 40,
        'software_version': BEFORE}


def _with_group(inventory, group, members):
    """Add a child group of unity to an inventory written by Sim.write_inventory."""
    with open(inventory) as handle:
        data = yaml.safe_load(handle)
    data['unity']['children'] = {group: {'hosts': dict((name, None) for name in members)}}
    with open(inventory, 'w') as handle:
        yaml.safe_dump(data, handle)
    return inventory


CASES = [  # playbook, check mode, --limit (hosts, or the group dr of array-1 and array-2)
    ('unity.upgrade.precheck', False, ['array-2']),
    ('unity.upgrade.precheck', False, ['array-1', 'array-3']),
    ('unity.upgrade.precheck', False, ['dr']),
    ('unity.upgrade.upgrade', True, ['array-2']),
    ('unity.upgrade.upgrade', True, ['array-1', 'array-3']),
    ('unity.upgrade.upgrade', False, ['array-2']),
    # serial 1: two batches, one report preparation (a preparation per batch would lose array-1)
    ('unity.upgrade.upgrade', False, ['array-1', 'array-3']),
]


@pytest.mark.parametrize('playbook, check, limit', CASES,
                         ids=['-'.join([p.split('.')[-1]] + (['check'] if c else []) + l) for p, c, l in CASES])
def test_limit_on_a_fresh_report_directory(start_sim, run_playbook, tmp_path, playbook, check, limit):
    sim = start_sim(arrays=3, time_scale=120, scenario=FAST)
    inventory = _with_group(sim.write_inventory(tmp_path / 'inventory.yml'), 'dr', ['array-1', 'array-2'])
    expected = ['array-1', 'array-2'] if limit == ['dr'] else limit
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    report_dir = tmp_path / 'fresh' / 'report'
    extra = fleet_vars(report_dir)
    if playbook == 'unity.upgrade.upgrade':
        extra['unity_upgrade_candidate_src'] = package
    run = run_playbook(playbook, inventory=inventory, extra_vars=extra, check=check, timeout=600,
                       args=('--limit', ':'.join(limit)))
    assert run.rc == 0, run.stdout[-4000:]
    assert sorted(run.recap()) == expected, 'the limit decides which hosts run'
    if playbook == 'unity.upgrade.precheck':
        assert all(counts['changed'] == 0 for counts in run.recap().values()), 'the report changes no array'

    data, rows, page = read_report(report_dir)
    assert [r['array'] for r in data['arrays']] == expected
    outcome = {'unity.upgrade.precheck': 'ready'}.get(playbook, 'planned' if check else 'upgraded')
    assert [r['outcome'] for r in data['arrays']] == [outcome] * len(expected)
    assert [row[0].split()[0] for row in rows] == expected
    # The report was shown at the end, by the play's hosts.
    assert 'Fleet report: %s/report.html' % report_dir in run.stdout
    for name in expected:
        assert '%s: %s, ' % (name, outcome) in run.stdout
    for name in set(sim.arrays) - set(expected):
        assert sim.requests(name) == [], '%s is outside the limit' % name
    if playbook == 'unity.upgrade.upgrade' and not check:
        for name in expected:
            assert sim.state(name)['software_version'] == TARGET


def test_a_limited_rerun_reports_this_run_only(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=3, time_scale=120, scenario=FAST)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    report_dir = tmp_path / 'report'
    first = run_playbook('unity.upgrade.precheck', inventory=inventory, extra_vars=fleet_vars(report_dir), timeout=300)
    assert first.rc == 0, first.stdout[-4000:]
    before = read_report(report_dir)[0]
    assert [r['array'] for r in before['arrays']] == ['array-1', 'array-2', 'array-3']

    again = run_playbook('unity.upgrade.precheck', inventory=inventory, extra_vars=fleet_vars(report_dir),
                         timeout=300, args=('--limit', 'array-3'))
    assert again.rc == 0, again.stdout[-4000:]
    data, rows, page = read_report(report_dir)
    assert [r['array'] for r in data['arrays']] == ['array-3'], 'no record of the earlier run'
    # Each record names its run (an id and the time it started), the report too.
    run_id = before['run']['id']
    assert run_id and before['run']['started']
    assert all((r['run_id'], r['run_started']) == (run_id, before['run']['started']) for r in before['arrays'])
    assert data['run']['id'] != run_id, 'a new run'
    assert data['arrays'][0]['run_id'] == data['run']['id']
    assert len(rows) == 1 and data['run']['id'] in page
    assert sorted(p.name for p in (report_dir / 'arrays').iterdir()) == ['array-3.json']
    assert not [p.name for p in report_dir.iterdir() if p.name.startswith('.')], 'no temporary file left'
