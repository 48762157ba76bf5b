# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the benchmarks share: the work directory, the simulator, ansible-playbook runs measured
with ``wait4`` (wall time and the CPU of the whole process tree), the request log, and the figures.

Nothing here asserts a time: every benchmark compares figures measured side by side in one run.
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
REPO = os.path.dirname(TESTS)
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)

from unity_sim.launcher import Simulator  # noqa: E402  (tests/ on sys.path first)

MIB = 1 << 20
GIB = 1 << 30
BEFORE = '5.2.0.0.5.173'
TARGET = '5.3.0.0.5.120'
LOGIN_PATH = '/api/types/loginSessionInfo/instances'
# Actions that only read (POST for transport reasons): not a change to the array.
READ_ONLY_ACTIONS = ('/action/verifyUpgradeEligibility',)
CALLBACKS = os.path.join(HERE, 'callback_plugins')


class BenchError(Exception):
    """A benchmark could not run (a missing tool, not enough disk, a failed playbook)."""


def log(message):
    print('bench: %s' % message, flush=True)


def venv_tool(name):
    """A tool next to the running interpreter (.venv/bin), else on PATH."""
    local = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(local):
        return local
    found = shutil.which(name)
    if not found:
        raise BenchError('%s is not installed (expected next to %s or on PATH); run make .venv'
                         % (name, sys.executable))
    return found


def require_tool(name, debian_package):
    path = shutil.which(name)
    if not path:
        raise BenchError('%s is missing: install it with `apt-get install -y %s` (see tests/bench/README.md)'
                         % (name, debian_package))
    return path


def installed_collection():
    """unity.upgrade as `make build` installed it (ANSIBLE_COLLECTIONS_PATH, else build/installed)."""
    roots = (os.environ.get('ANSIBLE_COLLECTIONS_PATH') or '').split(os.pathsep)
    for root in [r for r in roots if r] + [os.path.join(REPO, 'build', 'installed')]:
        path = os.path.join(root, 'ansible_collections', 'unity', 'upgrade')
        if os.path.isfile(os.path.join(path, 'MANIFEST.json')):
            return path
    raise BenchError('unity.upgrade is not installed in build/installed: run `make build` (make bench does)')


def free_bytes(path):
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def mem_available_bytes():
    try:
        with open('/proc/meminfo') as handle:
            for line in handle:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# -- the work directory ---------------------------------------------------------------------------

