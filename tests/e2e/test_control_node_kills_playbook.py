# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The control node dies during a fleet upgrade (#13 §1): SIGKILL, then the same command again.

A fleet of three arrays upgraded at once by unity.upgrade.upgrade (serial 3): array-1 needs the package
uploaded, array-2 has it, array-3 has a session paused before the reboots that the run resumes. The
simulator holds array-2's create and array-3's resume a seeded time before it applies them and stalls
array-1's upload at a seeded byte, so that each kill point is reached exactly:

- ansible-playbook and every process it started (what an evicted AWX pod or a closed laptop does) are killed
  during the upload, between the create and its answer, during the resume, at a seeded moment of the
  wait, or while the report is being written;
- only module processes are killed (ansible-playbook goes on and records the arrays as failed): each
  array's at its point (upload, create, resume) in one run, or every waiting one at a seeded moment. The
  modules' Python is then ansible-playbook's behind a wrapper script, so that upgrade_session's wait runs in
  a module process: with ansible-playbook's own Python it runs in ansible-playbook's worker for the task;
- so only the workers that wait are killed, at a seeded moment of the wait: ansible-core then ends the whole
  run ("A worker was found in a dead state"), as when the control node dies.

Then the same command again. It converges to what an undisturbed run reaches: each array upgraded
once, exactly one session and one applied create (array-3: one applied resume, no create), one whole
candidate, and a report that shows each array once, ``upgraded`` or, when the killed run had finished
it, ``current``. The report files are never half written (written, then renamed).

