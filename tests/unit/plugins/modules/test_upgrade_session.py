# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""upgrade_session: the decisions as pure functions, then whole module runs over the scripted
transport (requests on the wire, one login, no changing request in check mode)."""


import pytest
from hypothesis import given, settings, strategies as st
from requests.exceptions import ConnectionError as RequestsConnectionError

from ansible_collections.unity.upgrade.plugins.module_utils import module as module_utils
from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModuleError
from ansible_collections.unity.upgrade.plugins.module_utils.retry import RetryPolicy
from ansible_collections.unity.upgrade.plugins.module_utils import _session_plan as planner
from ansible_collections.unity.upgrade.plugins.module_utils.records import Candidate, Session
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    STATUS_NAMES,
    candidate_record,
    compare_versions,
    session_record,
)
from ansible_collections.unity.upgrade.plugins.modules import upgrade_session as mod

from ansible_collections.unity.upgrade.tests.unit.framework.clock import FakeClock
from ansible_collections.unity.upgrade.tests.unit.framework.module_runner import PASSWORD, module_runner
from ansible_collections.unity.upgrade.tests.unit.framework.shapes import (
    BASIC,
    CANDIDATES,
    OLD_SESSIONS,
    SESSIONS,
    SID,
    basic,
    collection,
    instance,
    raw_candidate,
    raw_session,
)
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply

SESSION = '/api/instances/upgradeSession/' + SID
CHANGING = ('/instances', '/action/resume', '/action/cancel', '/action/acknowledge')


# -- shapes ----------------------------------------------------------------------------------

def norm(raw, resource='upgradeSession'):
    return Session.of(session_record(raw, resource))


def candidate(raw):
    return Candidate.of(candidate_record(raw))


def params(**overrides):
    values = {'state': 'present', 'candidate': None, 'version': None, 'type': 'upgrade',
              'pause_before_reboot': False, 'pause_between_reboots': False, 'selected_model': None,
              'session_id': None, 'wait': True, 'wait_timeout': 10800, 'poll_interval': 30.0,
              'outage_tolerance': 1800}
    values.update(overrides)
    return values


CANDIDATE = candidate(raw_candidate())


# -- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize('overrides,text', [
    ({}, 'state present needs candidate (an id) or version'),
    ({'candidate': 'c', 'version': '5.3.0'}, 'mutually exclusive'),
    ({'version': 'latest'}, "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got 'latest'"),
    ({'version': '5.3'}, "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got '5.3'"),
    ({'version': '5.3.0', 'poll_interval': 0}, 'poll_interval must be a positive number of seconds, got 0'),
    ({'version': '5.3.0', 'progress_interval': -1},
     'progress_interval must be 0 (no progress lines) or a positive number of seconds, got -1'),
    ({'version': '5.3.0', 'wait_timeout': -5}, 'wait_timeout must be a positive number'),
    ({'version': '5.3.0', 'outage_tolerance': 0}, 'outage_tolerance must be a positive number'),
    ({'version': '5.3.0', 'session_id': 'x'}, 'session_id applies to states resumed'),
    ({'state': 'resumed', 'version': '5.3.0'}, 'to pick the session to resume use session_id'),
    ({'type': 'storageprocessor_upgrade'}, 'needs selected_model'),
    ({'type': 'storageprocessor_upgrade', 'selected_model': 'SP680', 'version': '5.3.0'}, 'takes no candidate'),
])
def test_bad_input_is_one_line_naming_what_to_fix(overrides, text):
    with pytest.raises(UnityModuleError) as caught:
        planner.validate(params(**overrides))
    assert text in caught.value.msg and '\n' not in caught.value.msg


def test_valid_input_returns_the_dotted_version():
    assert planner.validate(params(version=' 5.3.0.0.5.120 ')) == '5.3.0.0.5.120'
    assert planner.validate(params(candidate='candidate_1')) is None
    assert planner.validate(params(type='health_check')) is None
    assert planner.validate(params(state='cancelled')) is None
    # a wait shorter than the poll interval (what is left of the role's unity_upgrade_wait_timeout): the waiter reads at the deadline
    assert planner.validate(params(version='5.3.0', poll_interval=30, wait_timeout=10)) == '5.3.0'


# -- present ---------------------------------------------------------------------------------

def present(sessions=(), candidates=(CANDIDATE,), installed='5.2.0.0.5.173', resource='upgradeSession', **kw):
    return decide_present(params(**kw), sessions, candidates, installed, resource)


def decide_present(p, sessions, candidates, installed, resource, sp_models=()):
    reading = planner.Reading(installed, tuple(sessions), tuple(candidates), resource, tuple(sp_models))
    return planner.decide_present(planner.session_request(p), reading)


def test_present_creates_with_the_candidate_of_that_version():
    plan = present(version='5.3.0')
    assert (plan.action, plan.changed, plan.target_version) == ('created', True, '5.3.0.0.5.120')
    assert plan.body == {'candidate': {'id': 'candidate_1'}}


def test_present_sends_only_the_options_asked_for():
    plan = present(candidate='candidate_1', pause_before_reboot=True, pause_between_reboots=True)
    assert plan.body == {'candidate': {'id': 'candidate_1'}, 'pauseBeforeReboot': True, 'pauseBetweenReboots': True}


def test_pause_between_reboots_needs_upgrade_session():
    with pytest.raises(UnityModuleError, match='pause_between_reboots needs the upgradeSession resource'):
        present(candidate='candidate_1', pause_between_reboots=True, resource='softwareUpgradeSession')


def test_pause_before_reboot_on_a_candidate_that_cannot_pause_fails_before_sending():
    with pytest.raises(UnityModuleError, match='cannot pause before reboot'):
        present(candidates=[candidate(raw_candidate(can_pause=False))], version='5.3.0', pause_before_reboot=True)


@pytest.mark.parametrize('installed', ['5.3.0.0.5.120', '5.3.1.0.5.10', '6.0.0.0.5.1'])
def test_already_at_the_version_or_newer_is_no_change(installed):
    plan = present(version='5.3.0.0.5.120', installed=installed)
    assert (plan.action, plan.changed, plan.body) == ('none', False, None)
    assert 'already runs %s' % installed in plan.msg


def test_already_there_needs_no_candidate_on_the_array():
    plan = present(candidates=[], version='5.3.0', installed='5.3.0.0.5.120')
    assert plan.action == 'none'


def test_a_candidate_id_that_is_gone_after_its_session_completed_is_no_change():
    done = norm(raw_session(2, 100))
    plan = present(sessions=[done], candidates=[], candidate='candidate_1', installed='5.3.0.0.5.120')
    assert plan.action == 'none' and 'already completed the upgrade to candidate candidate_1' in plan.msg


def test_a_running_session_for_the_same_candidate_is_adopted():
    running = norm(raw_session(1, 40, 6))
    plan = present(sessions=[norm(raw_session(7, 100, sid='Upgrade_old', candidate_id='c0')), running],
                   version='5.3.0.0.5.120')
    assert (plan.action, plan.changed, plan.session.id) == ('adopted', False, SID)


def test_a_paused_session_for_the_same_candidate_is_adopted():
    plan = present(sessions=[norm(raw_session(6, 27, 3))], candidate='candidate_1')
    assert plan.action == 'adopted'


def test_a_failed_session_for_the_same_candidate_says_resume():
    failed = norm(raw_session(3, 45, 5, messages=[{'errorCode': 'x', 'severity': 3, 'messages': [
        {'locale': 'en_US', 'message': 'Install failed.'}]}]))
    with pytest.raises(UnityModuleError) as caught:
        present(sessions=[failed], version='5.3.0')
    assert "is failed at task 'Installing new software on peer SP': Install failed." in caught.value.msg
    assert 'state: resumed' in caught.value.msg


@pytest.mark.parametrize('status', [0, 1, 3, 4, 6, 8, 9])
def test_a_session_for_another_candidate_fails_with_its_id_and_status(status):
    other = norm(raw_session(status, 30, 4, sid='Upgrade_5.2.1.50', candidate_id='candidate_0'))
    with pytest.raises(UnityModuleError) as caught:
        present(sessions=[other], version='5.3.0')
    assert 'Upgrade_5.2.1.50 (%s' % other.status_name in caught.value.msg
    assert 'candidate_0' in caught.value.msg


def test_no_candidate_of_that_version_names_what_is_there():
    expected = r'no upgrade candidate of version 5\.4\.0 .*candidate_1 \(5\.3\.0\.0\.5\.120\).*upgrade_candidate'
    with pytest.raises(UnityModuleError, match=expected):
        present(version='5.4.0')
    with pytest.raises(UnityModuleError, match="candidate 'nope' is not on the array"):
        present(candidate='nope')


def test_a_session_without_candidate_is_matched_by_its_id():
    running = norm(raw_session(1, 40, 6, candidate_id=None))
    assert present(sessions=[running], candidates=[], version='5.3.0.0.5.120').action == 'adopted'
    assert planner.session_matches_version(Session(id='Upgrade_5.3.0.120'), '5.3.0.0.5.120')
    assert planner.session_matches_version(Session(id='Upgrade_5.3.0.120'), '5.3.0')
    assert not planner.session_matches_version(Session(id='Upgrade_5.3.0.121'), '5.3.0.0.5.120')
    assert not planner.session_matches_version(Session(id='Upgrade_4.3.0.1499782821'), '5.3.0')


def test_health_check_and_sp_upgrade_bodies():
    assert present(type='health_check', candidates=[]).body == {'type': 1}
    plan = decide_present(params(type='offline_storageprocessor_upgrade', selected_model='SP680'),
                          [], [], '5.2.0', 'upgradeSession', ['SP480', 'SP480'])
    assert plan.body == {'type': 3, 'selectedModel': 13, 'offline': True}
    plan = decide_present(params(type='storageprocessor_upgrade', selected_model='SP680'),
                          [], [], '5.2.0', 'upgradeSession', ['SP680', 'SP680'])
    assert plan.action == 'none'
    with pytest.raises(UnityModuleError, match='needs the upgradeSession resource'):
        decide_present(params(type='offline_storageprocessor_upgrade', selected_model='SP680'),
                       [], [], '5.2.0', 'softwareUpgradeSession', [])


VERSIONS = st.tuples(st.integers(4, 6), st.integers(0, 5), st.integers(0, 3), st.integers(0, 2),
                     st.just(5), st.integers(1, 999)).map(lambda t: '.'.join(str(p) for p in t))


@settings(max_examples=300)
@given(installed=VERSIONS, target=VERSIONS, short=st.booleans(),
       statuses=st.lists(st.sampled_from(range(10)), max_size=3))
def test_present_never_plans_a_second_session_and_respects_the_installed_version(
        installed, target, short, statuses):
    wanted = '.'.join(target.split('.')[:3]) if short else target
    sessions = [norm(raw_session(s, 10, 2, sid='Upgrade_%d' % i, candidate_id='candidate_%d' % i,
                                 created='2026-01-01T10:0%d:00.000Z' % i)) for i, s in enumerate(statuses)]
    try:
        plan = present(sessions=sessions, candidates=[candidate(raw_candidate(version=target))],
                       installed=installed, version=wanted)
    except UnityModuleError:
        return
    newer_or_same = compare_versions(installed, wanted) >= 0
    active = [s for s in sessions if s.status not in (2, 5, 7)]
    if plan.action == 'created':
        assert not active and not newer_or_same
    elif plan.action == 'none':
        assert newer_or_same
    assert plan.action in ('created', 'none', 'adopted')


# -- resumed / cancelled / acknowledged -----------------------------------------------------

@pytest.mark.parametrize('status', [3, 4, 6, 9])
def test_resume_a_resumable_session(status):
    plan = planner.decide_resumed([norm(raw_session(status, 30, 3))], None)
    assert (plan.action, plan.changed) == ('resumed', True)


def test_a_session_waiting_for_user_is_not_resumed():
    # issue 16 finding 8: the reference's Resume takes paused, failed and failed_lock only
    with pytest.raises(UnityModuleError) as caught:
        planner.decide_resumed([norm(raw_session(8, 30, 3))], None)
    assert 'waits for a user action that the Unisphere REST API does not document' in caught.value.msg
    assert 'continue it in Unisphere' in caught.value.msg and '\n' not in caught.value.msg


# issue 16 finding 11: nothing resumed, nothing waited for
@pytest.mark.parametrize('status,wait_on,text', [(1, False, 'already running'), (2, False, 'is over'),
                                                 (5, False, 'is over'), (7, False, 'is over')])
def test_resume_of_a_session_that_is_not_paused_or_failed_is_no_change(status, wait_on, text):
    plan = planner.decide_resumed([norm(raw_session(status, 50, 6))], SID)
    assert (plan.action, plan.changed, plan.wait_on) == ('none', False, wait_on)
    assert text in plan.msg


def test_resume_without_any_active_session_is_no_change():
    plan = planner.decide_resumed([norm(raw_session(2, 100))], None)
    assert plan.action == 'none' and 'nothing to resume (newest: %s (completed' % SID in plan.msg


def test_a_named_session_that_is_not_listed_fails():
    with pytest.raises(UnityModuleError, match=r"session 'nope' is not on the array \(sessions: %s\)" % SID):
        planner.decide_resumed([norm(raw_session(6))], 'nope')


@pytest.mark.parametrize('status', [3, 6])
def test_cancel_paused_or_failed(status):
    assert planner.decide_cancelled([norm(raw_session(status, 27, 3))], None, 'upgradeSession').action == 'cancelled'


@pytest.mark.parametrize('status,text', [
    (9, 'past the point of cancellation'), (4, 'past the point of cancellation'),
    (1, 'only a paused or failed session can be'), (8, 'only a paused or failed session can be'),
])
def test_cancel_refuses_with_the_status(status, text):
    with pytest.raises(UnityModuleError) as caught:
        planner.decide_cancelled([norm(raw_session(status, 60, 8))], None, 'upgradeSession')
    assert text in caught.value.msg and '(%s' % STATUS_NAMES[status] in caught.value.msg


def test_cancel_is_idempotent_and_explicit_about_finished_sessions():
    cancelled = norm(raw_session(5, 27, 3))
    assert planner.decide_cancelled([cancelled], None, 'upgradeSession').msg == 'session %s is already cancelled' % SID
    assert planner.decide_cancelled([cancelled], SID, 'upgradeSession').action == 'none'
    with pytest.raises(UnityModuleError, match='is over and cannot be cancelled'):
        planner.decide_cancelled([norm(raw_session(2, 100))], SID, 'upgradeSession')
    assert planner.decide_cancelled([norm(raw_session(2, 100))], None, 'upgradeSession').action == 'none'


@pytest.mark.parametrize('decide', [planner.decide_cancelled, planner.decide_acknowledged])
def test_software_upgrade_session_has_no_cancel_or_acknowledge(decide):
    with pytest.raises(UnityModuleError, match='offers only softwareUpgradeSession'):
        decide([norm(raw_session(6, 27, 3), 'softwareUpgradeSession')], None, 'softwareUpgradeSession')


def test_acknowledge_picks_the_newest_completed_or_cancelled_session():
    sessions = [norm(raw_session(2, 100, sid='A', created='2026-01-02T00:00:00.000Z')),
                norm(raw_session(5, 20, sid='B', created='2026-01-03T00:00:00.000Z')),
                norm(raw_session(7, 100, sid='C', created='2026-01-04T00:00:00.000Z'))]
    plan = planner.decide_acknowledged(sessions, None, 'upgradeSession')
    assert (plan.action, plan.session.id) == ('acknowledged', 'B')
    assert planner.decide_acknowledged(sessions[2:], None, 'upgradeSession').msg == 'session C is already acknowledged'
    assert planner.decide_acknowledged([], None, 'upgradeSession').action == 'none'
    with pytest.raises(UnityModuleError, match='only a completed or cancelled session can be'):
        planner.decide_acknowledged([norm(raw_session(6))], SID, 'upgradeSession')


# -- whole module runs over the scripted transport -------------------------------------------

def test_run_creates_once_with_one_login_and_reports_versions(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()), Reply(200, collection()))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(201, instance({'id': SID})))
    transport.add('GET', SESSION, Reply(200, instance(raw_session(1, 0, 0))))
    run = run_module(mod, {'version': '5.3.0.0.5.120', 'wait': False}, diff=True)
    assert not run.failed, run.result
    result = run.result
    assert (result['changed'], result['action'], result['session']['id']) == (True, 'created', SID)
    assert result['version_before'] == result['version_after'] == '5.2.0.0.5.173'
    assert result['target_version'] == '5.3.0.0.5.120' and result['session_resource'] == 'upgradeSession'
    assert result['diff']['before'] == {} and result['diff']['after']['status_name'] == 'in_progress'
    assert [(r.path, r.json) for r in run.posts()] == [(SESSIONS, {'candidate': {'id': 'candidate_1'}})]
    assert transport.login_count == 1
    assert PASSWORD not in run.raw


def test_run_check_mode_sends_nothing_that_changes(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    run = run_module(mod, {'version': '5.3.0'}, check=True, diff=True)
    assert not run.failed
    assert (run.result['changed'], run.result['action'], run.result['session']) == (True, 'created', None)
    assert run.result['msg'].startswith('check mode: would have created an upgrade to candidate candidate_1')
    assert run.result['diff']['after']['candidate_id'] == 'candidate_1'
    assert run.posts() == []


def test_run_second_time_is_no_change_and_no_post(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic('5.3.0.0.5.120')))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(2, 100))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    run = run_module(mod, {'version': '5.3.0.0.5.120'})
    assert not run.failed
    assert (run.result['changed'], run.result['action']) == (False, 'none')
    assert 'already runs 5.3.0.0.5.120' in run.result['msg']
    assert run.posts() == []


def test_run_a_session_that_completed_after_the_version_was_read_reads_the_version_again(run_module, transport):
    # another run's upgrade completes between this run's read of the version and its read of the sessions
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic('5.3.0.0.5.120')))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(2, 100))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert not run.failed, run.result
    assert (run.result['changed'], run.result['action']) == (False, 'none')
    assert run.result['msg'].endswith('the array runs 5.3.0.0.5.120: nothing to do'), run.result['msg']
    assert run.result['version_before'] == '5.3.0.0.5.120'
    assert run.posts() == []


def test_run_lost_create_answer_is_resolved_by_reading_never_by_reposting(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()), Reply(200, collection()),
                  Reply(200, collection(raw_session(1, 0, 0))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(exc=RequestsConnectionError('Connection aborted. RemoteDisconnected')))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert not run.failed, run.result
    assert (run.result['action'], run.result['session']['id']) == ('created', SID)
    assert 'answer to the create was lost' in run.result['msg']
    assert len(run.posts()) == 1


def test_run_lost_create_answer_adopts_the_session_another_client_started_just_before(transport, monkeypatch, capsys):
    # read: no session; another client (an earlier run, killed) starts one for this candidate; this run's
    # create loses its answer (the array refused it, or never read it) and no session appears after it
    # (the reads for one take no time: FakeClock)
    run_module = module_runner(transport, monkeypatch, capsys, client_clock=FakeClock().clock)
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.always('GET', SESSIONS, Reply(200, collection(raw_session(1, 3, 0))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(exc=RequestsConnectionError('Connection aborted. RemoteDisconnected')))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert not run.failed, run.result
    assert (run.result['changed'], run.result['action'], run.result['session']['id']) == (False, 'adopted', SID)
    assert run.result['msg'] == (
        "the answer to creating the session was lost and the array lists session %s (in_progress, 3%%, task 'Preparing "
        "system'), which another client started for this candidate just before: adopted" % SID), run.result['msg']
    assert len(run.posts()) == 1


def test_run_lost_create_answer_with_a_session_for_another_candidate_still_fails(transport, monkeypatch, capsys):
    run_module = module_runner(transport, monkeypatch, capsys, client_clock=FakeClock().clock)
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.always('GET', SESSIONS, Reply(200, collection(raw_session(1, 3, 0, sid='Upgrade_x', candidate_id='other'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(exc=RequestsConnectionError('Connection aborted. RemoteDisconnected')))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert run.failed
    assert run.result['msg'].startswith('the answer to creating the upgrade session was lost ('), run.result['msg']
    assert len(run.posts()) == 1


def test_run_409_on_create_adopts_a_session_for_the_same_candidate(run_module, transport):
    conflict = {'error': {'errorCode': 100728841, 'httpStatusCode': 409, 'messages': [
        {'en-US': 'An upgrade session is already active on the system (%s).' % SID}]}}
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()), Reply(200, collection()),
                  Reply(200, collection(raw_session(1, 3, 0))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(409, conflict))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert not run.failed, run.result
    assert (run.result['changed'], run.result['action']) == (False, 'adopted')


def test_run_409_for_another_candidate_fails_naming_it(run_module, transport):
    conflict = {'error': {'errorCode': 100728841, 'httpStatusCode': 409, 'messages': [{'en-US': 'busy'}]}}
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()), Reply(200, collection()),
                  Reply(200, collection(raw_session(1, 3, 0, sid='Upgrade_x', candidate_id='other'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(409, conflict))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert run.failed and run.result['http_status'] == 409 and run.result['error_code'] == 100728841
    assert 'session Upgrade_x (in_progress' in run.result['msg']


def test_run_resume_and_wait_to_completion(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic()), Reply(200, basic('5.3.0.0.5.120')))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(6, 27, 3, task_status=6))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSION + '/action/resume', Reply(204))
    transport.add('GET', SESSION, Reply(200, instance(raw_session(1, 28, 3))),
                  Reply(503, text='Service Unavailable'),
                  Reply(200, instance(raw_session(2, 100))))
    run = run_module(mod, {'state': 'resumed', 'poll_interval': 0.01, 'outage_tolerance': 60})
    assert not run.failed, run.result
    result = run.result
    assert (result['changed'], result['action'], result['session']['status_name']) == (True, 'resumed', 'completed')
    assert result['version_after'] == '5.3.0.0.5.120' and result['target_version'] == '5.3.0.0.5.120'
    assert len(result['outages']) == 1 and result['outages'][0]['seen'][0] == 'HTTP 503'
    assert [p['status_name'] for p in result['progress']] == ['in_progress', 'completed']
    assert [r.path for r in run.posts()] == [SESSION + '/action/resume']


def test_run_wait_on_a_failing_session_fails_with_the_array_messages(run_module, transport):
    message = {'errorCode': 'flr::upgrade_task_failed_6', 'severity': 3, 'httpStatus': 500, 'messages': [
        {'locale': 'en_US', 'message': "The upgrade task 'Installing new software on peer SP' failed."}]}
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(1, 30, 5))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('GET', SESSION, Reply(200, instance(raw_session(3, 45, 5, messages=[message]))))
    run = run_module(mod, {'version': '5.3.0', 'poll_interval': 0.01})
    assert run.failed
    assert run.result['action'] == 'adopted' and run.result['changed'] is False
    assert run.result['failed_task'] == 'Installing new software on peer SP'
    assert "The upgrade task 'Installing new software on peer SP' failed." in run.result['msg']
    assert run.result['messages'] == [message['messages'][0]['message']]
    assert '\n' not in run.result['msg']


def test_run_paused_ends_green(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()), Reply(200, collection()))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(201, instance({'id': SID})))
    transport.add('GET', SESSION, Reply(200, instance(raw_session(1, 5, 1))),
                  Reply(200, instance(raw_session(6, 27, 3, task_status=6))))
    run = run_module(mod, {'version': '5.3.0', 'pause_before_reboot': True, 'poll_interval': 0.01})
    assert not run.failed, run.result
    assert run.result['changed'] is True and run.result['session']['status_name'] == 'paused'
    assert "paused at task 'Waiting for reboot command'" in run.result['msg']
    assert run.posts()[0].json == {'candidate': {'id': 'candidate_1'}, 'pauseBeforeReboot': True}


def test_run_on_a_software_upgrade_session_array(run_module, transport):
    not_found = {'error': {'errorCode': 131149829, 'httpStatusCode': 404, 'messages': [
        {'en-US': 'The requested resource does not exist. (Error Code:0x7d13005)'}]}}
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(404, not_found))
    transport.add('GET', OLD_SESSIONS, Reply(200, collection(raw_session(6, 27, 3))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    run = run_module(mod, {'state': 'cancelled'})
    assert run.failed and 'offers only softwareUpgradeSession' in run.result['msg']
    assert run.posts() == []


def test_run_cancel_a_paused_session(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(6, 27, 3))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSION + '/action/cancel', Reply(204))
    transport.add('GET', SESSION, Reply(200, instance(raw_session(5, 27, 3))))
    run = run_module(mod, {'state': 'cancelled', 'poll_interval': 0.01}, diff=True)
    assert not run.failed, run.result
    assert (run.result['changed'], run.result['action']) == (True, 'cancelled')
    assert run.result['diff']['before']['status_name'] == 'paused'
    assert run.result['diff']['after']['status_name'] == 'cancelled'
    assert run.result['msg'] == 'cancelled session %s (paused, 27%%, task \'Waiting for reboot command\')' % SID


def test_run_bad_input_fails_before_logging_in(run_module, transport):
    run = run_module(mod, {'version': 'banana'})
    assert run.failed and run.result['msg'] == "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got 'banana'"
    assert transport.sent == []


def test_run_wait_timeout_fails_flagged_and_says_the_upgrade_goes_on(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(1, 63, 6))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('GET', SESSION, *[Reply(200, instance(raw_session(1, 63, 6))) for dummy in range(50)])
    run = run_module(mod, {'version': '5.3.0', 'wait_timeout': 1, 'poll_interval': 0.2})
    assert run.failed and run.result['timed_out'] is True and run.result['api_unreachable'] is False
    assert 'goes on on the array' in run.result['msg'] and run.result['waited_seconds'] >= 1


def test_run_outage_longer_than_the_tolerance_fails_with_the_last_state(run_module, transport):
    refused = RequestsConnectionError('[Errno 111] Connection refused')
    transport.add('GET', BASIC, Reply(200, basic()), *[Reply(exc=refused) for dummy in range(50)])
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(1, 72, 9))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('GET', SESSION, *[Reply(exc=refused) for dummy in range(50)])
    run = run_module(mod, {'version': '5.3.0', 'outage_tolerance': 1, 'poll_interval': 0.2})
    assert run.failed and run.result['api_unreachable'] is True and run.result['timed_out'] is False
    assert ("the last state seen was session %s in_progress at 72%%, task 'Rebooting the primary SP'" % SID
            in run.result['msg'])
    assert 'the upgrade may go on on the array' in run.result['msg']
    assert run.result['outages'][0]['ended'] is False


def test_run_cancel_the_array_does_not_take_in_fails_clearly(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(6, 27, 3))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSION + '/action/cancel', Reply(204))
    transport.add('GET', SESSION, *[Reply(200, instance(raw_session(6, 27, 3))) for dummy in range(60)])
    run = run_module(mod, {'state': 'cancelled', 'poll_interval': 0.05, 'wait_timeout': 1})
    assert run.failed
    assert run.result['msg'].startswith('the array did not cancel session %s within' % SID)
    assert run.result['msg'].endswith('it is still paused')


# -- a request refused because another client changed the array since this run read it (#13 §1) --

def test_run_create_refused_because_another_client_finished_the_upgrade_reads_again_and_is_done(run_module, transport):
    gone = {'error': {'errorCode': 100728842, 'httpStatusCode': 404, 'messages': [
        {'en-US': 'The specified upgrade candidate does not exist. (Error Code:0x601000a)'}]}}
    # read: 5.2, no session, the candidate; then, after the refusal: 5.3 installed, the completed session,
    # no candidate (the array drops it when the upgrade completes)
    transport.add('GET', BASIC, Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(404, gone))
    transport.always('GET', BASIC, Reply(200, basic('5.3.0.0.5.120')))
    transport.always('GET', SESSIONS, Reply(200, collection(raw_session(2, 100))))
    transport.always('GET', CANDIDATES, Reply(200, collection()))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert not run.failed, run.result
    result = run.result
    assert (result['changed'], result['action'], result['version_after']) == (False, 'none', '5.3.0.0.5.120')
    assert result['msg'].startswith(
        'the array refused to create the session (POST /api/types/upgradeSession/instances failed with HTTP 404 (error code '
        '100728842): The specified upgrade candidate does not exist. (Error Code:0x601000a)): another client changed the '
        'array since this run read it; read again: session %s already completed' % SID), result['msg']
    assert len(run.posts()) == 1


def test_run_create_refused_and_nothing_changed_on_the_array_fails_with_the_refusal(run_module, transport):
    gone = {'error': {'errorCode': 100728842, 'httpStatusCode': 404, 'messages': [{'en-US': 'No such candidate.'}]}}
    transport.always('GET', BASIC, Reply(200, basic()))
    transport.always('GET', SESSIONS, Reply(200, collection()))
    transport.always('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSIONS, Reply(404, gone))
    run = run_module(mod, {'candidate': 'candidate_1', 'wait': False})
    assert run.failed and (run.result['http_status'], run.result['error_code']) == (404, 100728842)
    assert run.result['msg'] == ('the array refused to create the session (POST /api/types/upgradeSession/instances failed '
                                 'with HTTP 404 (error code 100728842): No such candidate.)')
    assert len(run.posts()) == 1, 'read again, never sent again'


def test_run_resume_refused_because_another_client_resumed_it_waits_for_it_without_a_change(run_module, transport):
    late = {'error': {'errorCode': 100728847, 'httpStatusCode': 409, 'messages': [
        {'en-US': 'The operation resume is not allowed while the upgrade session is in state Upgrade_In_Progress.'}]}}
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic()))
    transport.always('GET', BASIC, Reply(200, basic('5.3.0.0.5.120')))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(6, 27, 3, task_status=6))))
    transport.always('GET', SESSIONS, Reply(200, collection(raw_session(1, 40, 3))))
    transport.always('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('POST', SESSION + '/action/resume', Reply(409, late))
    transport.add('GET', SESSION, Reply(200, instance(raw_session(1, 40, 3))), Reply(200, instance(raw_session(1, 60, 3))))
    transport.always('GET', SESSION, Reply(200, instance(raw_session(2, 100))))
    run = run_module(mod, {'state': 'resumed', 'poll_interval': 0.01, 'outage_tolerance': 60})
    assert not run.failed, run.result
    result = run.result
    assert (result['changed'], result['action'], result['session']['status_name']) == (False, 'none', 'completed')
    assert result['msg'] == (
        'the array refused to resume session %s (POST %s/action/resume failed with HTTP 409 (error code 100728847): The '
        'operation resume is not allowed while the upgrade session is in state Upgrade_In_Progress.): another client '
        "changed the array since this run read it; read again: session %s (in_progress, 40%%, task 'Waiting for reboot "
        "command') is already running: nothing to resume; session %s completed after 0 s of waiting"
        % (SID, '/api/instances/upgradeSession/' + SID, SID, SID))
    assert len(run.posts()) == 1


def test_a_wait_whose_first_reads_meet_an_sp_reboot_waits_it_out(transport, monkeypatch, capsys):
    # The login got through, then the SP began to reboot: the services answer 503 while they restart,
    # longer than the client's own four tries of a read. The client's waits take no time (FakeClock), the
    # module's are cut to 10 ms.
    run_module = module_runner(transport, monkeypatch, capsys, client_clock=FakeClock().clock)
    monkeypatch.setattr(module_utils, 'LOGIN_WAIT', RetryPolicy(attempts=None, base_delay=0.01, max_delay=0.01))
    transport.add('GET', BASIC, *[Reply(503, text='Service Unavailable') for dummy in range(4)])
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic('5.3.0.0.5.120')))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(1, 72, 9))))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))
    transport.add('GET', SESSION, Reply(200, instance(raw_session(2, 100))))
    run = run_module(mod, {'version': '5.3.0', 'poll_interval': 0.01, 'outage_tolerance': 60})
    assert not run.failed, run.result['msg']
    assert (run.result['changed'], run.result['action'], run.result['version_after']) == (False, 'adopted', '5.3.0.0.5.120')
    outage = run.result['outages'][0]
    assert (outage['at_start'], outage['ended'], outage['failed_reads']) == (True, True, 1)
    assert outage['seen'] == ['HTTP 503 (the first reads)', 'the first reads answered']
    assert run.posts() == []


def test_without_a_wait_the_first_reads_are_not_waited_for(transport, monkeypatch, capsys):
    run_module = module_runner(transport, monkeypatch, capsys, client_clock=FakeClock().clock)
    transport.add('GET', BASIC, *[Reply(503, text='Service Unavailable') for dummy in range(4)])
    run = run_module(mod, {'version': '5.3.0', 'wait': False})
    assert run.failed and run.result['http_status'] == 503, run.result
    assert run.result['msg'] == ('GET /api/types/basicSystemInfo/instances failed with HTTP 503: the answer is not '
                                 'Unisphere JSON (text/html: Service Unavailable)')
