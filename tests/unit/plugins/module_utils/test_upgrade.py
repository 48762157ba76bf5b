# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upgrade domain: versions, enums, normalisers, the resource choice and the create rules."""


import pytest
from hypothesis import given, strategies as st
from requests.exceptions import ConnectionError as RequestsConnectionError, ReadTimeout

from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityApiError, UnityConnectionError
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    UpgradeApi,
    active_session,
    compare_versions,
    eligibility_records,
    installed_version,
    interval_seconds,
    message_record,
    newest_session,
    parse_version,
    session_record,
    session_summary,
    version_from_filename,
)
from ansible_collections.unity.upgrade.plugins.module_utils.versions import format_version

from ansible_collections.unity.upgrade.tests.unit.framework.shapes import OLD_SESSIONS, SESSIONS, collection
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply, fixture_json

NOT_FOUND = {'error': {'errorCode': 131149829, 'httpStatusCode': 404,
                       'messages': [{'en-US': 'The requested resource does not exist. (Error Code:0x7d13005)'}]}}


# -- versions -------------------------------------------------------------------------------

@pytest.mark.parametrize('text,expected', [
    ('5.3.0', (5, 3, 0)),
    ('5.3.0.0.5.120', (5, 3, 0, 0, 5, 120)),
    ('Unity 5.3.0.0 (Release, Build 120, 2023-03-18 19:02:01, 5.3.0.0.5.120)', (5, 3, 0, 0, 5, 120)),
    ('Unity-5.3.0.0.5.120.tgz.bin.gpg', (5, 3, 0, 0, 5, 120)),
    ('Upgrade_5.3.0.120', (5, 3, 0, 120)),
    ('no version here', None),
    (None, None),
])
def test_parse_version_reads_every_form(text, expected):
    assert parse_version(text) == expected


def test_compare_on_the_precision_both_sides_have():
    assert compare_versions('5.3.0', '5.3.0.0.5.120') == 0
    assert compare_versions('5.3.0.0.5.121', '5.3.0.0.5.120') == 1
    assert compare_versions('5.2.0.0.5.173', '5.3.0') == -1
    assert compare_versions('Unity 5.3.0.0 (Release, Build 120, 2023-03-18, 5.3.0.0.5.120)', '5.3.0.0.5.120') == 0
    with pytest.raises(ValueError):
        compare_versions('x', '5.3.0')


PARTS = st.lists(st.integers(0, 300), min_size=3, max_size=6)


@given(PARTS, PARTS, PARTS)
def test_compare_is_antisymmetric_and_consistent(a, b, c):
    first, second = format_version(a), format_version(b)
    assert compare_versions(first, second) == -compare_versions(second, first)
    assert compare_versions(first, first) == 0
    # a prefix always compares equal to the longer version it starts
    assert compare_versions(format_version(a[:3]), first) == 0
    # on equal precision it is a total order
    same = [format_version(x[:3]) for x in (a, b, c)]
    if compare_versions(same[0], same[1]) <= 0 and compare_versions(same[1], same[2]) <= 0:
        assert compare_versions(same[0], same[2]) <= 0


@given(PARTS)
def test_format_and_parse_round_trip(parts):
    assert parse_version(format_version(parts)) == tuple(parts)


def test_version_from_filename_and_intervals():
    assert version_from_filename('/srv/Unity-5.3.0.0.5.120.tgz.bin.gpg') == '5.3.0.0.5.120'
    assert version_from_filename('update1.gpg') is None
    assert interval_seconds('300:02:15') == 300 * 3600 + 135
    assert interval_seconds('00:16:10.000') == 970
    assert interval_seconds('soon') is None


def test_installed_version_prefers_the_full_version():
    basic = fixture_json('basic_system_info.json')['entries'][0]['content']
    assert installed_version(basic) == '5.3.0.0.5.120'
    assert installed_version({'softwareVersion': '4.5.1'}) == '4.5.1'
    assert installed_version({}) is None


# -- sessions -------------------------------------------------------------------------------

