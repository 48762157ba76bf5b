# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The streamed body of a candidate upload, and where its bytes come from.

- ``FileSource``: a local file, read in large chunks.
- ``UrlSource``: an HTTP(S) download (an artifact server), streamed; nothing is
  written to local disk.
- ``MultipartBody``: the ``multipart/form-data`` body (one part, field
  ``filename``) as an iterator of chunks, with an exact length whenever the
  source's size is known, the sha256 computed on the way, and the last chunk held
  back until the size and the checksum are verified. A body that fails either
  check raises before its last bytes are handed to the connection, so the array
  never receives a complete file from a source that is not the one asked for.

- ``upload_candidate``: the one POST of such a body to the array, through the REST
  client's transport, with what a cut-off upload means for the user.

Memory use is a few chunks, whatever the size of the file. Nothing here imports
Ansible: errors are ``UploadError`` (or the client's errors, for the POST) with a
one-line message that names what to fix and never holds a password, a token or a
URL's query.
"""


import email.message
import hashlib
import os
import queue
import re
import stat
import threading
import time
import uuid

from urllib.parse import unquote, urlsplit

try:
    import requests
    from requests.exceptions import (
        ConnectionError as RequestsConnectionError,
        RequestException,
        SSLError,
        Timeout,
    )
    HAS_REQUESTS = True
except ImportError:  # pragma: no cover - the module reports missing requests first
    HAS_REQUESTS = False

from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    READ_TIMED_OUT,
    UPLOAD_PATH,
    UnityApiError,
    UnityConnectionError,
    UnityTLSError,
    error_from_response,
    one_line,
    transport_failure,
    verify_setting,
)

DEFAULT_CHUNK_SIZE = 1 << 20
FIELD_NAME = 'filename'
PART_CONTENT_TYPE = 'application/octet-stream'
MIB = float(1 << 20)

_SHA256 = re.compile(r'^sha256:([0-9a-f]{64})$', re.IGNORECASE)
# Header names whose values are credentials: masked by the module, never printed here.
SENSITIVE_HEADER = re.compile(r'auth|token|key|secret|cookie|pass|session|signature|credential',
                              re.IGNORECASE)


class UploadError(Exception):
    """A failure of the upload's source or body; ``str()`` is one line for the user."""

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self):
        return self.message


class SourceError(UploadError):
    """The file or URL cannot be read, or changed while it was read."""


class ChecksumMismatch(UploadError):
    """The sha256 of the streamed bytes is not the one asked for."""

    def __init__(self, message, expected, actual, **details):
        super().__init__(message, expected=expected, actual=actual, **details)
        self.expected = expected
        self.actual = actual


class UploadTimeout(UploadError):
    """The body was not sent within the upload deadline."""


# -- small helpers -------------------------------------------------------------------------------

def parse_checksum(text):
    """``sha256:<64 hex digits>`` to the lowercase hex digest; anything else raises UploadError."""
    match = _SHA256.match((text or '').strip())
    if not match:
        raise UploadError("checksum must be 'sha256:' followed by 64 hex digits (the output of "
                          "sha256sum), got %s" % _describe_bad_checksum(text))
    return match.group(1).lower()


def _describe_bad_checksum(text):
    algorithm, sep, digest = (text or '').strip().partition(':')
    if not sep:
        return 'a value without the sha256: prefix'
    if algorithm.lower() != 'sha256':
        return "algorithm '%s' (only sha256 is supported)" % algorithm[:20]
    if not re.match(r'^[0-9a-fA-F]*$', digest):
        return 'characters that are not hex digits after sha256:'
    return '%d hex digits after sha256:' % len(digest)


def redact_url(url):
    """``scheme://host[:port]/path``: no user info, no query, no fragment (they may hold secrets)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ''
        port = parts.port
    except ValueError:
        return '(an unparsable URL)'
    if ':' in host:
        host = '[%s]' % host
    netloc = host if port is None else '%s:%d' % (host, port)
    redacted = '%s://%s%s' % (parts.scheme, netloc, parts.path)
    if parts.query:
        redacted += '?...'
    return redacted


def url_credentials(url):
    """The password of a URL's user info (to mask it in outputs), or None."""
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def url_query(url):
    """The query string of a URL (it may hold a signature or a token), or None."""
    try:
        return urlsplit(url).query or None
    except ValueError:
        return None


