"""Scenarios: what an array looks like and how it misbehaves.

A scenario file (``--scenario``) is JSON or YAML: one scenario for every array, or
``{"arrays": {NAME: scenario, ...}}`` (an optional ``"default"`` scenario applies to the arrays not
named, and is merged under the named ones). Every key is optional; unknown keys are refused so a typo
does not pass silently. Durations are simulated seconds (the virtual clock), sizes are bytes.

=========================== ========================================================================
key                         meaning (default)
=========================== ========================================================================
username, password          credentials (``admin`` / a random password generated per array per run)
password_change_required    loginSessionInfo.isPasswordChangeRequired (false)
csrf_token                  the EMC-CSRF-TOKEN of every login session, for tests that look for it in
                            outputs (a random token per login session)
idle_timeout                login session idle timeout, simulated seconds (3600)
model, name, serial         system identity (``Unity 480F``, the array name, a derived serial)
software_version            installed OE, six-part (``5.2.0.0.5.173``)
hot_fixes                   installedSoftwareVersion.hotFixes ([])
health                      system health: name (``OK`` ... ``NON_RECOVERABLE``) or number (OK)
sp_health                   SP health: one value, or ``{"spa": .., "spb": ..}`` (OK)
candidate                   an uploaded candidate, e.g. ``{"version": "5.3.0.0.5.120"}``; optional
                            ``id``, ``type``, ``rebootRequired``, ``canPauseBeforeReboot`` (none)
sessions                    existing sessions: ``[{"status": "Upgrade_Paused", "candidate_version":
                            "5.3.0.0.5.120"}]``; optional ``id``, ``type``, ``task`` (caption or
                            index the session stands at), ``pause_between_reboots``,
                            ``selected_model`` (SP upgrade sessions: the model, listed as the
                            session's ``selectedModel``, UNCONFIRMED). A resumable
                            one gets its candidate created when ``candidate`` is absent ([])
session_resources           ``["upgradeSession", "softwareUpgradeSession"]`` (both)
supported_upgrade_models    SP models for hardware upgrade sessions (types 2, 3) ([] = refused)
eligibility                 ``{"blocking": [codes], "warnings": [codes]}``
eligibility_async           verifyUpgradeEligibility always answers 202 + job (false)
eligibility_answer          the shape of the verifyUpgradeEligibility answer (``messages``, today's);
                            see ELIGIBILITY ANSWERS below
upgrade_minutes             simulated length of a software upgrade (91.4, the real estimates)
reboot_outage_seconds       API gone (refused) from the start of each SP reboot (40% of that task)
service_restart_seconds     then 503 while services restart (15% of that task)
fail_at_task                caption (first occurrence) or index of a task that fails once
fail_status                 ``Upgrade_Failed`` or ``Upgrade_Failed_Lock`` (Upgrade_Failed)
upload_processing_seconds   time between a finished upload and the candidate being listed (5)
upload_drop_at_bytes        reset the connection after this many upload body bytes, once
upload_stall_at_bytes       stop reading the upload body at this many bytes, once ...
upload_stall_seconds        ... for this long (30)
corrupt_upload              refuse every uploaded payload as corrupt (false)
lose_create_response        create the next upgrade session but reset the connection, once (false);
                            the same as ``answer_faults: [{"request": "create", "answer": "reset"}]``
answer_faults               answers a changing request gives AFTER the change is applied; see
                            ANSWER FAULTS below ([])
oe                          the OE generation the array answers as: ``4.5``, ``5.0``, ``5.1``,
                            ``5.2``, ``5.3`` or ``5.4``; see OE GENERATIONS below (none: every
                            attribute is served whatever the version, as before)
flaky_503                   probability that a request answers 503 (0)
latency_ms                  real milliseconds added to every answer (0)
seed                        seed of the flaky_503 random generator (0)
nas_servers                 NAS servers (nasServer): a count, named nas01.. and homed on SP A and SP B
                            in turn, or a list of ``{"name": .., "home": "spa"|"spb"}`` with an
                            optional ``"current"`` (the SP it runs on now; default home) (2)
luns                        LUNs (lun): a count, named lun01.., homed in turn, or a list of
                            ``{"name": .., "home": .., "current": ..}`` (4)
auto_failback               system.isAutoFailbackEnabled (true). While an SP reboots during an
                            upgrade its NAS servers and LUNs run on the peer SP; with true they
                            return home ``failback_seconds`` after that SP's services restarted,
                            with false they stay on the peer
failback_seconds            delay of that return (0)
health_check                ``{"blocking": [codes], "warnings": [codes]}``: a health-check session
                            (type 1) fails with the blocking codes' messages (ERROR), or completes
                            with the warnings' messages (WARNING) in its ``messages`` (none)
faults                      ``[{"start": s, "duration": s, "kind": refuse|reset|503|401|slow,
                            "delay_ms": n}]``, start relative to when the scenario was applied;
                            optional ``"method"`` and ``"path"`` (a substring of the request path)
                            limit a reset, 503, 401 or slow window to the requests they match
=========================== ========================================================================

ELIGIBILITY ANSWERS (``eligibility_answer``). "Problems" are the ERROR-severity (3) messages the
default answer lists (health worse than OK_BUT, ``eligibility.blocking``, an active upgrade);
warnings are the severity-4 messages of ``eligibility.warnings``.

======================== ==========================================================================
``messages`` (default)   200 ``{"@base", "updated", "links", "content": {"messages": [...]}}``
                         (202 + job with ``parametersOut.messages`` when async), as before
``codes``                200 content ``{"codes": [problem codes], "overallStatus": <problems?>,
                         "statusMessage": <problem texts joined by a space, "" when none>,
                         "messages": [every message]}``
``codes_empty_messages`` as ``codes`` but ``"messages": []`` always (the verdict only in ``codes``,
                         ``overallStatus`` and ``statusMessage``)
``codes_only``           as ``codes`` without the ``messages`` key
``status_only``          200 content ``{"overallStatus": <problems?>, "statusMessage": <texts>}``
                         (``{"overallStatus": false, "statusMessage": ""}`` when eligible)
``conflict``             with problems: 409 error entity, errorCode 100728853 (0x6010015), one
                         ``en-US`` text "The system is not eligible for an upgrade. <each problem's
                         text, each ending [Error Code: <code>]>"; without problems: the default 200
``job``                  always 202 + a bare job (as ``eligibility_async``)
``job_failed``           always 202 + a bare job that ends (after 3 s) in state 5 Failed: task state
                         3 with ``messages`` (the problems, else one
                         ``flr::check_framework_error_1`` ERROR), ``messageOut`` the first of them,
                         ``parametersOut`` {}
``unexpected``           200 envelope whose content is ``{"checkResults": [every message]}`` (none of
                         messages / codes / overallStatus / statusMessage)
``empty``                200, ``Content-Type: application/json``, empty body
``html``                 200 ``text/html`` page (a proxy's), no JSON
======================== ==========================================================================

The content shapes (``messages``, ``codes``, ``codes_empty_messages``, ``codes_only``,
``status_only``, ``unexpected``) are also the job's ``parametersOut`` when the answer is async
(``?timeout=0``, ``eligibility_async`` or ``job``); ``conflict``, ``empty`` and ``html`` answer
the same way with ``?timeout=0``.

ANSWER FAULTS (``answer_faults``): a list of ``{"request": R, "answer": A, "count": N, "resource":
S}``. The next N (default 1) successful requests of kind R (``create``, ``resume``, ``cancel``,
``acknowledge``, ``upload``), optionally only on session resource S (``upgradeSession`` /
``softwareUpgradeSession``; not for ``upload``), are APPLIED (the session is created, resumed, ...;
the upload becomes the candidate) and then answered with A instead of the real answer:

=========== =====================================================================================
``bare``    the id without the envelope: create 201, resume / cancel / acknowledge / upload 200,
            body ``{"id": "<session id>"}`` (upload: the new candidate's id)
``empty``   the success status (create 201, the others 200) with ``Content-Type:
            application/json`` and an empty body
``html``    200 ``text/html`` page (a proxy's), no JSON
``500``     500 with the error entity, errorCode 131149840 (0x7d13010)
``502``     502 ``text/html`` Bad Gateway page
``503``     503 with the error entity, errorCode 131149838 (0x7d1300e)
``504``     504 ``text/html`` Gateway Timeout page
``reset``   the connection is reset without an answer
=========== =====================================================================================

A refused request (an error answer) does not use one up. The request log records the status sent
(``0`` for a reset) and ``"note": "answer fault: <A> after <R>"`` (``lose_create_response``: "create
response lost"). A PATCH of ``answer_faults`` (or ``lose_create_response``) re-arms it; the admin
state's ``pending.answer_faults`` lists what is left (``left``).

OE GENERATIONS (``oe``). Without ``software_version`` the array runs the generation's default
(4.5: 4.5.1.0.5.001, 5.0: 5.0.3.0.5.134, 5.1: 5.1.2.0.5.007, 5.2: 5.2.0.0.5.173, 5.3:
5.3.0.0.5.120, 5.4: 5.4.0.0.5.094); a ``software_version`` of another major.minor is refused.
The attributes follow the installed version (so after an upgrade, the new one's): below 5.1.2
basicSystemInfo has no ``softwareFullVersion``; below 5.0 candidateSoftwareVersion and
installedSoftwareVersion have no ``fullVersion``. Asking for such a field (``fields=``, ``filter=``,
``orderby=``, also through ``candidate.fullVersion``) is a 422 with errorCode 131149831
(0x7d13007), as for any unknown field; it is absent from the answers and from the type
description. ``apiVersion``: 4.5 -> 9.0, 5.0 -> 10.0, 5.1 -> 11.0, 5.2 -> 12.0, 5.3 -> 13.0,
5.4 -> 14.0 (``earliestApiVersion`` 4.0). Session resources: both, unless ``session_resources``
says otherwise.
"""

