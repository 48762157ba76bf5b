"""The candidate upload endpoint: streamed multipart, names, signatures, faults, chunked bodies."""

import glob
import os
import time

import pytest
import requests

from unity_sim.packages import write_candidate

from .conftest import CANDIDATE, assert_error, wait_for

UPLOAD = "/upload/files/types/candidateSoftwareVersion"
NAME = "Unity-%s.tgz.bin.gpg" % CANDIDATE


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return write_candidate(str(tmp_path_factory.mktemp("pkg")), CANDIDATE, 3 << 20)


def upload(u, path, name=None, **kw):
    with open(path, "rb") as fh:
        return u.post(UPLOAD, files={"filename": (name or os.path.basename(path), fh,
                                                  "application/octet-stream")}, timeout=30, **kw)


def chunked(path, name, boundary=b"sim-boundary-1234"):
    def body():
        yield (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"filename\"; "
               b"filename=\"" + name.encode() + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        with open(path, "rb") as fh:
            while True:
                data = fh.read(100000)
                if not data:
                    break
                yield data
        yield b"\r\n--" + boundary + b"--\r\n"
    headers = {"Content-Type": "multipart/form-data; boundary=" + boundary.decode()}
    return body(), headers


def part_files(sim, name):
    return glob.glob(os.path.join(sim.state_dir, name, "uploads", "*.part"))


def test_write_candidate_makes_a_signed_looking_package(package):
    assert os.path.basename(package) == NAME and os.path.getsize(package) == 3 << 20
    with open(package, "rb") as fh:
        assert fh.read(1)[0] & 0x80


def test_good_upload_replaces_the_candidate_after_processing(fresh, package, sim):
    u = fresh({"candidate": {"version": "5.2.1.0.5.100"}, "upload_processing_seconds": 30})
    u.login()
    old = u.candidates()[0]["id"]
    resp = upload(u, package)
    assert resp.status_code == 200 and resp.content == b""
    assert u.candidates() == []  # the old one is gone; the new one is being processed
    [cand] = wait_for(u.candidates, timeout=5)
    assert cand["version"] == CANDIDATE and cand["id"] != old and CANDIDATE not in cand["id"]
    assert cand["type"] == 0 and cand["fullVersion"].endswith(CANDIDATE + ")")
    stored = os.path.join(sim.state_dir, u.name, "uploads", NAME)
    assert os.path.getsize(stored) == 3 << 20 and not part_files(sim, u.name)
    sid = u.create({"candidate": {"id": cand["id"]}}).json()["content"]["id"]
    assert sid == "Upgrade_5.3.0.120"
    assert_error(upload(u, package), 409)  # not while an upgrade session is active


def test_chunked_upload(fresh, package):
    u = fresh({"upload_processing_seconds": 0})
    u.login()
    body, headers = chunked(package, NAME)
    resp = u.post(UPLOAD, data=body, headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.request.headers.get("Transfer-Encoding") == "chunked"
    [first] = wait_for(u.candidates, timeout=5)
    assert first["version"] == CANDIDATE
    assert upload(u, package).status_code == 200  # the same package again replaces it
    [again] = wait_for(u.candidates, timeout=5)
    assert again["id"] != first["id"]
    stored = os.path.join(u.sim.state_dir, u.name, "uploads", NAME)
    assert os.path.getsize(stored) == os.path.getsize(package)


def test_unsigned_and_corrupt_payloads_are_refused(fresh, tmp_path, package):
    u = fresh()
    u.login()
    plain = tmp_path / NAME
    plain.write_bytes(b"\x1f\x8b" + os.urandom(4096))  # a bare gzip: not signed
    error = assert_error(upload(u, str(plain)), 422)
    assert "corrupt or not signed" in error["messages"][0]["en-US"]
    empty = tmp_path / "empty" / NAME
    empty.parent.mkdir()
    empty.write_bytes(b"")
    assert_error(upload(u, str(empty)), 422)
    u = fresh({"corrupt_upload": True})
    u.login()
    assert_error(upload(u, package), 422)
    time.sleep(0.2)
    assert u.candidates() == [] and not part_files(u.sim, u.name)


def test_names_fields_and_firmware(fresh, tmp_path, package):
    u = fresh({"upload_processing_seconds": 0})
    u.login()
    for bad in ("update1.gpg", "Unity-5.3.0.tgz.bin.gpg", "OS-5.3.0.0.5.120.tgz.bin"):
        error = assert_error(upload(u, package, name=bad), 422)
        assert bad in error["messages"][0]["en-US"]
    with open(package, "rb") as fh:
        resp = u.post(UPLOAD, files={"file": (NAME, fh)})
    assert_error(resp, 422)  # the field must be called "filename"
    assert_error(u.post(UPLOAD, {"filename": NAME}), 422)
    fw = tmp_path / "Unity-Drive-Firmware-V21-2023-01-31.tgz.bin.gpg"
    write_candidate(str(fw), "fw", 4096)
    assert upload(u, str(fw)).status_code == 200
    [cand] = wait_for(u.candidates, timeout=5)
    assert cand["type"] == 1 and cand["version"] == "4.3.0.1675123200"
    assert cand["rebootRequired"] is False


def test_upload_needs_csrf_and_login(fresh, package):
    u = fresh()
    assert_error(upload(u, package), 401)
    u.login()
    token, u.csrf = u.csrf, None
    assert_error(upload(u, package), 401)
    u.csrf = token
    assert upload(u, package).status_code == 200


def test_drop_at_bytes_once_then_success(fresh, package, sim):
    u = fresh({"upload_drop_at_bytes": 1 << 20, "upload_processing_seconds": 0,
               "candidate": {"version": "5.2.1.0.5.100"}})
    u.login()
    assert sim.state(u.name)["pending"] == {"upload_drop_at_bytes": 1 << 20}
    with pytest.raises(requests.ConnectionError):
        upload(u, package)
    state = sim.state(u.name)
    assert state["pending"] == {} and state["uploads"]["dropped"] == 1
    assert [c["version"] for c in u.candidates()] == ["5.2.1.0.5.100"]  # a partial upload changes nothing
    assert not part_files(sim, u.name)
    log = [r for r in sim.requests(u.name) if r["path"] == UPLOAD]
    assert log[0]["status"] == 0 and "dropped" in log[0]["note"]
    assert upload(u, package).status_code == 200
    assert wait_for(u.candidates, timeout=5)[0]["version"] == CANDIDATE


def test_stall_at_bytes_pauses_the_upload(fresh, package):
    u = fresh({"upload_stall_at_bytes": 1 << 20, "upload_stall_seconds": 30,
               "upload_processing_seconds": 0})   # 30 simulated s = 0.5 s at time scale 60
    u.login()
    started = time.monotonic()
    assert upload(u, package).status_code == 200
    assert time.monotonic() - started >= 0.45


def test_upload_memory_stays_flat(fresh, sim):
    """A 96 MiB streamed upload must not grow the simulator's peak memory by more than 24 MiB."""
    u = fresh({"upload_processing_seconds": 0})
    u.login()
    pid = sim.ready["pid"]

    def peak_kib():
        with open("/proc/%d/status" % pid) as fh:
            return int(next(l for l in fh if l.startswith("VmHWM")).split()[1])

    boundary = b"memtest-boundary"
    head = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"filename\"; "
            b"filename=\"" + NAME.encode() + b"\"\r\n\r\n")
    tail = b"\r\n--" + boundary + b"--\r\n"
    block = b"\x85" + os.urandom((1 << 20) - 1)

    def body():
        yield head
        for dummy in range(96):
            yield block
        yield tail

    before = peak_kib()
    started = time.monotonic()
    resp = u.post(UPLOAD, data=body(), timeout=60,
                  headers={"Content-Type": "multipart/form-data; boundary=memtest-boundary"})
    elapsed = time.monotonic() - started
    assert resp.status_code == 200, resp.text
    grown = peak_kib() - before
    stored = os.path.join(sim.state_dir, u.name, "uploads", NAME)
    assert os.path.getsize(stored) == 96 << 20
    print("96 MiB upload: %.2fs, %.0f MiB/s, peak memory +%d KiB" % (elapsed, 96 / elapsed, grown))
    assert grown < 24 * 1024
    assert elapsed < 20
