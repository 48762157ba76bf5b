"""Upgrade-session operations of an array (a mix-in of ``ArrayModel``): create, resume, cancel,
acknowledge, eligibility, sessions loaded from a scenario, and the hooks the upgrade engine calls.

Choices where the reference is silent (UNCONFIRMED on real arrays):

* Create without ``candidate`` uses the uploaded candidate; a candidate that is not newer than the
  installed version is refused (422); a health-check session (type 1) needs no candidate.
* A failing health check (system or SP health worse than OK_BUT, or ``eligibility.blocking``
  codes) does not refuse the create: the session fails at the first "Performing health checks" task
  with those messages, as the reference's note says ("the software update will fail").
* Resume clears the session's messages; a failed task is retried from its start.
"""

from . import catalog as C
from . import packages
from .errors import ApiError
from .upgrade import UpgradeSession

TRUE = {"true", "t", "1", "yes", "y"}
FALSE = {"false", "f", "0", "no", "n"}


def _flag(body, key):
    value = body.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)) and str(value).strip().lower() in TRUE | FALSE:
        return str(value).strip().lower() in TRUE
    raise ApiError(C.E_BAD_PARAMETER)


class SessionOps:
    # --- engine hooks ----------------------------------------------------------------------------

    def task_started(self, session, task, t):
        if task.caption in C.REBOOT_TASKS:
            self.begin_outage(t, task.duration)
            self.fail_over(C.REBOOT_TASKS[task.caption])

    def task_finished(self, session, task, t):
        if task.caption in C.RESTART_TASKS:
            self.plan_failback(C.RESTART_TASKS[task.caption], t)

    def planned_failure(self, session, index):
        task = session.tasks[index]
        target = self.pending.get("fail_at_task")
        if target is not None and target is not False:
            first = next(i for i, t in enumerate(session.tasks) if t.caption == task.caption)
            if (isinstance(target, int) and target == index) or (
                    isinstance(target, str) and target == task.caption and first == index):
                self.pending["fail_at_task"] = None
                status = self.scenario["fail_status"]
                return status, [C.task_failure_message(task.caption, index, status)]
        if task.caption == C.HEALTH_TASK and index == self._first_health(session):
            problems = self.health_problems()
            if session.type == C.HEALTH_CHECK:
                problems.extend(C.check_message(code, C.SEV_ERROR)
                                for code in self.scenario["health_check"]["blocking"])
                if problems:
                    problems.extend(self._check_warnings())
            if problems:
                return C.FAILED, problems
        return None

    def completed(self, session, t):
        if session.type == C.UPGRADE and session.candidate_version:
            if session.candidate_type == C.SOFTWARE:
                self.installed["version"] = session.candidate_version
                self.installed["hot_fixes"] = []
            elif session.candidate_type == C.FIRMWARE:
                name = "Unity-Drive-Firmware-%s.tgz.bin.gpg" % session.candidate_version
                self.installed["drive_firmware"] = [{
                    "name": name, "version": session.candidate_version,
                    "releaseDate": self.iso(t), "upgradableDriveCount": 0, "estimatedTime": 0,
                    "isNewerVersion": False}]
            if self.candidate and self.candidate["id"] == session.candidate_id:
                self._drop_candidate()
        elif session.type == C.HEALTH_CHECK:
            session.messages = self._check_warnings()
        elif session.type in C.SP_UPGRADE_TYPES and session.selected_model:
            self.sp_model = session.selected_model
            self.model = "Unity %sF" % C.SP_MODEL[self.sp_model][2:]

    def _check_warnings(self):
        return [C.check_message(code, C.SEV_WARNING) for code in self.scenario["health_check"]["warnings"]]

    @staticmethod
    def _first_health(session):
        return next((i for i, t in enumerate(session.tasks) if t.caption == C.HEALTH_TASK), None)

    def iso(self, t):
        return self.clock.iso(t)

    # --- eligibility -----------------------------------------------------------------------------

    def health_problems(self):
        out = []
        if self.health > C.HEALTH_OK_BUT:
            out.append(C.check_message("flr::check_system_health_1", C.SEV_ERROR,
                                       health=C.HEALTH[self.health]))
        for sp, label in (("spa", "SP A"), ("spb", "SP B")):
            if self.sp_health[sp] > C.HEALTH_OK_BUT:
                out.append(C.check_message("flr::check_sp_health_1", C.SEV_ERROR, sp=label,
                                           health=C.HEALTH[self.sp_health[sp]]))
        out.extend(C.check_message(code, C.SEV_ERROR)
                   for code in self.scenario["eligibility"]["blocking"])
        return out

    def eligibility_messages(self):
        out = self.health_problems()
        if self.upgrade_running():
            out.append(C.check_message("flr::check_upgrade_in_progress_1", C.SEV_ERROR))
        out.extend(C.check_message(code, C.SEV_WARNING)
                   for code in self.scenario["eligibility"]["warnings"])
        return out

    def eligibility_content(self, messages, shape):
        """The content of the verifyUpgradeEligibility answer in an ``eligibility_answer`` shape."""
        problems = [m for m in messages if m["severity"] <= C.SEV_ERROR]
        verdict = {"overallStatus": bool(problems),
                   "statusMessage": " ".join(m["messages"][0]["message"] for m in problems)}
        if shape in ("codes", "codes_empty_messages", "codes_only"):
            content = dict({"codes": [m["errorCode"] for m in problems]}, **verdict)
            if shape != "codes_only":
                content["messages"] = list(messages) if shape == "codes" else []
            return content
        if shape == "status_only":
            return verdict
        if shape == "unexpected":
            return {"checkResults": list(messages)}
        return {"messages": list(messages)}

    # --- sessions --------------------------------------------------------------------------------

    def factor(self):
        minutes = self.scenario["upgrade_minutes"]
        return 1.0 if minutes is None else minutes * 60.0 / C.REAL_UPGRADE_SECONDS

    def _new_id(self, version):
        base = "Upgrade_%s" % packages.session_version(version)
        sid, n = base, 1
        while sid in self.sessions:
            n += 1
            sid = "%s_%d" % (base, n)
        return sid

    def find_session(self, sid):
        session = self.sessions.get(sid)
        if session is None:
            raise ApiError(C.E_NOT_FOUND)
        return session

    def active_session(self):
        return next((s for s in self.sessions.values() if s.status in C.ACTIVE_STATUSES), None)

    def create_session(self, resource, body, now):
        known = {"candidate", "pauseBeforeReboot", "selectedModel", "type"}
        if resource == "upgradeSession":
            known |= {"pauseBetweenReboots", "offline"}
        if not isinstance(body, dict) or set(body) - known:
            raise ApiError(C.E_BAD_PARAMETER)
        stype = body.get("type", 3 if body.get("offline") is True else C.UPGRADE)
        if isinstance(stype, bool) or not isinstance(stype, int) or stype not in C.SESSION_TYPE:
            raise ApiError(C.E_BAD_PARAMETER)
        pause_before = _flag(body, "pauseBeforeReboot")
        pause_between = _flag(body, "pauseBetweenReboots")
        active = self.active_session()
        if active is not None:
            raise ApiError(C.E_SESSION_ACTIVE, id=active.id)
        candidate, selected = None, None
        if stype in C.SP_UPGRADE_TYPES:
            supported = self.scenario["supported_upgrade_models"]
            if not supported:
                raise ApiError(C.E_TYPE_UNSUPPORTED, type=C.SESSION_TYPE[stype])
            selected = body.get("selectedModel")
            if selected not in supported:
                raise ApiError(C.E_MODEL_UNSUPPORTED)
        else:
            ref = body.get("candidate")
            if ref is not None:
                if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
                    raise ApiError(C.E_BAD_PARAMETER)
                if not self.candidate or self.candidate["id"] != ref["id"]:
                    raise ApiError(C.E_CANDIDATE_NOT_FOUND)
            candidate = self.candidate
            if stype == C.UPGRADE:
                if candidate is None:
                    raise ApiError(C.E_NO_CANDIDATE)
                if candidate["type"] == C.SOFTWARE and packages.version_tuple(
                        candidate["version"]) <= packages.version_tuple(self.installed["version"]):
                    raise ApiError(C.E_NOT_NEWER, candidate=candidate["version"],
                                   installed=self.installed["version"])
                if pause_before and not candidate["canPauseBeforeReboot"]:
                    raise ApiError(C.E_NO_PAUSE)
        version = candidate["version"] if candidate else self.installed["version"]
        session = UpgradeSession(self._new_id(version), stype, candidate, now, self.factor(),
                                 pause_before, pause_between, selected)
        self.sessions[session.id] = session
        session.advance(now, self)
        return session

    def resume_session(self, session, now):
        if session.status not in C.RESUMABLE_STATUSES:
            raise ApiError(C.E_BAD_STATE, op="resume", status=C.UPGRADE_STATUS[session.status])
        session.resume(now)
        session.advance(now, self)

    def cancel_session(self, session, now):
        if session.status not in C.CANCELLABLE_STATUSES:
            raise ApiError(C.E_BAD_STATE, op="cancel", status=C.UPGRADE_STATUS[session.status])
        session.cancel(now)
        if self.candidate and self.candidate["id"] == session.candidate_id:
            self._drop_candidate()

    def acknowledge_session(self, session):
        if session.status not in C.ACKNOWLEDGEABLE_STATUSES:
            raise ApiError(C.E_BAD_STATE, op="acknowledge", status=C.UPGRADE_STATUS[session.status])
        session.acknowledge()

    def load_session(self, spec, now):
        """A session from the scenario's ``sessions`` list, placed in its status."""
        status, stype = spec["status"], spec["type"]
        version = spec.get("candidate_version")
        candidate = None
        if version:
            if self.candidate and self.candidate["version"] == version:
                candidate = self.candidate
            elif status in C.ACTIVE_STATUSES and stype == C.UPGRADE and self.candidate is None:
                candidate = self.candidate = self.make_candidate(version)
            else:
                candidate = {"id": "candidate_%s" % packages.session_version(version),
                             "version": version, "type": C.SOFTWARE}
        sid = spec.get("id") or self._new_id(version or self.installed["version"])
        selected = spec.get("selected_model") if stype in C.SP_UPGRADE_TYPES else None
        session = UpgradeSession(sid, stype, candidate, now, self.factor(),
                                 pause_between=spec.get("pause_between_reboots", False),
                                 selected_model=selected)
        captions = [t.caption for t in session.tasks]
        task = spec.get("task")
        if isinstance(task, int) and 0 <= task < len(captions):
            index = task
        elif isinstance(task, str) and task in captions:
            index = captions.index(task)
        else:
            default = {C.FAILED: C.HEALTH_TASK, C.FAILED_LOCK: "Installing new software on primary SP",
                       C.CANCELLED: C.WAIT_TASK, C.PAUSED: C.WAIT_TASK,
                       C.WAITING_FOR_USER: C.WAIT_TASK,
                       C.PAUSED_LOCK: "Installing new software on primary SP"}.get(status)
            index = captions.index(default) if default in captions else 0
        messages = ()
        if status in (C.FAILED, C.FAILED_LOCK):
            messages = [C.task_failure_message(captions[index], index, status)]
        session.place(status, index, now, messages)
        self.sessions[sid] = session