import json
import os

from . import catalog, packages

FAULT_KINDS = ("refuse", "reset", "503", "401", "slow")
ELIGIBILITY_ANSWERS = ("messages", "codes", "codes_empty_messages", "codes_only", "status_only",
                       "conflict", "job", "job_failed", "unexpected", "empty", "html")
ANSWER_REQUESTS = ("create", "resume", "cancel", "acknowledge", "upload")
ANSWER_KINDS = ("bare", "empty", "html", "500", "502", "503", "504", "reset")
OE_DEFAULTS = {"4.5": "4.5.1.0.5.001", "5.0": "5.0.3.0.5.134", "5.1": "5.1.2.0.5.007",
               "5.2": "5.2.0.0.5.173", "5.3": "5.3.0.0.5.120", "5.4": "5.4.0.0.5.094"}

DEFAULTS = {
    "username": "admin", "password": None, "password_change_required": False, "csrf_token": None,
    "idle_timeout": 3600,
    "model": "Unity 480F", "name": None, "serial": None, "software_version": "5.2.0.0.5.173",
    "hot_fixes": [], "health": 5, "sp_health": {"spa": 5, "spb": 5}, "candidate": None,
    "sessions": [], "session_resources": list(catalog.SESSION_RESOURCES),
    "supported_upgrade_models": [], "eligibility": {"blocking": [], "warnings": []},
    "eligibility_async": False, "eligibility_answer": "messages", "upgrade_minutes": None,
    "reboot_outage_seconds": None,
    "service_restart_seconds": None, "fail_at_task": None, "fail_status": catalog.FAILED,
    "upload_processing_seconds": 5.0, "upload_drop_at_bytes": None, "upload_stall_at_bytes": None,
    "upload_stall_seconds": 30.0, "corrupt_upload": False, "lose_create_response": False,
    "answer_faults": [], "oe": None, "flaky_503": 0.0, "latency_ms": 0, "seed": 0, "faults": [],
    "nas_servers": 2, "luns": 4, "auto_failback": True, "failback_seconds": 0.0,
    "health_check": {"blocking": [], "warnings": []},
}
# Keys a PATCH may change on a running array without resetting its state.
LIVE_KEYS = frozenset(DEFAULTS) - {"software_version", "candidate", "sessions", "model", "name",
                                   "serial", "hot_fixes", "oe", "nas_servers", "luns"}


