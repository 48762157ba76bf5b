# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where upgrade_session's wait runs: in ansible-playbook's worker for the task when the module would run
with ansible-playbook's own Python (no module process), in a module process otherwise; the same result
either way.

Every Python started during the run records its script (a sitecustomize on PYTHONPATH): a module process
is a start of ``AnsiballZ_upgrade_session.py``. The fallback's interpreter is a wrapper script around the
same Python, which Ansible cannot know to be the playbook's."""


import os
import re
import sys

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SCALE = 240
UPGRADE = {'software_version': BEFORE, 'candidate': {'version': TARGET}, 'upgrade_minutes': 30,
           'reboot_outage_seconds': 200, 'service_restart_seconds': 60}
WAIT = {'poll_interval': 0.2, 'outage_tolerance': 60, 'wait_timeout': 300, 'progress_interval': 1}
# what may differ between two runs of the same wait on two arrays: times, counts of reads, ids
TIMING = ('msg', 'outages', 'progress', 'session', 'waited_seconds', 'relogins', 'reads', 'polls')


def recorded_starts(tmp_path):
    """(PYTHONPATH entry, log): a sitecustomize that appends the script of each Python start to the log."""
    site = tmp_path / 'site'
    site.mkdir()
    log = tmp_path / 'python-starts.log'
    (site / 'sitecustomize.py').write_text(
        'import os, sys\n'
        'with open(%r, "a") as _log:\n'
        '    _log.write("%%d %%s\\n" %% (os.getpid(), os.path.basename(sys.argv[0]) if sys.argv else ""))\n' % str(log))
    return str(site), log


def starts(log):
    return log.read_text().splitlines() if log.exists() else []


def wrapper_interpreter(tmp_path):
    """An interpreter that is not ansible-playbook's by its path, though it runs the same Python."""
    path = tmp_path / 'python-wrapped'
    path.write_text('#!/bin/sh\necho "$@" >> %s.log\nexec %s "$@"\n' % (path, sys.executable))
    path.chmod(0o755)
    return str(path)


def plays(sim, interpreter=None):
    connection = sim.connection('array-1')
    # no CA: the warning that says so comes with the result, as a module process returns it
    del connection['ca_path']
    connection['validate_certs'] = False
    tasks = [
        {'name': 'upgrade', 'unity.upgrade.upgrade_session': dict(WAIT, version=TARGET), 'register': 'out'},
        {'name': 'refused', 'unity.upgrade.upgrade_session': dict(WAIT, candidate='no-such-candidate'),
         'register': 'out', 'ignore_errors': True},
    ]
    # the credentials in the task's environment (AWX puts them in ansible-playbook's own)
    environment = {'UNITY_HOST': connection['unispherehost'], 'UNITY_PORT': str(connection['port']),
                   'UNITY_USERNAME': connection['username'], 'UNITY_PASSWORD': connection['password'],
                   'UNITY_VALIDATE_CERTS': 'false'}
    play = {'name': 'wait', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'vars': {}, 'tasks': [
        {'block': tasks, 'module_defaults': {'group/unity.upgrade.unity': connection}},
        {'name': 'from the environment', 'unity.upgrade.upgrade_session': dict(WAIT, version=TARGET),
         'environment': environment, 'register': 'out'}]}
    if interpreter:
        play['vars']['ansible_python_interpreter'] = interpreter
    return [play]


def run_wait(start_sim, run_playbook, tmp_path, interpreter=None):
    sim = start_sim(time_scale=SCALE, scenario=UPGRADE)
    site, log = recorded_starts(tmp_path)
    env = {'PYTHONPATH': os.pathsep.join([site] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])}
    run = run_playbook(plays(sim, interpreter(tmp_path) if interpreter else None), timeout=180, env=env, verbosity=3)
    assert run.rc == 0, run.stdout[-3000:]
    password = sim.connection('array-1')['password']
    # ansible-core itself shows a task's environment in the command line of a module process at -vvv
    shown = [line for line in run.stdout.splitlines() if not (interpreter and line.startswith('<localhost> EXEC '))]
    assert password not in '\n'.join(shown) and password not in run.stderr
    assert 'Traceback' not in run.stdout and 'Traceback' not in run.stderr
    return sim, run, starts(log)


def check_results(run):
    done, refused, again = run.result('upgrade'), run.result('refused'), run.result('from the environment')
    assert (again['changed'], again['action'], again['session']) == (False, 'none', None), again
    assert again['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert (done['changed'], done['session']['status_name'], done['timed_out']) == (True, 'completed', False), done
    assert len(done['outages']) == 2, done['outages']
    assert any('validate_certs is false' in w for w in done['warnings']), done.get('warnings')
    assert done['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert run.status('refused') == 'failed'
    assert 'no-such-candidate' in refused['msg'] and '\n' not in refused['msg']
    assert refused['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    lines = re.findall(r'^localhost: \d+% .*$', run.stdout, re.MULTILINE)
    assert len(lines) >= 3, run.stdout[-3000:]
    return done, refused, again


def shape(result):
    """A result without what depends on the timing of one wait, or on the simulator's port."""
    shaped = dict((key, value) for key, value in result.items() if key not in TIMING)
    shaped['invocation'] = dict(module_args=dict(result['invocation']['module_args'], port=None))
    return shaped


def test_the_wait_runs_in_the_worker_with_no_module_process(start_sim, run_playbook, tmp_path):
    """With ansible-playbook's own Python (the role's ansible_playbook_python; here the conftest's
    ANSIBLE_PYTHON_INTERPRETER), no Python starts for upgrade_session; the result is the module's."""
    sim, run, started = run_wait(start_sim, run_playbook, tmp_path)
    assert started and all('AnsiballZ' not in line for line in started), started
    assert 'AnsiballZ_upgrade_session' not in run.stdout
    assert run.stdout.count('in the worker process (no module process)') == 3
    check_results(run)
    assert len([r for r in sim.requests('array-1') if r['method'] == 'POST' and r['path'].endswith('Session/instances')]) == 1


def test_another_interpreter_runs_the_module_process_with_the_same_result(start_sim, run_playbook, tmp_path):
    """An interpreter that is not ansible-playbook's by its path runs the module process, as before, and the
    result has the same shape as the worker's."""
    worker_dir, wrapped_dir = tmp_path / 'worker', tmp_path / 'wrapped'
    worker_dir.mkdir()
    wrapped_dir.mkdir()
    dummy, worker, dummy = run_wait(start_sim, run_playbook, worker_dir)
    in_worker = check_results(worker)
    dummy, wrapped, started = run_wait(start_sim, run_playbook, wrapped_dir, interpreter=wrapper_interpreter)
    assert len([line for line in started if line.endswith('AnsiballZ_upgrade_session.py')]) == 3, started
    assert 'in the worker process' not in wrapped.stdout
    assert 'is not the one running ansible-playbook' in wrapped.stdout
    in_process = check_results(wrapped)
    for ours, theirs in zip(in_worker, in_process):
        assert shape(ours) == shape(theirs)
        assert sorted(ours) == sorted(theirs)