class Work:
    """build/bench/run-<time>: playbooks, logs, generated packages; removed unless kept."""

    def __init__(self, root, keep=False):
        os.makedirs(root, exist_ok=True)
        self.root = root
        self.path = os.path.join(root, 'run-%s-%d' % (time.strftime('%Y%m%d-%H%M%S'), os.getpid()))
        os.makedirs(self.path)
        self.keep = keep
        self.counter = 0
        # A copy of the installed collection: a `make build` run meanwhile does not change what is measured.
        self.collections = self.dir('collections')
        shutil.copytree(installed_collection(),
                        os.path.join(self.collections, 'ansible_collections', 'unity', 'upgrade'))
        self.config = self.file('ansible.cfg')
        with open(self.config, 'w') as handle:
            # A config of our own: no ~/.ansible.cfg or ./ansible.cfg changes what is measured.
            handle.write('[defaults]\nretry_files_enabled = False\nhost_key_checking = False\n'
                         'nocolor = True\ninterpreter_python = %s\n' % sys.executable)

    def role_defaults(self):
        """roles/software_upgrade/defaults/main.yml of the collection under test."""
        import yaml  # PyYAML: in .venv, Ansible needs it
        path = os.path.join(self.collections, 'ansible_collections', 'unity', 'upgrade', 'roles',
                            'software_upgrade', 'defaults', 'main.yml')
        with open(path) as handle:
            return yaml.safe_load(handle)

    def file(self, *parts):
        return os.path.join(self.path, *parts)

    def dir(self, *parts):
        path = self.file(*parts)
        os.makedirs(path, exist_ok=True)
        return path

    def unique(self, stem):
        self.counter += 1
        return self.dir('%02d-%s' % (self.counter, stem))

    def close(self, failed=False):
        """Remove the scratch space, unless asked to keep it or a benchmark failed (to look into it)."""
        if self.keep or failed:
            log('scratch space kept: %s' % self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


# -- the simulator --------------------------------------------------------------------------------

def start_simulator(work, arrays=1, time_scale=1.0, scenario=None, state_dir=None, label='sim'):
    """A running unity_sim (launcher.Simulator); its stderr goes to a log in the work directory."""
    return Simulator(arrays=arrays, time_scale=time_scale, scenario=scenario, state_dir=state_dir,
                     log_file=work.file('%s.log' % label), ready_timeout=60.0, log_level='WARNING').start()


def stop_simulator(sim):
    if sim is not None:
        sim.stop()


def connection(sim, name='array-1'):
    """Module options that reach one simulated array, verifying TLS against its CA."""
    array = sim.array(name)
    return {'unispherehost': array['host'], 'port': array['port'], 'username': array['username'],
            'password': array['password'], 'ca_path': sim.ca_file}


def write_inventory(path, sim, names=None):
    """The inventory of tests/utils/with_simulator.py (launcher.Simulator.write_inventory): group unity,
    one host per array, connection local with this interpreter."""
    return sim.write_inventory(path, names=names, group_vars={
        'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable,
        'unity_upgrade_validate_certs': True, 'unity_upgrade_ca_path': sim.ca_file})


def process_cpu(pid):
    """CPU seconds (user + system, all threads) a running process used so far, from /proc."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))


def simulator_cpu(sim):
    return process_cpu(sim.proc.pid) if sim is not None and sim.proc is not None else None


# -- module processes measured one by one ---------------------------------------------------------

GNU_TIME = '/usr/bin/time'
RSS_PROBE = os.path.join(HERE, 'rss_probe.py')


def module_cpu_wrapper(directory):
    """An interpreter for Ansible that runs each module process under a timer which takes the module
    process's own CPU (user + system) and peak RSS from ``wait4`` into a log: GNU time (about 1 ms of
    CPU per module process), else ``rss_probe.py`` (a Python start, about 20 ms, that then counts as
    ansible-playbook's). Returns (wrapper, log)."""
    log_path = os.path.join(directory, 'module-cpu.log')
    wrapper = os.path.join(directory, 'python-timed')
    with open(wrapper, 'w') as handle:
        if os.access(GNU_TIME, os.X_OK):
            handle.write('#!/bin/sh\nexec %s -a -o %s -f "MODULE %%U %%S %%M %%e" %s "$@"\n'
                         % (GNU_TIME, log_path, sys.executable))
        else:
            handle.write('#!/bin/sh\nexec %s -S %s %s -- %s "$@"\n' % (sys.executable, RSS_PROBE, log_path, sys.executable))
    os.chmod(wrapper, 0o755)
    return wrapper, log_path


# What runs in production: every module with ansible-playbook's own Python, so the collection's actions run
# their modules in ansible-playbook's workers. A module process that runs all the same (a module of another
# collection, a fallback) is still counted and timed: a sitecustomize on ansible-playbook's PYTHONPATH, which its
# module processes inherit, logs each AnsiballZ process's own CPU and peak RSS as it exits.
_MODULE_RECORDER = """\
import os, sys
if sys.argv and os.path.basename(sys.argv[0]).startswith('AnsiballZ_'):
    import atexit, json, resource
    def _unity_bench_record(path=%r, script=os.path.basename(sys.argv[0])):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        line = json.dumps({'module': script, 'utime': usage.ru_utime, 'stime': usage.ru_stime,
                           'maxrss_kib': usage.ru_maxrss})
        with open(path, 'a') as log:
            log.write(line + '\\n')
    atexit.register(_unity_bench_record)
"""


def module_process_recorder(directory):
    """(environment for ansible-playbook, log): every module process started under ansible-playbook, with
    whatever Python, logs its own CPU (user + system) and peak RSS when it exits, in ``module_cpu``'s format."""
    site = os.path.join(directory, 'site')
    os.makedirs(site, exist_ok=True)
    log_path = os.path.join(directory, 'module-cpu.log')
    with open(os.path.join(site, 'sitecustomize.py'), 'w') as handle:
        handle.write(_MODULE_RECORDER % log_path)
    path = [site] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]
    return {'PYTHONPATH': os.pathsep.join(path)}, log_path


