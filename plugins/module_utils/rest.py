# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Transport to the Unisphere Management REST API.

Session, login, CSRF token, retries, envelopes, errors and paging. Nothing in
here knows about upgrades or about Ansible, so it can be unit tested on its own
and reused by a future lookup or inventory plugin.
"""


import base64
import json
import os
import re
import ssl

from urllib.parse import quote

try:
    import requests
    from requests.exceptions import (
        ConnectionError as RequestsConnectionError,
        ConnectTimeout,
        RequestException,
        SSLError,
        Timeout,
    )
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the sanity import test
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.unity.upgrade.plugins.module_utils.retry import (  # noqa: F401 RetryPolicy is public here
    AUTH,
    AWAY,
    AWAY_STATUSES,
    ERROR,
    MAYBE_APPLIED,
    OUTAGE,
    PENDING,
    TLS,
    ClassifiedError,
    Pending,
    RetryPolicy,
    kind_of_status,
    retry as retry_call,
)

COLLECTION_VERSION = '1.0.0'
APPLICATION_TYPE = 'unity.upgrade/%s' % COLLECTION_VERSION

LOGIN_PATH = '/api/types/loginSessionInfo/instances'
LOGOUT_PATH = '/api/types/loginSessionInfo/action/logout'
LOGIN_FIELDS = ('id', 'user', 'roles', 'domain', 'idleTimeout', 'isPasswordChangeRequired')
UPLOAD_PATH = '/upload/files/types/candidateSoftwareVersion'

# Statuses a GET may be retried on: the management service is restarting or a
# proxy in front of it could not reach it.
RETRYABLE_STATUSES = AWAY_STATUSES
# Polls (a job) wait at their own pace until a deadline, not a number of attempts.
POLLING = RetryPolicy(attempts=None)

# JobStateEnum: the state of an asynchronous job (a 202 answer).
JOB_QUEUED = 1
JOB_RUNNING = 2
JOB_SUSPENDED = 3
JOB_COMPLETED = 4
JOB_FAILED = 5
JOB_ROLLING_BACK = 6
JOB_COMPLETED_WITH_PROBLEMS = 7
# A job in one of these is over; any other is polled again.
JOB_DONE_STATES = frozenset((JOB_COMPLETED, JOB_FAILED, JOB_COMPLETED_WITH_PROBLEMS))


class UnityApiError(ClassifiedError):
    """Every failure the client reports: HTTP errors, transport errors, bad bodies.

    ``str()`` is a single line fit for ``fail_json(msg=...)``; it never holds a
    password, a cookie or the CSRF token. ``kind`` (see retry.py) is set where it is
    raised; by default it follows ``http_status``.
    """

    def __init__(self, message, http_status=None, error_code=None, messages=None,
                 method=None, path=None, kind=None):
        super().__init__(message)
        self.kind = kind or kind_of_status(http_status)
        self.message = message
        self.http_status = http_status
        self.error_code = error_code
        self.messages = list(messages or [])
        self.method = method
        self.path = path

    def __str__(self):
        return self.message


class UnityConnectionError(UnityApiError):
    """The array could not be reached or the exchange broke off.

    ``maybe_applied`` is False when the request certainly never reached the
    array (connection refused, connect timeout) and True when it may have been
    executed (read timeout, connection reset after sending). A caller that
    created something must re-read state in the second case, never re-send.
    ``kind`` says the same: ``outage`` or ``maybe_applied``. ``reason`` is the
    short cause (``connection refused``).
    """

    def __init__(self, message, maybe_applied=True, reason=None, **kwargs):
        kwargs.setdefault('kind', MAYBE_APPLIED if maybe_applied else OUTAGE)
        super().__init__(message, **kwargs)
        self.maybe_applied = maybe_applied
        self.reason = reason or 'connection failed'


class UnityTLSError(UnityConnectionError):
    """The array's certificate, or TLS itself, was not accepted.

    ``problem`` says which: ``not_tls`` (the port does not speak TLS), ``name`` (the
    certificate is not valid for the host name), ``trust`` (not signed by a trusted CA),
    ``handshake`` (another handshake failure) or ``ca_bundle`` (the CA certificates to
    verify with cannot be used). The module layer adds what to change for each.
    """

    def __init__(self, message, problem=None, **kwargs):
        kwargs.setdefault('kind', TLS)
        kwargs.setdefault('reason', 'TLS handshake failed')
        kwargs.setdefault('maybe_applied', False)
        super().__init__(message, **kwargs)
        self.problem = problem


class UnityAuthError(UnityApiError):
    """Login refused, or the account must change its password first."""

    def __init__(self, message, **kwargs):
        kwargs.setdefault('kind', AUTH)
        super().__init__(message, **kwargs)


def localized_messages(items):
    """Texts of a Unity message list, in either encoding the API uses.

    The error entity uses ``[{"en-US": "text"}]``; upgradeMessage and job tasks
    use ``[{"locale": "en_US", "message": "text"}]``.
    """
    texts = []
    for item in items or []:
        if isinstance(item, dict):
            if 'message' in item:
                texts.append(str(item['message']))
            else:
                texts.extend(str(v) for k, v in sorted(item.items()) if k != 'locale')
        elif item is not None:
            texts.append(str(item))
    return [t.strip() for t in texts if t and t.strip()]


def one_line(text, limit=300):
    text = re.sub(r'\s+', ' ', text or '').strip()
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _body_excerpt(response):
    """A short, tag-free excerpt of a non-JSON body, to say what answered."""
    text = response.text or ''
    title = re.search(r'<title[^>]*>(.*?)</title>', text, re.IGNORECASE | re.DOTALL)
    if title:
        text = title.group(1)
    else:
        text = re.sub(r'<[^>]+>', ' ', text)
    return one_line(text, 120)


def error_from_response(response, method, path):
    """Build one UnityApiError from an error response, JSON entity or not."""
    status = response.status_code
    error_code = None
    messages = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get('error'), dict):
        entity = body['error']
        error_code = entity.get('errorCode')
        messages = localized_messages(entity.get('messages'))
    elif isinstance(body, dict) and 'messages' in body:
        error_code = body.get('errorCode')
        messages = localized_messages(body.get('messages'))
    if messages:
        detail = '; '.join(messages)
    elif body is None and (response.text or '').strip():
        content_type = response.headers.get('Content-Type', 'unknown').split(';')[0]
        detail = 'the answer is not Unisphere JSON (%s: %s)' % (content_type, _body_excerpt(response))
    else:
        detail = response.reason or 'no error details in the answer'
    code = ' (error code %s)' % error_code if error_code not in (None, '') else ''
    message = one_line('%s %s failed with HTTP %s%s: %s' % (method, path, status, code, detail), 600)
    return UnityApiError(message, http_status=status, error_code=error_code, messages=messages,
                         method=method, path=path)


def _json_body(response, method, path):
    if response.status_code == 204 or not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        content_type = response.headers.get('Content-Type', 'unknown').split(';')[0]
        raise UnityApiError(
            '%s %s answered HTTP %s with a body that is not JSON (%s: %s); is this a Unisphere '
            'management address?' % (method, path, response.status_code, content_type,
                                     _body_excerpt(response)),
            http_status=response.status_code, method=method, path=path, kind=ERROR)
    if not isinstance(body, dict):
        raise UnityApiError('%s %s answered with JSON that is not a Unisphere envelope'
                            % (method, path), http_status=response.status_code,
                            method=method, path=path, kind=ERROR)
    return body


def _shape(value):
    return 'missing' if value is None else 'a %s, not an object' % type(value).__name__


def _entry_contents(body, path):
    """The ``content`` of each entry of a collection answer. Entries that are not there or not a
    list, or an entry without an object as its content, are an answer that cannot be read: an
    entry dropped unread could be the session that is running."""
    entries = body.get('entries')
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise UnityApiError('GET %s answered a collection that cannot be read: its entries are %s'
                            % (path, 'a %s, not a list' % type(entries).__name__), method='GET', path=path,
                            kind=ERROR)
    contents = []
    for index, entry in enumerate(entries):
        content = entry.get('content') if isinstance(entry, dict) else None
        if not isinstance(content, dict):
            raise UnityApiError('GET %s answered a collection that cannot be read: the content of entry %d is %s'
                                % (path, index + 1, _shape(content) if isinstance(entry, dict)
                                   else 'missing (the entry is a %s)' % type(entry).__name__),
                                method='GET', path=path, kind=ERROR)
        contents.append(content)
    return contents


# What the text of a requests exception says happened (its types do not tell these apart), and whether
# the request certainly never left: (pattern, reason, never sent).
_TRANSPORT_FAILURES = (
    (r'Connection refused', 'connection refused', True),
    (r'Name or service not known|nodename nor servname|Temporary failure in name resolution'
     r'|getaddrinfo failed|No address associated', 'the host name does not resolve', True),
    (r'IncompleteRead|Connection broken', 'the connection broke off', False),
    (r'Connection reset|RemoteDisconnected|ConnectionResetError|Connection aborted'
     r'|BrokenPipe|closed connection', 'the connection was reset', False),
    (r'No route to host', 'no route to host', True),
    (r'Network is unreachable', 'network is unreachable', True),
)
READ_TIMED_OUT = 'read timed out'


def transport_failure(exc):
    """``(reason, never_sent)`` of a transport exception (of requests, or an OSError while reading a
    body): a short reason without URLs or headers, and whether the request certainly never reached
    the other end. The one describer of the array's transport and of a download's."""
    text = str(exc)
    connecting = isinstance(exc, ConnectTimeout)
    for pattern, reason, never_sent in _TRANSPORT_FAILURES:
        if re.search(pattern, text, re.IGNORECASE):
            return reason, never_sent or connecting
    if connecting:
        return 'connect timed out', True
    if isinstance(exc, Timeout) or re.search(r'timed out', text, re.IGNORECASE):
        return READ_TIMED_OUT, False
    return 'connection failed (%s)' % type(exc).__name__, False


def _describe_tls_error(exc, host):
    """``(problem, reason)`` of a refused certificate, or ``(None, None)`` when the failure is not
    about the certificate (see UnityTLSError.problem).

    A connection cut during the TLS exchange (an SP going down mid-handshake) also
    surfaces as SSLError; that is an outage, not a trust problem.
    """
    text = str(exc)
    if re.search(r"doesn't match|not valid for|Hostname mismatch|IP address mismatch", text, re.IGNORECASE):
        return 'name', "the certificate is not valid for the name '%s'" % host
    if re.search(r'self.signed|unable to get local issuer|certificate verify failed|CERTIFICATE_VERIFY_FAILED'
                 r'|certificate has expired|unknown ca', text, re.IGNORECASE):
        return 'trust', 'the certificate is not signed by a trusted CA'
    if re.search(r'EOF|reset|aborted|broken pipe|timed out', text, re.IGNORECASE):
        return None, None
    detail = re.search(r'\[(?:SSL|X509)[^\]]*\]\s*([^(\'"]+)', text)
    return 'handshake', ('the TLS handshake failed (%s)' % detail.group(1).strip() if detail
                         else 'the TLS handshake failed')


# An HTTPS client met a server that does not speak TLS on that port (plain HTTP, another protocol).
_NOT_TLS = re.compile(r'WRONG_VERSION_NUMBER|wrong version number|record layer failure|http request'
                      r'|unknown protocol|packet length too long', re.IGNORECASE)


def ca_path_problem(path):
    """Why ``path`` cannot serve as the CA certificates to verify against, or None.

    A directory is taken as is (hashed certificates, as OpenSSL reads them); a file
    must be readable and hold at least one PEM certificate.
    """
    if os.path.isdir(path):
        return None
    if not os.path.exists(path):
        return "'%s' does not exist on the host the module runs on" % path
    if not os.path.isfile(path):
        return "'%s' is not a file" % path
    if not os.access(path, os.R_OK):
        return "'%s' is not readable by the user the module runs as" % path
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, ValueError, OSError) as exc:
        reason = re.sub(r'\s*\(_ssl\.c:\d+\)', '', str(exc))
        return "'%s' holds no PEM certificate (%s)" % (path, one_line(reason, 120))
    return None


def verify_setting(validate_certs, ca_path):
    """requests' ``verify=``: ca_path wins over validate_certs (naming a CA means "verify against it")."""
    return ca_path if ca_path else bool(validate_certs)


