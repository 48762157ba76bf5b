# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fault injection: hundreds of seeded random fault schedules against the upgrade engine.

Each schedule is one upgrade of one simulated array (its own array: schedules run in parallel,
one simulator process serves them all on a virtual clock 600 times faster than real time) by the
real ``upgrade_session`` module, run in this process (test_faults_harness). Its faults:

- a window during the reads before the session exists (refused, reset, 503 or slow answers),
  which the reads must ride out with their retries;
- from the moment the module starts waiting: windows of refused connections, resets, 503 bursts,
  lost login sessions (401, even to a new login) and slow answers (some slower than
  ``request_timeout``), random 503s (``flaky_503``), on top of the two SP reboot outages. Every
  stretch in which the API is unusable is shorter than ``outage_tolerance``;
- a failure of the array at a random task (``fail_at_task``), a ``wait_timeout`` shorter than the
  upgrade, or a pause before the reboots followed by a resume.

Invariants, checked for every schedule: the module never crashes and its ``msg`` is one line; when
the array completes, the module reports success with the new version; when the array fails, the
module fails with the array's own message and task; never more than one session, and exactly one
create request; the wait ends within ``wait_timeout`` plus one poll.

Reproduce: ``UNITY_FAULT_SEED`` (the base seed, default below), ``UNITY_FAULT_SCHEDULES`` (how
many), ``UNITY_FAULT_FIRST`` (the number of the first, 0 unless told: ``make soak`` runs numbers 220
to 1219, after the 220 of ``make test``), ``UNITY_FAULT_ONLY=3,17`` (only those schedule numbers). A
failure prints each failed schedule with its seed and its full schedule.

tests/soak reuses ``make_schedule`` and ``Runner`` for upgrades between other versions
(``before``, ``target``, ``oe``) and other mixes of outcomes (``kinds``).
"""


import collections
import json
import os
import queue
import random
import threading
import time

import requests

from e2e_helpers import Admin, one_line, session_creates

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SCALE = 600                    # simulated seconds per real second
WORKERS = 24                   # schedules in flight at once, one array each
BASE_SEED = int(os.environ.get('UNITY_FAULT_SEED', '20260707'))
SCHEDULES = int(os.environ.get('UNITY_FAULT_SCHEDULES', '220'))
FIRST = int(os.environ.get('UNITY_FAULT_FIRST', '0'))
ONLY = [int(n) for n in os.environ.get('UNITY_FAULT_ONLY', '').split(',') if n.strip()]

# real seconds
OUTAGE_TOLERANCE = 6           # the module option is an int
REQUEST_TIMEOUT = 1.0
LONG_WAIT = 60
# Every stretch in which the API is unusable lasts at most a third of outage_tolerance (real
# seconds), counting that a poll during an outage takes up to three requests (a probe, the
# read, a new login), each of which a slow answer stretches by min(delay, request_timeout).
# The rest is for what the schedule cannot know: random 503s at the end of an outage, and a
# loaded CI machine on which every request takes longer.
MAX_BLOCK_REAL = OUTAGE_TOLERANCE / 3.0
SLOWEST_MS = 1400
# How far past wait_timeout a wait may end: the poll in flight at the deadline (a probe, a read and
# a new login, each bounded by request_timeout), plus scheduling slack.
LAST_POLL = 3 * REQUEST_TIMEOUT + 0.5

# the real task list (caption, estimated seconds) the simulator walks, scaled by upgrade_minutes
TASKS = (('Preparing system', 210), ('Performing health checks', 70), ('Preparing system software', 970),
         ('Waiting for reboot command', 5), ('Performing health checks', 65),
         ('Installing new software on peer SP', 1010), ('Rebooting peer SP', 855),
         ('Restarting services on peer SP', 300), ('Installing new software on primary SP', 810),
         ('Rebooting the primary SP', 835), ('Restarting services on primary SP', 310), ('Final tasks', 45))
REBOOTS = (6, 9)


# -- schedules --------------------------------------------------------------------------------------

def timeline(minutes):
    """Start and duration of each task, simulated seconds from the session's creation."""
    factor = minutes * 60.0 / sum(seconds for caption, seconds in TASKS)
    out, t = [], 0.0
    for caption, seconds in TASKS:
        out.append((t, seconds * factor))
        t += seconds * factor
    return out, t


