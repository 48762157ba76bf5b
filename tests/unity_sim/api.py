"""The REST dispatcher of one array: outages and faults first, then the header and auth rules,
then the routes.

Order of checks for every request:

1. API gone (SP reboot outage, ``refuse``/``reset`` fault): the connection is reset, no answer.
2. ``slow`` faults and ``latency_ms`` delay the answer (real milliseconds).
3. Services restarting after an SP reboot: 503 with Apache's HTML "Service Unavailable" page
   (``text/html``, not JSON: what a proxy in front of a not-yet-started REST service sends).
   ``503`` faults and ``flaky_503`` answer 503 with the JSON error entity instead.
4. ``GET /index.html`` (the redirect target) and basicSystemInfo queries need neither header nor auth.
5. Without ``X-EMC-REST-CLIENT: true``: 302 to ``/index.html``, empty body.
6. A ``401`` fault: 401. Then the login session (cookie, else Basic credentials -> a new session),
   else 401; POST and DELETE need the session's ``EMC-CSRF-TOKEN``, else 401.
"""

import logging
import time
from urllib.parse import unquote

from . import catalog as C
from .auth import cookie_from, credentials_match, csrf_matches, parse_basic
from .errors import ApiError
from .httpio import JSON_TYPE, Response
from .query import Query, envelope, parse_params
from .resources import TYPE_DESCRIPTION, TYPES, UNAUTHENTICATED, Context, describe
from .uploads import handle_upload

log = logging.getLogger("unity_sim.api")

UNAVAILABLE_HTML = (b"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n"
                    b"<title>503 Service Unavailable</title>\n</head><body>\n"
                    b"<h1>Service Unavailable</h1>\n<p>The server is temporarily unable to service "
                    b"your request due to maintenance downtime or capacity problems. Please try "
                    b"again later.</p>\n</body></html>\n")
INDEX_HTML = (b"<!DOCTYPE html><html><head><title>Unisphere</title></head><body>"
              b"<p>Unisphere (simulated). REST clients send X-EMC-REST-CLIENT: true.</p>"
              b"</body></html>\n")
HTML = "text/html; charset=iso-8859-1"
PROXY_HTML = {
    200: b"<!DOCTYPE html>\n<html><head><title>Request received</title></head><body>\n<h1>Request "
         b"received</h1>\n<p>Your request is being processed.</p>\n</body></html>\n",
    502: b"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>502 Proxy Error"
         b"</title>\n</head><body>\n<h1>Proxy Error</h1>\n<p>The proxy server received an invalid "
         b"response from an upstream server.</p>\n</body></html>\n",
    504: b"<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>504 Gateway "
         b"Timeout</title>\n</head><body>\n<h1>Gateway Timeout</h1>\n<p>The gateway did not receive a "
         b"timely response from the upstream server.</p>\n</body></html>\n",
}


