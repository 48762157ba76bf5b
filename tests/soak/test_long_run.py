# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The long run (issue #13, part 4): two simulated days of upgrades, and a 3-hour wait, with memory.

Two days: one simulator, 10 arrays at time scale 600. Four rounds, one a simulated night (16 h
apart: the clock jumps between rounds, so the four span more than 48 simulated hours); in each,
every array upgrades to the next version: 5.0.3 -> 5.1.2 -> 5.2.0 -> 5.3.0 -> 5.4.0, answering as
the generation it runs (scenario ``oe``). Each upgrade is a seeded fault schedule of
tests/e2e/test_faults.py (its windows of refused connections, resets, 503s, lost logins and slow
answers, its SP reboot outages, random 503s) of about the real length (80 to 100 simulated
minutes), and is checked by that suite's ``Runner`` with all its promises: it completes, or it
times out and the next run adopts the session, or it stops at the pause and a resume completes it;
one session and one create request. (A failing array is not upgraded further: the fault suite
covers it.) Before each round, every array must still run the version its last upgrade left.
The modules run in this process, except array-1's first and last upgrade, which run the module as
a real process: their peak RSS (the kernel's VmHWM) must be within 10 % of each other; the simulator's
RSS after the last round within 10 % of its RSS after the first.

Three hours: one ``wait: true`` upgrade of 180 simulated minutes (time scale 120: 90 real seconds,
one poll every 30 simulated seconds, through both SP reboots, a window of lost logins, one of
resets, one of slow answers, and 3 % random 503s) by the module as a real process, its RSS sampled
twice a second. The most it holds in the last tenth of the wait is within 10 % of the most in the
first tenth.

``UNITY_SOAK_SEED`` changes the base seed of the two days' schedules. Run by ``make soak``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import threading
import time

import test_faults
from e2e_helpers import Admin, one_line, session_creates
from soak_helpers import ModuleProcess, rss_kib

SEED = int(os.environ.get('UNITY_SOAK_SEED', '20260713'))
CHAIN = (('5.0', '5.0.3.0.5.134'), ('5.1', '5.1.2.0.5.007'), ('5.2', '5.2.0.0.5.173'),
         ('5.3', '5.3.0.0.5.120'), ('5.4', '5.4.0.0.5.094'))
ARRAYS = 10
NIGHT = 16 * 3600                      # simulated seconds from one round's start to the next's
KINDS = (('complete', 70), ('timeout', 15), ('pause', 15))
MINUTES = (80, 100)                    # the real estimates add up to 91.4 minutes
MEASURED = 'array-1'                   # its first and last upgrade run the module as a process
GROWTH = 1.10                          # the most memory may grow, as a factor

WAIT_SCALE = 120
WAIT_SCENARIO = {
    'software_version': test_faults.BEFORE, 'candidate': {'version': test_faults.TARGET},
    'upgrade_minutes': 180, 'reboot_outage_seconds': 600, 'service_restart_seconds': 300,
    'flaky_503': 0.03, 'seed': 13,
    'faults': [{'start': 1800, 'duration': 300, 'kind': '401'},
               {'start': 5400, 'duration': 240, 'kind': 'reset'},
               {'start': 8400, 'duration': 300, 'kind': 'slow', 'delay_ms': 400}],
}
# real seconds at WAIT_SCALE: one poll per 30 simulated seconds, an outage budget of an hour
WAIT_ARGS = {'poll_interval': 0.25, 'outage_tolerance': 30, 'wait_timeout': 600, 'wait': True}


def mib(kib):
    return round(kib / 1024.0, 1)


def upgrade_schedule(round_number, index):
    """The fault schedule of one array's upgrade in one round (reproducible from SEED)."""
    oe, before = CHAIN[round_number - 1]
    target = CHAIN[round_number][1]
    number = (round_number - 1) * ARRAYS + index
    return test_faults.make_schedule(number, SEED, before=before, target=target, oe=oe, kinds=KINDS,
                                     minutes=MINUTES)


def test_two_days_of_upgrades_with_flat_memory(start_sim, in_process, collections_path, tmp_path, capsys):
    sim = start_sim(arrays=ARRAYS, time_scale=test_faults.SCALE, log_level='WARNING', scenario={'oe': CHAIN[0][0]})
    admin = Admin(sim)
    sim_pid = sim.launched.proc.pid
    tally = test_faults.Tally()
    processes = ModuleProcess(collections_path, str(tmp_path))
    in_memory = test_faults.Runner(sim, in_process, tally)
    as_process = test_faults.Runner(sim, processes, tally)
    names = ['array-%d' % (i + 1) for i in range(ARRAYS)]
    clock_start = admin.call('GET', '/clock')['now']
    sim_rss, rounds, broken = [], [], []
    started = time.monotonic()

    for round_number in range(1, len(CHAIN)):
        due = clock_start + (round_number - 1) * NIGHT
        now = admin.call('GET', '/clock')['now']
        if due > now:
            admin.call('POST', '/clock/advance', {'seconds': due - now})
        before = CHAIN[round_number - 1][1]
        for name in names:  # what the last round left: nothing but the version it upgraded to
            state = admin.state(name)
            if state['software_version'] != before:
                broken.append('round %d, %s runs %s, not %s' % (round_number, name, state['software_version'], before))
        failures_before = len(tally.failures)
        schedules = dict((name, upgrade_schedule(round_number, i)) for i, name in enumerate(names))
        measured = round_number in (1, len(CHAIN) - 1)
        if measured:
            processes.label_next(round_number)
        threads = [threading.Thread(target=(as_process if measured and name == MEASURED else in_memory).run,
                                    args=(name, schedules[name]), daemon=True) for name in names]
        round_started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)
        rounds.append({'round': round_number, 'upgrade': '%s -> %s' % (before, CHAIN[round_number][1]),
                       'by_outcome': dict((k, sum(1 for s in schedules.values() if s['kind'] == k)) for k, w in KINDS),
                       'failed': len(tally.failures) - failures_before,
                       'real_seconds': round(time.monotonic() - round_started, 1)})
        sim_rss.append(rss_kib(sim_pid))
    clock_span = admin.call('GET', '/clock')['now'] - clock_start

    final_versions = dict((name, admin.state(name)['software_version']) for name in names)
    peaks = {}
    for run in processes.runs:  # an upgrade's peak: the most of its runs (a resume or an adoption too)
        peaks[run.label] = max(peaks.get(run.label, 0), run.peak_kib or 0)
    first, last = peaks.get(1), peaks.get(len(CHAIN) - 1)
    summary = tally.as_dict()
    summary.update(base_seed=SEED, arrays=ARRAYS, rounds=rounds, wall_seconds=round(time.monotonic() - started, 1),
                   upgrades_done=sum(ARRAYS - r['failed'] for r in rounds),
                   simulated_hours=round(clock_span / 3600.0, 1),
                   module_runs_as_process=len(processes.runs),
                   module_peak_rss_mib={'first_upgrade': mib(first or 0), 'last_upgrade': mib(last or 0)},
                   simulator_rss_mib={'after_round_%d' % (i + 1): mib(kib or 0) for i, kib in enumerate(sim_rss)})
    with capsys.disabled():
        print('\ntwo days of upgrades: %s' % json.dumps(summary, sort_keys=True))

    failures = [test_faults.describe_failure(s, p) for s, p in sorted(tally.failures, key=lambda f: f[0]['number'])]
    assert not failures, '%d upgrades broke a promise (UNITY_SOAK_SEED=%d):\n%s' % (
        len(failures), SEED, '\n'.join(failures))
    assert not broken, broken
    assert tally.schedules == ARRAYS * (len(CHAIN) - 1) and tally.duplicates == 0
    assert final_versions == dict((name, CHAIN[-1][1]) for name in names)
    assert clock_span >= 48 * 3600
    assert len(processes.runs) >= 2 and all(run.peak_kib for run in processes.runs), 'a module process without its peak'
    assert last <= first * GROWTH, 'module peak RSS %.1f MiB in the last upgrade, %.1f MiB in the first' % (
        mib(last), mib(first))
    assert None not in sim_rss and sim_rss[-1] <= sim_rss[0] * GROWTH, 'simulator RSS (KiB) by round: %s' % sim_rss


