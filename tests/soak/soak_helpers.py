# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A module run as a real process, with its memory measured; the resident memory of any process.

``ModuleProcess.run`` has the interface of ``e2e_helpers.InProcess.run`` (the fault ``Runner``
takes either), but runs the module's ``main()`` in a Python process of its own, as ansible-playbook
does, from an arguments file (``ANSIBLE_MODULE_ARGS``). The one difference to a module under
Ansible: its ``log()`` (the progress lines) is written to stderr, where the caller's ``on_log``
reads it, instead of to syslog. The peak RSS is the kernel's high-water mark of the module's own
memory (``VmHWM`` of ``/proc/self/status``, written to stderr as the process exits); the RSS over
time is sampled from ``/proc/PID/status``. Not ``ru_maxrss`` (``wait4``, ``RUSAGE_CHILDREN``): the
child inherits the high-water mark of the process it was forked from, here the test's, which holds
ten arrays' worth of threads and is larger than the module.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from e2e_helpers import ModuleResult

LOG_PREFIX = 'MODULE-LOG '
PEAK_PREFIX = 'MODULE-VMHWM-KIB '
BOOT = '''
import atexit, runpy, sys
from ansible.module_utils import basic


def peak():
    with open('/proc/self/status') as handle:
        kib = [line.split()[1] for line in handle if line.startswith('VmHWM:')]
    sys.stderr.write(%r + kib[0] + '\\n')
    sys.stderr.flush()


def log(module, msg, log_args=None):
    sys.stderr.write(%r + ' '.join(str(msg).split()) + '\\n')
    sys.stderr.flush()


atexit.register(peak)
basic.AnsibleModule.log = log
name = sys.argv.pop(1)
runpy.run_module('ansible_collections.unity.upgrade.plugins.modules.' + name, run_name='__main__')
''' % (PEAK_PREFIX, LOG_PREFIX)


def rss_kib(pid, field='VmRSS'):
    """The resident memory of a process in KiB (``VmHWM``: its peak so far); None once it is gone."""
    try:
        with open('/proc/%d/status' % pid) as handle:
            for line in handle:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class ModuleProcess:
    """``run(module_name, args, on_log=None)``: the module in a process of its own.

    The returned ``ModuleResult`` also has ``peak_kib`` (the process's peak RSS, None when it did not
    exit normally) and ``samples``
    (``[(seconds since start, RSS KiB)]``, every ``sample_every`` seconds when given). Every run is
    kept in ``runs`` with the ``label`` it was given by ``label_next``.
    """

    def __init__(self, collections_path, workdir, sample_every=None):
        self.collections_path = collections_path
        self.workdir = workdir
        self.sample_every = sample_every
        self.runs = []
        self._label = None

    def label_next(self, label):
        self._label = label

    def run(self, module_name, args, check=False, on_log=None):
        handle, path = tempfile.mkstemp(prefix='args-', suffix='.json', dir=self.workdir)
        with os.fdopen(handle, 'w') as out:
            json.dump({'ANSIBLE_MODULE_ARGS': dict(args, _ansible_check_mode=check, _ansible_diff=False,
                                                   _ansible_no_log=False, _ansible_verbosity=0)}, out)
        env = dict(os.environ, PYTHONPATH=self.collections_path)
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, '-c', BOOT, module_name, path], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
        stdout, stderr, samples, peak = [], [], [], []

        def read_stderr():
            for raw in iter(proc.stderr.readline, b''):
                line = raw.decode('utf-8', 'replace').rstrip('\n')
                if line.startswith(LOG_PREFIX):
                    if on_log is not None:
                        on_log(line[len(LOG_PREFIX):])
                elif line.startswith(PEAK_PREFIX):
                    peak.append(int(line[len(PEAK_PREFIX):]))
                else:
                    stderr.append(line)

        def sample():
            while proc.returncode is None:
                kib = rss_kib(proc.pid)
                if kib is None:
                    return
                samples.append((time.monotonic() - started, kib))
                time.sleep(self.sample_every)

        readers = [threading.Thread(target=lambda: stdout.append(proc.stdout.read()), daemon=True),
                   threading.Thread(target=read_stderr, daemon=True)]
        if self.sample_every:
            readers.append(threading.Thread(target=sample, daemon=True))
        for reader in readers:
            reader.start()
        proc.wait()
        for reader in readers:
            reader.join(30)
        os.unlink(path)
        seconds = time.monotonic() - started
        text = (stdout[0] if stdout else b'').decode('utf-8', 'replace')
        crash, result = None, {}
        try:
            result = json.loads(text)
        except ValueError:  # no result: a traceback, or the process was killed
            crash = 'exit status %s, stdout %r, stderr %s' % (proc.returncode, text[-2000:], '\n'.join(stderr[-40:]))
        failed = bool(crash) or proc.returncode != 0 or bool(result.get('failed'))
        run = ModuleResult(failed, result, seconds, crash)
        run.peak_kib = peak[0] if peak else None
        run.samples = samples
        run.label = self._label
        self.runs.append(run)
        return run
