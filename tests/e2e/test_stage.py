# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unity.upgrade.stage (issue #14, part 1): health, eligibility, upload and verify the candidate, start
nothing; a later unity.upgrade.upgrade finds the candidate and uploads nothing."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from e2e_helpers import UPLOAD, fleet_vars, read_report, session_creates
from unity_sim.packages import write_candidate

BEFORE = '5.2.0.0.5.173'
TARGET = '5.3.0.0.5.120'
OTHER = '5.4.0.0.5.010'
PACKAGE = 'Unity-%s.tgz.bin.gpg' % TARGET
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 150, 'service_restart_seconds': 40}
BLOCKING = 'flr::check_server_connectivity_2'


def run_fleet(run_playbook, sim, tmp_path, playbook, package, names=None, check=False, **extra):
    """One run of a fleet playbook over ``names`` (default every array); (PlayRun, {array: record}, report dir)."""
    report_dir = tmp_path / ('report-%s' % len(list(tmp_path.glob('report-*'))))
    inventory = sim.write_inventory(tmp_path / 'inventory.yml', names=names)
    extra_vars = fleet_vars(report_dir, unity_upgrade_candidate_src=str(package), **extra)
    run = run_playbook(playbook, inventory=inventory, extra_vars=extra_vars, check=check, timeout=300)
    records = {}
    path = os.path.join(str(report_dir), 'report.json')
    if os.path.exists(path):
        with open(path) as handle:
            records = dict((r['array'], r) for r in json.load(handle)['arrays'])
    return run, records, report_dir


def out(run):
    return run.stdout[-4000:] + run.stderr[-2000:]


def uploads(sim, name):
    return [r for r in sim.requests(name) if r['path'] == UPLOAD]


def test_stage_then_upgrade_uploads_nothing(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=5, time_scale=300, scenario={'default': dict(FAST, software_version=BEFORE), 'arrays': {
        'array-1': dict(FAST, software_version=TARGET),
        'array-2': dict(FAST, software_version=BEFORE),
        'array-3': dict(FAST, software_version=BEFORE, candidate={'version': TARGET}),
        'array-4': dict(FAST, software_version=BEFORE, eligibility={'blocking': [BLOCKING]}),
        'array-5': dict(FAST, software_version=BEFORE, sessions=[{'status': 'Upgrade_Paused',
                                                                  'candidate_version': TARGET}])}})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    sessions_before = dict((name, sim.state(name)['sessions']) for name in sim.arrays)

    run, records, report_dir = run_fleet(run_playbook, sim, tmp_path, 'unity.upgrade.stage', package)
    # the blocked array fails alone: staging the others went on beside it
    assert run.rc == 2, out(run)
    counts = run.recap()
    assert [counts[name]['failed'] for name in sorted(sim.arrays)] == [0, 0, 0, 1, 0], counts
    assert dict((name, r['outcome']) for name, r in records.items()) == {
        'array-1': 'current', 'array-2': 'staged', 'array-3': 'staged', 'array-4': 'blocked', 'array-5': 'staged'}
    assert records['array-2']['messages'] == [
        'uploaded %s; the array lists it as candidate %s' % (PACKAGE, TARGET)]
    assert records['array-3']['messages'] == ['candidate %s was on the array already: nothing uploaded' % TARGET]
    assert records['array-5']['messages'][0].startswith('session ')
    assert records['array-5']['messages'][0].endswith(
        ' for the target is paused: the upgrade run leaves it paused (set unity_upgrade_continue_after_pause '
        'to true to resume it)')
    assert any('[Error Code: %s]' % BLOCKING in m for m in records['array-4']['messages']), records['array-4']
    for name in ('array-2', 'array-3'):
        assert records[name]['candidate_version'] == TARGET and records[name]['candidate_id'], records[name]
        assert records[name]['version_after'] == BEFORE, 'staging installs nothing'
        assert sim.state(name)['candidate']['version'] == TARGET
    # the Fleet report line and the table say where a staged array goes
    assert ('array-2: staged, %s -> %s (uploaded %s; the array lists it as candidate %s)'
            % (BEFORE, TARGET, PACKAGE, TARGET)) in run.stdout
    data, rows, page = read_report(report_dir)
    cells = dict((row[0].split()[0], row) for row in rows)
    assert [cells[name][5] for name in sorted(cells)] == ['current', 'staged', 'staged', 'blocked', 'staged']
    assert 'the candidate is on the array and verified; nothing was started' in page

    # one upload, to the array that needed it; no session started, none touched
    assert [len(uploads(sim, name)) for name in sorted(sim.arrays)] == [0, 1, 0, 0, 0]
    for name in sim.arrays:
        assert session_creates(sim.requests(name)) == [], name
        assert sim.state(name)['sessions'] == sessions_before[name], name
        expected = [UPLOAD] if name == 'array-2' else []
        assert [r['path'] for r in sim.modifying_requests(name)] == expected, name

    # the window: the upgrade finds both candidates staged and uploads nothing
    staged = ['array-1', 'array-2', 'array-3']
    for name in staged:
        sim.clear_requests(name)
    run, records, _later = run_fleet(run_playbook, sim, tmp_path, 'unity.upgrade.upgrade', package, names=staged,
                                     unity_upgrade_serial=3)
    assert run.rc == 0, out(run)
    assert [records[name]['outcome'] for name in staged] == ['current', 'upgraded', 'upgraded']
    for name in staged:
        assert uploads(sim, name) == [], name
        assert not [r for r in sim.requests(name) if 'upload' in r['path']], name
        assert sim.state(name)['software_version'] == TARGET
    assert [len(session_creates(sim.requests(name))) for name in staged] == [0, 1, 1]


