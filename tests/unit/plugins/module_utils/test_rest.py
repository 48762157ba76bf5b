# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The transport rules of design section 2, one test (or more) per rule."""


import base64

import pytest
from hypothesis import given, strategies as st
from requests.exceptions import ConnectTimeout, ConnectionError as RequestsConnectionError, ReadTimeout, SSLError

from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    APPLICATION_TYPE,
    RetryPolicy,
    UnityApiError,
    UnityAuthError,
    UnityConnectionError,
    UnityTLSError,
    localized_messages,
    transport_failure,
)

from ansible_collections.unity.upgrade.plugins.module_utils.module import TLS_ADVICE
from ansible_collections.unity.upgrade.tests.unit.framework.shapes import SESSIONS, collection, instance
from ansible_collections.unity.upgrade.tests.unit.framework.transport import LOGIN, LOGOUT, Reply, fixture_json

SYSTEM = '/api/instances/system/0'
CREATE = '/api/types/upgradeSession/instances'
RESUME = '/api/instances/upgradeSession/Upgrade_5.3.0.120/action/resume'
VERIFY = '/api/types/upgradeSession/action/verifyUpgradeEligibility'


# -- login, headers, cookies, CSRF -------------------------------------------------------------

def test_login_uses_basic_auth_once_and_keeps_cookie_and_token(make_client, transport):
    transport.add('GET', SYSTEM, Reply(200, instance({'id': '0', 'name': 'APM1'})))
    client = make_client()
    info = client.login()
    assert info['isPasswordChangeRequired'] is False and info['idleTimeout'] == 3600
    client.get_instance('system', '0', ['id', 'name'])
    login, read = transport.sent
    expected = 'Basic ' + base64.b64encode(b'admin:S3cret!pw').decode()
    assert login.path == LOGIN and login.headers['Authorization'] == expected
    assert 'Authorization' not in read.headers, 'the password is sent only to log in'
    assert read.headers['Cookie'] == 'mod_sec_emc=cookie-1'


def test_every_request_carries_the_rest_client_headers_and_never_visibility(make_client, transport):
    transport.add('GET', SYSTEM, Reply(200, instance({'id': '0'})))
    client = make_client()
    client.get_instance('system', '0', ['id'])
    for sent in transport.sent:
        assert sent.headers['X-EMC-REST-CLIENT'] == 'true'
        assert sent.headers['Accept'] == 'application/json'
        assert sent.headers['Application-Type'] == APPLICATION_TYPE
        assert 'Visibility' not in sent.headers


def test_first_post_carries_the_csrf_token_without_a_401_round_trip(make_client, transport):
    transport.add('POST', RESUME, Reply(204))
    client = make_client()
    assert client.action('upgradeSession', 'resume', instance_id='Upgrade_5.3.0.120') == {}
    assert [(r.method, r.path) for r in transport.sent] == [('GET', LOGIN), ('POST', RESUME)]
    post = transport.sent[1]
    assert post.headers['EMC-CSRF-TOKEN'] == 'token-1-1'
    assert post.headers['Content-Type'] == 'application/json'


def test_gets_do_not_send_the_csrf_token(make_client, transport):
    transport.add('GET', SYSTEM, Reply(200, instance({'id': '0'})))
    make_client().get_instance('system', '0', ['id'])
    assert 'EMC-CSRF-TOKEN' not in transport.sent[-1].headers


def test_a_401_mid_session_logs_in_once_and_retries_once(make_client, transport):
    transport.add('GET', SYSTEM, Reply(401, fixture_json('error_404.json')),
                  Reply(200, instance({'id': '0', 'name': 'APM1'})))
    client = make_client()
    assert client.get_instance('system', '0', ['id', 'name'])['name'] == 'APM1'
    assert [r.path for r in transport.sent] == [LOGIN, SYSTEM, LOGIN, SYSTEM]
    assert transport.sent[-1].headers['Cookie'] == 'mod_sec_emc=cookie-2'


def test_a_401_that_persists_after_the_fresh_login_is_not_a_loop(make_client, transport):
    transport.add('POST', RESUME, Reply(401), Reply(401), Reply(401))
    client = make_client()
    with pytest.raises(UnityApiError) as caught:
        client.action('upgradeSession', 'resume', instance_id='Upgrade_5.3.0.120')
    assert caught.value.http_status == 401
    assert [r.path for r in transport.sent] == [LOGIN, RESUME, LOGIN, RESUME]
    assert transport.sent[-1].headers['EMC-CSRF-TOKEN'] == 'token-1-2', 'the re-sent POST has the new token'


def test_wrong_password_is_one_clear_line_without_the_password(make_client, transport):
    transport.add('GET', LOGIN, Reply(401, text='<html><head><title>401 Unauthorized</title></head></html>'))
    with pytest.raises(UnityAuthError) as caught:
        make_client().login()
    message = str(caught.value)
    assert message == ("login to https://unity.example.com:443 as 'admin' was refused (HTTP 401): check "
                       "username and password, and that the account has a role that may use the REST API")
    assert 'S3cret' not in message and '\n' not in message


def test_password_change_required_is_a_clear_error(make_client, transport):
    body = fixture_json('login_session_info.json')
    body['entries'][0]['content']['isPasswordChangeRequired'] = True
    transport.add('GET', LOGIN, Reply(200, body, headers={'EMC-CSRF-TOKEN': 't'}))
    with pytest.raises(UnityAuthError, match="requires the password of 'admin' to be changed"):
        make_client().login()


def test_a_login_answer_without_token_is_not_unisphere(make_client, transport):
    transport.add('GET', LOGIN, Reply(200, fixture_json('login_session_info.json')))
    with pytest.raises(UnityApiError, match='carries no EMC-CSRF-TOKEN header'):
        make_client().login()


def test_logout_posts_local_cleanup_with_the_token_and_accepts_200_and_204(make_client, transport):
    for status in (200, 204):
        transport.add('POST', LOGOUT, Reply(status))
        client = make_client()
        client.login()
        assert client.logout() is True
        logout = transport.sent[-1]
        assert logout.json == {'localCleanupOnly': 'true'}
        assert logout.headers['EMC-CSRF-TOKEN'].startswith('token-1-')
    assert make_client().logout() is False, 'nothing to log out of'


def test_a_failing_logout_never_raises(make_client, transport):
    transport.add('POST', LOGOUT, Reply(exc=RequestsConnectionError('Connection refused')))
    client = make_client()
    client.login()
    assert client.logout() is False


def test_context_manager_logs_in_and_out(make_client, transport):
    with make_client():
        pass
    assert [r.path for r in transport.sent] == [LOGIN, LOGOUT]


# -- reads: compact, fields, paging, envelopes --------------------------------------------------

def test_reads_send_compact_and_explicit_fields(make_client, transport):
    transport.add('GET', SESSIONS, Reply(200, collection({'id': 'a'})))
    make_client().get_collection('upgradeSession', ['id', 'status'], filter='status eq 1')
    read = transport.sent[-1]
    assert read.query == {'compact': 'true', 'fields': 'id,status', 'filter': 'status eq 1'}


def test_a_read_without_fields_is_refused_before_sending(make_client):
    with pytest.raises(ValueError):
        make_client().get_collection('upgradeSession', [])


def test_paging_follows_links_next(make_client, transport):
    transport.add('GET', SESSIONS, Reply(200, collection({'id': 'a'}, {'id': 'b'}, next_page=2)),
                  Reply(200, collection({'id': 'c'}, next_page=3)), Reply(200, collection({'id': 'd'})))
    ids = [c['id'] for c in make_client().get_collection('upgradeSession', ['id'], per_page=2)]
    assert ids == ['a', 'b', 'c', 'd']
    pages = [r.query.get('page') for r in transport.requests_to('GET', SESSIONS)]
    assert pages == [None, '2', '3']
    assert all(r.query['per_page'] == '2' for r in transport.requests_to('GET', SESSIONS))


def test_real_session_listing_unwraps_entries(make_client, transport):
    transport.add('GET', SESSIONS, Reply(200, fixture_json('upgrade_session_in_progress.json')))
    sessions = make_client().get_collection('upgradeSession', ['id', 'status', 'tasks'])
    assert [s['id'] for s in sessions] == ['Upgrade_4.3.0.1499782821', 'Upgrade_5.3.0.120']
    assert len(sessions[1]['tasks']) == 12


def test_instance_envelope_and_ids_are_path_quoted(make_client, transport):
    transport.add('GET', '/api/instances/storageProcessor/name:SP%20A',
                  Reply(200, instance({'id': 'spa', 'name': 'SP A'})))
    assert make_client().get_instance('storageProcessor', 'name:SP A', ['id', 'name'])['id'] == 'spa'


