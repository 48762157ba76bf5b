# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared fixtures of the e2e tests: the simulator (through its CLI contract only)
and ansible-playbook runs against it with the collection installed.

- ``collections_path``: a collections tree holding unity.upgrade (the one
  ``$UNITY_COLLECTIONS_PATH`` or ``$ANSIBLE_COLLECTIONS_PATH`` names if it has it,
  as ``make e2e`` does with the installed tarball; else a copy of this checkout).
- ``start_sim(**options)``: starts ``python -m unity_sim`` with CLI options, reads
  its ready line, and returns a ``Sim`` (arrays, ca_file, admin helpers); stopped
  at the end of the test.
- ``sim``: one simulator for the whole session (8 arrays, time scale 60); tests
  claim an array by name and ``put_scenario`` it first, which resets that array.
- ``run_play(tasks, ...)``: runs a one-play playbook on localhost and returns a
  ``PlayRun`` (rc, stdout, and every task's result from the record_results callback).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser

import pytest
import requests
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TESTS = os.path.join(REPO, 'tests')
COLLECTION_PARTS = ('galaxy.yml', 'meta', 'plugins', 'roles', 'playbooks', 'README.md')


class Sim:
    """A running simulator; only the CLI, the ready line and the admin API are used."""

    def __init__(self, process, ready, stderr_path):
        self.process = process
        self.ready = ready
        self.admin = ready['admin']
        self.ca_file = ready['ca_file']
        self.arrays = dict((a['name'], a) for a in ready['arrays'])
        # A reset without credentials brings back the ones of the ready line.
        self._run_credentials = dict((a['name'], (a['username'], a['password'])) for a in ready['arrays'])
        self.stderr_path = stderr_path

    def array(self, name):
        return self.arrays[name]

    def connection(self, name):
        """Module options that reach one array, verifying TLS against the simulator's CA."""
        array = self.arrays[name]
        return {'unispherehost': array['host'], 'port': array['port'], 'username': array['username'],
                'password': array['password'], 'ca_path': self.ca_file}

    def put_scenario(self, name, scenario):
        response = requests.put('%s/arrays/%s/scenario' % (self.admin, name), json=scenario, timeout=10)
        response.raise_for_status()
        array = self.arrays[name]
        username, password = self._run_credentials[name]
        array['username'] = scenario.get('username', username)
        array['password'] = scenario.get('password', password)
        return response.json() if response.content else None

    def state(self, name):
        response = requests.get('%s/arrays/%s' % (self.admin, name), timeout=10)
        response.raise_for_status()
        return response.json()

    def requests(self, name):
        response = requests.get('%s/arrays/%s/requests' % (self.admin, name), timeout=10)
        response.raise_for_status()
        return response.json()

    def clear_requests(self, name):
        requests.delete('%s/arrays/%s/requests' % (self.admin, name), timeout=10).raise_for_status()

    def changing_requests(self, name):
        """Requests that could change the array: every POST/DELETE but login bookkeeping."""
        return [r for r in self.requests(name) if r['method'] in ('POST', 'DELETE', 'PUT', 'PATCH')
                and not r['path'].startswith('/api/types/loginSessionInfo/')]

    def modifying_requests(self, name):
        """changing_requests less the eligibility check: a POST by the API's design, read-only
        by its nature, which check mode runs for real."""
        return [r for r in self.changing_requests(name)
                if not r['path'].endswith('/action/verifyUpgradeEligibility')]

    def write_inventory(self, path, host_vars=None):
        """An inventory of group unity, one host per array, as the role's variables expect."""
        hosts = {}
        for name, array in sorted(self.arrays.items()):
            hosts[name] = dict({'ansible_host': array['host'], 'unity_upgrade_port': array['port'],
                                'unity_upgrade_username': array['username'],
                                'unity_upgrade_password': array['password'],
                                'unity_upgrade_ca_path': self.ca_file}, **(host_vars or {}).get(name, {}))
        with open(str(path), 'w') as handle:
            yaml.safe_dump({'unity': {'hosts': hosts}}, handle)
        return str(path)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _start_sim(tmp_dir, **options):
    options.setdefault('arrays', 1)
    options.setdefault('port', 0)
    options.setdefault('admin_port', 0)
    options.setdefault('time_scale', 60)
    scenario = options.pop('scenario', None)
    argv = [sys.executable, '-m', 'unity_sim']
    if scenario is not None:
        path = os.path.join(tmp_dir, 'scenario.json')
        with open(path, 'w') as handle:
            json.dump(scenario, handle)
        argv += ['--scenario', path]
    for key, value in options.items():
        argv += ['--' + key.replace('_', '-'), str(value)]
    env = dict(os.environ, PYTHONPATH=TESTS)
    stderr_path = os.path.join(tmp_dir, 'sim.stderr')
    stderr = open(stderr_path, 'w')
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL,
                               env=env, cwd=REPO, text=True)
    stderr.close()
    line = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(30)
    if not line or not line[0].strip():
        process.kill()
        with open(stderr_path) as handle:
            raise RuntimeError('the simulator did not get ready: %s' % handle.read()[-2000:])
    return Sim(process, json.loads(line[0]), stderr_path)


