"""Login, cookies, the CSRF token, 302 and 401 rules, logout, idle timeout (reference section 1)."""

import base64

import requests

from .conftest import Unity, assert_error

LOGIN = "/api/types/loginSessionInfo/instances"


def test_missing_rest_client_header_redirects_without_json(fresh):
    u = fresh()
    resp = u.request("GET", "/api/types/system/instances", headers={"X-EMC-REST-CLIENT": None},
                     auth=u.credentials)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/index.html"
    assert resp.content == b""
    assert "mod_sec_emc" not in resp.headers.get("Set-Cookie", "")
    page = u.request("GET", "/index.html", headers={"X-EMC-REST-CLIENT": None})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")


def test_basic_system_info_needs_neither_auth_nor_header(fresh):
    u = fresh()
    for path in ("/api/types/basicSystemInfo/instances", "/api/instances/basicSystemInfo/0"):
        resp = requests.get(u.base + path, params={"fields": "softwareVersion"}, verify=u.ca,
                            timeout=5)
        assert resp.status_code == 200, path
        assert "Set-Cookie" not in resp.headers


def test_no_credentials_and_bad_credentials_are_401_entities(fresh):
    u = fresh()
    assert_error(u.get("/api/types/system/instances"), 401)
    error = assert_error(u.request("GET", LOGIN, auth=("admin", "wrong")), 401)
    assert "invalid username or password" in error["messages"][0]["en-US"]
    assert_error(u.request("GET", LOGIN, headers={"Authorization": "Basic !!notbase64"}), 401)


def test_login_sets_cookie_and_csrf_token_and_real_login_shape(fresh):
    u = fresh()
    resp = u.login()
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("mod_sec_emc=") and cookie.endswith("; path=/; secure; HttpOnly")
    token = resp.headers["EMC-CSRF-TOKEN"]
    assert len(token) > 40
    assert resp.headers["Content-Type"] == "application/json; version=1.0;charset=UTF-8"
    body = resp.json()
    assert set(body) == {"@base", "updated", "links", "entries"}
    assert body["@base"].endswith("api/types/loginSessionInfo/instances?per_page=2000")
    assert body["links"] == [{"rel": "self", "href": "&page=1"}]
    full = u.entries(LOGIN, fields="roles,domain,user,idleTimeout,isPasswordChangeRequired")
    assert full == [{"id": "admin", "roles": [{"id": "administrator"}], "domain": "local",
                     "user": {"id": "user_admin"}, "idleTimeout": 3600,
                     "isPasswordChangeRequired": False}]
    # the cookie alone authenticates; the same token is echoed on later answers
    later = u.get("/api/types/system/instances")
    assert later.status_code == 200 and later.headers["EMC-CSRF-TOKEN"] == token
    assert "Set-Cookie" not in later.headers


def test_post_and_delete_need_the_csrf_token(fresh):
    u = fresh()
    u.login()
    token, u.csrf = u.csrf, None
    verify = "/api/types/upgradeSession/action/verifyUpgradeEligibility"
    assert_error(u.post(verify), 401)
    assert_error(u.post(verify, headers={"EMC-CSRF-TOKEN": "not-the-token"}), 401)
    assert_error(u.request("DELETE", "/api/instances/candidateSoftwareVersion/x"), 401)
    assert u.post(verify, headers={"EMC-CSRF-TOKEN": token}).status_code == 200
    # a token is bound to its login session
    other = Unity(u.sim, u.name)
    other.login()
    assert_error(u.post(verify, headers={"EMC-CSRF-TOKEN": other.csrf}), 401)


def test_logout_invalidates_the_cookie(fresh):
    u = fresh()
    u.login()
    resp = u.post("/api/types/loginSessionInfo/action/logout", {"localCleanupOnly": "true"})
    assert resp.status_code == 204 and resp.content == b""
    assert_error(u.get("/api/types/system/instances"), 401)
    u.login()  # and logging in again works
    assert u.get("/api/types/system/instances").status_code == 200


def test_idle_timeout_expires_the_session(sim, fresh):
    u = fresh(name="array-6")
    u.login()
    assert u.get("/api/types/system/instances").status_code == 200
    sim.advance(3601)
    assert_error(u.get("/api/types/system/instances"), 401)
    # Basic credentials with a dead cookie open a new session
    resp = u.request("GET", "/api/types/system/instances", auth=u.credentials)
    assert resp.status_code == 200 and "mod_sec_emc=" in resp.headers["Set-Cookie"]


def test_scenario_credentials_and_password_change_flag(fresh, sim):
    u = fresh({"username": "ops", "password": "s3cret!", "password_change_required": True})
    assert u.credentials == ("ops", "s3cret!")
    assert_error(u.request("GET", LOGIN, auth=("admin", sim.array("array-2")["password"])), 401)
    u.login()
    info = u.entries(LOGIN, fields="user,isPasswordChangeRequired")
    assert info == [{"id": "ops", "user": {"id": "user_ops"}, "isPasswordChangeRequired": True}]
    header = "Basic " + base64.b64encode(b"ops:s3cret!").decode()
    assert u.request("GET", LOGIN, headers={"Authorization": header}).status_code == 200


def test_generated_passwords_differ_per_array(sim):
    for array in sim.arrays:
        sim.put_scenario(array["name"], {})  # back to the run's own credentials
    passwords = [a["password"] for a in sim.arrays]
    assert len(set(passwords)) == len(passwords)
    assert all(a["username"] == "admin" and len(a["password"]) >= 12 for a in sim.arrays)


def test_login_on_the_type_itself_as_gounity_does(fresh):
    u = fresh()
    resp = u.request("GET", "/api/types/loginSessionInfo", auth=u.credentials)
    assert resp.status_code == 200 and resp.headers["EMC-CSRF-TOKEN"]
    assert {"name": "idleTimeout"} in resp.json()["content"]["attributes"]
