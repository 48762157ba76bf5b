#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""Run galaxy-importer on the built collection artifact and fail on anything it reports.

    python galaxy_importer_check.py ARTIFACT.tar.gz --workdir DIR

Runs `python -m galaxy_importer.main ARTIFACT` (this interpreter's galaxy-importer, with
tests/utils/galaxy-importer.cfg, offline) in DIR, prints its log, and fails when the import
fails or logs any WARNING or ERROR (ansible-lint findings, ansible-doc failures, ignore files,
a missing changelog, ...). Then checks its result (DIR/importer_result.json): every module has
documentation, examples and return values as Galaxy shows them, the role has a README,
requires_ansible is the one of meta/runtime.yml, and the guides in docs/ are listed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, "galaxy-importer.cfg")
PROBLEM_PREFIXES = ("WARNING:", "ERROR:", "CRITICAL:")


def check_result(result, problems):
    contents = result["docs_blob"]["contents"]
    modules = [c for c in contents if c["content_type"] == "module"]
    roles = [c for c in contents if c["content_type"] == "role"]
    if not modules:
        problems.append("the importer found no module")
    for module in modules:
        doc_strings = module.get("doc_strings") or {}
        for part in ("doc", "examples", "return"):
            if not doc_strings.get(part):
                problems.append("module %s: no %s in the importer's doc strings" % (module["content_name"], part))
    if not roles:
        problems.append("the importer found no role")
    for role in roles:
        if not role.get("readme_html"):
            problems.append("role %s: no README" % role["content_name"])
    docs = sorted(f["name"] for f in result["docs_blob"].get("documentation_files") or [])
    if not docs:
        problems.append("no documentation file (docs/*.md) in the artifact")
    print("galaxy-importer: %d modules, %d role(s), %d playbooks, docs: %s, requires_ansible %s"
          % (len(modules), len(roles), len([c for c in contents if c["content_type"] == "playbook"]),
             ", ".join(docs) or "none", result.get("requires_ansible")))
    return result.get("requires_ansible")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("artifact")
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--runtime", default=None, help="meta/runtime.yml to compare requires_ansible with")
    args = parser.parse_args(argv)
    artifact = os.path.abspath(args.artifact)
    workdir = os.path.abspath(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(os.path.join(workdir, "tmp"))
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ,
               GALAXY_IMPORTER_CONFIG=CONFIG,
               GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=os.path.join(workdir, "tmp"),
               GALAXY_IMPORTER_TMP_ROOT_DIR=workdir,
               PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
               NO_COLOR="1", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    # The importer sets its own collections path for ansible-doc and ansible-lint.
    for key in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
        env.pop(key, None)
    done = subprocess.run([sys.executable, "-m", "galaxy_importer.main", artifact], cwd=workdir, env=env,
                          capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=900)
    output = done.stdout + done.stderr
    print(output.rstrip())
    problems = [line for line in output.splitlines() if line.startswith(PROBLEM_PREFIXES)]
    result_path = os.path.join(workdir, "importer_result.json")
    if done.returncode != 0 or "Importer processing completed successfully" not in output:
        problems.append("the import did not complete (exit %d)" % done.returncode)
    elif not os.path.exists(result_path):
        problems.append("no importer_result.json")
    else:
        with open(result_path, encoding="utf-8") as handle:
            requires_ansible = check_result(json.load(handle), problems)
        if args.runtime:
            import yaml  # pylint: disable=import-outside-toplevel
            with open(args.runtime, encoding="utf-8") as handle:
                expected = yaml.safe_load(handle).get("requires_ansible")
            if requires_ansible != expected:
                problems.append("requires_ansible %r, meta/runtime.yml says %r" % (requires_ansible, expected))
    if problems:
        print("galaxy-importer: %d problem(s):" % len(problems), file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print("galaxy-importer: OK (%s)" % os.path.basename(artifact))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
