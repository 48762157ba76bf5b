# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The control node dies at any point (#13 §1): SIGKILL, then the same command again.

An AWX pod evicted, a laptop closed, a ``kill -9``: the array goes on with what it received, the
control node forgets everything. Each kill point is one test (its seed in its id and in every
assertion message): a seeded moment of one of these stretches, reached exactly through the
simulator's admin state (a request it holds, the byte count at which it stalls an upload):

- ``upload``: upgrade_candidate killed while the array has received a seeded number of the package's
  bytes (the simulator stalls the upload there). Nothing partial is ever listed; the rerun uploads
  once and reports the file's sha256.
- ``create``: upgrade_session killed between sending the create and its answer (the simulator holds
  the create a seeded time before it applies it, as an array that received the whole request does,
  whatever became of the client). The rerun starts at once, so it may read the array before the held
  create lands and send its own: the array refuses a second session and the rerun adopts the first.
- ``wait``: killed at a seeded moment of the wait, SP reboot outages included. The rerun adopts the
  running session (no change) and waits it out.
- ``resume``: killed while the resume is held, or a seeded moment after its answer. The rerun of the
  same task resumes nothing twice; ``state: present`` then waits for the session (what the role does).

Every rerun converges to what an undisturbed run reaches: the array upgraded once, exactly one session
and one applied create or resume, one candidate of the target version.

Kills of ``ansible-playbook`` with all it started, and of the module inside a fleet run (the role
and the report) are in test_control_node_kills_playbook.py.

Reproduce one: ``pytest tests/e2e/test_control_node_kills.py -k 'create-3'``; another base seed:
``UNITY_KILL_SEED``.
"""


import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from e2e_helpers import Admin, UPLOAD, sha256_of, start_simulator, wait_until
from unity_sim.packages import write_candidate

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SCALE = 600                     # simulated seconds per real second
UPGRADE_MINUTES = 15            # 1.5 real seconds, two SP reboots in them
PACKAGE_BYTES = 16 << 20       # larger than what the socket buffers hold
BASE_SEED = int(os.environ.get('UNITY_KILL_SEED', '20261130'))
CREATE = 'Session/instances'
RESUME = '/action/resume'
KILL_POINTS = [('upload', 10), ('create', 12), ('wait', 12), ('resume', 10)]
POINTS = [(kind, n) for kind, count in KILL_POINTS for n in range(count)]
WAIT_ARGS = {'wait': True, 'poll_interval': 1, 'outage_tolerance': 30, 'wait_timeout': 600}


def seed_of(kind, number):
    return BASE_SEED + 1000 * [name for name, _count in KILL_POINTS].index(kind) + number


@pytest.fixture(scope='module')
def kill_sim(tmp_path_factory):
    running = start_simulator(str(tmp_path_factory.mktemp('kill-sim')), arrays=1, time_scale=SCALE)
    yield running
    running.stop()


@pytest.fixture(scope='module')
def package(tmp_path_factory):
    return write_candidate(str(tmp_path_factory.mktemp('package')), TARGET, PACKAGE_BYTES)


class ModuleProcess:
    """One module run as its own process, as ansible-playbook runs one: the module's file as a Python
    program, its arguments in a JSON file, its result as JSON on stdout."""

    def __init__(self, module, args, collections_path, workdir, name):
        path = os.path.join(str(workdir), name + '.json')
        with open(path, 'w') as handle:
            json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
        self.name = name
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'ansible_collections.unity.upgrade.plugins.modules.' + module, path],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, PYTHONPATH=collections_path))

    def kill(self):
        """SIGKILL: no handler, no finally, no logout; the open connections die with the process."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.communicate(timeout=30)
        assert self.proc.returncode == -signal.SIGKILL, '%s ended by itself before the kill' % self.name

    def result(self, timeout=120):
        out, err = self.proc.communicate(timeout=timeout)
        try:
            return json.loads(out)
        except ValueError:
            raise AssertionError('%s printed no result (exit %s): %s %s' % (self.name, self.proc.returncode,
                                                                            out[-2000:], err[-2000:]))


