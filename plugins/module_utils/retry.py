# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kinds of failure, the one backoff policy, the one clock and the one retry loop.

Every error the collection raises carries a ``kind``, set where it is raised:

- ``outage``: the array certainly did not act on the request (connection refused, connect
  timeout, HTTP 502/503/504: the management service is away);
- ``maybe_applied``: the exchange broke off after the request may have reached the array
  (read timeout, connection reset); a request that changes something is settled by reading
  the array back, never by sending it again;
- ``auth``: the login was refused (or the login session was, HTTP 401);
- ``tls``: the array's certificate, or TLS itself, was not accepted;
- ``http``: any other HTTP answer of the array (404, 409, 422, ...);
- ``error``: anything else (an answer the client cannot read, a failed job);
- ``pending``: not a failure, an answer that is not final yet (a job still running).

Nothing decides on the text of a message. Nothing here imports Ansible; the clock is injected
so that tests run in zero time without patching ``time.sleep``.
"""


import random
import time

OUTAGE = 'outage'
MAYBE_APPLIED = 'maybe_applied'
AUTH = 'auth'
TLS = 'tls'
HTTP = 'http'
ERROR = 'error'
PENDING = 'pending'

# The API did not answer: a read may be tried again.
AWAY = frozenset((OUTAGE, MAYBE_APPLIED))
# HTTP statuses of a management service that is away (restarting, or a proxy cannot reach it).
AWAY_STATUSES = frozenset((502, 503, 504))


def kind_of_status(http_status):
    """The kind of an HTTP error answer."""
    if http_status in AWAY_STATUSES:
        return OUTAGE
    if http_status == 401:
        return AUTH
    return HTTP if http_status is not None else ERROR


def unread_after_change(error):
    """Whether the failed answer to a request that changes something leaves it unknown whether the
    array applied it, so that only reading the array back can tell: an answer the client cannot
    read (kind ``error``: not JSON, no envelope, no new id) or a server error (HTTP 500 or above
    that is no outage). A lost answer (``maybe_applied``) is the same question, handled apart
    because nothing at all came back."""
    status = getattr(error, 'http_status', None) or 0
    return error.kind == ERROR or (error.kind == HTTP and status >= 500)


class ClassifiedError(Exception):
    """An error with a ``kind`` (see the module docstring)."""

    kind = ERROR


class Pending(ClassifiedError):
    """Raised by an attempt whose answer is not final yet; ``last`` is that answer."""

    kind = PENDING

    def __init__(self, last=None):
        super().__init__('not final yet')
        self.last = last


class Clock:
    """Monotonic time, wall time, sleep and the jitter's random numbers, injected as one.

    The defaults are looked up at each call, so the real clock is always the current one.
    """

    def __init__(self, monotonic=None, wall=None, sleep=None, rand=None):
        self._monotonic = monotonic
        self._wall = wall
        self._sleep = sleep
        self._rand = rand

    def monotonic(self):
        return (self._monotonic or time.monotonic)()

    def time(self):
        return (self._wall or time.time)()

    def sleep(self, seconds):
        (self._sleep or time.sleep)(seconds)

    def random(self):
        return (self._rand or random.random)()


class RetryPolicy:
    """Capped, jittered exponential backoff (the one policy every retry uses).

    Retry ``n`` (1-based) waits a random time in ``[cap/2, cap]``, where
    ``cap = min(max_delay, base_delay * 2 ** (n - 1))``; ``attempts`` bounds the tries
    (None: only a deadline does). ``sleep`` and ``rand`` are kept for callers that inject
    them here rather than through a Clock.
    """

    def __init__(self, attempts=4, base_delay=1.0, max_delay=15.0, sleep=None, rand=None):
        self.attempts = None if attempts is None else max(1, int(attempts))
        self.base_delay = float(base_delay)
        self.max_delay = float(max_delay)
        self.sleep = sleep
        self.rand = rand

    def delay(self, retry_number, rand=None):
        """Delay before retry ``retry_number`` (1-based)."""
        cap = min(self.max_delay, self.base_delay * (2 ** min(retry_number - 1, 60)))
        value = (rand if rand is not None else (self.rand or random.random)())
        return cap / 2.0 + (cap / 2.0) * value

    def clock(self):
        """A Clock with this policy's own sleep and random numbers, when it carries them."""
        return Clock(sleep=self.sleep, rand=self.rand)


def retry(attempt, clock, policy, retry_on, deadline=None, delay=None, on_retry=None):
    """Call ``attempt(number)`` (1-based) until it returns, and return what it returns.

    A ClassifiedError that ``retry_on`` accepts (a set of kinds, or a callable of the
    error and the attempt number) is followed by a wait and another attempt: at most
    ``policy.attempts`` in all, and never past ``deadline`` (a ``clock.monotonic()`` time;
    the last wait is cut to it). The wait is ``policy.delay(number)`` with the clock's
    jitter, or ``delay(number)`` for a caller that polls at its own pace.
    ``on_retry(error, number)`` sees every failure that is retried. Any other error, or
    the last one, is raised as it is.
    """
    accepts = retry_on if callable(retry_on) else (lambda error, number: error.kind in retry_on)
    number = 0
    while True:
        number += 1
        try:
            return attempt(number)
        except ClassifiedError as error:
            if not accepts(error, number) or (policy.attempts is not None and number >= policy.attempts):
                raise
            wait = delay(number) if delay is not None else policy.delay(number, clock.random())
            if deadline is not None:
                remaining = deadline - clock.monotonic()
                if remaining <= 0:
                    raise
                wait = min(wait, remaining)
            if on_retry is not None:
                on_retry(error, number)
        clock.sleep(max(0.0, wait))
