"""Where NAS servers and LUNs run: listed through the REST API (reference "Where resources run"),
moved to the peer SP while an SP reboots, failed back after it unless ``auto_failback`` is false;
and health-check sessions with the ``health_check`` messages."""

import time

import pytest
import requests

from unity_sim.launcher import Simulator

from .conftest import CANDIDATE, Unity, Watch, assert_error

FAST = {"candidate": {"version": CANDIDATE}, "upgrade_minutes": 1.5, "reboot_outage_seconds": 4,
        "service_restart_seconds": 4}


@pytest.fixture(scope="module")
def fsim():
    with Simulator(arrays=2, time_scale=120) as running:
        yield running


@pytest.fixture
def make(fsim):
    def make(scenario=None, name="array-1"):
        fsim.put_scenario(name, dict(FAST, **(scenario or {})))
        client = Unity(fsim, name)
        client.login()
        return client
    return make


def placement(u):
    state = u.sim.state(u.name)
    return {item["name"]: (item["home"], item["current"]) for item in state["nas_servers"] + state["luns"]}


def upgrade(u):
    cid = u.candidates()[0]["id"]
    resp = u.create({"candidate": {"id": cid}})
    assert resp.status_code == 201, resp.text
    return resp.json()["content"]["id"]


def test_nas_servers_and_luns_are_listed_with_their_sps(make):
    u = make()
    nas = u.entries("/api/types/nasServer/instances", fields="name,homeSP,currentSP")
    assert nas == [{"id": "nas_1", "name": "nas01", "homeSP": {"id": "spa"}, "currentSP": {"id": "spa"}},
                   {"id": "nas_2", "name": "nas02", "homeSP": {"id": "spb"}, "currentSP": {"id": "spb"}}]
    luns = u.entries("/api/types/lun/instances", fields="name,defaultNode,currentNode")
    assert luns == [{"id": "sv_%d" % i, "name": "lun%02d" % i, "defaultNode": (i - 1) % 2,
                     "currentNode": (i - 1) % 2} for i in range(1, 5)]
    # a reference reaches into the storage processor; without fields= only the id
    assert u.entries("/api/types/nasServer/instances", fields="homeSP.name")[1] == {
        "id": "nas_2", "homeSP": {"id": "spb", "name": "SP B"}}
    assert u.entries("/api/types/lun/instances") == [{"id": "sv_%d" % i} for i in range(1, 5)]
    assert u.content("/api/instances/lun/name:lun02", fields="defaultNode")["defaultNode"] == 1
    assert u.entries("/api/types/lun/instances", fields="name", filter="currentNode eq 1") == [
        {"id": "sv_2", "name": "lun02"}, {"id": "sv_4", "name": "lun04"}]
    assert_error(u.get("/api/types/lun/instances", fields="homeSP"), 422)
    described = u.content("/api/types/nasServer", compact="true",
                          fields="name,attributes.name,attributes.type")
    assert {"name": "currentSP", "type": "storageProcessor"} in described["attributes"]
    lun_type = u.content("/api/types/lun", compact="true", fields="attributes.name,attributes.type")
    assert {"name": "defaultNode", "type": "NodeEnum"} in lun_type["attributes"]
    assert u.content("/api/instances/system/0", fields="isAutoFailbackEnabled") == {
        "id": "0", "isAutoFailbackEnabled": True}


def test_resources_from_the_scenario(make, fsim):
    u = make({"nas_servers": [{"name": "fs-prod", "home": "spb"}, {"name": "fs-away", "current": "spb"}],
              "luns": 0, "auto_failback": False})
    assert u.entries("/api/types/nasServer/instances", fields="name,homeSP,currentSP") == [
        {"id": "nas_1", "name": "fs-prod", "homeSP": {"id": "spb"}, "currentSP": {"id": "spb"}},
        {"id": "nas_2", "name": "fs-away", "homeSP": {"id": "spa"}, "currentSP": {"id": "spb"}}]
    assert u.sim.state(u.name)["away_from_home"] == ["fs-away"]
    assert u.entries("/api/types/lun/instances") == []
    assert u.content("/api/instances/system/0", fields="isAutoFailbackEnabled")["isAutoFailbackEnabled"] is False
    for bad, text in (({"luns": -1}, "luns: -1 is out of range"),
                      ({"nas_servers": [{"name": "x", "home": "spc"}]}, "nas_servers[0]"),
                      ({"luns": [{"name": "a"}, {"name": "a"}]}, "luns: names repeat"),
                      ({"auto_failback": "no"}, "auto_failback: true or false"),
                      ({"health_check": {"blocking": [1]}}, "health_check.blocking")):
        resp = requests.put(fsim.admin + "/arrays/array-2/scenario", json=bad, timeout=5)
        assert resp.status_code == 400 and text in resp.json()["error"], (bad, resp.text)