def real_sessions():
    return [session_record(e['content'], 'upgradeSession')
            for e in fixture_json('upgrade_session_in_progress.json')['entries']]


def test_the_real_session_normalises_with_names_and_the_current_task():
    old, running = real_sessions()
    assert (old['status_name'], old['current_task']) == ('acknowledged', None)
    assert running['status_name'] == 'in_progress' and running['percent_complete'] == 16
    assert running['current_task'] == 'Preparing system software'
    assert running['elapsed_seconds'] == 503 and running['candidate_id'] == 'candidate_1'
    assert [t['status_name'] for t in running['tasks'][:4]] == ['completed', 'completed', 'in_progress',
                                                                'not_started']
    assert active_session([old, running]) is running
    assert session_summary(running) == {
        'id': 'Upgrade_5.3.0.120', 'resource': 'upgradeSession', 'type_name': 'upgrade',
        'status_name': 'in_progress', 'candidate_id': 'candidate_1', 'percent_complete': 16,
        'current_task': 'Preparing system software'}
    assert session_summary(None) == {}


def test_the_time_left_is_the_estimates_of_the_tasks_not_completed():
    old, running = real_sessions()
    # 5485 s for the twelve tasks, less the two completed ones (3:30 and 1:10): a finished task keeps
    # its estimate, so it must not count
    assert running['estimated_seconds_left'] == 5485 - 210 - 70
    assert old['estimated_seconds_left'] == 0
    raw = fixture_json('upgrade_session_in_progress.json')['entries'][1]['content']
    unknown = dict(raw, tasks=[dict(raw['tasks'][5], estRemainTime='soon')] + raw['tasks'][6:])
    assert session_record(unknown, 'upgradeSession')['estimated_seconds_left'] is None
    assert session_record(dict(raw, tasks=[]), 'upgradeSession')['estimated_seconds_left'] is None
    assert session_record(dict(raw, status=5), 'upgradeSession')['estimated_seconds_left'] is None


def test_newest_session_by_creation_time_then_order():
    a = {'id': 'a', 'status': 2, 'creation_time': '2026-01-02T00:00:00.000Z'}
    b = {'id': 'b', 'status': 5, 'creation_time': '2026-01-01T00:00:00.000Z'}
    c = {'id': 'c', 'status': 2, 'creation_time': None}
    assert newest_session([a, b, c])['id'] == 'a'
    assert newest_session([a, b, c], (5,))['id'] == 'b'
    assert newest_session([c, dict(c, id='d')])['id'] == 'd'
    assert newest_session([], None) is None


def test_eligibility_messages_from_the_200_and_the_job_answers():
    message = {'errorCode': 'flr::x', 'severity': 3}
    record = message_record(message)
    assert eligibility_records({'messages': [message]}) == [record]
    assert eligibility_records({'id': 'N-1', 'state': 4, 'parametersOut': {'messages': [message]}}) == [record]
    assert eligibility_records({'statusMessage': '', 'overallStatus': False}) == []
    assert eligibility_records({'messages': []}) == []


CODE = 'flr::check_server_connectivity_2'
TEXT = 'The health check has failed. [Error Code: %s]' % CODE


@pytest.mark.parametrize('content', [
    {'codes': [CODE], 'overallStatus': True, 'messages': []},
    {'codes': [CODE], 'overallStatus': True},
    {'codes': [CODE]},
    {'overallStatus': True, 'statusMessage': TEXT},
    {'overallStatus': True},
    {'overallStatus': False, 'statusMessage': TEXT},
    {'id': 'N-2', 'state': 4, 'parametersOut': {'codes': [CODE], 'overallStatus': True, 'statusMessage': TEXT}},
], ids=['codes-empty-messages', 'codes-no-messages', 'codes-only', 'status-text', 'overall-only',
        'text-without-overall', 'job'])
def test_any_sign_of_a_problem_blocks(content):
    records = eligibility_records(content)
    assert records and all(r['severity'] == 3 for r in records)
    if content.get('codes') or (content.get('parametersOut') or {}).get('codes'):
        assert [r['error_code'] for r in records] == [CODE]


