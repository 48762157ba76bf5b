"""Upgrade sessions on the virtual clock: the task walk, SP-reboot outages, pauses, failures,
resume / cancel / acknowledge, create rules, eligibility, the softwareUpgradeSession-only array."""

import time

import pytest
import requests

from unity_sim.launcher import Simulator

from .conftest import CANDIDATE, Unity, Watch, assert_error

CAPTIONS = ["Preparing system", "Performing health checks", "Preparing system software",
            "Waiting for reboot command", "Performing health checks",
            "Installing new software on peer SP", "Rebooting peer SP",
            "Restarting services on peer SP", "Installing new software on primary SP",
            "Rebooting the primary SP", "Restarting services on primary SP", "Final tasks"]
FAST = {"candidate": {"version": CANDIDATE}, "upgrade_minutes": 1.5, "reboot_outage_seconds": 4,
        "service_restart_seconds": 4}


@pytest.fixture(scope="module")
def usim():
    with Simulator(arrays=4, time_scale=120) as running:
        yield running


@pytest.fixture
def make(usim):
    def make(scenario=None, name="array-1"):
        usim.put_scenario(name, dict(FAST, **(scenario or {})))
        usim.clear_requests(name)
        client = Unity(usim, name)
        client.login()
        return client
    return make


def start(u, resource="upgradeSession", **body):
    cid = u.candidates()[0]["id"]
    resp = u.create(dict({"candidate": {"id": cid}}, **body), resource)
    assert resp.status_code == 201, resp.text
    return resp.json()["content"]["id"]


def version(u):
    return requests.get(u.base + "/api/instances/basicSystemInfo/0", verify=u.ca, timeout=5,
                        params={"fields": "softwareVersion,softwareFullVersion"}).json()["content"]


def test_full_upgrade_walks_the_tasks_through_both_outages(make):
    u = make({"upgrade_minutes": 6, "reboot_outage_seconds": 40, "service_restart_seconds": 40})
    assert u.content("/api/instances/system/0", fields="isUpgradeComplete")["isUpgradeComplete"]
    sid = start(u)
    first = u.session(sid)
    assert first["status"] == 1 and [t["caption"] for t in first["tasks"]] == CAPTIONS
    assert not u.content("/api/instances/system/0", fields="isUpgradeComplete")["isUpgradeComplete"]
    watch = Watch(u, sid)
    done = watch.until({2, 3, 4}, timeout=20)
    assert done["status"] == 2 and done["percentComplete"] == 100
    assert all(t["status"] == 2 for t in done["tasks"]) and done["messages"] == []
    kinds = watch.kinds()
    # two outages, each: refused, then 503 while services restart, then 401 for the old cookie
    text = " ".join(k for k in kinds if k != "reset")
    assert text.count("refused 503 401 ok") == 2, kinds
    percents = watch.percents()
    assert percents == sorted(percents) and percents[0] < 50
    # the upgrade went on while the API was gone: percent jumped across each outage
    assert version(u) == {"id": "0", "softwareVersion": "5.3.0",
                          "softwareFullVersion": "Unity 5.3.0.0 (Release, Build 120, "
                                                 "2023-03-18 19:02:01, 5.3.0.0.5.120)"}
    [installed] = u.entries("/api/types/installedSoftwareVersion/instances", fields="version")
    assert installed == {"id": CANDIDATE, "version": "5.3.0"}
    assert u.candidates() == []
    assert u.content("/api/instances/system/0", fields="isUpgradeComplete")["isUpgradeComplete"]
    state = u.sim.state(u.name)
    assert state["software_version"] == CANDIDATE
    assert state["sessions"][0]["status_name"] == "Upgrade_Completed"
    # the request log saw the 503s; refused connections never reach it
    assert any(r["status"] == 503 for r in u.sim.requests(u.name))


def test_basic_system_info_is_gone_during_the_outage(make):
    u = make({"upgrade_minutes": 6, "reboot_outage_seconds": 40, "service_restart_seconds": 40})
    start(u)
    array = u.sim.array(u.name)
    states = []
    for dummy in range(400):
        try:
            code = requests.get(u.base + "/api/types/basicSystemInfo/instances", verify=u.ca,
                                timeout=2).status_code
        except requests.ConnectionError:
            code = "down"
        if not states or states[-1] != code:
            states.append(code)
        if states[-3:] == [200, "down", 503]:
            break
        time.sleep(0.02)
    assert states[-3:] == [200, "down", 503], states
    assert array["port"]


