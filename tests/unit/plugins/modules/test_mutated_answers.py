# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every read the modules do, answered with a mutated answer (hypothesis).

One answer of a consistent array (basicSystemInfo, system, installedSoftwareVersion,
candidateSoftwareVersion, upgradeSession, storageProcessor, verifyUpgradeEligibility) is mutated per
example: a field missing, null, of another type, an extra field, an empty or a very long list, an entry
or an envelope of another shape. Each module's main runs on it through the scripted transport. What
must hold: nothing escapes but the module's exit (no traceback); a failure is one line; a session or a
candidate whose id cannot be read fails naming the resource and the field; a collection that cannot be
read fails naming its path; the read-only ``info`` carries on past every other field.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityApiError
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    candidate_record,
    eligibility_records,
    health_record,
    installed_software_record,
    installed_version,
    message_record,
    session_record,
    storage_processor_record,
    system_record,
    task_record,
)
from ansible_collections.unity.upgrade.plugins.modules import info, upgrade_candidate, upgrade_eligibility_info, \
    upgrade_session

from ansible_collections.unity.upgrade.tests.unit.framework.module_runner import module_runner
from ansible_collections.unity.upgrade.tests.unit.framework.shapes import (
    BASIC,
    CANDIDATES,
    SESSIONS,
    SPS,
    collection,
    instance,
    raw_candidate,
    raw_session,
)
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply, ScriptedAdapter

# Bounded and reproducible: the same examples on every run, in CI too.
MAX_EXAMPLES = 200
BOUNDED = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

SYSTEM = '/api/instances/system/0'
INSTALLED = '/api/types/installedSoftwareVersion/instances'
VERIFY = '/api/types/upgradeSession/action/verifyUpgradeEligibility'
PACKAGE = 'Unity-5.3.0.0.5.120.tgz.bin.gpg'
NAS_SERVERS = '/api/types/nasServer/instances'
LUNS = '/api/types/lun/instances'

# resource -> (path, envelope, the content(s) a consistent array answers)
HEALTH = {'value': 5, 'descriptionIds': ['ALRT_COMPONENT_OK'], 'descriptions': ['The component is operating normally.']}


def answers():
    return {
        'basicSystemInfo': (BASIC, 'collection', [{
            'id': '0', 'model': 'Unity 480F', 'name': 'APM1', 'softwareVersion': '5.2.0',
            'softwareFullVersion': 'Unity 5.2.0.0 (Release, Build 173, 2022-11-10 10:00:00, 5.2.0.0.5.173)',
            'apiVersion': '13.0', 'earliestApiVersion': '4.0'}]),
        'system': (SYSTEM, 'instance', [{
            'id': '0', 'name': 'APM1', 'model': 'Unity 480F', 'serialNumber': 'CKM1', 'platform': 'Oberon_DualSP',
            'isUpgradeComplete': True, 'health': dict(HEALTH)}]),
        'installedSoftwareVersion': (INSTALLED, 'collection', [{
            'id': '5.2.0.0.5.173', 'version': '5.2.0', 'fullVersion': 'Unity 5.2.0.0 (Release, Build 173, 5.2.0.0.5.173)',
            'revision': 173, 'releaseDate': '2022-11-10T10:00:00.000Z', 'hotFixes': ['HF1'],
            'languages': [{'name': 'en_US', 'version': '5.2.0'}], 'packageVersions': [{'name': 'base', 'version': '1'}],
            'driveFirmware': [{'name': 'Unity-Drive-Firmware-V20.tgz.bin.gpg', 'version': '4.3.0.1499782821',
                               'isNewerVersion': False}]}]),
        'candidateSoftwareVersion': (CANDIDATES, 'collection', [raw_candidate()]),
        'upgradeSession': (SESSIONS, 'collection', [
            raw_session(status=7, sid='Upgrade_5.2.0.173', candidate_id='candidate_0',
                        created='2025-01-01T10:00:00.000Z')]),
        'storageProcessor': (SPS, 'collection', [
            {'id': sp, 'name': name, 'health': dict(HEALTH), 'isRescueMode': False, 'needsReplacement': False,
             'model': 'OBERON', 'modelName': 12, 'slotNumber': slot, 'memorySize': 65536}
            for slot, (sp, name) in enumerate((('spa', 'SP A'), ('spb', 'SP B')))]),
        'nasServer': (NAS_SERVERS, 'collection', [
            {'id': 'nas_1', 'name': 'nas01', 'homeSP': {'id': 'spa'}, 'currentSP': {'id': 'spa'}},
            {'id': 'nas_2', 'name': 'nas02', 'homeSP': {'id': 'spb'}, 'currentSP': {'id': 'spa'}}]),
        'lun': (LUNS, 'collection', [
            {'id': 'sv_1', 'name': 'lun01', 'defaultNode': 0, 'currentNode': 0},
            {'id': 'sv_2', 'name': 'lun02', 'defaultNode': 1, 'currentNode': 0}]),
        'verifyUpgradeEligibility': (VERIFY, 'instance', [{
            'codes': [], 'overallStatus': False, 'statusMessage': '',
            'messages': [{'errorCode': 'flr::check_replication_sessions_1', 'severity': 4, 'httpStatus': 200,
                          'messages': [{'locale': 'en_US', 'message': 'Replication sessions will pause.'}]}]}]),
    }


