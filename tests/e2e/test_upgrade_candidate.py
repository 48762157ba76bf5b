# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unity.upgrade.upgrade_candidate through ansible-playbook against the simulator: uploads from an
artifact server (a local HTTP server thread), a dropped upload and its re-run, the request log of a
second run, and no secret in any output. Every test starts its own simulator."""


import os

import pytest

from e2e_helpers import ARTIFACT_PASSWORD, ARTIFACT_USER, ArtifactServer, sha256_of, uploads
from unity_sim import packages

VERSION = '5.3.0.0.5.120'
NAME = 'Unity-%s.tgz.bin.gpg' % VERSION
BEFORE = '5.2.0.0.5.173'
PLAY_TIMEOUT = 300
SCALE = 60


@pytest.fixture
def artifacts(tmp_path):
    directory = tmp_path / 'artifacts'
    directory.mkdir()
    server = ArtifactServer(str(directory))
    yield server
    server.stop()


def task(name, **args):
    return {'name': name, 'unity.upgrade.upgrade_candidate': args, 'register': 'out'}


def test_from_url_then_a_second_run_sends_nothing(start_sim, run_play, artifacts, tmp_path):
    state_dir = tmp_path / 'sim-state'
    sim = start_sim(time_scale=SCALE, state_dir=str(state_dir),
                    scenario={'software_version': BEFORE, 'candidate': {'version': '5.2.1.0.5.100'}})
    path = packages.write_candidate(artifacts.directory, VERSION, size_bytes=(8 << 20) + 123)
    digest = sha256_of(path)
    args = {'url': artifacts.url(NAME), 'checksum': 'sha256:' + digest}
    run = run_play([task('upload', **args)], module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upload')
    assert result['changed'] is True
    assert result['candidate']['version'] == VERSION and result['candidate']['type_name'] == 'software'
    assert result['replaced']['version'] == '5.2.1.0.5.100'
    assert result['upload']['sha256'] == digest, 'the reported sha256 is sha256sum of the file'
    assert result['upload']['bytes'] == os.path.getsize(path)
    assert result['upload']['chunked'] is False and result['upload']['checksum_verified'] is True
    assert result['package']['source'] == artifacts.url(NAME)
    assert [r['status'] for r in uploads(sim)] == [200]
    assert sim.state('array-1')['candidate']['version'] == VERSION
    assert artifacts.requests[0]['headers'].get('Accept-Encoding') == 'identity'
    stored = state_dir / 'array-1' / 'uploads' / NAME  # where the simulator keeps the received file
    assert sha256_of(str(stored)) == digest, 'the array received exactly the file'

    sim.clear_requests('array-1')
    fetched = len(artifacts.requests)
    again = run_play([task('again', **args)], module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert again.rc == 0, again.stdout[-3000:]
    result = again.result('again')
    assert result['changed'] is False and result['candidate']['version'] == VERSION
    assert 'upload' not in result
    assert uploads(sim) == [], 'the request log shows no upload'
    assert sim.changing_requests('array-1') == []
    assert len(artifacts.requests) == fetched, 'nothing downloaded either'


def test_url_without_content_length_is_sent_chunked(start_sim, run_play, artifacts):
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE})
    path = packages.write_candidate(artifacts.directory, VERSION, size_bytes=(3 << 20) + 7)
    run = run_play([task('upload', url=artifacts.url(NAME, 'nolength'))],
                   module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upload')
    assert result['upload']['chunked'] is True and result['upload']['sha256'] == sha256_of(path)
    assert result['candidate']['version'] == VERSION


def test_artifact_server_refusals_are_clear_and_nothing_reaches_the_array(start_sim, run_play, artifacts):
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE})
    packages.write_candidate(artifacts.directory, VERSION, size_bytes=1 << 20)
    secrets = {'refused_url': artifacts.url(NAME, 'private') + '?token=Query-Secret-88',
               'artifact_password': ARTIFACT_PASSWORD}
    run = run_play([
        dict(task('missing', url=artifacts.url('Unity-5.3.1.0.5.200.tgz.bin.gpg')), ignore_errors=True),
        dict(task('refused', url='{{ refused_url }}'), ignore_errors=True),
        task('authorized', url=artifacts.url(NAME, 'private'), url_username=ARTIFACT_USER,
             url_password='{{ artifact_password }}'),
    ], module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT, verbosity=3, extra_vars=secrets)
    assert run.rc == 0, run.stdout[-3000:]
    missing, refused = run.result('missing'), run.result('refused')
    assert missing['msg'] == ('downloading %s failed with HTTP 404 Not Found: check url: the artifact server '
                              'has no such file' % artifacts.url('Unity-5.3.1.0.5.200.tgz.bin.gpg'))
    assert refused['msg'].startswith('downloading %s?... failed with HTTP 401 Unauthorized: the artifact '
                                     'server refused the credentials' % artifacts.url(NAME, 'private'))
    assert run.result('authorized')['changed'] is True
    assert [r['status'] for r in uploads(sim)] == [200], 'only the authorized download was uploaded'
    for text in (run.stdout, run.stderr):
        assert ARTIFACT_PASSWORD not in text and 'Query-Secret-88' not in text


def test_a_dropped_upload_fails_clearly_and_the_next_run_succeeds(start_sim, run_play, tmp_path):
    # far more than loopback's socket buffers hold (a few MiB each way): with a 6 MiB file the
    # whole body could be in flight when the array drops the connection, and the module then
    # rightly reports a lost answer instead of a cut-off upload
    size = (32 << 20) + 11
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE, 'upload_drop_at_bytes': 2 << 20,
                                                'candidate': {'version': '5.2.1.0.5.100'}})
    path = packages.write_candidate(str(tmp_path), VERSION, size_bytes=size)
    args = {'src': path, 'checksum': 'sha256:' + sha256_of(path)}
    run = run_play([task('upload', **args)], module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert run.rc != 0
    result = run.result('upload')
    assert run.status('upload') == 'failed'
    assert 'the upload of %s to https://' % NAME in result['msg']
    assert ' was cut off after ' in result['msg'] and ' of %d bytes (' % size in result['msg']
    assert 'the array keeps no partial candidate, so running the task again is safe' in result['msg']
    assert 'Traceback' not in run.stdout and '\n' not in result['msg']
    sent = int(result['msg'].split(' was cut off after ')[1].split(' ')[0])
    assert 0 < sent < size, "socket buffers hold a few MiB the array never read"
    state = sim.state('array-1')
    assert state['candidate']['version'] == '5.2.1.0.5.100' and state['pending_candidate'] is None
    assert [r['status'] for r in uploads(sim)] == [0], 'the simulator reset the connection'

    again = run_play([task('again', **args)], module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert again.rc == 0, again.stdout[-3000:]
    result = again.result('again')
    assert result['changed'] is True and result['candidate']['version'] == VERSION
    assert result['replaced']['version'] == '5.2.1.0.5.100'
    assert result['upload']['bytes'] == size
    assert [r['status'] for r in uploads(sim)] == [0, 200]


def test_check_mode_sends_no_upload(start_sim, run_play, tmp_path):
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE})
    path = packages.write_candidate(str(tmp_path), VERSION, size_bytes=2 << 20)
    run = run_play([task('plan', src=path)], module_defaults=sim.connection('array-1'), check=True,
                   timeout=PLAY_TIMEOUT)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('plan')
    assert result['changed'] is True and result['candidate'] is None
    assert result['msg'] == 'would upload %s (2.0 MiB) from %s' % (NAME, path)
    assert uploads(sim) == [] and sim.changing_requests('array-1') == []
    assert sim.state('array-1')['candidate'] is None


def test_the_array_refusing_a_file_is_its_message(start_sim, run_play, tmp_path):
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE, 'corrupt_upload': True})
    path = packages.write_candidate(str(tmp_path), VERSION, size_bytes=1 << 20)
    run = run_play([task('upload', src=path)], module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert run.rc != 0
    result = run.result('upload')
    assert result['msg'].startswith('the array refused the upload of %s with HTTP ' % NAME)
    assert result['http_status'] >= 400 and 'Traceback' not in run.stdout
    assert sim.state('array-1')['candidate'] is None


def test_no_secret_in_any_output(start_sim, run_play, artifacts):
    canary = 'Array-Pw-Canary-51e0'
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE, 'password': canary})
    packages.write_candidate(artifacts.directory, VERSION, size_bytes=1 << 20)
    url = artifacts.url(NAME, 'private').replace('http://', 'http://%s:%s@' % (ARTIFACT_USER, ARTIFACT_PASSWORD))
    secrets = {'package_url': url, 'token': 'Header-Token-Canary-2f'}
    run = run_play([task('upload', url='{{ package_url }}', url_headers={'X-Api-Token': '{{ token }}'}),
                    {'name': 'show', 'ansible.builtin.debug': {'var': 'out'}}],
                   module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT, verbosity=4,
                   extra_vars=secrets)
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result('upload')['changed'] is True
    for text in (run.stdout, run.stderr):
        for secret in (canary, ARTIFACT_PASSWORD, 'Header-Token-Canary-2f'):
            assert secret not in text
        assert 'EMC-CSRF-TOKEN' not in text


def test_a_stalled_upload_fails_after_request_timeout_or_upload_timeout(start_sim, run_play, tmp_path):
    size = 32 << 20
    stall = {'software_version': BEFORE, 'upload_processing_seconds': 0.2, 'upload_stall_at_bytes': 4 << 20,
             'upload_stall_seconds': 4}
    sim = start_sim(time_scale=1, scenario=stall)
    path = packages.write_candidate(str(tmp_path), VERSION, size_bytes=size)
    run = run_play([dict(task('stalled', src=path, request_timeout=1.5), ignore_errors=True),
                    task('again', src=path)],
                   module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert run.rc == 0, run.stdout[-3000:]
    stalled = run.result('stalled')['msg']
    assert ' was cut off after ' in stalled and '(the array took no data for 1.5 seconds, the request_timeout)' in stalled
    assert 'running the task again is safe' in stalled
    assert run.result('again')['changed'] is True and run.result('again')['upload']['bytes'] == size

    sim.put_scenario('array-1', stall)
    run = run_play([dict(task('slow', src=path, upload_timeout=1), ignore_errors=True)],
                   module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    slow = run.result('slow')['msg']
    assert slow.startswith('the upload did not finish within upload_timeout: ')
    assert 'the array keeps no partial candidate. Raise upload_timeout for slow links' in slow
    assert sim.state('array-1')['candidate'] is None


def test_an_active_session_is_refused_before_a_byte_is_sent(start_sim, run_play, tmp_path):
    sim = start_sim(time_scale=SCALE, scenario={
        'software_version': BEFORE, 'candidate': {'version': '5.2.1.0.5.100'},
        'sessions': [{'status': 'Upgrade_Paused', 'candidate_version': '5.2.1.0.5.100'}]})
    path = packages.write_candidate(str(tmp_path), VERSION, size_bytes=1 << 20)
    run = run_play([task('upload', src=path)], module_defaults=sim.connection('array-1'), timeout=PLAY_TIMEOUT)
    assert run.rc != 0
    msg = run.result('upload')['msg']
    assert msg.startswith('upgrade session ') and ' is paused on the array, which takes no new candidate' in msg
    assert uploads(sim) == [] and sim.changing_requests('array-1') == []


# -- issue 16, finding 16: a version that contradicts the file name; a replace is always reported ------

ZERO_BUILD = '5.4.0.0.5.010'


@pytest.mark.parametrize('check', [False, True])
def test_a_version_contradicting_the_file_name_is_refused_before_anything_is_sent(start_sim, run_play, tmp_path,
                                                                                  check):
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE, 'candidate': {'version': VERSION}})
    path = packages.write_candidate(str(tmp_path), ZERO_BUILD, size_bytes=1 << 20)
    sim.clear_requests('array-1')
    run = run_play([task('upload', src=path, version='5.4.0.0.5.11')], module_defaults=sim.connection('array-1'),
                   check=check, timeout=PLAY_TIMEOUT)
    assert run.rc != 0
    result = run.result('upload')
    assert result['msg'] == (
        "version 5.4.0.0.5.11 contradicts the file name 'Unity-%s.tgz.bin.gpg', which carries version %s: set "
        'version to the version of the package, or leave it out to use the one in the file name'
        % (ZERO_BUILD, ZERO_BUILD))
    assert sim.requests('array-1') == [], 'refused before a single request'
    assert sim.state('array-1')['candidate']['version'] == VERSION


def test_the_same_version_with_other_zeros_is_no_contradiction_and_keeps_its_zeros(start_sim, run_play, tmp_path):
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE})
    path = packages.write_candidate(str(tmp_path), ZERO_BUILD, size_bytes=1 << 20)
    run = run_play([task('upload', src=path, version='5.4.0.0.5.10')], module_defaults=sim.connection('array-1'),
                   timeout=PLAY_TIMEOUT)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('upload')
    assert result['changed'] is True and result['candidate']['parsed_version'] == ZERO_BUILD
    assert '5.4.0.0.5.10)' not in result['msg'] and ZERO_BUILD in result['msg']
    assert result['version_before'] == result['installed_version'] == BEFORE


def test_a_failure_after_the_array_took_the_file_reports_the_replaced_candidate(start_sim, run_play, tmp_path):
    # the array takes the file (and drops its candidate) but lists the new one only after 600 s
    sim = start_sim(time_scale=SCALE, scenario={'software_version': BEFORE, 'candidate': {'version': VERSION},
                                                'upload_processing_seconds': 600})
    before = sim.state('array-1')['candidate']
    path = packages.write_candidate(str(tmp_path), ZERO_BUILD, size_bytes=1 << 20)
    run = run_play([task('upload', src=path, processing_timeout=1)], module_defaults=sim.connection('array-1'),
                   timeout=PLAY_TIMEOUT)
    assert run.rc != 0
    result = run.result('upload')
    assert result['changed'] is True, result
    assert result['replaced']['id'] == before['id'] and result['replaced']['parsed_version'] == VERSION
    assert result['msg'].endswith('candidate %s (version %s) is no longer on the array: the upload replaced it'
                                  % (before['id'], VERSION)), result['msg']
