"""Scenario faults: refuse / reset / 503 / 401 / slow windows, flaky_503, latency_ms."""

import time

import pytest
import requests

from .conftest import assert_error, refused, wait_for

SYSTEM = "/api/types/system/instances"


def outcome(u):
    try:
        return u.get(SYSTEM).status_code
    except requests.ConnectionError:
        array = u.sim.array(u.name)
        return "refused" if refused(array["host"], array["port"]) else "reset"


def test_refuse_window_closes_the_port_then_reopens_it(fresh, sim):
    # time scale 60: 30 simulated seconds are half a real second
    u = fresh({"faults": [{"start": 0, "duration": 30, "kind": "refuse"}]})
    array = sim.array(u.name)
    assert wait_for(lambda: refused(array["host"], array["port"]), timeout=2)
    state = sim.state(u.name)
    assert state["listening"] is False and state["faults"][0]["state"] == "active"
    wait_for(lambda: not refused(array["host"], array["port"]), timeout=3)
    u.login()
    assert u.get(SYSTEM).status_code == 200
    assert sim.state(u.name)["faults"][0]["state"] == "done"


def test_reset_window_resets_connections_but_accepts_them(fresh, sim):
    u = fresh({"faults": [{"start": 0, "duration": 30, "kind": "reset"}]})
    assert outcome(u) == "reset"
    wait_for(lambda: outcome(u) == 401, timeout=3)  # back, and not logged in
    log = sim.requests(u.name)
    assert log[0]["status"] == 0 and log[0]["note"] == "fault"


def test_503_and_401_windows(fresh):
    u = fresh({"faults": [{"start": 0, "duration": 20, "kind": "503"}]})
    assert_error(u.get(SYSTEM), 503)
    u = fresh({"faults": [{"start": 1, "duration": 20, "kind": "401"}]})
    u.login()
    wait_for(lambda: u.get(SYSTEM).status_code == 401, timeout=2)
    assert_error(u.request("GET", SYSTEM, auth=u.credentials), 401)  # even a new login, for now
    wait_for(lambda: u.request("GET", SYSTEM, auth=u.credentials).status_code == 200, timeout=3)


def test_slow_window_and_latency(fresh):
    u = fresh({"faults": [{"start": 0, "duration": 600, "kind": "slow", "delay_ms": 250}]})
    started = time.monotonic()
    assert u.get("/api/types/basicSystemInfo/instances").status_code == 200
    assert time.monotonic() - started >= 0.25
    u = fresh({"latency_ms": 150})
    started = time.monotonic()
    u.get("/api/types/basicSystemInfo/instances")
    assert time.monotonic() - started >= 0.15


def test_flaky_503_is_seeded(fresh, sim):
    def pattern():
        u = fresh({"flaky_503": 0.5, "seed": 7})
        return [u.get("/api/types/basicSystemInfo/instances").status_code for dummy in range(20)]
    first = pattern()
    assert set(first) == {200, 503}
    assert pattern() == first
    u = fresh({"flaky_503": 1.0})
    assert_error(u.get("/api/types/basicSystemInfo/instances"), 503)


def test_patch_adds_faults_without_a_reset(fresh, sim):
    u = fresh()
    u.login()
    state = sim.patch_scenario(u.name, {"faults": [{"start": 0, "duration": 20, "kind": "503"}]})
    assert [f["state"] for f in state["faults"]] == ["active"]
    assert_error(u.get(SYSTEM), 503)
    wait_for(lambda: u.get(SYSTEM).status_code == 200, timeout=3)  # the login survived


@pytest.mark.parametrize("bad", [
    {"faults": [{"start": 0, "duration": 1, "kind": "explode"}]},
    {"flaky_503": 2},
    {"health": "SO-SO"},
    {"software_version": "5.3.0"},
    {"sessions": [{"status": "Upgrade_Sideways"}]},
    {"fail_at_task": "Dancing"},
    {"fail_status": "Upgrade_Paused"},
    {"no_such_key": 1},
])
def test_bad_scenarios_are_refused_by_the_admin_api(sim, bad):
    with pytest.raises(Exception) as info:
        sim.put_scenario("array-5", bad)
    assert "400" in str(info.value)


def test_open_keep_alive_connections_are_reset_when_the_api_goes(fresh, sim):
    import socket
    import ssl

    u = fresh()
    array = sim.array(u.name)
    context = ssl.create_default_context(cafile=sim.ca_file)
    raw = socket.create_connection((array["host"], array["port"]), timeout=3)
    conn = context.wrap_socket(raw, server_hostname=array["host"])
    conn.sendall(b"GET /api/types/basicSystemInfo/instances HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        answer += conn.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200 OK")  # and the connection is kept alive
    sim.patch_scenario(u.name, {"faults": [{"start": 0, "duration": 30, "kind": "refuse"}]})
    started = time.monotonic()
    try:
        data = conn.recv(65536)
    except (ConnectionResetError, ssl.SSLError):
        data = b""
    assert data == b"" and time.monotonic() - started < 0.3
    conn.close()
    assert refused(array["host"], array["port"])
