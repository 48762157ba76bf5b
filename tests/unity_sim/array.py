"""One simulated array: its state, its scenario, and everything that changes with simulated time.

All state is guarded by ``ArrayModel.lock``; callers take it around every read and change (the REST
handlers, the admin API and the ticker thread). Write operations on upgrade sessions live in
``sessions.py`` (a mix-in), jobs in ``jobs.py``.
"""

import os
import random
import threading
from collections import OrderedDict, deque

from . import catalog as C
from . import packages
from .auth import LoginStore
from .jobs import JobStore
from .scenario import LIVE_KEYS, normalize
from .sessions import SessionOps

MAX_LOG = 20000


class ArrayModel(SessionOps):
    def __init__(self, index, name, host, clock, state_dir, password):
        self.index = index
        self.name = name
        self.host = host
        self.port = None
        self.clock = clock
        self.state_dir = state_dir
        self.generated_password = password
        self.lock = threading.RLock()
        self.log = deque(maxlen=MAX_LOG)
        self.logins = LoginStore()
        self.jobs = JobStore()
        self.upload_stats = {"completed": 0, "failed": 0, "dropped": 0, "in_progress": 0}
        # requests received and not answered yet (the admin state's in_flight): what a test waits
        # for to act between a request and its answer (kill the client, for one)
        self.in_flight = {}
        self.apply(normalize({}))

    # --- scenario --------------------------------------------------------------------------------

    def apply(self, scenario):
        """Replace the scenario (already normalised) and reset the state to it."""
        now = self.clock.now()
        if scenario["password"] is None:
            scenario["password"] = self.generated_password
        self.scenario = scenario
        self.applied_at = now
        self.logins.clear()
        self.jobs.clear()
        self.installed = {"version": scenario["software_version"],
                          "hot_fixes": list(scenario["hot_fixes"]),
                          "drive_firmware": [{
                              "name": "Unity-Drive-Firmware-V20-2022-06-13.tgz.bin.gpg",
                              "version": "4.3.0.1499782821", "releaseDate": "2022-06-13T23:24:01.000Z",
                              "upgradableDriveCount": 0, "estimatedTime": 0, "isNewerVersion": False}]}
        self.model = scenario["model"]
        self.sp_model = C.sp_model_for(self.model)
        self.system_name = scenario["name"] or self.name
        self.serial = scenario["serial"] or "CKM0%010d" % (1204905476 + 7919 * self.index)
        self._drop_candidate()
        if getattr(self, "pending_candidate", None):
            _unlink(self.pending_candidate[1].get("file"))
        self.candidate_counter = 0
        self.pending_candidate = None
        self.sessions = OrderedDict()
        self.outage = None
        self.placed = _placed(scenario["nas_servers"], "nas", "nas%02d") + _placed(
            scenario["luns"], "sv", "lun%02d")
        self.failbacks = []  # [(time, sp)]: when the resources homed on sp return to it
        self._arm(scenario, now)
        if scenario["candidate"]:
            spec = scenario["candidate"]
            self.candidate = self.make_candidate(
                spec["version"], spec["type"], cid=spec.get("id"),
                reboot=spec.get("rebootRequired"), can_pause=spec.get("canPauseBeforeReboot"))
        for spec in scenario["sessions"]:
            self.load_session(spec, now)

    def patch(self, raw):
        """Change live keys of the scenario without resetting the state (faults re-based to now)."""
        live = {k: v for k, v in raw.items() if k in LIVE_KEYS}
        frozen = sorted(set(raw) - set(live))
        if frozen:
            raise ValueError("these keys need PUT (they reset the array): %s" % ", ".join(frozen))
        scenario = normalize(live, base=self.scenario)
        self.scenario = scenario
        self._arm(scenario, self.clock.now(), only=set(live))

    def _arm(self, scenario, now, only=None):
        """(Re)arm the one-shot behaviours and the fault schedule."""
        def wanted(key):
            return only is None or key in only
        if only is None:
            self.pending = {}
        for key in ("upload_drop_at_bytes", "upload_stall_at_bytes", "fail_at_task"):
            if wanted(key):
                self.pending[key] = scenario[key]
        self._arm_answers(scenario, {k for k in ("lose_create_response", "answer_faults")
                                     if wanted(k)}, reset=only is None)
        if wanted("faults"):
            self.faults = [dict(f, at=now + f["start"], until=now + f["start"] + f["duration"],
                                fired=False) for f in scenario["faults"]]
        if wanted("seed") or wanted("flaky_503") or only is None:
            self.rng = random.Random(scenario["seed"])

    # --- time ------------------------------------------------------------------------------------

    def tick(self, now):
        for due in [f for f in self.failbacks if f[0] <= now]:
            self.failbacks.remove(due)
            if self.scenario["auto_failback"]:
                for item in self.placed:
                    if item["home"] == due[1]:
                        item["current"] = due[1]
        if self.pending_candidate and self.pending_candidate[0] <= now:
            self._drop_candidate(keep=self.pending_candidate[1].get("file"))
            self.candidate = self.pending_candidate[1]
            self.pending_candidate = None
        for session in list(self.sessions.values()):
            if session.running:
                session.advance(now, self)
        for fault in self.faults:
            if (fault["kind"] == "401" and not fault["fired"] and fault["at"] <= now
                    and not fault.get("method") and not fault.get("path")):
                fault["fired"] = True
                self.logins.clear()

    def phase(self, now):
        """``up``, ``down`` (SP reboot: connections refused) or ``restarting`` (503)."""
        if self.outage:
            start, down_until, restart_until = self.outage
            if start <= now < down_until:
                return "down"
            if down_until <= now < restart_until:
                return "restarting"
        return "up"

    def active_faults(self, now, method=None, path=None):
        """Fault windows open at ``now``; with a request's method and path, those that apply to it."""
        return [f for f in self.faults if f["at"] <= now < f["until"] and (
            method is None or f.get("method") in (None, method)) and (
            path is None or f.get("path") is None or f["path"] in path)]

    def listening(self, now):
        return self.phase(now) != "down" and not any(
            f["kind"] == "refuse" for f in self.active_faults(now))

    def begin_outage(self, t, reboot_task_duration):
        outage = self.scenario["reboot_outage_seconds"]
        restart = self.scenario["service_restart_seconds"]
        outage = 0.4 * reboot_task_duration if outage is None else outage
        restart = 0.15 * reboot_task_duration if restart is None else restart
        self.outage = (t, t + outage, t + outage + restart)
        self.logins.clear()  # the management services restart: every login session is gone

    def fail_over(self, sp):
        """SP ``sp`` goes down: what runs on it moves to the peer; a planned return to it is off."""
        peer = C.PEER_SP[sp]
        self.failbacks = [f for f in self.failbacks if f[1] != sp]
        for item in self.placed:
            if item["current"] == sp:
                item["current"] = peer

    def plan_failback(self, sp, t):
        self.failbacks.append((t + self.scenario["failback_seconds"], sp))

    def placed_of(self, kind):
        return [item for item in self.placed if item["id"].startswith(kind + "_")]

    def flaky(self):
        p = self.scenario["flaky_503"]
        return p > 0 and self.rng.random() < p

    def take_oneshot(self, key):
        value = self.pending.get(key)
        if value:
            self.pending[key] = None
        return value

    def _arm_answers(self, scenario, keys, reset):
        """Arm the answer faults of ``keys``: ``lose_create_response`` is one create/reset fault."""
        armed = [] if reset else [a for a in self.answers if a["source"] not in keys]
        if "lose_create_response" in keys and scenario["lose_create_response"]:
            armed.append({"request": "create", "answer": "reset", "resource": None, "left": 1,
                          "source": "lose_create_response", "note": "create response lost"})
        if "answer_faults" in keys:
            armed.extend(dict(f, left=f["count"], source="answer_faults",
                              note="answer fault: %s after %s" % (f["answer"], f["request"]))
                         for f in scenario["answer_faults"])
        self.answers = armed
        self._sync_answers()

    def _sync_answers(self):
        self.pending["lose_create_response"] = any(
            a["source"] == "lose_create_response" for a in self.answers)
        self.pending["answer_faults"] = [
            {k: a[k] for k in ("request", "answer", "resource", "left") if a[k] is not None}
            for a in self.answers if a["source"] == "answer_faults"]

    def take_answer_fault(self, request, resource=None):
        """The armed answer fault for a request that was just applied (used up), else None."""
        for fault in self.answers:
            if fault["request"] == request and fault["resource"] in (None, resource):
                fault["left"] -= 1
                if fault["left"] <= 0:
                    self.answers.remove(fault)
                self._sync_answers()
                return fault
        return None

    def hidden_fields(self, type_name):
        """Attributes the installed OE generation does not have (only with the ``oe`` key)."""
        if not self.scenario["oe"]:
            return frozenset()
        version = packages.version_tuple(self.installed["version"])
        if type_name == "basicSystemInfo" and version[:3] < (5, 1, 2):
            return frozenset({"softwareFullVersion"})
        if type_name in ("candidateSoftwareVersion", "installedSoftwareVersion") and version[:2] < (5, 0):
            return frozenset({"fullVersion"})
        return frozenset()

    # --- candidates ------------------------------------------------------------------------------

    def make_candidate(self, version, ctype=C.SOFTWARE, cid=None, reboot=None, can_pause=None,
                       date=None, path=None):
        self.candidate_counter += 1
        date = date or packages.release_date(version if ctype == C.SOFTWARE else "4.3.0.0.5.0")
        software = ctype == C.SOFTWARE
        return {"id": cid or "candidate_%d" % self.candidate_counter, "version": version,
                "type": ctype,
                "fullVersion": packages.full_version(version, date) if software
                else "Unity Drive Firmware %s" % version,
                "revision": packages.build_number(version),
                "releaseDate": packages.release_iso(date),
                "rebootRequired": software if reboot is None else bool(reboot),
                "canPauseBeforeReboot": software if can_pause is None else bool(can_pause),
                "file": path}

    def _drop_candidate(self, keep=None):
        """Remove the candidate and its file (unless that file is ``keep``, a new upload's)."""
        candidate = getattr(self, "candidate", None)
        self.candidate = None
        if candidate and candidate.get("file") != keep:
            _unlink(candidate.get("file"))

    def accept_upload(self, ctype, version, date, path, now):
        """A complete, valid upload: the old candidate goes now, the new one is listed later."""
        self._drop_candidate(keep=path)
        if self.pending_candidate and self.pending_candidate[1].get("file") != path:
            _unlink(self.pending_candidate[1].get("file"))
        candidate = self.make_candidate(version, ctype, date=date, path=path)
        self.pending_candidate = (now + self.scenario["upload_processing_seconds"], candidate)
        self.tick(now)

    def upload_dir(self):
        path = os.path.join(self.state_dir, self.name, "uploads")
        os.makedirs(path, exist_ok=True)
        return path

    # --- derived views ---------------------------------------------------------------------------

    @property
    def username(self):
        return self.scenario["username"]

    @property
    def password(self):
        return self.scenario["password"]

    @property
    def health(self):
        return self.scenario["health"]

    @property
    def sp_health(self):
        return self.scenario["sp_health"]

    def upgrade_running(self):
        return any(s.status in C.ACTIVE_STATUSES and s.type != C.HEALTH_CHECK
                   for s in self.sessions.values())

    def offers(self, type_name):
        if type_name in C.SESSION_RESOURCES:
            return type_name in self.scenario["session_resources"]
        return True

    def log_request(self, entry):
        self.log.append(entry)

    def state(self, now):
        """The admin API's view of this array (no password, no tokens)."""
        candidate = None
        if self.candidate:
            candidate = {k: v for k, v in self.candidate.items() if k != "file"}
            candidate["bytes"] = _size(self.candidate.get("file"))
        pending = None
        if self.pending_candidate:
            pending = {"version": self.pending_candidate[1]["version"],
                       "bytes": _size(self.pending_candidate[1].get("file")),
                       "listed_in_seconds": round(max(0.0, self.pending_candidate[0] - now), 3)}
        faults = [{"kind": f["kind"], "start": round(f["at"] - self.applied_at, 3),
                   "duration": f["duration"], "delay_ms": f["delay_ms"],
                   "state": "active" if f["at"] <= now < f["until"] else
                   "pending" if now < f["at"] else "done",
                   **{k: f[k] for k in ("method", "path") if f.get(k)}} for f in self.faults]
        version = self.installed["version"]
        return {
            "name": self.name, "host": self.host, "port": self.port,
            "url": "https://%s:%s" % (self.host, self.port), "username": self.username,
            "model": self.model, "system_name": self.system_name, "serial": self.serial,
            "health": C.HEALTH[self.health],
            "sp_health": {k: C.HEALTH[v] for k, v in self.sp_health.items()},
            "software_version": version, "software_version_short": packages.short_version(version),
            "software_full_version": packages.full_version(version),
            "hot_fixes": list(self.installed["hot_fixes"]),
            "candidate": candidate, "pending_candidate": pending,
            "sessions": [s.summary(now) for s in self.sessions.values()],
            "is_upgrade_complete": not self.upgrade_running(),
            "session_resources": list(self.scenario["session_resources"]),
            "api_state": self.phase(now), "listening": self.listening(now),
            "outage": None if not self.outage else {
                "start": round(self.outage[0], 3), "down_until": round(self.outage[1], 3),
                "restart_until": round(self.outage[2], 3)},
            "faults": faults,
            "pending": {k: v for k, v in self.pending.items() if v},
            "auto_failback": self.scenario["auto_failback"],
            "nas_servers": [{k: item[k] for k in ("id", "name", "home", "current")}
                            for item in self.placed_of("nas")],
            "luns": [{k: item[k] for k in ("id", "name", "home", "current")}
                     for item in self.placed_of("sv")],
            "away_from_home": [item["name"] for item in self.placed if item["current"] != item["home"]],
            "login_sessions": len(self.logins), "uploads": dict(self.upload_stats),
            "requests_logged": len(self.log), "clock": round(now, 3),
            "in_flight": sorted(self.in_flight.values(), key=lambda r: r["since"]),
        }


def _size(path):
    """Bytes of an uploaded package as the array stored it (None for a scenario's candidate)."""
    try:
        return os.path.getsize(path) if path else None
    except OSError:
        return None


def _placed(spec, kind, pattern):
    """NAS servers or LUNs from their scenario key: ids nas_1.. / sv_1.. (as Unity names them)."""
    if isinstance(spec, int):
        spec = [{"name": pattern % (i + 1), "home": ("spa", "spb")[i % 2]} for i in range(spec)]
    return [{"id": "%s_%d" % (kind, i + 1), "name": item["name"], "home": item["home"],
             "current": item.get("current", item["home"])} for i, item in enumerate(spec)]


def _unlink(path):
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass
