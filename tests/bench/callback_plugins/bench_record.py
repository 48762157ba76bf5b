# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bench-only callback: one JSON line per task start, per host result and per progress line in $BENCH_RECORD_FILE.

A task start carries the wall time and, when $BENCH_SIM_ADMIN names the simulator's admin API,
its clock (simulated seconds), so the benchmarks can split the request log by task. Every event
carries ansible-playbook's CPU so far (``os.times``; callbacks run in its main process): its own
(``cpu_self``) and that of the children it reaped (``cpu_children``: workers and, through them,
module processes). Results keep only the keys the benchmarks read. Progress lines (``HOST: NN% ...``)
are display output, not callback events: the main process's display is wrapped to see them, as AWX's
callback does.
"""


DOCUMENTATION = '''
name: bench_record
type: aggregate
short_description: Record task starts and results for tests/bench
description: Appends JSON lines to the file named by E(BENCH_RECORD_FILE).
'''

import json
import os
import re
import time
import urllib.request

from ansible.plugins.callback import CallbackBase
from ansible.utils.display import Display

PROGRESS_LINE = re.compile(r'^\S+: (\d+|\?)% ')

KEPT = ('changed', 'failed', 'skipped', 'msg', 'attempts', 'relogins', 'upload', 'action', 'timed_out',
        'waited_seconds', 'progress', 'outages', 'candidate', 'active_session', 'session')


def _get(obj, name):
    value = getattr(obj, name, None)  # ansible-core 2.19: host, task, result
    return value if value is not None else getattr(obj, '_' + name)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.path = os.environ.get('BENCH_RECORD_FILE')
        self.admin = os.environ.get('BENCH_SIM_ADMIN') or None
        display = Display()
        shown = display.display
        main = os.getpid()

        # workers inherit the wrapped display and hand their lines to this process, which shows them
        def display_and_record(msg, *args, **kwargs):
            if os.getpid() == main and isinstance(msg, str) and PROGRESS_LINE.match(msg):
                self._write({'event': 'display', 'text': msg, 'wall': time.time(), 'clock': self._clock()})
            return shown(msg, *args, **kwargs)

        display.display = display_and_record

    def _write(self, record):
        times = os.times()
        record.update(cpu_self=times.user + times.system, cpu_children=times.children_user + times.children_system)
        if self.path:
            with open(self.path, 'a') as handle:
                handle.write(json.dumps(record, default=str) + '\n')

    def _clock(self):
        if not self.admin:
            return None
        try:
            with urllib.request.urlopen(self.admin + '/clock', timeout=10) as response:
                return json.loads(response.read())['now']
        except (OSError, ValueError, KeyError):
            return None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write({'event': 'task', 'name': task.get_name(), 'path': task.get_path(),
                     'action': task.action, 'wall': time.time(), 'clock': self._clock()})

    def _record(self, result, status):
        task = _get(result, 'task')
        data = _get(result, 'result')
        self._write({'event': 'result', 'host': _get(result, 'host').get_name(), 'task': task.get_name(),
                     'path': task.get_path(), 'action': task.action, 'status': status, 'wall': time.time(),
                     'result': dict((k, data[k]) for k in KEPT if k in data)})

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        self._write({'event': 'end', 'wall': time.time(), 'clock': self._clock()})
