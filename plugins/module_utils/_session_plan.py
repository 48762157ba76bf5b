# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.

"""What unity.upgrade.upgrade_session does: pure decisions over typed records.

Nothing here reads or changes the array. ``decide_present`` answers, in order: what is the
target? is the array already there? what is in the way? what to create? The other states pick
the session they are about and say whether the action applies to it. A state the module cannot
act on is a :class:`PlanRefused` with a one-line reason.
"""


import re
from collections import namedtuple

from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModuleError
from ansible_collections.unity.upgrade.plugins.module_utils.records import (
    active_session,
    as_dict,
    is_software,
    newest_session,
)
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    SP_MODEL_VALUES,
    compare_versions,
    parse_version,
    session_summary,
)
from ansible_collections.unity.upgrade.plugins.module_utils.versions import (
    IMPRECISE,
    UNKNOWN,
    imprecise_reason,
    standing,
    user_version,
    version_problem,
)
from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import (
    ACKNOWLEDGEABLE_STATUSES,
    CANCELLABLE_STATUSES,
    CANDIDATE_FIRMWARE,
    CANDIDATE_LANGUAGE_PACK,
    CANDIDATE_TYPE_NAMES,
    DONE_STATUSES,
    FAILED_STATUSES,
    FULL_SESSION_RESOURCE,
    LOCKED_STATUSES,
    RESUMABLE_STATUSES,
    RUNNING_STATUSES,
    SESSION_TYPE_VALUES,
    SP_UPGRADE_TYPE_NAMES,
    STATUS_ACKNOWLEDGED,
    STATUS_CANCELLED,
    STATUS_WAITING_FOR_USER,
)
from ansible_collections.unity.upgrade.plugins.module_utils.waiter import failed_task, session_messages

STATES = ('present', 'resumed', 'cancelled', 'acknowledged')
# state -> the session action that reaches it
ACTIONS = {'resumed': 'resume', 'cancelled': 'cancel', 'acknowledged': 'acknowledge'}

# What the task asks for (the module's options, checked; ``version`` as written).
SessionRequest = namedtuple('SessionRequest', ('state', 'candidate', 'version', 'type', 'pause_before_reboot',
                                               'pause_between_reboots', 'selected_model', 'session_id'))
# What the array answered: the installed version, Session and Candidate records, the session
# resource, and the SP models (read for SP upgrades only).
Reading = namedtuple('Reading', ('installed', 'sessions', 'candidates', 'resource', 'sp_models'),
                     defaults=((), ()))
# The target of state present: what was asked (candidate id, version), the candidate found, the
# most precise version known (reported), the version to reach (compared) and whether it is an OE.
Target = namedtuple('Target', ('candidate_id', 'asked_version', 'candidate', 'version', 'goal', 'software'))
# What to do: an action (created, adopted, resumed, cancelled, acknowledged or none), the session
# it is about, why, and for a create its body.
Plan = namedtuple('Plan', ('action', 'changed', 'session', 'msg', 'target_version', 'body', 'candidate', 'wait_on'),
                  defaults=(None, '', None, None, None, True))


class PlanRefused(UnityModuleError):
    """The array is in a state this task cannot act on; ``session`` (a record) is the one in the way."""

    def __init__(self, msg, session=None):
        if session is None:
            super().__init__(msg)
        else:
            super().__init__(msg, session=as_dict(session))


# -- input ----------------------------------------------------------------------------------

def validate(params):
    """One-line reasons for inputs that cannot work; returns the target version as written."""
    state = params['state']
    for name in ('wait_timeout', 'poll_interval', 'outage_tolerance'):
        if params[name] is None or params[name] <= 0:
            raise UnityModuleError('%s must be a positive number of seconds, got %s' % (name, params[name]))
    if (params.get('progress_interval') or 0) < 0:
        raise UnityModuleError('progress_interval must be 0 (no progress lines) or a positive number of seconds, got %s'
                               % params['progress_interval'])
    if state != 'present':
        if params['candidate'] or params['version']:
            raise UnityModuleError('candidate and version apply to state present only; to pick the session '
                                   'to %s use session_id' % ACTIONS[state])
        return None
    _validate_present(params)
    if not params['version']:
        return None
    problem = version_problem('version', params['version'])
    if problem:
        raise UnityModuleError(problem)
    return user_version(params['version'])


