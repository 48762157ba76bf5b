"""OE generations (``oe``, issue 11 section 3) and what generic clients ask first (section 5): the
type-description query with attribute fields, and instance reads of the singletons by id."""

import pytest
import requests

from unity_sim.launcher import SimulatorError
from unity_sim.resources import TYPES

from .conftest import CANDIDATE, assert_error

DESCRIBE = ("attributes.description,attributes.displayValue,attributes.initialValue,attributes.name,"
            "attributes.type,description,documentation,name,type")
SERVED = sorted(TYPES)


def basic(u, fields):
    return requests.get(u.base + "/api/instances/basicSystemInfo/0", verify=u.ca, timeout=5,
                        params={"compact": "True", "fields": fields})


def client(fresh, scenario=None):
    u = fresh(scenario)
    u.login()
    return u


# --- type descriptions -------------------------------------------------------------------------

@pytest.mark.parametrize("type_name", SERVED)
def test_type_description_with_attribute_fields(fresh, type_name):
    u = client(fresh)
    resp = u.get("/api/types/%s" % type_name, compact="True", fields=DESCRIBE)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert list(body) == ["content"] and set(body["content"]) == {"name", "attributes"}
    content = body["content"]
    assert content["name"] == type_name
    attributes = content["attributes"]
    assert sorted(a["name"] for a in attributes) == sorted(TYPES[type_name].fields)
    for attribute in attributes:
        assert set(attribute) == {"name", "type", "description", "displayValue"}
        assert attribute["displayValue"] == attribute["name"]
        assert attribute["type"] and attribute["description"].strip()


def test_type_description_shapes(fresh):
    u = client(fresh)
    resp = requests.get(u.base + "/api/types/basicSystemInfo", verify=u.ca, timeout=5,
                        params={"compact": "True", "fields": DESCRIBE})  # no auth, as its instances
    assert resp.status_code == 200
    by_name = {a["name"]: a for a in resp.json()["content"]["attributes"]}
    assert by_name["apiVersion"] == {
        "name": "apiVersion", "type": "String", "displayValue": "apiVersion",
        "description": "Latest version of the REST API that this storage system supports. "}
    full = u.get("/api/types/system", fields="name,attributes.name").json()
    assert set(full) == {"@base", "updated", "links", "content"}
    assert full["content"]["attributes"][0] == {"name": "avgPower"}
    plain = u.get("/api/types/system").json()["content"]  # without fields=: as before
    assert plain["attributes"][0] == {"name": "avgPower"} and plain["name"] == "system"
    assert_error(u.get("/api/types/system", fields="attributes.color"), 422)


# --- instance reads of the singletons ----------------------------------------------------------

@pytest.mark.parametrize("path, fields", [
    ("system/0", "health,isUpgradeComplete,model,name"),
    ("basicSystemInfo/0", "model,softwareVersion,apiVersion"),
    ("storageProcessor/spa", "health.value,name"),
    ("installedSoftwareVersion/5.2.0.0.5.173", "version,fullVersion"),
    ("loginSessionInfo/admin", "idleTimeout,isPasswordChangeRequired"),
    ("user/user_admin", "name"),
])
def test_singleton_instances_by_id(fresh, path, fields):
    u = client(fresh)
    content = u.content("/api/instances/%s" % path, compact="True", fields=fields)
    assert content["id"] == path.split("/")[1]
    assert set(content) == {"id"} | {f.split(".")[0] for f in fields.split(",")}


# --- OE generations ------------------------------------------------------------------------------

GENERATIONS = [
    ("4.5", "4.5.1.0.5.001", "4.5.1", "9.0", False, False),
    ("5.0", "5.0.3.0.5.134", "5.0.3", "10.0", False, True),
    ("5.1", "5.1.2.0.5.007", "5.1.2", "11.0", True, True),
    ("5.2", "5.2.0.0.5.173", "5.2.0", "12.0", True, True),
    ("5.3", "5.3.0.0.5.120", "5.3.0", "13.0", True, True),
    ("5.4", "5.4.0.0.5.094", "5.4.0", "14.0", True, True),
]


