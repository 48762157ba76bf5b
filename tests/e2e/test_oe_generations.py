# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue #11, part 3: every OE generation the simulator models (scenario key ``oe``) by what a user
does with the collection: info, the eligibility check, a candidate upload, a full upgrade with wait,
a second run that changes nothing, and the role.

Each generation answers only with the attributes it has (4.5: no ``fullVersion``, no
``softwareFullVersion``; 5.0: no ``softwareFullVersion``); anything else asked is a 422. One
simulator serves one array per generation; each array upgrades to a later build of its own
generation, so it answers as that generation before and after. The modules run in this process; the
role runs once, in one playbook run over the six arrays."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from e2e_helpers import read_report
from unity_sim.packages import write_candidate

# oe: (installed, softwareVersion, apiVersion, softwareFullVersion served, fullVersion served, target)
GENERATIONS = {
    '4.5': ('4.5.1.0.5.001', '4.5.1', '9.0', False, False, '4.5.2.0.5.009'),
    '5.0': ('5.0.3.0.5.134', '5.0.3', '10.0', False, True, '5.0.4.0.5.010'),
    '5.1': ('5.1.2.0.5.007', '5.1.2', '11.0', True, True, '5.1.3.0.5.011'),
    '5.2': ('5.2.0.0.5.173', '5.2.0', '12.0', True, True, '5.2.1.0.5.012'),
    '5.3': ('5.3.0.0.5.120', '5.3.0', '13.0', True, True, '5.3.1.0.5.013'),
    '5.4': ('5.4.0.0.5.094', '5.4.0', '14.0', True, True, '5.4.1.0.5.014'),
}
OES = sorted(GENERATIONS)
ARRAY = dict((oe, 'array-%d' % (i + 1)) for i, oe in enumerate(OES))
# 20 simulated minutes, reboots of 60 + 20 s: about 2 real seconds at this scale
SCALE = 600
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 60, 'service_restart_seconds': 20}
WAIT = {'poll_interval': 0.2, 'outage_tolerance': 60, 'wait_timeout': 120}
PACKAGE_BYTES = 64 << 10


def start(start_sim):
    return start_sim(arrays=len(OES), time_scale=SCALE, scenario={'arrays': dict(
        (ARRAY[oe], dict(FAST, oe=oe)) for oe in OES)})


def packages(tmp_path):
    made = {}
    for oe in OES:
        folder = tmp_path / ('oe-' + oe)
        folder.mkdir()
        made[oe] = write_candidate(str(folder), GENERATIONS[oe][-1], PACKAGE_BYTES)
    return made


def refused_fields(sim, name):
    """The reads the array answered 422: the fields a generation lacks, which the modules then leave out."""
    return sorted(set(r['path'] for r in sim.requests(name) if r['status'] == 422))