def test_basic_system_info_needs_no_login(make_client, transport):
    transport.add('GET', '/api/types/basicSystemInfo/instances', Reply(200, fixture_json('basic_system_info.json')))
    info = make_client().get_basic_system_info(['id', 'softwareVersion'])
    assert info['softwareVersion'] == '5.3.0'
    assert [r.path for r in transport.sent] == ['/api/types/basicSystemInfo/instances']
    assert 'Authorization' not in transport.sent[0].headers


# -- writes: 201, 200/204 actions, 202 jobs -----------------------------------------------------

def test_create_returns_the_id_of_the_201(make_client, transport):
    transport.add('POST', CREATE, Reply(201, {'@base': 'https://unity.example.com/api/instances/upgradeSession',
                                              'updated': '2025-02-28T11:01:54.381Z',
                                              'links': [{'rel': 'self', 'href': '/Upgrade_5.3.0.120'}],
                                              'content': {'id': 'Upgrade_5.3.0.120'}}))
    new_id = make_client().create('upgradeSession', {'candidate': {'id': 'candidate_1'}, 'pauseBeforeReboot': False})
    assert new_id == 'Upgrade_5.3.0.120'
    assert transport.sent[-1].json == {'candidate': {'id': 'candidate_1'}, 'pauseBeforeReboot': False}


def test_action_with_output_returns_content(make_client, transport):
    transport.add('POST', VERIFY, Reply(200, {'@base': 'x', 'updated': 'y', 'links': [],
                                              'content': {'messages': []}}))
    assert make_client().action('upgradeSession', 'verifyUpgradeEligibility') == {'messages': []}


def test_a_202_job_is_polled_to_its_end(make_client, transport):
    transport.add('POST', VERIFY, Reply(202, fixture_json('job_202.json')))
    transport.add('GET', '/api/instances/job/N-49212',
                  Reply(200, instance({'id': 'N-49212', 'state': 2})),
                  Reply(200, instance({'id': 'N-49212', 'state': 4, 'parametersOut': {'messages': []}})))
    client = make_client()
    job = client.action('upgradeSession', 'verifyUpgradeEligibility', job_poll_interval=3)
    assert job['state'] == 4 and job['parametersOut'] == {'messages': []}
    assert client.sleeps == [3, 3]


def test_a_failed_job_raises_with_its_task_messages(make_client, transport):
    transport.add('POST', VERIFY, Reply(202, fixture_json('job_202.json')))
    transport.add('GET', '/api/instances/job/N-49212', Reply(200, instance({
        'id': 'N-49212', 'state': 5, 'tasks': [{'state': 3, 'messages': [{'messages': [
            {'locale': 'en_US', 'message': 'The specified file system size is too small. (Error Code:0x6701401)'}]}]}]})))
    with pytest.raises(UnityApiError, match=r'^job N-49212 failed: The specified file system size is too small'):
        make_client().action('upgradeSession', 'verifyUpgradeEligibility', job_poll_interval=0)


# -- errors --------------------------------------------------------------------------------------

def test_error_entity_gives_status_code_and_message(make_client, transport):
    transport.add('GET', '/api/instances/upgradeSession/nope', Reply(404, fixture_json('error_404.json')))
    with pytest.raises(UnityApiError) as caught:
        make_client().get_instance('upgradeSession', 'nope', ['id'])
    error = caught.value
    assert (error.http_status, error.error_code, error.method, error.path) == (
        404, 131149829, 'GET', '/api/instances/upgradeSession/nope')
    assert error.messages == ['The requested resource does not exist. (Error Code:0x7d13005)']
    assert str(error) == ('GET /api/instances/upgradeSession/nope failed with HTTP 404 (error code 131149829): '
                          'The requested resource does not exist. (Error Code:0x7d13005)')


def test_upgrade_message_encoding_is_understood_too(make_client, transport):
    transport.add('POST', CREATE, Reply(409, {'errorCode': 'upgrade::session_running', 'httpStatus': 409, 'severity': 3,
                                              'messages': [{'locale': 'en_US', 'message': 'An upgrade is running.'}]}))
    with pytest.raises(UnityApiError) as caught:
        make_client().create('upgradeSession', {})
    assert caught.value.error_code == 'upgrade::session_running'
    assert caught.value.messages == ['An upgrade is running.']


