# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run the collection's modules in this process, many at a time, against the simulator.

Hundreds of fault schedules cannot each pay for an ``ansible-playbook`` process. ``InProcess``
runs a module's real ``main()`` (argument spec, ``fail_json``, ``no_log`` masking and all) in a
thread: ``AnsibleModule`` reads its arguments from, and writes its result to, the calling thread's
slot instead of the process-wide stdin/stdout, and its ``log()`` (the progress lines) goes to an
optional per-thread hook instead of syslog. Nothing else is patched: the module talks HTTPS to the
simulator exactly as it does under ansible-playbook.

This file holds helpers only (no tests); conftest's ``in_process`` fixture builds an ``InProcess``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import importlib
import json
import sys
import threading
import time
import traceback

import requests

LOCAL = threading.local()


class ModuleResult:
    """What one in-process module run returned."""

    def __init__(self, failed, result, seconds, crash=None):
        self.failed = failed
        self.result = result
        self.seconds = seconds
        self.crash = crash  # a traceback: the module raised instead of exiting (always a bug)

    @property
    def msg(self):
        return self.result.get('msg', '')

    def __repr__(self):
        return 'ModuleResult(failed=%s, msg=%r, crash=%s)' % (self.failed, self.msg, bool(self.crash))


class InProcess:
    """``run(module_name, args)`` runs ``plugins/modules/<module_name>.main()`` in this thread."""

    def __init__(self, collections_path, monkeypatch):
        if collections_path not in sys.path:
            monkeypatch.syspath_prepend(collections_path)
        from ansible.module_utils import basic

        def load_params():
            return copy.deepcopy(LOCAL.args)

        def record(module, result):
            LOCAL.result = json.loads(json.dumps(result, default=str))

        def log(module, msg, log_args=None):
            hook = getattr(LOCAL, 'on_log', None)
            if hook is not None:
                hook(msg)

        monkeypatch.setattr(basic, '_load_params', load_params)
        monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
        monkeypatch.setattr(basic.AnsibleModule, '_record_module_result', record)
        monkeypatch.setattr(basic.AnsibleModule, 'log', log)
        self.modules = {}
        for name in ('info', 'upgrade_eligibility_info', 'upgrade_candidate', 'upgrade_session'):
            self.modules[name] = importlib.import_module(
                'ansible_collections.unity.upgrade.plugins.modules.%s' % name)
        self.rest = importlib.import_module('ansible_collections.unity.upgrade.plugins.module_utils.rest')

    def run(self, module_name, args, check=False, on_log=None):
        LOCAL.args = dict(args, _ansible_check_mode=check, _ansible_diff=False,
                          _ansible_no_log=False, _ansible_verbosity=0)
        LOCAL.result = None
        LOCAL.on_log = on_log
        started = time.monotonic()
        crash = None
        code = None
        try:
            self.modules[module_name].main()
        except SystemExit as exc:
            code = exc.code
        except Exception:  # a traceback: the test reports it as such
            crash = traceback.format_exc()
        finally:
            LOCAL.on_log = None
        seconds = time.monotonic() - started
        result = LOCAL.result or {}
        failed = bool(crash) or code not in (0, None) or bool(result.get('failed'))
        return ModuleResult(failed, result, seconds, crash)


class Admin:
    """The simulator's admin API, safe to use from many threads (one requests.Session each)."""

    def __init__(self, sim):
        self.sim = sim
        self.url = sim.admin
        self._local = threading.local()

    @property
    def http(self):
        session = getattr(self._local, 'session', None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
        return session

    def call(self, method, path, body=None):
        """One admin request; a connection the busy admin server dropped is tried again."""
        for attempt in range(5):
            try:
                response = self.http.request(method, self.url + path, json=body, timeout=30)
            except requests.ConnectionError:
                if attempt == 4:
                    raise
                self._local.session = None
                time.sleep(0.05 * (attempt + 1))
                continue
            assert response.status_code in (200, 204), '%s %s: %s %s' % (method, path, response.status_code,
                                                                         response.text)
            return response.json() if response.content else None

    def put(self, name, scenario):
        return self.call('PUT', '/arrays/%s/scenario' % name, scenario)

    def patch(self, name, changes):
        return self.call('PATCH', '/arrays/%s/scenario' % name, changes)

    def state(self, name):
        return self.call('GET', '/arrays/%s' % name)

    def requests(self, name):
        return self.call('GET', '/arrays/%s/requests' % name)

    def clear_requests(self, name):
        self.call('DELETE', '/arrays/%s/requests' % name)


def session_creates(log):
    return [r for r in log if r['method'] == 'POST' and r['path'].endswith('Session/instances')]


def one_line(text):
    return bool(text) and '\n' not in text and '\r' not in text and 'Traceback' not in text
