# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one rule for the user's versions, the target-precision comparison, enum names (docs/versions.md)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.unity.upgrade.plugins.filter.version_problem import FilterModule
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    candidate_record,
    health_record,
    is_blocking,
    message_record,
    session_record,
    storage_processor_record,
)
from ansible_collections.unity.upgrade.plugins.module_utils.versions import standing, version_problem
from ansible_collections.unity.upgrade.plugins.modules import upgrade_candidate, upgrade_session

from ansible_collections.unity.upgrade.tests.unit.framework.shapes import (
    BASIC,
    CANDIDATES,
    SESSIONS,
    collection,
    raw_candidate,
    raw_session,
)
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply

FORM = '3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120'
INSTALLED = '/api/types/installedSoftwareVersion/instances'


# -- the rule -------------------------------------------------------------------------------------

@pytest.mark.parametrize('value', ['5.3.0', '5.3.0.0', '4.3.0.1655078400', '5.3.0.0.5', '5.3.0.0.5.120',
                                   '5.4.0.0.5.010', ' 5.3.0 '])
def test_versions_of_3_to_6_numbers_pass(value):
    assert version_problem('version', value) is None
    assert FilterModule().filters()['version_problem'](value, 'unity_upgrade_target_version') == ''


@pytest.mark.parametrize('value,shown', [
    ('release-5.3.0-final', 'release-5.3.0-final'), ('5.3', '5.3'), ('5', '5'), ('5.3.0.0.5.120.1', '5.3.0.0.5.120.1'),
    ('latest', 'latest'), ('v5.3.0', 'v5.3.0'), ('5.3.0.', '5.3.0.'), ('5..3.0', '5..3.0'), ('', ''), (None, ''),
    (5.3, '5.3'), ('Unity-5.3.0.0.5.120.tgz.bin.gpg', 'Unity-5.3.0.0.5.120.tgz.bin.gpg'),
])
def test_anything_else_is_one_line_naming_the_option_and_the_form(value, shown):
    assert version_problem('version', value) == "version must be %s, got '%s'" % (FORM, shown)
    assert FilterModule().filters()['version_problem'](value, 'unity_upgrade_target_version') == (
        "unity_upgrade_target_version must be %s, got '%s'" % (FORM, shown))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=30))
def test_the_rule_is_the_regex_the_docs_state(text):
    assert (version_problem('v', text) is None) == bool(re.match(r'^\d+(\.\d+){2,5}$', text.strip()))


def test_both_modules_say_the_same_before_any_request(run_module, transport, tmp_path):
    package = tmp_path / 'Unity-5.3.0.0.5.120.tgz.bin.gpg'
    package.write_bytes(b'x')
    for module, args in ((upgrade_session, {}), (upgrade_candidate, {'src': str(package)})):
        run = run_module(module, dict(args, version='release-5.3.0-final'), check=True)
        assert run.failed and run.result['msg'] == "version must be %s, got 'release-5.3.0-final'" % FORM
    assert transport.sent == []


# -- the target's precision -------------------------------------------------------------------------

@pytest.mark.parametrize('reported,target,expected', [
    ('5.3.0', '5.3.0', 'at'), ('5.3.0.0.5.120', '5.3.0', 'at'), ('5.3.0.0.5.120', '5.3.0.0', 'at'),
    ('5.3.0.0.5.120', '5.3.0.0.5.120', 'at'), ('5.4.0.0.5.10', '5.4.0.0.5.010', 'at'),
    ('5.3.0.0.5.99', '5.3.0.0.5.120', 'below'), ('5.2.1', '5.3.0.0.5.120', 'below'),
    ('5.3.0.0.5.130', '5.3.0.0.5.120', 'newer'), ('5.4.0', '5.3.0.0.5.120', 'newer'),
    ('5.3.0', '5.3.0.0.5.120', 'imprecise'), ('5.3.0', '5.3.0.0', 'imprecise'), ('5.3.0.0', '5.3.0.0.5.120', 'imprecise'),
    (None, '5.3.0', 'unknown'), ('unknown', '5.3.0', 'unknown'),
])
def test_standing_compares_on_the_targets_precision(reported, target, expected):
    assert standing(reported, target) == expected


def three_part_array(transport, installed_id):
    # a refused plan reads the version again (an upgrade may have completed meanwhile)
    for dummy in range(2):
        transport.add('GET', BASIC, Reply(200, collection({'id': '0', 'softwareVersion': '5.3.0'})))
        transport.add('GET', INSTALLED, Reply(200, collection({'id': installed_id} if installed_id else {})))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate())))


