# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The upgrade domain: enums with names, versions, the session resource, typed reads and actions.

Everything here speaks in plain dicts with snake_case keys and enum names next to
the numbers, which is what the modules return. Nothing here imports Ansible.
"""


import re

from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    UnityApiError,
    localized_messages,
)
from ansible_collections.unity.upgrade.plugins.module_utils.retry import (
    AWAY,
    ERROR,
    HTTP,
    MAYBE_APPLIED,
    OUTAGE,
    PENDING,
    TLS,
    Clock,
    Pending,
    RetryPolicy,
    retry,
    unread_after_change,
)
from ansible_collections.unity.upgrade.plugins.module_utils.versions import (
    compare_versions,
    more_precise,
    parse_version,
    written_version,
)
from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import (
    CANDIDATE_FIRMWARE,
    CANDIDATE_LANGUAGE_PACK,
    CANDIDATE_SOFTWARE,
    CANDIDATE_TYPE_LOOKUP,
    CANDIDATE_TYPE_NAMES,
    DONE_STATUSES,
    SESSION_RESOURCES,
    SESSION_TYPE_LOOKUP,
    SESSION_TYPE_NAMES,
    STATUS_COMPLETED,
    STATUS_LOOKUP,
    STATUS_NAMES,
    TERMINAL_STATUSES,
    enum_lookup,
    enum_value,
)

# -- enums (values from real arrays' metadata, as the Unisphere Management REST API Reference Guide lists
# them; the session and candidate enums are named in vocabulary.py) --------------------------------

HEALTH_NAMES = {0: 'UNKNOWN', 5: 'OK', 7: 'OK_BUT', 10: 'DEGRADED', 15: 'MINOR', 20: 'MAJOR',
                25: 'CRITICAL', 30: 'NON_RECOVERABLE'}

SEVERITY_NAMES = {0: 'EMERGENCY', 1: 'ALERT', 2: 'CRITICAL', 3: 'ERROR', 4: 'WARNING', 5: 'NOTICE',
                  6: 'INFO', 7: 'DEBUG', 8: 'OK'}
# Messages of these severities (and worse, i.e. lower numbers) block an upgrade.
BLOCKING_SEVERITY = 3
WARNING_SEVERITY = 4

# SPModelNameEnum. 1, 8 and 9-14 are documented; 2-7 follow the model line-up (inferred).
SP_MODEL_NAMES = {1: 'SP300', 2: 'SP400', 3: 'SP500', 4: 'SP600', 5: 'SP350', 6: 'SP450', 7: 'SP550',
                  8: 'SP650', 9: 'VSA2Core', 10: 'VSA12Core', 11: 'SP380', 12: 'SP480', 13: 'SP680',
                  14: 'SP880'}
SP_MODEL_VALUES = dict((name, value) for value, name in SP_MODEL_NAMES.items())
HEALTH_LOOKUP = enum_lookup(HEALTH_NAMES)
SEVERITY_LOOKUP = enum_lookup(SEVERITY_NAMES)
SP_MODEL_LOOKUP = enum_lookup(SP_MODEL_NAMES)

# -- fields read per resource: exactly what the modules use ------------------------------------

BASIC_FIELDS = ('id', 'model', 'name', 'softwareVersion', 'softwareFullVersion', 'apiVersion',
                'earliestApiVersion')
SYSTEM_FIELDS = ('id', 'name', 'model', 'serialNumber', 'platform', 'health', 'isUpgradeComplete')
INSTALLED_FIELDS = ('id', 'version', 'revision', 'releaseDate', 'fullVersion', 'languages',
                    'hotFixes', 'packageVersions', 'driveFirmware')
CANDIDATE_FIELDS = ('id', 'version', 'fullVersion', 'revision', 'releaseDate', 'type',
                    'rebootRequired', 'canPauseBeforeReboot')
SESSION_FIELDS = ('id', 'type', 'candidate', 'caption', 'status', 'messages', 'creationTime',
                  'elapsedTime', 'percentComplete', 'tasks', 'selectedModel')
SP_FIELDS = ('id', 'name', 'health', 'isRescueMode', 'model', 'modelName', 'slotNumber',
             'needsReplacement', 'memorySize')
# Fields newer OEs added (older arrays answer 422 when asked for them).
# selectedModel (the SP model a hardware upgrade session goes to) is a Create argument; the Reference
# Guide does not list it among the session's attributes: arrays that do not have it answer 422.
OPTIONAL_FIELDS = frozenset(('softwareFullVersion', 'fullVersion', 'selectedModel'))


# -- versions (the rules are in versions.py; these names are the ones the modules and tests import) --------

def version_from_filename(path):
    """The version a Unity upgrade package's file name carries, or None."""
    name = re.split(r'[\\/]', str(path))[-1]
    match = re.match(r'^Unity-(?:[A-Za-z]+-)*?(\d+(?:\.\d+){2,})', name)
    return match.group(1) if match else None


