"""Fixtures for the simulator's own tests: a running simulator (through the launcher, over real
HTTPS) and ``Unity``, a tiny REST client built on ``requests`` for the assertions."""

import os
import socket
import sys
import time

import pytest
import requests

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

from unity_sim.launcher import Simulator  # noqa: E402

CANDIDATE = "5.3.0.0.5.120"


class Unity:
    """A REST client as the collection would use it: headers, cookies, the CSRF token."""

    def __init__(self, sim, name="array-1"):
        self.sim = sim
        self.name = name
        self.base = sim.url(name)
        self.ca = sim.ca_file
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would beat verify=
        self.http.headers.update({"Accept": "application/json", "X-EMC-REST-CLIENT": "true"})
        self.csrf = None

    @property
    def credentials(self):
        array = self.sim.array(self.name)
        return array["username"], array["password"]

    def request(self, method, path, **kw):
        kw.setdefault("verify", self.ca)
        kw.setdefault("timeout", 10)
        kw.setdefault("allow_redirects", False)
        headers = dict(kw.pop("headers", None) or {})
        if self.csrf and method in ("POST", "DELETE"):
            headers.setdefault("EMC-CSRF-TOKEN", self.csrf)
        return self.http.request(method, self.base + path, headers=headers, **kw)

    def login(self):
        resp = self.request("GET", "/api/types/loginSessionInfo/instances", auth=self.credentials)
        assert resp.status_code == 200, resp.text
        self.csrf = resp.headers["EMC-CSRF-TOKEN"]
        return resp

    def get(self, path, **params):
        return self.request("GET", path, params=params or None)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, json=body, **kw)

    def content(self, path, **params):
        resp = self.get(path, **params)
        assert resp.status_code == 200, resp.text
        return resp.json()["content"]

    def entries(self, path, **params):
        params.setdefault("compact", "true")
        resp = self.get(path, **params)
        assert resp.status_code == 200, resp.text
        return [e["content"] for e in resp.json()["entries"]]

    def session(self, sid, resource="upgradeSession"):
        return self.content("/api/instances/%s/%s" % (resource, sid), compact="true",
                            fields="status,percentComplete,tasks,messages,candidate,elapsedTime")

    def candidates(self):
        return self.entries("/api/types/candidateSoftwareVersion/instances",
                            fields="id,version,fullVersion,type,revision,releaseDate,"
                                   "rebootRequired,canPauseBeforeReboot")

    def create(self, body, resource="upgradeSession"):
        return self.post("/api/types/%s/instances" % resource, body)


def assert_error(resp, status):
    """The Unity error entity, exactly (reference 2.5)."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"errorCode", "httpStatusCode", "messages", "created"}
    assert isinstance(error["errorCode"], int) and error["httpStatusCode"] == status
    assert len(error["messages"]) == 1 and list(error["messages"][0]) == ["en-US"]
    assert error["messages"][0]["en-US"].endswith("(Error Code:0x%x)" % error["errorCode"])
    assert error["created"].endswith("Z") and "T" in error["created"]
    return error


def refused(host, port):
    try:
        socket.create_connection((host, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


def wait_for(predicate, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met within %.1fs" % timeout)


@pytest.fixture(scope="session")
def sim():
    """Shared by the fast tests; every test claims its own array and resets it with a scenario."""
    with Simulator(arrays=6, time_scale=60) as running:
        yield running


@pytest.fixture
def fresh(sim):
    """``fresh(scenario, name)``: reset an array of the shared simulator and get a client for it."""
    def make(scenario=None, name="array-1"):
        sim.put_scenario(name, scenario or {})
        sim.clear_requests(name)
        return Unity(sim, name)
    return make


class Watch:
    """Polls one upgrade session like a patient client and records what it saw:
    ``("ok", status, percent)``, ``"refused"``, ``"reset"``, ``"503"`` (HTML), ``"401"``."""

    def __init__(self, client, sid, resource="upgradeSession"):
        self.u = client
        self.sid = sid
        self.resource = resource
        self.seen = []
        self.last = None

    def kinds(self):
        """Observation kinds with repeats collapsed: ["ok", "refused", "503", "401", "ok", ...]."""
        out = []
        for item in self.seen:
            kind = item[0] if isinstance(item, tuple) else item
            if not out or out[-1] != kind:
                out.append(kind)
        return out

    def percents(self):
        return [item[2] for item in self.seen if isinstance(item, tuple)]

    def until(self, statuses, timeout=20.0, interval=0.02):
        u = self.u
        array = u.sim.array(u.name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                resp = u.request("GET", "/api/instances/%s/%s" % (self.resource, self.sid),
                                 params={"compact": "true", "fields": "status,percentComplete,tasks,"
                                         "messages,elapsedTime"}, timeout=2)
            except requests.ConnectionError:
                self.seen.append("refused" if refused(array["host"], array["port"]) else "reset")
                time.sleep(interval)
                continue
            if resp.status_code == 503:
                assert resp.headers["Content-Type"].startswith("text/html")
                assert b"Service Unavailable" in resp.content
                self.seen.append("503")
            elif resp.status_code == 401:
                self.seen.append("401")
                try:
                    u.login()
                except (requests.ConnectionError, AssertionError):
                    pass
                continue
            else:
                assert resp.status_code == 200, resp.text
                self.last = resp.json()["content"]
                self.seen.append(("ok", self.last["status"], self.last["percentComplete"]))
                if self.last["status"] in statuses:
                    return self.last
            time.sleep(interval)
        raise AssertionError("session %s not in %s after %.0fs; saw %s"
                             % (self.sid, statuses, timeout, self.kinds()))
