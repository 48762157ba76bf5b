"""fields / compact / filter / orderby / paging and the envelopes (reference 2.1, 2.2)."""

import pytest

from .conftest import CANDIDATE, assert_error

SP = "/api/types/storageProcessor/instances"
SESSIONS = "/api/types/upgradeSession/instances"


@pytest.fixture
def u(fresh):
    client = fresh({"health": "MAJOR", "sp_health": {"spb": "DEGRADED"},
                    "sessions": [{"status": "Upgrade_Completed", "candidate_version": v}
                                 for v in ("5.0.0.0.5.100", "5.1.0.0.5.200", "5.1.2.0.5.300",
                                           "5.2.0.0.5.150", "5.1.0.0.5.200")]})
    client.login()
    return client


def test_without_fields_only_id_and_full_envelope(u):
    body = u.get(SP).json()
    assert set(body) == {"@base", "updated", "links", "entries"}
    assert body["@base"] == u.base + "/api/types/storageProcessor/instances?per_page=2000"
    assert body["links"] == [{"rel": "self", "href": "&page=1"}]
    entry = body["entries"][0]
    assert set(entry) == {"@base", "updated", "links", "content"}
    assert entry["@base"] == u.base + "/api/instances/storageProcessor"
    assert entry["links"] == [{"rel": "self", "href": "/spa"}]
    assert [e["content"] for e in body["entries"]] == [{"id": "spa"}, {"id": "spb"}]


def test_compact_drops_entry_metadata_only(u):
    body = u.get(SP, compact="true", fields="name").json()
    assert set(body) == {"@base", "updated", "links", "entries"}
    assert body["@base"].endswith("?fields=name&per_page=2000&compact=true")
    assert body["entries"] == [{"content": {"id": "spa", "name": "SP A"}},
                               {"content": {"id": "spb", "name": "SP B"}}]


def test_instance_envelopes(u):
    body = u.get("/api/instances/system/0", fields="model").json()
    assert set(body) == {"@base", "updated", "links", "content"}
    assert body["links"] == [{"rel": "self", "href": "/0"}]
    assert body["content"] == {"id": "0", "model": "Unity 480F"}
    assert u.get("/api/instances/system/0", fields="model", compact="true").json() == {
        "content": {"id": "0", "model": "Unity 480F"}}
    by_name = u.get("/api/instances/storageProcessor/name:SP B", compact="true").json()
    assert by_name == {"content": {"id": "spb"}}


def test_dot_notation(u):
    sps = u.entries(SP, fields="health.value,name")
    assert sps == [{"id": "spa", "health": {"value": 5}, "name": "SP A"},
                   {"id": "spb", "health": {"value": 10}, "name": "SP B"}]
    system = u.content("/api/instances/system/0", fields="health.value,health.descriptionIds")
    assert system["health"] == {"value": 20, "descriptionIds": ["ALRT_SYSTEM_MAJOR_FAILURE"]}
    session = u.entries(SESSIONS, fields="tasks.caption,tasks.status", per_page="1")[0]
    assert len(session["tasks"]) == 12
    assert session["tasks"][0] == {"caption": "Preparing system", "status": 2}


def test_reference_dot_notation_reads_the_candidate(fresh):
    u = fresh({"candidate": {"version": CANDIDATE}})
    u.login()
    cid = u.candidates()[0]["id"]
    sid = u.create({"candidate": {"id": cid}, "pauseBeforeReboot": True}).json()["content"]["id"]
    got = u.content("/api/instances/upgradeSession/%s" % sid, fields="candidate.version")
    assert got == {"id": sid, "candidate": {"id": cid, "version": CANDIDATE}}


def test_unknown_fields_are_422(u):
    assert_error(u.get(SP, fields="name,bogus"), 422)
    assert_error(u.get("/api/instances/system/0", fields="health.bogus"), 422)
    assert_error(u.get(SESSIONS, fields="tasks.nope"), 422)
    assert_error(u.get(SP, filter='bogus eq 1'), 422)