def blocks(windows):
    """Merge [start, end) windows into the contiguous stretches they cover."""
    merged = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def block_seconds(reboots, faults, poll_interval):
    """The real seconds of the longest stretch in which the module may not read its session."""
    windows = [(start, end, 0.0) for start, end in reboots]
    for fault in faults:
        stretch = 3 * min(fault.get('delay_ms', 0) / 1000.0, REQUEST_TIMEOUT)
        windows.append((fault['start'], fault['start'] + fault['duration'], stretch))
    longest = 0.0
    for start, end in blocks([(s, e) for s, e, x in windows]):
        extra = sum(x for s, e, x in windows if s <= end and e >= start)
        longest = max(longest, (end - start) / SCALE + extra + 2 * poll_interval)
    return longest


def reboot_windows(schedule):
    """The SP reboot outages (refused, then 503) of an upgrade, until it fails if it does."""
    scenario = schedule['scenario']
    tasks, total = timeline(scenario['upgrade_minutes'])
    if 'fail_at_task' in scenario:
        index = scenario['fail_at_task']
        total = tasks[index][0] + tasks[index][1] / 2.0
    down = scenario['reboot_outage_seconds'] + scenario['service_restart_seconds']
    return [(tasks[i][0], tasks[i][0] + down) for i in REBOOTS if tasks[i][0] < total]


KINDS = (('complete', 55), ('fail', 22), ('timeout', 11), ('pause', 12))


def make_schedule(number, base_seed=BASE_SEED, before=BEFORE, target=TARGET, oe=None, kinds=KINDS,
                  minutes=(12, 24)):
    """One reproducible schedule: everything derives from (base_seed, number) and the arguments.

    ``kinds``: (outcome, weight) pairs; ``minutes``: the range of the upgrade's simulated length;
    ``oe``: the generation the array answers as (the scenario key), left out when None.
    """
    rng = random.Random('%d:%d' % (base_seed, number))
    kind = rng.choices([k for k, w in kinds], weights=[w for k, w in kinds])[0]
    minutes = round(rng.uniform(*minutes), 2)
    tasks, total = timeline(minutes)
    reboot = round(rng.uniform(30, 300))
    restart = round(rng.uniform(10, 150))
    schedule = {
        'number': number, 'seed': '%d:%d' % (base_seed, number), 'kind': kind,
        'poll_interval': round(rng.uniform(0.05, 0.25), 3),
        'wait_timeout': 1 if kind == 'timeout' else LONG_WAIT,
        'scenario': {'software_version': before, 'candidate': {'version': target},
                     'upgrade_minutes': minutes, 'reboot_outage_seconds': reboot,
                     'service_restart_seconds': restart, 'seed': rng.randrange(1 << 30)},
        'read_fault': None, 'faults': [], 'flaky_503': 0.0,
    }
    if oe:
        schedule['scenario']['oe'] = oe
    if kind == 'fail':
        index = rng.randrange(len(TASKS))
        schedule['scenario']['fail_at_task'] = index
        schedule['scenario']['fail_status'] = rng.choice(('Upgrade_Failed', 'Upgrade_Failed_Lock'))
        schedule['fail_task'] = TASKS[index][0]
        total = tasks[index][0] + tasks[index][1] / 2.0
    if rng.random() < 0.35:
        schedule['scenario']['latency_ms'] = rng.randrange(1, 25)
    if rng.random() < 0.4:  # the reads before the session is created
        read_kind = rng.choice(('refuse', 'reset', '503', 'slow'))
        fault = {'start': 0, 'duration': round(rng.uniform(20, 400)), 'kind': read_kind}
        if read_kind == 'slow':
            fault['delay_ms'] = rng.randrange(50, 900)
        schedule['read_fault'] = fault
    if rng.random() < 0.3:
        schedule['flaky_503'] = round(rng.uniform(0.03, 0.15), 3)
    # windows while the module waits: start relative to the start of the wait
    reboots = reboot_windows(schedule)
    for dummy in range(rng.randrange(1, 7)):
        fault_kind = rng.choice(('refuse', 'reset', '503', '401', 'slow'))
        fault = {'start': round(rng.uniform(0, total), 1), 'duration': round(rng.uniform(15, 420)),
                 'kind': fault_kind}
        if fault_kind == 'slow':
            fault['delay_ms'] = rng.randrange(50, SLOWEST_MS)
        if block_seconds(reboots, schedule['faults'] + [fault], schedule['poll_interval']) <= MAX_BLOCK_REAL:
            schedule['faults'].append(fault)
    return schedule


def scenario_of(schedule):
    scenario = dict(schedule['scenario'])
    if schedule['read_fault']:
        scenario['faults'] = [schedule['read_fault']]
    return scenario


