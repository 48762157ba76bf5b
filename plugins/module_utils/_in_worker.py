# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.

"""A module's ``main()`` run in the process of the action that would start it, as a module process runs it.

The collection's actions (plugin_utils/in_worker.py) run their module's code in ansible-playbook's worker for
the task, instead of starting a Python for it, when that Python would be the worker's own (connection local,
the playbook's interpreter): a module run then costs no module process (about 0.4 CPU s and 23 MiB each, and
a wait of 90 minutes holds none).

``run_main`` gives ``main()`` what AnsiballZ gives it in a module process (the arguments, the serialization
profile, the environment, a module's side of ansible-core rather than the controller's) and returns what a
module process would have returned to the action: its exit status, stdout and stderr. The action parses that
as it parses a module process's. Everything it changes in the process is put back on the way out.

No controller import here: unit tests run it as the action does.
"""


import contextlib
import io
import json
import os

from ansible.module_utils import basic


def same_interpreter(interpreter, executable):
    """Whether a module run with ``interpreter`` (the shebang's path, as Ansible resolved it) runs the Python
    that runs ``executable`` (``sys.executable``): the same path, or the same file from the same directory
    (``bin/python`` and ``bin/python3`` of one virtual environment). The same file from another directory is
    another Python (a virtual environment's ``bin/python`` links to the system's, whose packages differ), and
    so is anything that is not one absolute path (an interpreter with arguments, ``/usr/bin/env python3``)."""
    if not isinstance(interpreter, str) or not isinstance(executable, str) or not interpreter or not executable:
        return False
    if not os.path.isabs(interpreter) or not os.path.isabs(executable) or any(c.isspace() for c in interpreter):
        return False
    interpreter, executable = os.path.normpath(interpreter), os.path.normpath(executable)
    if interpreter == executable:
        return True
    try:
        return os.path.dirname(interpreter) == os.path.dirname(executable) and os.path.samefile(interpreter, executable)
    except (OSError, ValueError):
        return False


def supported():
    """Whether this ansible-core gives a module its arguments the way ``run_main`` imitates (ansible-core 2.19:
    ``_ANSIBLE_ARGS`` with a serialization profile, and the flag that tells the module side from the
    controller's). Otherwise the action starts a module process, as before."""
    try:
        from ansible.module_utils import _internal
        from ansible.module_utils.common import warnings
    except ImportError:
        return False
    return (hasattr(basic, '_ANSIBLE_PROFILE') and hasattr(basic, '_PARSED_MODULE_ARGS')
            and isinstance(getattr(_internal, 'is_controller', None), bool)
            and isinstance(getattr(warnings, '_global_warnings', None), dict)
            and isinstance(getattr(warnings, '_global_deprecations', None), dict))


def internal_error_result(error, module_name='the module'):
    """The result of a ``main()`` that raised what no module process would have answered with JSON: one line, the
    exception's type and no text of it (it may carry a secret), and no traceback."""
    return {'failed': True,
            'msg': '%s stopped on an unexpected %s in the module code; what it did on the array is not known: read '
                   'the array (unity.upgrade.info) before running the task again' % (module_name, type(error).__name__)}


@contextlib.contextmanager
def _module_side(json_params, profile, environment):
    """The process as a module process sees it, then as it was."""
    from ansible.module_utils import _internal
    from ansible.module_utils.common import warnings

    saved_args = (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, basic._PARSED_MODULE_ARGS)
    saved_controller = _internal.is_controller
    saved_warnings = dict(warnings._global_warnings), dict(warnings._global_deprecations)
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    try:
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, basic._PARSED_MODULE_ARGS = json_params, profile, None
        # module-side warnings and deprecations go into the result, as a module process returns them
        _internal.is_controller = False
        warnings._global_warnings.clear()
        warnings._global_deprecations.clear()
        os.environ.update(dict((str(k), str(v)) for k, v in environment.items()))
        yield
    finally:
        try:
            os.chdir(saved_cwd)
        except OSError:
            pass
        os.environ.clear()
        os.environ.update(saved_environ)
        warnings._global_warnings.clear()
        warnings._global_warnings.update(saved_warnings[0])
        warnings._global_deprecations.clear()
        warnings._global_deprecations.update(saved_warnings[1])
        _internal.is_controller = saved_controller
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, basic._PARSED_MODULE_ARGS = saved_args


def run_main(main, json_params, profile, environment=None, module_name='the module'):
    """``main()`` with ``json_params`` (the bytes AnsiballZ hands a module: ``{"ANSIBLE_MODULE_ARGS": ...}``,
    encoded with ``profile``) and ``environment`` added to ``os.environ``; returns ``(rc, stdout, stderr)`` as a
    module process would have: its exit status, what it printed (its result, as JSON), and what it wrote to stderr.

    A ``main()`` that raises an exception instead of exiting returns rc 1 and ``internal_error_result`` as JSON.
    BaseExceptions other than SystemExit (a task timeout, an interrupt) go through, the process put back first."""
    stdout, stderr = io.StringIO(), io.StringIO()
    rc = None
    with _module_side(json_params, profile, environment or {}):
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main()
            except SystemExit as done:
                rc = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            except Exception as error:  # a bug of the module code: one line, never a traceback
                rc = 1
                stdout.write('\n%s\n' % json.dumps(internal_error_result(error, module_name)))
            else:
                rc = 1
                stdout.write('\n%s\n' % json.dumps(internal_error_result(RuntimeError('main() returned without a result'), module_name)))
    return rc, stdout.getvalue(), stderr.getvalue()
