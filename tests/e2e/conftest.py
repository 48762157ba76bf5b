# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared fixtures of the e2e tests: the simulator (through its CLI contract only)
and ansible-playbook runs against it with the collection installed.

- ``collections_path``: a collections tree holding unity.upgrade (the one
  ``$UNITY_COLLECTIONS_PATH`` or ``$ANSIBLE_COLLECTIONS_PATH`` names if it has it,
  as ``make e2e`` does with the installed tarball; else a copy of this checkout).
- ``start_sim(**options)``: starts ``python -m unity_sim`` through ``unity_sim.launcher``
  (``e2e_helpers.start_simulator``) and returns a ``Sim`` (arrays, ca_file, admin helpers,
  write_inventory); stopped at the end of the test.
- ``sim``: one simulator for the whole session (8 arrays, time scale 60); tests
  claim an array by name and ``put_scenario`` it first, which resets that array.
- ``run_play(tasks, ...)``: runs a one-play playbook on localhost and returns a
  ``PlayRun`` (rc, stdout, and every task's result from the record_results callback).
- ``start_playbook(playbook, ...)``: starts ansible-playbook and returns a ``PlaybookProcess`` (its
  output line by line, its module processes, SIGKILL of it and all it started).
- ``in_process``: the collection's modules run in this process (``e2e_helpers.InProcess``).

What test files share besides fixtures is in e2e_helpers.py.
"""


import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import yaml

from e2e_helpers import REPO, InProcess, PlaybookProcess, PlayRun, read_records, start_simulator

COLLECTION_PARTS = ('galaxy.yml', 'meta', 'plugins', 'roles', 'playbooks', 'README.md')


@pytest.fixture
def start_sim(tmp_path):
    started = []

    def factory(**options):
        sim = start_simulator(str(tmp_path), **options)
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        sim.stop()


@pytest.fixture(scope='session')
def sim(tmp_path_factory):
    running = start_simulator(str(tmp_path_factory.mktemp('sim')), arrays=8, time_scale=60)
    yield running
    running.stop()


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory):
    # make e2e installs the built tarball and exports its path: test the artifact.
    for prepared in (os.environ.get('UNITY_COLLECTIONS_PATH'), os.environ.get('ANSIBLE_COLLECTIONS_PATH')):
        if prepared and os.path.isdir(os.path.join(prepared, 'ansible_collections', 'unity', 'upgrade')):
            return prepared
    root = str(tmp_path_factory.mktemp('collections'))
    target = os.path.join(root, 'ansible_collections', 'unity', 'upgrade')
    os.makedirs(target)
    for part in COLLECTION_PARTS:
        source = os.path.join(REPO, part)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(target, part),
                            ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        elif os.path.exists(source):
            shutil.copy(source, target)
    return root


def playbook_command(collections_path, workdir, playbook, extra_vars=None, check=False, diff=False, verbosity=0,
                     env=None, inventory=None, args=()):
    """(argv, environment, records file) of an ansible-playbook run in ``workdir``; ``playbook`` is a path
    or a list of plays."""
    if not isinstance(playbook, str):
        path = os.path.join(workdir, 'playbook.yml')
        with open(path, 'w') as handle:
            yaml.safe_dump(playbook, handle, sort_keys=False)
        playbook = path
    records_path = os.path.join(workdir, 'records.json')
    argv = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook]
    argv += ['-i', inventory or 'localhost,']
    if extra_vars:
        vars_path = os.path.join(workdir, 'extra_vars.json')
        with open(vars_path, 'w') as handle:
            json.dump(extra_vars, handle)
        argv += ['-e', '@' + vars_path]
    if check:
        argv.append('--check')
    if diff:
        argv.append('--diff')
    if verbosity:
        argv.append('-' + 'v' * verbosity)
    argv += list(args)
    run_env = dict(os.environ)
    run_env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_path,
        'ANSIBLE_CALLBACK_PLUGINS': os.path.join(os.path.dirname(__file__), 'callback_plugins'),
        'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
        'RECORD_RESULTS_FILE': records_path,
        'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'ANSIBLE_HOST_KEY_CHECKING': 'false',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_RETRY_FILES_ENABLED': 'false',
        'ANSIBLE_LOCAL_TEMP': os.path.join(workdir, 'tmp'),
    })
    run_env.update(env or {})
    return argv, run_env, records_path


@pytest.fixture
def run_playbook(collections_path, tmp_path):
    """Run a playbook (path or list of plays) and return a PlayRun."""

    def runner(playbook, timeout=900, **options):
        workdir = tempfile.mkdtemp(dir=str(tmp_path))
        argv, run_env, records_path = playbook_command(collections_path, workdir, playbook, **options)
        done = subprocess.run(argv, capture_output=True, text=True, env=run_env, cwd=workdir,
                              timeout=timeout, stdin=subprocess.DEVNULL, check=False)
        return PlayRun(done.returncode, done.stdout, done.stderr, read_records(records_path))

    return runner


@pytest.fixture
def start_playbook(collections_path, tmp_path):
    """Start a playbook in a session of its own, its output read line by line (e2e_helpers.PlaybookProcess);
    whatever is left of it is killed at the end of the test."""
    started = []

    def starter(playbook, **options):
        workdir = tempfile.mkdtemp(dir=str(tmp_path))
        argv, run_env, records_path = playbook_command(collections_path, workdir, playbook, **options)
        started.append(PlaybookProcess(argv, run_env, workdir, records_path))
        return started[-1]

    yield starter
    for process in started:
        process.kill_all()


@pytest.fixture
def run_play(run_playbook):
    """Run tasks in one play on localhost (connection local, no facts)."""

    def runner(tasks, play_vars=None, module_defaults=None, **kwargs):
        play = {'name': 'e2e', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
                'vars': dict(play_vars or {}), 'tasks': tasks}
        if module_defaults:
            play['module_defaults'] = {'group/unity.upgrade.unity': module_defaults}
        return run_playbook([play], **kwargs)

    return runner


@pytest.fixture
def in_process(collections_path, monkeypatch):
    """The collection's modules run in this process, many threads at once (e2e_helpers.InProcess)."""
    return InProcess(collections_path, monkeypatch)