# -- running one schedule -----------------------------------------------------------------------------

class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.schedules = 0
        self.kinds = collections.Counter()
        self.windows = collections.Counter()
        self.hits = collections.Counter()
        self.outages_seen = 0
        self.relogins = 0
        self.duplicates = 0
        self.overshoot = 0.0
        self.real_overshoot = 0.0
        self.failures = []

    def as_dict(self):
        return {'schedules_run': self.schedules, 'by_outcome': dict(self.kinds),
                'fault_windows_injected': sum(self.windows.values()), 'fault_windows_by_kind': dict(self.windows),
                'requests_answered_by_a_fault': dict(self.hits),
                'outages_seen_by_the_module': self.outages_seen, 'relogins': self.relogins,
                'sessions_duplicated': self.duplicates,
                'max_waited_seconds_past_wait_timeout': round(self.overshoot, 3),
                'max_real_seconds_past_wait_timeout': round(self.real_overshoot, 3),
                'failed_schedules': len(self.failures)}


class Runner:
    def __init__(self, sim, in_process, tally):
        self.sim = sim
        self.admin = Admin(sim)
        self.in_process = in_process
        self.tally = tally

    def connection(self, name):
        array = self.sim.array(name)
        return {'unispherehost': array['host'], 'port': array['port'], 'username': array['username'],
                'password': array['password'], 'ca_path': self.sim.ca_file,
                'request_timeout': REQUEST_TIMEOUT}

    def run(self, name, schedule):
        problems = []
        try:
            problems = self._run(name, schedule)
        except Exception as exc:  # the harness itself broke: report it with the schedule
            problems = ['harness error: %r' % (exc,)]
        with self.tally.lock:
            self.tally.schedules += 1
            self.tally.kinds[schedule['kind']] += 1
            if problems:
                self.tally.failures.append((schedule, problems))

    def _arm_wait_faults(self, name, schedule, armed):
        def hook(line):
            if armed or not line.startswith('unity.upgrade.upgrade_session:'):
                return
            armed.append(time.monotonic())
            try:
                self.admin.patch(name, {'faults': schedule['faults'], 'flaky_503': schedule['flaky_503']})
            except Exception as exc:  # never into the module: report it as the harness's
                armed.append(exc)
        return hook

    def _rearm_for_the_next_run(self, name, schedule, armed):
        """The windows still to come, without the lost logins and random 503s.

        A run that starts logs in first, and a login the array refuses with 401 is a wrong password
        to the module (it is not waited out: a typo would wait outage_tolerance), so the next run is
        not started into a 401 window; random 503s could take all four attempts of one of its reads
        before the wait. Every other window goes on where it was.
        """
        if not armed:
            return
        elapsed = (time.monotonic() - armed[0]) * SCALE
        faults = []
        for fault in schedule['faults']:
            end = fault['start'] + fault['duration']
            if fault['kind'] == '401' or end <= elapsed:
                continue
            start = max(0.0, fault['start'] - elapsed)
            faults.append(dict(fault, start=round(start, 1), duration=round(end - elapsed - start, 1)))
        self.admin.patch(name, {'faults': faults, 'flaky_503': 0.0})

    def _run(self, name, schedule):
        admin = self.admin
        admin.put(name, scenario_of(schedule))
        admin.clear_requests(name)
        problems = []
        base = dict(self.connection(name), poll_interval=schedule['poll_interval'],
                    outage_tolerance=OUTAGE_TOLERANCE)
        kind = schedule['kind']
        armed = []
        target = schedule['scenario']['candidate']['version']
        first = dict(base, version=target, wait_timeout=schedule['wait_timeout'])
        if kind == 'pause':
            first['pause_before_reboot'] = True
        run = self.in_process.run('upgrade_session', first, on_log=self._arm_wait_faults(name, schedule, armed))
        ended = time.monotonic()
        runs = [run]
        problems += self._common(run, 'first run')
        if not armed and not run.failed:
            problems.append('the module never started waiting: %s' % run.msg)
        if len(armed) > 1:
            problems.append('harness error: the faults could not be armed: %r' % (armed[1],))
        state = admin.state(name)
        session = state['sessions'][0] if state['sessions'] else None

        if kind == 'complete':
            problems += self._expect_completed(run, state, target, 'created')
        elif kind == 'fail':
            problems += self._expect_failed(run, schedule, name, session)
        elif kind == 'timeout':
            result = run.result
            if not (run.failed and result.get('timed_out') is True):
                if not (session and session['status_name'] == 'Upgrade_Completed' and not run.failed):
                    problems.append('expected a timeout, got failed=%s: %s' % (run.failed, run.msg))
            if 'goes on on the array' not in run.msg and run.failed:
                problems.append('the timeout message does not say the upgrade goes on: %s' % run.msg)
            self._rearm_for_the_next_run(name, schedule, armed)
            again = self.in_process.run('upgrade_session', dict(base, version=target, wait_timeout=LONG_WAIT))
            runs.append(again)
            problems += self._common(again, 'second run')
            state = admin.state(name)
            # adopted while it runs, or, when it finished in between, reported as done
            problems += self._expect_completed(again, state, target, 'adopted', allow=('adopted', 'none'))
        elif kind == 'pause':
            if run.failed or (run.result.get('session') or {}).get('status_name') != 'paused':
                problems.append('expected a green stop at the pause, got failed=%s: %s' % (run.failed, run.msg))
            self._rearm_for_the_next_run(name, schedule, armed)
            again = self.in_process.run('upgrade_session', dict(base, state='resumed', wait_timeout=LONG_WAIT))
            runs.append(again)
            problems += self._common(again, 'resume')
            state = admin.state(name)
            problems += self._expect_completed(again, state, target, 'resumed')

        # never more than one session, exactly one create
        log = admin.requests(name)
        creates = len(session_creates(log))
        sessions = len(state['sessions'])
        if sessions != 1 or creates != 1:
            problems.append('%d session(s) on the array after %d create request(s)' % (sessions, creates))
        duplicates = max(0, sessions - 1) + max(0, creates - 1)
        # the wait ends within wait_timeout plus one poll
        overshoot = 0.0
        for one in runs:
            waited = one.result.get('waited_seconds') or 0.0
            limit_of = first['wait_timeout'] if one is run else LONG_WAIT
            overshoot = max(overshoot, waited - limit_of)
            if waited > limit_of + schedule['poll_interval'] + LAST_POLL:
                problems.append('waited %.2f s with wait_timeout %s and poll_interval %s'
                                % (waited, limit_of, schedule['poll_interval']))
        real_overshoot = 0.0
        if kind == 'timeout' and run.result.get('timed_out'):
            if run.result['waited_seconds'] < first['wait_timeout']:
                problems.append('timed out after %.2f s, before wait_timeout' % run.result['waited_seconds'])
            # measured here: from the first progress line to the module's exit, its logout included
            real_overshoot = ended - armed[0] - first['wait_timeout']
            if real_overshoot > schedule['poll_interval'] + LAST_POLL + REQUEST_TIMEOUT:
                problems.append('the module returned %.2f s after wait_timeout' % real_overshoot)
        hits = collections.Counter()
        for entry in log:
            if entry['status'] == 0 and entry.get('note') in ('fault', 'outage'):
                hits['reset_or_refused_' + entry['note']] += 1
            elif entry['status'] in (503, 401):
                hits[str(entry['status'])] += 1
        with self.tally.lock:
            for fault in schedule['faults'] + ([schedule['read_fault']] if schedule['read_fault'] else []):
                self.tally.windows[fault['kind']] += 1
            if schedule['flaky_503']:
                self.tally.windows['flaky_503'] += 1
            self.tally.hits.update(hits)
            self.tally.duplicates += duplicates
            self.tally.overshoot = max(self.tally.overshoot, overshoot)
            self.tally.real_overshoot = max(self.tally.real_overshoot, real_overshoot)
            for one in runs:
                self.tally.outages_seen += len(one.result.get('outages') or [])
                self.tally.relogins += one.result.get('relogins') or 0
        return problems

    @staticmethod
    def _common(run, what):
        problems = []
        if run.crash:
            problems.append('%s crashed: %s' % (what, run.crash))
        if not one_line(run.msg):
            problems.append('%s: msg is not one clear line: %r' % (what, run.msg))
        return problems

    @staticmethod
    def _expect_completed(run, state, target, action, allow=None):
        result = run.result
        problems = []
        if run.failed:
            return ['the array completed, the module failed: %s' % run.msg]
        if result.get('action') not in (allow or (action,)):
            problems.append('action %r, expected %r' % (result.get('action'), action))
        if result.get('action') == 'none':
            if 'the array already runs %s' % target not in run.msg:
                problems.append('no action, and the msg does not say the array runs %s: %s' % (target, run.msg))
        elif (result.get('session') or {}).get('status_name') != 'completed':
            problems.append('session not reported completed: %s' % run.msg)
        if result.get('version_after') != target or state['software_version'] != target:
            problems.append('version after %s (array: %s)' % (result.get('version_after'), state['software_version']))
        return problems

    def _expect_failed(self, run, schedule, name, session):
        problems = []
        if session is None or session['status_name'] not in ('Upgrade_Failed', 'Upgrade_Failed_Lock'):
            return ['the array did not fail as scheduled: %s' % (session,)]
        if not run.failed:
            return ['the array failed, the module did not: %s' % run.msg]
        self.admin.patch(name, {'faults': [], 'flaky_503': 0.0})  # our own read needs no luck
        texts = self.array_messages(name, session['id'])
        if not texts or not all(text in run.msg for text in texts):
            problems.append('msg %r lacks the array message(s) %r' % (run.msg, texts))
        if run.result.get('failed_task') != schedule['fail_task']:
            problems.append('failed_task %r, the array failed at %r'
                            % (run.result.get('failed_task'), schedule['fail_task']))
        if run.result.get('messages') != texts:
            problems.append('messages %r, the array says %r' % (run.result.get('messages'), texts))
        return problems

    def array_messages(self, name, session_id):
        """The failed session's messages, read by a client of our own."""
        array = self.sim.array(name)
        http = requests.Session()
        http.trust_env = False
        http.headers['X-EMC-REST-CLIENT'] = 'true'
        url = 'https://%s:%s/api/instances/upgradeSession/%s' % (array['host'], array['port'], session_id)
        response = http.get(url, params={'compact': 'true', 'fields': 'messages'},
                            auth=(array['username'], array['password']), verify=self.sim.ca_file, timeout=30)
        response.raise_for_status()
        texts = []
        for message in response.json()['content'].get('messages') or []:
            for item in message.get('messages') or []:
                texts.append(item.get('message') or item.get('en-US'))
        return [t for t in texts if t]