The module-level kill points are in test_control_node_kills.py. Reproduce one with ``-k``; another base
seed: ``UNITY_KILL_SEED``.
"""


import json
import os
import random
import signal
import sys
import time

import pytest

from e2e_helpers import Admin, UPLOAD, fleet_vars, read_report, start_simulator, tcp_peer_ports, wait_until
from unity_sim.packages import write_candidate

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SCALE = 600
PACKAGE_BYTES = 16 << 20
BASE_SEED = int(os.environ.get('UNITY_KILL_SEED', '20261130')) + 50000
CREATE = 'Session/instances'
RESUME = '/action/resume'
ARRAYS = ('array-1', 'array-2', 'array-3')
POINTS = ['group-upload', 'group-create', 'group-resume', 'group-wait', 'group-report',
          'modules-at-their-requests', 'modules-while-waiting', 'workers-while-waiting']


def held(path_part, delay_ms):
    return {'start': 0, 'duration': 10 ** 6, 'kind': 'slow', 'delay_ms': delay_ms, 'method': 'POST',
            'path': path_part}


class Fleet:
    """The three arrays of one kill point, their seeded holds, and the checks of what they saw."""

    def __init__(self, sim, rng):
        self.sim = sim
        self.admin = Admin(sim)
        self.rng = rng
        self.cut = rng.choice([rng.randrange(1, 1 << 20), rng.randrange(1 << 20, PACKAGE_BYTES)])
        self.create_hold_ms = rng.randrange(600, 1800)
        self.resume_hold_ms = rng.randrange(600, 1800)
        base = {'software_version': BEFORE, 'upgrade_minutes': 30, 'upload_processing_seconds': 0.2 * SCALE}
        scenarios = {
            'array-1': dict(base, upload_stall_at_bytes=self.cut, upload_stall_seconds=5 * SCALE),
            'array-2': dict(base, candidate={'version': TARGET}, faults=[held(CREATE, self.create_hold_ms)]),
            'array-3': dict(base, sessions=[{'status': 'Upgrade_Paused', 'candidate_version': TARGET}],
                            faults=[held(RESUME, self.resume_hold_ms)]),
        }
        for name, scenario in scenarios.items():
            sim.put_scenario(name, scenario)
            sim.clear_requests(name)
        self.uploads_before = self.state('array-1')['uploads']['completed']

    def state(self, name):
        return self.admin.state(name)

    def port(self, name):
        return self.sim.array(name)['port']

    @staticmethod
    def until(what, predicate, timeout=60.0):
        wait_until(what, predicate, timeout)

    def flying(self, name, path_part):
        return lambda: any(r['method'] == 'POST' and path_part in r['path']
                           for r in self.state(name)['in_flight'])

    def upload_stalled(self):
        state = self.state('array-1')
        return state['uploads']['in_progress'] >= 1 and 'upload_stall_at_bytes' not in state['pending']

    def running(self, name):
        return lambda: any(s['status_name'] == 'Upgrade_In_Progress' for s in self.state(name)['sessions'])

    def applied(self, name, path_part):
        return [r for r in self.admin.requests(name) if r['method'] == 'POST' and path_part in r['path']
                and 200 <= r['status'] < 300]


@pytest.fixture(scope='module')
def fleet_sim(tmp_path_factory):
    running = start_simulator(str(tmp_path_factory.mktemp('kill-fleet')), arrays=len(ARRAYS), time_scale=SCALE)
    yield running
    running.stop()


@pytest.fixture(scope='module')
def package(tmp_path_factory):
    return write_candidate(str(tmp_path_factory.mktemp('package')), TARGET, PACKAGE_BYTES)


def kill_module(fleet, run, module, name):
    """SIGKILL the ``module`` processes that talk to array ``name`` (every one when None), as soon as
    there is one."""
    found = []

    def present():
        found[:] = run.module_processes(module, port=fleet.port(name) if name else None)
        return bool(found)

    try:
        fleet.until('a %s process of %s' % (module, name), present, timeout=30)
    except AssertionError:
        raise AssertionError('no %s process talks to %s (port %s); processes: %s' % (
            module, name, fleet.port(name), dict((pid, (cmd[:160], sorted(tcp_peer_ports(pid))))
                                                 for pid, cmd in run.processes().items())))
    for pid in found:
        os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize('point', POINTS)
def test_fleet_run_killed_then_run_again_converges(fleet_sim, package, start_playbook, tmp_path, point):
    seed = BASE_SEED + POINTS.index(point)
    rng = random.Random(seed)
    where = '%s (seed %d)' % (point, seed)
    fleet = Fleet(fleet_sim, rng)
    inventory = fleet_sim.write_inventory(tmp_path / 'inventory.yml')
    report_dir = tmp_path / 'report'
    extra = fleet_vars(report_dir, unity_upgrade_candidate_src=package, unity_upgrade_serial=len(ARRAYS),
                       unity_upgrade_continue_after_pause=True, unity_upgrade_outage_tolerance=60)

    if point.startswith('modules-'):
        extra['ansible_python_interpreter'] = wrapped_python(tmp_path)

    killed = start_playbook('unity.upgrade.upgrade', inventory=inventory, extra_vars=extra)
    if point == 'workers-while-waiting':
        for name in ARRAYS:
            fleet.until('%s upgrading' % name, fleet.running(name))
        time.sleep(rng.uniform(0, 1.5))
        workers = [pid for pid, command in killed.processes().items()
                   if pid != killed.proc.pid and 'ansible-playbook' in command and 'AnsiballZ' not in command]
        assert workers, (where, killed.processes())
        assert not killed.module_processes('upgrade_session'), (where, killed.processes())
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        run = killed.run(300)
        assert run.rc != 0, (where, run.stdout[-3000:])
        assert 'Traceback' not in run.stdout, (where, run.stdout[-3000:])
    elif point.startswith('group-'):
        trigger = point[len('group-'):]
        if trigger == 'upload':
            fleet.until('array-1 upload stalled', fleet.upload_stalled)
        elif trigger == 'create':
            fleet.until('array-2 create in flight', fleet.flying('array-2', CREATE))
            time.sleep(rng.uniform(0, 0.8) * fleet.create_hold_ms / 1000.0)
        elif trigger == 'resume':
            fleet.until('array-3 resume in flight', fleet.flying('array-3', RESUME))
            time.sleep(rng.uniform(0, 0.8) * fleet.resume_hold_ms / 1000.0)
        elif trigger == 'wait':
            for name in ARRAYS:
                fleet.until('%s upgrading' % name, fleet.running(name))
            time.sleep(rng.uniform(0, 2.5))
        else:
            fleet.until('the report being written', lambda: killed.saw('TASK [Write report.json and report.html]'))
            # rendering the two files takes most of this; report_file writes each in milliseconds, so the kill
            # lands while rendering, while writing or after
            time.sleep(rng.uniform(0, 0.25))
        killed.kill_all()
        assert killed.proc.returncode == -signal.SIGKILL, (where, killed.stdout[-3000:])
    else:
        if point == 'modules-at-their-requests':
            fleet.until('array-1 upload stalled', fleet.upload_stalled)
            kill_module(fleet, killed, 'upgrade_candidate', 'array-1')
            fleet.until('array-2 create in flight', fleet.flying('array-2', CREATE))
            time.sleep(rng.uniform(0, 0.5) * fleet.create_hold_ms / 1000.0)
            kill_module(fleet, killed, 'upgrade_session', 'array-2')
            fleet.until('array-3 resume in flight', fleet.flying('array-3', RESUME))
            time.sleep(rng.uniform(0, 0.5) * fleet.resume_hold_ms / 1000.0)
            kill_module(fleet, killed, 'upgrade_session', 'array-3')
        else:
            # between two polls a waiting module holds no connection: which array each one waits for
            # does not show, so every waiting module process dies at once
            for name in ARRAYS:
                fleet.until('%s upgrading' % name, fleet.running(name))
            time.sleep(rng.uniform(0, 1.5))
            kill_module(fleet, killed, 'upgrade_session', None)
        # ansible-playbook itself lives on: each array whose module died is failed, each recorded once
        run = killed.run(300)
        assert run.rc != 0, (where, run.stdout[-3000:])
        data, _rows, _page = read_report(report_dir)
        assert sorted(a['array'] for a in data['arrays']) == list(ARRAYS), (where, data['arrays'])
        outcomes = dict((a['array'], a['outcome']) for a in data['arrays'])
        if point == 'modules-at-their-requests':
            assert outcomes == dict.fromkeys(ARRAYS, 'failed'), (where, outcomes)
        else:
            assert 'failed' in outcomes.values() and set(outcomes.values()) <= {'failed', 'upgraded'}, (where, outcomes)

    assert_report_files_whole(report_dir, where)
    rerun = start_playbook('unity.upgrade.upgrade', inventory=inventory, extra_vars=extra).run(300)
    assert rerun.rc == 0, (where, rerun.stdout[-4000:])
    assert all(rerun.recap()[name]['failed'] == 0 for name in ARRAYS), (where, rerun.recap())
    assert_converged(fleet, where)
    data, rows, _page = read_report(report_dir)
    assert sorted(a['array'] for a in data['arrays']) == list(ARRAYS), (where, data['arrays'])
    assert len(rows) == len(ARRAYS), (where, rows)
    for record in data['arrays']:
        # the array may finish the upgrade the killed run started before the rerun reads it: current
        expected = 'current' if record['version_before'] == TARGET else 'upgraded'
        assert (record['outcome'], record['version_after']) == (expected, TARGET), (where, record)


def wrapped_python(tmp_path):
    """ansible-playbook's Python behind a wrapper script: another interpreter to Ansible, so every module runs in a
    module process, upgrade_session's wait too."""
    path = tmp_path / 'python-wrapped'
    path.write_text('#!/bin/sh\nexec %s "$@"\n' % sys.executable)
    path.chmod(0o755)
    return str(path)