def _validate_present(params):
    if params['session_id']:
        raise UnityModuleError('session_id applies to states resumed, cancelled and acknowledged; state '
                               'present picks the session by its candidate')
    if params['candidate'] and params['version']:
        raise UnityModuleError('candidate and version are mutually exclusive: give the candidate id or '
                               'the version, not both')
    session_type = params['type']
    if session_type == 'upgrade' and not (params['candidate'] or params['version']):
        raise UnityModuleError('state present needs candidate (an id) or version (such as 5.3.0.0.5.120): '
                               'name the upgrade candidate to install')
    if session_type in SP_UPGRADE_TYPE_NAMES:
        if not params['selected_model']:
            raise UnityModuleError('type %s needs selected_model, the SP model to upgrade to' % session_type)
        if params['candidate'] or params['version']:
            raise UnityModuleError('type %s upgrades SP hardware and takes no candidate or version'
                                   % session_type)


def session_request(params):
    """The checked request of a task's options."""
    version = validate(params)
    return SessionRequest(**dict((name, version if name == 'version' else params[name])
                                 for name in SessionRequest._fields))


# -- reading records --------------------------------------------------------------------------

def describe(session):
    text = '%s (%s' % (session.id, session.status_name)
    if session.percent_complete is not None:
        text += ', %s%%' % session.percent_complete
    if session.current_task:
        text += ", task '%s'" % session.current_task
    return text + ')'


def session_target(session):
    """What a session installs, for messages: its candidate's version, else its candidate id, else its type."""
    if session.candidate_version:
        return session.candidate_version
    if session.candidate_id:
        return 'candidate %s' % session.candidate_id
    if session.selected_model:
        return 'SP model %s' % session.selected_model
    return 'a %s' % (session.type_name or 'session of unknown type')


def session_version(session, candidates):
    """The version a session installs, as written: its candidate's (listed now, or read earlier in this
    run), else, for an upgrade session whose id names one (``Upgrade_5.3.0.120``), the release that id
    names (``5.3.0``: ids carry no full version), else None."""
    if session.candidate_version:
        return session.candidate_version
    known = find_candidate(candidates, session.candidate_id) if session.candidate_id else None
    if known is not None:
        return known.best_version
    if session.type_name == 'upgrade':
        match = re.match(r'^Upgrade_(\d+\.\d+\.\d+)(?:\.\d+)*(?:_\d+)?$', str(session.id or ''))
        if match:
            return match.group(1)
    return None


def session_matches_version(session, version):
    """Whether a session id like ``Upgrade_5.3.0.120`` names an upgrade to ``version``.

    Ids carry major.minor.patch and the build; only used when the session lists no candidate
    that can be compared.
    """
    parsed = parse_version(session.id) or parse_version(session.caption)
    wanted = parse_version(version)
    if not parsed or not wanted or len(parsed) < 3:
        return False
    if parsed[:3] != wanted[:3]:
        return False
    return len(parsed) < 4 or len(wanted) < 6 or parsed[-1] == wanted[-1]


def find_candidate(candidates, candidate_id=None, version=None):
    """The candidate of that id, else of that version (compared within its own type: a drive firmware or
    language pack candidate is matched by its own version); a software candidate first."""
    if candidate_id:
        return next((c for c in candidates if c.id == candidate_id), None)
    matching = [c for c in candidates if c.parsed_version and parse_version(c.parsed_version)
                and compare_versions(c.parsed_version, version) == 0]
    matching.sort(key=lambda c: 0 if c.software else 1)
    return matching[0] if matching else None


# -- state present ------------------------------------------------------------------------------

def decide_present(request, reading):
    """Plan for state present; raises PlanRefused when the array is in the way."""
    if request.type in SP_UPGRADE_TYPE_NAMES:
        return decide_sp_upgrade(request, reading)
    target = find_target(request, reading.candidates)
    unknown_type(target.candidate)
    active = active_session(reading.sessions)
    ours = installs_target(active, target)
    if request.type == 'upgrade' and not ours:
        there = already_there(target, reading)
        if there is not None:
            return there
    if active is not None:
        return in_the_way(request, target, active, ours)
    return what_to_create(request, target, reading)


def find_target(request, candidates):
    """What is the target: the candidate asked for (by id or version) and the versions to report and reach.

    The goal is the version asked for (5.3.0 is met by any build of it), else the candidate's; the
    target reported is the most precise version known.
    """
    asked = request.candidate or request.version
    candidate = find_candidate(candidates, request.candidate, request.version) if asked else None
    version = request.version
    if candidate is not None and candidate.best_version:
        version = candidate.best_version
    # A drive firmware or language pack version is not an operating-environment version: the
    # installed OE version says nothing about whether it is installed.
    return Target(request.candidate, request.version, candidate, version, request.version or version,
                  is_software(candidate))


