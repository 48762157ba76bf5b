"""Each resource's shape: the attribute names and value types of the reference (REAL where a
capture exists, DOC otherwise)."""

import re

from .conftest import CANDIDATE, assert_error

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
INTERVAL = re.compile(r"^\d{2,}:\d\d:\d\d\.000$")  # whole seconds, as in the real capture


FIELDS = {
    "system": "name,model,serialNumber,platform,health,isUpgradeComplete,supportedUpgradeModels,"
              "macAddress,internalModel,isEULAAccepted,isAutoFailbackEnabled,currentPower,avgPower",
    "storageProcessor": "parent,health,needsReplacement,isRescueMode,model,slotNumber,name,"
                        "emcPartNumber,emcSerialNumber,manufacturer,vendorPartNumber,"
                        "vendorSerialNumber,sasExpanderVersion,biosFirmwareRevision,"
                        "postFirmwareRevision,memorySize,parentDpe,modelName",
    "installedSoftwareVersion": "version,revision,releaseDate,fullVersion,languages,hotFixes,"
                                "packageVersions,driveFirmware",
    "upgradeSession": "type,candidate,caption,status,messages,creationTime,elapsedTime,"
                      "percentComplete,tasks",
}


def all_fields(u, typ):
    return FIELDS[typ]


def test_basic_system_info(fresh):
    u = fresh({"software_version": "5.3.0.0.5.120", "model": "Unity 380F", "name": "CKM01204905476"})
    content = u.entries("/api/types/basicSystemInfo/instances",
                        fields="model,name,softwareVersion,softwareFullVersion,apiVersion,"
                               "earliestApiVersion")
    assert content == [{"id": "0", "model": "Unity 380F", "name": "CKM01204905476",
                        "softwareVersion": "5.3.0",
                        "softwareFullVersion": "Unity 5.3.0.0 (Release, Build 120, "
                                               "2023-03-18 19:02:01, 5.3.0.0.5.120)",
                        "apiVersion": "13.0", "earliestApiVersion": "4.0"}]
    default = fresh()
    info = default.entries("/api/types/basicSystemInfo/instances", fields="softwareVersion,"
                           "softwareFullVersion,apiVersion")[0]
    assert info["softwareVersion"] == "5.2.0" and info["apiVersion"] == "12.0"
    assert info["softwareFullVersion"] == ("Unity 5.2.0.0 (Release, Build 173, 2022-11-10 "
                                           "10:00:00, 5.2.0.0.5.173)")


def test_system_health_and_upgrade_flags(fresh):
    u = fresh({"health": "DEGRADED", "serial": "FNM00151200215", "supported_upgrade_models": ["SP680"]})
    u.login()
    system = u.content("/api/instances/system/0", fields=all_fields(u, "system"))
    for key in ("name", "model", "serialNumber", "platform", "health", "isUpgradeComplete",
                "supportedUpgradeModels", "macAddress", "internalModel"):
        assert key in system
    assert system["serialNumber"] == "FNM00151200215"
    assert system["isUpgradeComplete"] is True and system["supportedUpgradeModels"] == [13]
    health = system["health"]
    assert set(health) == {"value", "descriptionIds", "descriptions", "resolutionIds", "resolutions"}
    assert health["value"] == 10 and health["descriptionIds"] == ["ALRT_SYSTEM_DEGRADED"]
    assert health["resolutions"][0].startswith("/help/webhelp/")
    for name, value, did in (("OK", 5, "ALRT_SYSTEM_OK"), ("OK_BUT", 7, "ALRT_SYSTEM_OK_BUT"),
                             ("MAJOR", 20, "ALRT_SYSTEM_MAJOR_FAILURE"),
                             ("CRITICAL", 25, "ALRT_SYSTEM_CRITICAL_FAILURE")):
        v = fresh({"health": name})
        v.login()
        h = v.content("/api/instances/system/0", fields="health")["health"]
        assert (h["value"], h["descriptionIds"]) == (value, [did])
        assert h["descriptions"][0].endswith(".")


def test_storage_processors(fresh):
    u = fresh({"sp_health": {"spa": "OK", "spb": "MAJOR"}, "model": "Unity 380F"})
    u.login()
    sps = u.entries("/api/types/storageProcessor/instances", fields=all_fields(u, "storageProcessor"))
    assert [sp["name"] for sp in sps] == ["SP A", "SP B"]
    spa, spb = sps
    for key in ("health", "isRescueMode", "model", "modelName", "slotNumber", "needsReplacement",
                "memorySize", "parentDpe", "parent", "emcSerialNumber", "biosFirmwareRevision"):
        assert key in spa
    assert spa["health"] == {"value": 5, "descriptionIds": ["ALRT_COMPONENT_OK"],
                             "descriptions": ["The component is operating normally. No action is "
                                              "required."]}
    assert spb["health"]["value"] == 20 and spb["health"]["resolutionIds"]
    assert spa["modelName"] == 11 and spa["slotNumber"] == 0 and spb["slotNumber"] == 1
    assert spa["parentDpe"] == {"id": "dpe"} and spa["isRescueMode"] is False
    one = fresh({"sp_health": "MINOR"}, name="array-2")
    one.login()
    assert [sp["health"]["value"] for sp in one.entries(
        "/api/types/storageProcessor/instances", fields="health")] == [15, 15]


