#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""The collection's documentation as users and Galaxy see it (make docs-check).

    python check_docs.py --collections-path DIR [--ansible-doc BIN ...] [--lint-examples] [--workdir DIR]

With each given ansible-doc (one per ansible-core version; default: the one next to this
interpreter), against the collection installed in DIR:
  - every module of unity.upgrade renders as text and as JSON without a warning, with a
    DOCUMENTATION, EXAMPLES and RETURN, and version_added on the module;
  - the role software_upgrade renders (ansible-doc -t role) with its entry points main,
    precheck and stage, without a warning.
Then, once (with the ansible-core this interpreter has):
  - each module's EXAMPLES is valid YAML: a list of tasks, each named, each calling its module
    by FQCN (ansible.builtin.* or unity.upgrade.*, a module this collection has);
  - the EXAMPLES of all modules, as one playbook, pass ansible-playbook --syntax-check and, with
    --lint-examples, ansible-lint (production profile, offline).
Exits 1 listing every problem found.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

COLLECTION = "unity.upgrade"
ROLES = {"unity.upgrade.software_upgrade": ("main", "precheck", "stage")}
# Keywords that may carry a task list: each of their tasks is checked as well.
BLOCK_KEYS = ("block", "rescue", "always")


class Problems(list):
    def add(self, where, what):
        self.append("%s: %s" % (where, what))


def run(cmd, env, cwd=None):
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL, timeout=300)


# ansible-core's own noise, not about this collection: ansible-core 2.21's ansible-doc -t role
# warns that its internal _protomatter collection has no MANIFEST.json.
FOREIGN_WARNINGS = ("/ansible/_internal/ansible_collections/",)


def warnings_in(stderr):
    """ansible-doc's warnings and errors (deprecation notices included), but ansible-core's own noise."""
    return [line for line in stderr.splitlines()
            if line.strip() and not any(noise in line for noise in FOREIGN_WARNINGS)]


def ansible_version(ansible_doc, env):
    done = run([ansible_doc, "--version"], env)
    first = done.stdout.splitlines()[0] if done.stdout else ansible_doc
    return first.replace("ansible-doc ", "ansible-core ").strip()


def check_renders(ansible_doc, env, problems):
    """Modules and role render with this ansible-doc; return {module: doc json}."""
    label = ansible_version(ansible_doc, env)
    listed = run([ansible_doc, "--list", "--json", "-t", "module", COLLECTION], env)
    if listed.returncode != 0:
        problems.add(label, "ansible-doc --list failed: %s" % listed.stderr.strip())
        return {}
    modules = sorted(json.loads(listed.stdout))
    if not modules:
        problems.add(label, "ansible-doc lists no module of %s" % COLLECTION)
    docs = {}
    for name in modules:
        text = run([ansible_doc, "-t", "module", name], env)
        if text.returncode != 0 or not text.stdout.strip():
            problems.add("%s %s" % (label, name), "does not render: %s" % text.stderr.strip())
        for line in warnings_in(text.stderr):
            problems.add("%s %s" % (label, name), "ansible-doc: %s" % line)
        data = run([ansible_doc, "--json", "-t", "module", name], env)
        if data.returncode != 0:
            problems.add("%s %s" % (label, name), "ansible-doc --json failed: %s" % data.stderr.strip())
            continue
        entry = json.loads(data.stdout).get(name, {})
        doc = entry.get("doc") or {}
        for part in ("doc", "examples", "return"):
            if not entry.get(part):
                problems.add("%s %s" % (label, name), "no %s" % part.upper())
        if not doc.get("version_added"):
            problems.add("%s %s" % (label, name), "DOCUMENTATION has no version_added")
        docs[name] = entry
    for role, entry_points in ROLES.items():
        text = run([ansible_doc, "-t", "role", role], env)
        if text.returncode != 0 or not text.stdout.strip():
            problems.add("%s %s" % (label, role), "does not render: %s" % text.stderr.strip())
        for line in warnings_in(text.stderr):
            problems.add("%s %s" % (label, role), "ansible-doc: %s" % line)
        data = run([ansible_doc, "--json", "-t", "role", role], env)
        if data.returncode == 0:
            found = json.loads(data.stdout).get(role, {}).get("entry_points", {})
            for entry_point in entry_points:
                if not (found.get(entry_point) or {}).get("options"):
                    problems.add("%s %s" % (label, role), "entry point %s has no options" % entry_point)
        else:
            problems.add("%s %s" % (label, role), "ansible-doc --json failed: %s" % data.stderr.strip())
    print("docs-check: %s renders %d modules and %d role(s)" % (label, len(docs), len(ROLES)))
    return docs


def task_action(task, where, problems):
    """The module a task calls, as Ansible's own argument parser sees it."""
    from ansible.parsing.mod_args import ModuleArgsParser  # pylint: disable=import-outside-toplevel
    from ansible.errors import AnsibleError  # pylint: disable=import-outside-toplevel
    try:
        action, _args, _delegate = ModuleArgsParser(task).parse()
    except AnsibleError as exc:
        problems.add(where, "not a valid task: %s" % str(exc).splitlines()[0])
        return None
    return action


