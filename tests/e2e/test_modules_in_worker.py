# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every module of the collection runs in ansible-playbook's worker when it would run with ansible-playbook's
own Python (no module process at all), and in a module process otherwise, with the same results: the reads,
the upload, the start of a session, check mode, a refused login.

Every Python started during the run records its script (test_upgrade_session_in_worker.recorded_starts)."""


import os
import re

from e2e_helpers import sha256_of

from unity_sim.packages import write_candidate

from test_upgrade_session_in_worker import recorded_starts, starts, wrapper_interpreter

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
MODULES = ('info', 'upgrade_eligibility_info', 'upgrade_candidate', 'upgrade_session')
# what differs between two runs on two simulators: times, rates, ids, ports, temporary paths
VARYING = ('ca_path', 'src', 'mib_per_second', 'seconds', 'seconds_left', 'rate', 'bytes_per_second', 'elapsed', 'time', 'id', 'port', 'waited_seconds')


def plays(sim, package, checksum, interpreter=None):
    connection = sim.connection('array-1')
    wrong = dict(connection, password='not-the-password')
    tasks = [
        {'name': 'read', 'unity.upgrade.info': {}, 'register': 'out'},
        {'name': 'eligible', 'unity.upgrade.upgrade_eligibility_info': {}, 'register': 'out'},
        {'name': 'plan the upload', 'unity.upgrade.upgrade_candidate': {'src': package, 'checksum': checksum},
         'check_mode': True, 'register': 'out'},
        {'name': 'upload', 'unity.upgrade.upgrade_candidate': {'src': package, 'checksum': checksum}, 'register': 'out'},
        {'name': 'upload again', 'unity.upgrade.upgrade_candidate': {'src': package, 'checksum': checksum},
         'register': 'out'},
        {'name': 'plan the start', 'unity.upgrade.upgrade_session': {'version': TARGET, 'wait': False},
         'check_mode': True, 'register': 'out'},
        {'name': 'start', 'unity.upgrade.upgrade_session': {'version': TARGET, 'wait': False}, 'register': 'out'},
        {'name': 'start again', 'unity.upgrade.upgrade_session': {'version': TARGET, 'wait': False},
         'register': 'out'},
        {'name': 'refused', 'unity.upgrade.info': wrong, 'register': 'out', 'ignore_errors': True},
        {'name': 'hidden', 'unity.upgrade.info': {'gather_subset': ['system']}, 'no_log': True, 'register': 'out'},
    ]
    play = {'name': 'every module', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'vars': {},
            'tasks': [{'block': tasks, 'module_defaults': {'group/unity.upgrade.unity': connection}}]}
    if interpreter:
        play['vars']['ansible_python_interpreter'] = interpreter
    return [play]


def run_modules(start_sim, run_playbook, tmp_path, package, interpreter=None):
    tmp_path.mkdir()
    sim = start_sim(scenario={'software_version': BEFORE})
    site, log = recorded_starts(tmp_path)
    env = {'PYTHONPATH': os.pathsep.join([site] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])}
    run = run_playbook(plays(sim, package, 'sha256:' + sha256_of(package), interpreter(tmp_path) if interpreter else None),
                       timeout=180, env=env, verbosity=3)
    assert run.rc == 0, run.stdout[-3000:]
    password = sim.connection('array-1')['password']
    shown = [line for line in run.stdout.splitlines() if not (interpreter and line.startswith('<localhost> EXEC '))]
    assert password not in '\n'.join(shown) and password not in run.stderr
    assert 'not-the-password' not in '\n'.join(shown)
    assert 'Traceback' not in run.stdout and 'Traceback' not in run.stderr
    check_results(sim, run)
    return run, starts(log)


def check_results(sim, run):
    read, eligible = run.result('read'), run.result('eligible')
    assert read['changed'] is False and read['installed_version'] == BEFORE, read
    assert eligible['changed'] is False and eligible['eligible'] is True, eligible
    planned, uploaded, again = run.result('plan the upload'), run.result('upload'), run.result('upload again')
    assert planned['changed'] is True and uploaded['changed'] is True and again['changed'] is False
    assert uploaded['candidate']['version'] == TARGET, uploaded
    assert len([r for r in sim.requests('array-1') if r['method'] == 'POST' and r['path'].startswith('/upload/')]) == 1
    plan, started, adopted = run.result('plan the start'), run.result('start'), run.result('start again')
    assert (plan['changed'], plan['action']) == (True, 'created'), plan
    assert (started['changed'], started['action']) == (True, 'created'), started
    assert (adopted['changed'], adopted['action']) == (False, 'adopted'), adopted
    creates = [r for r in sim.requests('array-1') if r['method'] == 'POST' and r['path'].endswith('Session/instances')]
    assert len(creates) == 1, creates
    refused = run.result('refused')
    assert run.status('refused') == 'failed' and '\n' not in refused['msg'] and 'password' in refused['msg'], refused
    assert refused['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    hidden = run.result('hidden')
    assert 'system' not in hidden and hidden.get('censored'), hidden


def masked(message):
    return re.sub(r'[0-9.]+ s, [0-9.]+ MiB/s', 'TIME', re.sub(r'//127\.0\.0\.1:[0-9]+', '//ARRAY', message))


def shape(value):
    """A result with what varies between runs (times, rates, ids, the port) taken out, and the numbers of its
    messages (an upload's time and rate, the array's port) masked."""
    if isinstance(value, dict):
        return dict((key, masked(item) if key == 'msg' else shape(item))
                    for key, item in value.items() if not any(key == v or key.endswith('_' + v) for v in VARYING))
    if isinstance(value, list):
        return [shape(item) for item in value]
    return value


def differences(ours, theirs, path=''):
    """Where two results differ: [(path, ours, theirs)]."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return [d for key in sorted(set(ours) | set(theirs))
                for d in differences(ours.get(key), theirs.get(key), '%s.%s' % (path, key))]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [d for i, (a, b) in enumerate(zip(ours, theirs)) for d in differences(a, b, '%s[%d]' % (path, i))]
    return [] if ours == theirs else [(path, ours, theirs)]


TASKS = ('read', 'eligible', 'plan the upload', 'upload', 'upload again', 'plan the start', 'start', 'start again',
         'refused', 'hidden')


def test_every_module_runs_in_the_worker_and_as_a_module_process_alike(start_sim, run_playbook, tmp_path):
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)  # one path for both runs: it is in the results
    worker, started = run_modules(start_sim, run_playbook, tmp_path / 'worker', package)
    assert started and all('AnsiballZ' not in line for line in started), started
    for module in MODULES:
        assert 'unity.upgrade.%s: running' % module in worker.stdout, module
    assert worker.stdout.count('in the worker process (no module process)') == len(TASKS)
    # ansible-playbook imported each module's code as it loaded the action, before it forked the workers
    assert worker.stdout.count('its code imported ahead by ansible-playbook') == len(TASKS), worker.stdout[-3000:]

    wrapped, started = run_modules(start_sim, run_playbook, tmp_path / 'wrapped', package, interpreter=wrapper_interpreter)
    ran = [line.rsplit(' ', 1)[-1] for line in started if 'AnsiballZ_' in line]
    assert sorted(set(ran)) == sorted('AnsiballZ_%s.py' % m for m in MODULES), started
    assert len(ran) == len(TASKS), started
    assert 'in the worker process' not in wrapped.stdout
    for task in TASKS:
        ours, theirs = worker.result(task), wrapped.result(task)
        assert sorted(ours) == sorted(theirs), task
        assert shape(ours) == shape(theirs), (task, differences(shape(ours), shape(theirs)))
