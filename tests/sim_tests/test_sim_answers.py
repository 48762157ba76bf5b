"""Answers a client must read fail-safe (issue 11 sections 1 and 2): verifyUpgradeEligibility in
each shape ``eligibility_answer`` gives it, and changing requests (create, resume, cancel,
acknowledge, upload) applied but answered in a way the client cannot read (``answer_faults``)."""

import pytest
import requests

from unity_sim import packages
from unity_sim.launcher import SimulatorError

from .conftest import CANDIDATE, assert_error

VERIFY = "/api/types/upgradeSession/action/verifyUpgradeEligibility"
BLOCKED = {"health": "MAJOR", "eligibility": {"blocking": ["flr::check_server_connectivity_2"],
                                              "warnings": ["flr::check_replication_sessions_1"]}}
PROBLEMS = ["flr::check_system_health_1", "flr::check_server_connectivity_2"]


def client(fresh, scenario):
    u = fresh(scenario)
    u.login()
    return u


# --- eligibility answer shapes ------------------------------------------------------------------

@pytest.mark.parametrize("shape, keys", [
    ("codes", {"codes", "overallStatus", "statusMessage", "messages"}),
    ("codes_empty_messages", {"codes", "overallStatus", "statusMessage", "messages"}),
    ("codes_only", {"codes", "overallStatus", "statusMessage"}),
    ("status_only", {"overallStatus", "statusMessage"}),
])
def test_eligibility_verdict_shapes_with_problems(fresh, shape, keys):
    u = client(fresh, dict(BLOCKED, eligibility_answer=shape))
    resp = u.post(VERIFY)
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"@base", "updated", "links", "content"}
    content = body["content"]
    assert set(content) == keys
    assert content["overallStatus"] is True
    assert "[Error Code: flr::check_server_connectivity_2]" in content["statusMessage"]
    assert "[Error Code: flr::check_replication_sessions_1]" not in content["statusMessage"]
    if "codes" in keys:
        assert content["codes"] == PROBLEMS
    if shape == "codes":
        assert [m["errorCode"] for m in content["messages"]] == PROBLEMS + [
            "flr::check_replication_sessions_1"]
    if shape == "codes_empty_messages":
        assert content["messages"] == []


def test_eligibility_verdict_shapes_when_eligible(fresh):
    u = client(fresh, {"eligibility_answer": "status_only"})
    assert u.post(VERIFY).json()["content"] == {"overallStatus": False, "statusMessage": ""}
    u = client(fresh, {"eligibility_answer": "codes", "eligibility": {"warnings": ["x::y_1"]}})
    content = u.post(VERIFY).json()["content"]
    assert content["codes"] == [] and content["overallStatus"] is False
    assert content["statusMessage"] == "" and [m["severity"] for m in content["messages"]] == [4]


def test_eligibility_conflict_is_a_409_error_entity(fresh):
    u = client(fresh, dict(BLOCKED, eligibility_answer="conflict"))
    error = assert_error(u.post(VERIFY), 409)
    text = error["messages"][0]["en-US"]
    assert error["errorCode"] == 0x6010015
    assert text.startswith("The system is not eligible for an upgrade. ")
    for code in PROBLEMS:
        assert "[Error Code: %s]" % code in text
    assert_error(u.post(VERIFY + "?timeout=0"), 409)
    u = client(fresh, {"eligibility_answer": "conflict"})  # no problem: the default answer
    assert u.post(VERIFY).json()["content"] == {"messages": []}


def test_eligibility_job_carries_the_shape(fresh, sim):
    u = client(fresh, dict(BLOCKED, eligibility_answer="codes_only", eligibility_async=True))
    resp = u.post(VERIFY)
    assert resp.status_code == 202
    job = resp.json()
    sim.advance(5)
    done = u.content("/api/instances/job/%s" % job["id"], compact="true",
                     fields="state,parametersOut,messageOut")
    assert done["state"] == 4
    assert done["parametersOut"]["codes"] == PROBLEMS
    assert done["parametersOut"]["overallStatus"] is True and "messages" not in done["parametersOut"]
    u = client(fresh, {"eligibility_answer": "job"})
    assert u.post(VERIFY).status_code == 202


