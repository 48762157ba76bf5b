"""Package file names, version strings, and :func:`write_candidate` for tests.

Names the upload endpoint accepts (reference 3.7):

* ``Unity-<X.Y.Z.P.5.BUILD>.tgz.bin.gpg`` -- an operating-environment upgrade; the candidate's
  ``version`` is the six-part version, ``type`` 0 (Software).
* ``Unity-Drive-Firmware-<anything>.tgz.bin.gpg`` -- a drive-firmware bundle, ``type`` 1 (Firmware).
  Real firmware packages carry versions such as ``4.3.0.1499782821``; the simulator makes one as
  ``4.3.0.<Unix time of the YYYY-MM-DD date in the name>`` (``Unity-Drive-Firmware-V20-2022-06-13``
  -> ``4.3.0.1655078400``), or ``4.3.0.<build-like number>`` derived from the name when it has no date.

A payload is "signed" when its first byte is an OpenPGP packet tag (``byte & 0x80``).
"""

import datetime as _dt
import os
import random
import re
import zlib

SOFTWARE_RE = re.compile(r"^Unity-(\d+\.\d+\.\d+\.\d+\.5\.\d+)\.tgz\.bin\.gpg$")
FIRMWARE_RE = re.compile(r"^Unity-Drive-Firmware-([A-Za-z0-9._-]+)\.tgz\.bin\.gpg$")
SIX_PART_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+\.\d+\.\d+$")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
OPENPGP_TAG = 0x85  # old-format packet tag 1 (public-key encrypted session key), 2-byte length

# Release dates of versions seen in the reference, so their full-version strings look real.
KNOWN_RELEASES = {"5.2.0.0.5.173": "2022-11-10 10:00:00", "5.3.0.0.5.120": "2023-03-18 19:02:01"}


def parse_package_name(name):
    """``(type, version, release_date_str)`` for an accepted file name, else ``None``."""
    m = SOFTWARE_RE.match(name)
    if m:
        return 0, m.group(1), release_date(m.group(1))
    m = FIRMWARE_RE.match(name)
    if m:
        d = _DATE_RE.search(m.group(1))
        if d:
            day = _dt.datetime(int(d.group(1)), int(d.group(2)), int(d.group(3)),
                               tzinfo=_dt.timezone.utc)
            return 1, "4.3.0.%d" % int(day.timestamp()), day.strftime("%Y-%m-%d %H:%M:%S")
        number = 1400000000 + zlib.crc32(m.group(1).encode()) % 200000000
        return 1, "4.3.0.%d" % number, "2022-01-01 00:00:00"
    return None


def is_six_part(version):
    return bool(SIX_PART_RE.match(str(version)))


def version_tuple(version):
    return tuple(int(p) for p in str(version).split("."))


def short_version(version):
    """``5.3.0.0.5.120`` -> ``5.3.0``."""
    return ".".join(str(version).split(".")[:3])


def session_version(version):
    """The session id part: ``5.3.0.0.5.120`` -> ``5.3.0.120`` (major.minor.patch.build)."""
    parts = str(version).split(".")
    if len(parts) == 6:
        return "%s.%s.%s.%s" % (parts[0], parts[1], parts[2], parts[5])
    return str(version)


def build_number(version):
    return int(str(version).rsplit(".", maxsplit=1)[-1])


def release_date(version):
    """``YYYY-MM-DD hh:mm:ss`` for a version: known ones, else a deterministic date."""
    if version in KNOWN_RELEASES:
        return KNOWN_RELEASES[version]
    parts = version_tuple(version) + (0,) * 6
    base = _dt.datetime(2016, 5, 1) + _dt.timedelta(
        days=(parts[0] - 4) * 540 + parts[1] * 120 + parts[2] * 30 + parts[3] * 7 + parts[5] % 60)
    return base.strftime("%Y-%m-%d 10:00:00")


def release_iso(date_str):
    return date_str.replace(" ", "T") + ".000Z"


def full_version(version, date_str=None):
    """``Unity 5.2.0.0 (Release, Build 173, 2022-11-10 10:00:00, 5.2.0.0.5.173)``."""
    parts = str(version).split(".")
    if len(parts) != 6:
        return "Unity %s" % version
    return "Unity %s (Release, Build %s, %s, %s)" % (
        ".".join(parts[:4]), parts[5], date_str or release_date(version), version)


def api_version(version):
    """apiVersion by OE release: 4.0 -> 4.0, 4.1 -> 5.0, 5.2 -> 12.0, 5.3 -> 13.0 (reference 3.7)."""
    major, minor = version_tuple(version)[:2]
    if major == 4:
        return "%d.0" % (4 + minor)
    if major == 5:
        return "%d.0" % (10 + minor)
    return "%d.0" % (10 + minor + 10 * max(0, major - 5))


def package_name(version):
    return "Unity-%s.tgz.bin.gpg" % version


def write_candidate(path, version, size_bytes=1 << 20, seed=None):
    """Write a valid-looking upgrade package of ``size_bytes`` to ``path`` and return ``path``.

    ``path`` may be a directory, then the file is ``Unity-<version>.tgz.bin.gpg`` in it. The first
    byte is an OpenPGP packet tag; the rest is pseudo-random, written in 1 MiB chunks (fast: one
    random block is generated and varied per chunk, so large files cost little CPU).
    """
    if os.path.isdir(path):
        path = os.path.join(path, package_name(version))
    size_bytes = int(size_bytes)
    if size_bytes < 1:
        raise ValueError("a package has at least one byte")
    rng = random.Random(seed if seed is not None else version)
    block = bytearray(rng.randbytes(1 << 20))
    with open(path, "wb") as fh:
        fh.write(bytes([OPENPGP_TAG]))
        left = size_bytes - 1
        n = 0
        while left > 0:
            block[n % len(block)] = n & 0xFF  # vary each chunk a little
            chunk = block if left >= len(block) else block[:left]
            fh.write(chunk)
            left -= len(chunk)
            n += 1
    return path
