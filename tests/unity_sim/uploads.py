"""``POST /upload/files/types/candidateSoftwareVersion``: a streamed multipart upload (reference 3.8).

The body (``Content-Length`` or chunked) is parsed as ``multipart/form-data`` in 256 KiB pieces; the
part of the form field ``filename`` goes straight to ``<state-dir>/<array>/uploads/*.part`` and is
renamed when it is complete and valid, so memory stays constant and a partial upload never leaves a
candidate. Checks: the file name (see ``packages``), the first payload byte (an OpenPGP packet tag,
else "corrupt or not signed"), ``corrupt_upload``, no active upgrade session (409). Success is 200
with an empty body; the previous candidate is gone at once and the new one is listed after
``upload_processing_seconds``. ``upload_drop_at_bytes`` resets the connection once that many body
bytes have been read (then clears itself); ``upload_stall_at_bytes`` stops reading for
``upload_stall_seconds`` (simulated, slept in real time / time scale), once. An ``answer_faults``
entry for ``upload`` answers a successful (applied) upload unreadably instead (see ``scenario``).
"""

import logging
import os
import re
import time
import uuid

from . import catalog as C
from . import packages
from .errors import ApiError
from .httpio import BodyError, ConnectionDrop, Response

log = logging.getLogger("unity_sim.uploads")

CHUNK = 1 << 18
MAX_PART_HEADERS = 16384
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PARAM = re.compile(r'(\w+)\*?="((?:[^"\\]|\\.)*)"|(\w+)=([^;\s]+)')


class FaultyStream:
    """A body stream that drops or stalls at given byte counts (upload faults)."""

    def __init__(self, stream, array):
        self.stream = stream
        self.array = array
        with array.lock:
            self.drop_at = array.pending.get("upload_drop_at_bytes")
            self.stall_at = array.pending.get("upload_stall_at_bytes")
            self.stall_real = array.clock.real_seconds(array.scenario["upload_stall_seconds"])
        self.count = 0

    def read(self, n):
        for limit in (self.drop_at, self.stall_at):
            if limit is not None and self.count < limit:
                n = min(n, limit - self.count)
        if self.stall_at is not None and self.count >= self.stall_at:
            with self.array.lock:
                self.array.take_oneshot("upload_stall_at_bytes")
            log.info("%s: upload stalls at %d bytes for %.1fs", self.array.name, self.count,
                     self.stall_real)
            self.stall_at = None
            time.sleep(self.stall_real)
        if self.drop_at is not None and self.count >= self.drop_at:
            with self.array.lock:
                self.array.take_oneshot("upload_drop_at_bytes")
                self.array.upload_stats["dropped"] += 1
            log.info("%s: upload dropped at %d bytes", self.array.name, self.count)
            raise ConnectionDrop("upload dropped at %d bytes" % self.count)
        data = self.stream.read(n)
        self.count += len(data)
        return data


class Multipart:
    """A streaming multipart/form-data reader."""

    def __init__(self, stream, boundary):
        self.stream = stream
        self.delim = b"\r\n--" + boundary
        self.buf = bytearray(b"\r\n")  # so the first boundary looks like every other one

    def _fill(self):
        data = self.stream.read(CHUNK)
        if not data:
            raise BodyError("the multipart body ended early")
        self.buf += data

    def _copy_until_delim(self, sink):
        keep = len(self.delim) - 1
        while True:
            idx = self.buf.find(self.delim)
            if idx >= 0:
                if idx:
                    sink(bytes(self.buf[:idx]))
                del self.buf[:idx + len(self.delim)]
                return
            if len(self.buf) > keep:
                sink(bytes(self.buf[:-keep]))
                del self.buf[:-keep]
            self._fill()

    def _need(self, n):
        while len(self.buf) < n:
            self._fill()

    def parts(self, sink_for):
        """For each part, ``sink_for(headers)`` returns a callable that receives its bytes."""
        self._copy_until_delim(lambda data: None)  # the preamble
        while True:
            self._need(2)
            if self.buf[:2] == b"--":
                del self.buf[:2]
                while self.stream.read(CHUNK):  # the epilogue
                    pass
                return
            while True:
                end = self.buf.find(b"\r\n\r\n")
                if end >= 0:
                    break
                if len(self.buf) > MAX_PART_HEADERS:
                    raise BodyError("part headers too long")
                self._fill()
            raw = bytes(self.buf[:end]).decode("utf-8", "replace")
            del self.buf[:end + 4]
            headers = {}
            for line in raw.split("\r\n"):
                name, sep, value = line.partition(":")
                if sep:
                    headers[name.strip().lower()] = value.strip()
            self._copy_until_delim(sink_for(headers))