# What each module reads (the verify action is a POST); ``info`` reads everything but the check (its
# failback subset reads system again, for isAutoFailbackEnabled).
READS = {
    'info': ('basicSystemInfo', 'system', 'installedSoftwareVersion', 'candidateSoftwareVersion', 'upgradeSession',
             'storageProcessor', 'nasServer', 'lun'),
    'upgrade_eligibility_info': ('basicSystemInfo', 'system', 'upgradeSession', 'storageProcessor',
                                 'verifyUpgradeEligibility'),
    'upgrade_session': ('basicSystemInfo', 'installedSoftwareVersion', 'candidateSoftwareVersion', 'upgradeSession'),
    'upgrade_candidate': ('installedSoftwareVersion', 'candidateSoftwareVersion', 'upgradeSession'),
}
REQUIRED = {'candidateSoftwareVersion': 'id', 'upgradeSession': 'id'}

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 40, 2 ** 40), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(['', 'SOFTWARE', 'Software', 'Upgrade_Completed', 'COMPLETED', 'in_progress', 'Upgrade_Failed',
                     'OK', 'ERROR', 'LanguagePack', '5.3.0', '5.3.0.0.5.120', '5.4.0', '2', '-1', '99']), st.builds(lambda n: 'x' * n, st.integers(1000, 5000)))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                         max_size=3), max_leaves=6)


@st.composite
def mutation(draw, module):
    """(resource, description, answers) with one answer of ``module``'s reads mutated."""
    data = answers()
    resource = draw(st.sampled_from(READS[module]))
    path, envelope, contents = data[resource]
    kind = draw(st.sampled_from(['field', 'field', 'field', 'nested', 'entries', 'content']))
    note = (resource, kind, None)
    if kind == 'entries' and envelope == 'collection':
        how = draw(st.sampled_from(['empty', 'long', 'other']))
        if how == 'empty':
            contents = []
        elif how == 'long':
            contents = [copy.deepcopy(contents[0]) for dummy in range(draw(st.integers(200, 2000)))]
            for index, item in enumerate(contents):
                if 'id' in item and resource in REQUIRED:
                    item['id'] = '%s_%d' % (item['id'], index)
        else:
            data[resource] = (path, 'raw', {'entries': draw(JSON.filter(lambda v: v is not None and not isinstance(v, list)))})
        note = (resource, 'entries', how)
    elif kind == 'content' or (kind == 'entries' and envelope == 'instance'):
        value = draw(JSON.filter(lambda v: not isinstance(v, dict)))
        contents = [value] + contents[1:]
        note = (resource, 'content', None)
    elif kind == 'nested':
        content = contents[0]
        lists = [k for k, v in content.items() if isinstance(v, (list, dict)) and v]
        if lists:
            key = draw(st.sampled_from(sorted(lists)))
            holder = content[key]
            if isinstance(holder, list):
                index = draw(st.integers(0, len(holder) - 1))
                if isinstance(holder[index], dict) and holder[index] and draw(st.booleans()):
                    field = draw(st.sampled_from(sorted(holder[index])))
                    holder[index][field] = draw(JSON)
                else:
                    holder[index] = draw(JSON)
            else:
                field = draw(st.sampled_from(sorted(holder)))
                holder[field] = draw(JSON)
            note = (resource, 'nested', key)
    if kind == 'field':
        content = contents[0]
        field = draw(st.sampled_from(sorted(content) + ['extraField']))
        how = draw(st.sampled_from(['missing', 'null', 'other']))
        if how == 'missing':
            content.pop(field, None)
        elif how == 'null':
            content[field] = None
        else:
            content[field] = draw(JSON)
        note = (resource, field, how)
    if data[resource][1] != 'raw':
        data[resource] = (path, envelope, contents)
    return note, data