def test_pause_before_reboot_then_resume(make):
    u = make()
    sid = start(u, pauseBeforeReboot=True)
    paused = Watch(u, sid).until({6, 2, 3})
    assert paused["status"] == 6
    tasks = paused["tasks"]
    assert [t["status"] for t in tasks[:3]] == [2, 2, 2]
    assert tasks[3]["caption"] == "Waiting for reboot command" and tasks[3]["status"] == 6
    assert all(t["status"] == 0 for t in tasks[4:]) and 0 < paused["percentComplete"] < 50
    state = u.sim.state(u.name)
    assert state["outage"] is None and state["is_upgrade_complete"] is False
    # it stays paused
    again = u.session(sid)
    assert again["status"] == 6 and again["elapsedTime"] == paused["elapsedTime"]
    assert_error(u.create({"candidate": {"id": u.candidates()[0]["id"]}}), 409)
    assert u.post("/api/instances/upgradeSession/%s/action/resume" % sid).status_code == 204
    assert u.session(sid)["status"] == 1
    assert Watch(u, sid).until({2, 3, 4})["status"] == 2
    assert version(u)["softwareVersion"] == "5.3.0"


def test_pause_between_reboots_is_past_the_point_of_cancellation(make):
    u = make()
    sid = start(u, pauseBetweenReboots=True)
    paused = Watch(u, sid).until({9, 2, 3})
    assert paused["status"] == 9
    captions = [t["caption"] for t in paused["tasks"] if t["status"] == 2]
    assert captions[-1] == "Restarting services on peer SP" and len(captions) == 8
    assert_error(u.post("/api/instances/upgradeSession/%s/action/cancel" % sid), 409)
    assert u.post("/api/instances/upgradeSession/%s/action/resume" % sid).status_code == 204
    assert Watch(u, sid).until({2, 3, 4})["status"] == 2


def test_fail_at_task_then_resume_retries_that_task_once(make):
    u = make({"fail_at_task": "Installing new software on peer SP"})
    sid = start(u)
    failed = Watch(u, sid).until({3, 2})
    assert failed["status"] == 3
    task = failed["tasks"][5]
    assert task["caption"] == "Installing new software on peer SP" and task["status"] == 3
    [message] = failed["messages"]
    assert set(message) == {"errorCode", "messages", "severity", "httpStatus"}
    assert isinstance(message["errorCode"], str) and message["severity"] == 3
    assert message["messages"][0]["locale"] == "en_US"
    assert message["messages"][0]["message"].endswith("[Error Code: %s]" % message["errorCode"])
    assert u.sim.state(u.name)["pending"] == {}  # the one-shot failure is used up
    assert u.post("/api/instances/upgradeSession/%s/action/resume" % sid).status_code == 204
    resumed = u.session(sid)
    assert resumed["status"] == 1 and resumed["messages"] == []
    assert resumed["tasks"][5]["status"] == 1
    assert Watch(u, sid).until({2, 3, 4})["status"] == 2


def test_failed_lock_resumes_but_cannot_be_cancelled(make):
    u = make({"fail_at_task": "Installing new software on primary SP",
              "fail_status": "Upgrade_Failed_Lock"})
    sid = start(u)
    failed = Watch(u, sid).until({4, 2, 3})
    assert failed["status"] == 4 and failed["messages"][0]["severity"] == 2
    assert_error(u.post("/api/instances/upgradeSession/%s/action/cancel" % sid), 409)
    assert_error(u.post("/api/instances/upgradeSession/%s/action/acknowledge" % sid), 409)
    assert u.post("/api/instances/upgradeSession/%s/action/resume" % sid).status_code == 204
    assert Watch(u, sid).until({2, 3, 4})["status"] == 2


def test_cancel_removes_the_candidate_then_acknowledge(make):
    u = make()
    sid = start(u, pauseBeforeReboot=True)
    assert_error(u.post("/api/instances/upgradeSession/%s/action/acknowledge" % sid), 409)
    assert_error(u.post("/api/instances/upgradeSession/%s/action/resume" % sid), 409)
    Watch(u, sid).until({6})
    assert u.post("/api/instances/upgradeSession/%s/action/cancel" % sid).status_code == 204
    assert u.session(sid)["status"] == 5
    assert u.candidates() == []
    assert_error(u.post("/api/instances/upgradeSession/%s/action/resume" % sid), 409)
    assert u.post("/api/instances/upgradeSession/%s/action/acknowledge" % sid).status_code == 204
    assert u.session(sid)["status"] == 7
    assert version(u)["softwareVersion"] == "5.2.0"
    assert_error(u.post("/api/instances/upgradeSession/nope/action/cancel"), 404)