def candidate_type_from_filename(path):
    """The UpgradeTypeEnum value a package's file name implies: firmware, language pack, else software."""
    name = re.split(r'[\\/]', str(path))[-1].lower()
    if 'drive-firmware' in name or 'drive_firmware' in name:
        return CANDIDATE_FIRMWARE
    if 'languagepack' in name or 'language-pack' in name or 'language_pack' in name:
        return CANDIDATE_LANGUAGE_PACK
    return CANDIDATE_SOFTWARE


def candidate_matches(item, version, candidate_type=None):
    """Whether a normalised candidate is of ``version`` (on the precision both have) and type."""
    listed = item.get('parsed_version') or item.get('version')
    if parse_version(listed) is None or parse_version(version) is None:
        return False
    if candidate_type is not None and item.get('type') is not None and item['type'] != candidate_type:
        return False
    return compare_versions(listed, version) == 0


def interval_seconds(text):
    """``h+:mm:ss[.sss]`` (hours unbounded) to seconds, or None."""
    if not text:
        return None
    match = re.match(r'^\s*(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*$', str(text))
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


# -- normalisers: the array's camelCase answer -> the record (a dict with snake_case keys and enum
# names next to the numbers) that the modules return. The planner reads them as typed records
# (records.py). ----------------------------------------------------------------------------------

def _camel_to_snake(name):
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


# Typed reads of one field of an answer. An optional field that is missing, null or of another type
# reads as None (or an empty list): the record carries on without it. A field a decision cannot do
# without (an id) is :func:`required_text`, which fails naming the resource and the field.

def _object(raw):
    return raw if isinstance(raw, dict) else {}


def _text(raw, key):
    """A string field (a number is read as its text), else None."""
    value = raw.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _number(raw, key):
    """A number field (an int, a float, or a string of digits), else None."""
    value = raw.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 16:
        return int(value.strip())
    return None


def _flag(raw, key):
    """A boolean field, else None (the API writes booleans as true/false)."""
    value = raw.get(key)
    return value if isinstance(value, bool) else None


def _items(raw, key):
    """A list field's items, else []."""
    value = raw.get(key)
    return list(value) if isinstance(value, list) else []


def _texts(raw, key):
    return [item if isinstance(item, str) else str(item) for item in _items(raw, key)
            if isinstance(item, (str, int, float)) and not isinstance(item, bool)]


def unreadable_field(resource, field, raw):
    """The one-line failure for a field a decision cannot do without."""
    value = raw.get(field) if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        state = 'missing (the %s is a %s, not an object)' % (resource, type(raw).__name__)
    elif field not in raw:
        state = 'missing'
    elif value is None or value == '':
        state = 'empty' if value == '' else 'null'
    else:
        state = 'a %s, not a string' % type(value).__name__
    return UnityApiError("cannot read the array's %s: its %s is %s" % (resource, field, state))


def required_text(raw, resource, field='id'):
    value = _text(_object(raw), field)
    if not value:
        raise unreadable_field(resource, field, raw)
    return value


def health_record(raw):
    """The embedded health object with its name (an unknown or unreadable value is UNKNOWN)."""
    raw = _object(raw)
    value = enum_value(raw.get('value'), HEALTH_NAMES, HEALTH_LOOKUP)
    return {
        'value': value,
        'name': HEALTH_NAMES.get(value, 'UNKNOWN'),
        'description_ids': _texts(raw, 'descriptionIds'),
        'descriptions': _texts(raw, 'descriptions'),
        'resolution_ids': _texts(raw, 'resolutionIds'),
        'resolutions': _texts(raw, 'resolutions'),
    }