def script(transport, data, copies=4):
    for resource, (path, envelope, contents) in data.items():
        if envelope == 'raw':
            body = contents
        elif envelope == 'collection':
            body = collection(*contents)
        else:
            body = instance(contents[0])
        method = 'POST' if resource == 'verifyUpgradeEligibility' else 'GET'
        transport.add(method, path, *[Reply(200, copy.deepcopy(body)) for dummy in range(copies)])


def run_on(module, args, data, monkeypatch, capsys, check=True):
    transport = ScriptedAdapter()
    script(transport, data)
    return module_runner(transport, monkeypatch, capsys)(module, args, check=check)


def id_unreadable(note, data):
    """Whether the mutation made the id of a listed session or candidate unreadable."""
    resource, field, how = note
    if REQUIRED.get(resource) != field:
        return False
    contents = data[resource][2]
    value = contents[0].get('id') if contents and isinstance(contents[0], dict) else None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return not (isinstance(value, str) and value) and not number


def check_common(run, note, data):
    """No traceback, one line; an unreadable id or collection is named."""
    msg = run.result.get('msg', '')
    assert 'Traceback' not in run.raw
    if run.failed:
        assert isinstance(msg, str) and msg and '\n' not in msg, run.result
    resource, field, how = note
    if id_unreadable(note, data) and run.transport.requests_to('GET', data[resource][0]):
        assert run.failed and msg.startswith("cannot read the array's %s: its id is " % resource), (note, msg)
    if field in ('entries', 'content') and how != 'empty' and how != 'long' \
            and run.transport.requests_to('GET' if resource != 'verifyUpgradeEligibility' else 'POST',
                                          data[resource][0]):
        if resource != 'verifyUpgradeEligibility':
            assert run.failed and data[resource][0] in msg and ('entries' in msg or 'content' in msg), (note, msg)


@BOUNDED
@given(st.data())
def test_info_reads_every_mutated_answer_or_names_what_it_cannot(monkeypatch, capsys, data):
    note, answers_ = data.draw(mutation('info'))
    run = run_on(info, {}, answers_, monkeypatch, capsys, check=False)
    check_common(run, note, answers_)
    resource, field, how = note
    if not run.failed:
        return
    # info decides nothing: only an unreadable id or collection stops it
    assert id_unreadable(note, answers_) or field in ('entries', 'content'), (note, run.result['msg'])


@BOUNDED
@given(st.data())
def test_eligibility_reads_every_mutated_answer(monkeypatch, capsys, data):
    note, answers_ = data.draw(mutation('upgrade_eligibility_info'))
    run = run_on(upgrade_eligibility_info, {}, answers_, monkeypatch, capsys)
    check_common(run, note, answers_)
    resource, field, how = note
    verdicts = ('codes', 'overallStatus', 'statusMessage', 'messages')
    if resource == 'verifyUpgradeEligibility' and not run.failed and field in verdicts:
        # a verdict field of another type is never read as "eligible"
        value = answers_[resource][2][0].get(field) if isinstance(answers_[resource][2][0], dict) else None
        kinds = {'codes': list, 'overallStatus': bool, 'statusMessage': str, 'messages': list}[field]
        if value is not None and not isinstance(value, kinds):
            assert run.result['eligible'] is False, (note, run.result)