def name_from_url(url):
    """The file name a URL's path ends with (percent-decoded), or ''."""
    path = urlsplit(url).path
    return unquote(path.rstrip('/').rsplit('/', 1)[-1]) if path and not path.endswith('/') else ''


def check_url(url):
    """Refuse what is not an absolute http(s) URL naming a file; returns the file name."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - validates the port
    except ValueError as exc:
        raise SourceError('url is not a valid URL: %s' % exc)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise SourceError("url must be an absolute http:// or https:// URL, got %s"
                          % (redact_url(url) if parts.scheme else 'a relative reference'))
    name = name_from_url(url)
    if not name:
        raise SourceError('url must end with the file name of the package (%s ends with /)'
                          % redact_url(url))
    return name


def inspect_file(path):
    """``(base name, size)`` of a local package, checked without opening it."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise SourceError("src '%s' does not exist on the host the module runs on; give the full "
                          'path of the upgrade package there' % path)
    except PermissionError:
        raise SourceError("src '%s' cannot be reached: permission denied on a directory of its "
                          'path' % path)
    except OSError as exc:
        raise SourceError("src '%s' cannot be read: %s" % (path, exc.strerror or type(exc).__name__))
    if stat.S_ISDIR(info.st_mode):
        raise SourceError("src '%s' is a directory; give the path of the upgrade package file" % path)
    if not stat.S_ISREG(info.st_mode):
        raise SourceError("src '%s' is not a regular file" % path)
    if not os.access(path, os.R_OK):
        raise SourceError("src '%s' is not readable by the user the module runs as" % path)
    if info.st_size == 0:
        raise SourceError("src '%s' is empty (0 bytes); it is not an upgrade package" % path)
    return os.path.basename(path), info.st_size


def mib_per_second(size, seconds):
    return round(size / MIB / seconds, 2) if seconds > 0 else None


# -- sources ---------------------------------------------------------------------------------------