def message_record(raw):
    """An upgradeMessage (or error entity) with severity name and one text."""
    raw = _object(raw)
    severity = enum_value(raw.get('severity'), SEVERITY_NAMES, SEVERITY_LOOKUP)
    texts = localized_messages(_items(raw, 'messages'))
    return {
        'error_code': _text(raw, 'errorCode'),
        'severity': severity,
        'severity_name': SEVERITY_NAMES.get(severity),
        'http_status': _number(raw, 'httpStatus'),
        'message': ' '.join(texts),
    }


def task_record(raw):
    raw = _object(raw)
    status = enum_value(raw.get('status'), STATUS_NAMES, STATUS_LOOKUP)
    task_type = enum_value(raw.get('type'), SESSION_TYPE_NAMES, SESSION_TYPE_LOOKUP)
    remain = _text(raw, 'estRemainTime')
    return {
        'caption': _text(raw, 'caption'),
        'status': status,
        'status_name': STATUS_NAMES.get(status),
        'type': task_type,
        'creation_time': _text(raw, 'creationTime'),
        'est_remain_time': remain,
        'est_remain_seconds': interval_seconds(remain),
    }


def current_task(tasks):
    """The task an upgrade is at: the first not completed one."""
    for item in tasks:
        if item['status'] != STATUS_COMPLETED:
            return item
    return None


def _sp_model_name(value):
    """The SPModelNameEnum name of a value (an unknown number stays a number), or None."""
    if value is None or value == '':
        return None
    value = enum_value(value, SP_MODEL_NAMES, SP_MODEL_LOOKUP)
    return SP_MODEL_NAMES.get(value, value)


def estimated_seconds_left(status, tasks):
    """The array's own estimate of the time a session has left: the estRemainTime of every task not yet
    completed (a finished task keeps its estimate, so those are left out); 0 once it is done, None when it
    is cancelled or a task without an estimate is ahead."""
    if status in DONE_STATUSES:
        return 0
    if status in TERMINAL_STATUSES or not tasks:
        return None
    ahead = [item['est_remain_seconds'] for item in tasks if item['status'] != STATUS_COMPLETED]
    if any(seconds is None for seconds in ahead):
        return None
    return int(round(sum(ahead)))


def session_record(raw, resource):
    """An upgradeSession (or softwareUpgradeSession) of ``resource`` as its record.

    A status or type the code does not know stays as sent, without a name: such a session is
    not over (it blocks a new one) and is never adopted as an upgrade.
    """
    session_id = required_text(raw, resource)
    status = enum_value(raw.get('status'), STATUS_NAMES, STATUS_LOOKUP)
    session_type = enum_value(raw.get('type'), SESSION_TYPE_NAMES, SESSION_TYPE_LOOKUP)
    tasks = [task_record(t) for t in _items(raw, 'tasks') if isinstance(t, dict)]
    candidate = raw.get('candidate')
    now = current_task(tasks)
    elapsed = _text(raw, 'elapsedTime')
    return {
        'id': session_id,
        'resource': resource,
        'type': session_type,
        'type_name': SESSION_TYPE_NAMES.get(session_type),
        'status': status,
        'status_name': STATUS_NAMES.get(status),
        'caption': _text(raw, 'caption'),
        'candidate_id': _text(candidate, 'id') if isinstance(candidate, dict) else None,
        # Filled by UpgradeApi from the candidates it has read (None when unknown).
        'candidate_version': None,
        'selected_model': _sp_model_name(raw.get('selectedModel')),
        'percent_complete': _number(raw, 'percentComplete'),
        'creation_time': _text(raw, 'creationTime'),
        'elapsed_time': elapsed,
        'elapsed_seconds': interval_seconds(elapsed),
        'current_task': now['caption'] if now and status not in TERMINAL_STATUSES else None,
        'estimated_seconds_left': estimated_seconds_left(status, tasks),
        'tasks': tasks,
        'messages': [message_record(m) for m in _items(raw, 'messages') if isinstance(m, dict)],
    }


def candidate_record(raw):
    """A candidateSoftwareVersion as its record (a type the code does not know stays as sent, unnamed)."""
    candidate_id = required_text(raw, 'candidateSoftwareVersion')
    candidate_type = enum_value(raw.get('type'), CANDIDATE_TYPE_NAMES, CANDIDATE_TYPE_LOOKUP)
    version = _text(raw, 'version')
    full = _text(raw, 'fullVersion')
    return {
        'id': candidate_id,
        'version': version,
        'full_version': full,
        'parsed_version': written_version(full) or written_version(version),
        'revision': _number(raw, 'revision'),
        'release_date': _text(raw, 'releaseDate'),
        'type': candidate_type,
        'type_name': CANDIDATE_TYPE_NAMES.get(candidate_type),
        'reboot_required': _flag(raw, 'rebootRequired'),
        'can_pause_before_reboot': _flag(raw, 'canPauseBeforeReboot'),
    }