class ScenarioError(ValueError):
    pass


def load_file(path):
    """Read a JSON or YAML scenario file into a dict."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if os.path.splitext(path)[1].lower() in (".yml", ".yaml"):
        import yaml  # PyYAML, only needed for YAML scenarios
        data = yaml.safe_load(text)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            import yaml
            data = yaml.safe_load(text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError("%s: a scenario is a mapping" % path)
    return data


def split_per_array(data, names):
    """``{name: raw scenario}`` for every array name from a loaded scenario file."""
    if "arrays" not in data:
        return {name: dict(data) for name in names}
    per = data["arrays"] or {}
    if not isinstance(per, dict):
        raise ScenarioError("'arrays' maps array names to scenarios")
    unknown = sorted(set(per) - set(names))
    if unknown:
        raise ScenarioError("scenario names unknown arrays: %s" % ", ".join(unknown))
    extra = sorted(set(data) - {"arrays", "default"})
    if extra:
        raise ScenarioError("with 'arrays', only 'default' may stand beside it (found %s)"
                            % ", ".join(extra))
    default = data.get("default") or {}
    return {name: dict(default, **(per.get(name) or {})) for name in names}


def _health(value, what):
    if isinstance(value, bool):
        raise ScenarioError("%s: not a health value: %r" % (what, value))
    if isinstance(value, int) and value in catalog.HEALTH:
        return value
    if isinstance(value, str):
        if value.isdigit() and int(value) in catalog.HEALTH:
            return int(value)
        name = value.strip().upper()
        if name in catalog.HEALTH_BY_NAME:
            return catalog.HEALTH_BY_NAME[name]
    raise ScenarioError("%s: unknown health %r (one of %s)"
                        % (what, value, ", ".join(catalog.HEALTH.values())))


def status_value(value, what="status"):
    if isinstance(value, int) and not isinstance(value, bool) and value in catalog.UPGRADE_STATUS:
        return value
    if isinstance(value, str):
        if value.isdigit() and int(value) in catalog.UPGRADE_STATUS:
            return int(value)
        if value.strip().lower() in catalog.STATUS_BY_NAME:
            return catalog.STATUS_BY_NAME[value.strip().lower()]
    raise ScenarioError("%s: unknown upgrade status %r" % (what, value))


def _sp_model(value):
    if isinstance(value, int) and value in catalog.SP_MODEL:
        return value
    if isinstance(value, str) and value.strip().lower() in catalog.SP_MODEL_BY_NAME:
        return catalog.SP_MODEL_BY_NAME[value.strip().lower()]
    raise ScenarioError("supported_upgrade_models: unknown SP model %r" % (value,))


def _number(raw, key, minimum=0.0, maximum=None, integer=False, optional=True):
    value = raw[key]
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError("%s: a number is expected, not %r" % (key, value))
    if value < minimum or (maximum is not None and value > maximum):
        raise ScenarioError("%s: %r is out of range" % (key, value))
    return int(value) if integer else float(value)


def _version(value, key):
    if not packages.is_six_part(value):
        raise ScenarioError("%s: a six-part version such as 5.3.0.0.5.120 is expected, not %r"
                            % (key, value))
    return str(value)


def _codes(value, key):
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
        raise ScenarioError("%s: a list of error codes is expected" % key)
    return list(value)


def normalize(raw, base=None):
    """Validate ``raw`` and return a complete scenario (``base`` or DEFAULTS fill the gaps)."""
    if not isinstance(raw, dict):
        raise ScenarioError("a scenario is a mapping")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise ScenarioError("unknown scenario key(s): %s (known: %s)"
                            % (", ".join(unknown), ", ".join(sorted(DEFAULTS))))
    out = json.loads(json.dumps(base if base is not None else DEFAULTS))
    raw = dict(raw)
    for key in ("username", "password", "model", "name", "serial", "csrf_token"):
        if key in raw and raw[key] is not None:
            if not isinstance(raw[key], (str, int)) or not str(raw[key]):
                raise ScenarioError("%s: a non-empty string is expected" % key)
            out[key] = str(raw[key])
    for key in ("password_change_required", "eligibility_async", "corrupt_upload",
                "lose_create_response", "auto_failback"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise ScenarioError("%s: true or false" % key)
            out[key] = raw[key]
    if "oe" in raw:
        out["oe"] = _oe(raw["oe"])
    if "software_version" in raw:
        out["software_version"] = _version(raw["software_version"], "software_version")
    elif "oe" in raw and out["oe"]:
        out["software_version"] = OE_DEFAULTS[out["oe"]]
    if out["oe"] and ".".join(out["software_version"].split(".")[:2]) != out["oe"]:
        raise ScenarioError("software_version: %s is not an OE %s version"
                            % (out["software_version"], out["oe"]))
    if "eligibility_answer" in raw:
        if raw["eligibility_answer"] not in ELIGIBILITY_ANSWERS:
            raise ScenarioError("eligibility_answer: one of %s, not %r"
                                % (", ".join(ELIGIBILITY_ANSWERS), raw["eligibility_answer"]))
        out["eligibility_answer"] = raw["eligibility_answer"]
    if "answer_faults" in raw:
        value = raw["answer_faults"]
        value = [value] if isinstance(value, dict) else value
        if not isinstance(value, (list, type(None))):
            raise ScenarioError("answer_faults: a list of {\"request\": .., \"answer\": ..}")
        out["answer_faults"] = [_answer_fault(f, i) for i, f in enumerate(value or [])]
    if "hot_fixes" in raw:
        out["hot_fixes"] = [str(h) for h in (raw["hot_fixes"] or [])]
    if "health" in raw:
        out["health"] = _health(raw["health"], "health")
    if "sp_health" in raw:
        value = raw["sp_health"]
        if isinstance(value, dict):
            sp = dict(out["sp_health"])
            for name, health in value.items():
                key = {"spa": "spa", "sp a": "spa", "a": "spa", "spb": "spb", "sp b": "spb",
                       "b": "spb"}.get(str(name).strip().lower())
                if not key:
                    raise ScenarioError("sp_health: unknown SP %r (spa, spb)" % name)
                sp[key] = _health(health, "sp_health")
            out["sp_health"] = sp
        else:
            health = _health(value, "sp_health")
            out["sp_health"] = {"spa": health, "spb": health}
    if "candidate" in raw:
        out["candidate"] = _candidate(raw["candidate"])
    if "sessions" in raw:
        out["sessions"] = [_session(s, i) for i, s in enumerate(raw["sessions"] or [])]
    if "session_resources" in raw:
        res = raw["session_resources"]
        res = [res] if isinstance(res, str) else res
        if not res or not isinstance(res, list) or set(res) - set(catalog.SESSION_RESOURCES):
            raise ScenarioError("session_resources: a non-empty list of %s"
                                % " / ".join(catalog.SESSION_RESOURCES))
        out["session_resources"] = [r for r in catalog.SESSION_RESOURCES if r in res]
    if "supported_upgrade_models" in raw:
        out["supported_upgrade_models"] = [_sp_model(m) for m in raw["supported_upgrade_models"] or []]
    if "eligibility" in raw:
        elig = raw["eligibility"] or {}
        if not isinstance(elig, dict) or set(elig) - {"blocking", "warnings"}:
            raise ScenarioError("eligibility: {\"blocking\": [codes], \"warnings\": [codes]}")
        out["eligibility"] = {"blocking": _codes(elig.get("blocking"), "eligibility.blocking"),
                              "warnings": _codes(elig.get("warnings"), "eligibility.warnings")}
    if "health_check" in raw:
        check = raw["health_check"] or {}
        if not isinstance(check, dict) or set(check) - {"blocking", "warnings"}:
            raise ScenarioError("health_check: {\"blocking\": [codes], \"warnings\": [codes]}")
        out["health_check"] = {"blocking": _codes(check.get("blocking"), "health_check.blocking"),
                               "warnings": _codes(check.get("warnings"), "health_check.warnings")}
    for key in ("nas_servers", "luns"):
        if key in raw:
            out[key] = _placed(raw[key], key)
    for key, minimum, maximum, integer in (
            ("upgrade_minutes", 0.01, 100000, False), ("reboot_outage_seconds", 0, 10 ** 6, False),
            ("service_restart_seconds", 0, 10 ** 6, False), ("idle_timeout", 1, 10 ** 7, False),
            ("upload_processing_seconds", 0, 10 ** 6, False),
            ("upload_drop_at_bytes", 0, None, True), ("upload_stall_at_bytes", 0, None, True),
            ("upload_stall_seconds", 0, 10 ** 6, False), ("flaky_503", 0, 1, False),
            ("latency_ms", 0, 60000, True), ("seed", -2 ** 63, 2 ** 63, True),
            ("failback_seconds", 0, 10 ** 6, False)):
        if key in raw:
            optional = key not in ("idle_timeout", "upload_processing_seconds", "upload_stall_seconds",
                                   "flaky_503", "latency_ms", "seed", "failback_seconds")
            out[key] = _number(raw, key, minimum, maximum, integer, optional)
    if "fail_at_task" in raw:
        value = raw["fail_at_task"]
        names = {c for c, seconds in catalog.UPGRADE_TASKS + catalog.FIRMWARE_TASKS}
        if not (value is None or (isinstance(value, int) and not isinstance(value, bool)
                                  and 0 <= value < len(catalog.UPGRADE_TASKS))
                or (isinstance(value, str) and value in names)):
            raise ScenarioError("fail_at_task: a task caption (%s) or index" % "; ".join(sorted(names)))
        out["fail_at_task"] = value
    if "fail_status" in raw:
        status = status_value(raw["fail_status"], "fail_status")
        if status not in (catalog.FAILED, catalog.FAILED_LOCK):
            raise ScenarioError("fail_status: Upgrade_Failed or Upgrade_Failed_Lock")
        out["fail_status"] = status
    if "faults" in raw:
        out["faults"] = [_fault(f) for f in raw["faults"] or []]
    return out


def _placed(value, key):
    """``nas_servers`` / ``luns``: a count, or a list of ``{"name", "home", "current"}`` (spa or spb)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 1000:
            raise ScenarioError("%s: %r is out of range (0 to 1000)" % (key, value))
        return value
    if not isinstance(value, list):
        raise ScenarioError("%s: a count or a list of {\"name\": .., \"home\": spa|spb}" % key)
    out = []
    for i, item in enumerate(value):
        if (not isinstance(item, dict) or set(item) - {"name", "home", "current"}
                or not isinstance(item.get("name"), str) or not item["name"]
                or item.get("home", "spa") not in ("spa", "spb")
                or item.get("current", "spa") not in ("spa", "spb")):
            raise ScenarioError("%s[%d]: {\"name\": .., \"home\": spa|spb, \"current\": spa|spb}"
                                % (key, i))
        home = item.get("home", "spa")
        out.append({"name": item["name"], "home": home, "current": item.get("current", home)})
    names = [item["name"] for item in out]
    if len(set(names)) != len(names):
        raise ScenarioError("%s: names repeat" % key)
    return out