@pytest.mark.parametrize("scenario, codes", [
    (dict(BLOCKED, eligibility_answer="job_failed"), PROBLEMS),
    ({"eligibility_answer": "job_failed"}, ["flr::check_framework_error_1"]),
])
def test_eligibility_failed_job(fresh, sim, scenario, codes):
    u = client(fresh, scenario)
    resp = u.post(VERIFY)
    assert resp.status_code == 202
    job = resp.json()
    assert set(job) >= {"id", "state", "tasks"} and "content" not in job and job["state"] == 2
    sim.advance(5)
    done = u.content("/api/instances/job/%s" % job["id"], compact="true",
                     fields="state,tasks,messageOut,parametersOut,progressPct")
    assert done["state"] == 5
    [task] = done["tasks"]
    assert task["state"] == 3
    assert [m["errorCode"] for m in task["messages"]] == codes
    assert all(m["severity"] == 3 for m in task["messages"])
    assert done["messageOut"]["errorCode"] == codes[0]
    assert done["parametersOut"] == {}


def test_eligibility_unreadable_answers(fresh):
    u = client(fresh, dict(BLOCKED, eligibility_answer="unexpected"))
    content = u.post(VERIFY).json()["content"]
    assert list(content) == ["checkResults"] and len(content["checkResults"]) == 3
    u = client(fresh, {"eligibility_answer": "empty"})
    resp = u.post(VERIFY)
    assert resp.status_code == 200 and resp.content == b""
    assert resp.headers["Content-Type"].startswith("application/json")
    u = client(fresh, {"eligibility_answer": "html"})
    resp = u.post(VERIFY + "?timeout=0")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    with pytest.raises(ValueError):
        resp.json()


def test_eligibility_answer_is_validated_and_live(sim, fresh):
    with pytest.raises(SimulatorError, match="eligibility_answer: one of messages"):
        sim.put_scenario("array-1", {"eligibility_answer": "maybe"})
    u = client(fresh, BLOCKED)
    sim.patch_scenario(u.name, {"eligibility_answer": "status_only"})
    assert u.post(VERIFY).json()["content"]["overallStatus"] is True


# --- changing requests answered unreadably --------------------------------------------------------

SESSION = {"candidate": {"version": CANDIDATE}}


def fault(request, answer, **extra):
    return {"answer_faults": [dict({"request": request, "answer": answer}, **extra)]}


def post_log(u):
    return [r for r in u.sim.requests(u.name) if r["method"] == "POST"]


def statuses(u):
    return [s["status"] for s in u.entries("/api/types/upgradeSession/instances", fields="status")]


@pytest.mark.parametrize("resource", ["upgradeSession", "softwareUpgradeSession"])
def test_create_bare_envelope(fresh, resource):
    u = client(fresh, dict(SESSION, **fault("create", "bare")))
    resp = u.create({"candidate": {"id": "candidate_1"}}, resource)
    assert resp.status_code == 201 and resp.json() == {"id": "Upgrade_5.3.0.120"}
    assert statuses(u) == [1]
    [entry] = post_log(u)
    assert entry["status"] == 201 and entry["note"] == "answer fault: bare after create"
    assert u.sim.state(u.name)["pending"] == {}


@pytest.mark.parametrize("answer, status, ctype", [
    ("empty", 201, "application/json"), ("html", 200, "text/html"), ("500", 500, "application/json"),
    ("502", 502, "text/html"), ("503", 503, "application/json"), ("504", 504, "text/html"),
])
def test_create_applied_then_unreadable(fresh, answer, status, ctype):
    u = client(fresh, dict(SESSION, **fault("create", answer)))
    resp = u.create({"candidate": {"id": "candidate_1"}})
    assert resp.status_code == status and resp.headers["Content-Type"].startswith(ctype)
    if answer == "empty":
        assert resp.content == b""
    if answer in ("500", "503"):
        assert_error(resp, status)
    assert statuses(u) == [1]  # the session was created all the same
    assert post_log(u)[0]["status"] == status


def test_create_reset_and_counted_faults(fresh):
    u = client(fresh, dict(SESSION, **fault("create", "reset", count=2, resource="upgradeSession")))
    assert u.sim.state(u.name)["pending"]["answer_faults"] == [
        {"request": "create", "answer": "reset", "resource": "upgradeSession", "left": 2}]
    with pytest.raises(requests.ConnectionError):
        u.create({"candidate": {"id": "candidate_1"}})
    assert statuses(u) == [1]
    assert_error(u.create({"candidate": {"id": "candidate_1"}}), 409)  # refused: not used up
    entry = post_log(u)[0]
    assert entry["status"] == 0 and entry["note"] == "answer fault: reset after create"
    assert u.sim.state(u.name)["pending"]["answer_faults"][0]["left"] == 1


