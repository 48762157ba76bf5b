# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The memory of a process tree, sampled: the sum of PSS over a process and all its descendants.

PSS (proportional set size, ``Pss:`` of ``/proc/PID/smaps_rollup``) shares each page among the
processes that map it, so the sum over a tree is what the tree holds, without counting the pages
that forked workers share with ansible-playbook once per worker (as a sum of RSS would).

Descendants are found by walking the parent pids of ``/proc/*/stat``, not by session or process
group: ansible-core's local connection starts each module process in a session of its own.
Linux only; standard library only.
"""

import os
import threading
import time


def parents():
    """{pid: parent pid} of every process now running."""
    table = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name) as handle:
                # the command name, in parentheses, may hold spaces and parentheses: split after the last ')'
                table[int(name)] = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            pass  # gone meanwhile
    return table


def tree(root, table):
    """``root`` and its descendants in ``table`` (pid: parent pid)."""
    children = {}
    for pid, ppid in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def pss_kib(pid):
    """The process's PSS in KiB, None when it is gone (or not readable)."""
    try:
        with open('/proc/%d/smaps_rollup' % pid) as handle:
            for line in handle:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def kind(root, pid):
    """What a process of the tree is: ansible-playbook (the root), a worker (a fork of it), a module process
    (``module NAME``), or the name of its program."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = handle.read().decode('utf-8', 'replace').split('\0')
    except OSError:
        return 'gone'
    for arg in argv:
        if 'AnsiballZ_' in arg and 'sh' not in os.path.basename(argv[0]):
            return 'module ' + os.path.basename(arg).split('AnsiballZ_', 1)[1].rsplit('.py', 1)[0]
    if pid == root:
        return 'ansible-playbook'
    if any(os.path.basename(arg) == 'ansible-playbook' for arg in argv[:2]):
        return 'worker'
    return os.path.basename(argv[0]) or 'unknown'


def kinds(root, measured):
    """{kind: [processes, PSS KiB]} of one sample."""
    found = {}
    for pid, size in measured:
        entry = found.setdefault(kind(root, pid), [0, 0])
        entry[0] += 1
        entry[1] += size
    return found


class TreeMemory:
    """Samples the tree of ``pid`` every ``interval`` seconds in a thread, from start(pid) to stop().

    A sample reads every process's stat and the tree's smaps_rollup (about 0.5 ms a process): on a
    large tree the pause between two samples grows so that sampling takes at most ``share`` of a
    core, which it would otherwise take from the machine the measured run shares.

    Keeps the peak of the summed PSS (with the process count of that sample), the peak process
    count, the number of samples and the CPU the sampling itself took (in this process, not the tree).
    """

    def __init__(self, interval=0.5, share=0.1):
        self.interval = interval
        self.share = share
        self.peak_kib = 0
        self.processes_at_peak = 0
        self.peak_processes = 0
        self.samples = 0
        self.own_cpu = 0.0
        self.peak_at = None      # time.time() of the peak sample
        self.series = []         # (time.time(), PSS KiB, processes) of every sample
        self.peak_kinds = {}     # what the tree held then: {kind: [processes, PSS KiB]}
        self._stop = threading.Event()
        self._thread = None

    def start(self, pid):
        self._thread = threading.Thread(target=self._run, args=(pid,), name='tree-memory', daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self

    def sample(self, pid):
        measured = [(p, size) for p, size in ((p, pss_kib(p)) for p in tree(pid, parents())) if size is not None]
        sizes = [size for _p, size in measured]
        if not sizes:
            return
        self.samples += 1
        total = sum(sizes)
        self.series.append((time.time(), total, len(sizes)))
        if total > self.peak_kib:
            self.peak_kib, self.processes_at_peak = total, len(sizes)
            self.peak_at = time.time()
            self.peak_kinds = kinds(pid, measured)
        self.peak_processes = max(self.peak_processes, len(sizes))

    def _run(self, pid):
        while not self._stop.is_set():
            before = time.thread_time()
            self.sample(pid)
            cost = time.thread_time() - before
            self.own_cpu += cost
            self._stop.wait(max(self.interval, cost / self.share - cost))

    def as_dict(self):
        return {'peak_kib': self.peak_kib, 'processes_at_peak': self.processes_at_peak,
                'peak_processes': self.peak_processes, 'samples': self.samples, 'interval': self.interval,
                'share': self.share, 'own_cpu': self.own_cpu, 'peak_at': self.peak_at, 'peak_kinds': self.peak_kinds,
                'series': list(self.series)}