def test_completed_session_is_acknowledged_and_old_sessions_persist(make):
    u = make({"upgrade_minutes": 1, "reboot_outage_seconds": 1, "service_restart_seconds": 1})
    sid = start(u)
    Watch(u, sid).until({2})
    assert u.post("/api/instances/upgradeSession/%s/action/acknowledge" % sid).status_code == 204
    ids = [e["id"] for e in u.entries("/api/types/upgradeSession/instances", fields="status")]
    assert ids == [sid]


def test_create_rules(make, usim):
    u = make({"candidate": None})
    assert_error(u.create({"pauseBeforeReboot": False}), 422)               # nothing uploaded
    u = make()
    assert_error(u.create({"candidate": {"id": CANDIDATE}}), 404)           # the id is opaque
    assert_error(u.create({"candidate": "candidate_1"}), 422)
    assert_error(u.create({"candidate": {"id": "candidate_1"}, "bogus": 1}), 422)
    assert_error(u.create({"candidate": {"id": "candidate_1"}, "type": 7}), 422)
    assert_error(u.create({"candidate": {"id": "candidate_1"}, "type": 2, "selectedModel": 13}), 422)
    bad = u.request("POST", "/api/types/upgradeSession/instances", data=b"{not json",
                    headers={"Content-Type": "application/json"})
    assert_error(bad, 422)
    old = make({"candidate": {"version": "5.1.0.0.5.100"}})
    error = assert_error(old.create({"candidate": {"id": "candidate_1"}}), 422)
    assert "not newer" in error["messages"][0]["en-US"]
    u = make()
    sid = start(u)
    error = assert_error(u.create({"candidate": {"id": "candidate_1"}}), 409)
    assert sid in error["messages"][0]["en-US"]


def test_sp_hardware_upgrade_needs_supported_models(make):
    u = make({"supported_upgrade_models": ["SP680"]})
    assert_error(u.create({"type": 2, "selectedModel": 14}), 422)
    resp = u.create({"type": 2, "selectedModel": 13})
    assert resp.status_code == 201
    session = u.session(resp.json()["content"]["id"])
    assert "candidate" not in session and session["status"] == 1


def test_health_check_session_changes_nothing(make):
    u = make()
    resp = u.create({"type": 1, "candidate": {"id": "candidate_1"}})
    assert resp.status_code == 201
    sid = resp.json()["content"]["id"]
    done = Watch(u, sid).until({2, 3})
    assert done["status"] == 2 and [t["caption"] for t in done["tasks"]] == [
        "Performing health checks"]
    assert version(u)["softwareVersion"] == "5.2.0" and len(u.candidates()) == 1
    sick = make({"health": "DEGRADED", "eligibility": {"blocking": ["flr::check_server_connectivity_2"]}})
    sid = sick.create({"type": 1}).json()["content"]["id"]
    failed = Watch(sick, sid).until({2, 3})
    assert failed["status"] == 3
    codes = [m["errorCode"] for m in failed["messages"]]
    assert codes == ["flr::check_system_health_1", "flr::check_server_connectivity_2"]


def test_unhealthy_array_fails_the_upgrade_at_health_checks(make):
    u = make({"sp_health": {"spb": "MAJOR"}})
    sid = start(u)
    failed = Watch(u, sid).until({3, 2})
    assert failed["tasks"][1]["status"] == 3 and failed["tasks"][1]["caption"] == "Performing health checks"
    assert failed["messages"][0]["errorCode"] == "flr::check_sp_health_1"
    usim = u.sim
    usim.patch_scenario(u.name, {"sp_health": "OK"})   # fix it, then resume
    assert u.post("/api/instances/upgradeSession/%s/action/resume" % sid).status_code == 204
    assert Watch(u, sid).until({2, 3})["status"] == 2


def test_software_upgrade_session_only_array(make):
    u = make({"session_resources": ["softwareUpgradeSession"]})
    assert_error(u.get("/api/types/upgradeSession/instances"), 404)
    assert_error(u.post("/api/types/upgradeSession/action/verifyUpgradeEligibility"), 404)
    assert_error(u.create({"candidate": {"id": "candidate_1"}, "pauseBetweenReboots": True},
                          "softwareUpgradeSession"), 422)
    sid = start(u, "softwareUpgradeSession", pauseBeforeReboot=True)
    watch = Watch(u, sid, "softwareUpgradeSession")
    assert watch.until({6})["status"] == 6
    assert_error(u.post("/api/instances/softwareUpgradeSession/%s/action/cancel" % sid), 404)
    assert u.post("/api/instances/softwareUpgradeSession/%s/action/resume" % sid).status_code == 204
    assert watch.until({2, 3})["status"] == 2
    assert u.entries("/api/types/softwareUpgradeSession/instances", fields="status") == [
        {"id": sid, "status": 2}]