def test_a_code_a_message_names_is_not_repeated():
    message = {'errorCode': CODE, 'severity': 3, 'messages': [{'locale': 'en_US', 'message': TEXT}]}
    records = eligibility_records({'codes': [CODE], 'overallStatus': True, 'messages': [message]})
    assert [(r['error_code'], r['message']) for r in records] == [(CODE, TEXT)]


@pytest.mark.parametrize('content', [
    None, {}, {'checkResults': []}, [1, 2], {'messages': 'none'}, {'codes': CODE}, {'overallStatus': 'false'},
    {'messages': ['text']}, {'id': 'N-3', 'state': 4, 'parametersOut': {}},
])
def test_an_answer_that_cannot_be_read_is_never_eligible(content):
    records = eligibility_records(content)
    assert len(records) == 1 and records[0]['severity'] == 3
    assert records[0]['message'].startswith("could not read the array's answer to the eligibility check (")


# -- the API over the scripted transport ----------------------------------------------------

def test_the_resource_falls_back_to_software_upgrade_session_on_404(make_client, transport):
    transport.add('GET', SESSIONS, Reply(404, NOT_FOUND))
    transport.add('GET', OLD_SESSIONS, Reply(200, collection({'id': 'Upgrade_5.3.0.120', 'status': 6})),
                  Reply(200, collection()))
    api = UpgradeApi(make_client())
    assert api.sessions()[0]['resource'] == 'softwareUpgradeSession'
    assert api.session_resource == 'softwareUpgradeSession'
    api.sessions()
    assert len(transport.requests_to('GET', SESSIONS)) == 1, 'the choice is made once'


def test_other_errors_of_the_session_list_are_not_a_fallback(make_client, transport):
    # the first 422 is read again without the optional field selectedModel; the second is the error
    unprocessable = Reply(422, {'error': {'errorCode': 5, 'httpStatusCode': 422, 'messages': []}})
    transport.add('GET', SESSIONS, unprocessable, unprocessable)
    with pytest.raises(UnityApiError) as caught:
        UpgradeApi(make_client()).sessions()
    assert caught.value.http_status == 422 and not transport.requests_to('GET', OLD_SESSIONS)


def test_fields_an_older_array_refused_are_left_out_of_every_later_read(make_client, transport):
    unprocessable = Reply(422, {'error': {'errorCode': 131149831, 'httpStatusCode': 422, 'messages': []}})
    transport.add('GET', SESSIONS, unprocessable, *[Reply(200, collection({'id': 'Upgrade_5.3.0.120', 'status': 1}))] * 3)
    api = UpgradeApi(make_client())
    for dummy in range(3):
        assert api.sessions()[0]['id'] == 'Upgrade_5.3.0.120'
    fields = [r.query.get('fields', '') for r in transport.requests_to('GET', SESSIONS)]
    assert len(fields) == 4 and 'selectedModel' in fields[0], 'one refusal, then three reads without the field'
    assert all('selectedModel' not in f for f in fields[1:])


def test_create_reads_the_new_session(make_client, transport):
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.add('POST', SESSIONS, Reply(201, {'content': {'id': 'Upgrade_5.3.0.120'}}))
    transport.add('GET', '/api/instances/upgradeSession/Upgrade_5.3.0.120',
                  Reply(200, {'content': {'id': 'Upgrade_5.3.0.120', 'status': 1}}))
    created, recovered = UpgradeApi(make_client()).create_session({'candidate': {'id': 'c1'}}, 'c1')
    assert created['status_name'] == 'in_progress' and recovered is False


@pytest.mark.parametrize('exc', [RequestsConnectionError('Connection aborted. RemoteDisconnected'),
                                 ReadTimeout('read timed out')])