# The role's one long wait (the task of roles/software_upgrade/tasks/wait.yml, the only one with __resuming
# among its variables) runs with ansible-playbook's own Python, as the role sets it: upgrade_session's action
# then runs the module's code in ansible-playbook's worker, with no module process to time. Every other module
# runs through the timing wrapper.
ROLE_WAIT_DEFINES = '__resuming'


def interpreter_but_for_the_wait(wrapper, defines=ROLE_WAIT_DEFINES):
    """``ansible_python_interpreter`` for a run whose module processes are timed by ``wrapper``, but for the task
    whose variables define ``defines``, which keeps ansible-playbook's own Python (as in production)."""
    return "{{ ansible_playbook_python if %s is defined else '%s' }}" % (defines, wrapper)


def module_cpu(log_path):
    """(module processes, their CPU seconds, the largest peak RSS in KiB) from a module_cpu_wrapper log."""
    count, cpu, peak = 0, 0.0, 0
    try:
        with open(log_path) as handle:
            for line in handle:
                parts = line.split()
                if len(parts) == 5 and parts[0] == 'MODULE':  # GNU time
                    count += 1
                    cpu += float(parts[1]) + float(parts[2])
                    peak = max(peak, int(parts[3]))
                elif line.startswith('{'):  # rss_probe.py
                    record = json.loads(line)
                    count += 1
                    cpu += record['utime'] + record['stime']
                    peak = max(peak, record['maxrss_kib'])
    except OSError:
        pass
    return count, cpu, peak


# -- request logs ---------------------------------------------------------------------------------

def is_login(entry):
    return entry['method'] == 'GET' and entry['path'] == LOGIN_PATH


def is_changing(entry):
    """A request that may change the array: POST/PUT/PATCH/DELETE, but not login bookkeeping or checks."""
    if entry['method'] not in ('POST', 'PUT', 'PATCH', 'DELETE'):
        return False
    if entry['path'].startswith('/api/types/loginSessionInfo/'):
        return False
    return not entry['path'].endswith(READ_ONLY_ACTIONS)


def get_without_fields(entry):
    if entry['method'] != 'GET':
        return False
    query = entry.get('query') or ''
    return not any(part.startswith('fields=') and len(part) > len('fields=') for part in query.split('&'))


def count_requests(entries):
    """The request economy of a list of request-log entries."""
    return {
        'requests': len(entries),
        'logins': sum(1 for e in entries if is_login(e) and e.get('status') == 200),
        'login_refused': sum(1 for e in entries if is_login(e) and e.get('status') != 200),
        'logouts': sum(1 for e in entries if e['path'].endswith('/loginSessionInfo/action/logout')),
        'gets': sum(1 for e in entries if e['method'] == 'GET'),
        'get_without_fields': [e['path'] for e in entries if get_without_fields(e)],
        'changing': ['%s %s' % (e['method'], e['path']) for e in entries if is_changing(e)],
        'errors': sum(1 for e in entries if e.get('status', 0) >= 400 or e.get('status') == 0),
    }


def split_by_marks(entries, marks):
    """Request-log entries per task: ``marks`` is [(sim clock at task start, key)], in order.

    The linear strategy starts a task only after every host finished the one before, so what the
    array logged between two marks belongs to the first of them.
    """
    buckets = [[] for dummy in marks]
    for entry in entries:
        index = None
        for position, (clock, _key) in enumerate(marks):
            if entry['time'] >= clock:
                index = position
            else:
                break
        if index is not None:
            buckets[index].append(entry)
    return buckets


