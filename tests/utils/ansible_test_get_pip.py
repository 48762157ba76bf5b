# -*- coding: utf-8 -*-
# unity.upgrade: offline stand-in for ansible-test's get-pip bootstrap script.
#
# `ansible-test ... --venv` creates its virtual environments without pip and
# bootstraps pip by running ~/.ansible/test/cache/get_pip_<X_Y>.py, which it
# downloads from a host that machines behind a proxy (and CI here) cannot reach.
# `make` copies this file there when the cache holds none (tests/utils/install_get_pip.py).
#
# It is run as __main__ (runpy) by ansible-test's quiet_pip.py inside the new
# virtual environment, with get-pip's arguments, e.g.:
#     --disable-pip-version-check pip==24.2 --no-setuptools --no-wheel
# It does what get-pip.py does, with what Python itself ships plus the machine's
# own pip configuration (index, mirrors, constraints, certificates):
#   1. `python -m ensurepip` in a subprocess. Never in this process: ensurepip
#      sets PIP_CONFIG_FILE=/dev/null in os.environ, which would hide the
#      machine's pip configuration from step 2.
#   2. `python -m pip install <arguments>` in another subprocess, without
#      get-pip's own --no-setuptools / --no-wheel flags (pip does not know them);
#      those are honoured afterwards by removing what ensurepip brought.
# Marker for install_get_pip.py: UNITY-UPGRADE-GET-PIP-STANDIN
from __future__ import annotations

import os
import subprocess
import sys

GET_PIP_ONLY_FLAGS = ("--no-setuptools", "--no-wheel")


def _run(cmd):
    print("get-pip stand-in: %s" % " ".join(cmd), file=sys.stderr)
    sys.stderr.flush()
    return subprocess.call(cmd, env=os.environ.copy())


def _installed(name):
    probe = "import importlib.metadata as m, sys\ntry:\n m.version(%r)\nexcept Exception:\n sys.exit(1)" % name
    return subprocess.call([sys.executable, "-c", probe]) == 0


def main(argv):
    args = [a for a in argv if a not in GET_PIP_ONLY_FLAGS]
    had_setuptools = _installed("setuptools")
    had_wheel = _installed("wheel")

    rc = _run([sys.executable, "-m", "ensurepip", "--upgrade"])
    if rc != 0:
        print("get-pip stand-in: ensurepip failed (exit %d); install this Python's "
              "ensurepip/venv support (e.g. the python3-venv package)" % rc, file=sys.stderr)
        return rc

    rc = _run([sys.executable, "-m", "pip", "install"] + args)
    if rc != 0:
        return rc

    unwanted = []
    if "--no-setuptools" in argv and not had_setuptools and _installed("setuptools"):
        unwanted.append("setuptools")
    if "--no-wheel" in argv and not had_wheel and _installed("wheel"):
        unwanted.append("wheel")
    if unwanted:
        rc = _run([sys.executable, "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check"] + unwanted)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