def test_reboots_move_resources_to_the_peer_and_back(make):
    u = make({"upgrade_minutes": 6, "reboot_outage_seconds": 40, "service_restart_seconds": 40})
    sid = upgrade(u)
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = u.sim.state(u.name)
        now = {item["name"]: item["current"] for item in state["nas_servers"] + state["luns"]}
        if not seen or seen[-1] != now:
            seen.append(now)
        if state["sessions"][0]["status_name"] != "Upgrade_In_Progress":
            break
        time.sleep(0.01)
    home = {"nas01": "spa", "nas02": "spb", "lun01": "spa", "lun02": "spb", "lun03": "spa", "lun04": "spb"}
    on = {sp: dict.fromkeys(home, sp) for sp in ("spa", "spb")}
    # home; SP B reboots: all on SP A; back home; SP A reboots: all on SP B; home
    assert seen == [home, on["spa"], home, on["spb"], home], seen
    assert Watch(u, sid).until({2, 3})["status"] == 2
    assert u.sim.state(u.name)["away_from_home"] == []


def test_without_auto_failback_everything_stays_on_spb(make):
    u = make({"auto_failback": False})
    sid = upgrade(u)
    assert Watch(u, sid).until({2, 3})["status"] == 2
    assert set(placement(u).values()) == {("spa", "spb"), ("spb", "spb")}
    assert u.sim.state(u.name)["away_from_home"] == ["nas01", "lun01", "lun03"]
    nas = u.entries("/api/types/nasServer/instances", fields="homeSP,currentSP")[0]
    assert nas == {"id": "nas_1", "homeSP": {"id": "spa"}, "currentSP": {"id": "spb"}}
    assert u.entries("/api/types/lun/instances", fields="defaultNode,currentNode")[0] == {
        "id": "sv_1", "defaultNode": 0, "currentNode": 1}


def test_failback_seconds_delays_the_return(make, fsim):
    u = make({"failback_seconds": 600})
    sid = upgrade(u)
    assert Watch(u, sid).until({2, 3})["status"] == 2
    # SP B's resources went home when SP A rebooted (everything on SP A moved to SP B)
    assert u.sim.state(u.name)["away_from_home"] == ["nas01", "lun01", "lun03"]
    fsim.advance(600)
    assert u.sim.state(u.name)["away_from_home"] == []


def test_health_check_messages_from_the_scenario(make):
    warn = make({"health_check": {"warnings": ["flr::check_host_multipathing_1"]}})
    sid = warn.create({"type": 1}).json()["content"]["id"]
    done = Watch(warn, sid).until({2, 3})
    assert done["status"] == 2
    assert [(m["errorCode"], m["severity"]) for m in done["messages"]] == [("flr::check_host_multipathing_1", 4)]
    block = make({"health_check": {"blocking": ["flr::check_if_storage_pool_recovery_is_required_3"],
                                   "warnings": ["flr::check_drive_firmware_1"]}})
    sid = block.create({"type": 1}).json()["content"]["id"]
    failed = Watch(block, sid).until({2, 3})
    assert failed["status"] == 3
    assert [(m["errorCode"], m["severity"]) for m in failed["messages"]] == [
        ("flr::check_if_storage_pool_recovery_is_required_3", 3), ("flr::check_drive_firmware_1", 4)]
    # the health_check codes are the health-check session's, not the upgrade's nor eligibility's
    verdict = block.post("/api/types/upgradeSession/action/verifyUpgradeEligibility").json()
    assert verdict["content"]["messages"] == []
