"""Request and response objects between the transport and the API, and streamed request bodies
(``Content-Length`` or ``Transfer-Encoding: chunked``), read in bounded pieces, never held whole."""

import json

JSON_TYPE = "application/json; version=1.0;charset=UTF-8"
MAX_JSON_BODY = 1 << 20


class BodyError(Exception):
    """The request body is malformed or ended early."""


class ConnectionDrop(Exception):
    """Reset the connection now, without an answer."""


class ContentLengthBody:
    def __init__(self, rfile, length):
        self.rfile = rfile
        self.remaining = length
        self.consumed = 0

    def read(self, n):
        if self.remaining <= 0:
            return b""
        data = self.rfile.read(min(n, self.remaining))
        if not data:
            raise BodyError("the body ended %d bytes early" % self.remaining)
        self.remaining -= len(data)
        self.consumed += len(data)
        return data

    @property
    def done(self):
        return self.remaining <= 0


class ChunkedBody:
    MAX_LINE = 4096

    def __init__(self, rfile):
        self.rfile = rfile
        self.left = 0          # bytes left in the current chunk
        self.finished = False
        self.consumed = 0

    def _line(self):
        line = self.rfile.readline(self.MAX_LINE + 1)
        if not line or len(line) > self.MAX_LINE or not line.endswith(b"\n"):
            raise BodyError("bad chunked encoding")
        return line.strip()

    def read(self, n):
        if self.finished:
            return b""
        if self.left == 0:
            size = self._line().split(b";", 1)[0]
            try:
                self.left = int(size, 16)
            except ValueError:
                raise BodyError("bad chunk size")
            if self.left < 0:
                raise BodyError("bad chunk size")
            if self.left == 0:
                while self._line():  # trailers up to the empty line
                    pass
                self.finished = True
                return b""
        data = self.rfile.read(min(n, self.left))
        if not data:
            raise BodyError("the chunked body ended early")
        self.left -= len(data)
        self.consumed += len(data)
        if self.left == 0 and self._line() != b"":
            raise BodyError("a chunk does not end with CRLF")
        return data

    @property
    def done(self):
        return self.finished


class Request:
    """What the API sees of one HTTP request."""

    def __init__(self, method, path, query, headers, rfile, base_url, send_continue):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.base_url = base_url          # "https://host:port/"
        self._rfile = rfile
        self._send_continue = send_continue
        self._body = None
        self.login = None                 # the login session, once authenticated
        self.new_login = False
        self.expects_continue = (headers.get("Expect", "").lower() == "100-continue")
        self.continue_sent = False
        te = headers.get("Transfer-Encoding", "").lower()
        self.chunked = "chunked" in te
        try:
            self.length = int(headers.get("Content-Length", "0") or 0)
        except ValueError:
            self.length = 0
        self.has_body = self.chunked or self.length > 0

    def body(self):
        """The body as a stream (sends ``100 Continue`` first when the client waits for it)."""
        if self._body is None:
            if self.expects_continue and not self.continue_sent:
                self._send_continue()
                self.continue_sent = True
            self._body = ChunkedBody(self._rfile) if self.chunked \
                else ContentLengthBody(self._rfile, max(0, self.length))
        return self._body

    def body_started(self):
        return self._body is not None

    def json(self):
        """The body parsed as JSON ({} when empty); ValueError when it is not JSON."""
        if not self.has_body:
            return {}
        if not self.chunked and self.length > MAX_JSON_BODY:
            raise OverflowError
        stream, parts, size = self.body(), [], 0
        while True:
            data = stream.read(65536)
            if not data:
                break
            size += len(data)
            if size > MAX_JSON_BODY:
                raise OverflowError
            parts.append(data)
        raw = b"".join(parts).strip()
        return json.loads(raw.decode("utf-8")) if raw else {}


class Response:
    def __init__(self, status, body=b"", content_type=JSON_TYPE, headers=None, close=False,
                 reset=False, note=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers or [])
        self.close = close
        self.reset = reset
        self.note = note

    @classmethod
    def json(cls, status, obj, headers=None):
        return cls(status, json.dumps(obj, separators=(",", ":")).encode(), headers=headers)

    @classmethod
    def empty(cls, status, headers=None):
        return cls(status, b"", content_type=None, headers=headers)

    @classmethod
    def drop(cls, note):
        return cls(0, reset=True, note=note)
