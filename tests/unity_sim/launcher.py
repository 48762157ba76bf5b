"""Run the simulator from Python (pytest fixtures, scripts, ``make demo``)::

    from unity_sim.launcher import Simulator

    with Simulator(arrays=2, time_scale=60, scenario={"health": "DEGRADED"}) as sim:
        array = sim.array("array-1")       # {"name", "host", "port", "username", "password"}
        url = sim.url("array-1")           # "https://127.0.0.1:PORT"
        sim.ca_file                        # pass as verify= / ca_path
        sim.put_scenario("array-1", {"candidate": {"version": "5.3.0.0.5.120"}})
        sim.state("array-1"); sim.requests("array-1"); sim.clear_requests("array-1")
        sim.patch_scenario("array-1", {"health": "OK"}); sim.clock(); sim.advance(3600)

It starts ``python -m unity_sim`` as a subprocess (``PYTHONPATH`` gets this package's parent), waits
for the ready line (``ready_timeout``), talks to the admin API with the standard library only, and on
exit stops it (SIGTERM, wait, SIGKILL after ``stop_timeout``). Nothing here imports ``requests``.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SimulatorError(RuntimeError):
    pass


class Simulator:
    def __init__(self, arrays=1, time_scale=1.0, scenario=None, host="127.0.0.1", port=0,
                 admin_port=0, state_dir=None, cert=None, key=None, extra_args=(),
                 python=None, ready_timeout=30.0, stop_timeout=10.0, stderr=None, env=None,
                 log_level="WARNING"):
        self.options = dict(arrays=arrays, time_scale=time_scale, scenario=scenario, host=host,
                            port=port, admin_port=admin_port, state_dir=state_dir, cert=cert,
                            key=key)
        self.extra_args = list(extra_args)
        self.python = python or sys.executable
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.stderr = stderr
        self.env = env
        self.log_level = log_level
        self.proc = None
        self.ready = None
        self.returncode = None
        self._tmp = None

    # --- lifecycle -------------------------------------------------------------------------------

    def argv(self):
        o = self.options
        argv = [self.python, "-m", "unity_sim", "--arrays", str(o["arrays"]), "--host", o["host"],
                "--port", str(o["port"]), "--admin-port", str(o["admin_port"]),
                "--time-scale", repr(float(o["time_scale"])), "--log-level", self.log_level]
        if o["scenario"] is not None:
            self._tmp = tempfile.mkdtemp(prefix="unity-sim-launch-")
            path = os.path.join(self._tmp, "scenario.json")
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(o["scenario"], fh)
            argv += ["--scenario", path]
        for flag in ("state_dir", "cert", "key"):
            if o[flag]:
                argv += ["--" + flag.replace("_", "-"), str(o[flag])]
        return argv + self.extra_args

    def start(self):
        env = dict(os.environ if self.env is None else self.env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (PACKAGE_PARENT, env.get("PYTHONPATH")) if p)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.proc = subprocess.Popen(self.argv(), stdout=subprocess.PIPE, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL, env=env)
        line = self._read_line(self.ready_timeout)
        if not line:
            code = self.proc.poll()
            self.stop()
            raise SimulatorError("the simulator did not print its ready line within %.0fs (exit %s)"
                                 % (self.ready_timeout, code))
        try:
            self.ready = json.loads(line)
        except ValueError:
            self.stop()
            raise SimulatorError("the simulator's ready line is not JSON: %r" % line[:200])
        self._initial = {a["name"]: (a["username"], a["password"]) for a in self.ready["arrays"]}
        return self

    def _read_line(self, timeout):
        box = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return box[0].decode().strip() if box and box[0] else None

    def stop(self):
        """SIGTERM, wait ``stop_timeout``, then SIGKILL; returns the exit status."""
        if self.proc is not None and self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(self.stop_timeout)
            self.returncode = self.proc.returncode
            if self.proc.stdout:
                self.proc.stdout.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return self.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- the ready line --------------------------------------------------------------------------

    @property
    def arrays(self):
        return self.ready["arrays"]

    @property
    def ca_file(self):
        return self.ready["ca_file"]

    @property
    def admin(self):
        return self.ready["admin"]

    @property
    def state_dir(self):
        return self.ready.get("state_dir")

    def array(self, name="array-1"):
        for array in self.arrays:
            if array["name"] == name:
                return array
        raise KeyError(name)

    def url(self, name="array-1"):
        array = self.array(name)
        return "https://%s:%s" % (array["host"], array["port"])

    # --- the admin API ---------------------------------------------------------------------------

    def _admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.admin + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise SimulatorError("admin %s %s: %s %s" % (method, path, exc.code, detail))
        return json.loads(raw) if raw else None

    def state(self, name=None):
        return self._admin("GET", "/arrays/%s" % name if name else "/arrays")

    def put_scenario(self, name, scenario):
        """Replace the scenario of ``name`` and reset it; returns its new state."""
        state = self._admin("PUT", "/arrays/%s/scenario" % name, scenario)
        array = self.array(name)
        # a reset brings back the run's credentials unless the scenario sets its own
        for key, initial in zip(("username", "password"), self._initial[name]):
            array[key] = str(scenario[key]) if scenario.get(key) is not None else initial
        return state

    def patch_scenario(self, name, changes):
        state = self._admin("PATCH", "/arrays/%s/scenario" % name, changes)
        array = self.array(name)
        for key in ("username", "password"):
            if changes.get(key) is not None:
                array[key] = str(changes[key])
        return state

    def scenario(self, name):
        return self._admin("GET", "/arrays/%s/scenario" % name)

    def requests(self, name):
        return self._admin("GET", "/arrays/%s/requests" % name)

    def clear_requests(self, name):
        self._admin("DELETE", "/arrays/%s/requests" % name)

    def clock(self):
        return self._admin("GET", "/clock")

    def advance(self, seconds):
        return self._admin("POST", "/clock/advance", {"seconds": seconds})