def unknown_type(candidate):
    """A candidate whose type the module does not know is not taken for software, firmware or a language pack."""
    if candidate is not None and candidate.type is not None and candidate.type not in CANDIDATE_TYPE_NAMES:
        raise PlanRefused('candidate %s is of a type the module does not know (%s): it cannot tell whether it '
                          'upgrades the operating environment, drive firmware or a language pack, nor whether it is '
                          'installed; start its session in Unisphere' % (candidate.describe(), candidate.type))


def installs_target(session, target):
    """Whether a session is the one that installs the target."""
    if session is None:
        return False
    if target.candidate is not None and session.candidate_id:
        return session.candidate_id == target.candidate.id
    if target.candidate_id:
        return session.candidate_id == target.candidate_id
    return bool(target.asked_version) and not session.candidate_id \
        and session_matches_version(session, target.asked_version)


def already_there(target, reading):
    """Is the array already there: a Plan with nothing to do, or None."""
    installed = reading.installed
    where = standing(installed, target.goal) if target.software and target.goal else None
    if where in ('at', 'newer'):
        return Plan('none', False, session=None, target_version=target.version,
                    msg='the array already runs %s, which is %s or newer: nothing to do' % (installed, target.goal))
    if where == IMPRECISE:
        raise PlanRefused(imprecise_reason('the array', installed, target.goal, 'version'))
    if target.software and target.candidate is not None and where in (None, UNKNOWN):
        if installed is None:
            raise PlanRefused('could not read the installed version from the array (basicSystemInfo softwareVersion '
                              'and softwareFullVersion, installedSoftwareVersion id): nothing is decided on a version '
                              'that is not known')
        raise PlanRefused('candidate %s lists no readable version (version, fullVersion): the module cannot tell '
                          'whether the array already runs it' % target.candidate.id)
    if target.candidate is None and target.candidate_id:
        done = [s for s in reading.sessions if s.candidate_id == target.candidate_id and s.status in DONE_STATUSES]
        if done:
            return Plan('none', False, session=done[-1], target_version=target.version,
                        msg='session %s already completed the upgrade to candidate %s; the array runs %s: nothing '
                            'to do' % (done[-1].id, target.candidate_id, installed))
    return None


def in_the_way(request, target, active, ours):
    """What is in the way: the session that is not over is adopted when it is the one asked for, else refused."""
    session_type = request.type
    if ours and active.type_name != session_type:
        # Only a session of the type asked for is adopted: a health check for this candidate
        # is not the upgrade (and a type the array does not name cannot be told to be one).
        raise PlanRefused(
            'session %s is a %s session for %s, not a%s %s session, and is in the way; an array runs '
            'one upgrade session at a time: %s, then run again' % (
                describe(active), active.type_name or 'unknown type', session_target(active),
                'n' if session_type[0] in 'aeiou' else '', session_type,
                'cancel it with state: cancelled' if active.status in CANCELLABLE_STATUSES else 'let it finish'),
            active)
    if ours:
        if active.status in FAILED_STATUSES:
            raise PlanRefused(
                "session %s for this candidate is %s at task '%s': %s; resume it with state: resumed, "
                'or cancel it with state: cancelled' % (active.id, active.status_name, _failed_task(active),
                                                        _messages(active) or 'the array gave no message'),
                active)
        return Plan('adopted', False, session=active, target_version=target.version, candidate=target.candidate,
                    msg='session %s for this candidate is already on the array: adopted' % describe(active))
    if session_type != 'upgrade' and active.type_name == session_type:
        return Plan('adopted', False, session=active, target_version=target.version,
                    msg='a %s session is already on the array: adopted %s' % (session_type, describe(active)))
    raise PlanRefused('session %s for %s is not over; an array runs one upgrade session at a time: let it '
                      'finish, or resume or cancel it first' % (describe(active), session_target(active)), active)


def what_to_create(request, target, reading):
    """What to create: the session's body and what the message calls it."""
    candidate = target.candidate
    if request.type == 'upgrade' and candidate is None:
        raise PlanRefused(_missing_candidate(target, reading.candidates))
    body = create_body(request, candidate, reading.resource)
    if candidate is None:
        return Plan('created', True, target_version=target.version, body=body,
                    msg='created a %s session' % request.type)
    kind = {CANDIDATE_FIRMWARE: 'a drive firmware upgrade',
            CANDIDATE_LANGUAGE_PACK: 'a language pack upgrade'}.get(candidate.type, 'an upgrade')
    return Plan('created', True, target_version=target.version, body=body, candidate=candidate,
                msg='created %s to candidate %s (%s)' % (kind, candidate.id, target.version))


