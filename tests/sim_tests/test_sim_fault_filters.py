"""Fault windows limited to some requests (``method``, ``path``): a slow or lost create, a 503
only for POSTs, while every other request is answered as usual."""

import time

import pytest
import requests

from .conftest import CANDIDATE, assert_error, wait_for

SYSTEM = "/api/types/system/instances"
CREATE = "/api/types/upgradeSession/instances"


def test_a_slow_window_on_the_create_delays_only_the_create_and_the_session_exists_after(fresh, sim):
    u = fresh({"candidate": {"version": CANDIDATE}, "faults": [
        {"start": 0, "duration": 3600, "kind": "slow", "delay_ms": 1500, "method": "POST",
         "path": "Session/instances"}]})
    u.login()
    started = time.monotonic()
    assert u.get(SYSTEM, fields="id").status_code == 200
    assert time.monotonic() - started < 1.0, "a GET is not slowed"
    with pytest.raises(requests.exceptions.ReadTimeout):
        u.post(CREATE, {}, timeout=0.5)
    assert sim.state(u.name)["faults"][0]["method"] == "POST"
    deadline = time.monotonic() + 5
    while not sim.state(u.name)["sessions"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sim.state(u.name)["sessions"]) == 1, "the array created it after the client gave up"


def test_a_request_held_by_a_slow_window_is_listed_in_flight_until_answered(fresh, sim):
    u = fresh({"candidate": {"version": CANDIDATE}, "faults": [
        {"start": 0, "duration": 3600, "kind": "slow", "delay_ms": 1500, "method": "POST",
         "path": "Session/instances"}]})
    u.login()
    assert sim.state(u.name)["in_flight"] == []
    with pytest.raises(requests.exceptions.ReadTimeout):
        u.post(CREATE, {}, timeout=0.5)
    flying = sim.state(u.name)["in_flight"]
    assert [(r["method"], r["path"]) for r in flying] == [("POST", CREATE)]
    assert sim.state(u.name)["sessions"] == [], "held before the array applies it"
    assert wait_for(lambda: not sim.state(u.name)["in_flight"], timeout=5)
    assert len(sim.state(u.name)["sessions"]) == 1


def test_a_503_window_for_posts_leaves_reads_alone_and_a_401_window_keeps_logins(fresh, sim):
    u = fresh({"candidate": {"version": CANDIDATE}, "faults": [
        {"start": 0, "duration": 3600, "kind": "503", "method": "post"},
        {"start": 0, "duration": 3600, "kind": "401", "path": "/action/"}]})
    u.login()
    assert u.get(SYSTEM, fields="id").status_code == 200
    assert_error(u.create({}), 503)
    assert sim.state(u.name)["sessions"] == []
    assert u.get(SYSTEM, fields="id").status_code == 200, "a path-limited 401 ends no login session"


@pytest.mark.parametrize("bad", [
    {"faults": [{"start": 0, "duration": 1, "kind": "refuse", "method": "POST"}]},
    {"faults": [{"start": 0, "duration": 1, "kind": "reset", "path": ""}]},
    {"faults": [{"start": 0, "duration": 1, "kind": "reset", "verb": "POST"}]},
])
def test_bad_fault_filters_are_refused(sim, bad):
    with pytest.raises(Exception) as info:
        sim.put_scenario("array-6", bad)
    assert "400" in str(info.value)


def test_a_fixed_csrf_token_is_handed_to_every_login_and_never_shown(fresh, sim):
    token = "Canary-Csrf-Token-0123456789"
    u = fresh({"csrf_token": token})
    assert u.login().headers["EMC-CSRF-TOKEN"] == token
    assert fresh({"csrf_token": token}).login().headers["EMC-CSRF-TOKEN"] == token
    assert sim.scenario(u.name)["csrf_token"] == "***"
    assert token not in str(sim.state(u.name))
    assert fresh().login().headers["EMC-CSRF-TOKEN"] != token, "random again without it"