def test_sessions_from_the_scenario(make):
    u = make({"candidate": None, "sessions": [
        {"status": "Upgrade_Completed", "candidate_version": "5.1.0.0.5.100"},
        {"status": 6, "candidate_version": CANDIDATE}]})
    sessions = u.entries("/api/types/upgradeSession/instances", fields="status,candidate,tasks")
    assert [(s["id"], s["status"]) for s in sessions] == [("Upgrade_5.1.0.100", 2),
                                                          ("Upgrade_5.3.0.120", 6)]
    assert sessions[1]["tasks"][3]["status"] == 6
    [cand] = u.candidates()
    assert cand["version"] == CANDIDATE and sessions[1]["candidate"] == {"id": cand["id"]}
    assert u.post("/api/instances/upgradeSession/Upgrade_5.3.0.120/action/resume").status_code == 204
    assert Watch(u, "Upgrade_5.3.0.120").until({2, 3})["status"] == 2
    assert version(u)["softwareVersion"] == "5.3.0"


def test_lost_create_response_still_creates_the_session_once(make):
    u = make({"lose_create_response": True})
    with pytest.raises(requests.ConnectionError):
        u.create({"candidate": {"id": "candidate_1"}})
    sessions = u.entries("/api/types/upgradeSession/instances", fields="status")
    assert [s["status"] for s in sessions] == [1]
    assert_error(u.create({"candidate": {"id": "candidate_1"}}), 409)  # no second session
    log = [r for r in u.sim.requests(u.name) if r["method"] == "POST"]
    assert log[0]["status"] == 0 and log[0]["note"] == "create response lost"


def test_eligibility_messages(make):
    u = make()
    resp = u.post("/api/types/upgradeSession/action/verifyUpgradeEligibility")
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"@base", "updated", "links", "content"}
    assert body["@base"] == u.base + "/api/types/upgradeSession/action/verifyUpgradeEligibility"
    assert body["content"] == {"messages": []}
    u = make({"health": "MAJOR", "sp_health": {"spa": "DEGRADED"},
              "eligibility": {"blocking": ["flr::check_server_connectivity_2"],
                              "warnings": ["flr::check_replication_sessions_1", "x::y_1"]}})
    messages = u.post("/api/types/softwareUpgradeSession/action/verifyUpgradeEligibility"
                      ).json()["content"]["messages"]
    assert [(m["errorCode"], m["severity"]) for m in messages] == [
        ("flr::check_system_health_1", 3), ("flr::check_sp_health_1", 3),
        ("flr::check_server_connectivity_2", 3), ("flr::check_replication_sessions_1", 4),
        ("x::y_1", 4)]
    for m in messages:
        assert set(m) == {"errorCode", "messages", "severity", "httpStatus"}
        [text] = m["messages"]
        assert text["locale"] == "en_US"
        assert text["message"].endswith("[Error Code: %s]" % m["errorCode"])
    assert messages[2]["messages"][0]["message"].startswith(
        "The health check has failed. If an SP has to fail over, one or more of your servers do "
        "not have redundant communication paths")
    assert "MAJOR" in messages[0]["messages"][0]["message"]


def test_eligibility_async_job(make, usim):
    u = make({"eligibility": {"blocking": ["flr::check_server_connectivity_2"]}})
    resp = u.post("/api/types/upgradeSession/action/verifyUpgradeEligibility?timeout=0")
    assert resp.status_code == 202
    job = resp.json()
    assert job["state"] == 2 and job["parametersOut"] == {}
    usim.advance(5)
    done = u.content("/api/instances/job/%s" % job["id"], compact="true",
                     fields="state,progressPct,parametersOut,messageOut")
    assert done["state"] == 4 and done["progressPct"] == 100
    assert [m["errorCode"] for m in done["parametersOut"]["messages"]] == [
        "flr::check_server_connectivity_2"]
    assert done["messageOut"]["errorCode"] == "flr::check_server_connectivity_2"
    always = make({"eligibility_async": True})
    assert always.post("/api/types/upgradeSession/action/verifyUpgradeEligibility").status_code == 202
