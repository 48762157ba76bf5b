# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unity versions: the one rule for a version the user gives, reading the array's forms, comparing.

The rule for the user's versions (``version`` of the modules, ``unity_upgrade_target_version`` of
the role through the ``unity.upgrade.version_problem`` filter) is :func:`version_problem`.
The array's versions come in many forms (``5.3.0``, ``5.3.0.0.5.120``, ``Unity 5.3.0.0 (Release,
Build 120, ..., 5.3.0.0.5.120)``) and are read by :func:`parse_version`.

Comparing a target with what an array or a candidate reports (:func:`standing`): on the target's
precision, so a target ``5.3.0`` is met by any build of 5.3.0 and ``5.3.0.0.5.120`` by that build
only. A reported version with fewer parts than the target that agrees with it on every part it has
(the array says ``5.3.0``, the target is ``5.3.0.0.5.120``) cannot tell: ``imprecise``, never
"at the target". Nothing here imports Ansible.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

# 3 to 6 dot-separated numbers: a release (5.3.0), a drive firmware bundle (4.3.0.1655078400), a build
# (5.3.0.0.5.120).
USER_VERSION = re.compile(r'^\d+(\.\d+){2,5}$')
USER_VERSION_FORM = '3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120'

_FULL_VERSION_TAIL = re.compile(r'(\d+(?:\.\d+){3,})\s*\)\s*$')
_VERSION = re.compile(r'(?<![\d.])(\d+(?:\.\d+){1,})(?![\d])')

AT, BELOW, NEWER, IMPRECISE, UNKNOWN = 'at', 'below', 'newer', 'imprecise', 'unknown'


def version_problem(option, value):
    """The one-line reason why ``value`` is not a version the user may give as ``option``, or None.

    Blanks around the version are allowed (and dropped by :func:`user_version`)."""
    if isinstance(value, str) and USER_VERSION.match(value.strip()):
        return None
    shown = '' if value is None else str(value)
    if len(shown) > 80:
        shown = shown[:77] + '...'
    return "%s must be %s, got '%s'" % (option, USER_VERSION_FORM, shown)


def user_version(value):
    """A version the user gave that passed :func:`version_problem`, without blanks around it."""
    return value.strip()


def _version_text(text):
    """The dotted version ``text`` carries, exactly as written (``5.4.0.0.5.010``), or None."""
    if text is None or isinstance(text, (bool, dict)):
        return None
    if isinstance(text, (tuple, list)):
        if not text or not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in text):
            return None
        return '.'.join(str(p) for p in text)
    text = str(text).strip()
    match = _FULL_VERSION_TAIL.search(text) or _VERSION.search(text)
    return match.group(1) if match else None


def parse_version(text):
    """A tuple of ints from any Unity version form, or None.

    ``5.3.0``, ``5.3.0.0.5.120``, ``Unity 5.3.0.0 (Release, Build 120, ..., 5.3.0.0.5.120)``
    and file names like ``Unity-5.3.0.0.5.120.tgz.bin.gpg`` all parse. Parts are numbers:
    ``5.4.0.0.5.010`` is ``5.4.0.0.5.10``.
    """
    written = _version_text(text)
    return tuple(int(part) for part in written.split('.')) if written else None


def written_version(text):
    """The version of any Unity version form as the user or the array wrote it, or None.

    Compare with :func:`compare_versions` (numbers); print this form, so that a build written
    ``010`` is shown as ``010``.
    """
    return _version_text(text)


def format_version(version):
    return '.'.join(str(p) for p in version) if version else None


def compare_versions(left, right):
    """-1, 0 or 1, comparing on the precision both sides have.

    ``5.3.0`` equals ``5.3.0.0.5.120``. Decisions about a target use :func:`standing`, which
    also says when the precision both have is not enough.
    """
    left, right = parse_version(left), parse_version(right)
    if left is None or right is None:
        raise ValueError('cannot compare versions %r and %r' % (left, right))
    size = min(len(left), len(right))
    a, b = left[:size], right[:size]
    return (a > b) - (a < b)


def standing(reported, target):
    """Where ``reported`` (what an array runs, or a candidate is) stands against ``target``.

    ``below``, ``at`` or ``newer``, compared on the target's precision; ``imprecise`` when
    ``reported`` has fewer parts than the target and agrees with it on all of them (it cannot tell);
    ``unknown`` when either cannot be read.
    """
    mine, wanted = parse_version(reported), parse_version(target)
    if mine is None or wanted is None:
        return UNKNOWN
    size = min(len(mine), len(wanted))
    if mine[:size] < wanted[:size]:
        return BELOW
    if mine[:size] > wanted[:size]:
        return NEWER
    return IMPRECISE if len(mine) < len(wanted) else AT


def more_precise(reported, other):
    """``other`` as written when it has more parts than ``reported`` and agrees with it, else ``reported``.

    basicSystemInfo of an older OE reports ``5.3.0``; installedSoftwareVersion's id is the build
    (``5.3.0.0.5.120``).
    """
    parts, more = parse_version(reported), parse_version(other)
    if more and (not parts or (len(parts) < len(more) and more[:len(parts)] == parts)):
        return written_version(other)
    return reported


def imprecise_reason(what, reported, target, option):
    """The one line for a version too imprecise to decide whether ``target`` is there."""
    as_precise = format_version(parse_version(target)[:len(parse_version(reported))])
    return ('%s reports %s, less precise than the target %s: it cannot tell whether the target is installed; '
            'give %s as %s to accept any build of it' % (what, reported, target, option, as_precise))
