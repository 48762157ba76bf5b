# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""upgrade_candidate's planner: pure decisions over records, no array, no file, no URL."""


import pytest

from ansible_collections.unity.upgrade.plugins.module_utils._candidate_plan import (
    Reading,
    check_timeouts,
    decide,
    hidden_values,
    package_of,
    raced_by,
    refuse_if_busy,
    size_text,
    still_listed,
)
from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModuleError
from ansible_collections.unity.upgrade.plugins.module_utils.records import Candidate, Session
from ansible_collections.unity.upgrade.plugins.module_utils.vocabulary import (
    CANDIDATE_FIRMWARE,
    CANDIDATE_SOFTWARE,
    STATUS_COMPLETED,
    STATUS_IN_PROGRESS,
)

NAME = 'Unity-5.3.0.0.5.120.tgz.bin.gpg'


def software(version='5.3.0.0.5.120', size=1 << 30, checksum=None):
    return package_of(NAME, size, '/srv/' + NAME, version, checksum)


def candidate(cid, version, ctype=CANDIDATE_SOFTWARE):
    return Candidate(id=cid, version=version, parsed_version=version, type=ctype)


def session(sid, status, candidate_id=None):
    return Session(id=sid, status=status, status_name='x%s' % status, candidate_id=candidate_id)


# -- the package ------------------------------------------------------------------------------

def test_the_version_and_type_come_from_the_file_name():
    package = package_of(NAME, 5, NAME, None, None)
    assert (package.version, package.type, package.type_name) == ('5.3.0.0.5.120', CANDIDATE_SOFTWARE, 'software')


def test_a_shorter_version_that_agrees_with_the_file_name_is_kept_as_written():
    assert software(version='5.3.0').version == '5.3.0'


def test_a_version_that_contradicts_the_file_name_is_refused():
    with pytest.raises(UnityModuleError, match=r"version 5\.4\.0 contradicts the file name"):
        software(version='5.4.0')


@pytest.mark.parametrize('version', ['5.3', 'latest', 'v5.3.0'])
def test_a_version_that_is_not_one_is_refused(version):
    with pytest.raises(UnityModuleError, match='version must be 3 to 6 dot-separated numbers'):
        package_of('package.bin', 5, 'package.bin', version, None)


def test_a_file_name_without_version_needs_the_option():
    with pytest.raises(UnityModuleError, match="the file name 'package.bin' carries no version"):
        package_of('package.bin', 5, 'package.bin', None, None)
    assert package_of('package.bin', 5, 'package.bin', '5.3.0.0.5.120', None).version == '5.3.0.0.5.120'


def test_timeouts_must_be_positive():
    check_timeouts({'upload_timeout': 1, 'processing_timeout': 1})
    with pytest.raises(UnityModuleError, match='processing_timeout must be a positive number of seconds, got 0'):
        check_timeouts({'upload_timeout': 1, 'processing_timeout': 0})


# -- upload or not ----------------------------------------------------------------------------

def test_an_array_that_runs_the_version_or_newer_needs_nothing():
    plan = decide(software(), Reading('5.3.1.0.5.001', ()))
    assert plan.upload is False and plan.replaced is None
    assert plan.msg == 'the array already runs 5.3.1.0.5.001, which is 5.3.0.0.5.120 or newer: nothing to upload'


def test_the_candidate_already_there_is_no_change_unless_forced():
    there = candidate('candidate_1', '5.3.0.0.5.120')
    plan = decide(software(), Reading('5.2.0.0.5.173', (there,)))
    assert plan.upload is False and plan.match == there
    assert plan.msg == 'candidate candidate_1 (version 5.3.0.0.5.120) is already on the array: nothing uploaded'
    forced = decide(software(), Reading('5.2.0.0.5.173', (there,)), force=True)
    assert forced.upload is True and forced.replaced == there


def test_an_upload_names_what_it_replaces_preferring_the_same_type():
    firmware = candidate('candidate_2', '4.3.0.1655078400', ctype=CANDIDATE_FIRMWARE)
    older = candidate('candidate_7', '5.2.1.0.5.007')
    plan = decide(software(size=3 << 20), Reading('5.2.0.0.5.173', (firmware, older)))
    assert plan.upload is True and plan.replaced == older
    assert plan.msg == ('would upload %s (3.0 MiB) from /srv/%s, replacing candidate candidate_7 '
                        '(version 5.2.1.0.5.007)' % (NAME, NAME))
    assert decide(software(), Reading(None, (firmware,))).replaced == firmware
    assert decide(software(), Reading(None, ())).replaced is None


def test_an_active_session_is_in_the_way():
    refuse_if_busy((session('s1', STATUS_COMPLETED),))
    with pytest.raises(UnityModuleError, match='upgrade session s2 is x1 on the array') as caught:
        refuse_if_busy((session('s1', STATUS_COMPLETED), session('s2', STATUS_IN_PROGRESS)))
    assert caught.value.details == {'session_id': 's2'}


# -- after the upload -------------------------------------------------------------------------

def test_a_409_is_a_race_only_when_a_session_installs_the_package():
    mine = candidate('candidate_3', '5.3.0.0.5.120')
    running = session('s3', STATUS_IN_PROGRESS, candidate_id='candidate_3')
    assert raced_by((mine,), (running,), software()) == (mine, running)
    assert raced_by((mine,), (), software()) is None
    assert raced_by((mine,), (session('s4', STATUS_IN_PROGRESS, candidate_id='other'),), software()) is None
    assert raced_by((), (running,), software()) is None


def test_a_replaced_candidate_is_gone_when_its_id_or_version_changed():
    replaced = candidate('candidate_7', '5.2.1.0.5.007')
    assert still_listed((replaced,), replaced) is True
    assert still_listed((candidate('candidate_7', '5.3.0.0.5.120'),), replaced) is False
    assert still_listed((), replaced) is False


def test_sizes_are_written_for_people():
    assert [size_text(s) for s in (None, 17, 2048, 3 << 20, 5 << 30)] == [
        'unknown size', '17 bytes', '2.0 KiB', '3.0 MiB', '5.0 GiB']


def test_secrets_inside_other_options_are_hidden():
    params = {'url': 'https://user:pw@a.example.com/%s?token=abc' % NAME,
              'url_headers': {'Authorization': 'Bearer xyz', 'X-Trace': 'keep'}}
    assert sorted(hidden_values(params)) == ['Bearer xyz', 'pw', 'token=abc']
    assert hidden_values({'url': None, 'url_headers': None}) == []