def test_installed_software_version(fresh):
    u = fresh({"software_version": "5.3.0.0.5.120", "hot_fixes": ["HF-1"]})
    u.login()
    [installed] = u.entries("/api/types/installedSoftwareVersion/instances",
                            fields=all_fields(u, "installedSoftwareVersion"))
    assert installed["id"] == "5.3.0.0.5.120" and installed["version"] == "5.3.0"
    assert installed["fullVersion"].startswith("Unity 5.3.0.0 (Release, Build 120")
    assert installed["revision"] == 120 and ISO.match(installed["releaseDate"])
    assert installed["hotFixes"] == ["HF-1"]
    assert installed["languages"] and set(installed["languages"][0]) == {"name", "version"}
    assert {p["name"] for p in installed["packageVersions"]} >= {"Unity"}
    [firmware] = installed["driveFirmware"]
    assert firmware == {"name": "Unity-Drive-Firmware-V20-2022-06-13.tgz.bin.gpg",
                        "version": "4.3.0.1499782821", "releaseDate": "2022-06-13T23:24:01.000Z",
                        "upgradableDriveCount": 0, "estimatedTime": 0, "isNewerVersion": False}


def test_candidate_software_version(fresh):
    u = fresh()
    u.login()
    body = u.get("/api/types/candidateSoftwareVersion/instances").json()
    assert body["entries"] == []  # as the real empty list
    u = fresh({"candidate": {"version": CANDIDATE}})
    u.login()
    [cand] = u.candidates()
    assert cand["id"] == "candidate_1" and CANDIDATE not in cand["id"]
    assert cand["version"] == CANDIDATE
    assert cand["fullVersion"] == "Unity 5.3.0.0 (Release, Build 120, 2023-03-18 19:02:01, %s)" % CANDIDATE
    assert cand["type"] == 0 and cand["revision"] == 120 and ISO.match(cand["releaseDate"])
    assert cand["rebootRequired"] is True and cand["canPauseBeforeReboot"] is True
    assert_error(u.request("DELETE", "/api/instances/candidateSoftwareVersion/candidate_1"), 405)


def test_upgrade_session_shape(fresh):
    u = fresh({"candidate": {"version": CANDIDATE}})
    u.login()
    cid = u.candidates()[0]["id"]
    resp = u.create({"candidate": {"id": cid}, "pauseBeforeReboot": True})
    assert resp.status_code == 201
    created = resp.json()
    sid = created["content"]["id"]
    assert sid == "Upgrade_5.3.0.120"
    assert created == {"@base": u.base + "/api/instances/upgradeSession",
                       "updated": created["updated"], "links": [{"rel": "self", "href": "/" + sid}],
                       "content": {"id": sid}}
    for resource in ("upgradeSession", "softwareUpgradeSession"):
        session = u.content("/api/instances/%s/%s" % (resource, sid),
                            fields=all_fields(u, "upgradeSession"), compact="true")
        assert set(session) == {"id", "type", "candidate", "caption", "status", "messages",
                                "creationTime", "elapsedTime", "percentComplete", "tasks"}
        assert session["caption"] == sid and session["type"] == 0
        assert session["candidate"] == {"id": cid} and session["status"] in (1, 6)
        assert ISO.match(session["creationTime"]) and INTERVAL.match(session["elapsedTime"])
        assert 0 <= session["percentComplete"] <= 100
        assert len(session["tasks"]) == 12
        for task in session["tasks"]:
            assert set(task) == {"caption", "creationTime", "status", "type", "estRemainTime"}
            assert INTERVAL.match(task["estRemainTime"]) and ISO.match(task["creationTime"])


def test_job_and_error_for_unknown_job(fresh):
    u = fresh()
    u.login()
    resp = u.post("/api/types/upgradeSession/action/verifyUpgradeEligibility?timeout=0")
    assert resp.status_code == 202
    job = resp.json()
    assert "content" not in job  # a bare job object
    for key in ("id", "state", "instanceId", "description", "stateChangeTime", "submitTime",
                "startTime", "elapsedTime", "estRemainTime", "progressPct", "tasks", "owner",
                "requestId", "methodName", "parametersOut", "isJobCancelable", "isJobCancelled",
                "clientData"):
        assert key in job
    assert job["state"] in (1, 2) and job["id"].startswith("N-")
    got = u.content("/api/instances/job/%s" % job["id"], fields="state,progressPct", compact="true")
    assert set(got) == {"id", "state", "progressPct"}
    assert_error(u.get("/api/instances/job/N-1"), 404)
