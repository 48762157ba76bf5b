# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A stalled upload ends within upload_timeout when that is shorter than request_timeout."""


import pytest
from requests.exceptions import ConnectionError as RequestsConnectionError

from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityConnectionError
from ansible_collections.unity.upgrade.plugins.module_utils.upload import upload_candidate

from ansible_collections.unity.upgrade.tests.unit.framework.upload import NAME, body_factory

TIMED_OUT = RequestsConnectionError("Connection aborted. TimeoutError('The write operation timed out')")


def test_a_send_may_stall_no_longer_than_a_shorter_upload_timeout(upload_client, upload_transport):
    upload_candidate(upload_client, body_factory(), timeout=5)
    assert upload_transport.timeouts == (5.0, 5.0), 'the send limit is the shorter of the two'


def test_a_stall_past_a_shorter_upload_timeout_names_upload_timeout(upload_client, upload_transport, fake_clock):
    upload_transport.cut_after_chunks = 3
    upload_transport.cut_exc = TIMED_OUT
    upload_transport.stall = 1000
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, body_factory(clock=fake_clock.monotonic), timeout=5)
    assert str(caught.value) == ('the upload did not finish within upload_timeout: 30 of 100 bytes of %s were sent; '
                                 'the array keeps no partial candidate. Raise upload_timeout for slow links' % NAME)
    assert caught.value.maybe_applied is False


def test_a_longer_upload_timeout_leaves_the_stall_to_request_timeout(upload_client, upload_transport, fake_clock):
    upload_transport.cut_after_chunks = 3
    upload_transport.cut_exc = TIMED_OUT
    upload_transport.stall = 1000
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, body_factory(clock=fake_clock.monotonic), timeout=3600)
    assert '(the array took no data for 60 seconds, the request_timeout)' in str(caught.value)