class RestApi:
    def __init__(self, array):
        self.array = array
        self.clock = array.clock

    # --- helpers ---------------------------------------------------------------------------------

    def iso(self, t=None):
        return self.clock.iso(t)

    def error(self, exc, req=None):
        resp = Response.json(exc.http_status, exc.entity(self.iso()), headers=list(exc.headers.items()))
        if req is not None:
            resp.headers.extend(self.session_headers(req))
        return resp

    def plain_drop(self, note):
        return Response.drop(note)

    @staticmethod
    def session_headers(req):
        if req.login is None:
            return []
        headers = [("EMC-CSRF-TOKEN", req.login.csrf)]
        if req.new_login:
            headers.append(("Set-Cookie", req.login.set_cookie_header()))
        return headers

    def ok(self, req, status, obj=None):
        if obj is None:
            return Response.empty(status, self.session_headers(req))
        return Response.json(status, obj, self.session_headers(req))

    def unreadable(self, req, kind, status, bare=None, note=None):
        """An answer a client cannot read as the API documents it (``answer_faults``,
        ``eligibility_answer``): ``kind`` is one of scenario.ANSWER_KINDS; ``status`` the success
        status for ``bare`` and ``empty``; ``bare`` the body of ``bare``."""
        if kind == "reset":
            return Response.drop(note)
        if kind == "bare":
            resp = self.ok(req, status, bare)
        elif kind == "empty":
            resp = Response(status, b"", JSON_TYPE, self.session_headers(req))
        elif kind in ("500", "503"):
            resp = self.error(ApiError(C.E_INTERNAL if kind == "500" else C.E_UNAVAILABLE), req)
        else:
            code = 200 if kind == "html" else int(kind)
            resp = Response(code, PROXY_HTML[code], HTML, self.session_headers(req))
        resp.note = note
        return resp

    def answer_fault(self, req, request, resource, status, bare):
        """The armed answer fault of a request just applied, as a Response, else None."""
        with self.array.lock:
            fault = self.array.take_answer_fault(request, resource)
        if fault is None:
            return None
        log.info("%s: %s", self.array.name, fault["note"])
        return self.unreadable(req, fault["answer"], status, bare, fault["note"])

    # --- entry point -----------------------------------------------------------------------------

    def handle(self, req):
        array = self.array
        now = self.clock.now()
        with array.lock:
            array.tick(now)
            phase = array.phase(now)
            faults = array.active_faults(now, req.method, req.path)
            latency = array.scenario["latency_ms"]
        kinds = {f["kind"] for f in faults}
        if phase == "down":
            return Response.drop("outage")
        if kinds & {"refuse", "reset"}:
            return Response.drop("fault")
        delay = latency + sum(f["delay_ms"] for f in faults if f["kind"] == "slow")
        if delay:
            time.sleep(delay / 1000.0)
        if phase == "restarting":
            return Response(503, UNAVAILABLE_HTML, HTML, note="services restarting")
        with array.lock:
            flaky = array.flaky()
        if "503" in kinds or flaky:
            return self.error(ApiError(C.E_UNAVAILABLE))
        try:
            return self.route(req, kinds, now)
        except ApiError as exc:
            return self.error(exc, req)
        except OverflowError:
            return self.error(ApiError(C.E_TOO_LARGE), req)

    def route(self, req, kinds, now):
        segs = [unquote(s) for s in req.path.strip("/").split("/")] if req.path.strip("/") else []
        method = req.method
        if segs in ([], ["index.html"]) and method in ("GET", "HEAD"):
            return Response(200, INDEX_HTML, HTML)
        if (method == "GET" and len(segs) >= 3 and segs[0] == "api" and segs[2] in UNAUTHENTICATED
                and segs[1] in ("types", "instances")):
            return self.read(req, segs, now)
        if req.headers.get("X-EMC-REST-CLIENT", "").strip().lower() != "true":
            return Response(302, b"", None, headers=[("Location", "/index.html")])
        if "401" in kinds:
            raise ApiError(C.E_NO_SESSION)
        self.authenticate(req, now)
        if method in ("POST", "DELETE") and not csrf_matches(req.login,
                                                             req.headers.get("EMC-CSRF-TOKEN")):
            raise ApiError(C.E_CSRF)
        if segs == ["upload", "files", "types", "candidateSoftwareVersion"]:
            if method != "POST":
                raise ApiError(C.E_METHOD)
            return handle_upload(self, req)
        if len(segs) < 3 or segs[0] != "api" or segs[1] not in ("types", "instances"):
            raise ApiError(C.E_NOT_FOUND)
        if method == "GET":
            return self.read(req, segs, now)
        if method == "POST":
            return self.write(req, segs, now)
        typedef = self.typedef(segs[2])
        if method == "DELETE" and segs[1] == "instances" and len(segs) == 4:
            with self.array.lock:  # 404 for an unknown instance; no type here supports Delete
                self.find(typedef, typedef.instances(self.array, Context(now, self.iso)), segs[3])
        raise ApiError(C.E_METHOD)

    def authenticate(self, req, now):
        array = self.array
        cookie = cookie_from(req.headers)
        with array.lock:
            login = array.logins.lookup(cookie, now, array.scenario["idle_timeout"])
            if login is not None:
                req.login = login
                return
            creds = parse_basic(req.headers.get("Authorization"))
            if creds is None:
                raise ApiError(C.E_NO_SESSION)
            if not credentials_match(creds, array.username, array.password):
                raise ApiError(C.E_AUTH_FAILED)
            req.login = array.logins.create(creds[0], now, array.scenario["csrf_token"])
            req.new_login = True

    def typedef(self, name):
        typedef = TYPES.get(name)
        if typedef is None or not self.array.offers(name):
            raise ApiError(C.E_NOT_FOUND)
        return typedef

    # --- reads -----------------------------------------------------------------------------------

    def read(self, req, segs, now):
        typedef = self.typedef(segs[2])
        params = parse_params(req.query)
        with self.array.lock:
            ctx = Context(now, self.iso, req.login)
            hidden = self.array.hidden_fields

            def visible(type_def):
                drop = hidden(type_def.name)
                contents = type_def.instances(self.array, ctx)
                return [{k: v for k, v in c.items() if k not in drop} for c in contents] if drop \
                    else contents

            def resolve(type_name, iid):
                target = TYPES.get(type_name)
                if target is None:
                    return None
                return next((c for c in visible(target) if c.get("id") == iid), None)

            if segs[1] == "types" and len(segs) == 3:  # the type's description (gounity logs in here)
                return self.describe(req, typedef, params, now)
            contents = visible(typedef)
            query = Query(typedef, params, resolve, hidden)
            if segs[1] == "types" and segs[3:] == ["instances"]:
                return self.ok(req, 200, query.collection(contents, req.base_url, self.iso(now)))
            if segs[1] == "instances" and len(segs) == 4:
                content = self.find(typedef, contents, segs[3])
                return self.ok(req, 200, query.instance(content, req.base_url, self.iso(now)))
        raise ApiError(C.E_NOT_FOUND)

    def describe(self, req, typedef, params, now):
        """``GET /api/types/<type>``: without ``fields=`` the attribute names (as before); with it,
        the description projected like an instance (``compact=true``: ``{"content": ...}`` only)."""
        hidden = self.array.hidden_fields(typedef.name)
        base = "%sapi/types" % req.base_url
        if "fields" not in params:
            names = sorted(set(typedef.fields) - set(hidden))
            return self.ok(req, 200, envelope(base, self.iso(now), {
                "name": typedef.name, "attributes": [{"name": f} for f in names]}, "/%s" % typedef.name))
        query = Query(TYPE_DESCRIPTION, params, lambda type_name, iid: None)
        content = query.project(describe(typedef, hidden))
        content.pop("id", None)
        if query.compact:
            return self.ok(req, 200, {"content": content})
        return self.ok(req, 200, envelope(base, self.iso(now), content, "/%s" % typedef.name))

    @staticmethod
    def find(typedef, contents, iid):
        if iid.startswith("name:") and typedef.by_name:
            name = iid[5:]
            found = next((c for c in contents if c.get("name") == name), None)
        else:
            found = next((c for c in contents if c.get("id") == iid), None)
        if found is None:
            raise ApiError(C.E_NOT_FOUND)
        return found

    # --- writes ----------------------------------------------------------------------------------

    def body(self, req):
        try:
            return req.json()
        except (ValueError, UnicodeDecodeError):
            raise ApiError(C.E_BAD_BODY)

    def write(self, req, segs, now):
        typedef = self.typedef(segs[2])
        name = typedef.name
        sessions = name in C.SESSION_RESOURCES
        if segs[1] == "types" and segs[3:] == ["instances"]:
            if not sessions:
                raise ApiError(C.E_METHOD)
            return self.create(req, name, self.body(req), now)
        if segs[1] == "types" and len(segs) == 5 and segs[3] == "action":
            body = self.body(req)
            if name == "loginSessionInfo" and segs[4] == "logout":
                with self.array.lock:
                    self.array.logins.drop(req.login)
                return Response.empty(204)
            if sessions and segs[4] == "verifyUpgradeEligibility":
                return self.eligibility(req, name, body, now)
            raise ApiError(C.E_NOT_FOUND)
        if segs[1] == "instances" and len(segs) == 6 and segs[4] == "action" and sessions:
            self.body(req)
            return self.session_action(req, name, segs[3], segs[5], now)
        if segs[1] == "instances" and len(segs) == 4:
            with self.array.lock:
                self.find(typedef, typedef.instances(self.array, Context(now, self.iso)), segs[3])
            raise ApiError(C.E_METHOD)
        raise ApiError(C.E_NOT_FOUND)

    def create(self, req, name, body, now):
        array = self.array
        with array.lock:
            array.tick(now)
            session = array.create_session(name, body, now)
        log.info("%s: created %s via %s", array.name, session.id, name)
        fault = self.answer_fault(req, "create", name, 201, {"id": session.id})
        if fault is not None:
            return fault
        return self.ok(req, 201, envelope("%sapi/instances/%s" % (req.base_url, name), self.iso(now),
                                          {"id": session.id}, "/%s" % session.id))

    def eligibility(self, req, name, body, now):
        array = self.array
        params = parse_params(req.query)
        with array.lock:
            messages = array.eligibility_messages()
            shape = array.scenario["eligibility_answer"]
            problems = [m for m in messages if m["severity"] <= C.SEV_ERROR]
            if shape == "conflict" and problems:
                raise ApiError(C.E_NOT_ELIGIBLE, details=" ".join(
                    m["messages"][0]["message"] for m in problems))
            if shape in ("empty", "html"):
                return self.unreadable(req, shape, 200)
            content = array.eligibility_content(messages, shape)
            asynchronous = (params.get("timeout") == "0" or array.scenario["eligibility_async"]
                            or shape in ("job", "job_failed"))
            if asynchronous:
                fail = shape == "job_failed"
                if fail and not problems:
                    problems = [C.check_message(C.FRAMEWORK_ERROR_CODE, C.SEV_ERROR)]
                job = array.jobs.add("%s.verifyUpgradeEligibility" % name,
                                     "job.upgradeservice.job.VerifyUpgradeEligibility", now,
                                     problems if fail else messages, content, fail)
                return self.ok(req, 202, job.content(now, self.iso))
        base = "%sapi/types/%s/action/verifyUpgradeEligibility" % (req.base_url, name)
        return self.ok(req, 200, envelope(base, self.iso(now), content))

    def session_action(self, req, name, sid, action, now):
        array = self.array
        with array.lock:
            array.tick(now)
            session = array.find_session(sid)
            if action == "resume":
                array.resume_session(session, now)
            elif action == "cancel" and name == "upgradeSession":
                array.cancel_session(session, now)
            elif action == "acknowledge" and name == "upgradeSession":
                array.acknowledge_session(session)
            else:
                raise ApiError(C.E_NOT_FOUND)
        log.info("%s: %s %s", array.name, action, sid)
        fault = self.answer_fault(req, action, name, 200, {"id": sid})
        if fault is not None:
            return fault
        return self.ok(req, 204)
