"""The simulator process: arrays, their TLS listeners, the admin API and the ticker thread.

The ticker (every ``TICK`` real seconds) advances each array's upgrade sessions on the virtual clock
and opens or closes its listener as outages and ``refuse`` faults come and go, so progress goes on
while the API is unreachable.
"""

import ipaddress
import logging
import os
import secrets
import shutil
import ssl
import tempfile
import threading

from . import certs
from .admin import AdminServer
from .api import RestApi
from .array import ArrayModel
from .clock import VirtualClock
from .scenario import normalize, split_per_array
from .transport import ArrayServer

log = logging.getLogger("unity_sim")
TICK = 0.02
MAX_ARRAYS = 256


def loopback_hosts(host, count, distinct):
    """The listen address of each array; refuses anything that is not IPv4 loopback."""
    if host == "localhost":
        host = "127.0.0.1"
    try:
        base = ipaddress.IPv4Address(host)
    except ValueError:
        raise ValueError("--host must be an IPv4 loopback address (127.x.y.z), not %r" % host)
    hosts = [base + i for i in range(count)] if distinct else [base] * count
    if not all(h.is_loopback for h in hosts):
        raise ValueError("the simulator listens on loopback addresses only (127.0.0.0/8)")
    return [str(h) for h in hosts]


class SimulatorCore:
    def __init__(self, arrays=1, host="127.0.0.1", port=0, admin_port=0, time_scale=1.0,
                 scenario=None, state_dir=None, cert=None, key=None, distinct_hosts=False):
        if not 1 <= arrays <= MAX_ARRAYS:
            raise ValueError("--arrays must be between 1 and %d" % MAX_ARRAYS)
        if (cert is None) != (key is None):
            raise ValueError("--cert and --key go together")
        self.count = arrays
        self.hosts = loopback_hosts(host, arrays, distinct_hosts)
        self.port = port
        self.admin_port = admin_port
        self.distinct_hosts = distinct_hosts
        self.clock = VirtualClock(time_scale)
        self.names = ["array-%d" % (i + 1) for i in range(arrays)]
        raw = split_per_array(scenario or {}, self.names)
        self.scenarios = {name: normalize(raw[name]) for name in self.names}
        self.owns_state_dir = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="unity-sim-")
        os.makedirs(self.state_dir, exist_ok=True)
        self.cert, self.key = cert, key
        self.arrays, self.servers = {}, []
        self.admin = None
        self._stop = threading.Event()
        self._ticker = None

    def start(self):
        if self.cert is None:
            self.ca_file, self.cert, self.key = certs.generate(self.state_dir, sorted(set(self.hosts)))
        else:
            self.ca_file = self.cert
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert, self.key)
        for i, name in enumerate(self.names):
            array = ArrayModel(i + 1, name, self.hosts[i], self.clock, self.state_dir,
                               secrets.token_urlsafe(12))
            array.apply(self.scenarios[name])
            port = 0
            if self.port:
                port = self.port if self.distinct_hosts else self.port + i
            server = ArrayServer(array, RestApi(array), context, self.hosts[i], port)
            if not server.open():
                raise OSError("cannot listen on %s:%s" % (self.hosts[i], port))
            array.port = server.port
            self.arrays[name] = array
            self.servers.append(server)
        self.admin = AdminServer(self, self.admin_port)
        self.admin.start()
        self._ticker = threading.Thread(target=self._tick_loop, daemon=True, name="ticker")
        self._ticker.start()
        return self

    def ready(self):
        return {"admin": self.admin.url, "ca_file": os.path.abspath(self.ca_file),
                "arrays": [{"name": a.name, "host": a.host, "port": a.port, "username": a.username,
                            "password": a.password} for a in self.arrays.values()],
                "state_dir": os.path.abspath(self.state_dir), "time_scale": self.clock.time_scale,
                "pid": os.getpid()}

    def tick(self):
        now = self.clock.now()
        for server in self.servers:
            array = server.array
            with array.lock:
                array.tick(now)
                want = array.listening(now)
            if want and not server.listening:
                if server.open():
                    log.info("%s: management API is back (listening on %s:%s)", array.name,
                             server.host, server.port)
            elif not want and server.listening:
                server.close()
                log.info("%s: management API gone (connections refused)", array.name)

    def _tick_loop(self):
        while not self._stop.wait(TICK):
            try:
                self.tick()
            except Exception:  # keep ticking whatever one array did
                log.exception("ticker")

    def stop(self):
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(2)
        for server in self.servers:
            server.stop()
        if self.admin is not None:
            self.admin.stop()
        if self.owns_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)
