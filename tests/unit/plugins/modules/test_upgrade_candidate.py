# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""upgrade_candidate's decisions: upload or not, what is read, what is sent, what is returned."""


import hashlib
import json
import os

import pytest

from ansible_collections.unity.upgrade.plugins.module_utils import _candidate_run
from ansible_collections.unity.upgrade.plugins.module_utils.rest import UPLOAD_PATH
from ansible_collections.unity.upgrade.plugins.modules import upgrade_candidate

from ansible_collections.unity.upgrade.tests.unit.framework.module_runner import module_runner
from ansible_collections.unity.upgrade.tests.unit.framework.shapes import CANDIDATES, SESSIONS, collection
from ansible_collections.unity.upgrade.tests.unit.framework.transport import LOGIN, Reply
from ansible_collections.unity.upgrade.tests.unit.framework.upload import NAME, Download, download_session

INSTALLED = '/api/types/installedSoftwareVersion/instances'


def candidate(version, cid='candidate_1', ctype=0):
    return {'id': cid, 'version': version, 'type': ctype, 'revision': int(version.split('.')[-1]),
            'fullVersion': 'Unity %s (Release, Build %s, 2023-03-18 19:02:01, %s)'
                           % ('.'.join(version.split('.')[:4]), version.split('.')[-1], version),
            'releaseDate': '2023-03-18T19:02:01.000Z', 'rebootRequired': True,
            'canPauseBeforeReboot': True}


def installed(version):
    return {'id': version, 'version': '.'.join(version.split('.')[:3]), 'fullVersion': 'Unity %s' % version}


@pytest.fixture
def transport(upload_transport):
    """The array: scripted answers, streamed uploads read, and no upgrade session unless one is scripted."""
    upload_transport.always('GET', SESSIONS, Reply(200, collection()))
    return upload_transport


@pytest.fixture
def package(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(b'\x85' + os.urandom(3 * 1024 * 1024 + 17))
    return path


@pytest.fixture
def opened(monkeypatch):
    """Every FileSource.open() call: the file body is read only after one."""
    calls = []
    original = _candidate_run.FileSource.open

    def spy(self):
        calls.append(self.path)
        return original(self)

    monkeypatch.setattr(_candidate_run.FileSource, 'open', spy)
    return calls


@pytest.fixture
def run(transport, capsys, monkeypatch, fake_clock):
    """upgrade_candidate's result for ``params``; its client waits (for the candidate) on ``fake_clock``."""
    runner = module_runner(transport, monkeypatch, capsys, client_clock=fake_clock.clock)

    def run_candidate(check_mode=False, **params):
        return runner(upgrade_candidate, params, check=check_mode).result

    return run_candidate


def uploads(transport):
    return transport.requests_to('POST', UPLOAD_PATH)


def test_uploads_when_no_candidate_and_returns_the_listed_one(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()), Reply(200, collection()),
                  Reply(200, collection(candidate('5.3.0.0.5.120'))))
    data = package.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    result = run(src=str(package), checksum='sha256:' + digest)
    assert result['changed'] is True and not result.get('failed')
    assert result['candidate']['id'] == 'candidate_1'
    assert result['candidate']['version'] == '5.3.0.0.5.120' and result['candidate']['type_name'] == 'software'
    assert result['candidate']['reboot_required'] is True and result['candidate']['can_pause_before_reboot'] is True
    assert result['replaced'] is None
    assert result['upload']['sha256'] == digest and result['upload']['bytes'] == len(data)
    assert result['upload']['checksum_verified'] is True and result['upload']['chunked'] is False
    assert result['upload']['mib_per_second'] > 0
    assert result['package'] == {'filename': NAME, 'version': '5.3.0.0.5.120', 'type_name': 'software',
                                 'size': len(data), 'source': str(package)}
    assert result['installed_version'] == '5.2.0.0.5.173'
    assert result['msg'].startswith('uploaded %s (3.0 MiB in ' % NAME)
    (post,) = uploads(transport)
    assert post.headers['Content-Type'].startswith('multipart/form-data; boundary=')
    assert data in transport.received[0]


def test_the_same_candidate_is_no_change_and_the_file_is_never_opened(run, transport, package, opened):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.3.0.0.5.120'))))
    result = run(src=str(package), checksum='sha256:' + '0' * 64)
    assert result['changed'] is False
    assert result['candidate']['id'] == 'candidate_1' and result['replaced'] is None
    assert result['msg'] == 'candidate candidate_1 (version 5.3.0.0.5.120) is already on the array: nothing uploaded'
    assert 'upload' not in result
    assert uploads(transport) == [] and opened == []


