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

It is the one way the tests start the simulator: the e2e fixtures (tests/e2e/conftest.py),
``tests/utils/with_simulator.py`` (``make integration``, ``make demo``, the playbook smoke runs) and the
benchmarks. Options beyond the CLI's:

- ``scenario``: a mapping (written to a JSON file for ``--scenario``) or the path of a scenario file;
- ``log_file``: a path; the simulator's stderr, and anything it prints on stdout after the ready line,
  is appended there (``stderr`` takes an open file instead); ``log_tail()`` reads its end, and a
  simulator that does not get ready is reported with it;
- ``log_level``: ``--log-level`` (None: the simulator's default, INFO); ``cwd``; ``new_session``: the
  simulator gets its own process group (a terminal's Ctrl-C does not reach it; SIGKILL goes to the group);
- ``write_inventory(path, ...)``: the Ansible inventory of the arrays (group ``unity``), the one writer
  of it.
"""

import collections
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
                 log_level="WARNING", log_file=None, cwd=None, new_session=False):
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
        self.log_file = None if log_file is None else str(log_file)
        self.cwd = cwd
        self.new_session = new_session
        self.proc = None
        self.ready = None
        self.returncode = None
        self._tmp = None
        self._initial = {}

    # --- lifecycle -------------------------------------------------------------------------------

    def argv(self):
        o = self.options
        argv = [self.python, "-m", "unity_sim", "--arrays", str(o["arrays"]), "--host", o["host"],
                "--port", str(o["port"]), "--admin-port", str(o["admin_port"]),
                "--time-scale", repr(float(o["time_scale"]))]
        if self.log_level:
            argv += ["--log-level", self.log_level]
        if isinstance(o["scenario"], (str, os.PathLike)):
            argv += ["--scenario", str(o["scenario"])]
        elif o["scenario"] is not None:
            if self._tmp is None:
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
        argv = self.argv()
        stderr, log = self.stderr, None
        if self.log_file is not None:
            log = open(self.log_file, "ab")
            log.write(("$ PYTHONPATH=%s %s\n" % (env["PYTHONPATH"], " ".join(argv))).encode())
            log.flush()
            stderr = log
        try:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr,
                                         stdin=subprocess.DEVNULL, env=env, cwd=self.cwd,
                                         start_new_session=self.new_session)
            line = self._read_line(self.ready_timeout)
            if not line:
                if line is None:
                    what = "did not print its ready line within %.0fs" % self.ready_timeout
                else:
                    what = "exited (status %s) without printing its ready line" % self.stop()
                self.stop()
                raise SimulatorError("the simulator %s%s" % (what, self._tail_note()))
            try:
                self.ready = json.loads(line)
            except ValueError:
                self.stop()
                raise SimulatorError("the simulator's ready line is not JSON: %r%s" % (line[:200], self._tail_note()))
            # the ready line holds the passwords: it is not logged; anything printed after it is
            threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()
        finally:
            if log is not None:
                log.close()  # the child holds its own descriptor; the drain thread its own handle
        self._initial = {a["name"]: (a["username"], a["password"]) for a in self.ready["arrays"]}
        return self

    def _read_line(self, timeout):
        box = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not box:
            return None  # no line in time
        return box[0].decode().strip()  # "" at the end of stdout: the simulator exited

    def _drain(self, stdout):
        """Read stdout to its end (a full pipe would block the simulator), into the log if there is one."""
        sink = open(self.log_file, "ab") if self.log_file else None
        try:
            for raw in iter(stdout.readline, b""):
                if sink is not None:
                    sink.write(raw)
                    sink.flush()
        except (OSError, ValueError):  # stdout closed by stop()
            pass
        finally:
            if sink is not None:
                sink.close()

    def log_tail(self, lines=40):
        """The last lines of ``log_file`` ("" without one)."""
        if not self.log_file:
            return ""
        try:
            with open(self.log_file, encoding="utf-8", errors="replace") as fh:
                return "".join(collections.deque(fh, lines))
        except OSError:
            return ""

    def _tail_note(self):
        tail = self.log_tail()
        return "; %s ends with:\n%s" % (self.log_file, tail) if tail else ""

    def stop(self):
        """SIGTERM, wait ``stop_timeout``, then SIGKILL (its process group with ``new_session``);
        returns the exit status."""
        if self.proc is not None and self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    self._kill()
                    self.proc.wait(self.stop_timeout)
            self.returncode = self.proc.returncode
            if self.proc.stdout:
                self.proc.stdout.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return self.returncode

    def _kill(self):
        try:
            if self.new_session:
                os.killpg(self.proc.pid, signal.SIGKILL)
            else:
                self.proc.kill()
        except ProcessLookupError:
            pass

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

    # --- an Ansible inventory of the arrays ------------------------------------------------------

    def inventory(self, names=None, host_vars=None, group_vars=None):
        """Group ``unity``, one host per array (in the ready line's order) with the role's connection
        variables; ``names`` picks arrays, ``host_vars`` ({name: {var: value}}) adds to or overrides
        a host's, ``group_vars`` become the group's ``vars``."""
        hosts = {}
        for array in self.arrays:
            if names is not None and array["name"] not in names:
                continue
            hosts[array["name"]] = dict({
                "ansible_host": array["host"], "unity_upgrade_port": array["port"],
                "unity_upgrade_username": array["username"], "unity_upgrade_password": array["password"],
                "unity_upgrade_ca_path": self.ca_file}, **(host_vars or {}).get(array["name"], {}))
        group = {"hosts": hosts}
        if group_vars:
            group["vars"] = dict(group_vars)
        return {"unity": group}

    def write_inventory(self, path, names=None, host_vars=None, group_vars=None, header=None):
        """Write ``inventory(...)`` to ``path`` as YAML (JSON, which is YAML too, without PyYAML);
        returns the path as a string."""
        data = self.inventory(names=names, host_vars=host_vars, group_vars=group_vars)
        try:
            import yaml  # pylint: disable=import-outside-toplevel
            text = yaml.safe_dump(data, default_flow_style=False, sort_keys=False)
        except ImportError:
            text = json.dumps(data, indent=2) + "\n"
        with open(str(path), "w", encoding="utf-8") as fh:
            fh.write("# %s\n---\n%s" % (header, text) if header else text)
        return str(path)
