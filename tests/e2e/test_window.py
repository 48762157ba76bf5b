# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A maintenance window that is respected (issue #14, part 2) and where the time went (part 4): an array
whose upgrade would not end before unity_upgrade_window_end is deferred with nothing started, a running
session is adopted whatever the time, a later array of a serial run expects what an earlier one took;
the phases and the array's estimate of the time left are in the progress lines and the report."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import yaml

from e2e_helpers import fleet_vars, read_report, session_creates
from unity_sim.packages import write_candidate

BEFORE = '5.2.0.0.5.173'
TARGET = '5.3.0.0.5.120'
FAST = {'upgrade_minutes': 20, 'reboot_outage_seconds': 150, 'service_restart_seconds': 40}
PHASES = ['preflight', 'upload', 'start', 'wait', 'verify']
# the window closes this many seconds after the array's run of the role began (templated when read)
WINDOW_IN = "{{{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(((now(utc=true) - ('1970-01-01' | to_datetime('%Y-%m-%d')))" \
            ".total_seconds() + {0}) | int, utc=true) }}}}"


def out(run):
    return run.stdout[-4000:] + run.stderr[-2000:]


def run_fleet(run_playbook, sim, tmp_path, package, check=False, host_vars=None, names=None, **extra):
    report_dir = tmp_path / ('report-%s' % len(list(tmp_path.glob('report-*'))))
    inventory = sim.write_inventory(tmp_path / 'inventory.yml', host_vars=host_vars, names=names)
    extra_vars = fleet_vars(report_dir, unity_upgrade_candidate_src=str(package), **extra)
    run = run_playbook('unity.upgrade.upgrade', inventory=inventory, extra_vars=extra_vars, check=check, timeout=240)
    data, rows, page = read_report(report_dir)
    return run, dict((r['array'], r) for r in data['arrays']), page


def test_a_closed_window_defers_a_new_upgrade_and_adopts_a_running_one(start_sim, run_playbook, tmp_path):
    # array-2's session has about 24 s (355 simulated s at 15x) to go
    running = dict(software_version=BEFORE, service_restart_seconds=20, sessions=[{
        'status': 'Upgrade_In_Progress', 'candidate_version': TARGET, 'task': 'Restarting services on primary SP'}])
    sim = start_sim(arrays=2, time_scale=15, scenario={'arrays': {
        'array-1': dict(FAST, software_version=BEFORE), 'array-2': running}})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    closed = '2020-01-01T00:00:00+00:00'

    # check mode says it too, and changes nothing
    run, records, _page = run_fleet(run_playbook, sim, tmp_path, package, check=True, names=['array-1'],
                                    unity_upgrade_window_end=closed)
    assert run.rc == 0, out(run)
    assert records['array-1']['outcome'] == 'deferred', records
    assert sim.modifying_requests('array-1') == []
    sim.clear_requests('array-1')

    run, records, page = run_fleet(run_playbook, sim, tmp_path, package, unity_upgrade_window_end=closed)
    assert run.rc == 0, out(run)
    deferred = records['array-1']
    assert deferred['outcome'] == 'deferred', deferred
    assert re.match(r'^not started: the maintenance window ends at 2020-01-01T00:00:00\+00:00 \(closed \d+ minutes ago\) '
                    r'and the upgrade needs about 91\.4 minutes \(unity_upgrade_expected_minutes\); run again in the '
                    r'next window$', deferred['messages'][-1]), deferred['messages']
    assert deferred['version_after'] == BEFORE and list(deferred['phases']) == ['preflight'], deferred
    # nothing started, nothing uploaded: the eligibility check is the only POST besides the login's
    assert sim.modifying_requests('array-1') == [] and session_creates(sim.requests('array-1')) == []
    assert sim.state('array-1')['sessions'] == [] and sim.state('array-1')['candidate'] is None
    # a running session is never touched by the window
    assert records['array-2']['outcome'] == 'upgraded', records['array-2']
    assert 'array-1: deferred, %s -> %s (not started: the maintenance window ends at' % (BEFORE, TARGET) in run.stdout
    assert 'data-outcome="deferred"' in page and 'nothing was started' in page