def test_lose_create_response_is_an_answer_fault(fresh):
    u = client(fresh, dict(SESSION, lose_create_response=True))
    assert u.sim.state(u.name)["pending"] == {"lose_create_response": True}
    with pytest.raises(requests.ConnectionError):
        u.create({"candidate": {"id": "candidate_1"}})
    assert u.sim.state(u.name)["pending"] == {}
    u.sim.patch_scenario(u.name, {"lose_create_response": True})  # re-armed by a PATCH
    assert u.sim.state(u.name)["pending"] == {"lose_create_response": True}


@pytest.mark.parametrize("action, status, after", [
    ("resume", "Upgrade_Paused", 1), ("cancel", "Upgrade_Paused", 5),
    ("acknowledge", "Upgrade_Completed", 7),
])
@pytest.mark.parametrize("answer", ["bare", "empty", "html", "503", "reset"])
def test_session_actions_applied_then_unreadable(fresh, action, status, after, answer):
    u = client(fresh, {"sessions": [{"status": status, "candidate_version": CANDIDATE}],
                       **fault(action, answer)})
    [sid] = [s["id"] for s in u.entries("/api/types/upgradeSession/instances")]
    path = "/api/instances/upgradeSession/%s/action/%s" % (sid, action)
    if answer == "reset":
        with pytest.raises(requests.ConnectionError):
            u.post(path)
    else:
        resp = u.post(path)
        expected = {"bare": 200, "empty": 200, "html": 200, "503": 503}[answer]
        assert resp.status_code == expected
        if answer == "bare":
            assert resp.json() == {"id": sid}
    assert statuses(u) == [after]
    [entry] = post_log(u)
    assert entry["status"] == (0 if answer == "reset" else expected)
    assert entry["note"] == "answer fault: %s after %s" % (answer, action)


def test_resource_limited_fault_spares_the_other_resource(fresh):
    u = client(fresh, {"sessions": [{"status": "Upgrade_Paused", "candidate_version": CANDIDATE}],
                       **fault("resume", "bare", resource="upgradeSession")})
    [sid] = [s["id"] for s in u.entries("/api/types/upgradeSession/instances")]
    resp = u.post("/api/instances/softwareUpgradeSession/%s/action/resume" % sid)
    assert resp.status_code == 204
    assert u.sim.state(u.name)["pending"]["answer_faults"][0]["left"] == 1


@pytest.mark.parametrize("answer", ["bare", "html", "500", "reset"])
def test_upload_applied_then_unreadable(fresh, sim, tmp_path, answer):
    u = client(fresh, fault("upload", answer))
    path = packages.write_candidate(str(tmp_path), CANDIDATE, 4096)
    with open(path, "rb") as fh:
        files = {"filename": (path.rsplit("/", 1)[-1], fh, "application/octet-stream")}
        if answer == "reset":
            with pytest.raises(requests.ConnectionError):
                u.request("POST", "/upload/files/types/candidateSoftwareVersion", files=files)
        else:
            resp = u.request("POST", "/upload/files/types/candidateSoftwareVersion", files=files)
            assert resp.status_code == {"bare": 200, "html": 200, "500": 500}[answer]
            if answer == "bare":
                assert resp.json() == {"id": "candidate_1"}
    sim.advance(10)
    assert [c["version"] for c in u.candidates()] == [CANDIDATE]  # the upload was applied
    [entry] = post_log(u)
    assert entry["note"] == "answer fault: %s after upload" % answer


@pytest.mark.parametrize("value, reason", [
    ({"request": "delete", "answer": "bare"}, "request: one of create"),
    ({"request": "create", "answer": "garbage"}, "answer: one of bare"),
    ({"request": "create", "answer": "bare", "count": 0}, "count: a whole number"),
    ({"request": "upload", "answer": "bare", "resource": "upgradeSession"}, "not for upload"),
    ({"request": "create", "answer": "bare", "when": 1}, "unknown keys"),
])
def test_answer_faults_are_validated(sim, value, reason):
    with pytest.raises(SimulatorError, match=reason):
        sim.put_scenario("array-1", {"answer_faults": [value]})