def test_a_lost_create_answer_is_found_by_reading_never_by_posting_again(make_client, transport, exc):
    old = {'id': 'Upgrade_5.2.0.173', 'status': 7, 'candidate': {'id': 'c0'}}
    new = {'id': 'Upgrade_5.3.0.120', 'status': 1, 'candidate': {'id': 'c1'}}
    transport.add('GET', SESSIONS, Reply(200, collection(old)), Reply(503, text='busy'),
                  Reply(200, collection(old)), Reply(200, collection(old, new)))
    transport.add('POST', SESSIONS, Reply(exc=exc))
    sleeps = []
    api = UpgradeApi(make_client(), sleep=sleeps.append)
    found, recovered = api.create_session({'candidate': {'id': 'c1'}}, 'c1', lost_answer_delay=5)
    assert (found['id'], recovered) == ('Upgrade_5.3.0.120', True)
    assert len(transport.requests_to('POST', SESSIONS)) == 1


def test_a_lost_create_answer_with_no_new_session_says_run_again(make_client, transport):
    transport.add('GET', SESSIONS, *[Reply(200, collection()) for dummy in range(4)])
    transport.add('POST', SESSIONS, Reply(exc=RequestsConnectionError('Connection aborted.')))
    api = UpgradeApi(make_client(), sleep=lambda s: None)
    with pytest.raises(UnityApiError, match='never starts a second one'):
        api.create_session({'candidate': {'id': 'c1'}}, 'c1', lost_answer_checks=3)
    assert len(transport.requests_to('POST', SESSIONS)) == 1


def test_a_refused_create_certainly_did_nothing_and_is_reported(make_client, transport):
    # refused each time: re-read, re-sent after the pauses, then reported as it is
    transport.add('GET', SESSIONS, *[Reply(200, collection()) for dummy in range(4)])
    transport.add('POST', SESSIONS, *[Reply(exc=RequestsConnectionError('[Errno 111] Connection refused'))
                                      for dummy in range(4)])
    sleeps = []
    with pytest.raises(UnityConnectionError) as caught:
        UpgradeApi(make_client(), sleep=sleeps.append).create_session({'candidate': {'id': 'c1'}}, 'c1')
    assert caught.value.maybe_applied is False
    assert len(transport.requests_to('POST', SESSIONS)) == 4 and sleeps == [2.0, 4.0, 8.0]
    assert len(transport.requests_to('GET', SESSIONS)) == 4, 'read again before every new POST'


@pytest.mark.parametrize('action', ['resume', 'cancel', 'acknowledge'])
def test_session_actions_post_to_the_instance(make_client, transport, action):
    transport.add('GET', SESSIONS, Reply(200, collection()))
    path = '/api/instances/upgradeSession/Upgrade_5.3.0.120/action/%s' % action
    transport.add('POST', path, Reply(204))
    api = UpgradeApi(make_client())
    api.sessions()
    assert api.session_action('Upgrade_5.3.0.120', action) == {}
    assert transport.requests_to('POST', path)[0].headers['EMC-CSRF-TOKEN'] == 'token-1-1'


BASIC = '/api/types/basicSystemInfo/instances'
INSTALLED = '/api/types/installedSoftwareVersion/instances'


@pytest.mark.parametrize('installed_id, expected', [
    ('4.5.1.0.5.001', '4.5.1.0.5.001'),  # OE 4.5 / 5.0: the precise version is installedSoftwareVersion's
    ('4.5.2.0.5.009', '4.5.1'),  # another release than basicSystemInfo's: the short one, no guess
])
def test_the_installed_version_without_software_full_version(make_client, transport, installed_id, expected):
    transport.add('GET', BASIC, Reply(200, collection({'id': '0', 'softwareVersion': '4.5.1', 'apiVersion': '9.0'})))
    transport.add('GET', INSTALLED, Reply(200, collection({'id': installed_id, 'version': installed_id[:5]})))
    assert UpgradeApi(make_client()).installed_version() == expected


def test_the_installed_version_with_software_full_version_reads_nothing_else(make_client, transport):
    transport.add('GET', BASIC, Reply(200, collection({
        'id': '0', 'softwareVersion': '5.3.0',
        'softwareFullVersion': 'Unity 5.3.0.0 (Release, Build 120, 2023-03-18 19:02:01, 5.3.0.0.5.120)'})))
    assert UpgradeApi(make_client()).installed_version() == '5.3.0.0.5.120'
    assert not transport.requests_to('GET', INSTALLED)
