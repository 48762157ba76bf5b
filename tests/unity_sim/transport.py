"""TLS listeners, one per array, and the HTTP/1.1 keep-alive request handler.

The listener is a real socket that the simulator closes while the array's management API is gone
(SP reboot outages, ``refuse`` faults): new connections are then refused by the kernel, and the open
keep-alive connections are reset (``SO_LINGER`` 0, the socket shut down under the TLS layer). It is
bound again on the same address and port when the API comes back.

After an answer, a request body that was not read is drained (up to ``DRAIN_SECONDS``) so the client
sees the answer, unless the client waits for ``100 Continue`` and was never told to send.
"""

import logging
import random
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from .httpio import BodyError, Request

log = logging.getLogger("unity_sim.transport")

KEEPALIVE_SECONDS = 60
HANDSHAKE_SECONDS = 10
DRAIN_SECONDS = 30
MAX_CONNECTIONS = 256
_LINGER0 = struct.pack("ii", 1, 0)
COMMON_HEADERS = (
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Strict-Transport-Security", "max-age=63072000; includeSubdomains;"),
    ("Pragma", "no-cache"), ("Cache-Control", "no-cache, no-store, max-age=0"),
    ("Expires", "Thu, 01 Jan 1970 00:00:00 GMT"), ("Content-Language", "en-US"),
)


def hard_reset(sock):
    """Make the peer see a reset: linger 0, and shut the socket down under any TLS layer."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER0)
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class ArrayServer:
    def __init__(self, array, api, ssl_context, host, port):
        self.array = array
        self.api = api
        self.ssl_context = ssl_context
        self.host = host
        self.port = port
        self._listener = None
        self._lock = threading.Lock()
        self._connections = set()
        self.stopping = False

    # --- listener --------------------------------------------------------------------------------

    def open(self, tries=200):
        """Bind and listen (port 0: a free port outside the ephemeral range, so it stays ours)."""
        with self._lock:
            if self._listener is not None or self.stopping:
                return True
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                if self.port:
                    sock.bind((self.host, self.port))
                else:
                    self._bind_free(sock, tries)
                sock.listen(128)
            except OSError as exc:
                sock.close()
                if not self.port:
                    raise
                log.warning("%s: cannot listen on %s:%s yet (%s); retrying", self.array.name,
                            self.host, self.port, exc)
                return False  # the port is briefly taken: the ticker tries again
            self.port = sock.getsockname()[1]
            self._listener = sock
        threading.Thread(target=self._accept_loop, args=(sock,), daemon=True,
                         name="accept-%s" % self.array.name).start()
        return True

    def _bind_free(self, sock, tries):
        rng = random.Random()
        for dummy in range(tries):
            try:
                sock.bind((self.host, rng.randrange(20000, 32000)))
                return
            except OSError:
                continue
        sock.bind((self.host, 0))

    @property
    def listening(self):
        return self._listener is not None

    def close(self):
        """Stop listening (connections are refused) and reset every open connection."""
        with self._lock:
            sock, self._listener = self._listener, None
            conns = list(self._connections)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        for conn in conns:
            hard_reset(conn)

    def stop(self):
        self.stopping = True
        self.close()

    # --- connections -----------------------------------------------------------------------------

    def _accept_loop(self, sock):
        while True:
            try:
                conn, addr = sock.accept()
            except OSError:
                return
            with self._lock:
                full = len(self._connections) >= MAX_CONNECTIONS
            if full or self.stopping or self._listener is not sock:
                hard_reset(conn)
                conn.close()
                continue
            threading.Thread(target=self._serve, args=(conn, addr), daemon=True).start()

    def _serve(self, conn, addr):
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(HANDSHAKE_SECONDS)
            tls = self.ssl_context.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        with self._lock:
            self._connections.add(tls)
        handler = None
        try:
            handler = Handler(tls, addr, self)
        except Exception:  # a client vanished mid-answer, a reset, ...
            log.debug("connection from %s ended", addr, exc_info=True)
        finally:
            with self._lock:
                self._connections.discard(tls)
            if handler is None or handler.reset_wanted:
                hard_reset(tls)
            try:
                tls.close()
            except OSError:
                pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    timeout = KEEPALIVE_SECONDS

    def setup(self):
        self.reset_wanted = False
        super().setup()

    def handle_expect_100(self):
        return True  # answer 100 Continue only when the body is really wanted (Request.body)

    def log_message(self, fmt, *args):
        log.debug("%s " + fmt, self.server.array.name, *args)

    def log_request(self, code="-", size="-"):
        pass

    def do_GET(self):
        self._dispatch()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _send_continue(self):
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.wfile.flush()

    def _dispatch(self):
        srv = self.server
        array = srv.array
        started = array.clock.now()
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or "%s:%s" % (srv.host, srv.port)
        req = Request(self.command, parts.path, parts.query, self.headers, self.rfile,
                      "https://%s/" % host, self._send_continue)
        flight = object()
        with array.lock:
            array.in_flight[flight] = {"method": req.method, "path": req.path, "since": round(started, 3)}
        try:
            resp = srv.api.handle(req)
        except (BodyError, OSError) as exc:
            log.debug("request body failed: %s", exc)
            resp = srv.api.plain_drop("body error")
        finally:
            with array.lock:
                array.in_flight.pop(flight, None)
        # log before answering: a client that has its answer finds the request in the log
        self._log(req, 0 if resp.reset else resp.status, started, resp.note)
        if resp.reset:
            self.reset_wanted = True
            self.close_connection = True
            return
        self._write(resp)
        self._finish_body(req, resp)

    def _write(self, resp):
        self.send_response(resp.status)
        for name, value in COMMON_HEADERS:
            self.send_header(name, value)
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.status != 204:
            if resp.content_type:
                self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
        if resp.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if resp.body and self.command != "HEAD":
            self.wfile.write(resp.body)
        self.wfile.flush()

    def _finish_body(self, req, resp):
        """Keep the connection in step: drain what the client still sends, or close."""
        if not req.has_body:
            return
        if req.expects_continue and not req.continue_sent:
            self.close_connection = True
            return
        stream = req.body()
        deadline = time.monotonic() + DRAIN_SECONDS
        try:
            while not stream.done and time.monotonic() < deadline:
                if not stream.read(1 << 18):
                    break
        except (BodyError, OSError):
            self.close_connection = True
            return
        if not stream.done:
            self.close_connection = True

    def _log(self, req, status, started, note):
        entry = {"method": req.method, "path": req.path, "query": unquote(req.query),
                 "status": status, "time": round(started, 3)}
        if note:
            entry["note"] = note
        with self.server.array.lock:
            self.server.array.log_request(entry)
