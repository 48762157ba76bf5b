# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.

"""How unity.upgrade.upgrade_session runs: read, plan (_session_plan), act unless check mode, wait, report.

Each step returns what it found or did; the result dict is built once, at the end (or in the
failure that a wait ends with).
"""


import os
from collections import namedtuple

from ansible_collections.unity.upgrade.plugins.module_utils._session_plan import (
    ACTIONS,
    PlanRefused,
    Reading,
    decide,
    describe,
    planned_summary,
    session_request,
    with_target_version,
)
from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModuleError
from ansible_collections.unity.upgrade.plugins.module_utils.progress import PROGRESS_FILE_VARIABLE, ProgressFile
from ansible_collections.unity.upgrade.plugins.module_utils.records import (
    Session,
    active_session,
    as_dict,
    candidates_of,
    is_software,
    sessions_of,
)
from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityApiError
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    SP_MODEL_NAMES,
    UnsettledCreate,
    UpgradeApi,
    session_summary,
)
from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import (
    DONE_STATUSES,
    FAILED_STATUSES,
    SESSION_TYPE_NAMES,
    SESSION_TYPE_UPGRADE,
    SP_UPGRADE_TYPE_NAMES,
)
from ansible_collections.unity.upgrade.plugins.module_utils.waiter import (
    SessionWaiter,
    failed_task,
    outage_symptom,
    session_messages,
)

# What the changing request did: the session to report (a record dict), and how to report it; the
# installed version when the request was settled by reading the array again.
Acted = namedtuple('Acted', ('session', 'changed', 'action', 'msg', 'installed'), defaults=(None,))


def run(unity):
    """The module's main: returns its result, raises UnityModuleError or UnityApiError to fail."""
    params = unity.params
    request = session_request(params)
    if params['wait'] and not unity.check_mode:
        # A task started while an SP reboots waits for the API to come back, as the wait itself does.
        unity.login_tolerance = params['outage_tolerance']
        unity.login_refusal_is_outage = params['wait_out_login_refusals']
    api = UpgradeApi(unity.client)
    reading, plan = unity.ride_out_start(lambda: read_and_plan(api, request), 'the first reads')
    before = session_summary(as_dict(plan.session) if plan.action != 'created' else None)
    if unity.check_mode:
        return check_mode_result(unity, plan, reading, before)
    acted = act(api, plan, replan=lambda: read_and_plan(api, request))
    session, waited, version_after, msg = acted.session, None, acted.installed or reading.installed, acted.msg
    if params['wait'] and plan.wait_on and session is not None:
        waited = wait(unity, api, acted, plan, reading)
        session = waited.session or session
        msg = acted.msg if waited.outcome == 'cancelled' else '%s; %s' % (acted.msg, waited.message)
        installs = plan.candidate or next((c for c in reading.candidates
                                           if c.id == (session or {}).get('candidate_id')), None)
        version_after, msg = read_version_after(api, session, plan, reading, msg, is_software(installs))
    result = result_of(unity, plan, reading, acted, waited, session, version_after)
    result['msg'] = msg
    if unity.module._diff:
        result['diff'] = {'before': before, 'after': session_summary(session)}
    return result


# -- read and plan ------------------------------------------------------------------------------

def read_array(api, request):
    """What the plan needs: installed version, sessions (each with its candidate's version), candidates,
    and for an SP upgrade the SP models."""
    installed = api.installed_version()
    reading = read_sessions(api, installed)
    if request.state == 'present' and request.type in SP_UPGRADE_TYPE_NAMES:
        reading = reading._replace(sp_models=tuple(sp['model_name'] for sp in api.storage_processors()
                                                   if sp.get('model_name') in SP_MODEL_NAMES.values()))
    return reading


def read_sessions(api, installed, sp_models=()):
    sessions = api.sessions()
    resource = api.session_resource
    # Read after the sessions (see read_and_plan); every session record then carries its candidate's version.
    candidates = api.candidates()
    sessions = [api.annotate(s) for s in sessions]
    return Reading(installed, sessions_of(sessions), candidates_of(candidates), resource, sp_models)


