#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Mirror the collection's working tree into another directory (an rsync stand-in).

    python tests/utils/sync_tree.py SRC DEST

Copies (never symlinks: ansible-test resolves links away) every file git knows in SRC,
tracked or untracked-but-not-ignored, as it is in the working tree (uncommitted edits
included), into DEST; files no longer in SRC are removed from DEST. Unchanged files are
left alone, so ansible-test's caches under DEST/tests/output survive between runs.
Outside a git checkout it walks SRC and skips the usual build and cache directories.
"""
from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys

# Never copied from SRC when it is not a git checkout (a git checkout uses .gitignore).
WALK_SKIP_DIRS = {".git", ".venv", "build", "__pycache__", ".pytest_cache", ".hypothesis", ".tox", ".cache"}
# Generated inside DEST by make and ansible-test: kept although SRC has no such file
# (.git: the copy is a git work tree of its own, see the Makefile's build target).
KEEP_IN_DEST = (".git/", "tests/output/", "tests/integration/integration_config.yml")


def source_files(src):
    try:
        out = subprocess.run(
            ["git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True,
        ).stdout
        names = [n for n in out.decode("utf-8", "surrogateescape").split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
        for top, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if d not in WALK_SKIP_DIRS and d != "output")
            rel = os.path.relpath(top, src)
            names.extend(os.path.normpath(os.path.join(rel, f)) for f in files if not f.endswith(".pyc"))
    # a file deleted in the working tree but still in the index is gone; so are submodule dirs
    return sorted({n for n in names if os.path.isfile(os.path.join(src, n))})


def kept(rel):
    rel = rel.replace(os.sep, "/")
    return any(rel == k or rel.startswith(k) for k in KEEP_IN_DEST) or "/__pycache__/" in "/" + rel


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    src, dest = (os.path.abspath(p) for p in argv)
    if dest == src or src.startswith(dest + os.sep):
        sys.exit("sync_tree: refusing to mirror %s into %s" % (src, dest))
    wanted = source_files(src)
    wanted_set = set(wanted)
    copied = removed = 0

    for rel in wanted:
        s, d = os.path.join(src, rel), os.path.join(dest, rel)
        if os.path.islink(d):
            os.unlink(d)
        elif os.path.isdir(d):
            shutil.rmtree(d)
        if os.path.exists(d) and filecmp.cmp(s, d, shallow=False):
            continue
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(s, d)
        copied += 1

    for top, dirs, files in os.walk(dest, topdown=False):
        for f in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            rel = os.path.relpath(os.path.join(top, f), dest)
            if rel not in wanted_set and not kept(rel):
                os.unlink(os.path.join(top, f))
                removed += 1
        if top != dest and not os.listdir(top) and not kept(os.path.relpath(top, dest) + "/"):
            os.rmdir(top)

    print("sync_tree: %d files in %s (%d copied, %d removed)" % (len(wanted), dest, copied, removed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