def _snake_list(items):
    return [dict((_camel_to_snake(str(k)), v) for k, v in item.items()) if isinstance(item, dict) else item
            for item in items]


def installed_software_record(raw):
    raw = _object(raw)
    full = _text(raw, 'fullVersion')
    return {
        'id': _text(raw, 'id'),
        'version': _text(raw, 'version'),
        'full_version': full,
        'parsed_version': (written_version(_text(raw, 'id')) or written_version(full)
                           or written_version(_text(raw, 'version'))),
        'revision': _number(raw, 'revision'),
        'release_date': _text(raw, 'releaseDate'),
        'hot_fixes': _texts(raw, 'hotFixes'),
        'languages': _snake_list(_items(raw, 'languages')),
        'package_versions': _snake_list(_items(raw, 'packageVersions')),
        'drive_firmware': _snake_list(_items(raw, 'driveFirmware')),
    }


def storage_processor_record(raw):
    raw = _object(raw)
    return {
        'id': _text(raw, 'id'),
        'name': _text(raw, 'name'),
        'health': health_record(raw.get('health')),
        'is_rescue_mode': _flag(raw, 'isRescueMode'),
        'needs_replacement': _flag(raw, 'needsReplacement'),
        'model': _text(raw, 'model'),
        'model_name': _sp_model_name(raw.get('modelName')),
        'slot_number': _number(raw, 'slotNumber'),
        'memory_size_mb': _number(raw, 'memorySize'),
    }


def system_record(raw_system, raw_basic):
    raw_system = _object(raw_system)
    raw_basic = _object(raw_basic)
    upgrade_complete = _flag(raw_system, 'isUpgradeComplete')
    return {
        'id': _text(raw_system, 'id') or _text(raw_basic, 'id'),
        'name': _text(raw_system, 'name') or _text(raw_basic, 'name'),
        'model': _text(raw_system, 'model') or _text(raw_basic, 'model'),
        'serial_number': _text(raw_system, 'serialNumber'),
        'platform': _text(raw_system, 'platform'),
        'health': health_record(raw_system.get('health')),
        'software_version': _text(raw_basic, 'softwareVersion'),
        'software_full_version': _text(raw_basic, 'softwareFullVersion'),
        'api_version': _text(raw_basic, 'apiVersion'),
        'earliest_api_version': _text(raw_basic, 'earliestApiVersion'),
        'upgrade_in_progress': None if upgrade_complete is None else not upgrade_complete,
    }


def system_installed_version(system):
    """The installed version of a system record, as :func:`installed_version` reads basicSystemInfo."""
    system = system or {}
    return installed_version({'softwareFullVersion': system.get('software_full_version'),
                              'softwareVersion': system.get('software_version')})


# The name test_waiter.py still imports (its file is not this change's); use session_record.
session = session_record


# -- the API ------------------------------------------------------------------------------------

class CandidateNotListed(UnityApiError):
    """The candidate an upload should have put on the array was not listed in time."""


# NodeEnum: where a LUN runs; 2 (unknown) and anything else: not known.
NODES = {0: 'spa', 1: 'spb'}
NAS_SERVER_FIELDS = ('id', 'name', 'homeSP', 'currentSP')
LUN_FIELDS = ('id', 'name', 'defaultNode', 'currentNode')


def placement_record(raw, home, current):
    """A NAS server or LUN: its home SP and the SP it runs on (``spa``/``spb``, None when unknown)."""
    return {'id': raw.get('id'), 'name': raw.get('name'), 'home_sp': home, 'current_sp': current,
            'at_home': home is not None and home == current}


def _sp_ref(value):
    return value.get('id') if isinstance(value, dict) and isinstance(value.get('id'), str) else None


def _node(value):
    return NODES.get(value) if isinstance(value, int) and not isinstance(value, bool) else None


class UnsettledCreate(UnityApiError):
    """The answer to a create was lost and reading the sessions again found none that it made. A session
    listed before the create (another client's, started after the caller's plan) may still be the one to
    adopt: the caller decides."""


