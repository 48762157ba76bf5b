"""The upgrade engine: one upgrade session walking its tasks on the virtual clock.

A software upgrade walks the twelve real task captions of reference 3.4 with the real estRemainTime
values multiplied by ``factor`` (``upgrade_minutes * 60 / 5485``). :meth:`UpgradeSession.advance` is
called with the current simulated time by the simulator's ticker thread (and before every request);
it processes every transition whose time has come, at the exact simulated instant it happened, so a
coarse tick or a clock jump never changes the outcome.

Events, through the ``hooks`` object (the array):

* ``hooks.task_started(session, task, t)`` -- e.g. the SP reboot outages;
* ``hooks.planned_failure(session, index)`` -- ``(status, [upgradeMessage])`` when this task must fail
  (``fail_at_task``; failing health checks), else None; the task then fails half-way through;
* ``hooks.task_finished(session, task, t)`` -- e.g. the failback after an SP's services restarted;
* ``hooks.completed(session, t)`` -- versions change, the candidate goes away.

Intervals are whole seconds (``00:16:10.000``), as in the real capture. Task display: a pending task
shows its (scaled) estimate and the session's creation time; the running task shows its start time
and the time it has left; a finished task keeps its estimate, as finished tasks do in the real capture.
"""

from . import catalog
from .clock import interval

C = catalog


class Task:
    __slots__ = ("caption", "duration", "status", "started")

    def __init__(self, caption, duration):
        self.caption = caption
        self.duration = float(duration)
        self.status = C.NOT_STARTED
        self.started = None


def task_plan(session_type, candidate_type, factor):
    if session_type == C.HEALTH_CHECK:
        spec = C.HEALTH_CHECK_TASKS
    elif session_type == C.UPGRADE and candidate_type == C.FIRMWARE:
        spec = C.FIRMWARE_TASKS
    else:
        spec = C.UPGRADE_TASKS
    return [Task(caption, est * factor) for caption, est in spec]