def read_and_plan(api, request):
    """The reading and the plan on it (its target version filled in)."""
    reading = read_array(api, request)
    try:
        plan = decide(request, reading)
    except PlanRefused:
        # The version is read before the sessions and candidates: an upgrade that completed in
        # between looks like "no candidate, no session" (the array drops the candidate). A
        # version that changed meanwhile says so; decide again on a fresh reading.
        if request.state != 'present':
            raise
        now_installed = api.installed_version()
        if now_installed == reading.installed:
            raise
        reading = read_sessions(api, now_installed, reading.sp_models)
        plan = decide(request, reading)
    else:
        # The same race the other way: a session for the candidate that completed after the version was read
        # says "nothing to do" on a version from before it; read the version again and decide on that.
        done = plan.session is not None and plan.session.status in DONE_STATUSES
        if request.state == 'present' and plan.action == 'none' and done:
            now_installed = api.installed_version()
            if now_installed != reading.installed:
                reading = reading._replace(installed=now_installed)
                plan = decide(request, reading)
    return reading, with_target_version(plan, reading.candidates)


# -- act, wait, report --------------------------------------------------------------------------

def check_mode_result(unity, plan, reading, before):
    result = result_of(unity, plan, reading, None, None, as_dict(plan.session), reading.installed)
    result['msg'] = 'check mode: would have %s' % plan.msg if plan.changed else plan.msg
    if unity.module._diff:
        result['diff'] = {'before': before, 'after': planned_summary(plan, reading.resource)}
    return result


def result_of(unity, plan, reading, acted, waited, session, version_after):
    """The module's result (without ``msg``): every key, also on a failure after the plan."""
    return {
        'changed': acted.changed if acted else plan.changed,
        'action': acted.action if acted else plan.action,
        'session': session,
        'session_resource': reading.resource,
        'version_before': reading.installed,
        'version_after': version_after,
        'target_version': plan.target_version,
        'waited_seconds': waited.waited_seconds if waited else 0.0,
        'outages': ([unity.login_outage] if unity.login_outage else []) + (waited.outages if waited else []),
        'progress': waited.progress if waited else [],
        'relogins': waited.relogins if waited else 0,
        'timed_out': False,
    }


# Refusals that another client acting on the array between this run's reading and its request explains:
# 409 (a session is active; the session is not in a state for that action) and 404 (the candidate or the
# session is gone: an upgrade that completed drops its candidate).
RACED = (404, 409)


def act(api, plan, replan):
    """Send the one changing request of the plan, if any. ``replan()`` reads the array again and
    decides again: how a refusal that another client explains is settled."""
    if plan.action == 'created':
        try:
            session, recovered = api.create_session(plan.body, candidate_id=plan.candidate.id if plan.candidate
                                                    else None)
        except UnsettledCreate:
            # another client started a session for this candidate between this run's reading and its create
            # (which then made none): the same as a create refused for it (409)
            adopted = adoptable(api, plan)
            if adopted is None:
                raise
            return Acted(adopted.as_dict(), False, 'adopted', 'the answer to creating the session was lost and '
                         'the array lists session %s, which another client started for this candidate just before: '
                         'adopted' % describe(adopted))
        except UnityApiError as error:
            if error.http_status not in RACED:
                raise
            return adopt_after_conflict(api, plan, error, replan)
        msg = '%s: session %s' % (plan.msg, session['id'])
        if recovered:
            msg += ' (the answer to the create was lost; found the session by reading them again)'
        return Acted(session, plan.changed, plan.action, msg)
    if plan.action in ACTIONS:
        try:
            api.session_action(plan.session.id, ACTIONS[plan.action], before_status=plan.session.status)
        except UnityApiError as error:
            if error.http_status not in RACED:
                raise
            return settled_by_reading_again(plan, error, replan, '%s session %s' % (ACTIONS[plan.action], plan.session.id))
        return Acted(api.get_session(plan.session.id), plan.changed, plan.action, plan.msg)
    return Acted(as_dict(plan.session), plan.changed, plan.action, plan.msg)


def adoptable(api, plan, active=None):
    """The session not over on the array, read now, when it is the one this plan's create wanted (its
    candidate, its type, not failed); else None."""
    active = active or active_session(sessions_of(api.sessions()))
    wanted = plan.candidate.id if plan.candidate else None
    wanted_type = SESSION_TYPE_NAMES.get((plan.body or {}).get('type', SESSION_TYPE_UPGRADE))
    if active is not None and wanted and active.candidate_id == wanted \
            and active.type_name == wanted_type and active.status not in FAILED_STATUSES:
        return active
    return None


