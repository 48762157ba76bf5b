"""The CLI contract, the ready line, the admin API and the request log, and clean stops."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
import requests

from unity_sim.launcher import Simulator, SimulatorError

from .conftest import TESTS_DIR, Unity

ENV = dict(os.environ, PYTHONPATH=TESTS_DIR)


def admin(sim, method, path, body=None):
    req = urllib.request.Request(sim.admin + path, method=method,
                                 data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_ready_line_and_admin_state(sim):
    assert sim.admin.startswith("http://127.0.0.1:")
    assert os.path.isfile(sim.ca_file)
    for array in sim.arrays:
        assert set(array) == {"name", "host", "port", "username", "password"}
        assert array["host"] == "127.0.0.1" and array["port"] > 0
    assert [a["name"] for a in sim.arrays] == ["array-%d" % i for i in range(1, 7)]
    states = sim.state()
    assert [s["name"] for s in states] == [a["name"] for a in sim.arrays]
    state = states[0]
    for key in ("port", "software_version", "health", "sessions", "candidate", "faults", "pending",
                "api_state"):
        assert key in state
    assert "password" not in json.dumps(states).lower().replace("password_change", "")
    assert admin(sim, "GET", "/arrays/array-99")[0] == 404
    status, clock = admin(sim, "GET", "/clock")
    assert status == 200 and clock["time_scale"] == 60.0


def test_request_log_has_no_secrets(fresh, sim):
    u = fresh()
    u.login()
    u.get("/api/types/system/instances", fields="health", compact="true")
    u.post("/api/types/upgradeSession/action/verifyUpgradeEligibility")
    log = sim.requests(u.name)
    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("GET", "/api/types/loginSessionInfo/instances", 200),
        ("GET", "/api/types/system/instances", 200),
        ("POST", "/api/types/upgradeSession/action/verifyUpgradeEligibility", 200)]
    assert log[1]["query"] == "fields=health&compact=true"
    assert all(set(r) == {"method", "path", "query", "status", "time"} for r in log)
    assert log[0]["time"] <= log[1]["time"] <= log[2]["time"]
    text = json.dumps(log)
    cookie = u.http.cookies.get("mod_sec_emc")
    for secret in (u.credentials[1], u.csrf, cookie):
        assert secret not in text
    status, dummy = admin(sim, "DELETE", "/arrays/%s/requests" % u.name)
    assert status == 204 and sim.requests(u.name) == []


def test_admin_scenario_endpoints(fresh, sim):
    fresh({"health": "MINOR", "password": "pw-for-test"}, name="array-4")
    status, scenario = admin(sim, "GET", "/arrays/array-4/scenario")
    assert status == 200 and scenario["health"] == 15 and scenario["password"] == "***"
    status, body = admin(sim, "PATCH", "/arrays/array-4/scenario", {"software_version": "5.3.0.0.5.120"})
    assert status == 400 and "PUT" in body["error"]
    status, body = admin(sim, "PUT", "/arrays/array-4/scenario", {"bogus": 1})
    assert status == 400 and "bogus" in body["error"]
    status, state = admin(sim, "PATCH", "/arrays/array-4/scenario", {"health": "OK"})
    assert status == 200 and state["health"] == "OK"


def test_sigterm_and_sigint_stop_cleanly():
    for sig in (signal.SIGTERM, signal.SIGINT):
        launched = Simulator(arrays=1)
        launched.start()
        state_dir = launched.state_dir
        assert os.path.isdir(state_dir)
        launched.proc.send_signal(sig)
        assert launched.proc.wait(10) == 0
        assert not os.path.exists(state_dir)
        launched.stop()


def test_cli_yaml_scenario_per_array_fixed_ports_and_own_cert(tmp_path):
    scenario = tmp_path / "fleet.yml"
    scenario.write_text("default:\n  model: Unity 680F\narrays:\n  array-2:\n    health: DEGRADED\n"
                        "    username: ops\n    password: fleet-pw\n")
    first = Simulator(arrays=2, scenario=None, extra_args=["--scenario", str(scenario)])
    with first:
        ports = [a["port"] for a in first.arrays]
        assert first.state("array-2")["health"] == "DEGRADED"
        assert first.state("array-1")["model"] == "Unity 680F"
        assert first.array("array-2")["username"] == "ops"
        ca = open(first.ca_file).read()
        cert = open(os.path.join(first.state_dir, "server.pem")).read()
        key = open(os.path.join(first.state_dir, "server.key")).read()
    (tmp_path / "c.pem").write_text(cert + ca)
    (tmp_path / "k.pem").write_text(key)
    base = 20000 + (os.getpid() % 5000)
    with Simulator(arrays=3, port=base, state_dir=str(tmp_path / "state"),
                   cert=str(tmp_path / "c.pem"), key=str(tmp_path / "k.pem")) as fixed:
        assert [a["port"] for a in fixed.arrays] == [base, base + 1, base + 2]
        assert fixed.ca_file == str(tmp_path / "c.pem")
        resp = requests.get(fixed.url("array-3") + "/api/types/basicSystemInfo/instances",
                            verify=str(tmp_path / "c.pem"), timeout=5)
        assert resp.status_code == 200
    assert os.path.isdir(tmp_path / "state")  # a given state dir is kept
    assert ports


def test_distinct_hosts_share_a_port():
    with Simulator(arrays=2, extra_args=["--distinct-hosts"]) as sim:
        hosts = [a["host"] for a in sim.arrays]
        assert hosts == ["127.0.0.1", "127.0.0.2"]
        for name in ("array-1", "array-2"):
            u = Unity(sim, name)
            u.login()


@pytest.mark.parametrize("argv, message", [
    (["--host", "10.1.2.3"], "loopback"),
    (["--arrays", "0"], "--arrays"),
    (["--time-scale", "0"], "time-scale"),
    (["--cert", "x.pem"], "--key"),
])
def test_bad_options_exit_2(argv, message):
    proc = subprocess.run([sys.executable, "-m", "unity_sim"] + argv, env=ENV, capture_output=True,
                          text=True, timeout=30, check=False)
    assert proc.returncode == 2 and message in proc.stderr and proc.stdout == ""


def test_bad_scenario_file_exits_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"arrays": {"array-7": {}}}))
    proc = subprocess.run([sys.executable, "-m", "unity_sim", "--scenario", str(path)], env=ENV,
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2 and "array-7" in proc.stderr


def test_launcher_reports_a_simulator_that_does_not_start():
    with pytest.raises(SimulatorError):
        Simulator(extra_args=["--no-such-option"], ready_timeout=10).start()


def test_stderr_never_shows_the_password(tmp_path):
    log = tmp_path / "sim.log"
    with open(log, "w") as err:
        with Simulator(arrays=1, stderr=err, log_level="DEBUG",
                       scenario={"candidate": "5.3.0.0.5.120", "upgrade_minutes": 1}) as sim:
            u = Unity(sim, "array-1")
            u.login()
            u.create({"candidate": {"id": "candidate_1"}})
            password = u.credentials[1]
            time.sleep(0.1)
    text = log.read_text()
    assert "created Upgrade_5.3.0.120" in text and password not in text and u.csrf not in text