def format_host(host):
    """Hosts for URLs: IPv6 literals need brackets."""
    if ':' in host and not host.startswith('['):
        return '[%s]' % host
    return host


class Utf8BasicAuth:
    """HTTP Basic credentials sent as UTF-8 (RFC 7617 charset="UTF-8"). requests encodes them as
    Latin-1, and fails on a password such as 'pässwörd✓'."""

    def __init__(self, username, password):
        self._value = 'Basic ' + base64.b64encode(
            ('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')

    def __call__(self, request):
        request.headers['Authorization'] = self._value
        return request


class UnityRestClient:
    """A logged-in conversation with one array.

    Use it as a context manager, or call ``login()`` and ``logout()``. Every read
    sends ``compact=true`` and an explicit ``fields=`` list; every POST and
    DELETE carries the CSRF token from the login answer.
    """

    def __init__(self, host, username, password, port=443, validate_certs=True, ca_path=None,
                 request_timeout=60.0, connect_timeout=None, retry_policy=None,
                 application_type=APPLICATION_TYPE, session=None, clock=None, tls_advice=None):
        if not HAS_REQUESTS:
            raise UnityApiError('the Python library requests is required: %s' % REQUESTS_IMPORT_ERROR)
        self.host = host
        self.port = int(port)
        self.base_url = 'https://%s:%d' % (format_host(host), self.port)
        self._username = username
        self._password = password
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.request_timeout = float(request_timeout)
        self.connect_timeout = float(connect_timeout or min(10.0, self.request_timeout))
        self.retry_policy = retry_policy or RetryPolicy()
        # The clock of every wait: the module's, else one carrying the policy's sleep and jitter.
        self.clock = clock or self.retry_policy.clock()
        # UnityTLSError.problem -> what the caller's user should change, added to the message
        self.tls_advice = dict(tls_advice or {})
        self._csrf_token = None
        self.login_info = None
        self.stats = {'requests': 0, 'logins': 0, 'retries': 0}
        self.session = session or requests.Session()
        self.session.headers.update({
            'Accept': 'application/json',
            'X-EMC-REST-CLIENT': 'true',
            'Application-Type': application_type,
        })
        self.session.verify = verify_setting(validate_certs, ca_path)

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self):
        self.login()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.logout()
        return False

    @property
    def logged_in(self):
        return self._csrf_token is not None

    def login(self, retry=True):
        """Open a login session: Basic auth once, then cookies and the CSRF token.

        The login is a GET like any other: with ``retry`` it is retried on transport errors and
        502/503/504 (an API that is restarting), never on a refusal of the credentials.
        """
        self._csrf_token = None
        self.session.cookies.clear()
        params = {'compact': 'true', 'fields': ','.join(LOGIN_FIELDS)}
        answered = []
        try:
            response = self._get_outside_session(LOGIN_PATH, params, retry,
                                                 auth=Utf8BasicAuth(self._username, self._password), answered=answered)
        finally:
            self.stats['logins'] += 1 if answered else 0  # a login the array answered, even with 503
        if response.status_code in (401, 403):
            error = error_from_response(response, 'GET', LOGIN_PATH)
            raise UnityAuthError(
                "login to %s as '%s' was refused (HTTP %s): check username and password, and that "
                "the account has a role that may use the REST API" % (
                    self.base_url, self._username, response.status_code),
                http_status=response.status_code, error_code=error.error_code,
                messages=error.messages, method='GET', path=LOGIN_PATH)
        if response.status_code != 200:
            raise error_from_response(response, 'GET', LOGIN_PATH)
        body = _json_body(response, 'GET', LOGIN_PATH)
        entries = body.get('entries') or []
        info = entries[0].get('content', {}) if entries else {}
        if info.get('isPasswordChangeRequired') is True:
            raise UnityAuthError(
                "the array requires the password of '%s' to be changed before the REST API may be "
                "used: log in to Unisphere once, change it, then use the new password"
                % self._username, http_status=200, method='GET', path=LOGIN_PATH)
        token = response.headers.get('EMC-CSRF-TOKEN')
        if not token:
            raise UnityApiError(
                'the login answer from %s carries no EMC-CSRF-TOKEN header; is this a Unisphere '
                'management address?' % self.base_url, http_status=200, method='GET', path=LOGIN_PATH)
        self._csrf_token = token
        self.login_info = info
        return info

    def logout(self):
        """Close the login session; a failure here never hides the real result."""
        if self._csrf_token is None:
            return False
        try:
            response = self._send('POST', LOGOUT_PATH, json_body={'localCleanupOnly': 'true'},
                                  csrf=True)
            return response.status_code in (200, 204)
        except UnityApiError:
            return False
        finally:
            self._csrf_token = None
            self.session.cookies.clear()

    def close(self):
        self.logout()
        self.session.close()

    # -- transport ------------------------------------------------------------------------

    def _send(self, method, path, params=None, json_body=None, data=None, headers=None,
              auth=None, csrf=False, timeout=None, stream=False):
        """One HTTP exchange. Transport failures become UnityConnectionError."""
        request_headers = dict(headers or {})
        if csrf and self._csrf_token:
            request_headers['EMC-CSRF-TOKEN'] = self._csrf_token
        if json_body is not None:
            request_headers.setdefault('Content-Type', 'application/json')
            data = json.dumps(json_body)
        url = self.base_url + path
        self.stats['requests'] += 1
        try:
            response = self.session.request(
                method, url, params=params, data=data, headers=request_headers, auth=auth,
                timeout=timeout or (self.connect_timeout, self.request_timeout),
                allow_redirects=(method == 'GET'), stream=stream,
                # Per request: requests lets REQUESTS_CA_BUNDLE override session.verify.
                verify=self.session.verify)
        except SSLError as exc:
            raise self._tls_failure(exc, method, path)
        except (RequestsConnectionError, Timeout) as exc:
            reason, never_sent = transport_failure(exc)
            raise UnityConnectionError('%s %s: cannot reach %s: %s' % (method, path, self.base_url, reason),
                                       maybe_applied=not never_sent, reason=reason, method=method, path=path)
        except RequestException as exc:
            raise UnityConnectionError('%s %s: request to %s failed: %s' % (
                method, path, self.base_url, type(exc).__name__), reason=type(exc).__name__,
                method=method, path=path)
        except OSError as exc:  # after RequestException, which is one too
            if 'CA certificate bundle' not in str(exc):
                raise UnityConnectionError('%s %s: request to %s failed: %s' % (
                    method, path, self.base_url, type(exc).__name__), reason=type(exc).__name__,
                    method=method, path=path)
            # requests checks verify= itself: a CA path that is gone is an OSError, not an SSLError
            raise self._tls_error('the CA certificates to verify %s with cannot be used (%s)'
                                  % (self.base_url, one_line(str(exc), 200)), 'ca_bundle', method, path)
        token = response.headers.get('EMC-CSRF-TOKEN')
        if token and self._csrf_token and token != self._csrf_token and auth is None:
            self._csrf_token = token
        return response

    def _tls_failure(self, exc, method, path):
        """The error for an SSLError: a refused certificate, a port without TLS, or a cut connection."""
        if _NOT_TLS.search(str(exc)):
            return self._tls_error('%s does not answer in TLS (HTTPS): is it a plain HTTP port or another '
                                   'service?' % self.base_url, 'not_tls', method, path)
        problem, reason = _describe_tls_error(exc, self.host)
        if problem is None:
            return UnityConnectionError('%s %s: cannot reach %s: the TLS connection broke off' % (
                method, path, self.base_url), reason='the TLS connection broke off', method=method, path=path)
        return self._tls_error('TLS verification of %s failed: %s.' % (self.base_url, reason), problem,
                               method, path)

    def _tls_error(self, message, problem, method, path):
        return UnityTLSError(message + self.tls_advice.get(problem, ''), problem=problem, method=method, path=path)

    def request(self, method, path, params=None, json_body=None, data=None, headers=None,
                expected=(200,), retry=None, timeout=None, relogin=True):
        """Send a request in the logged-in session and return the response.

        - GET (or ``retry=True``) is retried on kinds ``outage`` and ``maybe_applied``
          (transport errors, 502/503/504).
        - Any method gets one fresh login and one re-send on a 401: the array
          refused the request before acting on it, so re-sending is safe.
        - Anything else is never re-sent; see UnityConnectionError.maybe_applied.
        """
        method = method.upper()
        if retry is None:
            retry = method == 'GET'
        if self._csrf_token is None:
            self.login(retry=retry)
        csrf = method in ('POST', 'DELETE', 'PUT', 'PATCH')
        relogins = [relogin]  # one fresh login per request, whatever the attempt

        def attempt(number):
            response = self._send(method, path, params=params, json_body=json_body, data=data,
                                  headers=headers, csrf=csrf, timeout=timeout)
            if response.status_code == 401 and relogins[0]:
                relogins[0] = False
                self.login(retry=retry)
                response = self._send(method, path, params=params, json_body=json_body, data=data,
                                      headers=headers, csrf=csrf, timeout=timeout)
            if response.status_code not in expected:
                raise error_from_response(response, method, path)
            return response

        return self._retrying(attempt, retry)

    def _get_outside_session(self, path, params, retry, auth=None, answered=None):
        """A GET outside the login session (the login itself, basicSystemInfo), retried like reads.

        Returns the answer unless it is 502/503/504 (raised as kind ``outage``); ``answered``
        gets an entry for every answer.
        """
        def attempt(number):
            response = self._send('GET', path, params=params, auth=auth)
            if answered is not None:
                answered.append(response.status_code)
            if response.status_code in AWAY_STATUSES:
                raise error_from_response(response, 'GET', path)
            return response

        return self._retrying(attempt, retry)

    def _retrying(self, attempt, retry):
        """``attempt`` under the retry policy: again after kinds outage and maybe_applied, if ``retry``."""
        def counted(error, number):
            self.stats['retries'] += 1

        return retry_call(attempt, self.clock, self.retry_policy, AWAY if retry else (), on_retry=counted)

    # -- reads ----------------------------------------------------------------------------

    @staticmethod
    def _read_params(fields, extra=None):
        if not fields:
            raise ValueError('reads must name their fields')
        params = {'compact': 'true', 'fields': ','.join(fields)}
        params.update(extra or {})
        return params

    def get_collection(self, resource_type, fields, filter=None, per_page=None, max_pages=1000,
                       retry=None):
        """Every entry's ``content`` of a collection, following ``links[rel=next]``."""
        path = '/api/types/%s/instances' % resource_type
        extra = {}
        if filter:
            extra['filter'] = filter
        if per_page:
            extra['per_page'] = str(per_page)
        contents = []
        page = None
        for dummy in range(max_pages):
            params = self._read_params(fields, extra)
            if page is not None:
                params['page'] = str(page)
            response = self.request('GET', path, params=params, retry=retry)
            body = _json_body(response, 'GET', path)
            contents.extend(_entry_contents(body, path))
            page = next_page(body)
            if page is None:
                return contents
        raise UnityApiError('GET %s: more than %d pages; stopped following links[rel=next]'
                            % (path, max_pages), method='GET', path=path)

    def get_instance(self, resource_type, instance_id, fields, retry=None):
        """The ``content`` of one instance; a missing one raises UnityApiError with 404."""
        path = '/api/instances/%s/%s' % (resource_type, quote_id(instance_id))
        response = self.request('GET', path, params=self._read_params(fields), retry=retry)
        content = _json_body(response, 'GET', path).get('content')
        if not isinstance(content, dict):
            raise UnityApiError('GET %s answered without an instance: its content is %s'
                                % (path, _shape(content)), http_status=response.status_code,
                                method='GET', path=path, kind=ERROR)
        return content

    def get_basic_system_info(self, fields, retry=None):
        """basicSystemInfo needs no login: safe to probe while SPs reboot."""
        path = '/api/types/basicSystemInfo/instances'
        params = self._read_params(fields)
        response = self._get_outside_session(path, params, retry is None or retry)
        if response.status_code != 200:
            raise error_from_response(response, 'GET', path)
        contents = _entry_contents(_json_body(response, 'GET', path), path)
        return contents[0] if contents else {}

    # -- writes ---------------------------------------------------------------------------

    def create(self, resource_type, body):
        """POST a new instance; returns its id. Never re-sent after a lost answer."""
        path = '/api/types/%s/instances' % resource_type
        response = self.request('POST', path, json_body=body, expected=(200, 201))
        content = _json_body(response, 'POST', path).get('content') or {}
        if 'id' not in content:
            raise UnityApiError('POST %s answered HTTP %s without the new id'
                                % (path, response.status_code), http_status=response.status_code,
                                method='POST', path=path, kind=ERROR)
        return content['id']

    def action(self, resource_type, action, instance_id=None, body=None, job_timeout=None,
               job_poll_interval=2.0):
        """Run a class or instance action.

        Returns the ``content`` of a 200 answer, ``{}`` for a 204, and for a
        202 the finished job (polled until it ends or ``job_timeout``).
        """
        if instance_id is None:
            path = '/api/types/%s/action/%s' % (resource_type, action)
        else:
            path = '/api/instances/%s/%s/action/%s' % (resource_type, quote_id(instance_id), action)
        response = self.request('POST', path, json_body=body if body is not None else {},
                                expected=(200, 202, 204))
        if response.status_code == 204:
            return {}
        payload = _json_body(response, 'POST', path)
        if response.status_code == 202:
            job = payload.get('content', payload)
            return self.wait_job(job, timeout=job_timeout, interval=job_poll_interval)
        return payload.get('content', {})

    # -- streamed bodies ------------------------------------------------------------------

    def ensure_login(self):
        """Log in unless the client is logged in."""
        if self._csrf_token is None:
            self.login()

    def post_stream(self, path, body, content_type, timeout):
        """One POST of a streamed body (never retried, never re-sent) with the CSRF token and its
        own ``(send, answer)`` timeouts; returns the response, whatever its status."""
        return self._send('POST', path, data=body, csrf=True, headers={'Content-Type': content_type},
                          timeout=timeout)

    # -- jobs -----------------------------------------------------------------------------

    JOB_FIELDS = ('id', 'state', 'description', 'progressPct', 'tasks', 'messageOut',
                  'parametersOut', 'methodName', 'elapsedTime', 'estRemainTime')

    def wait_job(self, job, timeout=None, interval=2.0):
        """Poll a job to its end, every ``interval`` seconds; a failed job raises with its messages."""
        job_id = job.get('id')
        if not job_id:
            raise UnityApiError('an asynchronous answer came without a job id')
        path = '/api/instances/job/%s' % job_id
        seen = [job]

        def attempt(number):
            if number > 1:
                seen.append(self.get_instance('job', job_id, self.JOB_FIELDS))
            if seen[-1].get('state') not in JOB_DONE_STATES:
                raise Pending(seen[-1])
            return seen[-1]

        deadline = self.clock.monotonic() + (timeout if timeout is not None else 3600)
        try:
            job = retry_call(attempt, self.clock, POLLING, (PENDING,), deadline=deadline,
                             delay=lambda number: interval)
        except Pending:
            raise UnityApiError('job %s did not finish within %s seconds (state %s)'
                                % (job_id, timeout, seen[-1].get('state')), method='GET', path=path)
        if job.get('state') == JOB_FAILED:
            texts = job_messages(job)
            raise UnityApiError('job %s failed: %s' % (job_id, '; '.join(texts) or 'no message'),
                                messages=texts, method='GET', path=path, kind=ERROR)
        return job


def job_messages(job):
    """Texts of a job's own and its tasks' messages."""
    texts = []
    message_out = job.get('messageOut')
    if isinstance(message_out, dict):
        texts.extend(localized_messages(message_out.get('messages')))
    for task in job.get('tasks') or []:
        for message in task.get('messages') or []:
            texts.extend(localized_messages(message.get('messages')))
    return texts


def next_page(body):
    """The page number ``links[rel=next]`` points at, or None."""
    links = body.get('links')
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get('rel') == 'next' and isinstance(link.get('href'), str):
            match = re.search(r'[?&]page=(\d+)', link['href'])
            if match:
                return int(match.group(1))
    return None


def quote_id(instance_id):
    """Ids go into paths: keep ':' (name:SP A lookups) and '.', escape the rest."""
    return quote(str(instance_id), safe=':._-')