@pytest.mark.parametrize("oe, version, short, api, has_sfv, has_full", GENERATIONS)
def test_generation_answers(fresh, oe, version, short, api, has_sfv, has_full):
    u = client(fresh, {"oe": oe})
    assert u.sim.state(u.name)["software_version"] == version
    resp = basic(u, "softwareVersion,apiVersion,earliestApiVersion")
    assert resp.json()["content"] == {"id": "0", "softwareVersion": short, "apiVersion": api,
                                      "earliestApiVersion": "4.0"}
    resp = basic(u, "softwareVersion,softwareFullVersion")
    if has_sfv:
        assert resp.json()["content"]["softwareFullVersion"].endswith(version + ")")
    else:
        error = assert_error(resp, 422)
        assert error["errorCode"] == 0x7d13007
        assert "softwareFullVersion" in error["messages"][0]["en-US"]
    for path in ("/api/types/installedSoftwareVersion/instances",
                 "/api/types/candidateSoftwareVersion/instances"):
        resp = u.get(path, compact="true", fields="version,fullVersion")
        if has_full:
            assert resp.status_code == 200
        else:
            assert assert_error(resp, 422)["errorCode"] == 0x7d13007
    described = u.get("/api/types/basicSystemInfo", compact="True", fields=DESCRIBE).json()
    names = {a["name"] for a in described["content"]["attributes"]}
    assert ("softwareFullVersion" in names) == has_sfv
    for resource in ("upgradeSession", "softwareUpgradeSession"):
        assert u.get("/api/types/%s/instances" % resource).status_code == 200


def test_generation_hides_fields_everywhere(fresh):
    u = client(fresh, {"oe": "4.5", "candidate": {"version": "4.5.2.0.5.009"},
                       "sessions": [{"status": "Upgrade_Paused", "candidate_version": "4.5.2.0.5.009"}]})
    [cand] = u.entries("/api/types/candidateSoftwareVersion/instances", fields="version,type")
    assert cand["version"] == "4.5.2.0.5.009"
    for params in ({"fields": "candidate.fullVersion"}, {"filter": 'fullVersion lk "Unity%"'},
                   {"orderby": "fullVersion"}):
        resource = "upgradeSession" if "candidate.fullVersion" in params.values() \
            else "candidateSoftwareVersion"
        assert_error(u.get("/api/types/%s/instances" % resource, **params), 422)
    installed = u.content("/api/instances/installedSoftwareVersion/4.5.1.0.5.001",
                          fields="version,revision")
    assert installed["version"] == "4.5.1"


def test_generation_follows_the_installed_version(fresh, sim):
    u = client(fresh, {"oe": "5.0", "candidate": {"version": "5.2.0.0.5.173"},
                       "upgrade_minutes": 0.5, "reboot_outage_seconds": 0,
                       "service_restart_seconds": 0})
    assert_error(basic(u, "softwareFullVersion"), 422)
    assert u.create({"candidate": {"id": "candidate_1"}}).status_code == 201
    sim.advance(60)
    assert sim.state(u.name)["software_version"] == "5.2.0.0.5.173"
    content = basic(u, "softwareVersion,softwareFullVersion,apiVersion").json()["content"]
    assert content["softwareVersion"] == "5.2.0" and content["apiVersion"] == "12.0"
    assert "softwareFullVersion" in content


def test_default_serves_every_field(fresh):
    u = client(fresh, {"software_version": "4.5.1.0.5.001"})  # no oe: as before
    assert "softwareFullVersion" in basic(u, "softwareFullVersion").json()["content"]


@pytest.mark.parametrize("scenario, reason", [
    ({"oe": "6.0"}, "oe: one of 4.5, 5.0"),
    ({"oe": "5.2", "software_version": CANDIDATE}, "not an OE 5.2 version"),
])
def test_generation_is_validated(sim, scenario, reason):
    with pytest.raises(SimulatorError, match=reason):
        sim.put_scenario("array-1", scenario)
    with pytest.raises(SimulatorError, match="need PUT"):
        sim.patch_scenario("array-1", {"oe": "5.3"})