@pytest.fixture
def start_sim(tmp_path):
    started = []

    def factory(**options):
        sim = _start_sim(str(tmp_path), **options)
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        sim.stop()


@pytest.fixture(scope='session')
def sim(tmp_path_factory):
    running = _start_sim(str(tmp_path_factory.mktemp('sim')), arrays=8, time_scale=60)
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


class PlayRun:
    def __init__(self, rc, stdout, stderr, records):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.records = records

    def result(self, task_name):
        """The result of the (last) task of that name."""
        found = [r for r in self.records if r['task'] == task_name]
        if not found:
            raise KeyError('no result for task %r; tasks seen: %s'
                           % (task_name, [r['task'] for r in self.records]))
        return found[-1]['result']

    def recap(self):
        """{host: {ok, changed, failed, ...}} from the PLAY RECAP."""
        counts = {}
        for line in self.stdout.split('PLAY RECAP')[-1].splitlines():
            match = re.match(r'^(\S+)\s+:\s+(.*)$', line.strip())
            if match:
                counts[match.group(1)] = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', match.group(2)))
        return counts

    def status(self, task_name):
        return [r for r in self.records if r['task'] == task_name][-1]['status']


@pytest.fixture
def run_playbook(collections_path, tmp_path):
    """Run a playbook (path or list of plays) and return a PlayRun."""

    def runner(playbook, extra_vars=None, check=False, diff=False, verbosity=0, env=None,
               inventory=None, timeout=900, args=()):
        workdir = tempfile.mkdtemp(dir=str(tmp_path))
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
        done = subprocess.run(argv, capture_output=True, text=True, env=run_env, cwd=workdir,
                              timeout=timeout, stdin=subprocess.DEVNULL, check=False)
        records = []
        if os.path.exists(records_path):
            with open(records_path) as handle:
                records = json.load(handle)
        return PlayRun(done.returncode, done.stdout, done.stderr, records)

    return runner


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
    """The collection's modules run in this process, many threads at once (test_faults_harness)."""
    from test_faults_harness import InProcess  # pylint: disable=import-outside-toplevel
    return InProcess(collections_path, monkeypatch)


# ---------------------------------------------------------------- fleet playbooks (test_playbooks_*.py)

class _ReportTable(HTMLParser):
    """The rows of report.html's table, as lists of cell texts."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.rows = []
        self._cell = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == 'tbody':
            self._in_body = True
        elif tag == 'tr' and self._in_body:
            self.rows.append([])
        elif tag == 'td' and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == 'td' and self._cell is not None:
            self.rows[-1].append(' '.join(' '.join(self._cell).split()))
            self._cell = None
        elif tag == 'tbody':
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_report(report_dir):
    """(report.json as data, report.html's table rows as cell texts, report.html as text)."""
    with open(os.path.join(str(report_dir), 'report.json')) as handle:
        data = json.load(handle)
    parser = _ReportTable()
    with open(os.path.join(str(report_dir), 'report.html')) as handle:
        page = handle.read()
    parser.feed(page)
    return data, parser.rows, page


def fleet_vars(report_dir, **extra):
    """Extra variables of a quick fleet run against the simulator (target 5.3.0.0.5.120)."""
    return dict({'unity_upgrade_target_version': '5.3.0.0.5.120', 'unity_upgrade_poll_interval': 1,
                 'unity_upgrade_progress_interval': 4, 'unity_upgrade_outage_tolerance': 120,
                 'unity_upgrade_report_dir': str(report_dir)}, **extra)
