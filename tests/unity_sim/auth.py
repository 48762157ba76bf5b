"""Login sessions: HTTP Basic credentials, the ``mod_sec_emc`` cookie, the CSRF token, idle timeout.

A GET (or any request) with good Basic credentials and no valid cookie opens a login session: the
answer carries ``Set-Cookie: mod_sec_emc=<random>; path=/; secure; HttpOnly`` and an
``EMC-CSRF-TOKEN`` header, which is echoed on every later answer of that session. POST and DELETE must
send that token. A session idle for ``idle_timeout`` simulated seconds is gone (401 afterwards), and
so is every session when the array's management services restart (SP reboot), on logout, or when a
scenario is applied.
"""

import base64
import binascii
import hmac
import secrets
from collections import OrderedDict

COOKIE_NAME = "mod_sec_emc"
MAX_LOGIN_SESSIONS = 1000


class LoginSession:
    __slots__ = ("cookie", "csrf", "user", "created", "last_used")

    def __init__(self, user, now, csrf=None):
        self.cookie = "value3&1&value1&%s&value2&%s" % (secrets.token_urlsafe(24), secrets.token_hex(16))
        self.csrf = csrf or base64.b64encode(secrets.token_bytes(60)).decode()
        self.user = user
        self.created = now
        self.last_used = now

    def set_cookie_header(self):
        return "%s=%s; path=/; secure; HttpOnly" % (COOKIE_NAME, self.cookie)


class LoginStore:
    def __init__(self):
        self._sessions = OrderedDict()

    def __len__(self):
        return len(self._sessions)

    def create(self, user, now, csrf=None):
        session = LoginSession(user, now, csrf)
        self._sessions[session.cookie] = session
        while len(self._sessions) > MAX_LOGIN_SESSIONS:
            self._sessions.popitem(last=False)
        return session

    def lookup(self, cookie, now, idle_timeout):
        """The live session for ``cookie`` (touching it), or None; expired ones are dropped."""
        session = self._sessions.get(cookie) if cookie else None
        if session is None:
            return None
        if now - session.last_used > idle_timeout:
            del self._sessions[cookie]
            return None
        session.last_used = now
        self._sessions.move_to_end(cookie)
        return session

    def drop(self, session):
        self._sessions.pop(session.cookie, None)

    def clear(self):
        self._sessions.clear()


def parse_basic(header):
    """``(user, password)`` from an ``Authorization: Basic ...`` header, else None."""
    if not header:
        return None
    scheme, dummy, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def credentials_match(given, expected_user, expected_password):
    user, password = given
    return (hmac.compare_digest(user.encode(), str(expected_user).encode())
            and hmac.compare_digest(password.encode(), str(expected_password).encode()))


def cookie_from(headers):
    """The ``mod_sec_emc`` value from the request's Cookie header(s)."""
    for header in headers.get_all("Cookie") or ():
        for part in header.split(";"):
            name, dummy, value = part.strip().partition("=")
            if name == COOKIE_NAME:
                return value
    return None


def csrf_matches(session, token):
    return bool(token) and hmac.compare_digest(session.csrf.encode(), token.strip().encode())