def init_ansible(collections_path):
    """Let this process's ansible resolve unity.upgrade.* and ansible.builtin.* names."""
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = collections_path
    from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
    init_plugin_loader([collections_path])


def check_tasks(tasks, where, modules, problems):
    if not isinstance(tasks, list) or not tasks:
        problems.add(where, "is not a non-empty list of tasks")
        return
    for index, task in enumerate(tasks):
        here = "%s task %d" % (where, index + 1)
        if not isinstance(task, dict):
            problems.add(here, "is not a mapping")
            continue
        if not task.get("name"):
            problems.add(here, "has no name")
        else:
            here = "%s (%s)" % (here, task["name"])
        if any(key in task for key in BLOCK_KEYS):
            for key in BLOCK_KEYS:
                if key in task:
                    check_tasks(task[key], "%s %s" % (here, key), modules, problems)
            continue
        action = task_action(task, here, problems)
        if action is None:
            continue
        if action.count(".") < 2:
            problems.add(here, "calls %s, not a fully qualified collection name" % action)
        elif action.startswith(COLLECTION + ".") and action not in modules:
            problems.add(here, "calls %s, which this collection does not have" % action)
        elif not action.startswith((COLLECTION + ".", "ansible.builtin.")):
            problems.add(here, "calls %s from another collection" % action)


def check_examples(docs, workdir, env, lint, problems):
    modules = set(docs)
    plays = []
    for name, entry in sorted(docs.items()):
        where = "%s EXAMPLES" % name
        try:
            tasks = yaml.safe_load(entry.get("examples") or "")
        except yaml.YAMLError as exc:
            problems.add(where, "is not valid YAML: %s" % exc)
            continue
        check_tasks(tasks, where, modules, problems)
        if isinstance(tasks, list):
            plays.append({"name": "EXAMPLES of %s" % name, "hosts": "localhost", "connection": "local",
                          "gather_facts": False, "tasks": tasks})
    if not plays:
        return
    os.makedirs(workdir, exist_ok=True)
    playbook = os.path.join(workdir, "examples.yml")
    with open(playbook, "w", encoding="utf-8") as out:
        # The EXAMPLES text as written (not re-serialised), so that ansible-lint's yaml rules
        # judge what users read and copy.
        texts = []
        for name, entry in sorted(docs.items()):
            if not any(play["name"] == "EXAMPLES of %s" % name for play in plays):
                continue
            lines = [line.rstrip() for line in entry["examples"].strip("\n").splitlines()]
            texts.append("- name: EXAMPLES of %s\n  hosts: localhost\n  connection: local\n"
                         "  gather_facts: false\n  tasks:\n" % name
                         + "\n".join(("    " + line) if line else "" for line in lines) + "\n")
        out.write("---\n" + "\n".join(texts))
    bindir = os.path.dirname(sys.executable)
    syntax = run([os.path.join(bindir, "ansible-playbook"), "--syntax-check", "-i", "localhost,", playbook], env, workdir)
    if syntax.returncode != 0:
        problems.add("EXAMPLES playbook", "ansible-playbook --syntax-check: %s" % (syntax.stderr or syntax.stdout).strip())
    if lint:
        with open(os.path.join(workdir, ".ansible-lint"), "w", encoding="utf-8") as out:
            out.write("profile: production\noffline: true\n")
        done = run([os.path.join(bindir, "ansible-lint"), "--nocolor", "examples.yml"],
                   env, workdir)
        if done.returncode != 0:
            for line in (done.stdout + done.stderr).splitlines():
                if line.strip():
                    problems.add("EXAMPLES ansible-lint", line.rstrip())
        elif " 1 files processed" not in done.stdout + done.stderr:
            # an exclude_paths of some configuration found above the workdir would pass it unseen
            problems.add("EXAMPLES ansible-lint", "did not lint examples.yml: %s" % (done.stdout + done.stderr).strip())
    print("docs-check: EXAMPLES of %d modules: YAML task lists with FQCNs, syntax-check%s"
          % (len(plays), " and ansible-lint (production)" if lint else ""))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--collections-path", required=True)
    parser.add_argument("--ansible-doc", action="append", default=[])
    parser.add_argument("--lint-examples", action="store_true")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args(argv)
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(args.collections_path),
               PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_DEPRECATION_WARNINGS="1",
               PY_COLORS="0", NO_COLOR="1")
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    docs_bins = args.ansible_doc or [os.path.join(os.path.dirname(sys.executable), "ansible-doc")]
    problems = Problems()
    docs = {}
    init_ansible(env["ANSIBLE_COLLECTIONS_PATH"])
    for ansible_doc in docs_bins:
        found = check_renders(ansible_doc, env, problems)
        if os.path.dirname(os.path.abspath(ansible_doc)) == os.path.dirname(sys.executable) or not docs:
            docs = found or docs
    workdir = args.workdir or tempfile.mkdtemp(prefix="docs-check-")
    try:
        check_examples(docs, workdir, env, args.lint_examples, problems)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    if problems:
        print("docs-check: %d problem(s):" % len(problems), file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        return 1
    print("docs-check: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