def describe_failure(schedule, problems):
    return 'schedule %d (seed %s, %s):\n  %s\n  schedule: %s' % (
        schedule['number'], schedule['seed'], schedule['kind'], '\n  '.join(problems),
        json.dumps(schedule, sort_keys=True))


# -- the suite --------------------------------------------------------------------------------------

def test_schedules_are_reproducible_and_respect_the_outage_budget():
    assert make_schedule(7) == make_schedule(7)
    assert make_schedule(7) != make_schedule(8)
    for number in range(FIRST, FIRST + SCHEDULES):
        schedule = make_schedule(number)
        reboots = reboot_windows(schedule)
        assert block_seconds(reboots, schedule['faults'], schedule['poll_interval']) <= MAX_BLOCK_REAL, schedule
        assert block_seconds(reboots, schedule['faults'], schedule['poll_interval']) < OUTAGE_TOLERANCE


def test_seeded_fault_schedules_keep_every_promise(start_sim, in_process, capsys):
    numbers = ONLY or list(range(FIRST, FIRST + SCHEDULES))
    schedules = [make_schedule(n) for n in numbers]
    workers = min(WORKERS, len(schedules))
    sim = start_sim(arrays=workers, time_scale=SCALE, log_level='WARNING')
    tally = Tally()
    runner = Runner(sim, in_process, tally)
    work = queue.Queue()
    for schedule in schedules:
        work.put(schedule)

    def worker(name):
        while True:
            try:
                schedule = work.get_nowait()
            except queue.Empty:
                return
            runner.run(name, schedule)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=('array-%d' % (i + 1),), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    seconds = time.monotonic() - started
    summary = tally.as_dict()
    summary.update(base_seed=BASE_SEED, wall_seconds=round(seconds, 1), workers=workers)
    with capsys.disabled():
        print('\nfault injection: %s' % json.dumps(summary, sort_keys=True))
    failures = [describe_failure(s, p) for s, p in sorted(tally.failures, key=lambda f: f[0]['number'])]
    assert not failures, '%d of %d schedules broke a promise (base seed %d; rerun one with UNITY_FAULT_ONLY=N):\n%s' % (
        len(failures), len(schedules), BASE_SEED, '\n'.join(failures))
    assert tally.schedules == len(schedules)
    assert tally.duplicates == 0
    if not ONLY and 'UNITY_FAULT_SCHEDULES' not in os.environ:
        assert len(schedules) >= 200 and sum(tally.windows.values()) >= 400