def _missing_candidate(target, candidates):
    listed = ', '.join('%s (%s)' % (c.id, c.best_version) for c in candidates) or 'none'
    if target.candidate_id:
        return ("candidate '%s' is not on the array (candidates: %s); upload it with "
                'unity.upgrade.upgrade_candidate' % (target.candidate_id, listed))
    return ('no upgrade candidate of version %s is on the array (candidates: %s); upload it with '
            'unity.upgrade.upgrade_candidate' % (target.asked_version, listed))


def _failed_task(session):
    return failed_task(session.as_dict())


def _messages(session):
    return ' '.join(session_messages(session.as_dict()))


def decide_sp_upgrade(request, reading):
    """Plan an SP hardware upgrade: nothing when the SPs are that model, else adopt or create, one at a time."""
    session_type, model = request.type, request.selected_model
    if session_type == 'offline_storageprocessor_upgrade' and reading.resource != FULL_SESSION_RESOURCE:
        raise PlanRefused('type offline_storageprocessor_upgrade needs the upgradeSession resource; '
                          'this array offers only softwareUpgradeSession')
    if reading.sp_models and all(m == model for m in reading.sp_models):
        return Plan('none', False, msg='the storage processors are already %s: nothing to do' % model)
    active = active_session(reading.sessions)
    if active is None:
        return Plan('created', True, body=create_body(request, None, reading.resource),
                    msg='created a %s session to %s' % (session_type, model))
    if active.type_name != session_type:
        raise PlanRefused('session %s is not over; an array runs one upgrade session at a time: let '
                          'it finish, or resume or cancel it first' % describe(active), active)
    if active.selected_model != model:
        raise PlanRefused(_other_sp_upgrade(active, model), active)
    if active.status in FAILED_STATUSES:
        raise PlanRefused("session %s is %s at task '%s': %s; resume it with state: resumed"
                          % (active.id, active.status_name, _failed_task(active), _messages(active) or 'no message'),
                          active)
    return Plan('adopted', False, session=active,
                msg='a %s session to %s is already on the array: adopted %s' % (session_type, model, describe(active)))


def _other_sp_upgrade(active, model):
    state = 'running' if active.status in RUNNING_STATUSES else 'not over (%s)' % active.status_name
    if active.selected_model:
        return ('another SP upgrade (to %s) is %s: session %s; it is not the upgrade to %s: let it finish, or '
                'cancel it, then run again' % (active.selected_model, state, describe(active), model))
    return ('an SP upgrade whose model the array does not list is %s: session %s; it cannot be told to be the '
            'upgrade to %s: check it in Unisphere and let it finish, or cancel it, then run again'
            % (state, describe(active), model))


def create_body(request, candidate, resource):
    """The body of the create request, with only what the array's resource takes."""
    body = {}
    if candidate is not None:
        if request.pause_before_reboot and candidate.can_pause_before_reboot is False:
            raise PlanRefused('candidate %s cannot pause before reboot (canPauseBeforeReboot is false); '
                              'set pause_before_reboot: false' % candidate.id)
        body['candidate'] = {'id': candidate.id}
    if request.type != 'upgrade':
        body['type'] = SESSION_TYPE_VALUES[request.type]
    if request.pause_before_reboot:
        body['pauseBeforeReboot'] = True
    if request.pause_between_reboots:
        if resource != FULL_SESSION_RESOURCE:
            raise PlanRefused('pause_between_reboots needs the upgradeSession resource; this array offers '
                              'only softwareUpgradeSession: set pause_between_reboots: false')
        body['pauseBetweenReboots'] = True
    if request.selected_model:
        body['selectedModel'] = SP_MODEL_VALUES[request.selected_model]
    if request.type == 'offline_storageprocessor_upgrade':
        body['offline'] = True
    return body


# -- states resumed, cancelled, acknowledged ----------------------------------------------------

def decide(request, reading):
    """Plan for any state."""
    if request.state == 'present':
        return decide_present(request, reading)
    if request.state == 'resumed':
        return decide_resumed(reading.sessions, request.session_id)
    if request.state == 'cancelled':
        return decide_cancelled(reading.sessions, request.session_id, reading.resource)
    return decide_acknowledged(reading.sessions, request.session_id, reading.resource)


def pick_session(sessions, session_id, state):
    """The session a resume, cancel or acknowledge is about, or None."""
    if session_id:
        for item in sessions:
            if item.id == session_id:
                return item
        raise PlanRefused("session '%s' is not on the array (sessions: %s)"
                          % (session_id, ', '.join(s.id for s in sessions) or 'none'))
    if state == 'acknowledged':
        return newest_session(sessions, ACKNOWLEDGEABLE_STATUSES)
    return active_session(sessions)


