# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The role never touches an upgrade it was not asked for, and the report tells what happened.

Each test is a finding of issue #16, reproduced through the fleet playbooks against the simulator:
what the array holds before (the scenario), what the run must send (nothing that changes the array,
when the array is not the run's to touch), and what the report and the job output say.
"""


import datetime
import json
import os
import re

from unity_sim.packages import write_candidate

BEFORE = '5.2.0.0.5.173'
TARGET = '5.3.0.0.5.120'
OTHER = '5.4.0.0.5.010'
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 150, 'service_restart_seconds': 40}
RUN_VARS = {'unity_upgrade_target_version': TARGET, 'unity_upgrade_poll_interval': 1,
            'unity_upgrade_progress_interval': 4, 'unity_upgrade_outage_tolerance': 120}


def run_fleet(run_playbook, sim, tmp_path, playbook='unity.upgrade.upgrade', check=False, host_vars=None, **extra):
    """One run of a fleet playbook over every array of ``sim``; returns (PlayRun, {array: record})."""
    report_dir = tmp_path / ('report-%s' % len(list(tmp_path.glob('report-*'))))
    inventory = sim.write_inventory(tmp_path / 'inventory.yml', host_vars=host_vars)
    extra_vars = dict(RUN_VARS, unity_upgrade_report_dir=str(report_dir), **extra)
    run = run_playbook(playbook, inventory=inventory, extra_vars=extra_vars, check=check, timeout=600)
    path = os.path.join(str(report_dir), 'report.json')
    records = {}
    if os.path.exists(path):
        with open(path) as handle:
            records = dict((r['array'], r) for r in json.load(handle)['arrays'])
    return run, records


def out(run):
    """The end of a run's output, for a failed assertion."""
    return run.stdout[-4000:] + run.stderr[-2000:]


def sessions(sim, name):
    return [(s['status_name'], s.get('candidate_version')) for s in sim.state(name)['sessions']]


def test_a_session_for_another_version_or_of_another_type_is_never_touched(start_sim, run_playbook, tmp_path):
    """Finding 1 (and 14 through the role): paused or running sessions that are not an upgrade to the
    target stop their array in the precheck, in check mode and in the upgrade, with nothing sent."""
    in_the_way = {
        'array-1': {'status': 'Upgrade_Paused', 'candidate_version': OTHER},
        'array-2': {'status': 'Upgrade_In_Progress', 'candidate_version': OTHER, 'task': 2},
        'array-3': {'status': 'Upgrade_Failed', 'candidate_version': TARGET, 'type': 1},
        'array-4': {'status': 'Upgrade_In_Progress', 'type': 2, 'task': 1},
        'array-5': {'status': 'Upgrade_Failed', 'candidate_version': OTHER},
    }
    # slow upgrades: the running sessions stay where they are for the three runs
    scenario = {'arrays': dict((name, dict(software_version=BEFORE, upgrade_minutes=600, sessions=[spec]))
                               for name, spec in in_the_way.items())}
    sim = start_sim(arrays=5, time_scale=60, scenario=scenario)
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    before = dict((name, sessions(sim, name)) for name in sim.arrays)

    expected = {
        'array-1': ("session Upgrade_5.4.0.010 (upgrade for 5.4.0.0.5.010, paused, ",
                    'cancel it, or resume it and let it finish'),
        'array-2': ("session Upgrade_5.4.0.010 (upgrade for 5.4.0.0.5.010, in_progress, ", 'let it finish'),
        'array-3': ("(health check for a version the array does not name, failed, ",
                    'cancel it, or resume it and let it finish'),
        'array-4': ("(storageprocessor upgrade for ", 'let it finish'),
        'array-5': ("session Upgrade_5.4.0.010 (upgrade for 5.4.0.0.5.010, failed, ",
                    'cancel it, or resume it and let it finish'),
    }
    for playbook, check in (('unity.upgrade.precheck', False), ('unity.upgrade.upgrade', True),
                            ('unity.upgrade.upgrade', False)):
        run, records = run_fleet(run_playbook, sim, tmp_path, playbook=playbook, check=check,
                                 unity_upgrade_serial=5, unity_upgrade_max_fail_percentage=100,
                                 unity_upgrade_continue_after_pause=True, unity_upgrade_resume_failed=True,
                                 unity_upgrade_candidate_src=str(package))
        assert run.rc == 2, out(run)
        for name, (text, advice) in expected.items():
            record = records[name]
            assert record['outcome'] == 'blocked', (playbook, check, record)
            assert len(record['messages']) == 1 and text in record['messages'][0], record['messages']
            assert record['messages'][0].endswith(') is not over: %s, before upgrading to %s' % (advice, TARGET))
            assert sim.modifying_requests(name) == [], (playbook, check, name)
            assert sessions(sim, name) == before[name]
            assert sim.state(name)['software_version'] == BEFORE


def test_a_package_of_another_version_is_refused_before_it_replaces_the_candidate(start_sim, run_playbook, tmp_path):
    """Finding 2: the package's name says 5.4.0; the 5.3.0 candidate on the array stays."""
    sim = start_sim(arrays=1, time_scale=60, scenario=dict(FAST, software_version=BEFORE, candidate={'version': TARGET}))
    wrong = write_candidate(str(tmp_path), OTHER, 1 << 20)
    message = ('the package Unity-5.4.0.0.5.010.tgz.bin.gpg is version 5.4.0.0.5.010, not the target '
               '5.3.0.0.5.120: check unity_upgrade_target_version and the package')
    for check in (True, False):
        sim.clear_requests('array-1')
        run, records = run_fleet(run_playbook, sim, tmp_path, check=check, unity_upgrade_candidate_src=wrong)
        assert run.rc == 2, out(run)
        assert records['array-1']['outcome'] == 'failed'
        assert records['array-1']['messages'] == [message]
        assert 'array-1: ' + message in run.stdout
        assert sim.requests('array-1') == [], 'refused before anything is read or sent'
        assert sim.state('array-1')['candidate']['version'] == TARGET


def test_a_build_with_leading_zeros_installs_and_prints_as_written(start_sim, run_playbook, tmp_path):
    """Finding 3: 5.4.0.0.5.010 from a package, and from a candidate already on the array."""
    sim = start_sim(arrays=2, time_scale=120, scenario={'arrays': {
        'array-1': dict(FAST, software_version=BEFORE),
        'array-2': dict(FAST, software_version=BEFORE, candidate={'version': OTHER})}})
    package = write_candidate(str(tmp_path), OTHER, 1 << 20)
    host_vars = {'array-1': {'unity_upgrade_candidate_src': package}}
    run, records = run_fleet(run_playbook, sim, tmp_path, host_vars=host_vars, unity_upgrade_serial=2,
                             unity_upgrade_target_version=OTHER)
    assert run.rc == 0, out(run)
    for name in ('array-1', 'array-2'):
        assert records[name]['outcome'] == 'upgraded', records[name]
        assert records[name]['target_version'] == OTHER
        assert [s[0] for s in sessions(sim, name)] == ['Upgrade_Completed']
        assert records[name]['version_after'].split('.')[:5] == OTHER.split('.')[:5]
        assert int(records[name]['version_after'].split('.')[5]) == 10

    again, records = run_fleet(run_playbook, sim, tmp_path, host_vars=host_vars, unity_upgrade_serial=2,
                               unity_upgrade_target_version=OTHER)
    assert again.rc == 0, out(again)
    assert [r['outcome'] for r in records.values()] == ['current', 'current']


def test_a_failed_session_is_resumed_only_when_asked(start_sim, run_playbook, tmp_path):
    """Finding 4: unity_upgrade_resume_failed resumes the failed session for the target."""
    failed = dict(FAST, software_version=BEFORE, sessions=[{'status': 'Upgrade_Failed', 'candidate_version': TARGET}])
    sim = start_sim(arrays=1, time_scale=120, scenario=failed)

    run, records = run_fleet(run_playbook, sim, tmp_path)
    assert run.rc == 2, out(run)
    record = records['array-1']
    assert record['outcome'] == 'blocked'
    assert record['messages'][0].startswith('session Upgrade_5.3.0.120 (upgrade for 5.3.0.0.5.120, failed, ')
    assert record['messages'][0].endswith('(set unity_upgrade_resume_failed to true to resume it)')
    assert sim.modifying_requests('array-1') == []

    planned, records = run_fleet(run_playbook, sim, tmp_path, check=True, unity_upgrade_resume_failed=True)
    assert planned.rc == 0, out(planned)
    assert records['array-1']['plan'].startswith("would resume session Upgrade_5.3.0.120, failed at '")
    assert sim.modifying_requests('array-1') == []

    resumed, records = run_fleet(run_playbook, sim, tmp_path, unity_upgrade_resume_failed=True)
    assert resumed.rc == 0, out(resumed)
    assert records['array-1']['outcome'] == 'upgraded'
    assert records['array-1']['session_id'] == 'Upgrade_5.3.0.120'
    assert sessions(sim, 'array-1') == [('Upgrade_Completed', TARGET)], 'the same session, resumed'
    assert [r['path'] for r in sim.modifying_requests('array-1')] == [
        '/api/instances/upgradeSession/Upgrade_5.3.0.120/action/resume']


def test_one_wait_sees_each_reboot_as_one_outage_and_shows_progress_through_it(start_sim, run_playbook, tmp_path):
    """Finding 5: each SP reboot is one outage, ended, of its length; the job output shows where the upgrade
    stands every unity_upgrade_progress_interval seconds, during an outage too, from one module run."""
    # as real arrays: about 90 minutes, each SP reboot about 13 of them away; a line every 2 s.
    # Each reboot keeps the API away for 600 + 180 simulated seconds, 13 real ones at this scale.
    slow = {'upgrade_minutes': 90, 'reboot_outage_seconds': 600, 'service_restart_seconds': 180}
    scale = 60
    sim = start_sim(arrays=1, time_scale=scale, scenario=dict(slow, software_version=BEFORE, candidate={'version': TARGET}))
    run, records = run_fleet(run_playbook, sim, tmp_path, unity_upgrade_progress_interval=2,
                             unity_upgrade_outage_tolerance=60)
    assert run.rc == 0, out(run)
    outages = records['array-1']['outages']
    assert len(outages) == 2, (outages, out(run))
    assert all(o['ended'] and not o['at_start'] for o in outages), outages
    # Each is as long as its reboot keeps the API away, or longer by the time the module took to see the
    # API back (a read lands up to a poll interval late), but never as long as from one reboot to the
    # next: that would be two reboots counted as one. The reboot tasks start 855 + 300 + 810 estimated
    # seconds apart, scaled to the 90 minutes of the scenario (the real session's estimates add up to 5485 s).
    expected = (600 + 180) / float(scale)
    between = (855 + 300 + 810) * (90 * 60 / 5485.0) / scale
    for outage in outages:
        assert expected - 1 <= outage['seconds'] < between - 1, (outages, between)
    first, second = (datetime.datetime.strptime(o['start'], '%Y-%m-%dT%H:%M:%S.%fZ') for o in outages)
    assert (second - first).total_seconds() >= outages[0]['seconds'], 'the two outages do not overlap'
    # one module run waited (one task result), and printed its lines while it did: about one every 2 s
    # of the 90 real seconds, rising, some of them in an outage, the first outage counted after it
    assert run.stdout.count('TASK [unity.upgrade.software_upgrade : Wait for the upgrade session]') == 1, out(run)
    lines = re.findall(r'^array-1: (\d+)% (\w+)(.*)$', run.stdout, re.MULTILINE)
    assert len(lines) >= 20, out(run)
    percents = [int(p) for p, status, rest in lines]
    assert percents == sorted(percents) and 0 < percents[-1], lines
    down = [rest for p, status, rest in lines if 'the API has not answered for' in rest]
    assert down and all(re.search(r'the API has not answered for \d+ s \(.+\); [12] outage\(s\) so far', r)
                        for r in down), lines
    # and the last line, from the wait's result
    assert lines[-1] == ('100', 'completed', '; 2 outage(s) so far (%d s unreachable)' % round(
        sum(o['seconds'] for o in outages))), (outages, out(run))


def test_check_mode_says_that_a_resume_reboots_the_sps(start_sim, run_playbook, tmp_path):
    """Findings 6 and 18: plans are what would happen, in the future tense, with the target."""
    sim = start_sim(arrays=2, time_scale=60, scenario={'arrays': {
        'array-1': dict(FAST, software_version=BEFORE, sessions=[{'status': 'Upgrade_Paused', 'candidate_version': TARGET}]),
        'array-2': dict(FAST, software_version=BEFORE, candidate={'version': TARGET})}})
    run, records = run_fleet(run_playbook, sim, tmp_path, check=True, unity_upgrade_serial=2,
                             unity_upgrade_continue_after_pause=True)
    assert run.rc == 0, out(run)
    assert records['array-1']['plan'] == ("would resume session Upgrade_5.3.0.120, paused at 'Waiting for reboot "
                                          "command'; both SPs would then reboot, one at a time")
    assert records['array-2']['plan'] == ('would start an upgrade session from 5.2.0.0.5.173 to 5.3.0.0.5.120; '
                                          'both SPs would then reboot, one at a time')
    for name in sim.arrays:
        assert records[name]['outcome'] == 'planned'
        assert (records[name]['version_before'], records[name]['version_after']) == (BEFORE, TARGET)
        assert '%s: planned, 5.2.0.0.5.173 -> 5.3.0.0.5.120' % name in run.stdout
        assert sim.modifying_requests(name) == []

    left, records = run_fleet(run_playbook, sim, tmp_path, check=True, unity_upgrade_serial=2)
    assert left.rc == 0, out(left)
    assert records['array-1']['plan'].startswith("would leave session Upgrade_5.3.0.120 paused at 'Waiting for reboot "
                                                 "command' (set unity_upgrade_continue_after_pause to true")


def test_a_wait_that_runs_out_reports_the_session_that_goes_on(start_sim, run_playbook, tmp_path):
    """Finding 7: outcome timed_out, with the session; the message says once that it goes on."""
    sim = start_sim(arrays=1, time_scale=30, scenario=dict(FAST, software_version=BEFORE, candidate={'version': TARGET}))
    run, records = run_fleet(run_playbook, sim, tmp_path, unity_upgrade_wait_timeout=6)
    assert run.rc == 2, out(run)
    record = records['array-1']
    assert record["outcome"] == "timed_out", out(run)
    assert record['session_id'] == 'Upgrade_5.3.0.120'
    assert record['version_after'] == BEFORE
    assert len(record['messages']) == 1
    assert record['messages'][0].startswith('the upgrade did not finish within unity_upgrade_wait_timeout (6 s): '
                                            'session Upgrade_5.3.0.120 goes on on the array (')
    assert record['messages'][0].endswith('run the role again to adopt it and keep waiting')
    assert ' '.join(record['messages']).count('goes on on the array') == 1
    assert sessions(sim, 'array-1')[0][0] == 'Upgrade_In_Progress'


def test_a_session_waiting_for_the_user_is_not_resumed(start_sim, run_playbook, tmp_path):
    """Finding 8: the REST API's Resume does not list waiting_for_user: say so, send nothing."""
    waiting = dict(FAST, software_version=BEFORE,
                   sessions=[{'status': 'Upgrade_Waiting_For_User', 'candidate_version': TARGET}])
    sim = start_sim(arrays=1, time_scale=60, scenario=waiting)
    message = ("session Upgrade_5.3.0.120 (upgrade for 5.3.0.0.5.120, waiting_for_user, 22%, task 'Waiting for "
               "reboot command') waits for a user action that the REST API does not offer: continue it in "
               "Unisphere, then run again")
    for check in (True, False):
        run, records = run_fleet(run_playbook, sim, tmp_path, check=check, unity_upgrade_continue_after_pause=True)
        assert run.rc == 2, out(run)
        assert records['array-1']['outcome'] == 'waiting_for_user'
        assert records['array-1']['messages'] == [message]
        assert sim.modifying_requests('array-1') == []


def test_a_newer_array_is_current_when_accepted(start_sim, run_playbook, tmp_path):
    """Finding 12: unity_upgrade_accept_newer, and its 1.0.0 name unity_upgrade_allow_downgrade."""
    sim = start_sim(arrays=1, time_scale=60, scenario={'software_version': OTHER})
    refused, records = run_fleet(run_playbook, sim, tmp_path, playbook='unity.upgrade.precheck')
    assert refused.rc == 2
    assert records['array-1']['outcome'] == 'blocked'
    assert 'unity_upgrade_accept_newer to true' in records['array-1']['messages'][0]
    for name in ('unity_upgrade_accept_newer', 'unity_upgrade_allow_downgrade'):
        run, records = run_fleet(run_playbook, sim, tmp_path, **{name: True})
        assert run.rc == 0, out(run)
        assert records['array-1']['outcome'] == 'current'
        assert sim.modifying_requests('array-1') == []


def test_a_pause_this_run_asked_for_is_not_resumed_by_the_same_run(start_sim, run_playbook, tmp_path):
    """Finding 13 (the role's part): the inventory pauses array-1; a run-wide 'continue' and a run-wide
    'pause false' cannot take that pause away; unity_upgrade_fleet_pause_before_reboot adds one."""
    sim = start_sim(arrays=3, time_scale=120, scenario=dict(FAST, software_version=BEFORE, candidate={'version': TARGET}))
    host_vars = {'array-1': {'unity_upgrade_pause_before_reboot': True}}
    run, records = run_fleet(run_playbook, sim, tmp_path, host_vars=host_vars, unity_upgrade_serial=3,
                             unity_upgrade_continue_after_pause=True,
                             unity_upgrade_fleet_pause_before_reboot=False)
    assert run.rc == 0, out(run)
    assert records['array-1']['outcome'] == 'paused'
    assert sessions(sim, 'array-1') == [('Upgrade_Paused', TARGET)]
    assert [records[n]['outcome'] for n in ('array-2', 'array-3')] == ['upgraded', 'upgraded']

    again, records = run_fleet(run_playbook, sim, tmp_path, host_vars=host_vars, unity_upgrade_serial=3,
                               unity_upgrade_continue_after_pause=True)
    assert again.rc == 0, out(again)
    assert records['array-1']['outcome'] == 'upgraded', 'a pause from an earlier run is continued'
    assert sessions(sim, 'array-1') == [('Upgrade_Completed', TARGET)]

    fleet = start_sim(arrays=1, time_scale=120, scenario=dict(FAST, software_version=BEFORE, candidate={'version': TARGET}))
    paused, records = run_fleet(run_playbook, fleet, tmp_path,
                                host_vars={'array-1': {'unity_upgrade_pause_before_reboot': False}},
                                unity_upgrade_fleet_pause_before_reboot=True, unity_upgrade_continue_after_pause=True)
    assert paused.rc == 0, out(paused)
    assert records['array-1']['outcome'] == 'paused', 'the run-wide pause adds one to an array the inventory does not pause'
    assert sessions(fleet, 'array-1') == [('Upgrade_Paused', TARGET)]
