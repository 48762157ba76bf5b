"""Jobs for asynchronous answers (``?timeout=0``; reference 2.6).

Only ``verifyUpgradeEligibility`` answers asynchronously here: 202 with the bare job object. The job
runs for ``JOB_SECONDS`` simulated seconds (state 2 Running), then is state 4 Completed with
``progressPct`` 100. Its result, the list of upgradeMessages that the synchronous call returns in
``content.messages``, is in ``parametersOut.messages``; ``messageOut`` is the first ERROR message
(or an informational "completed" message when there is none), and each job task carries the same
messages in ``tasks[].messages``. A check that finds blocking problems still completes (state 4):
the job ran; its result says the array is not eligible.

``out`` replaces ``parametersOut`` (the ``eligibility_answer`` content shapes); ``fail`` makes the job
end in state 5 Failed (task state 3, ``tasks[].messages`` and ``messageOut`` as above, ``parametersOut``
empty): ``eligibility_answer: job_failed``.
"""

from collections import OrderedDict

from . import catalog as C
from .clock import interval

JOB_SECONDS = 3.0
MAX_JOBS = 500


class Job:
    def __init__(self, jid, method, description, now, messages, out=None, fail=False):
        self.id = jid
        self.method = method
        self.description = description
        self.submitted = now
        self.done_at = now + JOB_SECONDS
        self.messages = messages
        self.out = {"messages": list(messages)} if out is None else out
        self.fail = fail

    def content(self, now, iso):
        done = now >= self.done_at
        state = (5 if self.fail else 4) if done else 2
        end = min(now, self.done_at)
        first_error = next((m for m in self.messages if m["severity"] <= C.SEV_ERROR), None)
        message_out = first_error or C.upgrade_message(
            "0", "The operation completed successfully.", 6, 200)
        content = {
            "id": self.id, "state": state,
            "instanceId": "root/emc:EMC_UEM_TransactionJobLeaf%%InstanceID=%s" % self.id,
            "description": self.description, "stateChangeTime": iso(end),
            "submitTime": iso(self.submitted), "startTime": iso(self.submitted),
            "elapsedTime": interval(end - self.submitted),
            "estRemainTime": interval(max(0.0, self.done_at - now)),
            "progressPct": 100 if done else int(100 * (now - self.submitted) / JOB_SECONDS),
            "tasks": [{"state": (3 if self.fail else 2) if done else 1,
                       "name": "job.upgradeservice.task.%s" % self.method.split(".")[-1],
                       "messages": list(self.messages) if done else []}],
            "owner": "System", "requestId": "", "methodName": self.method,
            "parametersOut": dict(self.out) if done and not self.fail else {},
            "isJobCancelable": False, "isJobCancelled": False, "clientData": "",
        }
        if done:
            content["endTime"] = iso(self.done_at)
            content["messageOut"] = message_out
        return content


class JobStore:
    def __init__(self):
        self._jobs = OrderedDict()
        self._counter = 1000

    def clear(self):
        self._jobs.clear()

    def add(self, method, description, now, messages, out=None, fail=False):
        self._counter += 1
        job = Job("N-%d" % self._counter, method, description, now, messages, out, fail)
        self._jobs[job.id] = job
        while len(self._jobs) > MAX_JOBS:
            self._jobs.popitem(last=False)
        return job

    def get(self, jid):
        return self._jobs.get(jid)

    def all(self):
        return list(self._jobs.values())