def test_every_generation_through_the_modules(start_sim, in_process, tmp_path):
    sim = start(start_sim)
    made = packages(tmp_path)
    for oe in OES:
        installed, short, api, has_sfv, has_full, target = GENERATIONS[oe]
        name = ARRAY[oe]
        connection = sim.connection(name)

        info = in_process.run('info', connection)
        assert not info.failed, (oe, info.msg, info.crash)
        system, software = info.result['system'], info.result['software']
        assert (system['software_version'], system['api_version'], system['earliest_api_version']) == (
            short, api, '4.0'), oe
        assert (system['software_full_version'] is not None) == has_sfv, oe
        # the installed version, precise on every generation (installedSoftwareVersion's id)
        assert (software['parsed_version'], software['version']) == (installed, short), oe
        assert (software['full_version'] is not None) == has_full, oe
        assert info.result['candidates'] == [] and info.result['active_session'] is None, oe

        eligibility = in_process.run('upgrade_eligibility_info', connection)
        assert not eligibility.failed, (oe, eligibility.msg)
        assert (eligibility.result['eligible'], eligibility.result['blocking']) == (True, []), oe

        candidate = in_process.run('upgrade_candidate', dict(connection, src=made[oe]))
        assert not candidate.failed, (oe, candidate.msg)
        listed = candidate.result['candidate']
        assert candidate.result['changed'] is True and listed['parsed_version'] == target, oe
        assert (listed['full_version'] is not None) == has_full, oe
        assert candidate.result['installed_version'] == installed, oe
        assert sim.state(name)['candidate']['version'] == target, oe
        again = in_process.run('upgrade_candidate', dict(connection, src=made[oe]))
        assert (again.failed, again.result['changed']) == (False, False), (oe, again.msg)
        assert again.result['msg'] == 'candidate %s (version %s) is already on the array: nothing uploaded' % (
            listed['id'], target), oe

        upgrade = in_process.run('upgrade_session', dict(connection, version=target, **WAIT))
        assert not upgrade.failed, (oe, upgrade.msg, upgrade.crash)
        result = upgrade.result
        assert (result['changed'], result['action']) == (True, 'created'), oe
        assert result['session']['status_name'] == 'completed' and result['session']['percent_complete'] == 100
        # six parts on every generation: without softwareFullVersion, installedSoftwareVersion's
        assert (result['version_before'], result['version_after']) == (installed, target), oe
        state = sim.state(name)
        assert state['software_version'] == target, oe
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], oe

        sim.clear_requests(name)
        second = in_process.run('upgrade_session', dict(connection, version=target, **WAIT))
        assert not second.failed, (oe, second.msg)
        assert (second.result['changed'], second.result['action']) == (False, 'none'), oe
        assert second.result['msg'] == 'the array already runs %s, which is %s or newer: nothing to do' % (
            target, target), oe
        assert sim.changing_requests(name) == [], oe
        after = in_process.run('info', dict(connection, gather_subset=['software', 'system', 'sessions']))
        assert not after.failed, (oe, after.msg)
        assert after.result['software']['parsed_version'] == target, oe
        assert after.result['system']['software_version'] == '.'.join(target.split('.')[:3]), oe
        assert [s['status_name'] for s in after.result['sessions']] == ['completed'], oe
        # since the second run: the reads refused are those of the fields the generation lacks (each
        # read again without them), nothing else
        expected = sorted(p for p, missing in (
            ('/api/types/basicSystemInfo/instances', not has_sfv),
            ('/api/types/candidateSoftwareVersion/instances', not has_full),
            ('/api/types/installedSoftwareVersion/instances', not has_full)) if missing)
        assert refused_fields(sim, name) == expected, oe


def test_the_role_upgrades_one_array_of_each_generation_in_one_run(start_sim, run_playbook, tmp_path):
    sim = start(start_sim)
    made = packages(tmp_path)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml', host_vars=dict(
        (ARRAY[oe], {'unity_upgrade_target_version': GENERATIONS[oe][-1],
                     'unity_upgrade_candidate_src': str(made[oe])}) for oe in OES))
    report_dir = tmp_path / 'report'
    run = run_playbook('unity.upgrade.upgrade', inventory=str(inventory), timeout=300, args=('--forks', '6'),
                       extra_vars={'unity_upgrade_serial': len(OES), 'unity_upgrade_poll_interval': 1,
                                   'unity_upgrade_progress_interval': 4, 'unity_upgrade_outage_tolerance': 120,
                                   'unity_upgrade_report_dir': str(report_dir)})
    assert run.rc == 0, run.stdout[-4000:]
    counts = run.recap()
    data, rows, page = read_report(report_dir)
    by_array = dict((r['array'], r) for r in data['arrays'])
    for oe in OES:
        installed, short, api, has_sfv, has_full, target = GENERATIONS[oe]
        name = ARRAY[oe]
        state = sim.state(name)
        assert state['software_version'] == target, oe
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], oe
        assert counts[name]['failed'] == 0 and counts[name]['changed'] > 0, (oe, counts)
        report = by_array[name]
        assert report['outcome'] == 'upgraded', (oe, report)
        assert (report['version_before'], report['version_after']) == (installed, target), (oe, report)