def test_a_three_hour_wait_holds_flat_memory(start_sim, collections_path, tmp_path, capsys):
    sim = start_sim(arrays=1, time_scale=WAIT_SCALE, log_level='WARNING', scenario=WAIT_SCENARIO)
    admin = Admin(sim)
    admin.clear_requests('array-1')
    connection = sim.connection('array-1')
    waiting = []

    def on_log(line):
        if not waiting and line.startswith('unity.upgrade.upgrade_session:'):
            waiting.append(time.monotonic())

    module = ModuleProcess(collections_path, str(tmp_path), sample_every=0.5)
    started = time.monotonic()
    run = module.run('upgrade_session', dict(connection, version=test_faults.TARGET, **WAIT_ARGS), on_log=on_log)
    state = admin.state('array-1')
    log = admin.requests('array-1')

    assert not run.crash, run.crash
    assert one_line(run.msg) and not run.failed, run.msg
    assert run.result['action'] == 'created' and run.result['session']['status_name'] == 'completed'
    assert run.result['version_after'] == test_faults.TARGET == state['software_version']
    assert len(state['sessions']) == 1 and len(session_creates(log)) == 1
    assert waiting, 'the module never logged a progress line'
    wait_start = waiting[0] - started
    during = [(t, kib) for t, kib in run.samples if t >= wait_start]
    simulated_minutes = (run.seconds - wait_start) * WAIT_SCALE / 60.0
    tenth = max(1, len(during) // 10)
    early, late = max(k for t, k in during[:tenth]), max(k for t, k in during[-tenth:])
    step = max(1, len(during) // 12)
    figures = {
        'simulated_minutes_waited': round(simulated_minutes, 1), 'real_seconds': round(run.seconds, 1),
        'waited_seconds': run.result.get('waited_seconds'), 'outages_seen': len(run.result.get('outages') or []),
        'relogins': run.result.get('relogins'), 'rss_samples': len(during),
        'rss_mib_first_tenth_max': mib(early), 'rss_mib_last_tenth_max': mib(late),
        'rss_mib_min': mib(min(k for t, k in during)), 'rss_mib_max': mib(max(k for t, k in during)),
        'peak_rss_mib': mib(run.peak_kib),
        'rss_mib_over_time': [[round((t - wait_start) * WAIT_SCALE / 60.0), mib(k)] for t, k in during[::step]],
        'requests_answered_by_a_fault': sum(1 for r in log if r['status'] in (0, 401, 503)),
    }
    with capsys.disabled():
        print('\na 3-hour wait: %s' % json.dumps(figures, sort_keys=True))
    assert simulated_minutes >= 170, figures
    assert len(during) >= 100, figures
    assert late <= early * GROWTH, figures