def test_installed_same_or_newer_is_no_change(run, transport, package, opened):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.4.0.0.5.010'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.2.0.0.5.173'))))
    result = run(src=str(package), force=True)
    assert result['changed'] is False and result['candidate'] is None
    assert result['msg'] == 'the array already runs 5.4.0.0.5.010, which is 5.3.0.0.5.120 or newer: nothing to upload'
    assert uploads(transport) == [] and opened == []


def test_another_candidate_is_replaced_and_named(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.2.1.0.5.007', cid='candidate_7'))),
                  Reply(200, collection(candidate('5.3.0.0.5.120', cid='candidate_8'))))
    result = run(src=str(package))
    assert result['changed'] is True
    assert result['replaced']['id'] == 'candidate_7' and result['replaced']['version'] == '5.2.1.0.5.007'
    assert result['candidate']['id'] == 'candidate_8'
    assert result['msg'].endswith('replacing candidate candidate_7 (version 5.2.1.0.5.007)')
    assert result['upload']['checksum_verified'] is False


def test_force_uploads_the_same_version_again(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.3.0.0.5.120'))),
                  Reply(200, collection(candidate('5.3.0.0.5.120'))))
    result = run(src=str(package), force=True)
    assert result['changed'] is True and len(uploads(transport)) == 1
    assert result['replaced']['id'] == 'candidate_1' and result['candidate']['id'] == 'candidate_1'


def test_check_mode_says_it_would_upload_reads_no_body_and_sends_nothing(run, transport, package, opened):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.2.1.0.5.007', cid='candidate_7'))))
    result = run(check_mode=True, src=str(package))
    assert result['changed'] is True and result['candidate'] is None
    assert result['replaced']['id'] == 'candidate_7'
    assert result['msg'] == 'would upload %s (3.0 MiB) from %s, replacing candidate candidate_7 (version 5.2.1.0.5.007)' % (
        NAME, package)
    assert 'upload' not in result
    assert opened == [] and uploads(transport) == []
    assert [r.method for r in transport.sent if r.path != LOGIN and 'logout' not in r.path] == ['GET'] * 3


@pytest.mark.parametrize('check_mode', [False, True])
def test_an_active_upgrade_session_fails_before_anything_is_sent(run, transport, package, opened, check_mode):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.2.1.0.5.007', cid='candidate_7'))))
    transport.add('GET', SESSIONS, Reply(200, collection(
        {'id': 'Upgrade_5.1.0.100', 'status': 7, 'type': 0},
        {'id': 'Upgrade_5.2.1.7', 'status': 6, 'type': 0, 'candidate': {'id': 'candidate_7'}})))
    result = run(check_mode=check_mode, src=str(package))
    assert result['failed'] is True
    assert result['msg'] == ('upgrade session Upgrade_5.2.1.7 is paused on the array, which takes no new candidate '
                             'while a session is active: let it finish, or cancel it with '
                             'unity.upgrade.upgrade_session state=cancelled, then run again')
    assert uploads(transport) == [] and opened == []


def test_check_mode_without_a_needed_upload_is_no_change(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.3.0.0.5.120'))))
    assert run(check_mode=True, src=str(package))['changed'] is False


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_missing_src_fails_before_contacting_the_array(run, transport, tmp_path, check_mode):
    result = run(check_mode=check_mode, src=str(tmp_path / NAME))
    assert result['failed'] is True
    assert result['msg'] == ("src '%s' does not exist on the host the module runs on; give the full path "
                             'of the upgrade package there' % (tmp_path / NAME))
    assert transport.sent == []


def test_a_directory_as_src(run, transport, tmp_path):
    result = run(src=str(tmp_path))
    assert result['failed'] is True and 'is a directory' in result['msg'] and transport.sent == []


def test_a_name_without_version_and_no_version_option_names_version(run, transport, tmp_path):
    path = tmp_path / 'update1.gpg'
    path.write_bytes(b'\x85abc')
    result = run(src=str(path))
    assert result['failed'] is True
    assert result['msg'] == ("the file name 'update1.gpg' carries no version (Unity-X.Y.Z.P.5.BUILD.tgz.bin.gpg): "
                             'set the version option to the version of the package')
    assert transport.sent == []


def test_version_option_wins_over_the_name_and_is_validated(run, transport, tmp_path):
    path = tmp_path / 'update1.gpg'
    path.write_bytes(b'\x85abc')
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('5.3.0.0.5.120'))))
    result = run(src=str(path), version='5.3.0.0.5.120')
    assert result['changed'] is False and result['package']['version'] == '5.3.0.0.5.120'
    bad = run(src=str(path), version='five')
    assert bad['failed'] is True and bad['msg'] == "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got 'five'"


def test_a_bad_checksum_form_fails_before_contacting_the_array(run, transport, package):
    result = run(src=str(package), checksum='md5:abc')
    assert result['failed'] is True and result['msg'].startswith("checksum must be 'sha256:' followed by 64 hex")
    assert transport.sent == []


