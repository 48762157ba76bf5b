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

When the module would run with the very Python that runs ansible-playbook (connection local, the playbook's
interpreter, as the role sets), and ``requests`` imports here, this action runs the module's code in its own
process, ansible-playbook's worker for the task, instead of starting a module process: the process that waits
90 minutes then costs no Python of its own (about 27 MiB per array). The module's code gets what AnsiballZ
would give it (module_utils._in_worker) and its result is parsed as a module process's. Anything unexpected
before the module's code starts falls back to the module process; nothing of the module has run by then.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.unity.upgrade.plugins.module_utils import _in_worker
from ansible_collections.unity.upgrade.plugins.module_utils.progress import (
    PROGRESS_FILE_VARIABLE,
    final_snapshot,
    progress_line,
    read_snapshot,
)

display = Display()


class ActionModule(ActionBase):

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # no effect since ansible-core 2.5
        wrap_async = self._task.async_val and not self._connection.has_native_async
        interval = None if wrap_async else self._progress_interval()
        if interval is None:
            result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        else:
            result = merge_hash(result, self._run_showing_progress(task_vars, interval))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

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
            in_worker = self._in_worker(task_vars)
            result = self._execute_module(task_vars=task_vars) if in_worker is None else in_worker()
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

    def _in_worker(self, task_vars):
        """A call that runs the module's code in this process and returns its result as ``_execute_module``
        would, or None when the module must run in a module process (its Python is not this one, requests does
        not import here, this ansible-core is not one whose module side this imitates, or anything unexpected).
        Nothing of the module runs before the call: falling back is always safe."""
        try:
            return self._prepare_in_worker(task_vars or {})
        except Exception as error:  # anything unexpected: the module process, as before
            display.vvv('unity.upgrade.upgrade_session: a module process, as %s stood in the way of running the '
                        'module in the worker' % type(error).__name__)
            return None

    def _prepare_in_worker(self, task_vars):
        if (not _in_worker.supported() or self._play_context.become or self._task.async_val
                or getattr(self._connection, 'transport', None) != 'local'):
            return None
        # ansible-core internals of the 2.19 shape, imported before anything runs: one that moved or is
        # missing (2.21 has no ansible.vars.clean.remove_internal_keys) means the module process
        from ansible.module_utils.common.json import Direction, get_module_encoder
        from ansible.vars.clean import remove_internal_keys

        module_name = self._task.action
        module_args = dict(self._task.args)
        self._update_module_args(module_name, module_args, task_vars)
        module_bits, module_path = self._configure_module(module_name=module_name, module_args=module_args,
                                                          task_vars=task_vars)
        interpreter = (module_bits.shebang or '')[2:].strip() if (module_bits.shebang or '').startswith('#!') else ''
        if module_bits.module_style != 'new' or not _in_worker.same_interpreter(interpreter, sys.executable):
            display.vvv('unity.upgrade.upgrade_session: a module process, for the interpreter %s is not the one '
                        'running ansible-playbook (%s)' % (interpreter or module_bits.shebang, sys.executable))
            return None
        # the module this action is for, from the collection this action is from, and the file Ansible found
        package = __name__.rsplit('.plugins.action.', 1)[0]
        module = importlib.import_module(package + '.plugins.modules.upgrade_session')
        if os.path.realpath(module.__file__) != os.path.realpath(module_path) or not callable(getattr(module, 'main', None)):
            return None
        rest = importlib.import_module(package + '.plugins.module_utils.rest')
        if not rest.HAS_REQUESTS:  # the module process then says what is missing
            return None
        profile = module_bits.serialization_profile
        json_params = json.dumps(dict(ANSIBLE_MODULE_ARGS=module_args),
                                 cls=get_module_encoder(profile, Direction.CONTROLLER_TO_MODULE)).encode()
        environment = {}
        self._compute_environment_string(environment)
        self._used_interpreter = module_bits.shebang

        def run():
            display.vvv('unity.upgrade.upgrade_session: running %s in the worker process (no module process)'
                        % module_path)
            rc, stdout, stderr = _in_worker.run_main(module.main, json_params, profile, environment)
            return self._result_of(dict(rc=rc, stdout=stdout, stderr=stderr), profile, remove_internal_keys)

        return run

    def _result_of(self, res, profile, remove_internal_keys):
        """What ``_execute_module`` makes of a module process's output, for the module run in this process."""
        data = self._parse_returned_data(res, profile)
        if data.pop('_ansible_suppress_tmpdir_delete', False):
            self._cleanup_remote_tmp = False
        remove_internal_keys(data)
        if self._discovered_interpreter_key:
            if data.get('ansible_facts') is None:
                data['ansible_facts'] = {}
            data['ansible_facts'][self._discovered_interpreter_key] = self._discovered_interpreter
        return data
