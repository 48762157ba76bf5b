# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test-only callback: writes every task result to $RECORD_RESULTS_FILE as JSON.

The e2e tests read results from there instead of scraping the console.
"""


DOCUMENTATION = '''
name: record_results
type: aggregate
short_description: Record task results to a JSON file for the e2e tests
description: Appends one record per task result to the file named by E(RECORD_RESULTS_FILE).
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'record_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.records = []
        self.path = os.environ.get('RECORD_RESULTS_FILE')

    def _record(self, result, status):
        self.records.append({
            'host': result._host.get_name(),
            'task': result._task.get_name(),
            'action': result._task.action,
            'status': status,
            'result': self._clean(result._result),
            'time': time.time(),  # when the result came in (epoch seconds)
        })

    @staticmethod
    def _clean(value):
        return json.loads(json.dumps(value, default=str))

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        if self.path:
            with open(self.path, 'w') as handle:
                json.dump(self.records, handle, indent=1)
