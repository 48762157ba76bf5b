# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""UnityModule's first login: waiting for an API that is away (SP reboot), and nothing else."""


import pytest

from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModule, connection_argument_spec
from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    UnityApiError,
    UnityAuthError,
    UnityConnectionError,
    UnityTLSError,
)

from ansible_collections.unity.upgrade.tests.unit.framework.clock import FakeClock


class FlakyLogin:
    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = 0

    def login(self):
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome


def unity_with(tolerance):
    unity = UnityModule.__new__(UnityModule)
    # the jitter at its upper bound: each wait is the policy's cap
    clock = FakeClock(wall_start=1798675200.0, rand=lambda: 1.0)
    unity.login_tolerance = tolerance
    unity.login_refusal_is_outage = False
    unity.clock = clock.clock
    return unity, clock


REFUSED = UnityConnectionError('GET /api/types/loginSessionInfo/instances: cannot reach x: connection refused',
                               maybe_applied=False, reason='connection refused')


def test_an_away_api_is_waited_for_within_the_tolerance():
    unity, clock = unity_with(60)
    client = FlakyLogin(REFUSED, UnityApiError('503', http_status=503), REFUSED, None)
    unity._login(client)
    assert client.calls == 4
    assert clock.sleeps == [2.0, 4.0, 8.0]
    # the wait is an outage that began before the module sent anything
    assert unity.login_outage == {
        'start': '2026-12-31T00:00:00.000Z', 'seconds': 14.0, 'failed_reads': 3, 'during_task': None,
        'percent_complete': None, 'ended': True, 'at_start': True,
        'seen': ['connection refused (login)', 'HTTP 503 (login)', 'login accepted']}


def test_a_refused_login_is_an_outage_only_for_proven_credentials():
    refused = UnityAuthError('login refused', http_status=401)
    unity, clock = unity_with(60)
    with pytest.raises(UnityAuthError):
        unity._login(FlakyLogin(refused, None))
    assert clock.sleeps == [], 'a wrong password is never retried: Unity locks accounts'

    unity, clock = unity_with(60)
    unity.login_refusal_is_outage = True
    client = FlakyLogin(REFUSED, refused, refused, None)
    unity._login(client)
    assert client.calls == 4 and clock.sleeps == [2.0, 4.0, 8.0]
    assert unity.login_outage['seen'] == ['connection refused (login)', 'HTTP 401 (login refused)', 'login accepted']


def test_a_login_that_needs_no_wait_is_no_outage():
    unity, clock = unity_with(60)
    unity._login(FlakyLogin(None))
    assert unity.login_outage is None and clock.sleeps == []


def test_without_tolerance_the_first_failure_is_reported():
    unity, clock = unity_with(0)
    with pytest.raises(UnityConnectionError):
        unity._login(FlakyLogin(REFUSED))
    assert clock.sleeps == []


def test_the_tolerance_is_a_bound():
    unity, clock = unity_with(30)
    with pytest.raises(UnityConnectionError):
        unity._login(FlakyLogin(*[REFUSED] * 50))
    assert sum(clock.sleeps) <= 30


@pytest.mark.parametrize('error', [
    UnityAuthError('login refused', http_status=401),
    UnityTLSError('TLS verification failed', maybe_applied=False),
    UnityApiError('not found', http_status=404),
])
def test_answers_that_will_not_change_are_not_waited_for(error):
    unity, clock = unity_with(600)
    client = FlakyLogin(error)
    with pytest.raises(type(error)):
        unity._login(client)
    assert client.calls == 1 and clock.sleeps == []


def test_every_connection_option_has_its_environment_fallback_and_the_password_is_secret():
    spec = connection_argument_spec()
    fallbacks = dict((name, option['fallback'][1][0]) for name, option in spec.items() if 'fallback' in option)
    assert fallbacks == {'unispherehost': 'UNITY_HOST', 'port': 'UNITY_PORT', 'username': 'UNITY_USERNAME',
                         'password': 'UNITY_PASSWORD', 'validate_certs': 'UNITY_VALIDATE_CERTS',
                         'ca_path': 'UNITY_CA_PATH'}
    assert spec['password']['no_log'] is True
    assert spec['validate_certs']['default'] is True