def _candidate(value):
    if value is None:
        return None
    if isinstance(value, str):
        value = {"version": value}
    if not isinstance(value, dict) or "version" not in value:
        raise ScenarioError("candidate: {\"version\": \"5.3.0.0.5.120\", ...}")
    allowed = {"version", "id", "type", "rebootRequired", "canPauseBeforeReboot", "releaseDate"}
    if set(value) - allowed:
        raise ScenarioError("candidate: unknown keys %s" % sorted(set(value) - allowed))
    out = dict(value)
    ctype = out.get("type", 0)
    if ctype in ("Software", "Firmware", "LanguagePack"):
        ctype = {"Software": 0, "Firmware": 1, "LanguagePack": 2}[ctype]
    if ctype not in catalog.CANDIDATE_TYPE:
        raise ScenarioError("candidate.type: 0/Software, 1/Firmware or 2/LanguagePack")
    out["type"] = ctype
    if ctype == catalog.SOFTWARE:
        out["version"] = _version(out["version"], "candidate.version")
    return out


def _oe(value):
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = "%.1f" % value
    if not isinstance(value, str) or value.strip() not in OE_DEFAULTS:
        raise ScenarioError("oe: one of %s, not %r" % (", ".join(OE_DEFAULTS), value))
    return value.strip()


