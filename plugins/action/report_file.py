# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action of unity.upgrade.report_file: write a file on the control node in ansible-playbook's worker.

ansible.builtin.copy with content costs two module processes (stat, then copy) and ansible.builtin.template
as many, each about 0.35 s of control-node CPU; the fleet playbooks wrote an array's record and the
report that way. Here nothing is sent anywhere: module_utils/report_file.py writes the file.
"""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.unity.upgrade.plugins.module_utils.report_file import DEFAULT_MODE, ReportFileError, write_file

ARGUMENT_SPEC = {
    'content': {'type': 'raw', 'required': True},  # raw: write_file says what is wrong with anything but text
    'dest': {'type': 'path', 'required': True},
    'mode': {'type': 'raw', 'default': '%04o' % DEFAULT_MODE},
}


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # no effect since ansible-core 2.5
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            written = write_file(args['dest'], args['content'], args['mode'], check_mode=self._task.check_mode)
        except ReportFileError as exc:
            # a result, not an exception: the one line, with no traceback at any verbosity
            result.update(failed=True, msg=str(exc))
            return result
        result.update(written)
        return result