def test_an_html_401_page_gives_a_clear_message(make_client, transport):
    page = '<html><head><title>401 - Unauthorized</title></head><body><h1>Access denied</h1></body></html>'
    transport.add('GET', SYSTEM, Reply(401, text=page), Reply(401, text=page))
    with pytest.raises(UnityApiError) as caught:
        make_client().get_instance('system', '0', ['id'])
    assert str(caught.value) == ('GET /api/instances/system/0 failed with HTTP 401: the answer is not Unisphere '
                                 'JSON (text/html: 401 - Unauthorized)')


def test_a_proxy_page_answering_200_is_not_taken_for_json(make_client, transport):
    transport.add('GET', SYSTEM, Reply(200, text='<html><body>Please log in to the proxy</body></html>'))
    with pytest.raises(UnityApiError, match=r'body that is not JSON \(text/html: Please log in to the proxy\)'):
        make_client().get_instance('system', '0', ['id'])


@given(st.lists(st.one_of(
    st.fixed_dictionaries({'en-US': st.text(min_size=1)}),
    st.fixed_dictionaries({'locale': st.just('en_US'), 'message': st.text(min_size=1)}))))
def test_localized_messages_never_lose_a_non_blank_text(items):
    texts = localized_messages(items)
    expected = [(i.get('message') or i.get('en-US')).strip() for i in items]
    assert texts == [t for t in expected if t]


# -- retries ---------------------------------------------------------------------------------------

def test_a_get_is_retried_through_two_503s(make_client, transport):
    transport.add('GET', SYSTEM, Reply(503), Reply(503, text='<title>Service Unavailable</title>'),
                  Reply(200, instance({'id': '0'})))
    client = make_client()
    assert client.get_instance('system', '0', ['id']) == {'id': '0'}
    assert len(transport.requests_to('GET', SYSTEM)) == 3
    assert client.sleeps == [0.75, 1.5], 'jittered exponential backoff'


def test_get_retries_are_bounded(make_client, transport):
    transport.add('GET', SYSTEM, *([Reply(503)] * 10))
    with pytest.raises(UnityApiError) as caught:
        make_client().get_instance('system', '0', ['id'])
    assert caught.value.http_status == 503
    assert len(transport.requests_to('GET', SYSTEM)) == 4


def test_a_get_is_retried_after_a_connection_reset(make_client, transport):
    transport.add('GET', SYSTEM, Reply(exc=RequestsConnectionError('Connection aborted. RemoteDisconnected')),
                  Reply(200, instance({'id': '0'})))
    assert make_client().get_instance('system', '0', ['id']) == {'id': '0'}


def test_a_post_after_a_dropped_connection_is_not_resent(make_client, transport):
    transport.add('POST', CREATE, Reply(exc=RequestsConnectionError('Connection aborted. RemoteDisconnected')))
    with pytest.raises(UnityConnectionError) as caught:
        make_client().create('upgradeSession', {'candidate': {'id': 'candidate_1'}})
    assert caught.value.maybe_applied is True
    assert len(transport.requests_to('POST', CREATE)) == 1
    assert str(caught.value) == ('POST /api/types/upgradeSession/instances: cannot reach '
                                 'https://unity.example.com:443: the connection was reset')


def test_a_post_after_a_read_timeout_is_not_resent(make_client, transport):
    transport.add('POST', CREATE, Reply(exc=ReadTimeout('Read timed out.')))
    with pytest.raises(UnityConnectionError) as caught:
        make_client().create('upgradeSession', {})
    assert caught.value.maybe_applied is True
    assert len(transport.requests_to('POST', CREATE)) == 1


def test_a_refused_post_certainly_never_reached_the_array(make_client, transport):
    transport.add('POST', CREATE, Reply(exc=RequestsConnectionError('[Errno 111] Connection refused')))
    with pytest.raises(UnityConnectionError) as caught:
        make_client().create('upgradeSession', {})
    assert caught.value.maybe_applied is False


