# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A scripted transport for the REST client's unit tests.

Responses are replayed from a script of recorded answers (shapes taken from real
arrays, see tests/unit/fixtures); every request the client sends is kept so tests
can assert on headers, bodies and counts. Exceptions can be scripted too, to
play a refused connection or an answer lost after the request went out.
"""


import email.message
import json
import os

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib.parse import parse_qs, urlsplit

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'fixtures')
LOGIN = '/api/types/loginSessionInfo/instances'
LOGOUT = '/api/types/loginSessionInfo/action/logout'


def fixture_json(name):
    """A recorded answer of a real array, from tests/unit/fixtures."""
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)


class _OriginalResponse:
    def __init__(self, message):
        self.msg = message


class _RawResponse:
    def __init__(self, message):
        self._original_response = _OriginalResponse(message)

    def release_conn(self):
        pass


class Reply:
    """One scripted answer: a status, a JSON or text body, headers; or an exception."""

    def __init__(self, status=200, body=None, text=None, headers=None, exc=None):
        self.status = status
        self.body = body
        self.text = text
        self.headers = headers or {}
        self.exc = exc


class SentRequest:
    def __init__(self, prepared):
        parts = urlsplit(prepared.url)
        self.method = prepared.method
        self.path = parts.path
        self.query = dict((k, v[-1]) for k, v in parse_qs(parts.query).items())
        self.headers = CaseInsensitiveDict(prepared.headers)
        body = prepared.body
        self.body = body.decode() if isinstance(body, bytes) else body

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return '%s %s' % (self.method, self.path)


class ScriptedAdapter(BaseAdapter):
    """Answers (method, path) from queues; the login answer is built in."""

    def __init__(self):
        super().__init__()
        self.script = {}
        self.standing = {}
        self.sent = []
        self.csrf = 'token-1'
        self.login_count = 0

    def add(self, method, path, *replies):
        self.script.setdefault((method, path), []).extend(replies)

    def always(self, method, path, reply):
        """``reply`` to every (method, path) request that finds no scripted answer left."""
        self.standing[(method, path)] = reply

    def send(self, request, **kwargs):
        sent = SentRequest(request)
        self.sent.append(sent)
        queue = self.script.get((sent.method, sent.path))
        if queue:
            reply = queue.pop(0)
        elif (sent.method, sent.path) in self.standing:
            reply = self.standing[(sent.method, sent.path)]
        elif sent.path == LOGIN:
            self.login_count += 1
            reply = Reply(200, fixture_json('login_session_info.json'),
                          headers={'EMC-CSRF-TOKEN': '%s-%d' % (self.csrf, self.login_count),
                                   'Set-Cookie': 'mod_sec_emc=cookie-%d; path=/; secure; HttpOnly'
                                   % self.login_count})
        elif sent.path == LOGOUT:
            reply = Reply(204)
        else:
            raise AssertionError('unscripted request %s %s' % (sent.method, sent.path))
        if reply.exc is not None:
            raise reply.exc
        return self._response(request, reply)

    @staticmethod
    def _response(request, reply):
        response = requests.Response()
        response.status_code = reply.status
        response.reason = {200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content',
                           401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict',
                           422: 'Unprocessable Entity', 503: 'Service Unavailable'}.get(reply.status, '')
        headers = CaseInsensitiveDict(reply.headers)
        if reply.body is not None:
            content = json.dumps(reply.body).encode()
            headers.setdefault('Content-Type', 'application/json; version=1.0;charset=UTF-8')
        elif reply.text is not None:
            content = reply.text.encode()
            headers.setdefault('Content-Type', 'text/html')
        else:
            content = b''
        response.headers = headers
        response._content = content
        response.url = request.url
        response.request = request
        response.encoding = 'utf-8'
        # requests reads Set-Cookie from the raw http.client answer; give it one.
        message = email.message.Message()
        for name, value in headers.items():
            message[name] = value
        response.raw = _RawResponse(message)
        return response

    def close(self):
        pass

    def requests_to(self, method, path):
        return [r for r in self.sent if r.method == method and r.path == path]


def scripted_session(transport):
    """A requests.Session whose HTTPS requests all go to ``transport``."""
    session = requests.Session()
    session.mount('https://', transport)
    return session