def test_a_serial_run_expects_what_the_first_upgrade_took(start_sim, run_playbook, tmp_path):
    # 10 simulated minutes at 60x: the first upgrade takes about 10 s, much more than the 1.8 s expected
    sim = start_sim(arrays=2, time_scale=60, scenario=dict(FAST, upgrade_minutes=10, software_version=BEFORE))
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    window = dict((name, {'unity_upgrade_window_end': WINDOW_IN.format(8)}) for name in sim.arrays)
    run, records, page = run_fleet(run_playbook, sim, tmp_path, package, host_vars=window,
                                   unity_upgrade_expected_minutes=0.03)
    assert run.rc == 0, out(run)
    first, second = records['array-1'], records['array-2']
    # 1.8 s fit in the window of either array: only the first one's measured upgrade defers the second
    assert first['outcome'] == 'upgraded', first
    assert second['outcome'] == 'deferred', second
    took = first['phases']['start'] + first['phases']['wait']
    assert took > 8, first['phases']
    assert re.search(r'and the upgrade needs about \d+\.\d minutes \(as long as the upgrade of array-1 took in this '
                     r'run\); run again in the next window$', second['messages'][-1]), second['messages']
    assert session_creates(sim.requests('array-2')) == [] and sim.state('array-2')['candidate'] is None

    # where the time went: every phase of the upgraded array, the preflight of the deferred one
    assert sorted(first['phases']) == sorted(PHASES) and all(first['phases'][p] >= 0 for p in PHASES), first['phases']
    assert first['phases']['wait'] > 5 and list(second['phases']) == ['preflight'], (first, second)
    assert first['estimated_seconds_left'] == 0 and first['outages'], first
    assert '<td class="phases">preflight 0:' in page and 'wait 0:' in page
    assert re.search(r'outage\(s\) while waiting: \d+ s', page)
    # the progress lines carry the array's estimate of the time left
    assert re.search(r'array-1: \d+% in_progress - [A-Za-z ]+; about \d+ (s|min) left;', run.stdout), out(run)


BAD_WINDOWS = {
    'no-zone': '2026-12-01T06:00:00',
    'words': 'tomorrow at six',
    'no-such-day': '2026-02-29T06:00:00+01:00',
    'bad-zone': '2026-12-01T06:00:00+25:00',
}


def test_a_bad_window_end_stops_the_array_with_one_line(run_playbook, tmp_path):
    hosts = dict((name, {'ansible_host': '127.0.0.1', 'unity_upgrade_window_end': value})
                 for name, value in BAD_WINDOWS.items())
    hosts['good'] = {'ansible_host': '127.0.0.1', 'unity_upgrade_window_end': '2026-12-01T06:00+01:00',
                     'unity_upgrade_expected_minutes': 0}
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(yaml.safe_dump({'unity': {'hosts': hosts}}))
    run = run_playbook('unity.upgrade.upgrade', inventory=str(inventory), timeout=120, extra_vars=fleet_vars(
        tmp_path / 'report', unity_upgrade_serial=len(hosts), unity_upgrade_max_fail_percentage=100))
    assert run.rc == 2, out(run)
    for name in hosts:
        found = [r for r in run.records if r['host'] == name and r['status'] == 'failed']
        assert found, name
        msg = found[0]['result']['msg']
        if name == 'good':
            assert found[0]['task'].endswith("Check the role's inputs"), found[0]
            assert msg == ("unity_upgrade_expected_minutes must be a number of minutes greater than 0, like 91.4, "
                           "got '0'")
        else:
            assert found[0]['task'].endswith("Check the role's inputs"), found[0]
            assert msg == ('unity_upgrade_window_end must be an ISO 8601 time with its zone, like '
                           "2026-12-01T06:00:00+01:00 or 2026-12-01T05:00:00Z, got '%s'" % BAD_WINDOWS[name])
    assert 'Traceback' not in run.stdout + run.stderr