@pytest.mark.parametrize('exc, reason, never_sent', [
    (RequestsConnectionError('[Errno 111] Connection refused'), 'connection refused', True),
    (RequestsConnectionError('[Errno -2] Name or service not known'), 'the host name does not resolve', True),
    (RequestsConnectionError('[Errno 113] No route to host'), 'no route to host', True),
    (RequestsConnectionError('[Errno 101] Network is unreachable'), 'network is unreachable', True),
    (RequestsConnectionError('Connection aborted. RemoteDisconnected'), 'the connection was reset', False),
    (RequestsConnectionError("Connection aborted. TimeoutError('The write operation timed out')"),
     'the connection was reset', False),
    (RequestsConnectionError('Connection broken: IncompleteRead(12 bytes read)'), 'the connection broke off', False),
    (ConnectTimeout('Connection to unity.example.com timed out. (connect timeout=10)'), 'connect timed out', True),
    (ReadTimeout('Read timed out.'), 'read timed out', False),
    (OSError('something else'), 'connection failed (OSError)', False),
])
def test_one_describer_for_every_transport_failure(exc, reason, never_sent):
    """The array's transport and a download's (upload.UrlSource) say the same thing for the same failure."""
    assert transport_failure(exc) == (reason, never_sent)


def test_a_post_answered_503_is_not_retried(make_client, transport):
    transport.add('POST', CREATE, Reply(503), Reply(201, {'content': {'id': 'x'}}))
    with pytest.raises(UnityApiError):
        make_client().create('upgradeSession', {})
    assert len(transport.requests_to('POST', CREATE)) == 1


@given(st.integers(min_value=1, max_value=40), st.floats(min_value=0, max_value=1))
def test_backoff_is_capped_and_jittered(retry_number, rand):
    policy = RetryPolicy(base_delay=1.0, max_delay=15.0, rand=lambda: rand)
    delay = policy.delay(retry_number)
    cap = min(15.0, 2.0 ** (retry_number - 1))
    assert cap / 2 <= delay <= cap


# -- TLS and timeouts ---------------------------------------------------------------------------------

def test_tls_failure_names_the_options_to_change(make_client, transport):
    transport.add('GET', LOGIN, Reply(exc=SSLError('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: '
                                                   'self-signed certificate in certificate chain')))
    with pytest.raises(UnityTLSError) as caught:
        make_client(tls_advice=TLS_ADVICE).login()
    assert str(caught.value) == (
        'TLS verification of https://unity.example.com:443 failed: the certificate is not signed by a trusted CA. '
        "Set ca_path to the CA certificate that signed the array's certificate, or validate_certs: false to skip "
        'the check (insecure)')
    assert len(transport.sent) == 1, 'a TLS failure is not retried'


def test_hostname_mismatch_is_named(make_client, transport):
    transport.add('GET', LOGIN, Reply(exc=SSLError("hostname 'unity.example.com' doesn't match 'other'")))
    with pytest.raises(UnityTLSError, match="the certificate is not valid for the name 'unity.example.com'"):
        make_client(tls_advice=TLS_ADVICE).login()


def test_verification_is_on_by_default_and_ca_path_wins(make_client):
    assert make_client().session.verify is True
    assert make_client(validate_certs=False).session.verify is False
    assert make_client(validate_certs=False, ca_path='/etc/ca.pem').session.verify == '/etc/ca.pem'


def test_timeouts_are_always_set(make_client, transport, monkeypatch):
    seen = []
    original = transport.send

    def spy(request, **kwargs):
        seen.append(kwargs.get('timeout'))
        return original(request, **kwargs)

    monkeypatch.setattr(transport, 'send', spy)
    transport.add('GET', SYSTEM, Reply(200, instance({'id': '0'})))
    make_client(request_timeout=30).get_instance('system', '0', ['id'])
    assert seen == [(10.0, 30.0), (10.0, 30.0)]


def test_ipv6_hosts_get_brackets(make_client):
    from ansible_collections.unity.upgrade.plugins.module_utils.rest import format_host
    assert format_host('fd00::10') == '[fd00::10]'
    assert format_host('unity.example.com') == 'unity.example.com'


def test_a_connection_cut_during_tls_is_an_outage_not_a_trust_problem(make_client, transport):
    transport.add('GET', SYSTEM, Reply(exc=SSLError('[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation '
                                                    'of protocol (_ssl.c:1006)')),
                  Reply(200, instance({'id': '0'})))
    assert make_client().get_instance('system', '0', ['id']) == {'id': '0'}, 'retried like any reset'
    transport.add('POST', CREATE, Reply(exc=SSLError('EOF occurred in violation of protocol')))
    with pytest.raises(UnityConnectionError) as caught:
        make_client().create('upgradeSession', {})
    assert not isinstance(caught.value, UnityTLSError)
    assert caught.value.maybe_applied is True
