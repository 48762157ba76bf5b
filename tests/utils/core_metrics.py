#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The figures of issue 12's "Done when", for the tree it is run on (standard library only).

    python tests/utils/core_metrics.py [ROOT] [--json] [--top N]

ROOT is the collection's tree (default: the checkout this script is in). Measured:

- lines of logic per module file (plugins/modules/*.py): non-blank lines that are not comments,
  outside the DOCUMENTATION, EXAMPLES and RETURN strings (everything else counts: imports, the
  argument spec, docstrings);
- the longest functions in plugins/ (ast: from the ``def`` line to the last line of the body;
  methods as Class.method, nested functions as outer.inner);
- bare status/type numbers in decisions in plugins/ (ast): a comparison (==, !=, <, <=, >, >=, in,
  not in) of a status/type-like operand (a name, attribute, ``x['key']`` or ``x.get('key')`` whose
  name contains "status", "state" or "type") against an int literal or a tuple, list or set of int literals;
  HTTP status codes are apart (listed, not counted): an operand named like ``status_code`` or
  ``http_status``, or literals all between 100 and 599;
- retry/poll loops in plugins/ (ast): ``while`` and ``for`` loops whose body calls a sleep (a call
  of a name or attribute containing "sleep"), or a function of the same file that sleeps outside a
  loop of its own (a backoff helper), each counted once at the innermost loop around the call;
  sleeps outside any loop are listed too.

The ``duplicates`` pairs of the issue are not measured here.
"""

from __future__ import print_function

import argparse
import ast
import json
import os
import re
import sys

DOC_STRINGS = ("DOCUMENTATION", "EXAMPLES", "RETURN")
LIKE_STATUS = re.compile(r"status|type|state", re.I)
LIKE_HTTP = re.compile(r"http|_code$", re.I)
DEFAULT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def python_files(directory):
    for base, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                yield os.path.join(base, name)


def parse(path):
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    return source, ast.parse(source, path)


# ---------------------------------------------------------------- lines of logic

def logic_lines(path):
    """(lines of logic, lines of the file)."""
    source, tree = parse(path)
    lines = source.splitlines()
    docs = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in DOC_STRINGS
                                                for t in node.targets):
            docs.update(range(node.lineno, node.end_lineno + 1))
    logic = sum(1 for number, line in enumerate(lines, 1)
                if number not in docs and line.strip() and not line.strip().startswith("#"))
    return logic, len(lines)


# ---------------------------------------------------------------- functions

def functions(tree):
    """(qualified name, first line, last line) of every function, methods and nested ones included."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                found.append((name, child.lineno, child.end_lineno))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


# ---------------------------------------------------------------- bare numbers

def operand_name(node):
    """The name a status/type-like operand goes by, or None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        return node.args[0].value
    return None


def is_int(node):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool)


def int_literal(node):
    """An int literal, or a tuple/list/set of int literals only."""
    if is_int(node):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and node.elts:
        return all(is_int(e) for e in node.elts)
    return False


def int_values(node):
    nodes = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return [ast.literal_eval(n) for n in nodes]


def bare_numbers(tree):
    """(line, source, is_http) of each comparison of a status/type-like operand with int literals."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left] + list(node.comparators)
        for left, right in zip(operands, operands[1:]):
            hit = [(operand_name(a), b) for a, b in ((left, right), (right, left))
                   if operand_name(a) and LIKE_STATUS.search(operand_name(a)) and int_literal(b)]
            if hit:
                name, number = hit[0]
                http = bool(LIKE_HTTP.search(name)) or all(100 <= v <= 599 for v in int_values(number))
                found.append((node.lineno, ast.unparse(node), http))
                break
    return sorted(found)


# ---------------------------------------------------------------- retry and poll loops

def called_name(node):
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def calls_sleep(node, sleepers=()):
    """A call of a sleep, or of a function of the same file that calls one (``sleepers``)."""
    if not isinstance(node, ast.Call):
        return False
    name = called_name(node)
    return "sleep" in name.lower() or name in sleepers


def sleepers_of(tree):
    """Names of the functions that call a sleep themselves, outside any loop of theirs."""
    names = set()
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _loops, loose = sleeping_loops(func, (), top=func.name)
            if loose:
                names.add(func.name)
    return names


def sleeping_loops(tree, sleepers=(), top=""):
    """([(line, kind, function)] of loops that call a sleep (or a function of ``sleepers``), [(line,
    function)] of sleeps outside loops)."""
    loops, loose = {}, []

    def visit(node, function, loop):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                name = getattr(child, "name", "<lambda>")
                visit(child, function + "." + name if function else name, None)
            elif isinstance(child, ast.ClassDef):
                visit(child, function + "." + child.name if function else child.name, None)
            elif isinstance(child, (ast.While, ast.For, ast.AsyncFor)):
                visit(child, function, child)
            else:
                if calls_sleep(child):
                    if loop is None:
                        loose.append((child.lineno, function or "<module>"))
                if calls_sleep(child, sleepers) and loop is not None:
                    via = "" if calls_sleep(child) else " (sleeps in %s)" % called_name(child)
                    loops.setdefault(loop.lineno, (loop.lineno, type(loop).__name__.lower(),
                                                   (function or "<module>") + via))
                visit(child, function, loop)

    visit(tree, top, None)
    return sorted(loops.values()), loose


# ---------------------------------------------------------------- the report

def measure(root, top=5):
    plugins = os.path.join(root, "plugins")
    modules = {}
    for path in python_files(os.path.join(plugins, "modules")):
        logic, total = logic_lines(path)
        modules[os.path.relpath(path, root)] = {"logic": logic, "lines": total}
    funcs, numbers, http_codes, loops, loose = [], [], [], [], []
    for path in python_files(plugins):
        rel = os.path.relpath(path, root)
        tree = parse(path)[1]
        funcs += [{"function": n, "file": rel, "line": a, "lines": b - a + 1} for n, a, b in functions(tree)]
        for line, code, http in bare_numbers(tree):
            (http_codes if http else numbers).append({"file": rel, "line": line, "code": code})
        found, outside = sleeping_loops(tree, sleepers_of(tree))
        loops += [{"file": rel, "line": line, "loop": kind, "function": f} for line, kind, f in found]
        loose += [{"file": rel, "line": line, "function": f} for line, f in outside]
    funcs.sort(key=lambda f: (-f["lines"], f["file"], f["line"]))
    return {"root": os.path.abspath(root), "module_logic_lines": modules, "longest_functions": funcs[:top],
            "bare_status_numbers": numbers, "http_status_comparisons": http_codes, "retry_loops": loops,
            "sleeps_outside_loops": loose}


def print_report(figures):
    print("core metrics of %s (issue 12, Done when)" % figures["root"])
    print("\nlines of logic per module file (outside DOCUMENTATION, EXAMPLES, RETURN; target <= 150 each):")
    for path, count in sorted(figures["module_logic_lines"].items()):
        print("  %-45s %4d  (of %d lines)" % (path, count["logic"], count["lines"]))
    print("\nlongest functions in plugins/ (target: the longest <= 50 lines):")
    for f in figures["longest_functions"]:
        print("  %4d lines  %s  (%s:%d)" % (f["lines"], f["function"], f["file"], f["line"]))
    numbers = figures["bare_status_numbers"]
    print("\nbare status/type numbers in decisions in plugins/ (target 0): %d" % len(numbers))
    for n in numbers:
        print("  %s:%d  %s" % (n["file"], n["line"], n["code"]))
    http_codes = figures["http_status_comparisons"]
    print("\n(not counted: comparisons of HTTP status codes with literals: %d)" % len(http_codes))
    loops = figures["retry_loops"]
    print("\nretry/poll loops in plugins/ (loops that sleep, directly or through a helper; target: one primitive): %d"
          % len(loops))
    for loop in loops:
        print("  %s:%d  %s loop in %s" % (loop["file"], loop["line"], loop["loop"], loop["function"]))
    loose = figures["sleeps_outside_loops"]
    print("\nsleeps outside any loop (a helper the loops above call, or a single wait): %d" % len(loose))
    for sleep in loose:
        print("  %s:%d  in %s" % (sleep["file"], sleep["line"], sleep["function"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("root", nargs="?", default=DEFAULT_ROOT, help="the collection's tree (default: this checkout)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--top", type=int, default=5, help="how many of the longest functions to list")
    args = parser.parse_args(argv)
    if not os.path.isdir(os.path.join(args.root, "plugins")):
        parser.error("%s has no plugins/ directory" % args.root)
    figures = measure(args.root, args.top)
    if args.json:
        json.dump(figures, sys.stdout, indent=2)
        print()
    else:
        print_report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