class FileSource:
    """A local file, opened once and read start to end in large chunks."""

    def __init__(self, path, chunk_size=DEFAULT_CHUNK_SIZE):
        self.path = path
        self.chunk_size = int(chunk_size)
        self.name, self.size = inspect_file(path)
        self.description = "src '%s'" % path
        self._handle = None

    def open(self):
        try:
            self._handle = open(self.path, 'rb', buffering=0)
            self.size = os.fstat(self._handle.fileno()).st_size
        except OSError as exc:
            raise SourceError("src '%s' cannot be opened: %s" % (self.path, exc.strerror or exc))
        if hasattr(os, 'posix_fadvise'):
            try:
                os.posix_fadvise(self._handle.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            except OSError:  # pragma: no cover - advice only
                pass
        return self

    def chunks(self):
        if self._handle is None:
            self.open()
        read = self._handle.read
        size = self.chunk_size
        while True:
            try:
                chunk = read(size)
            except OSError as exc:
                raise SourceError("reading src '%s' failed: %s" % (self.path, exc.strerror or exc))
            if not chunk:
                return
            yield chunk

    def close(self):
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class UrlSource:
    """An HTTP(S) download, streamed chunk by chunk; nothing touches the local disk."""

    def __init__(self, url, headers=None, validate_certs=True, ca_path=None, username=None,
                 password=None, timeout=(10.0, 60.0), chunk_size=DEFAULT_CHUNK_SIZE, session=None):
        if not HAS_REQUESTS:  # pragma: no cover
            raise SourceError('the Python library requests is required to download from url')
        self.url = url
        self.name = check_url(url)
        self.shown = redact_url(url)
        self.description = 'url %s' % self.shown
        self.headers = dict((str(k), str(v)) for k, v in (headers or {}).items() if v is not None)
        self.verify = verify_setting(validate_certs, ca_path)
        self.auth = (username, password or '') if username else None
        self.timeout = timeout
        self.chunk_size = int(chunk_size)
        self.session = session
        self.size = None
        self.response = None

    def open(self):
        """GET the URL and read its headers; a refusal fails here, before the array is contacted."""
        session = self.session or requests.Session()
        self.session = session
        headers = {'Accept-Encoding': 'identity'}
        headers.update(self.headers)
        try:
            response = session.get(self.url, headers=headers, auth=self.auth, verify=self.verify,
                                   timeout=self.timeout, stream=True, allow_redirects=True)
        except SSLError:
            raise SourceError('TLS verification of %s failed: set url_ca_path to the CA that signed '
                              "the artifact server's certificate, or url_validate_certs: false "
                              '(insecure)' % self.shown)
        except (RequestsConnectionError, Timeout) as exc:
            raise SourceError('cannot download %s: %s' % (self.shown, transport_failure(exc)[0]))
        except RequestException as exc:
            raise SourceError('cannot download %s: %s' % (self.shown, type(exc).__name__))
        if response.status_code != 200:
            response.close()
            raise SourceError(self._refusal(response))
        self.response = response
        if (response.headers.get('Content-Type') or '').lower().startswith('text/html'):
            self.close()
            raise SourceError('%s answered with an HTML page (a login page?), not the package: check '
                              'url and the artifact server credentials' % self.shown)
        encoding = (response.headers.get('Content-Encoding') or 'identity').strip().lower()
        length = response.headers.get('Content-Length')
        if encoding == 'identity' and length and length.strip().isdigit():
            self.size = int(length)
            if self.size == 0:
                self.close()
                raise SourceError('%s is empty (Content-Length: 0); it is not an upgrade package'
                                  % self.shown)
        disposition = response.headers.get('Content-Disposition')
        if disposition:
            message = email.message.Message()
            message['Content-Disposition'] = disposition
            filename = message.get_filename()
            if filename and os.path.basename(filename.replace('\\', '/')):
                self.name = os.path.basename(filename.replace('\\', '/'))
        return self

    def _refusal(self, response):
        status = response.status_code
        reason = response.reason or ''
        if status == 404:
            hint = 'check url: the artifact server has no such file'
        elif status in (401, 403):
            hint = ('the artifact server refused the credentials: set url_username and url_password, '
                    'or an Authorization header in url_headers')
        elif status in (301, 302, 303, 307, 308):
            hint = 'too many redirects'
        else:
            hint = 'the artifact server could not serve the file'
        return 'downloading %s failed with HTTP %s %s: %s' % (self.shown, status, reason, hint)

    def chunks(self):
        if self.response is None:
            self.open()
        received = 0
        try:
            for chunk in self.response.iter_content(chunk_size=self.chunk_size):
                if chunk:
                    received += len(chunk)
                    yield chunk
        except (RequestException, OSError) as exc:
            raise SourceError('the download from %s broke off after %d bytes: %s'
                              % (self.shown, received, transport_failure(exc)[0]))

    def close(self):
        if self.response is not None:
            self.response.close()
            self.response = None


# -- the body ------------------------------------------------------------------------------------

class BackgroundSha256:
    """sha256 on a thread of its own, so hashing overlaps reading and TLS encryption.

    hashlib and ssl both release the GIL on large buffers, so on two cores the
    upload runs at the speed of the slower of the two, not of their sum. At most
    ``depth`` chunks wait for the hasher (a few MiB); ``hexdigest()`` waits for
    the chunks given so far.
    """

    def __init__(self, depth=4):
        self._digest = hashlib.sha256()
        self._queue = queue.Queue(maxsize=depth)
        self._thread = threading.Thread(target=self._run, name='sha256')
        self._thread.daemon = True
        self._thread.start()
        self._result = None

    def _run(self):
        update = self._digest.update
        get = self._queue.get
        while True:
            chunk = get()
            if chunk is None:
                return
            update(chunk)

    def update(self, chunk):
        self._queue.put(chunk)

    def hexdigest(self):
        if self._result is None:
            self.close()
            self._result = self._digest.hexdigest()
        return self._result

    def close(self):
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


def _quote_param(value):
    """A file name for a multipart header, escaped as browsers do (WHATWG HTML form encoding)."""
    escaped = []
    for char in value:
        if char == '"':
            escaped.append('%22')
        elif char in '\r\n' or ord(char) < 0x20 or ord(char) == 0x7f:
            escaped.append('%%%02X' % ord(char))
        else:
            escaped.append(char)
    return ''.join(escaped)


class MultipartBody:
    """One-part ``multipart/form-data`` body, iterated once.

    ``len`` is the exact byte length when the source's size is known (then the
    request carries ``Content-Length``), else None (``Transfer-Encoding:
    chunked``). ``started`` once iteration began; ``last_progress`` is the
    ``clock()`` time the connection last took a chunk. After iteration: ``data_bytes`` read from the source,
    ``bytes_sent`` handed to the connection and confirmed (the consumer asked for
    the next chunk), ``sha256`` of the data, ``complete``.
    """

    def __init__(self, source, expected_sha256=None, deadline=None, clock=None,
                 field_name=FIELD_NAME, content_type=PART_CONTENT_TYPE, boundary=None):
        self.source = source
        self.expected_sha256 = expected_sha256.lower() if expected_sha256 else None
        self.deadline = deadline
        self.clock = clock or time.monotonic
        self.boundary = boundary or 'unity-upgrade-' + uuid.uuid4().hex
        self.content_type = 'multipart/form-data; boundary=%s' % self.boundary
        self.filename = source.name
        self.preamble = (
            '--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\n'
            'Content-Type: %s\r\n\r\n' % (self.boundary, field_name, _quote_param(self.filename),
                                          content_type)).encode('utf-8')
        self.epilogue = ('\r\n--%s--\r\n' % self.boundary).encode('ascii')
        self.size = source.size
        # requests reads ``len`` to choose Content-Length over chunked transfer.
        self.len = None if self.size is None else len(self.preamble) + self.size + len(self.epilogue)
        self.data_bytes = 0
        self.data_bytes_sent = 0
        self.bytes_sent = 0
        self.sha256 = None
        self.complete = False
        self._started = False
        self._requested = False
        self.last_progress = None

    @property
    def started(self):
        """Whether the connection asked for the first chunk (connected, headers sent)."""
        return self._requested

    def __iter__(self):
        if self._started:
            raise RuntimeError('a multipart body can be sent only once')
        self._started = True
        return self._chunks()

    def _check_deadline(self):
        if self.deadline is not None and self.clock() > self.deadline:
            raise UploadTimeout('the upload did not finish within upload_timeout: %d of %s bytes of '
                                '%s were sent; the array keeps no partial candidate. Raise '
                                'upload_timeout for slow links'
                                % (self.data_bytes_sent, self.size if self.size is not None
                                   else 'an unknown number of', self.filename),
                                bytes_sent=self.data_bytes_sent)

    def _chunks(self):
        self._requested = True
        digest = BackgroundSha256()
        try:
            yield from self._framed(digest)
        finally:
            digest.close()

    def _framed(self, digest):
        size = self.size
        yield self.preamble
        self.bytes_sent += len(self.preamble)
        self.last_progress = self.clock()
        held = None
        for chunk in self.source.chunks():
            self._check_deadline()
            digest.update(chunk)
            self.data_bytes += len(chunk)
            if size is not None and self.data_bytes > size:
                raise SourceError('%s grew while it was read (more than the %d bytes announced); '
                                  'the upload was stopped before its end' % (self.source.description,
                                                                             size))
            if held is not None:
                yield held
                self.bytes_sent += len(held)
                self.data_bytes_sent += len(held)
                self.last_progress = self.clock()
            held = chunk
        if size is not None and self.data_bytes != size:
            raise SourceError('%s ended after %d of the %d bytes announced; the upload was stopped '
                              'before its end' % (self.source.description, self.data_bytes, size))
        if held is None:
            raise SourceError('%s is empty; it is not an upgrade package' % self.source.description)
        self.sha256 = digest.hexdigest()
        if self.expected_sha256 and self.sha256 != self.expected_sha256:
            raise ChecksumMismatch(
                'checksum mismatch for %s: expected sha256:%s, the file has sha256:%s; the upload '
                'was stopped before its last %d bytes, so the array has no candidate from this file'
                % (self.filename, self.expected_sha256, self.sha256, len(held)),
                expected=self.expected_sha256, actual=self.sha256)
        self._check_deadline()
        yield held
        self.bytes_sent += len(held)
        self.data_bytes_sent += len(held)
        yield self.epilogue
        self.bytes_sent += len(self.epilogue)
        self.complete = True


# -- the POST to the array -------------------------------------------------------------------------

def upload_candidate(client, make_body, timeout=3600.0):
    """POST a streamed multipart body to the candidate upload endpoint; returns the response.

    ``make_body()`` returns a MultipartBody (or one like it). The request carries the CSRF
    token and the body's own multipart content type. ``timeout`` bounds the wait for the
    array's answer; each send and the connect may stall at most the client's
    ``request_timeout`` (or ``timeout``, when shorter). A 401 before anything was streamed
    gets one fresh login and one new body; once bytes went out the upload is never re-sent:
    a cut-off upload raises UnityConnectionError saying how far it got. Exceptions the body
    raises (a source error, a checksum mismatch) pass through unchanged.
    """
    client.ensure_login()
    stall = min(max(client.connect_timeout, client.request_timeout), float(timeout))
    body = make_body()
    response = _post(client, body, stall, timeout)
    if response.status_code == 401 and body.bytes_sent == 0:
        client.login()  # refused before it took any data: one fresh login, one new body
        body = make_body()
        response = _post(client, body, stall, timeout)
    if response.status_code == 401:
        raise UnityApiError(
            'the array refused the login session of the upload of %s (HTTP 401) after %d '
            'bytes were sent; it keeps no partial candidate and the upload is not re-sent '
            'on its own: run the task again' % (body.filename, body.data_bytes_sent),
            http_status=401, method='POST', path=UPLOAD_PATH)
    if response.status_code not in (200, 201, 202, 204):
        error = error_from_response(response, 'POST', UPLOAD_PATH)
        detail = '; '.join(error.messages) or error.message
        code = ' (error code %s)' % error.error_code if error.error_code not in (None, '') else ''
        raise UnityApiError(
            one_line('the array refused the upload of %s with HTTP %s%s: %s' % (
                body.filename, response.status_code, code, detail), 600),
            http_status=response.status_code, error_code=error.error_code,
            messages=error.messages, method='POST', path=UPLOAD_PATH)
    return response


def _post(client, body, stall, timeout):
    try:
        return client.post_stream(UPLOAD_PATH, body, body.content_type, (stall, float(timeout)))
    except UnityTLSError as error:
        if not body.started:
            raise  # the handshake failed: nothing was sent
        # A connection reset mid-body surfaces as an SSL error (unexpected EOF).
        raise _cut_off(client, error, body, timeout, 'the TLS connection broke off')
    except UnityConnectionError as error:
        raise _cut_off(client, error, body, timeout)


def _cut_off(client, error, body, timeout, reason=None):
    """What an upload that broke off means: how far it got, and whether running again is safe."""
    reason = reason or error.reason
    stall = max(client.connect_timeout, client.request_timeout)
    idle = getattr(body, 'last_progress', None)
    idle_for = None if body.complete or idle is None else body.clock() - idle  # the clock last_progress is on
    total = body.size if body.size is not None else 'an unknown number of'
    if idle_for is not None and float(timeout) < stall and idle_for >= float(timeout) * 0.9:
        # the send outlasted upload_timeout (shorter than request_timeout)
        return UnityConnectionError(
            'the upload did not finish within upload_timeout: %d of %s bytes of %s were sent; the '
            'array keeps no partial candidate. Raise upload_timeout for slow links'
            % (body.data_bytes_sent, total, body.filename),
            maybe_applied=False, reason=reason, method='POST', path=UPLOAD_PATH)
    if idle_for is not None and idle_for >= stall * 0.9:
        # A send that timed out reaches us as an aborted connection.
        reason = 'the array took no data for %g seconds, the request_timeout' % stall
    if body.complete:
        return UnityConnectionError(_lost_answer(body, timeout, reason), maybe_applied=True, reason=reason,
                                    method='POST', path=UPLOAD_PATH)
    if body.size is not None and body.data_bytes_sent == body.size:
        # the end of the multipart body never went out: the array cannot have taken the file
        how_far = 'all %d bytes of the file, before the end of the request' % body.size
    else:
        how_far = '%d of %s bytes' % (body.data_bytes_sent, total)
    return UnityConnectionError(
        'the upload of %s to %s was cut off after %s (%s); the array keeps no partial candidate, so '
        'running the task again is safe' % (body.filename, client.base_url, how_far, reason),
        maybe_applied=False, reason=reason, method='POST', path=UPLOAD_PATH)


def _lost_answer(body, timeout, reason):
    again = ('run the task again, it finds the candidate if the array kept it and uploads again '
             'otherwise')
    if reason == READ_TIMED_OUT:
        return ('the array did not answer within upload_timeout (%g s) after all %d bytes of %s were '
                'sent; it may still be processing the file: %s' % (timeout, body.data_bytes_sent,
                                                                   body.filename, again))
    return ('the answer to the upload of %s was lost after all %d bytes were sent (%s); the array may '
            'still be processing the file: %s' % (body.filename, body.data_bytes_sent, reason, again))