def _nothing(session, msg):
    return Plan('none', False, session=session, wait_on=False, msg=msg)


def _newest_note(sessions):
    newest = newest_session(sessions)
    return newest, '' if newest is None else ' (newest: %s)' % describe(newest)


def decide_resumed(sessions, session_id):
    target = pick_session(sessions, session_id, 'resumed')
    if target is None:
        newest, note = _newest_note(sessions)
        return _nothing(newest, 'no session is paused or failed: nothing to resume%s' % note)
    if target.status == STATUS_WAITING_FOR_USER:
        # Resume takes paused, failed and failed_lock sessions only (the REST API Reference Guide; the simulator
        # answers 409); what a waiting_for_user session waits for, the guide does not say.
        raise PlanRefused(
            'session %s waits for a user action that the Unisphere REST API does not document; the module does not '
            'resume it: continue it in Unisphere, then run again' % describe(target), target)
    if target.status in RESUMABLE_STATUSES:
        return Plan('resumed', True, session=target, msg='resumed session %s' % describe(target))
    if target.status in RUNNING_STATUSES:
        # Nothing was resumed: no change and no wait (wait applies to a session this task resumed).
        return _nothing(target, 'session %s is already running: nothing to resume' % describe(target))
    return _nothing(target, 'session %s is over: nothing to resume' % describe(target))


def decide_cancelled(sessions, session_id, resource):
    if resource != FULL_SESSION_RESOURCE:
        raise PlanRefused('state cancelled needs the upgradeSession resource; this array offers only '
                          'softwareUpgradeSession, which has no cancel operation: resume the session, '
                          'or cancel it from Unisphere')
    target = pick_session(sessions, session_id, 'cancelled')
    if target is None:
        newest, note = _newest_note(sessions)
        if newest is not None and newest.status == STATUS_CANCELLED:
            return _nothing(newest, 'session %s is already cancelled' % newest.id)
        return _nothing(newest, 'no session is paused or failed: nothing to cancel%s' % note)
    if target.status == STATUS_CANCELLED:
        return _nothing(target, 'session %s is already cancelled' % target.id)
    if target.status in CANCELLABLE_STATUSES:
        return Plan('cancelled', True, session=target, msg='cancelled session %s' % describe(target))
    if target.status in LOCKED_STATUSES:
        raise PlanRefused('session %s is past the point of cancellation and cannot be cancelled; resume '
                          'it with state: resumed' % describe(target), target)
    if target.status in DONE_STATUSES:
        raise PlanRefused('session %s is over and cannot be cancelled' % describe(target), target)
    raise PlanRefused('session %s cannot be cancelled: only a paused or failed session can be (create it '
                      'with pause_before_reboot to stop at a point where it can)' % describe(target), target)


def decide_acknowledged(sessions, session_id, resource):
    if resource != FULL_SESSION_RESOURCE:
        raise PlanRefused('state acknowledged needs the upgradeSession resource; this array offers only '
                          'softwareUpgradeSession, which has no acknowledge operation')
    target = pick_session(sessions, session_id, 'acknowledged')
    if target is None:
        done = newest_session(sessions, (STATUS_ACKNOWLEDGED,))
        if done is not None:
            return _nothing(done, 'session %s is already acknowledged' % done.id)
        return _nothing(newest_session(sessions), 'no session is completed or cancelled: nothing to acknowledge')
    if target.status == STATUS_ACKNOWLEDGED:
        return _nothing(target, 'session %s is already acknowledged' % target.id)
    if target.status in ACKNOWLEDGEABLE_STATUSES:
        return Plan('acknowledged', True, session=target, wait_on=False,
                    msg='acknowledged session %s' % describe(target))
    raise PlanRefused('session %s cannot be acknowledged: only a completed or cancelled session can be'
                      % describe(target), target)


def with_target_version(plan, candidates):
    """The plan, its target version filled from its session when the decision did not name one."""
    if plan.target_version is None and plan.session is not None:
        return plan._replace(target_version=session_version(plan.session, candidates))
    return plan


def planned_summary(plan, resource):
    """The diff's "after" for a session that is not read back (check mode)."""
    if plan.action == 'created':
        return {'id': None, 'resource': resource, 'type_name': None, 'status_name': 'in_progress',
                'candidate_id': plan.candidate.id if plan.candidate else None, 'percent_complete': 0,
                'current_task': None}
    after = session_summary(as_dict(plan.session))
    status = {'resumed': 'in_progress', 'cancelled': 'cancelled', 'acknowledged': 'acknowledged'}
    if plan.action in status:
        after['status_name'] = status[plan.action]
    return after