def adopt_after_conflict(api, plan, error, replan):
    """409 or 404 on create: someone started a session just now (adopt it if it is ours to want), or
    finished one (the array now runs the target: nothing to do)."""
    active = active_session(sessions_of(api.sessions()))
    if adoptable(api, plan, active) is not None:
        return Acted(active.as_dict(), False, 'adopted', 'another client started session %s for this candidate '
                                                         'at the same time: adopted' % describe(active))
    if active is not None:
        raise UnityModuleError('the array refused to create the session (%s); session %s is not over' % (
            error.message, describe(active)), error_code=error.error_code, http_status=error.http_status)
    return settled_by_reading_again(plan, error, replan, 'create the session')


def settled_by_reading_again(plan, error, replan, what):
    """A request refused because the array changed since it was read (another client resumed the
    session, or finished the upgrade): read it again and decide again. When there is now nothing to do,
    or a session to adopt, that is the outcome (no change by this run); else the refusal stands."""
    refused = UnityModuleError('the array refused to %s (%s)' % (what, error.message),
                               error_code=error.error_code, http_status=error.http_status)
    try:
        reading, fresh = replan()
    except (PlanRefused, UnityModuleError, UnityApiError):
        raise refused
    if fresh.action not in ('none', 'adopted') or fresh.changed:
        raise refused
    return Acted(as_dict(fresh.session), False, fresh.action,
                 'the array refused to %s (%s): another client changed the array since this run read it; read again: %s'
                 % (what, error.message, fresh.msg), reading.installed)


def wait(unity, api, acted, plan, reading):
    """The waiter's outcome when it is the one the state wants; else the failure, with every result key."""
    def progress(entry):
        unity.module.log('unity.upgrade.upgrade_session: %s %s%% %s' % (
            entry['status_name'], entry['percent_complete'], entry['current_task'] or ''))

    sink = ProgressFile(os.environ.get(PROGRESS_FILE_VARIABLE) if unity.params['progress_interval'] else None)
    at_start = unity.login_outage

    def poll(snapshot):
        if at_start:  # the first login's or first reads' wait is an outage of this task too
            snapshot.update(outages=snapshot['outages'] + 1,
                            unreachable_seconds=round(snapshot['unreachable_seconds'] + at_start['seconds'], 1))
        sink.write(snapshot)

    params, state = unity.params, unity.params['state']
    settle = (plan.session.status,) if plan.action in ('resumed', 'cancelled') and plan.session else ()
    waiter = SessionWaiter(api, acted.session['id'], poll_interval=params['poll_interval'],
                           wait_timeout=params['wait_timeout'], outage_tolerance=params['outage_tolerance'],
                           on_progress=progress, settle_statuses=settle, on_poll=poll if sink.path else None)
    outcome = waiter.wait(initial=acted.session)
    wanted = ('cancelled',) if state == 'cancelled' else ('completed', 'acknowledged', 'paused')
    if outcome.outcome in wanted:
        return outcome
    final = outcome.session or acted.session
    details = result_of(unity, plan, reading, acted, outcome, final, reading.installed)
    details['timed_out'] = outcome.outcome == 'timeout'
    details['api_unreachable'] = outcome.outcome == 'unreachable'
    if outcome.outcome == 'failed':
        details['messages'] = session_messages(final)
        details['failed_task'] = failed_task(final)
    message = outcome.message
    if state == 'cancelled' and outcome.outcome != 'unreachable':
        message = ('the array did not cancel session %s within %s s: it is still %s'
                   % (final['id'], outcome.waited_seconds, final['status_name']))
    raise UnityModuleError(message, **details)


def read_version_after(api, session, plan, reading, msg, software=True):
    """The installed version after a wait, and the message. An API that is away right then (its reads
    are retried first) does not turn a finished upgrade into a failed task: the completed session
    installed the target version, and a session that did not complete installed nothing."""
    try:
        return api.installed_version(), msg
    except UnityApiError as error:
        symptom = outage_symptom(error)
        if symptom is None:
            raise
    done = Session.of(session or {}).status in DONE_STATUSES and plan.target_version and software
    msg = '%s; the installed version could not be read again (%s)%s' % (
        msg, symptom, ': it is the one the completed session installed' if done else '')
    return (plan.target_version if done else reading.installed), msg
