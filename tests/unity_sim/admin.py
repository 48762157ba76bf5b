"""The admin API: plain HTTP on loopback, JSON in and out.

================================  =================================================================
``GET /``                         the array names and these endpoints
``GET /arrays``                   every array's state (see ``ArrayModel.state``)
``GET /arrays/NAME``              one array's state
``GET /arrays/NAME/scenario``     its scenario, normalised (the password masked)
``PUT /arrays/NAME/scenario``     replace the scenario and reset the array to it (versions,
                                  candidate, sessions, jobs, login sessions, faults); 200 + state
``PATCH /arrays/NAME/scenario``   change live keys (health, faults, eligibility, eligibility_answer,
                                  answer_faults, upload faults, ...)
                                  without a reset; keys that need a reset are refused (400)
``GET /arrays/NAME/requests``     the request log ``[{"method","path","query","status","time"}]``
                                  (``time``: simulated seconds, as ``GET /clock``; ``status`` 0 when
                                  the connection was reset instead, with a ``note``)
``DELETE /arrays/NAME/requests``  clear it (204)
``GET /clock``                    ``{"now": simulated seconds, "iso": ..., "time_scale": ...}``
``POST /clock/advance``           ``{"seconds": N}``: jump the virtual clock forward
================================  =================================================================

Errors are ``{"error": "<reason>"}`` with 400 or 404. Nothing here shows a password or a token.
"""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .scenario import ScenarioError, normalize

log = logging.getLogger("unity_sim.admin")
MAX_BODY = 1 << 20


class _Handler(BaseHTTPRequestHandler):
    server_version = "unity_sim-admin"

    def log_message(self, fmt, *args):
        log.debug(fmt, *args)

    def _send(self, status, obj=None):
        body = b"" if obj is None else json.dumps(obj, indent=1).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw.decode() or "{}")

    def _route(self, method):
        core = self.server.core
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        try:
            if parts == [] and method == "GET":
                return self._send(200, {"arrays": list(core.arrays), "endpoints": [
                    "GET /arrays", "GET /arrays/NAME", "GET|PUT|PATCH /arrays/NAME/scenario",
                    "GET|DELETE /arrays/NAME/requests", "GET /clock", "POST /clock/advance"]})
            if parts == ["clock"] and method == "GET":
                return self._send(200, core.clock.snapshot())
            if parts == ["clock", "advance"] and method == "POST":
                seconds = float(self._body().get("seconds", 0))
                core.clock.advance(seconds)
                core.tick()
                return self._send(200, core.clock.snapshot())
            if parts == ["arrays"] and method == "GET":
                now = core.clock.now()
                return self._send(200, [self._state(a, now) for a in core.arrays.values()])
            if len(parts) >= 2 and parts[0] == "arrays":
                array = core.arrays.get(parts[1])
                if array is None:
                    return self._send(404, {"error": "no array named %r" % parts[1]})
                return self._array(array, parts[2:], method)
            return self._send(404, {"error": "no such endpoint"})
        except (ScenarioError, ValueError, TypeError) as exc:
            return self._send(400, {"error": str(exc)})

    @staticmethod
    def _state(array, now):
        with array.lock:
            array.tick(now)
            return array.state(now)

    def _array(self, array, rest, method):
        core = self.server.core
        if rest == [] and method == "GET":
            return self._send(200, self._state(array, core.clock.now()))
        if rest == ["scenario"]:
            if method == "GET":
                with array.lock:
                    scenario = dict(array.scenario, password="***",
                                    csrf_token="***" if array.scenario["csrf_token"] else None)
                return self._send(200, scenario)
            if method in ("PUT", "PATCH"):
                body = self._body()
                with array.lock:
                    if method == "PUT":
                        array.apply(normalize(body))
                    else:
                        array.patch(body)
                log.info("%s: scenario %s", array.name, "replaced" if method == "PUT" else "patched")
                core.tick()
                return self._send(200, self._state(array, core.clock.now()))
        if rest == ["requests"]:
            if method == "GET":
                with array.lock:
                    return self._send(200, list(array.log))
            if method == "DELETE":
                with array.lock:
                    array.log.clear()
                return self._send(204)
        return self._send(404, {"error": "no such endpoint"})

    def do_GET(self):
        self._route("GET")

    def do_PUT(self):
        self._route("PUT")

    def do_PATCH(self):
        self._route("PATCH")

    def do_POST(self):
        self._route("POST")

    def do_DELETE(self):
        self._route("DELETE")


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many test threads at once: the default backlog of 5 drops connections


class AdminServer:
    def __init__(self, core, port=0, host="127.0.0.1"):
        self.httpd = _Server((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.core = core
        self.url = "http://%s:%d" % (host, self.httpd.server_address[1])
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        daemon=True, name="admin")
        self._thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
