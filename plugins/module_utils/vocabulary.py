# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The values the array speaks in, named once: session status, session type, candidate type.

Every decision in the collection (planner, waiter, modules) says ``STATUS_FAILED`` or
``FAILED_STATUSES``, never ``3`` or ``(3, 4)``. Nothing here imports Ansible.
"""


# -- UpgradeStatusEnum: the status of an upgrade session and of each of its tasks ---------------

STATUS_NOT_STARTED = 0
STATUS_IN_PROGRESS = 1
STATUS_COMPLETED = 2
STATUS_FAILED = 3
STATUS_FAILED_LOCK = 4
STATUS_CANCELLED = 5
STATUS_PAUSED = 6
STATUS_ACKNOWLEDGED = 7
STATUS_WAITING_FOR_USER = 8
STATUS_PAUSED_LOCK = 9

STATUS_NAMES = {
    STATUS_NOT_STARTED: 'not_started', STATUS_IN_PROGRESS: 'in_progress', STATUS_COMPLETED: 'completed',
    STATUS_FAILED: 'failed', STATUS_FAILED_LOCK: 'failed_lock', STATUS_CANCELLED: 'cancelled',
    STATUS_PAUSED: 'paused', STATUS_ACKNOWLEDGED: 'acknowledged', STATUS_WAITING_FOR_USER: 'waiting_for_user',
    STATUS_PAUSED_LOCK: 'paused_lock',
}

# A session in one of these is over; any other blocks a new session on the array.
TERMINAL_STATUSES = frozenset((STATUS_COMPLETED, STATUS_CANCELLED, STATUS_ACKNOWLEDGED))
# Over, having installed what it was for.
DONE_STATUSES = frozenset((STATUS_COMPLETED, STATUS_ACKNOWLEDGED))
RUNNING_STATUSES = frozenset((STATUS_NOT_STARTED, STATUS_IN_PROGRESS))
FAILED_STATUSES = frozenset((STATUS_FAILED, STATUS_FAILED_LOCK))
# Past the point of cancellation: only a resume takes them on.
LOCKED_STATUSES = frozenset((STATUS_FAILED_LOCK, STATUS_PAUSED_LOCK))
RESUMABLE_STATUSES = frozenset((STATUS_FAILED, STATUS_FAILED_LOCK, STATUS_PAUSED, STATUS_WAITING_FOR_USER,
                                STATUS_PAUSED_LOCK))
CANCELLABLE_STATUSES = frozenset((STATUS_FAILED, STATUS_PAUSED))
ACKNOWLEDGEABLE_STATUSES = frozenset((STATUS_COMPLETED, STATUS_CANCELLED))

# -- UpgradeSessionTypeEnum ---------------------------------------------------------------------

SESSION_TYPE_UPGRADE = 0
SESSION_TYPE_HEALTH_CHECK = 1
SESSION_TYPE_SP_UPGRADE = 2
SESSION_TYPE_OFFLINE_SP_UPGRADE = 3

SESSION_TYPE_NAMES = {SESSION_TYPE_UPGRADE: 'upgrade', SESSION_TYPE_HEALTH_CHECK: 'health_check',
                      SESSION_TYPE_SP_UPGRADE: 'storageprocessor_upgrade',
                      SESSION_TYPE_OFFLINE_SP_UPGRADE: 'offline_storageprocessor_upgrade'}
SESSION_TYPE_VALUES = dict((name, value) for value, name in SESSION_TYPE_NAMES.items())
# The session types that upgrade SP hardware (they take selected_model, no candidate).
SP_UPGRADE_TYPE_NAMES = (SESSION_TYPE_NAMES[SESSION_TYPE_SP_UPGRADE],
                         SESSION_TYPE_NAMES[SESSION_TYPE_OFFLINE_SP_UPGRADE])

# -- UpgradeTypeEnum: what a candidate installs -------------------------------------------------

CANDIDATE_SOFTWARE = 0
CANDIDATE_FIRMWARE = 1
CANDIDATE_LANGUAGE_PACK = 2

CANDIDATE_TYPE_NAMES = {CANDIDATE_SOFTWARE: 'software', CANDIDATE_FIRMWARE: 'firmware',
                        CANDIDATE_LANGUAGE_PACK: 'language_pack'}

# -- the session resources, newest first --------------------------------------------------------

FULL_SESSION_RESOURCE = 'upgradeSession'
SESSION_RESOURCES = (FULL_SESSION_RESOURCE, 'softwareUpgradeSession')


# -- enum values as the array sends them --------------------------------------------------------

def _key(name):
    return str(name).replace('_', '').replace(' ', '').replace('-', '').lower()


def enum_lookup(names, prefixes=()):
    """{normalised name: value} for :func:`enum_value`: each name (``completed``), and with each
    prefix the reference's enum names carry (``Upgrade_Completed``)."""
    lookup = {}
    for value, name in names.items():
        lookup[_key(name)] = value
        for prefix in prefixes:
            lookup[_key(prefix + name)] = value
    return lookup


def enum_value(value, names, lookup=None):
    """The integer of an enum value sent as an integer, a string of digits or a name in any case
    (``2``, ``"2"``, ``"Upgrade_Completed"``, ``"COMPLETED"``), else the value as sent, made hashable.

    A value this code does not know stays unknown: it is never taken for another one, so no name
    (``*_NAMES.get`` answers None) and no status set holds it. A boolean, a float or a structure is
    not an enum integer (``True`` would otherwise read as 1): it is kept as its text.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) < 10:
            return int(text)
        found = (lookup if lookup is not None else enum_lookup(names)).get(_key(text))
        if found is not None:
            return found
        return text
    return 'unreadable %s %s' % (type(value).__name__, str(value)[:40])


STATUS_LOOKUP = enum_lookup(STATUS_NAMES, ('upgrade_',))
SESSION_TYPE_LOOKUP = enum_lookup(SESSION_TYPE_NAMES)
CANDIDATE_TYPE_LOOKUP = enum_lookup(CANDIDATE_TYPE_NAMES)