# -- ansible-playbook runs ------------------------------------------------------------------------

class PlaybookRun:
    """One ansible-playbook run: rc, wall seconds, CPU seconds of its process tree, callback events."""

    def __init__(self, label, rc, wall, utime, stime, events, output, timed_out):
        self.label = label
        self.rc = rc
        self.wall = wall
        self.utime = utime
        self.stime = stime
        self.cpu = utime + stime
        self.events = events
        self.output = output
        self.timed_out = timed_out

    def tasks(self):
        return [e for e in self.events if e['event'] == 'task']

    def results(self, task=None, host=None, action_prefix=None):
        return [e for e in self.events if e['event'] == 'result'
                and (task is None or e['task'] == task) and (host is None or e['host'] == host)
                and (action_prefix is None or (e.get('action') or '').startswith(action_prefix))]

    def result(self, task, host=None):
        found = self.results(task=task, host=host)
        if not found:
            raise BenchError('%s: no result for task %r (see %s)' % (self.label, task, self.output))
        return found[-1]['result']

    def tail(self, lines=30):
        """The failures of the run (fatal lines) if any, else the end of its output."""
        try:
            with open(self.output, errors='replace') as handle:
                text = handle.readlines()
        except OSError:
            return ''
        fatal = [line[:600] for line in text if line.startswith(('fatal:', '[ERROR]'))]
        return ''.join(fatal[:8] if fatal else text[-lines:])

    def check(self, expect_rc=(0,)):
        if self.timed_out:
            raise BenchError('%s: ansible-playbook did not finish in time and was stopped; output in %s:\n%s'
                             % (self.label, self.output, self.tail()))
        if self.rc not in expect_rc:
            raise BenchError('%s: ansible-playbook exited %s; output in %s:\n%s'
                             % (self.label, self.rc, self.output, self.tail()))
        return self


