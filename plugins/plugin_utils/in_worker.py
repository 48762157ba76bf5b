# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action every module of the collection has: its module's code run in ansible-playbook's worker.

A module process costs the control node a Python start, the module's imports and its memory for as long as
it runs: about 0.4 CPU s and 23 MiB each, five of them per upgraded array besides the wait. When the module
would run with the very Python that runs ansible-playbook (connection local, the playbook's interpreter, as
the role and the playbooks set), and ``requests`` imports here, the action runs the module's ``main()`` in
its own process, the worker ansible-playbook forked for the task, instead of starting a module process. The
module's code gets what AnsiballZ would give it (module_utils._in_worker) and its result is parsed as a module
process's. Anything unexpected before the module's ``main()`` starts falls back to the module process; nothing
of ``main()`` has run by then.

The trade-off, in the modules' notes: a worker that dies while the module runs (killed by hand, or by the
out-of-memory killer) ends the whole ansible-playbook run, where a module process that dies fails its host.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import warnings

from ansible.plugins.action import ActionBase
from ansible.release import __version__ as ansible_core_version
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.unity.upgrade.plugins.module_utils import _in_worker

display = Display()

# the collection this file is from: its modules and module_utils are imported from the same place
_COLLECTION = __name__.rsplit('.plugins.plugin_utils.', 1)[0]


def _module_package(module_name):
    return '%s.plugins.modules.%s' % (_COLLECTION, module_name)


def _give_back_freed_memory():
    """Return to the system the memory the preparation freed (the module's payload, built to learn its
    interpreter, then dropped): glibc keeps it for reuse, which a module waiting 90 minutes never makes, about
    2 MiB per array. A C library without malloc_trim (musl) keeps it."""
    try:
        import ctypes
        ctypes.CDLL(None).malloc_trim(0)
    except (ImportError, OSError, AttributeError):
        pass


# The warning filters that requests and urllib3 set as they are imported (urllib3's InsecureRequestWarning shown
# every time, say). Imported ahead, they are imported inside the plugin loader's warnings.catch_warnings(),
# which drops those filters as the action is loaded: the worker puts them back before the module runs.
_LIBRARY_WARNING_FILTERS = []


def _restore_library_warning_filters():
    for action, message, category, module, lineno in _LIBRARY_WARNING_FILTERS:
        if message is None and module is None:  # what simplefilter sets, the only kind the libraries set
            warnings.simplefilter(action, category, lineno, append=True)


def _core_is_the_tested_one(version=ansible_core_version):
    """Whether this is ansible-core 2.19: the module side that module_utils._in_worker imitates is its own, and
    ``make test`` tests the run in the worker on it. Another version may keep the same names with other meanings,
    so it starts the module process, whatever it looks like."""
    return version.split('.')[:2] == ['2', '19']


def _import_the_module_ahead(module_name):
    """Import the module's code, with its module_utils and ``requests``, in the process that loads this action.

    That is ansible-playbook's main process: its strategy loads each task's action before it queues the task's
    hosts, and forks a worker per host after that. Imported there once, the code is in every worker from the
    start, shared with the main process until written to. Imported in each worker instead, it cost each module
    run about 0.2 CPU s (the collection loader compiles a collection's Python from its source: no .pyc) and its
    memory for as long as the module ran. Nothing may stop the action from loading: anything that goes wrong
    here leaves the import to the worker, where a failure falls back to the module process."""
    if not _core_is_the_tested_one():
        return
    before = list(warnings.filters)
    try:
        importlib.import_module(_module_package(module_name))
    except (Exception, SystemExit) as error:  # the worker imports it, or falls back
        display.vvvv('unity.upgrade.%s: its code is left for the worker to import (%s)' % (module_name, type(error).__name__))
    _LIBRARY_WARNING_FILTERS.extend(entry for entry in warnings.filters
                                    if entry not in before and entry not in _LIBRARY_WARNING_FILTERS)


class ModuleInWorkerAction(ActionBase):
    """The action of the module with this action's name (``plugins/action/info.py`` is the action of
    ``plugins/modules/info.py``): the module in the worker when it can, in a module process otherwise."""

    _supports_check_mode = True
    _supports_async = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._module_name = cls.__module__.rsplit('.', 1)[-1]
        # the collection's own actions only: a subclass elsewhere (a test's) names no module of the collection
        if cls.__module__.startswith(_COLLECTION + '.plugins.action.'):
            _import_the_module_ahead(cls._module_name)

    def run(self, tmp=None, task_vars=None):
        # This worker is a fork of ansible-playbook and shares its memory until it writes to it. A full garbage
        # collection walks every object the worker inherited, writing to each, and so copies ansible-playbook's
        # heap into the worker, to be held for the module's whole run (90 minutes for a wait). Those objects live
        # as long as the worker anyway: the collections leave them out.
        gc.freeze()
        result = super().run(tmp, task_vars)
        del tmp  # no effect since ansible-core 2.5
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._run_module(task_vars, wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _run_module(self, task_vars, wrap_async):
        """The module's result: from its code run here when it can, else from a module process."""
        in_worker = None if wrap_async else self._in_worker(task_vars)
        if in_worker is None:
            return self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        return in_worker()

    def _in_worker(self, task_vars):
        """A call that runs the module's code in this process and returns its result as ``_execute_module``
        would, or None when the module must run in a module process (its Python is not this one, requests does
        not import here, this ansible-core is not one whose module side this imitates, or anything unexpected).
        Nothing of the module runs before the call: falling back is always safe."""
        try:
            return self._prepare_in_worker(task_vars or {})
        except Exception as error:  # anything unexpected: the module process, as before
            display.vvv('unity.upgrade.%s: a module process, as %s stood in the way of running the module in the '
                        'worker' % (self._module_name, type(error).__name__))
            return None

    def _prepare_in_worker(self, task_vars):
        if (not _core_is_the_tested_one() or not _in_worker.supported() or self._play_context.become or self._task.async_val
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
        shebang = module_bits.shebang or ''
        interpreter = shebang[2:].strip() if shebang.startswith('#!') else ''
        if module_bits.module_style != 'new' or not _in_worker.same_interpreter(interpreter, sys.executable):
            display.vvv('unity.upgrade.%s: a module process, for the interpreter %s is not the one running '
                        'ansible-playbook (%s)' % (self._module_name, interpreter or shebang, sys.executable))
            return None
        # the module this action is for, from the collection this action is from, and the file Ansible found
        module_package = _module_package(self._module_name)
        imported_ahead = module_package in sys.modules
        module = importlib.import_module(module_package)
        if os.path.realpath(module.__file__) != os.path.realpath(module_path) or not callable(getattr(module, 'main', None)):
            return None
        rest = importlib.import_module(_COLLECTION + '.plugins.module_utils.rest')
        if not rest.HAS_REQUESTS:  # the module process then says what is missing
            return None
        profile = module_bits.serialization_profile
        json_params = json.dumps(dict(ANSIBLE_MODULE_ARGS=module_args),
                                 cls=get_module_encoder(profile, Direction.CONTROLLER_TO_MODULE)).encode()
        environment = {}
        self._compute_environment_string(environment)
        self._used_interpreter = module_bits.shebang

        def run():
            _give_back_freed_memory()
            _restore_library_warning_filters()
            display.vvv('unity.upgrade.%s: running %s in the worker process (no module process), its code imported %s'
                        % (self._module_name, module_path, 'ahead by ansible-playbook' if imported_ahead else 'here'))
            rc, stdout, stderr = _in_worker.run_main(module.main, json_params, profile, environment,
                                                     module_name=self._module_name)
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
