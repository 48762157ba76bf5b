# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Typed records the planners and modules pass around.

The API layer (upgrade.py) and the waiter speak in the dicts the modules return; a module turns
them into these records where it reads (``Session.of``) and back into dicts where it reports
(``as_dict``). Nothing here imports Ansible.
"""


from collections import namedtuple

from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import (
    CANDIDATE_SOFTWARE,
    TERMINAL_STATUSES,
)

SESSION_FIELDS = ('id', 'resource', 'type', 'type_name', 'status', 'status_name', 'caption', 'candidate_id',
                  'candidate_version', 'selected_model', 'percent_complete', 'creation_time', 'elapsed_time',
                  'elapsed_seconds', 'current_task', 'estimated_seconds_left', 'tasks', 'messages')
CANDIDATE_FIELDS = ('id', 'version', 'full_version', 'parsed_version', 'revision', 'release_date', 'type',
                    'type_name', 'reboot_required', 'can_pause_before_reboot')


class _Record:
    """``of`` a record dict (missing keys are None) and ``as_dict`` back, for namedtuple records."""

    __slots__ = ()

    @classmethod
    def of(cls, record):
        if record is None or isinstance(record, cls):
            return record
        return cls(**dict((name, record.get(name)) for name in cls._fields))

    def as_dict(self):
        return dict(self._asdict())


class Session(_Record, namedtuple('Session', SESSION_FIELDS, defaults=(None,) * len(SESSION_FIELDS))):
    """An upgrade session, as ``upgrade.session_record`` reads it."""

    __slots__ = ()

    @property
    def over(self):
        return self.status in TERMINAL_STATUSES


class Candidate(_Record, namedtuple('Candidate', CANDIDATE_FIELDS, defaults=(None,) * len(CANDIDATE_FIELDS))):
    """An upgrade candidate, as ``upgrade.candidate_record`` reads it."""

    __slots__ = ()

    @property
    def best_version(self):
        """The most precise version the candidate carries, as the array wrote it."""
        return self.parsed_version or self.version

    @property
    def software(self):
        """An operating-environment upgrade (an array that does not say is taken to mean software)."""
        return self.type in (CANDIDATE_SOFTWARE, None)

    def describe(self):
        return '%s (version %s)' % (self.id, self.best_version)


def sessions_of(records):
    return tuple(Session.of(r) for r in records)


def candidates_of(records):
    return tuple(Candidate.of(r) for r in records)


def as_dict(record):
    """A record as the dict a module returns; None stays None."""
    return None if record is None else record.as_dict()


def active_session(sessions):
    """The one session that is not over, or None (the newest if an array lists several)."""
    active = [s for s in sessions if not s.over]
    return active[-1] if active else None


def newest_session(sessions, statuses=None):
    """The most recently created session (of those statuses), or None.

    Sessions without a creation time count as older; ties keep the array's order.
    """
    listed = [(s.creation_time or '', index, s) for index, s in enumerate(sessions)
              if statuses is None or s.status in statuses]
    return max(listed, key=lambda item: item[:2])[2] if listed else None


def is_software(candidate):
    """Whether a candidate (or no candidate) is an operating-environment upgrade."""
    return candidate is None or candidate.software
