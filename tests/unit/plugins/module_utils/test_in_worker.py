# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils._in_worker: which interpreter is the worker's own, and a module's main() run in this process
as a module process runs it, everything it changed put back."""


import json
import os
import sys

import pytest

from ansible.module_utils import _internal, basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common import warnings

from ansible_collections.unity.upgrade.plugins.module_utils import _in_worker

pytestmark = pytest.mark.skipif(not _in_worker.supported(), reason='ansible-core before 2.19: the action runs a module process')

SECRET = 'S3cret!pw'


def params(**args):
    from ansible.module_utils.common.json import Direction, get_module_encoder
    args.setdefault('_ansible_no_log', False)
    return json.dumps({'ANSIBLE_MODULE_ARGS': args}, cls=get_module_encoder('legacy', Direction.CONTROLLER_TO_MODULE)).encode()


def module():
    return AnsibleModule(argument_spec=dict(name=dict(type='str'), password=dict(type='str', no_log=True)))


# -- same_interpreter ---------------------------------------------------------------------------

def test_the_same_path_is_the_same_interpreter():
    assert _in_worker.same_interpreter(sys.executable, sys.executable)
    assert _in_worker.same_interpreter(os.path.dirname(sys.executable) + '/./' + os.path.basename(sys.executable),
                                       sys.executable)


def test_another_name_of_the_same_file_in_the_same_directory_is_the_same_interpreter(tmp_path):
    python = tmp_path / 'python3.11'
    python.write_text('')
    (tmp_path / 'python').symlink_to(python)
    assert _in_worker.same_interpreter(str(tmp_path / 'python'), str(python))


def test_the_same_file_from_another_directory_is_another_interpreter(tmp_path):
    """A virtual environment's bin/python links to the system's Python, whose packages are not the venv's."""
    system, venv = tmp_path / 'usr' / 'bin', tmp_path / 'venv' / 'bin'
    system.mkdir(parents=True)
    venv.mkdir(parents=True)
    (system / 'python3').write_text('')
    (venv / 'python').symlink_to(system / 'python3')
    assert not _in_worker.same_interpreter(str(system / 'python3'), str(venv / 'python'))
    assert not _in_worker.same_interpreter(str(venv / 'python'), str(system / 'python3'))


@pytest.mark.parametrize('interpreter', ['', None, 'python3', '/usr/bin/env python3', sys.executable + ' -X utf8',
                                         '/nonexistent/python', 'auto'])
def test_anything_but_one_absolute_path_of_this_python_is_another_interpreter(interpreter):
    assert not _in_worker.same_interpreter(interpreter, sys.executable)


def test_a_wrapper_script_is_another_interpreter(tmp_path):
    wrapper = tmp_path / 'python'
    wrapper.write_text('#!/bin/sh\nexec %s "$@"\n' % sys.executable)
    assert not _in_worker.same_interpreter(str(wrapper), sys.executable)


# -- run_main -----------------------------------------------------------------------------------

def test_a_module_run_returns_what_a_module_process_prints_with_warnings_and_the_password_masked():
    seen = {}

    def main():
        ansible = module()
        seen['environment'] = os.environ.get('UNITY_UPGRADE_TEST')
        seen['controller'] = _internal.is_controller
        ansible.warn('careful')
        ansible.exit_json(changed=True, said=ansible.params['name'])

    saved = (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, _internal.is_controller, dict(os.environ), os.getcwd())
    rc, stdout, stderr = _in_worker.run_main(main, params(name='x', password=SECRET), 'legacy',
                                             {'UNITY_UPGRADE_TEST': 'set'})
    result = json.loads(stdout)
    assert (rc, stderr) == (0, '')
    assert (result['changed'], result['said']) == (True, 'x')
    # the wire form of a module's warning, which the action turns into the result's warnings
    assert [w['event']['msg'] for w in result['warnings']] == ['careful']
    assert result['invocation']['module_args']['password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'
    assert SECRET not in stdout
    assert seen == {'environment': 'set', 'controller': False}
    assert (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE, _internal.is_controller, dict(os.environ), os.getcwd()) == saved
    assert not warnings._global_warnings


def test_a_failure_returns_its_message_and_status_one():
    def main():
        module().fail_json(msg='no such candidate')

    rc, stdout, dummy = _in_worker.run_main(main, params(password=SECRET), 'legacy')
    result = json.loads(stdout)
    assert (rc, result['failed'], result['msg']) == (1, True, 'no such candidate')
    assert SECRET not in stdout


def test_an_exception_is_one_line_with_neither_its_text_nor_a_traceback():
    def main():
        module()
        raise ValueError('the password is %s' % SECRET)

    rc, stdout, stderr = _in_worker.run_main(main, params(password=SECRET), 'legacy')
    result = json.loads(stdout)
    assert (rc, result['failed']) == (1, True)
    assert 'ValueError' in result['msg'] and '\n' not in result['msg']
    assert SECRET not in stdout + stderr and 'Traceback' not in stdout + stderr


def test_a_main_that_returns_without_a_result_is_a_failure():
    rc, stdout, dummy = _in_worker.run_main(lambda: None, params(), 'legacy')
    assert (rc, json.loads(stdout)['failed']) == (1, True)


def test_an_interrupt_goes_through_with_the_process_put_back(tmp_path):
    saved = (basic._ANSIBLE_ARGS, _internal.is_controller, dict(os.environ), os.getcwd())

    def main():
        os.chdir(str(tmp_path))
        raise KeyboardInterrupt()

    with pytest.raises(KeyboardInterrupt):
        _in_worker.run_main(main, params(), 'legacy', {'UNITY_UPGRADE_TEST': 'set'})
    assert (basic._ANSIBLE_ARGS, _internal.is_controller, dict(os.environ), os.getcwd()) == saved