@pytest.mark.parametrize("expr, ids", [
    ('name eq "SP A"', ["spa"]),
    ('name eq "sp a"', ["spa"]),            # case-insensitive strings
    ('NAME EQ "SP B"', ["spb"]),             # keywords and attribute names too
    ('name ne "SP A"', ["spb"]),
    ("slotNumber gt 0", ["spb"]),
    ("slotNumber ge 0", ["spa", "spb"]),
    ("slotNumber lt 1", ["spa"]),
    ("slotNumber le 1 and health.value ge 10", ["spb"]),
    ('name lk "SP%"', ["spa", "spb"]),
    ('name lk "%_b"', ["spb"]),
    ('id in ("spa", "spx")', ["spa"]),
    ('not (name eq "SP A")', ["spb"]),
    ('(slotNumber eq 1 or name eq "SP A") and not isRescueMode eq true', ["spa", "spb"]),
    ("isRescueMode eq false and memorySize eq 65536", ["spa", "spb"]),
    ("parentDpe.id eq \"dpe\"", ["spa", "spb"]),
])
def test_filters(u, expr, ids):
    assert [e["id"] for e in u.entries(SP, filter=expr)] == ids


def test_filter_on_lists_and_bad_syntax(u):
    assert len(u.entries(SESSIONS, filter="status eq 2 and tasks.caption eq \"Final tasks\"")) == 5
    assert u.entries(SESSIONS, filter='id lk "Upgrade_5.1.0.200%"') == [
        {"id": "Upgrade_5.1.0.200"}, {"id": "Upgrade_5.1.0.200_2"}]
    for bad in ('name eq', 'name zz "x"', '(name eq "x"', 'name eq "x" extra', '"x" eq name'):
        assert_error(u.get(SP, filter=bad), 422)


def test_paging_links_and_entry_count(u):
    body = u.get(SESSIONS, per_page="2", compact="true").json()
    assert [e["content"]["id"] for e in body["entries"]] == ["Upgrade_5.0.0.100",
                                                             "Upgrade_5.1.0.200"]
    assert body["links"] == [{"rel": "self", "href": "&page=1"}, {"rel": "next", "href": "&page=2"}]
    assert "entryCount" not in body
    body = u.get(SESSIONS, per_page="2", page="2", compact="true", with_entrycount="true").json()
    assert body["entryCount"] == 5
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert rels == {"self": "&page=2", "first": "&page=1", "prev": "&page=1", "next": "&page=3",
                    "last": "&page=3"}
    last = u.get(SESSIONS, per_page="2", page="3", compact="true").json()
    assert len(last["entries"]) == 1 and "next" not in {l["rel"] for l in last["links"]}
    assert u.get(SESSIONS, page="9", compact="true").json()["entries"] == []
    # follow next links like a client does
    seen, page = [], 1
    while page:
        body = u.get(SESSIONS, per_page="2", page=str(page), compact="true").json()
        seen += [e["content"]["id"] for e in body["entries"]]
        nxt = [l["href"] for l in body["links"] if l["rel"] == "next"]
        page = int(nxt[0].split("=")[1]) if nxt else None
    assert len(seen) == 5 == len(set(seen))
    big = u.get(SESSIONS, per_page="5000").json()
    assert "per_page=2000" in big["@base"]
    assert_error(u.get(SESSIONS, per_page="zero"), 422)


def test_orderby(u):
    ids = [e["id"] for e in u.entries(SESSIONS, orderby="id desc")]
    assert ids == sorted(ids, reverse=True)


def test_unknown_types_and_instances_are_404(u):
    error = assert_error(u.get("/api/types/users/instances"), 404)
    assert error["errorCode"] == 131149829
    assert error["messages"] == [{"en-US": "The requested resource does not exist. "
                                           "(Error Code:0x7d13005)"}]
    assert_error(u.get("/api/instances/storageProcessor/spz"), 404)
    assert_error(u.get("/api/instances/upgradeSession/Upgrade_9.9.9.9"), 404)
    assert_error(u.get("/nothing/here"), 404)
    assert_error(u.request("PUT", "/api/instances/system/0"), 405)
    assert_error(u.request("DELETE", "/api/instances/candidateSoftwareVersion/candidate_1"), 404)
