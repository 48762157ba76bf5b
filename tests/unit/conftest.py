# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fixtures of every unit test; what they build lives in tests/unit/framework:

- ``transport``: a ScriptedAdapter (framework/transport.py) that replays recorded answers
  and keeps every request sent;
- ``make_client(**kwargs)``: a UnityRestClient over ``transport``, its backoff sleeps kept
  in ``client.sleeps``;
- ``run_module(module, args, check=False, diff=False)``: a whole module run over
  ``transport`` (framework/module_runner.py).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.unity.upgrade.tests.unit.framework.module_runner import module_runner
from ansible_collections.unity.upgrade.tests.unit.framework.transport import (
    Reply,
    ScriptedAdapter,
    SentRequest,
    fixture_json,
    scripted_session,
)

# Reply, SentRequest and fixture_json: still imported from here by test files not moved to the framework yet.
__all__ = ['Reply', 'ScriptedAdapter', 'SentRequest', 'fixture_json']


@pytest.fixture
def transport():
    return ScriptedAdapter()


@pytest.fixture
def make_client(transport):
    from ansible_collections.unity.upgrade.plugins.module_utils.rest import RetryPolicy, UnityRestClient

    sleeps = []

    def factory(**kwargs):
        kwargs.setdefault('retry_policy', RetryPolicy(attempts=4, sleep=sleeps.append, rand=lambda: 0.5))
        client = UnityRestClient(host='unity.example.com', username='admin', password='S3cret!pw',
                                 session=scripted_session(transport), **kwargs)
        client.sleeps = sleeps
        return client

    return factory


@pytest.fixture
def run_module(transport, monkeypatch, capsys):
    return module_runner(transport, monkeypatch, capsys)