class UpgradeSession:
    def __init__(self, sid, session_type, candidate, created, factor, pause_before=False,
                 pause_between=False, selected_model=None):
        self.id = sid
        self.type = session_type
        self.candidate_id = candidate["id"] if candidate else None
        self.candidate_version = candidate["version"] if candidate else None
        self.candidate_type = candidate["type"] if candidate else None
        self.selected_model = selected_model
        self.created = created
        self.tasks = task_plan(session_type, self.candidate_type, factor)
        self.pause_before = bool(pause_before)
        self.pause_between = bool(pause_between)
        self.paused_before_done = False
        self.paused_between_done = False
        self.status = C.IN_PROGRESS
        self.messages = []
        self.index = 0            # the current task
        self.cursor = created     # when the current task starts (or started)
        self.run_since = created  # start of the current running stretch, None when stopped
        self.elapsed_before = 0.0
        self.as_of = created      # the instant of the last stop
        self.fail_at = None       # (time, status, messages) planned for the current task

    # --- the walk --------------------------------------------------------------------------------

    def advance(self, now, hooks):
        for dummy in range(4 * len(self.tasks) + 4):  # bounded: each pass finishes or stops something
            if self.status != C.IN_PROGRESS:
                return
            if self.index >= len(self.tasks):
                self._stop(C.COMPLETED, self.cursor)
                hooks.completed(self, self.cursor)
                return
            task = self.tasks[self.index]
            if task.started is None:
                if self.cursor > now:
                    return
                task.started = self.cursor
                task.status = C.IN_PROGRESS
                if task.caption == C.WAIT_TASK and self.pause_before and not self.paused_before_done:
                    self.paused_before_done = True
                    task.status = C.PAUSED
                    self._stop(C.PAUSED, self.cursor)
                    return
                hooks.task_started(self, task, task.started)
                failure = hooks.planned_failure(self, self.index)
                self.fail_at = (task.started + task.duration / 2.0,) + failure if failure else None
            end = task.started + task.duration
            if self.fail_at and self.fail_at[0] <= now:
                when, status, messages = self.fail_at
                self.fail_at = None
                task.status = C.FAILED
                self.messages = list(messages)
                self._stop(status, when)
                return
            if end > now:
                return
            task.status = C.COMPLETED
            self.cursor = end
            self.index += 1
            hooks.task_finished(self, task, end)
            if (task.caption == C.PEER_SERVICES_TASK and self.pause_between
                    and not self.paused_between_done):
                self.paused_between_done = True
                self._stop(C.PAUSED_LOCK, end)
                return

    def _stop(self, status, when):
        self.status = status
        if self.run_since is not None:
            self.elapsed_before += max(0.0, when - self.run_since)
        self.run_since = None
        self.as_of = when

    # --- actions ---------------------------------------------------------------------------------

    def resume(self, now):
        """Paused / paused_lock: go on; failed / failed_lock: retry the failed task."""
        if self.index < len(self.tasks):
            task = self.tasks[self.index]
            if self.status in (C.FAILED, C.FAILED_LOCK):
                task.started = None
                task.status = C.NOT_STARTED
            elif task.started is not None:  # paused at "Waiting for reboot command"
                task.started = now
                task.status = C.IN_PROGRESS
        self.cursor = now
        self.fail_at = None
        self.messages = []
        self.status = C.IN_PROGRESS
        self.run_since = now
        self.as_of = now

    def cancel(self, now):
        self._stop(C.CANCELLED, now)

    def acknowledge(self):
        self.status = C.ACKNOWLEDGED

    def place(self, status, index, now, messages=()):
        """Put a session loaded from a scenario at task ``index`` in ``status`` at instant ``now``.

        The tasks before ``index`` ran back to back and ended at ``now``.
        """
        if status in (C.COMPLETED, C.ACKNOWLEDGED):
            index = len(self.tasks)
        before = sum(task.duration for task in self.tasks[:index])
        self.created = t = now - before
        for task in self.tasks[:index]:
            task.started, task.status = t, C.COMPLETED
            t += task.duration
        self.index, self.cursor, self.elapsed_before = index, now, before
        self.messages = list(messages)
        self.status, self.as_of = status, now
        self.run_since = now if status == C.IN_PROGRESS else None
        if status == C.IN_PROGRESS or index >= len(self.tasks):
            return
        task = self.tasks[index]
        if status in (C.PAUSED, C.WAITING_FOR_USER) and task.caption == C.WAIT_TASK:
            task.started, task.status = now, status
            self.paused_before_done = True
        elif status in (C.FAILED, C.FAILED_LOCK):
            task.started, task.status = now - task.duration / 2.0, C.FAILED
        elif status == C.PAUSED_LOCK:
            self.paused_between_done = True

    # --- views -----------------------------------------------------------------------------------

    @property
    def running(self):
        return self.status == C.IN_PROGRESS

    def elapsed(self, now):
        extra = (now - self.run_since) if self.run_since is not None else 0.0
        return self.elapsed_before + max(0.0, extra)

    def _time(self, now):
        return now if self.running else self.as_of

    def percent(self, now):
        if self.status in (C.COMPLETED, C.ACKNOWLEDGED):
            return 100
        t = self._time(now)
        total = sum(task.duration for task in self.tasks) or 1.0
        done = sum(task.duration for task in self.tasks[:self.index])
        if self.index < len(self.tasks):
            task = self.tasks[self.index]
            if task.started is not None:
                done += min(task.duration, max(0.0, t - task.started))
        return min(99, int(100.0 * done / total))

    def current_task(self):
        return self.tasks[self.index].caption if self.index < len(self.tasks) else None

    def task_views(self, now, iso):
        t = self._time(now)
        views = []
        for i, task in enumerate(self.tasks):
            if task.started is None:
                remain, created = task.duration, self.created
            elif i == self.index and task.status != C.COMPLETED:
                remain, created = task.duration - max(0.0, t - task.started), task.started
            else:
                remain, created = task.duration, task.started
            views.append({"status": task.status, "type": self.type, "caption": task.caption,
                          "creationTime": iso(created),
                          "estRemainTime": interval(round(max(0.0, remain)))})
        return views

    def content(self, now, iso):
        content = {"id": self.id, "type": self.type, "caption": self.id, "status": self.status,
                   "messages": list(self.messages), "creationTime": iso(self.created),
                   "elapsedTime": interval(round(self.elapsed(now))),
                   "percentComplete": self.percent(now),
                   "tasks": self.task_views(now, iso)}
        if self.candidate_id is not None:
            content["candidate"] = {"id": self.candidate_id}
        if self.selected_model is not None:
            content["selectedModel"] = self.selected_model  # UNCONFIRMED: see resources.SESSION_FIELDS
        return content

    def summary(self, now):
        return {"id": self.id, "type": self.type, "type_name": C.SESSION_TYPE[self.type],
                "status": self.status, "status_name": C.UPGRADE_STATUS[self.status],
                "percent_complete": self.percent(now), "current_task": self.current_task(),
                "candidate_version": self.candidate_version,
                "selected_model": self.selected_model,
                "elapsed_seconds": round(self.elapsed(now), 3)}