class UpgradeApi:
    """Typed reads and actions on one array's upgrade resources."""

    def __init__(self, client, clock=None, sleep=None):
        self.client = client
        # The client's clock (the module's); ``sleep`` alone (older tests) waits each policy's caps, unjittered.
        self.clock = clock or (Clock(sleep=sleep, rand=lambda: 1.0) if sleep else None) \
            or getattr(client, 'clock', None) or Clock()
        self._session_resource = None
        # fields -> the same without the optional ones, for the reads the array refused with them
        self._trimmed = {}
        # candidate id -> version as the array wrote it, of every candidate read so far (a candidate
        # the array dropped, after a completed or cancelled session, stays known).
        self.candidate_versions = {}

    # reads

    def _tolerant(self, read, fields):
        """Read; if the array rejects a field newer OEs added (422), read again without them, and
        read these fields without them from then on (an older OE refuses them every time)."""
        fields = tuple(fields)
        if fields in self._trimmed:
            return read(self._trimmed[fields])
        try:
            return read(fields)
        except UnityApiError as error:
            trimmed = tuple(f for f in fields if f not in OPTIONAL_FIELDS)
            if error.http_status != 422 or trimmed == fields:
                raise
            self._trimmed[fields] = trimmed
            return read(trimmed)

    def basic_system_info(self, retry=None):
        return self._tolerant(lambda f: self.client.get_basic_system_info(f, retry=retry),
                              BASIC_FIELDS)

    def installed_version(self):
        """The installed version, dotted, as precisely as the array tells it: basicSystemInfo's
        softwareFullVersion, else (OEs before about 5.1.2 lack it) installedSoftwareVersion's id, the
        build, when it agrees with basicSystemInfo's three-part softwareVersion."""
        short = installed_version(self.basic_system_info())
        if len(parse_version(short) or ()) >= 6:
            return short
        software = self.installed_software()
        return more_precise(short, software and software['parsed_version'])

    def system_raw(self):
        return self.client.get_instance('system', '0', SYSTEM_FIELDS)

    def system(self):
        return system_record(self.system_raw(), self.basic_system_info())

    def resource_placement(self):
        """Where every NAS server and LUN runs against its home SP, and whether the array fails them
        back after an SP reboot (system.isAutoFailbackEnabled)."""
        enabled = self.client.get_instance('system', '0', ['id', 'isAutoFailbackEnabled']).get('isAutoFailbackEnabled')
        nas = [placement_record(raw, _sp_ref(raw.get('homeSP')), _sp_ref(raw.get('currentSP')))
               for raw in self.client.get_collection('nasServer', NAS_SERVER_FIELDS)]
        luns = [placement_record(raw, _node(raw.get('defaultNode')), _node(raw.get('currentNode')))
                for raw in self.client.get_collection('lun', LUN_FIELDS)]
        away = [dict({'kind': kind}, **{k: item[k] for k in ('id', 'name', 'home_sp', 'current_sp')})
                for kind, items in (('NAS server', nas), ('LUN', luns)) for item in items if not item['at_home']]
        return {'auto_failback_enabled': enabled if isinstance(enabled, bool) else None,
                'nas_servers': nas, 'luns': luns, 'away_from_home': away}

    def installed_software(self):
        entries = self._tolerant(
            lambda f: self.client.get_collection('installedSoftwareVersion', f), INSTALLED_FIELDS)
        return installed_software_record(entries[0]) if entries else None

    def candidates(self):
        entries = self._tolerant(
            lambda f: self.client.get_collection('candidateSoftwareVersion', f), CANDIDATE_FIELDS)
        listed = [candidate_record(e) for e in entries]
        for item in listed:
            if item['id'] and (item['parsed_version'] or item['version']):
                self.candidate_versions[item['id']] = item['parsed_version'] or item['version']
        return listed

    def annotate(self, record):
        """A session record with ``candidate_version`` from the candidates read so far."""
        if record is not None and record.get('candidate_id'):
            record['candidate_version'] = self.candidate_versions.get(record['candidate_id'])
        return record

    def _read_sessions(self, read):
        """Read with the session fields (without selectedModel on an array that does not know it)."""
        return self._tolerant(read, SESSION_FIELDS)

    def storage_processors(self):
        return [storage_processor_record(e)
                for e in self.client.get_collection('storageProcessor', SP_FIELDS)]

    @property
    def session_resource(self):
        """upgradeSession where the array offers it, else softwareUpgradeSession."""
        if self._session_resource is None:
            self.sessions()
        return self._session_resource

    def sessions(self, retry=None):
        """Every listed session, old ones included (they persist on the array)."""
        if self._session_resource is not None:
            raw = self._read_sessions(
                lambda f: self.client.get_collection(self._session_resource, f, retry=retry))
            return [self.annotate(session_record(s, self._session_resource)) for s in raw]
        for resource in SESSION_RESOURCES:
            try:
                raw = self._read_sessions(
                    lambda f, r=resource: self.client.get_collection(r, f, retry=retry))
            except UnityApiError as error:
                if error.http_status == 404 and resource != SESSION_RESOURCES[-1]:
                    continue
                raise
            self._session_resource = resource
            return [self.annotate(session_record(s, resource)) for s in raw]
        return []  # pragma: no cover - the loop returns or raises

    def get_session(self, session_id, retry=None):
        resource = self.session_resource
        raw = self._read_sessions(
            lambda f: self.client.get_instance(resource, session_id, f, retry=retry))
        return self.annotate(session_record(raw, resource))

    # actions

    def verify_eligibility(self):
        """Run verifyUpgradeEligibility; returns the normalised messages, read fail-safe (see
        :func:`eligibility_records`). A failed job is its messages, blocking; an answer that is not
        JSON or not an envelope is one blocking "could not read" message."""
        try:
            content = self.client.action(self.session_resource, 'verifyUpgradeEligibility')
        except UnityApiError as error:
            if error.kind != ERROR:
                raise
            if error.messages:
                return [problem_record(text) for text in error.messages]
            return [unreadable_record(error.message)]
        return eligibility_records(content)

    def create_session(self, body, candidate_id=None, lost_answer_checks=6, lost_answer_delay=5.0,
                       unsent_retries=3, unsent_delay=2.0):
        """Create a session; returns ``(session, recovered)``.

        If the answer to the POST is lost after it may have reached the array (kind
        ``maybe_applied``), the sessions are read again to find the one it created; that POST
        is never sent twice. ``recovered`` says the session was found by reading them again.

        If the array certainly did not take the POST in (kind ``outage``: the connection was
        refused, or HTTP 502/503/504), the sessions are read again after a pause and, only
        when no new one is listed, the POST is sent again, at most ``unsent_retries`` times.
        """
        before = set(s['id'] for s in self.sessions())

        def attempt(number):
            if number > 1:
                found = self._find_new_session(before, candidate_id, 1, 0)
                if found is not None:
                    return found, True
            try:
                new_id = self.client.create(self.session_resource, body)
            except UnityApiError as error:
                if error.kind == MAYBE_APPLIED:
                    return self._recover_lost_create(error, before, candidate_id, lost_answer_checks,
                                                     lost_answer_delay)
                if unread_after_change(error):
                    # the array may have created it: read back, never send the create again
                    found = self._find_new_session(before, candidate_id, lost_answer_checks, lost_answer_delay)
                    if found is not None:
                        return found, True
                raise
            return self.get_session(new_id), False

        policy = RetryPolicy(attempts=unsent_retries + 1, base_delay=unsent_delay, max_delay=30.0)
        return retry(attempt, self.clock, policy, (OUTAGE,))

    def _recover_lost_create(self, error, before, candidate_id, checks, delay):
        found = self._find_new_session(before, candidate_id, checks, delay)
        if found is None:
            raise UnsettledCreate(
                'the answer to creating the upgrade session was lost (%s) and no new session '
                'is listed on the array; run the task again: it adopts a session that appears '
                'later and never starts a second one' % error.message,
                method='POST', path=error.path)
        return found, True

    def _reread(self, read, checks, delay):
        """``read()`` up to ``checks`` times, ``delay`` seconds and more apart, through an API that
        is away, until it returns something else than None; None if it never did."""
        def attempt(number):
            value = read()
            if value is None:
                raise Pending()
            return value

        try:
            return retry(attempt, self.clock, RetryPolicy(attempts=checks, base_delay=delay, max_delay=30.0),
                         AWAY | {TLS, PENDING})
        except UnityApiError as error:
            if error.kind not in AWAY | {TLS}:
                raise
        except Pending:
            pass
        return None

    def _find_new_session(self, before, candidate_id, checks, delay):
        def read():
            fresh = [s for s in self.sessions() if s['id'] not in before
                     and (candidate_id is None or s['candidate_id'] == candidate_id)]
            return fresh[-1] if fresh else None

        return self._reread(read, checks, delay)

    def session_action(self, session_id, action, before_status=None, retries=3, delay=2.0,
                       lost_answer_checks=3):
        """resume, cancel or acknowledge one session.

        With ``before_status`` (the status the session had when the action was decided) a
        failed exchange is settled by reading the session again, never by a blind re-send:
        a session that left that status took the action. One that still has it after the
        reads did not, and the POST is sent again after a pause, at most ``retries`` times:
        when the array certainly did not take it in (kind ``outage``) and when its answer was
        lost (kind ``maybe_applied``: a connection reset before the array read the request
        looks the same as one after). A re-sent action the array refuses is settled the same
        way, since the first one may have been taken in after all.
        """
        def post():
            return self.client.action(self.session_resource, action, instance_id=session_id)

        if before_status is None:
            return post()
        lost, seen = [], []

        def took_it():
            return self._left_status(session_id, before_status, lost_answer_checks, delay * 2, seen)

        def attempt(number):
            if number > 1:
                if lost:
                    if took_it():
                        return {}
                    if len(lost) > retries:
                        raise self._lost_action(action, session_id, lost, seen[-1] if seen else None)
                else:
                    status = self._status_now(session_id, 1, delay * 2)
                    if status not in (None, before_status):
                        return {}  # the array took the action in
            try:
                return post()
            except UnityApiError as error:
                if error.kind == MAYBE_APPLIED:
                    lost.append(error)
                elif (unread_after_change(error) or (number > 1 and error.kind == HTTP)) and took_it():
                    # an answer that cannot be read, or a re-sent action refused because the first
                    # one was taken in: the session's status tells
                    return {}
                raise

        def again(error, number):
            return error.kind == MAYBE_APPLIED or (error.kind == OUTAGE and number <= retries)

        return retry(attempt, self.clock, RetryPolicy(attempts=None, base_delay=delay, max_delay=30.0), again)

    def _left_status(self, session_id, before_status, checks, delay, seen):
        """Whether the session left ``before_status``: an array may show the old status for a moment
        after it took an action in, so it is read until it changes, up to ``checks`` times; every
        status read is appended to ``seen``."""
        def changed():
            seen.append(self.get_session(session_id)['status'])
            return seen[-1] if seen[-1] != before_status else None

        return self._reread(changed, checks, delay) is not None

    @staticmethod
    def _lost_action(action, session_id, lost, status):
        return UnityApiError(
            'the answer to the %s of session %s was lost %s (%s) and the session is still %s; '
            'run the task again' % (action, session_id,
                                    'once' if len(lost) == 1 else '%d times' % len(lost), lost[-1].message,
                                    'in the same state' if status is None
                                    else 'status %s' % STATUS_NAMES.get(status, status)),
            method='POST', path=lost[-1].path)

    def _status_now(self, session_id, checks, delay):
        """The session's status read again, or None when it cannot be read."""
        return self._reread(lambda: self.get_session(session_id)['status'], checks, delay)

    def wait_for_candidate(self, version, candidate_type=None, previous=None, timeout=600.0,
                           interval=1.0, max_interval=10.0):
        """After an upload: poll the candidates until one of ``version`` is listed; return it.

        The array verifies and unpacks a package before it lists it. A listed
        candidate that is neither the expected one nor ``previous`` (the one the
        upload replaces) means the package is of another version: that fails at
        once, as does waiting longer than ``timeout`` seconds.
        """
        def attempt(number):
            listed = self.candidates()
            for item in listed:
                if candidate_matches(item, version, candidate_type):
                    return item
            other = [c for c in listed if previous is None or c.get('id') != previous.get('id')
                     or c.get('parsed_version') != previous.get('parsed_version')]
            if other:
                raise UnityApiError(
                    'the array took the upload but lists candidate %s of version %s, not %s: the '
                    'package is of another version; set version to the version of the package'
                    % (other[0].get('id'), other[0].get('parsed_version') or other[0].get('version'),
                       version))
            raise Pending()

        policy = RetryPolicy(attempts=None, base_delay=interval, max_delay=max_interval)
        try:
            return retry(attempt, self.clock, policy, (PENDING,), deadline=self.clock.monotonic() + timeout)
        except Pending:
            raise CandidateNotListed(
                'the array accepted the upload but listed no candidate of version %s within %g '
                'seconds; it may still be verifying the package: check with unity.upgrade.info '
                'or run the task again' % (version, timeout))