def assert_report_files_whole(report_dir, where):
    """After a kill, a report file is absent or whole: never half written."""
    path = os.path.join(str(report_dir), 'report.json')
    if os.path.exists(path):
        with open(path) as handle:
            data = json.load(handle)
        names = [a['array'] for a in data['arrays']]
        assert len(names) == len(set(names)), (where, names)
    path = os.path.join(str(report_dir), 'report.html')
    if os.path.exists(path):
        with open(path) as handle:
            assert handle.read().rstrip().endswith('</html>'), where


def assert_converged(fleet, where):
    for name in ARRAYS:
        state = fleet.state(name)
        assert state['software_version'] == TARGET, (where, name, state['software_version'])
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], (where, name, state['sessions'])
    assert len(fleet.applied('array-1', CREATE)) == len(fleet.applied('array-2', CREATE)) == 1, where
    assert fleet.applied('array-3', CREATE) == [] and len(fleet.applied('array-3', RESUME)) == 1, where
    state = fleet.state('array-1')
    assert state['uploads']['completed'] - fleet.uploads_before == 1, (where, state['uploads'])
    assert state['pending_candidate'] is None, (where, state['pending_candidate'])
    if state['candidate'] is not None:
        assert (state['candidate']['version'], state['candidate']['bytes']) == (TARGET, PACKAGE_BYTES), where
    assert len([r for r in fleet.admin.requests('array-1') if r['path'] == UPLOAD]) <= 2, where