def _kill_group(proc, grace=10.0):
    """SIGTERM then SIGKILL to the process group of a run we started (start_new_session)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return
            time.sleep(0.1)


def run_playbook(work, label, playbook, inventory='localhost,', extra_vars=None, forks=None, timeout=900,
                 sim=None, env=None, args=(), profile=None, memory=None):
    """Run ansible-playbook and measure it.

    ``playbook`` is a path or a list of plays. CPU is ``wait4``'s rusage of the ansible-playbook
    process: its own CPU plus that of every descendant it reaped (forks, module processes).
    Events come from the bench_record callback: one per task start (with the simulator's clock when
    ``sim`` is given) and one per host result. With ``profile`` (a path), ansible-playbook's main
    process runs under cProfile and writes its statistics there. With ``memory`` (a
    treemem.TreeMemory), the process tree's PSS is sampled while it runs (``run.memory``).
    """
    directory = work.unique(label)
    if not isinstance(playbook, str):
        path = os.path.join(directory, 'playbook.yml')
        with open(path, 'w') as handle:
            json.dump(playbook, handle, indent=1)
        playbook = path
    events_path = os.path.join(directory, 'events.jsonl')
    output = os.path.join(directory, 'output.log')
    argv = [venv_tool('ansible-playbook'), playbook, '-i', inventory]
    if profile:
        argv = [sys.executable, '-m', 'cProfile', '-o', profile] + argv
    if forks:
        argv += ['-f', str(forks)]
    if extra_vars:
        vars_path = os.path.join(directory, 'extra_vars.json')
        with open(vars_path, 'w') as handle:
            json.dump(extra_vars, handle)
        argv += ['-e', '@' + vars_path]
    argv += list(args)
    run_env = dict(os.environ)
    run_env.update({
        'ANSIBLE_CONFIG': work.config,
        'ANSIBLE_COLLECTIONS_PATH': work.collections,
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACKS,
        'ANSIBLE_CALLBACKS_ENABLED': 'bench_record',
        'ANSIBLE_LOCAL_TEMP': os.path.join(directory, 'tmp'),
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'BENCH_RECORD_FILE': events_path,
        'BENCH_SIM_ADMIN': sim.admin if sim is not None else '',
        'PYTHONUNBUFFERED': '1',
    })
    run_env.update(env or {})
    started = time.monotonic()
    with open(output, 'wb') as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=run_env, cwd=directory, start_new_session=True)
        if memory is not None:
            memory.start(proc.pid)
        expired = threading.Event()

        def on_timeout():
            expired.set()
            _kill_group(proc)

        timer = threading.Timer(timeout, on_timeout)
        timer.daemon = True
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            _kill_group(proc)
            raise
        finally:
            timer.cancel()
            if memory is not None:
                memory.stop()
        wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    events = []
    if os.path.exists(events_path):
        with open(events_path) as handle:
            events = [json.loads(line) for line in handle if line.strip()]
    run = PlaybookRun(label, proc.returncode, wall, usage.ru_utime, usage.ru_stime, events, output,
                      expired.is_set())
    run.memory = memory.as_dict() if memory is not None else None
    return run


def play(tasks, hosts='localhost', module_defaults=None, play_vars=None, name='bench'):
    """One play (connection local, no facts), for run_playbook."""
    item = {'name': name, 'hosts': hosts, 'connection': 'local', 'gather_facts': False,
            'vars': dict(play_vars or {}), 'tasks': tasks}
    item['vars'].setdefault('ansible_python_interpreter', sys.executable)
    if module_defaults:
        item['module_defaults'] = {'group/unity.upgrade.unity': module_defaults}
    return item


def run_measured(argv, timeout, env=None, cwd=None):
    """Run a command; returns (rc, wall, rusage, stdout, stderr). Killed after ``timeout``."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env, cwd=cwd, start_new_session=True)
    timer = threading.Timer(timeout, _kill_group, args=(proc,))
    timer.daemon = True
    timer.start()
    try:
        stdout, stderr = proc.communicate()
    finally:
        timer.cancel()
    return proc.returncode, time.monotonic() - started, stdout.decode(errors='replace'), \
        stderr.decode(errors='replace')


# -- figures --------------------------------------------------------------------------------------

class Figure:
    """One row of the results table.

    ``met`` is True, False, or None for a figure without a target (information only).
    """

    def __init__(self, item, name, measured, reference='', ratio=None, target='', met=None, note=''):
        self.item = item
        self.name = name
        self.measured = measured
        self.reference = reference
        self.ratio = ratio
        self.target = target
        self.met = met
        self.note = note

    def cells(self):
        ratio = '' if self.ratio is None else ('%.2f' % self.ratio)
        met = {True: 'yes', False: '**no**', None: '-'}[self.met]
        return [str(self.item), self.name, self.measured, self.reference, ratio, self.target, met]


HEADERS = ['#', 'figure', 'measured', 'reference (same run)', 'ratio', 'target', 'met']


def markdown_table(headers, rows):
    def cell(value):
        return str(value).replace('|', '\\|').replace('\n', ' ')
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join(' --- ' for dummy in headers) + '|']
    lines += ['| ' + ' | '.join(cell(v) for v in row) + ' |' for row in rows]
    return '\n'.join(lines)


def text_table(headers, rows, max_width=60):
    rows = [[str(v).replace('**', '') for v in row] for row in rows]
    rows = [[v if len(v) <= max_width else v[:max_width - 3] + '...' for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = '  '.join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, '  '.join('-' * w for w in widths)]
    out += ['  '.join(v.ljust(w) for v, w in zip(row, widths)) for row in rows]
    return '\n'.join(out)


def mib(value):
    return '%.1f MiB' % (value / float(MIB))


def secs(value, digits=1):
    return ('%%.%df s' % digits) % value