def _answer_fault(value, index):
    what = "answer_faults[%d]" % index
    if not isinstance(value, dict):
        raise ScenarioError("%s: {\"request\": %s, \"answer\": %s}"
                            % (what, "|".join(ANSWER_REQUESTS), "|".join(ANSWER_KINDS)))
    unknown = sorted(set(value) - {"request", "answer", "count", "resource"})
    if unknown:
        raise ScenarioError("%s: unknown keys %s" % (what, unknown))
    if value.get("request") not in ANSWER_REQUESTS:
        raise ScenarioError("%s.request: one of %s" % (what, ", ".join(ANSWER_REQUESTS)))
    answer = value.get("answer")
    answer = str(answer) if isinstance(answer, int) and not isinstance(answer, bool) else answer
    if answer not in ANSWER_KINDS:
        raise ScenarioError("%s.answer: one of %s" % (what, ", ".join(ANSWER_KINDS)))
    count = value.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 10 ** 6:
        raise ScenarioError("%s.count: a whole number from 1" % what)
    resource = value.get("resource")
    if resource is not None and (resource not in catalog.SESSION_RESOURCES
                                 or value["request"] == "upload"):
        raise ScenarioError("%s.resource: %s (not for upload)"
                            % (what, " or ".join(catalog.SESSION_RESOURCES)))
    return {"request": value["request"], "answer": answer, "count": count, "resource": resource}