class KillPoint:
    """One seeded kill point: the array, the module runs against it, and what the array saw."""

    def __init__(self, sim, collections_path, workdir, kind, number):
        self.sim = sim
        self.admin = Admin(sim)
        self.collections_path = collections_path
        self.workdir = workdir
        self.seed = seed_of(kind, number)
        self.where = '%s-%d (seed %d)' % (kind, number, self.seed)
        self.rng = random.Random(self.seed)
        self.runs = 0

    def reset(self, scenario):
        self.sim.put_scenario('array-1', scenario)
        self.sim.clear_requests('array-1')
        self.uploads_before = self.state()['uploads']

    def uploads_completed(self, state):
        """Uploads the array completed since the reset (its counters run over the simulator's life)."""
        return state['uploads']['completed'] - self.uploads_before['completed']

    def state(self):
        return self.admin.state('array-1')

    def log(self):
        return self.admin.requests('array-1')

    def start(self, module, **args):
        self.runs += 1
        return ModuleProcess(module, dict(self.sim.connection('array-1'), **args), self.collections_path,
                             self.workdir, '%s-%d' % (module, self.runs))

    def until(self, what, predicate, timeout=30.0):
        """Poll the admin state until ``predicate(state)`` and return that state; the kill point must be
        reached."""
        def reached():
            state = self.state()
            return state if predicate(state) else None

        return wait_until('%s: %s' % (self.where, what), reached, timeout)

    def applied(self, path_part):
        """POSTs of the kind that the array applied (2xx logged; a refused one is 4xx)."""
        return [r for r in self.log() if r['method'] == 'POST' and path_part in r['path']
                and 200 <= r['status'] < 300]

    def assert_upgraded_once(self):
        state = self.until('the upgrade completed', lambda s: s['is_upgrade_complete'], timeout=60)
        where = self.where
        assert state['software_version'] == TARGET, (where, state['software_version'])
        assert len(state['sessions']) == 1, (where, state['sessions'])
        assert state['sessions'][0]['status_name'] == 'Upgrade_Completed', (where, state['sessions'])
        return state


def assert_done(result, where):
    """A rerun of upgrade_session that ends where an undisturbed run ends: the session it adopted (or
    created) completed, or, when the array finished the killed run's upgrade first, the target installed."""
    assert not result.get('failed'), (where, result.get('msg'))
    assert result['version_after'] == TARGET, (where, result)
    if result['session'] is None:
        # read so, or after a create that the array refused because the upgrade had just completed
        assert result['action'] == 'none' and 'the array already runs %s' % TARGET in result['msg'], (where, result)
    else:
        assert result['session']['status_name'] == 'completed', (where, result['session'])


def held(path_part, delay_ms):
    """A fault window that holds every POST to ``path_part`` ``delay_ms`` before the array applies it."""
    return {'start': 0, 'duration': 10 ** 6, 'kind': 'slow', 'delay_ms': delay_ms, 'method': 'POST',
            'path': path_part}


def in_flight(path_part):
    return lambda state: any(r['method'] == 'POST' and path_part in r['path'] for r in state['in_flight'])


@pytest.mark.parametrize('kind,number', POINTS, ids=['%s-%d' % point for point in POINTS])
def test_killed_then_run_again_converges(kill_sim, package, collections_path, tmp_path, kind, number):
    point = KillPoint(kill_sim, collections_path, tmp_path, kind, number)
    {'upload': killed_during_upload, 'create': killed_between_create_and_answer,
     'wait': killed_while_waiting, 'resume': killed_around_resume}[kind](point, package)


def killed_during_upload(point, package):
    rng, where = point.rng, point.where
    # the array reads `cut` bytes of the body, then stalls: the kill comes while it holds them
    cut = rng.choice([rng.randrange(1, 64 << 10), rng.randrange(64 << 10, PACKAGE_BYTES),
                      PACKAGE_BYTES - rng.randrange(0, 4096)])
    point.reset({'software_version': BEFORE, 'upload_stall_at_bytes': cut, 'upload_stall_seconds': 0.8 * SCALE,
                 'upload_processing_seconds': 0.2 * SCALE})
    args = {'src': package, 'version': TARGET}
    first = point.start('upgrade_candidate', **args)
    point.until('the upload stalled at byte %d' % cut, lambda s: s['uploads']['in_progress'] == 1
                and 'upload_stall_at_bytes' not in s['pending'])
    first.kill()
    # The stalled read goes on after the kill and reads what the socket buffers hold: the rest of the
    # body when the client had sent it all before it died (then the array has the whole package: a
    # client killed while it waits for the answer), else the end of the connection, and nothing.
    state = point.until('the cut upload ended', lambda s: s['uploads']['in_progress'] == 0
                        and not s['pending_candidate'], timeout=30)
    whole = point.uploads_completed(state) == 1
    where = '%s, cut at byte %d, %s' % (where, cut, 'all sent before the kill' if whole else 'cut short')
    if whole:
        assert state['candidate']['bytes'] == PACKAGE_BYTES, (where, state['candidate'])
    else:
        assert state['candidate'] is None, (where, state['candidate'])

    result = point.start('upgrade_candidate', **args).result()
    assert not result.get('failed'), (where, result.get('msg'))
    assert result['changed'] is not whole, (where, result)
    assert result['candidate']['version'] == TARGET, (where, result['candidate'])
    if not whole:
        assert result['upload']['sha256'] == sha256_of(package), (where, result['upload'])
    state = point.state()
    assert state['pending_candidate'] is None, (where, state['pending_candidate'])
    assert (state['candidate']['version'], state['candidate']['bytes']) == (TARGET, PACKAGE_BYTES), where
    assert point.uploads_completed(state) == 1, (where, state['uploads'])
    assert len([r for r in point.log() if r['path'] == UPLOAD]) == (1 if whole else 2), where


