# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Faults around the create and the login, over the scripted transport: a create the array certainly did
not take is re-sent only after reading the sessions again; a login meets a restarting API."""


import pytest
from requests.exceptions import ConnectionError as RequestsConnectionError

from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityApiError, UnityAuthError
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import UpgradeApi

from ansible_collections.unity.upgrade.tests.unit.framework.shapes import SESSIONS, collection
from ansible_collections.unity.upgrade.tests.unit.framework.transport import LOGIN, Reply, fixture_json

NEW = {'id': 'Upgrade_5.3.0.120', 'status': 1, 'candidate': {'id': 'c1'}}
UNAVAILABLE = {'error': {'errorCode': 131149838, 'httpStatusCode': 503,
                         'messages': [{'en-US': 'The REST service is temporarily unavailable.'}]}}


def logged_in():
    return Reply(200, fixture_json('login_session_info.json'), headers={'EMC-CSRF-TOKEN': 'token-x'})


@pytest.mark.parametrize('refusal', [Reply(503, UNAVAILABLE), Reply(502, text='<html>Bad Gateway</html>'),
                                     Reply(exc=RequestsConnectionError('[Errno 111] Connection refused'))])
def test_a_create_the_array_did_not_take_is_sent_again_after_reading_the_sessions(make_client, transport, refusal):
    transport.add('GET', SESSIONS, Reply(200, collection()), Reply(200, collection()))
    transport.add('POST', SESSIONS, refusal, Reply(201, {'content': {'id': NEW['id']}}))
    transport.add('GET', '/api/instances/upgradeSession/' + NEW['id'], Reply(200, {'content': NEW}))
    sleeps = []
    created, recovered = UpgradeApi(make_client(), sleep=sleeps.append).create_session({'candidate': {'id': 'c1'}}, 'c1')
    assert (created['id'], recovered) == (NEW['id'], False)
    assert [r.path for r in transport.sent if r.method == 'POST'] == [SESSIONS, SESSIONS]
    assert [r.method for r in transport.sent if r.path == SESSIONS] == ['GET', 'POST', 'GET', 'POST']
    assert sleeps == [2.0]


def test_a_session_listed_after_a_503_is_adopted_not_created_again(make_client, transport):
    transport.add('GET', SESSIONS, Reply(200, collection()), Reply(200, collection(NEW)))
    transport.add('POST', SESSIONS, Reply(503, UNAVAILABLE))
    found, recovered = UpgradeApi(make_client(), sleep=lambda s: None).create_session({'candidate': {'id': 'c1'}}, 'c1')
    assert (found['id'], recovered) == (NEW['id'], True)
    assert len(transport.requests_to('POST', SESSIONS)) == 1


@pytest.mark.parametrize('answer', [Reply(422, {'error': {'errorCode': 5, 'messages': [{'en-US': 'bad'}]}}),
                                    Reply(409, {'error': {'errorCode': 100728841, 'messages': [{'en-US': 'active'}]}})])
def test_a_refusal_of_the_request_itself_is_never_sent_again(make_client, transport, answer):
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.add('POST', SESSIONS, answer)
    with pytest.raises(UnityApiError) as caught:
        UpgradeApi(make_client(), sleep=lambda s: None).create_session({'candidate': {'id': 'c1'}}, 'c1')
    assert caught.value.http_status == answer.status
    assert len(transport.requests_to('POST', SESSIONS)) == 1


def test_a_lost_answer_is_looked_for_through_503s_of_the_session_list(make_client, transport):
    transport.add('GET', SESSIONS, Reply(200, collection()), *[Reply(503, UNAVAILABLE)] * 4,
                  Reply(200, collection(NEW)))
    transport.add('POST', SESSIONS, Reply(exc=RequestsConnectionError('Connection aborted. RemoteDisconnected')))
    found, recovered = UpgradeApi(make_client(), sleep=lambda s: None).create_session(
        {'candidate': {'id': 'c1'}}, 'c1', lost_answer_checks=3)
    assert (found['id'], recovered) == (NEW['id'], True)
    assert len(transport.requests_to('POST', SESSIONS)) == 1


def test_the_login_rides_out_a_restarting_api(make_client, transport):
    transport.add('GET', LOGIN, Reply(503, text='<html><title>503 Service Unavailable</title></html>'),
                  Reply(exc=RequestsConnectionError('[Errno 111] Connection refused')), logged_in())
    client = make_client()
    client.login()
    assert client.logged_in and len(transport.requests_to('GET', LOGIN)) == 3
    assert client.sleeps == [0.75, 1.5], 'the jittered GET backoff of the retry policy'


def test_the_login_is_tried_once_when_told_not_to_retry(make_client, transport):
    transport.add('GET', LOGIN, Reply(503, UNAVAILABLE))
    with pytest.raises(UnityApiError) as caught:
        make_client().login(retry=False)
    assert caught.value.http_status == 503 and len(transport.requests_to('GET', LOGIN)) == 1


def test_a_refused_password_is_never_retried(make_client, transport):
    transport.add('GET', LOGIN, Reply(401, {'error': {'errorCode': 131149834, 'messages': [{'en-US': 'no'}]}}))
    with pytest.raises(UnityAuthError):
        make_client().login()
    assert len(transport.requests_to('GET', LOGIN)) == 1


# -- resume, cancel, acknowledge ----------------------------------------------------------------

SESSION = '/api/instances/upgradeSession/' + NEW['id']
RESUME = SESSION + '/action/resume'


def api(client, sleep=None):
    upgrade = UpgradeApi(client, sleep=sleep or (lambda seconds: None))
    upgrade._session_resource = 'upgradeSession'  # as read before the action was decided
    return upgrade


@pytest.mark.parametrize('refusal', [Reply(503, UNAVAILABLE),
                                     Reply(exc=RequestsConnectionError('[Errno 111] Connection refused'))])
def test_a_resume_the_array_did_not_take_is_sent_again_while_the_session_is_still_paused(
        make_client, transport, refusal):
    transport.add('POST', RESUME, refusal, Reply(204))
    transport.add('GET', SESSION, Reply(200, {'content': dict(NEW, status=6)}))
    sleeps = []
    api(make_client(), sleeps.append).session_action(NEW['id'], 'resume', before_status=6)
    assert len(transport.requests_to('POST', RESUME)) == 2 and sleeps == [2.0]


def test_a_lost_resume_answer_is_done_when_the_session_runs(make_client, transport):
    transport.add('POST', RESUME, Reply(exc=RequestsConnectionError('Connection aborted. RemoteDisconnected')))
    transport.add('GET', SESSION, Reply(200, {'content': dict(NEW, status=1)}))
    api(make_client()).session_action(NEW['id'], 'resume', before_status=6)
    assert len(transport.requests_to('POST', RESUME)) == 1


LOST = RequestsConnectionError('Connection aborted. RemoteDisconnected')
PAUSED = Reply(200, {'content': dict(NEW, status=6)})
RUNNING = Reply(200, {'content': dict(NEW, status=1)})


def test_a_lost_resume_answer_with_the_session_still_paused_after_the_reads_is_sent_again(make_client, transport):
    # a reset before the array read the request looks the same as one after: the status decides
    transport.add('POST', RESUME, Reply(exc=LOST), Reply(204))
    transport.add('GET', SESSION, *[PAUSED] * 3)
    sleeps = []
    api(make_client(), sleeps.append).session_action(NEW['id'], 'resume', before_status=6)
    assert len(transport.requests_to('POST', RESUME)) == 2
    assert len(transport.requests_to('GET', SESSION)) == 3


def test_a_resume_lost_every_time_with_the_session_still_paused_is_reported_after_the_retries(make_client, transport):
    transport.add('POST', RESUME, *[Reply(exc=LOST)] * 4)
    transport.add('GET', SESSION, *[PAUSED] * 12)
    with pytest.raises(UnityApiError) as caught:
        api(make_client()).session_action(NEW['id'], 'resume', before_status=6)
    assert str(caught.value).startswith('the answer to the resume of session Upgrade_5.3.0.120 was lost 4 times (POST ')
    assert str(caught.value).endswith('and the session is still status paused; run the task again')
    assert len(transport.requests_to('POST', RESUME)) == 4


@pytest.mark.parametrize('refusal', [Reply(422, {'error': {'errorCode': 5, 'messages': [{'en-US': 'not paused'}]}}),
                                     Reply(409, {'error': {'errorCode': 100728841, 'messages': [{'en-US': 'busy'}]}})])
def test_a_re_sent_resume_refused_because_the_first_was_taken_after_all_is_done(make_client, transport, refusal):
    transport.add('POST', RESUME, Reply(exc=LOST), refusal)
    transport.add('GET', SESSION, PAUSED, PAUSED, PAUSED, RUNNING)
    api(make_client()).session_action(NEW['id'], 'resume', before_status=6)
    assert len(transport.requests_to('POST', RESUME)) == 2


def test_a_first_resume_refused_is_reported_without_reading_or_sending_again(make_client, transport):
    transport.add('POST', RESUME, Reply(422, {'error': {'errorCode': 5, 'messages': [{'en-US': 'not paused'}]}}))
    with pytest.raises(UnityApiError) as caught:
        api(make_client()).session_action(NEW['id'], 'resume', before_status=6)
    assert 'not paused' in str(caught.value)
    assert len(transport.requests_to('POST', RESUME)) == 1 and not transport.requests_to('GET', SESSION)


def test_without_a_known_status_an_action_is_never_sent_again(make_client, transport):
    transport.add('POST', RESUME, Reply(503, UNAVAILABLE))
    with pytest.raises(UnityApiError):
        api(make_client()).session_action(NEW['id'], 'resume')
    assert len(transport.requests_to('POST', RESUME)) == 1