@BOUNDED
@given(st.data())
def test_upgrade_session_plans_on_every_mutated_answer(monkeypatch, capsys, data):
    note, answers_ = data.draw(mutation('upgrade_session'))
    run = run_on(upgrade_session, {'version': '5.3.0.0.5.120'}, answers_, monkeypatch, capsys)
    check_common(run, note, answers_)
    assert run.posts() == []  # check mode: nothing that changes the array
    if not run.failed and run.result['action'] == 'created':
        # a session is planned only on a readable installed version below the target
        assert run.result['version_before'] is not None
        assert run.result['version_before'].split('.')[:3] <= ['5', '3', '0']


@BOUNDED
@given(st.data())
def test_upgrade_candidate_plans_on_every_mutated_answer(monkeypatch, capsys, tmp_path_factory, data):
    note, answers_ = data.draw(mutation('upgrade_candidate'))
    path = tmp_path_factory.mktemp('pkg') / PACKAGE
    path.write_bytes(b'package')
    run = run_on(upgrade_candidate, {'src': str(path)}, answers_, monkeypatch, capsys)
    check_common(run, note, answers_)
    assert run.posts() == []


@pytest.mark.parametrize('value,state', [(None, 'null'), ('', 'empty'), ([1], 'a list, not a string'),
                                         ({'id': 'x'}, 'a dict, not a string'), (True, 'a bool, not a string')])
def test_a_session_without_a_readable_id_fails_naming_resource_and_field(run_module, transport, value, state):
    session = raw_session()
    session['id'] = value
    script(transport, dict(answers(), upgradeSession=(SESSIONS, 'collection', [session])), copies=1)
    run = run_module(info, {'gather_subset': ['sessions']})
    assert run.failed and run.result['msg'] == "cannot read the array's upgradeSession: its id is %s" % state


def test_a_collection_entry_without_content_fails_naming_the_path(run_module, transport):
    transport.add('GET', CANDIDATES, Reply(200, {'entries': [{'content': raw_candidate()}, {'links': []}]}))
    run = run_module(info, {'gather_subset': ['candidates']})
    assert run.failed and run.result['msg'] == (
        'GET %s answered a collection that cannot be read: the content of entry 2 is missing' % CANDIDATES)


NORMALISERS = (
    ('session', lambda raw: session_record(raw, 'upgradeSession')),
    ('candidate', candidate_record),
    ('installed', installed_software_record),
    ('storage processor', storage_processor_record),
    ('system', lambda raw: system_record(raw, raw)),
    ('message', message_record),
    ('task', task_record),
    ('health', health_record),
    ('eligibility', eligibility_records),
    ('installed version', installed_version),
)


@BOUNDED
@given(st.sampled_from(NORMALISERS), st.one_of(JSON, st.dictionaries(st.sampled_from(
    ['id', 'status', 'type', 'tasks', 'messages', 'candidate', 'health', 'severity', 'version', 'fullVersion',
     'softwareVersion', 'softwareFullVersion', 'percentComplete', 'creationTime', 'hotFixes', 'languages', 'codes',
     'overallStatus', 'statusMessage', 'modelName', 'selectedModel', 'value', 'errorCode', 'httpStatus']), JSON)))
def test_every_normaliser_reads_any_json_or_fails_naming_the_resource(normaliser, raw):
    name, read = normaliser
    try:
        record = read(raw)
    except UnityApiError as error:
        assert name in ('session', 'candidate') and error.message.startswith("cannot read the array's ")
        assert ': its id is ' in error.message and '\n' not in error.message
        return
    if isinstance(record, dict):
        for key in ('status', 'type', 'severity', 'value'):
            if key in record:
                hash(record[key])  # a set of statuses can be asked about it
    json.dumps(record)