def killed_between_create_and_answer(point, package):
    rng, where = point.rng, point.where
    hold_ms = rng.randrange(300, 1500)
    point.reset({'software_version': BEFORE, 'candidate': {'version': TARGET}, 'upgrade_minutes': UPGRADE_MINUTES,
                 'faults': [held(CREATE, hold_ms)]})
    args = dict(WAIT_ARGS, version=TARGET)
    first = point.start('upgrade_session', **args)
    point.until('the create request in flight', in_flight(CREATE))
    time.sleep(rng.uniform(0, 0.9) * hold_ms / 1000.0)
    first.kill()
    result = point.start('upgrade_session', **args).result()
    assert_done(result, where)
    point.assert_upgraded_once()
    assert len(point.applied(CREATE)) == 1, (where, [(r['path'], r['status']) for r in point.log()
                                                     if r['method'] == 'POST'])


def killed_while_waiting(point, package):
    rng, where = point.rng, point.where
    point.reset({'software_version': BEFORE, 'candidate': {'version': TARGET}, 'upgrade_minutes': UPGRADE_MINUTES})
    args = dict(WAIT_ARGS, version=TARGET)
    first = point.start('upgrade_session', **args)
    point.until('the session created', lambda s: s['sessions'])
    # anywhere in the upgrade, its two SP reboot outages included
    time.sleep(rng.uniform(0, UPGRADE_MINUTES * 60.0 / SCALE * 0.95))
    first.kill()
    result = point.start('upgrade_session', **args).result()
    assert_done(result, where)
    assert result['changed'] is False, (where, result['action'], result.get('msg'))
    point.assert_upgraded_once()
    assert len(point.applied(CREATE)) == 1, where


def killed_around_resume(point, package):
    rng, where = point.rng, point.where
    hold_ms = rng.randrange(300, 1200)
    while_held = rng.random() < 0.5
    point.reset({'software_version': BEFORE, 'upgrade_minutes': UPGRADE_MINUTES,
                 'sessions': [{'status': 'Upgrade_Paused', 'candidate_version': TARGET}],
                 'faults': [held(RESUME, hold_ms)] if while_held else []})
    args = dict(WAIT_ARGS)
    first = point.start('upgrade_session', state='resumed', **args)
    if while_held:
        point.until('the resume in flight', in_flight(RESUME))
        time.sleep(rng.uniform(0, 0.9) * hold_ms / 1000.0)
    else:
        point.until('the resume answered', lambda s: s['sessions'][0]['status_name'] != 'Upgrade_Paused')
        time.sleep(rng.uniform(0, 0.3))
    first.kill()
    again = point.start('upgrade_session', state='resumed', **args).result()
    assert not again.get('failed'), (where, again.get('msg'))
    # the rerun resumed it only if the array had not taken the first resume yet
    assert again['action'] in ('resumed', 'none'), (where, again)
    waited = point.start('upgrade_session', state='present', version=TARGET, **args).result()
    assert_done(waited, where)
    assert waited['changed'] is False, (where, waited['action'], waited.get('msg'))
    point.assert_upgraded_once()
    assert len(point.applied(RESUME)) == 1, (where, [(r['path'], r['status']) for r in point.log()
                                                     if r['method'] == 'POST'])
    assert point.applied(CREATE) == [], where