def disposition(headers):
    params = {}
    for m in _PARAM.finditer(headers.get("content-disposition", "")):
        if m.group(1):
            params[m.group(1).lower()] = m.group(2)
        else:
            params[m.group(3).lower()] = m.group(4)
    return params


class _FilePart:
    def __init__(self, path):
        self.path = path
        self.fh = open(path, "wb")
        self.size = 0
        self.first = None

    def __call__(self, data):
        if self.first is None and data:
            self.first = data[0]
        self.size += len(data)
        self.fh.write(data)


def handle_upload(api, req):
    array = api.array
    match = _BOUNDARY.search(req.headers.get("Content-Type", ""))
    if not req.headers.get("Content-Type", "").lower().startswith("multipart/form-data") or not match:
        raise ApiError(C.E_UPLOAD_FORM)
    with array.lock:
        if array.active_session() is not None:
            raise ApiError(C.E_UPLOAD_BUSY)
        directory = array.upload_dir()
        corrupt = array.scenario["corrupt_upload"]
        array.upload_stats["in_progress"] += 1
    state = {"file": None, "name": None, "parsed": None}

    def sink_for(headers):
        params = disposition(headers)
        if params.get("name") != "filename" or "filename" not in params or state["file"]:
            return lambda data: None
        name = os.path.basename(params["filename"].replace("\\", "/"))
        state["name"] = name
        state["parsed"] = packages.parse_package_name(name)
        if state["parsed"] is None:
            return lambda data: None
        state["file"] = _FilePart(os.path.join(directory, "%s.%s.part" % (name, uuid.uuid4().hex)))
        return state["file"]

    stream = FaultyStream(req.body(), array)
    ok = False
    try:
        Multipart(stream, match.group(1).encode()).parts(sink_for)
        part = state["file"]
        if part is not None:
            part.fh.close()
        if state["name"] is None:
            raise ApiError(C.E_UPLOAD_FORM)
        if state["parsed"] is None:
            raise ApiError(C.E_UPLOAD_NAME, name=state["name"])
        if corrupt or part.size == 0 or not (part.first & 0x80):
            raise ApiError(C.E_UPLOAD_CORRUPT)
        with array.lock:
            if array.active_session() is not None:  # a session started while the file came in
                raise ApiError(C.E_UPLOAD_BUSY)
        final = os.path.join(directory, state["name"])
        os.replace(part.path, final)
        ctype, version, date = tuple(state["parsed"])
        now = array.clock.now()
        with array.lock:
            array.accept_upload(ctype, version, date, final, now)
            array.upload_stats["completed"] += 1
            cid = array.pending_candidate[1]["id"] if array.pending_candidate else array.candidate["id"]
        ok = True
        log.info("%s: uploaded %s (%d bytes)", array.name, state["name"], part.size)
        fault = api.answer_fault(req, "upload", None, 200, {"id": cid})
        if fault is not None:
            return fault
        return Response.empty(200, api.session_headers(req))
    except ConnectionDrop as exc:
        return Response.drop(str(exc))
    except (BodyError, OSError) as exc:
        log.info("%s: upload failed: %s", array.name, exc)
        return Response.drop("upload incomplete")
    finally:
        part = state["file"]
        if part is not None and not ok:
            part.fh.close()
            try:
                os.unlink(part.path)
            except OSError:
                pass
        with array.lock:
            array.upload_stats["in_progress"] -= 1
            if not ok:
                array.upload_stats["failed"] += 1