def test_stage_in_check_mode_plans_and_sends_nothing(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=2, time_scale=120, scenario={'arrays': {
        'array-1': dict(FAST, software_version=BEFORE),
        'array-2': dict(FAST, software_version=BEFORE, candidate={'version': TARGET})}})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    run, records, report_dir = run_fleet(run_playbook, sim, tmp_path, 'unity.upgrade.stage', package, check=True)
    assert run.rc == 0, out(run)
    assert [records[name]['outcome'] for name in ('array-1', 'array-2')] == ['planned', 'planned']
    assert records['array-1']['plan'] == (
        'would upload %s, check that the array lists it as candidate %s, and start nothing' % (PACKAGE, TARGET))
    assert records['array-2']['plan'] == (
        'would upload nothing and start nothing: candidate %s is on the array already' % TARGET)
    for name in sim.arrays:
        assert records[name]['version_after'] == BEFORE, 'a staging plan installs nothing'
        assert sim.modifying_requests(name) == [], 'check mode sends nothing that changes the array'
        assert sim.state(name)['sessions'] == []
    assert sim.state('array-1')['candidate'] is None
    assert read_report(report_dir)[0]['check_mode'] in (True, 'True', 'true')


def test_stage_refuses_a_package_of_another_version_before_the_upload(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=1, time_scale=120, scenario=dict(FAST, software_version=BEFORE))
    wrong = write_candidate(str(tmp_path), OTHER, 1 << 20)
    run, records, _later = run_fleet(run_playbook, sim, tmp_path, 'unity.upgrade.stage', wrong)
    message = ('the package Unity-%s.tgz.bin.gpg is version %s, not the target %s: check '
               'unity_upgrade_target_version and the package' % (OTHER, OTHER, TARGET))
    assert run.rc == 2, out(run)
    assert records['array-1']['outcome'] == 'failed'
    assert records['array-1']['messages'] == [message]
    assert 'array-1: ' + message in run.stdout
    assert sim.requests('array-1') == [], 'refused before anything is read or sent'
    assert sim.state('array-1')['candidate'] is None
