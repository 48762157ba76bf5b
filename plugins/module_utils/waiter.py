# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting on one upgrade session, through the SP reboots of a Unity upgrade.

While each SP reboots the management API is gone (connections refused or
reset), then answers 503 while services restart, and the login session from
before is no longer valid (401: the client logs in again). The waiter polls
the session with reads that are not retried by the client, treats those
answers as an outage, tolerates an outage for up to ``outage_tolerance``
seconds in a row, and records each one. It never creates or changes anything.

Nothing here imports Ansible; the clock and sleep are injectable so the unit
tests run in zero time.
"""


import datetime

from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityApiError
from ansible_collections.unity.upgrade.plugins.module_utils.retry import (
    AUTH,
    AWAY,
    OUTAGE,
    PENDING,
    TLS,
    Clock,
    Pending,
    RetryPolicy,
    retry,
)
from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import (
    FAILED_STATUSES,
    STATUS_ACKNOWLEDGED,
    STATUS_CANCELLED,
    STATUS_COMPLETED,
    STATUS_FAILED,
    STATUS_FAILED_LOCK,
    STATUS_NAMES,
    STATUS_PAUSED,
    STATUS_PAUSED_LOCK,
    STATUS_WAITING_FOR_USER,
)

# The waiter reads at its own pace (poll_interval, cut to its limits) until it returns.
POLLING = RetryPolicy(attempts=None)

# status -> outcome of the wait; statuses not listed (not_started, in_progress) keep it going.
OUTCOMES = {
    STATUS_COMPLETED: 'completed',
    STATUS_CANCELLED: 'cancelled',
    STATUS_ACKNOWLEDGED: 'acknowledged',
    STATUS_PAUSED: 'paused',
    STATUS_WAITING_FOR_USER: 'paused',
    STATUS_PAUSED_LOCK: 'paused',
    STATUS_FAILED: 'failed',
    STATUS_FAILED_LOCK: 'failed',
}
FINAL_OUTCOMES = frozenset(OUTCOMES.values())


def iso_time(epoch):
    """``yyyy-mm-ddThh:mm:ss.sssZ`` (UTC), the encoding the Unity API uses."""
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (moment.microsecond // 1000)


def outage_symptom(error):
    """What an error says about the API being down, or None if it is a real error.

    Kinds ``outage``, ``maybe_applied`` and ``tls``, and a 401 (the login session did not
    survive the SP reboot, or the login service is not up yet) are outage symptoms. Anything
    else (404, 422, a password that must be changed) is an answer and must not be waited out.
    """
    kind = getattr(error, 'kind', None)
    if kind == TLS:
        return 'TLS handshake failed'
    if kind in AWAY and getattr(error, 'reason', None):
        return error.reason
    if kind == OUTAGE or (kind == AUTH and error.http_status == 401):
        return 'HTTP %s%s' % (error.http_status, ' (login refused)' if kind == AUTH else '')
    return None


def new_outage(wall_time, session=None, at_start=False):
    """A fresh outage record, as waits return them."""
    session = session or {}
    return {'start': iso_time(wall_time), 'seconds': 0.0, 'seen': [], 'failed_reads': 0,
            'during_task': session.get('current_task'), 'percent_complete': session.get('percent_complete'),
            'ended': False, 'at_start': at_start}


def describe_state(session):
    """``session X in_progress at 63%, task 'Rebooting peer SP'``."""
    if not session:
        return 'no session state was read'
    text = 'session %s %s' % (session.get('id'), session.get('status_name') or 'status %s'
                              % session.get('status'))
    if session.get('percent_complete') is not None:
        text += ' at %s%%' % session['percent_complete']
    if session.get('current_task'):
        text += ", task '%s'" % session['current_task']
    return text


def failed_task(session):
    """Caption of the task a failed session stopped at."""
    for item in session.get('tasks') or []:
        if item.get('status') in FAILED_STATUSES:
            return item.get('caption')
    return session.get('current_task')


def session_messages(session):
    return [m['message'] for m in session.get('messages') or [] if m.get('message')]


class WaitResult:
    """How a wait ended.

    ``outcome`` is one of ``completed``, ``acknowledged``, ``cancelled``,
    ``paused``, ``failed`` (the array's answers) or ``timeout`` (wait_timeout
    passed; the upgrade goes on) or ``unreachable`` (an outage longer than
    outage_tolerance; the upgrade may go on).
    """

    def __init__(self, outcome, session, waited_seconds, outages, progress, relogins, message):
        self.outcome = outcome
        self.session = session
        self.waited_seconds = waited_seconds
        self.outages = outages
        self.progress = progress
        self.relogins = relogins
        self.message = message

    @property
    def finished(self):
        """The session reached a state the wait stops at (success or not)."""
        return self.outcome in FINAL_OUTCOMES

    @property
    def ok(self):
        """A result a playbook can go on from: done or paused (as asked) on the array."""
        return self.outcome in ('completed', 'acknowledged', 'paused')

    def as_dict(self):
        return {'outcome': self.outcome, 'session': self.session, 'waited_seconds': self.waited_seconds,
                'outages': self.outages, 'progress': self.progress, 'relogins': self.relogins,
                'message': self.message}


class SessionWaiter:
    """Polls one session until it completes, pauses or fails, or until a limit.

    - ``poll_interval``: seconds between reads.
    - ``wait_timeout``: seconds to wait in all; then the result is ``timeout``.
    - ``outage_tolerance``: seconds the API may stay unreachable in a row; then
      the result is ``unreachable``.
    - ``settle_statuses``/``settle_seconds``: statuses the session had before an
      action (resume, cancel); while it still shows one of them, for at most
      ``settle_seconds``, the array has not taken the action in yet and the wait
      goes on.
    - ``probe``: while the API is down, read basicSystemInfo (no login) first and
      read the session (which may need a new login) only once that answers.
    - ``on_progress(entry)``: called for every new progress entry.
    - ``on_poll(snapshot)``: called after every read, answered or not, with ``snapshot()``.
    """

    def __init__(self, api, session_id, poll_interval=30.0, wait_timeout=10800.0,
                 outage_tolerance=1800.0, on_progress=None, probe=True, settle_statuses=(),
                 settle_seconds=None, clock=None, on_poll=None):
        for name, value in (('poll_interval', poll_interval), ('wait_timeout', wait_timeout),
                            ('outage_tolerance', outage_tolerance)):
            if value is None or value <= 0:
                raise ValueError('%s must be a positive number of seconds, got %r' % (name, value))
        self.api = api
        self.session_id = session_id
        self.poll_interval = float(poll_interval)
        self.wait_timeout = float(wait_timeout)
        self.outage_tolerance = float(outage_tolerance)
        self.on_progress = on_progress
        self.on_poll = on_poll
        self.probe = probe
        self.settle_statuses = frozenset(settle_statuses or ())
        if settle_seconds is None:
            settle_seconds = max(120.0, 2 * self.poll_interval)
        self.settle_seconds = min(float(settle_seconds), self.wait_timeout)
        self.clock = clock or getattr(api.client, 'clock', None) or Clock()
        self._reset()

    def _reset(self):
        self.outages = []
        self.progress = []
        self.relogins = 0
        self.last_session = None
        self._outage = None       # the current outage record, while the API is down
        self._outage_since = None  # clock() of the first failed read of it
        self._left_settle = False
        self._start = None
        self._last_key = None

    # -- public ---------------------------------------------------------------------------------

    def wait(self, initial=None):
        """Wait; ``initial`` is the session as last read by the caller, if any."""
        self._reset()
        self._start = self.clock.monotonic()
        return retry(lambda number: self._step(number, initial), self.clock, POLLING, (PENDING,),
                     delay=lambda number: self._next_delay())

    def _step(self, number, initial):
        """One read (the first may be the caller's); the result once the wait ends, else Pending."""
        if number == 1 and initial is not None:
            self._observe(initial)
            outcome = self._outcome(initial)
        else:
            outcome = self._outcome(self.last_session) if self._poll() else None
        if self.on_poll is not None:
            self.on_poll(self.snapshot())
        outcome = outcome or self._check_limits()
        if outcome:
            return self._result(outcome)
        raise Pending()

    # -- one read -------------------------------------------------------------------------------

    def _poll(self):
        """Read the session once; True if it answered."""
        client = self.api.client
        if self._outage is not None and self.probe:
            try:
                self.api.basic_system_info(retry=False)
            except UnityApiError as error:
                symptom = outage_symptom(error)
                if symptom is None:
                    raise
                self._down('%s (basicSystemInfo)' % symptom)
                return False
            self._see('basicSystemInfo answers again')
        logins = client.stats.get('logins', 0)
        try:
            session = self.api.get_session(self.session_id, retry=False)
        except UnityApiError as error:
            symptom = outage_symptom(error)
            if symptom is None:
                raise
            self._relogged(client, logins)
            self._down(symptom)
            return False
        self._relogged(client, logins)
        self._up()
        self._observe(session)
        return True

    def _relogged(self, client, logins_before):
        if client.stats.get('logins', 0) > logins_before:
            self.relogins += 1
            self._see('login session lost (HTTP 401): logged in again')

    # -- outages --------------------------------------------------------------------------------

    def _down(self, symptom):
        if self._outage is None:
            self._outage_since = self.clock.monotonic()
            self._outage = new_outage(self.clock.time(), self.last_session)
            self.outages.append(self._outage)
        self._outage['failed_reads'] += 1
        self._outage['seconds'] = round(self.clock.monotonic() - self._outage_since, 1)
        self._see(symptom)

    def _see(self, what):
        if self._outage is not None and what not in self._outage['seen']:
            self._outage['seen'].append(what)

    def _up(self):
        if self._outage is not None:
            self._outage['seconds'] = round(self.clock.monotonic() - self._outage_since, 1)
            self._outage['ended'] = True
            self._outage = None
            self._outage_since = None

    # -- progress -------------------------------------------------------------------------------

    def _observe(self, session):
        self.last_session = session
        status = session.get('status')
        if status not in self.settle_statuses:
            self._left_settle = True
        key = (status, session.get('percent_complete'), session.get('current_task'))
        if key == self._last_key:
            return
        self._last_key = key
        entry = {
            'time': iso_time(self.clock.time()),
            'elapsed_seconds': round(self.clock.monotonic() - self._start, 1),
            'status': status,
            'status_name': session.get('status_name') or STATUS_NAMES.get(status),
            'percent_complete': session.get('percent_complete'),
            'current_task': session.get('current_task'),
        }
        self.progress.append(entry)
        if self.on_progress is not None:
            self.on_progress(entry)

    def snapshot(self):
        """Where the wait stands now: the last session read, the outages so far and the one under way."""
        session = self.last_session or {}
        now = self.clock.monotonic()
        down = None
        if self._outage is not None:
            down = {'seconds': round(now - self._outage_since, 1), 'seen': list(self._outage['seen'])}
        return {
            'session_id': session.get('id', self.session_id),
            'status_name': session.get('status_name') or STATUS_NAMES.get(session.get('status')),
            'percent_complete': session.get('percent_complete'),
            'current_task': session.get('current_task'),
            'estimated_seconds_left': session.get('estimated_seconds_left'),
            'waited_seconds': round(now - self._start, 1),
            'outages': len(self.outages),
            'unreachable_seconds': round(sum(o['seconds'] for o in self.outages if o is not self._outage)
                                         + (down['seconds'] if down else 0.0), 1),
            'down': down,
        }

    # -- decisions ------------------------------------------------------------------------------

    def _outcome(self, session):
        if not session:
            return None
        outcome = OUTCOMES.get(session.get('status'))
        if outcome is None:
            return None
        if (session.get('status') in self.settle_statuses and not self._left_settle
                and self.clock.monotonic() - self._start < self.settle_seconds):
            return None  # the array has not taken the action in yet
        return outcome

    def _check_limits(self):
        now = self.clock.monotonic()
        if self._outage is not None and now - self._outage_since >= self.outage_tolerance:
            return 'unreachable'
        if now - self._start >= self.wait_timeout:
            return 'timeout'
        return None

    def _next_delay(self):
        now = self.clock.monotonic()
        delay = min(self.poll_interval, self._start + self.wait_timeout - now)
        if self._outage is not None:
            delay = min(delay, self._outage_since + self.outage_tolerance - now)
        if (self.settle_statuses and not self._left_settle
                and self._start + self.settle_seconds > now):
            delay = min(delay, self._start + self.settle_seconds - now)
        return max(0.0, delay)

    # -- the result -----------------------------------------------------------------------------

    def _result(self, outcome):
        waited = round(self.clock.monotonic() - self._start, 1)
        if self._outage is not None:
            self._outage['seconds'] = round(self.clock.monotonic() - self._outage_since, 1)
        session = self.last_session
        return WaitResult(outcome, session, waited, self.outages, self.progress, self.relogins,
                          self._message(outcome, session, waited))

    def _message(self, outcome, session, waited):
        sid = (session or {}).get('id', self.session_id)
        if outcome in ('completed', 'acknowledged'):
            return 'session %s %s after %s s of waiting' % (sid, outcome, _seconds(waited))
        if outcome == 'cancelled':
            return 'session %s was cancelled on the array' % sid
        if outcome == 'paused':
            return ("session %s is %s at task '%s' (%s%%); resume it with state: resumed"
                    % (sid, session.get('status_name'), session.get('current_task'),
                       session.get('percent_complete')))
        if outcome == 'failed':
            texts = session_messages(session)
            return ("session %s is %s at task '%s' (%s%%): %s; fix the cause, then resume it with "
                    "state: resumed" % (sid, session.get('status_name'), failed_task(session),
                                        session.get('percent_complete'),
                                        ' '.join(texts) or 'the array gave no message'))
        if outcome == 'timeout':
            down = ''
            if self._outage is not None:
                down = (' (the API has not answered for the last %s s: %s)'
                        % (_seconds(self._outage['seconds']), ', '.join(self._outage['seen'])))
            return ('the wait ended after %s s (wait_timeout) with %s%s; the upgrade goes on on the '
                    'array: run the task again to adopt the session and keep waiting'
                    % (_seconds(waited), describe_state(session), down))
        # unreachable
        outage = self._outage or {}
        return ('the management API has not answered for %s s, more than outage_tolerance (%s s; '
                'seen: %s); the last state seen was %s; the upgrade may go on on the array: check it '
                'in Unisphere, then run the task again to adopt the session and keep waiting'
                % (_seconds(outage.get('seconds', 0)), _seconds(self.outage_tolerance),
                   ', '.join(outage.get('seen') or ['no answer']), describe_state(session)))


def _seconds(value):
    value = float(value)
    return '%d' % value if value == int(value) else '%.1f' % value