def test_an_array_less_precise_than_the_target_fails_instead_of_guessing(run_module, transport):
    three_part_array(transport, None)
    run = run_module(upgrade_session, {'version': '5.3.0.0.5.120'}, check=True)
    assert run.failed and run.result['msg'] == (
        'the array reports 5.3.0, less precise than the target 5.3.0.0.5.120: it cannot tell whether the target is '
        'installed; give version as 5.3.0 to accept any build of it')
    assert run.posts() == []


def test_installed_software_says_the_build_an_older_basic_system_info_does_not(run_module, transport):
    three_part_array(transport, '5.3.0.0.5.120')
    run = run_module(upgrade_session, {'version': '5.3.0.0.5.120'}, check=True)
    assert not run.failed and run.result['action'] == 'none' and run.result['version_before'] == '5.3.0.0.5.120'


def test_a_three_part_target_is_met_by_a_three_part_array(run_module, transport):
    three_part_array(transport, None)
    run = run_module(upgrade_session, {'version': '5.3.0'}, check=True)
    assert not run.failed and run.result['action'] == 'none', run.result


def test_upgrade_candidate_does_not_upload_on_a_guess(run_module, transport, tmp_path):
    package = tmp_path / 'Unity-5.3.0.0.5.120.tgz.bin.gpg'
    package.write_bytes(b'x')
    transport.add('GET', INSTALLED, Reply(200, collection({'version': '5.3.0'})))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    run = run_module(upgrade_candidate, {'src': str(package)}, check=True)
    assert run.failed and run.result['msg'].startswith(
        'the array reports 5.3.0, less precise than the target 5.3.0.0.5.120: it cannot tell')


# -- enumerations as names ------------------------------------------------------------------------

@pytest.mark.parametrize('status,name', [(2, 'completed'), ('2', 'completed'), ('Upgrade_Completed', 'completed'),
                                         ('COMPLETED', 'completed'), ('upgrade_failed_lock', 'failed_lock'),
                                         ('Upgrade_Paused_Lock', 'paused_lock'), ('In_Progress', 'in_progress')])
def test_a_status_sent_as_a_name_is_read(status, name):
    assert session_record(raw_session(status=status), 'upgradeSession')['status_name'] == name


@pytest.mark.parametrize('status', ['Upgrade_Exploded', True, 1.0, [2], {'value': 2}, 42, 'upgrade'])
def test_an_unknown_status_stays_unknown_and_the_session_is_not_over(status):
    record = session_record(raw_session(status=status), 'upgradeSession')
    assert record['status_name'] is None
    assert record['status'] not in range(10) or record['status'] == 42
    hash(record['status'])
    assert record['current_task'] is not None  # not over: its task is shown


@pytest.mark.parametrize('value,expected', [('SOFTWARE', 'software'), ('Software', 'software'), ('0', 'software'),
                                            ('LanguagePack', 'language_pack'), ('FIRMWARE', 'firmware'),
                                            ('PATCH', None), (7, None), (False, None)])
def test_a_candidate_type_sent_as_a_name_is_read_and_an_unknown_one_is_not_software(value, expected):
    raw = dict(raw_candidate(), type=value)
    assert candidate_record(raw)['type_name'] == expected


def test_a_candidate_of_an_unknown_type_is_not_started(run_module, transport):
    transport.add('GET', BASIC, Reply(200, collection({'id': '0', 'softwareFullVersion': '5.2.0.0.5.173'})),
                  Reply(200, collection({'id': '0', 'softwareFullVersion': '5.2.0.0.5.173'})))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.add('GET', CANDIDATES, Reply(200, collection(dict(raw_candidate(), type='PATCH'))))
    run = run_module(upgrade_session, {'candidate': 'candidate_1'}, check=True)
    assert run.failed and run.result['msg'].startswith(
        'candidate candidate_1 (version 5.3.0.0.5.120) is of a type the module does not know (PATCH)')


def test_health_and_severity_names_are_read_and_unknown_severities_block():
    assert health_record({'value': 'OK'})['name'] == 'OK'
    assert health_record({'value': 'OK_BUT'})['name'] == 'OK_BUT'
    assert health_record({'value': 'SPARKLING'})['name'] == 'UNKNOWN'
    assert storage_processor_record({'modelName': 'SP480'})['model_name'] == 'SP480'
    assert message_record({'severity': 'ERROR'})['severity_name'] == 'ERROR'
    assert is_blocking(message_record({'severity': 'Error'}))
    assert not is_blocking(message_record({'severity': 'WARNING'}))
    assert is_blocking(message_record({'severity': 'MELTDOWN'}))
    assert is_blocking(message_record({'severity': [3]}))
