#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Put the offline get-pip stand-in where `ansible-test --venv` looks for its bootstrap script.

ansible-test bootstraps pip in every virtual environment it creates from
~/.ansible/test/cache/get_pip_<X_Y>.py, where X.Y is the pip version pinned in
ansible_test/_internal/python_requirements.py (get_venv_packages(), which may depend on the
target Python: pip 23.1.2 in ansible-core 2.16, hence get_pip_23_1_2.py; 24.2 in 2.19; 25.2 in
2.21). When that file is missing it downloads it, which fails without internet access.

Run this script with the interpreter of the virtual environment that holds the ansible-test
to be used (each ansible-core version in its own venv: run it once per venv). It asks that
ansible-test for the pip version of every Python it supports and copies
tests/utils/ansible_test_get_pip.py to each file name, unless a cache file is already present
(a real get-pip.py someone downloaded is left alone; an older copy of ours is refreshed).
Prints the paths. Usage: python install_get_pip.py [--print-only]
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import types

MARKER = "UNITY-UPGRADE-GET-PIP-STANDIN"
HERE = os.path.dirname(os.path.abspath(__file__))
STANDIN = os.path.join(HERE, "ansible_test_get_pip.py")


def python_versions():
    """Every Python version the installed ansible-test supports (controller and remote-only)."""
    try:
        from ansible_test._util.target.common import constants
    except ImportError as exc:
        sys.exit("install_get_pip: ansible-test is not importable with %s: %s" % (sys.executable, exc))
    versions = tuple(getattr(constants, "REMOTE_ONLY_PYTHON_VERSIONS", ())) + tuple(
        getattr(constants, "CONTROLLER_PYTHON_VERSIONS", ()))
    return versions or ("%d.%d" % sys.version_info[:2],)


def pip_version(python_version):
    """The pip version ansible-test bootstraps into the virtual environments it creates for that Python."""
    try:
        from ansible_test._internal import python_requirements as pr
    except ImportError as exc:
        sys.exit("install_get_pip: ansible-test is not importable with %s: %s" % (sys.executable, exc))
    py = types.SimpleNamespace(version=python_version)
    try:
        return pr.get_venv_packages(py)["pip"]
    except Exception:  # pylint: disable=broad-except  # private API moved: read the source
        with open(pr.__file__, encoding="utf-8") as src:
            match = re.search(r"pip\s*=\s*'([0-9.]+)'", src.read())
        if not match:
            sys.exit("install_get_pip: cannot find the pip version in %s" % pr.__file__)
        return match.group(1)


def install(version):
    """Put the stand-in at get_pip_<version>.py unless a current copy or a real script is there."""
    target = os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_"))
    if os.path.exists(target):
        with open(target, encoding="utf-8", errors="replace") as current:
            current_text = current.read()
        with open(STANDIN, encoding="utf-8") as new:
            up_to_date = new.read() == current_text
        if up_to_date or MARKER not in current_text:
            print(target)
            return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    tmp = target + ".tmp"
    shutil.copyfile(STANDIN, tmp)
    os.replace(tmp, target)
    print("installed offline pip bootstrap for ansible-test (pip %s): %s" % (version, target))


def main(argv):
    versions = []
    for python_version in python_versions():
        version = pip_version(python_version)
        if version and version not in versions:
            versions.append(version)
    for version in versions:
        if "--print-only" in argv:
            print(os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_")))
        else:
            install(version)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