# The keys a verifyUpgradeEligibility answer carries its verdict in: ``messages`` (the Reference Guide),
# and ``codes``, ``overallStatus`` (true: problems found), ``statusMessage`` (real 5.x arrays).
ELIGIBILITY_KEYS = ('messages', 'codes', 'overallStatus', 'statusMessage')


def is_blocking(item):
    """Whether a normalised upgrade message stops an upgrade: ERROR or worse, or, without a
    severity, an HTTP error status."""
    severity = item.get('severity')
    if severity is None:
        return (item.get('http_status') or 0) >= 400
    if not isinstance(severity, int):
        return True  # a severity this code does not know is never taken for a harmless one
    return severity <= BLOCKING_SEVERITY


def problem_record(text, error_code=None):
    """A blocking message the check's answer implies without an upgradeMessage of its own."""
    return {'error_code': error_code, 'severity': BLOCKING_SEVERITY, 'severity_name': SEVERITY_NAMES[BLOCKING_SEVERITY],
            'http_status': None, 'message': text}


def unreadable_record(why):
    return problem_record("could not read the array's answer to the eligibility check (%s): nothing is taken for "
                          'eligible that the array did not say' % why)


def eligibility_records(content):
    """The messages of a verifyUpgradeEligibility answer (200 content or finished job), read fail-safe.

    Every sign of a problem is a blocking message: an ERROR or worse message, each code of ``codes``
    that no message names, ``overallStatus: true`` or a non-empty ``statusMessage`` that no
    blocking message explains. An answer with none of the known keys, or with one of another
    type, is a single blocking "could not read" message.
    """
    if isinstance(content, dict) and not any(k in content for k in ELIGIBILITY_KEYS) \
            and isinstance(content.get('parametersOut'), dict):
        content = content['parametersOut']
    if not isinstance(content, dict) or not any(k in content for k in ELIGIBILITY_KEYS):
        keys = ', '.join(sorted(content)) if isinstance(content, dict) and content else 'nothing'
        return [unreadable_record('it holds %s, none of %s' % (keys, ', '.join(ELIGIBILITY_KEYS)))]
    raw, codes = content.get('messages'), content.get('codes')
    overall, status_text = content.get('overallStatus'), content.get('statusMessage')
    for name, value, kinds in (('messages', raw, (list,)), ('codes', codes, (list,)),
                               ('overallStatus', overall, (bool,)), ('statusMessage', status_text, (str,))):
        if value is not None and not isinstance(value, kinds):
            return [unreadable_record('%s is a %s' % (name, type(value).__name__))]
    if any(not isinstance(item, dict) for item in raw or []):
        return [unreadable_record('messages holds something other than messages')]
    records = [message_record(item) for item in raw or []]
    named = set(r['error_code'] for r in records)
    text = (status_text or '').strip()
    records.extend(problem_record(text or 'the array reports the problem %s' % code, str(code))
                   for code in codes or [] if str(code) not in named)
    explained = any(is_blocking(r) for r in records)
    if (overall is True or text) and not explained:
        records.append(problem_record(text or 'the array reports problems (overallStatus: true) and names none'))
    return records


def active_session(sessions):
    """The one session that is not over, or None (the newest if an array lists several)."""
    active = [s for s in sessions if s['status'] not in TERMINAL_STATUSES]
    return active[-1] if active else None


def newest_session(sessions, statuses=None):
    """The most recently created session (of those statuses), or None.

    Sessions without a creation time count as older; ties keep the array's order.
    """
    listed = [(s.get('creation_time') or '', index, s) for index, s in enumerate(sessions)
              if statuses is None or s['status'] in statuses]
    return max(listed, key=lambda item: item[:2])[2] if listed else None


def installed_version(basic):
    """The most precise installed version basicSystemInfo gives, dotted (``5.2.0.0.5.173``)."""
    basic = _object(basic)
    return written_version(_text(basic, 'softwareFullVersion')) or written_version(_text(basic, 'softwareVersion'))


def session_summary(item):
    """A short view of a session for diffs and messages; {} for no session."""
    if not item:
        return {}
    return dict((key, item.get(key)) for key in (
        'id', 'resource', 'type_name', 'status_name', 'candidate_id', 'percent_complete',
        'current_task'))