def test_a_checksum_mismatch_fails_naming_both_sums_and_the_last_chunk_never_leaves(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    digest = hashlib.sha256(package.read_bytes()).hexdigest()
    result = run(src=str(package), checksum='sha256:' + 'a' * 64)
    assert result['failed'] is True
    assert ('expected sha256:%s, the file has sha256:%s' % ('a' * 64, digest)) in result['msg']
    assert 'the array has no candidate from this file' in result['msg']
    assert not transport.received[0].endswith(package.read_bytes()[-1024:])
    assert transport.requests_to('GET', CANDIDATES).__len__() == 1, 'no wait for a candidate'


def test_the_array_listing_another_version_after_the_upload_fails(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()),
                  Reply(200, collection(candidate('5.3.1.0.5.200', cid='candidate_2'))))
    result = run(src=str(package))
    assert result['failed'] is True
    assert result['msg'] == ('the array took the upload but lists candidate candidate_2 of version 5.3.1.0.5.200, '
                             'not 5.3.0.0.5.120: the package is of another version; set version to the version '
                             'of the package')


def test_a_candidate_that_never_appears_fails_after_processing_timeout(run, transport, package, monkeypatch):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, *[Reply(200, collection())] * 5000)
    result = run(src=str(package), processing_timeout=0.05)
    assert result['failed'] is True
    assert result['msg'].startswith('the array accepted the upload but listed no candidate of version '
                                    '5.3.0.0.5.120 within 0.05 seconds')


def test_the_array_refusing_the_file(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    transport.add('POST', UPLOAD_PATH, Reply(422, {'error': {'errorCode': 100666040, 'httpStatusCode': 422,
                                                             'messages': [{'en-US': 'The file is corrupt.'}]}}))
    result = run(src=str(package))
    assert result['failed'] is True and result['http_status'] == 422 and result['error_code'] == 100666040
    assert result['msg'] == 'the array refused the upload of %s with HTTP 422 (error code 100666040): ' \
                            'The file is corrupt.' % NAME


def test_an_upload_cut_off_says_bytes_sent_and_rerun_is_safe(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    transport.cut_after_chunks = 3
    result = run(src=str(package))
    assert result['failed'] is True
    assert 'was cut off after 1048576 of %d bytes' % package.stat().st_size in result['msg']
    assert 'running the task again is safe' in result['msg']


def test_drive_firmware_skips_the_installed_version_check(run, transport, tmp_path):
    path = tmp_path / 'Unity-Drive-Firmware-V20-2022-06-13.tgz.bin.gpg'
    path.write_bytes(b'\x85firmware')
    transport.add('GET', CANDIDATES, Reply(200, collection(candidate('4.3.0.1655078400', ctype=1))))
    result = run(src=str(path), version='4.3.0.1655078400')
    assert result['changed'] is False and result['installed_version'] is None
    assert transport.requests_to('GET', INSTALLED) == []


def test_src_and_url_are_exclusive_and_one_is_required(run, package):
    both = run(src=str(package), url='https://a.example.com/' + NAME)
    assert both['failed'] is True and 'mutually exclusive' in both['msg']
    neither = run()
    assert neither['failed'] is True and 'one of the following is required: src, url' in neither['msg']


def test_state_absent_is_not_offered(run, package):
    result = run(src=str(package), state='absent')
    assert result['failed'] is True and 'value of state must be one of: present' in result['msg']


# -- url -----------------------------------------------------------------------------------------

@pytest.fixture
def artifact(monkeypatch):
    """The artifact server the module's UrlSource talks to: ``artifact['adapter']``, a Download."""
    server = {'adapter': Download(data=b'')}

    class TestUrlSource(_candidate_run.UrlSource):
        def __init__(self, url, **kwargs):
            super().__init__(url, session=download_session(server['adapter']), **kwargs)

    monkeypatch.setattr(_candidate_run, 'UrlSource', TestUrlSource)
    return server


def test_upload_from_url_streams_the_download(run, transport, artifact):
    data = b'\x85' + os.urandom(2 * 1024 * 1024 + 5)
    artifact['adapter'] = Download(data=data)
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()), Reply(200, collection(candidate('5.3.0.0.5.120'))))
    result = run(url='https://artifacts.example.com/unity/' + NAME, url_headers={'X-Trace': 'abc'},
                 checksum='sha256:' + hashlib.sha256(data).hexdigest())
    assert result['changed'] is True
    assert result['upload']['sha256'] == hashlib.sha256(data).hexdigest()
    assert result['upload']['bytes'] == len(data) and result['upload']['chunked'] is False
    assert result['package']['source'] == 'https://artifacts.example.com/unity/' + NAME
    (post,) = uploads(transport)
    assert post.headers['Content-Length'] == str(len(transport.received[0]))
    assert artifact['adapter'].sent[0][0].headers['X-Trace'] == 'abc'


