# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""upgrade_eligibility_info: classification, and whole runs for the 200 and the 202-job answers."""


import pytest
from hypothesis import given, strategies as st

from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import message_record
from ansible_collections.unity.upgrade.plugins.modules import upgrade_eligibility_info as mod

from ansible_collections.unity.upgrade.tests.unit.framework.clock import FakeClock
from ansible_collections.unity.upgrade.tests.unit.framework.module_runner import module_runner
from ansible_collections.unity.upgrade.tests.unit.framework.shapes import BASIC, SESSIONS, SPS, basic, collection, instance, raw_session
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply, fixture_json

VERIFY = '/api/types/upgradeSession/action/verifyUpgradeEligibility'
SYSTEM = '/api/instances/system/0'
BLOCKING_TEXT = ('The health check has failed. If an SP has to fail over, one or more of your servers do not have '
                 'redundant communication paths and could cause data unavailable or data loss errors. '
                 '[Error Code: flr::check_server_connectivity_2]')


def upgrade_message(code, severity, text, http_status=409):
    return {'errorCode': code, 'severity': severity, 'httpStatus': http_status,
            'messages': [{'locale': 'en_US', 'message': text}]}


BLOCKING = upgrade_message('flr::check_server_connectivity_2', 3, BLOCKING_TEXT)
WARNING = upgrade_message('flr::check_replication_sessions_1', 4, 'Replication sessions will pause.', 200)


def system(health=5):
    return instance({'id': '0', 'name': 'APM1', 'model': 'Unity 480F', 'serialNumber': 'CKM1', 'platform': 'x',
                     'isUpgradeComplete': True,
                     'health': {'value': health, 'descriptionIds': ['ALRT_SYSTEM_OK'],
                                'descriptions': ['The system is operating normally.']}})


def sps():
    return collection(*[{'id': sp, 'name': name, 'health': {'value': 5, 'descriptionIds': ['ALRT_COMPONENT_OK'],
                                                            'descriptions': ['The component is operating normally.']}}
                        for sp, name in (('spa', 'SP A'), ('spb', 'SP B'))])


def script_reads(transport, sessions=()):
    transport.add('GET', SESSIONS, Reply(200, collection(*sessions)))
    transport.add('GET', SYSTEM, Reply(200, system()))
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SPS, Reply(200, sps()))


@given(st.lists(st.tuples(st.sampled_from([None] + list(range(9))), st.sampled_from([None, 200, 409, 500])),
                max_size=6))
def test_classification_partitions_by_severity(specs):
    messages = [message_record({'errorCode': 'c%d' % i, 'severity': sev, 'httpStatus': status, 'messages': []})
                for i, (sev, status) in enumerate(specs)]
    eligible, blocking, warnings = mod.classify(messages)
    assert eligible == (not blocking)
    for item in messages:
        severity = item['severity']
        expected = (severity <= 3) if severity is not None else (item['http_status'] or 0) >= 400
        assert (item in blocking) == expected
        assert (item in warnings) == (severity == 4)


def test_blocked_array_is_eligible_false_with_code_and_message_and_does_not_fail(run_module, transport):
    script_reads(transport)
    transport.add('POST', VERIFY, Reply(200, instance({'codes': ['flr::check_server_connectivity_2'],
                                                       'overallStatus': True, 'messages': [BLOCKING, WARNING]})))
    run = run_module(mod, {}, check=True)
    assert not run.failed, run.result
    result = run.result
    assert result['changed'] is False and result['eligible'] is False
    assert [(m['error_code'], m['severity_name'], m['message']) for m in result['blocking']] == [
        ('flr::check_server_connectivity_2', 'ERROR', BLOCKING_TEXT)]
    assert [m['error_code'] for m in result['warning_messages']] == ['flr::check_replication_sessions_1']
    shown = 'flr::check_replication_sessions_1: Replication sessions will pause.'
    assert shown in [w['event']['msg'] if isinstance(w, dict) else w for w in result['warnings']]
    assert len(result['messages']) == 2
    assert result['msg'].startswith('not eligible: flr::check_server_connectivity_2: The health check has failed.')
    assert result['system_health']['name'] == 'OK'
    assert [(sp['name'], sp['health']['name']) for sp in result['sp_health']] == [('SP A', 'OK'), ('SP B', 'OK')]
    assert result['session_resource'] == 'upgradeSession' and result['active_session'] is None
    assert result['software_version'] == '5.2.0.0.5.173'


def test_eligible_with_warnings(run_module, transport):
    script_reads(transport, sessions=[raw_session(2, 100)])
    transport.add('POST', VERIFY, Reply(200, instance({'statusMessage': '', 'overallStatus': False,
                                                       'messages': [WARNING]})))
    run = run_module(mod, {})
    assert run.result['eligible'] is True
    assert run.result['msg'] == 'eligible with 1 warning: flr::check_replication_sessions_1'


def test_the_202_job_answer_is_followed_to_its_messages(transport, monkeypatch, capsys):
    # the client's job polling waits on a fake clock: no time passes
    run_module = module_runner(transport, monkeypatch, capsys, client_clock=FakeClock().clock)
    script_reads(transport, sessions=[raw_session(6, 27, 3)])
    job = fixture_json('job_202.json')
    done = dict(job, state=4, progressPct=100, parametersOut={'messages': [BLOCKING]})
    transport.add('POST', VERIFY, Reply(202, job))
    transport.add('GET', '/api/instances/job/N-49212', Reply(200, instance(done)))
    run = run_module(mod, {})
    assert not run.failed, run.result
    assert run.result['eligible'] is False
    assert run.result['blocking'][0]['error_code'] == 'flr::check_server_connectivity_2'
    assert run.result['active_session']['status_name'] == 'paused'


def test_a_409_error_entity_is_a_blocking_answer(run_module, transport):
    script_reads(transport)
    transport.add('POST', VERIFY, Reply(409, {'error': {'errorCode': 100728841, 'httpStatusCode': 409, 'messages': [
        {'en-US': 'An upgrade session is already active on the system.'}]}}))
    run = run_module(mod, {})
    assert not run.failed
    assert run.result['eligible'] is False
    assert run.result['blocking'][0]['error_code'] == '100728841'


@pytest.mark.parametrize('status', [422, 500])
def test_other_errors_fail_in_one_line(run_module, transport, status):
    script_reads(transport)
    transport.add('POST', VERIFY, Reply(status, {'error': {'errorCode': 5, 'httpStatusCode': status, 'messages': [
        {'en-US': 'One or more specified parameters are invalid.'}]}}))
    run = run_module(mod, {})
    assert run.failed and run.result['http_status'] == status and '\n' not in run.result['msg']