def _session(value, index):
    if not isinstance(value, dict) or "status" not in value:
        raise ScenarioError("sessions[%d]: {\"status\": ..., \"candidate_version\": ...}" % index)
    allowed = {"status", "candidate_version", "id", "type", "task", "pause_between_reboots",
               "selected_model"}
    if set(value) - allowed:
        raise ScenarioError("sessions[%d]: unknown keys %s" % (index, sorted(set(value) - allowed)))
    out = dict(value)
    out["status"] = status_value(value["status"], "sessions[%d].status" % index)
    out["type"] = int(value.get("type", 0))
    if out["type"] not in catalog.SESSION_TYPE:
        raise ScenarioError("sessions[%d].type: 0..3" % index)
    if "selected_model" in value:
        out["selected_model"] = _sp_model(value["selected_model"])
    if out["type"] == catalog.UPGRADE or "candidate_version" in value:
        out["candidate_version"] = _version(value.get("candidate_version"),
                                            "sessions[%d].candidate_version" % index)
    return out


def _fault(value):
    if not isinstance(value, dict) or value.get("kind") not in FAULT_KINDS:
        raise ScenarioError("faults: {\"start\": s, \"duration\": s, \"kind\": %s}"
                            % "|".join(FAULT_KINDS))
    try:
        start = float(value.get("start", 0))
        duration = float(value.get("duration", 0))
        delay = int(value.get("delay_ms", 1000 if value["kind"] == "slow" else 0))
    except (TypeError, ValueError):
        raise ScenarioError("faults: start, duration and delay_ms are numbers")
    if start < 0 or duration <= 0 or not 0 <= delay <= 60000:
        raise ScenarioError("faults: start >= 0, duration > 0, 0 <= delay_ms <= 60000")
    out = {"start": start, "duration": duration, "kind": value["kind"], "delay_ms": delay}
    unknown = sorted(set(value) - {"start", "duration", "kind", "delay_ms", "method", "path"})
    if unknown:
        raise ScenarioError("faults: unknown keys %s" % unknown)
    for key in ("method", "path"):
        if value.get(key) is None:
            continue
        if not isinstance(value[key], str) or not value[key].strip():
            raise ScenarioError("faults: %s is a non-empty string" % key)
        if value["kind"] == "refuse":
            raise ScenarioError("faults: a refuse window closes the port to every request; it "
                                "takes no method or path")
        out[key] = value[key].strip().upper() if key == "method" else value[key]
    return out
