# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action of unity.upgrade.upgrade_session: the module, and progress lines while it waits.

A module's only output is its result, at its end; an upgrade waits about 90 minutes, through two SP
reboots. So that one module run can wait all of it and the job output still shows where the upgrade
stands, the module leaves a snapshot of its wait in a private file after each read, and this action
prints it every ``progress_interval`` seconds, then a last line from the module's result. One module
process for the whole wait instead of one per progress line: that is most of what waiting costs the control node.

The file is on the control node: lines are shown only when the module runs there too (connection
local, as the role and the playbooks set). Anything else runs the module as the normal action would.

The module's code runs in ansible-playbook's worker when it can (plugin_utils/in_worker.py), as every module
of the collection does: then the process that waits 90 minutes costs no Python of its own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display

from ansible_collections.unity.upgrade.plugins.module_utils.progress import (
    PROGRESS_FILE_VARIABLE,
    final_snapshot,
    progress_line,
    read_snapshot,
)
from ansible_collections.unity.upgrade.plugins.plugin_utils.in_worker import ModuleInWorkerAction

display = Display()


class ActionModule(ModuleInWorkerAction):

    def _run_module(self, task_vars, wrap_async):
        interval = None if wrap_async else self._progress_interval()
        if interval is None:
            return super()._run_module(task_vars, wrap_async)
        return self._run_showing_progress(task_vars, interval)

    def _progress_interval(self):
        """Seconds between progress lines, or None when this run shows none."""
        args = self._task.args
        try:
            waits = boolean(args.get('wait', True), strict=True)
            interval = int(args.get('progress_interval', 600))
        except (TypeError, ValueError):
            return None  # the module says what is wrong with them
        if (not waits or interval <= 0 or self._task.check_mode or self._task.no_log
                or getattr(self._connection, 'transport', None) != 'local'):
            return None
        return interval

    def _silence_allowed(self):
        """Seconds the module may go without a new snapshot: a read every poll_interval, each of which may
        take request_timeout, twice over."""
        args = self._task.args
        try:
            return 2 * (float(args.get('poll_interval', 30)) + float(args.get('request_timeout', 60)))
        except (TypeError, ValueError):
            return 180.0

    def _run_showing_progress(self, task_vars, interval):
        private = tempfile.mkdtemp(prefix='unity_upgrade_progress_')  # 0700: the module's user only
        path = os.path.join(private, 'progress.json')
        host = (task_vars or {}).get('inventory_hostname') or self._task.get_name()
        done = threading.Event()
        allowed = self._silence_allowed()

        def show():
            # the first line as soon as the module has read the session, then one every interval on a
            # fixed schedule (no drift over a 90-minute wait; no burst after a stall)
            due = time.monotonic()
            while not done.wait(max(0.0, due - time.monotonic())):
                snapshot, age = read_snapshot(path)
                if snapshot is None:
                    due = time.monotonic() + min(1.0, interval)
                    continue
                display.display(progress_line(host, snapshot, age if age > allowed else None))
                due = max(due + interval, time.monotonic())

        shower = threading.Thread(target=show, name='unity_upgrade_progress', daemon=True)
        # The way ansible-core passes ANSIBLE_ASYNC_DIR to a module: an entry of the task's environment.
        if self._task.environment is None:
            self._task.environment = []
        elif not isinstance(self._task.environment, list):
            self._task.environment = [self._task.environment]
        entry = {PROGRESS_FILE_VARIABLE: path}
        self._task.environment.append(entry)
        shower.start()
        try:
            result = super()._run_module(task_vars, False)
        finally:
            # each step on its own, the join last: an exception (a task timeout) leaves nothing behind
            done.set()
            try:
                self._task.environment.remove(entry)
            finally:
                shutil.rmtree(private, ignore_errors=True)
                shower.join()
        # the last line, once the lines of the wait have stopped: where the wait left the session
        last = final_snapshot(result)
        if last is not None:
            display.display(progress_line(host, last))
        return result
