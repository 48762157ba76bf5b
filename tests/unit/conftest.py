# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fixtures of every unit test; what they build lives in tests/unit/framework:

- ``transport``: a ScriptedAdapter (framework/transport.py) that replays recorded answers
  and keeps every request sent;
- ``make_client(**kwargs)``: a UnityRestClient over ``transport``, its backoff sleeps kept
  in ``client.sleeps``;
- ``run_module(module, args, check=False, diff=False)``: a whole module run over
  ``transport`` (framework/module_runner.py);
- ``fake_clock``: a FakeClock (framework/clock.py), time that passes only by sleeping;
- ``upload_transport``: an UploadAdapter (framework/upload.py), a ScriptedAdapter that also reads
  streamed upload bodies, its stalls on ``fake_clock``;
- ``upload_client``: a UnityRestClient over ``upload_transport`` that waits on ``fake_clock``.
"""


import pytest
from hypothesis import settings

from ansible_collections.unity.upgrade.tests.unit.framework.clock import FakeClock
from ansible_collections.unity.upgrade.tests.unit.framework.module_runner import module_runner
from ansible_collections.unity.upgrade.tests.unit.framework.transport import ScriptedAdapter, scripted_session
from ansible_collections.unity.upgrade.tests.unit.framework.upload import UploadAdapter


# No time limit per example for every property test: a slow example on a loaded CI node is not a
# failure (what takes how long is measured by the benchmarks, never asserted in tests).
settings.register_profile('unity-upgrade', deadline=None)
settings.load_profile('unity-upgrade')


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


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def upload_transport(fake_clock):
    return UploadAdapter(clock=fake_clock)


@pytest.fixture
def upload_client(upload_transport, fake_clock):
    from ansible_collections.unity.upgrade.plugins.module_utils.module import TLS_ADVICE
    from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityRestClient

    return UnityRestClient(host='unity.example.com', username='admin', password='S3cret!pw',
                           session=scripted_session(upload_transport), clock=fake_clock.clock, tls_advice=TLS_ADVICE)
