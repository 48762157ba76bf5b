# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.

"""Progress lines of a wait: the snapshot file the module writes, the line the action plugin prints.

A module's only output is its result, at its end. While upgrade_session waits, it replaces a small
file with a snapshot of the wait after each read (SessionWaiter.snapshot); the collection's action
plugin for upgrade_session reads it every ``progress_interval`` seconds and prints a line. Nothing
here imports Ansible or a third-party package: the action plugin runs in ansible-playbook's worker.
"""


import json
import math
import os
import tempfile
import time

# The environment variable by which the action plugin tells the module where to write its snapshots.
PROGRESS_FILE_VARIABLE = 'UNITY_UPGRADE_PROGRESS_FILE'


class ProgressFile:
    """Where a wait leaves its latest snapshot for the action plugin, which shows it in the task's output
    (a module cannot print while it runs). Replaced whole at each write, so a reader never sees half of
    one; a file that cannot be written costs the progress lines, never the wait."""

    def __init__(self, path):
        self.path = path

    def write(self, snapshot):
        if not self.path:
            return
        partial = None
        try:
            # a new file of its own (O_EXCL, 0600), never one that a name in the directory points to
            handle, partial = tempfile.mkstemp(prefix='.progress-', dir=os.path.dirname(self.path))
            with os.fdopen(handle, 'w') as stream:
                json.dump(snapshot, stream)
            os.replace(partial, self.path)
        except (OSError, TypeError, ValueError):
            self.path = None
            if partial:
                try:
                    os.unlink(partial)
                except OSError:
                    pass


RUNNING = ('not_started', 'in_progress')


def _number(value):
    """A finite number, or None (the snapshot is the module's, but a line never fails on it)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return value


def _text(value):
    return ' '.join(value.split()) if isinstance(value, str) else ''


def progress_line(host, snapshot, silent_seconds=None):
    """``array-1: 58% in_progress - Rebooting peer SP; about 40 min left; 1 outage(s) so far (212 s unreachable)``,
    the role's line, with the outage under way when the API is away, and ``silent_seconds`` when the module
    has not written a snapshot for longer than it should have (a hung module must not look like progress)."""
    percent, status = _number(snapshot.get('percent_complete')), _text(snapshot.get('status_name')) or 'unknown'
    line = '%s: %s%% %s' % (host, '?' if percent is None else '%g' % percent, status)
    if _text(snapshot.get('current_task')):
        line += ' - %s' % _text(snapshot['current_task'])
    left = _number(snapshot.get('estimated_seconds_left'))
    if left is not None and status in RUNNING:
        line += '; about %s left' % ('%d s' % left if left < 120 else '%d min' % round(left / 60.0))
    down = snapshot.get('down')
    if isinstance(down, dict):
        seen = down.get('seen') if isinstance(down.get('seen'), list) else []
        line += '; the API has not answered for %d s (%s)' % (
            round(_number(down.get('seconds')) or 0), ', '.join(_text(s) for s in seen if _text(s)) or 'no answer')
    line += '; %d outage(s) so far (%d s unreachable)' % (
        _number(snapshot.get('outages')) or 0, round(_number(snapshot.get('unreachable_seconds')) or 0))
    if silent_seconds:
        line += '; no news from the module for %d s' % round(silent_seconds)
    return line


def final_snapshot(result):
    """The snapshot of a wait that has ended, from the module's result (its ``session`` and ``outages``): the
    last line, with the session as the wait left it. None without a session to show."""
    session = result.get('session') if isinstance(result, dict) else None
    if not isinstance(session, dict):
        return None
    outages = result.get('outages')
    outages = [o for o in outages if isinstance(o, dict)] if isinstance(outages, list) else []
    return {
        'status_name': session.get('status_name'),
        'percent_complete': session.get('percent_complete'),
        'current_task': session.get('current_task'),
        'estimated_seconds_left': session.get('estimated_seconds_left'),
        'outages': len(outages),
        'unreachable_seconds': sum(_number(o.get('seconds')) or 0 for o in outages),
        'down': None,
    }


def read_snapshot(path):
    """The module's latest snapshot and the seconds since it was written, or (None, None) (not written yet,
    or not readable)."""
    try:
        with open(path) as stream:
            age = time.time() - os.fstat(stream.fileno()).st_mtime
            snapshot = json.load(stream)
    except (OSError, ValueError):
        return None, None
    return (snapshot, max(0.0, age)) if isinstance(snapshot, dict) else (None, None)