def test_url_of_unknown_size_goes_chunked(run, transport, artifact):
    data = b'\x85' + os.urandom(100000)
    artifact['adapter'] = Download(data=data, headers={})
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()), Reply(200, collection(candidate('5.3.0.0.5.120'))))
    result = run(url='https://artifacts.example.com/unity/' + NAME)
    assert result['upload']['chunked'] is True and result['upload']['bytes'] == len(data)
    assert uploads(transport)[0].headers['Transfer-Encoding'] == 'chunked'


def test_check_mode_with_url_fetches_nothing(run, transport, artifact):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    result = run(check_mode=True, url='https://artifacts.example.com/unity/' + NAME)
    assert result['changed'] is True and 'unknown size' in result['msg']
    assert artifact['adapter'].sent == [] and uploads(transport) == []


@pytest.mark.parametrize('status, text', [(404, 'HTTP 404 Not Found: check url'),
                                          (401, 'set url_username and url_password')])
def test_artifact_server_refusals_fail_before_the_array_gets_a_byte(run, transport, artifact, status, text):
    artifact['adapter'] = Download(status=status)
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    result = run(url='https://artifacts.example.com/unity/' + NAME)
    assert result['failed'] is True and text in result['msg']
    assert uploads(transport) == []


def test_no_secret_of_the_url_options_in_any_output(run, transport, artifact):
    artifact['adapter'] = Download(status=401)
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    result = run(url='https://bob:UrlPw-771@artifacts.example.com/unity/%s?sig=Sig-9931' % NAME,
                 url_headers={'Authorization': 'Bearer Tok-5521', 'X-Trace': 'visible'},
                 url_username='carol', url_password='Pw-3390')
    text = json.dumps(result)
    assert result['failed'] is True
    for secret in ('UrlPw-771', 'Tok-5521', 'Pw-3390', 'S3cret!pw', 'Sig-9931'):
        assert secret not in result['msg']
    for secret in ('UrlPw-771', 'Tok-5521', 'Pw-3390', 'S3cret!pw'):
        assert secret not in text, 'masked in the invocation too'
    assert 'visible' in text and 'https://bob:********@artifacts' in text
    assert result['invocation']['module_args']['url_password'] == 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def test_a_server_error_after_the_whole_file_reads_the_candidates_back(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()), Reply(200, collection()),
                  Reply(200, collection(candidate('5.3.0.0.5.120'))))
    transport.add('POST', UPLOAD_PATH, Reply(503, {'error': {'errorCode': 131149838, 'httpStatusCode': 503,
                                                             'messages': [{'en-US': 'Try later.'}]}}))
    result = run(src=str(package))
    assert result['changed'] is True and not result.get('failed')
    assert result['candidate']['id'] == 'candidate_1'
    assert result['msg'].endswith("(the array's answer to the upload could not be read: HTTP 503, error code "
                                  '131149838: Try later.; its candidates were read back)')
    assert len(uploads(transport)) == 1


def test_a_gateway_page_and_no_candidate_fails_without_sending_again(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, *[Reply(200, collection())] * 5000)
    transport.add('POST', UPLOAD_PATH, Reply(504, text='<html><head><title>504 Gateway Timeout</title></head></html>',
                                             headers={'Content-Type': 'text/html'}))
    result = run(src=str(package), processing_timeout=0.05)
    assert result['failed'] is True and result['changed'] is False
    assert result['msg'] == (
        "the array's answer to the upload of %s could not be read (HTTP 504: the answer is not Unisphere JSON "
        '(text/html: 504 Gateway Timeout)) and it lists no candidate of version 5.3.0.0.5.120 0.05 s after all %d '
        'bytes were sent: it did not keep the file, or is still verifying it. Check with unity.upgrade.info, or '
        'run the task again: it uploads only when the candidate is still missing' % (NAME, package.stat().st_size))
    assert len(uploads(transport)) == 1


def test_a_refusal_is_not_read_back(run, transport, package):
    transport.add('GET', INSTALLED, Reply(200, collection(installed('5.2.0.0.5.173'))))
    transport.add('GET', CANDIDATES, Reply(200, collection()))
    transport.add('POST', UPLOAD_PATH, Reply(400, {'error': {'errorCode': 5, 'messages': [{'en-US': 'Bad.'}]}}))
    result = run(src=str(package))
    assert result['failed'] is True and result['http_status'] == 400
    assert len(transport.requests_to('GET', CANDIDATES)) == 1, 'a refusal needs no read-back'
