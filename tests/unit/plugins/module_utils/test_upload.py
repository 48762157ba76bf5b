# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The streamed upload: multipart framing, lengths, sha256, hold-back, sources, and the client's POST
(sources, transports and the artifact server: tests/unit/framework/upload.py)."""


import email.parser
import hashlib
import os
import threading

import pytest
import requests
from hypothesis import HealthCheck, given, settings, strategies as st
from requests.exceptions import ConnectionError as RequestsConnectionError, ReadTimeout, SSLError

from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    UPLOAD_PATH,
    UnityApiError,
    UnityConnectionError,
    UnityTLSError,
)
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import (
    candidate_matches,
    candidate_type_from_filename,
    version_from_filename,
)
from ansible_collections.unity.upgrade.plugins.module_utils.upload import (
    BackgroundSha256,
    ChecksumMismatch,
    FileSource,
    MultipartBody,
    SourceError,
    UploadError,
    UploadTimeout,
    check_url,
    inspect_file,
    name_from_url,
    parse_checksum,
    upload_candidate,
    redact_url,
)

from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply
from ansible_collections.unity.upgrade.tests.unit.framework.upload import (
    NAME,
    Download,
    MemorySource,
    body_factory,
    url_source,
)


def drain(body):
    """Iterate a body as a connection would; returns the chunks."""
    return [bytes(chunk) for chunk in body]


# -- multipart framing ---------------------------------------------------------------------------

def test_framing_is_exact():
    body = MultipartBody(MemorySource(b'\x85payload-bytes', chunk_size=5), boundary='BOUNDARY')
    sent = b''.join(drain(body))
    assert sent == (b'--BOUNDARY\r\n'
                    b'Content-Disposition: form-data; name="filename"; filename="' + NAME.encode() + b'"\r\n'
                    b'Content-Type: application/octet-stream\r\n'
                    b'\r\n'
                    b'\x85payload-bytes'
                    b'\r\n--BOUNDARY--\r\n')
    assert body.content_type == 'multipart/form-data; boundary=BOUNDARY'
    assert body.len == len(sent) == body.bytes_sent
    assert body.complete and body.data_bytes_sent == 14


def test_the_boundary_is_random_per_body():
    first, second = MultipartBody(MemorySource(b'x')), MultipartBody(MemorySource(b'x'))
    assert first.boundary != second.boundary and len(first.boundary) >= 32


def test_file_names_are_escaped_like_a_browser_form():
    body = MultipartBody(MemorySource(b'x', name='a"b\r\nc\x01\u00e9.gpg'), boundary='B')
    assert b'filename="a%22b%0D%0Ac%01\xc3\xa9.gpg"' in body.preamble


def test_a_body_is_sent_once():
    body = MultipartBody(MemorySource(b'abc'))
    drain(body)
    with pytest.raises(RuntimeError):
        iter(body)


def test_unknown_size_means_no_length_and_chunked_transfer():
    body = MultipartBody(MemorySource(b'abcdef', size=None))
    assert body.len is None
    assert requests.utils.super_len(body) == 0, 'requests then sends Transfer-Encoding: chunked'
    assert b''.join(drain(body)).endswith(body.epilogue)


def test_known_size_gives_requests_the_content_length():
    body = MultipartBody(MemorySource(b'abcdef'))
    prepared = requests.Request('POST', 'https://a/upload', data=body,
                                headers={'Content-Type': body.content_type}).prepare()
    assert prepared.headers['Content-Length'] == str(body.len)
    assert 'Transfer-Encoding' not in prepared.headers


_names = st.text(alphabet=st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(min_size=1, max_size=3000), chunk_size=st.integers(1, 700), name=_names,
       known=st.booleans())
def test_any_body_parses_back_to_the_file_and_its_length_is_exact(data, chunk_size, name, known):
    body = MultipartBody(MemorySource(data, chunk_size=chunk_size, name=name,
                                      size='exact' if known else None))
    chunks = drain(body)
    sent = b''.join(chunks)
    if known:
        assert body.len == len(sent)
    assert body.bytes_sent == len(sent)
    assert all(chunks), 'no empty chunk (it would end a chunked body early)'
    assert body.sha256 == hashlib.sha256(data).hexdigest()
    message = email.parser.BytesParser().parsebytes(
        b'Content-Type: ' + body.content_type.encode() + b'\r\n\r\n' + sent)
    parts = message.get_payload()
    assert len(parts) == 1
    assert parts[0].get_param('name', header='content-disposition') == 'filename'
    assert parts[0].get_content_type() == 'application/octet-stream'
    assert parts[0].get_payload(decode=True) == data


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 5000), chunk_size=st.integers(1, 1000))
def test_the_last_chunk_is_held_back_until_the_checksum_is_known(size, chunk_size):
    data = os.urandom(size)
    good = MultipartBody(MemorySource(data, chunk_size=chunk_size),
                         expected_sha256=hashlib.sha256(data).hexdigest())
    assert b''.join(drain(good)) == good.preamble + data + good.epilogue and good.complete
    bad = MultipartBody(MemorySource(data, chunk_size=chunk_size), expected_sha256='0' * 64)
    sent = []
    with pytest.raises(ChecksumMismatch) as caught:
        for chunk in bad:
            sent.append(chunk)
    last = size - (size - 1) // chunk_size * chunk_size
    assert b''.join(sent) == bad.preamble + data[:size - last], 'all but the last chunk, no epilogue'
    assert not bad.complete
    assert caught.value.expected == '0' * 64 and caught.value.actual == hashlib.sha256(data).hexdigest()


def test_a_checksum_mismatch_names_both_sums_in_one_line():
    data = b'\x85' * 10
    with pytest.raises(ChecksumMismatch) as caught:
        drain(MultipartBody(MemorySource(data), expected_sha256='ab' * 32))
    message = str(caught.value)
    assert 'expected sha256:' + 'ab' * 32 in message
    assert 'the file has sha256:' + hashlib.sha256(data).hexdigest() in message
    assert 'array has no candidate from this file' in message and '\n' not in message


def test_a_source_shorter_than_announced_stops_before_the_end():
    source = MemorySource(b'abcdefgh', chunk_size=3, size=20)
    with pytest.raises(SourceError, match='ended after 8 of the 20 bytes announced'):
        drain(MultipartBody(source))


def test_a_source_longer_than_announced_stops_before_the_end():
    with pytest.raises(SourceError, match='grew while it was read'):
        drain(MultipartBody(MemorySource(b'abcdefgh', chunk_size=3, size=5)))


def test_an_empty_source_of_unknown_size_is_refused_before_the_epilogue():
    body = MultipartBody(MemorySource(b'', size=None))
    with pytest.raises(SourceError, match='is empty'):
        drain(body)
    assert not body.complete


def test_a_source_that_breaks_off_propagates_unchanged():
    with pytest.raises(SourceError, match='broke off after 8 bytes'):
        drain(MultipartBody(MemorySource(b'x' * 20, chunk_size=4, fail_after=8)))


def test_the_deadline_stops_the_body():
    now = [0.0]

    def clock():
        now[0] += 1.0
        return now[0]

    body = MultipartBody(MemorySource(b'x' * 100, chunk_size=10), deadline=4.5, clock=clock)
    with pytest.raises(UploadTimeout, match='did not finish within upload_timeout') as caught:
        drain(body)
    assert 'keeps no partial candidate' in str(caught.value)
    assert not body.complete


def test_no_source_bytes_are_read_before_the_preamble_was_taken():
    source = MemorySource(b'abc')
    iterator = iter(MultipartBody(source))
    next(iterator)
    assert source.reads == 0


def test_background_sha256_equals_hashlib_and_its_thread_ends():
    data = [os.urandom(n) for n in (1, 5000, 1 << 20, 0, 77)]
    hasher = BackgroundSha256(depth=2)
    for chunk in data:
        hasher.update(chunk)
    assert hasher.hexdigest() == hashlib.sha256(b''.join(data)).hexdigest()
    assert hasher.hexdigest() == hashlib.sha256(b''.join(data)).hexdigest(), 'asked twice'
    assert not hasher._thread.is_alive()


def test_an_abandoned_body_stops_its_hashing_thread():
    body = MultipartBody(MemorySource(b'x' * 100, chunk_size=10))
    iterator = iter(body)
    next(iterator)
    next(iterator)
    iterator.close()  # the connection failed: the generator is closed
    assert [t for t in threading.enumerate() if t.name == 'sha256'] == []


# -- checksum form, URLs, files --------------------------------------------------------------------

def test_checksum_form():
    digest = hashlib.sha256(b'x').hexdigest()
    assert parse_checksum('sha256:' + digest) == digest
    assert parse_checksum('SHA256:' + digest.upper()) == digest
    assert parse_checksum('  sha256:%s ' % digest) == digest


@pytest.mark.parametrize('value, reason', [
    ('abc', 'without the sha256: prefix'),
    ('md5:d41d8cd98f00b204e9800998ecf8427e', "algorithm 'md5'"),
    ('sha256:abc', '3 hex digits after sha256:'),
    ('sha256:' + 'g' * 64, 'not hex digits'),
    ('', 'without the sha256: prefix'),
])
def test_bad_checksum_forms_say_what_is_wrong(value, reason):
    with pytest.raises(UploadError) as caught:
        parse_checksum(value)
    assert "checksum must be 'sha256:' followed by 64 hex digits" in str(caught.value)
    assert reason in str(caught.value)


def test_urls_are_shown_without_credentials_or_query():
    url = 'https://bob:hunter2@artifacts.example.com:8443/unity/Unity-5.3.0.0.5.120.tgz.bin.gpg?sig=SECRET#x'
    shown = redact_url(url)
    assert shown == 'https://artifacts.example.com:8443/unity/Unity-5.3.0.0.5.120.tgz.bin.gpg?...'
    assert redact_url('http://[::1]/a') == 'http://[::1]/a'


def test_url_file_names():
    assert name_from_url('https://h/a/Unity-5.3.0.0.5.120.tgz.bin.gpg?x=1') == NAME
    assert name_from_url('https://h/a/Unity%2D5.3.0.0.5.120.tgz.bin.gpg') == NAME
    assert name_from_url('https://h/a/') == ''
    assert check_url('https://h/' + NAME) == NAME


@pytest.mark.parametrize('url, message', [
    ('ftp://h/' + NAME, 'must be an absolute http:// or https:// URL'),
    ('/local/' + NAME, 'got a relative reference'),
    ('https://h/dir/', 'must end with the file name'),
    ('https://h:99999/' + NAME, 'not a valid URL'),
])
def test_bad_urls(url, message):
    with pytest.raises(SourceError, match=message):
        check_url(url)


def test_inspect_file(tmp_path):
    package = tmp_path / NAME
    package.write_bytes(b'\x85abc')
    assert inspect_file(str(package)) == (NAME, 4)
    with pytest.raises(SourceError, match='does not exist on the host the module runs on'):
        inspect_file(str(tmp_path / 'missing.gpg'))
    with pytest.raises(SourceError, match='is a directory'):
        inspect_file(str(tmp_path))
    (tmp_path / 'empty.gpg').write_bytes(b'')
    with pytest.raises(SourceError, match='is empty'):
        inspect_file(str(tmp_path / 'empty.gpg'))


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads any file')
def test_an_unreadable_file(tmp_path):
    package = tmp_path / NAME
    package.write_bytes(b'\x85abc')
    package.chmod(0)
    with pytest.raises(SourceError, match='not readable'):
        inspect_file(str(package))


def test_file_source_reads_large_chunks_to_the_end(tmp_path):
    data = os.urandom(10000)
    package = tmp_path / NAME
    package.write_bytes(data)
    source = FileSource(str(package), chunk_size=4096).open()
    chunks = list(source.chunks())
    source.close()
    assert [len(c) for c in chunks] == [4096, 4096, 1808]
    assert b''.join(chunks) == data and source.size == 10000 and source.name == NAME


# -- URL sources -----------------------------------------------------------------------------------

def test_url_source_streams_with_the_announced_size_and_options():
    data = os.urandom(2500)
    adapter = Download(data=data)
    source = url_source(adapter, headers={'X-Api-Key': 'k', 'X-Build': 120}, username='bob', password='pw',
                        ca_path='/etc/ca.pem').open()
    assert source.size == 2500 and source.name == NAME
    assert [len(c) for c in source.chunks()] == [1000, 1000, 500]
    request, kwargs = adapter.sent[0]
    assert request.headers['X-Api-Key'] == 'k' and request.headers['Accept-Encoding'] == 'identity'
    assert request.headers['X-Build'] == '120'
    assert request.headers['Authorization'].startswith('Basic ')
    assert kwargs['verify'] == '/etc/ca.pem' and kwargs['stream'] is True


def test_url_source_size_is_unknown_without_length_or_with_an_encoding():
    assert url_source(Download(data=b'abc', headers={})).open().size is None
    assert url_source(Download(data=b'abc', headers={'Content-Length': '3',
                                                     'Content-Encoding': 'gzip'})).open().size is None


def test_url_source_takes_the_file_name_of_content_disposition():
    source = url_source(Download(data=b'abc', headers={
        'Content-Disposition': 'attachment; filename="Unity-5.3.1.0.5.200.tgz.bin.gpg"'}),
        url='https://artifacts.example.com/download?id=17').open()
    assert source.name == 'Unity-5.3.1.0.5.200.tgz.bin.gpg'


@pytest.mark.parametrize('status, hint', [
    (404, 'HTTP 404 Not Found: check url'),
    (401, 'HTTP 401 Unauthorized: the artifact server refused the credentials: set url_username'),
    (500, 'HTTP 500 Oops: the artifact server could not serve the file'),
])
def test_url_refusals_are_one_line_without_the_query(status, hint):
    source = url_source(Download(status=status), url='https://a.example.com/u/%s?token=SECRET' % NAME)
    with pytest.raises(SourceError) as caught:
        source.open()
    assert hint in str(caught.value)
    assert 'SECRET' not in str(caught.value) and 'https://a.example.com/u/%s?...' % NAME in str(caught.value)


def test_an_html_page_instead_of_the_package_is_refused():
    source = url_source(Download(data=b'<html>Sign in</html>', headers={'Content-Type': 'text/html; charset=utf-8'}))
    with pytest.raises(SourceError, match=r'answered with an HTML page \(a login page\?\), not the package'):
        source.open()


def test_url_tls_failure_names_the_options():
    with pytest.raises(SourceError, match='set url_ca_path .* or url_validate_certs: false'):
        url_source(Download(exc=SSLError('certificate verify failed'))).open()


def test_url_download_breaking_off_says_how_far_it_got():
    source = url_source(Download(data=b'x' * 5000, break_after=2000)).open()
    with pytest.raises(SourceError, match='broke off after 2000 bytes: the connection broke off'):
        list(source.chunks())


# -- version and type from names -----------------------------------------------------------------

@pytest.mark.parametrize('name, version, ctype', [
    (NAME, '5.3.0.0.5.120', 0),
    ('/srv/unity/Unity-5.5.0.0.5.259.tgz.bin.gpg', '5.5.0.0.5.259', 0),
    ('Unity-Drive-Firmware-V20-2022-06-13.tgz.bin.gpg', None, 1),
    ('Unity-LanguagePack-5.3.0.0.5.120.tgz.bin.gpg', '5.3.0.0.5.120', 2),
    ('update1.gpg', None, 0),
])
def test_version_and_type_from_file_names(name, version, ctype):
    assert version_from_filename(name) == version
    assert candidate_type_from_filename(name) == ctype


def test_candidate_matching_compares_versions_on_common_precision_and_type():
    listed = {'parsed_version': '5.3.0.0.5.120', 'version': '5.3.0.0.5.120', 'type': 0}
    assert candidate_matches(listed, '5.3.0.0.5.120', 0)
    assert candidate_matches(listed, '5.3.0', 0)
    assert not candidate_matches(listed, '5.3.0.0.5.121', 0)
    assert not candidate_matches(listed, '5.3.0.0.5.120', 1)
    assert candidate_matches({'parsed_version': None, 'version': '5.3.0', 'type': None}, '5.3.0.0.5.120', 0)


# -- the client's upload POST ------------------------------------------------------------------------

def test_upload_posts_the_multipart_stream_with_the_token_and_its_own_timeout(upload_client,
                                                                              upload_transport):
    upload_transport.add('POST', UPLOAD_PATH, Reply(200))
    make = body_factory()
    assert upload_candidate(upload_client, make, timeout=1234).status_code == 200
    body = make.made[0]
    posted = upload_transport.requests_to('POST', UPLOAD_PATH)[0]
    assert posted.headers['Content-Type'] == body.content_type
    assert posted.headers['Content-Length'] == str(body.len)
    assert posted.headers['EMC-CSRF-TOKEN'] == 'token-1-1'
    assert posted.headers['X-EMC-REST-CLIENT'] == 'true'
    assert upload_transport.received == [b''.join([body.preamble, b'\x85' + b'p' * 99, body.epilogue])]
    assert upload_transport.timeouts == (60.0, 1234.0)
    assert body.complete and body.sha256 == hashlib.sha256(b'\x85' + b'p' * 99).hexdigest()


def test_upload_401_before_anything_was_streamed_logs_in_again_with_a_new_body(upload_client,
                                                                               upload_transport):
    upload_transport.read_body = False  # the array answers before reading the body
    upload_transport.add('POST', UPLOAD_PATH, Reply(401), Reply(200))
    make = body_factory()
    original = make

    def make_and_read_next():
        body = original()
        if len(original.made) == 2:
            upload_transport.read_body = True
        return body

    upload_candidate(upload_client, make_and_read_next)
    assert len(make.made) == 2 and make.made[1].complete and make.made[0].bytes_sent == 0
    assert [r.path for r in upload_transport.sent].count('/api/types/loginSessionInfo/instances') == 2
    assert upload_transport.requests_to('POST', UPLOAD_PATH)[-1].headers['EMC-CSRF-TOKEN'] == 'token-1-2'


def test_upload_401_after_bytes_were_sent_is_never_resent(upload_client, upload_transport):
    upload_transport.add('POST', UPLOAD_PATH, Reply(401), Reply(200))
    make = body_factory()
    with pytest.raises(UnityApiError, match=r'refused the login session of the upload .* \(HTTP 401\) '
                                            r'after 100 bytes were sent; .*run the task again'):
        upload_candidate(upload_client, make)
    assert len(make.made) == 1 and len(upload_transport.requests_to('POST', UPLOAD_PATH)) == 1


def test_the_array_refusing_the_file_is_its_own_message(upload_client, upload_transport):
    refusal = {'error': {'errorCode': 100666040, 'httpStatusCode': 422, 'messages': [
        {'en-US': 'The uploaded file is corrupt or not signed. (Error Code:0x5fe0038)'}]}}
    upload_transport.add('POST', UPLOAD_PATH, Reply(422, refusal))
    with pytest.raises(UnityApiError) as caught:
        upload_candidate(upload_client, body_factory())
    assert str(caught.value) == ('the array refused the upload of %s with HTTP 422 (error code 100666040): '
                                 'The uploaded file is corrupt or not signed. (Error Code:0x5fe0038)' % NAME)
    assert caught.value.http_status == 422 and caught.value.error_code == 100666040


def test_an_upload_cut_off_mid_body_says_how_far_and_rerunning_is_safe(upload_client, upload_transport):
    upload_transport.cut_after_chunks = 3  # the preamble and two chunks of 30 bytes went out
    make = body_factory()
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, make)
    message = str(caught.value)
    assert 'was cut off after 30 of 100 bytes (the connection was reset)' in message
    assert 'keeps no partial candidate, so running the task again is safe' in message
    assert caught.value.maybe_applied is False
    assert len(upload_transport.requests_to('POST', UPLOAD_PATH)) == 1, 'never re-sent'


def test_an_upload_cut_off_before_the_end_of_the_body_says_the_file_went_but_not_the_request(
        upload_client, upload_transport):
    # every byte of the file was taken, the closing boundary was not: the array cannot have kept it
    upload_transport.cut_after_chunks = 6  # the preamble, four chunks of the file, the epilogue
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, body_factory())
    assert str(caught.value) == (
        'the upload of %s to %s was cut off after all 100 bytes of the file, before the end of the request '
        '(the connection was reset); the array keeps no partial candidate, so running the task again is safe'
        % (NAME, upload_client.base_url))
    assert caught.value.maybe_applied is False


def test_a_send_that_stalled_for_request_timeout_says_so(upload_client, upload_transport, fake_clock):
    upload_transport.cut_after_chunks = 3
    upload_transport.cut_exc = RequestsConnectionError("Connection aborted. TimeoutError('The write operation "
                                                       "timed out')")
    upload_transport.stall = 1000  # the last chunk went out long ago
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, body_factory(clock=fake_clock.monotonic))
    assert 'was cut off after 30 of 100 bytes (the array took no data for 60 seconds, the request_timeout)' \
        in str(caught.value)


def test_a_tls_eof_mid_body_is_a_cut_off_not_a_certificate_problem(upload_client, upload_transport):
    upload_transport.cut_after_chunks = 3
    upload_transport.cut_exc = SSLError('EOF occurred in violation of protocol (_ssl.c:2427)')
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, body_factory())
    assert not isinstance(caught.value, UnityTLSError)
    assert 'was cut off after 30 of 100 bytes (the TLS connection broke off)' in str(caught.value)


def test_a_tls_failure_before_the_body_is_the_certificate_message(upload_client, upload_transport):
    upload_client.login()
    upload_transport.add('POST', UPLOAD_PATH, Reply(exc=SSLError('certificate verify failed')))
    upload_transport.read_body = False
    with pytest.raises(UnityTLSError, match='Set ca_path'):
        upload_candidate(upload_client, body_factory())


def test_a_lost_answer_after_the_whole_body_says_the_array_may_have_it(upload_client, upload_transport):
    upload_transport.add('POST', UPLOAD_PATH, Reply(exc=RequestsConnectionError('Connection reset by peer')))
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, body_factory())
    assert 'the answer to the upload of %s was lost after all 100 bytes were sent' % NAME in str(caught.value)
    assert 'run the task again' in str(caught.value)
    assert caught.value.maybe_applied is True


def test_no_answer_within_upload_timeout_after_the_whole_body(upload_client, upload_transport):
    upload_transport.add('POST', UPLOAD_PATH, Reply(exc=ReadTimeout('Read timed out.')))
    with pytest.raises(UnityConnectionError) as caught:
        upload_candidate(upload_client, body_factory(), timeout=90)
    assert 'did not answer within upload_timeout (90 s) after all 100 bytes' in str(caught.value)


def test_a_checksum_mismatch_drops_the_upload_and_passes_through(upload_client, upload_transport):
    with pytest.raises(ChecksumMismatch):
        upload_candidate(upload_client, body_factory(expected_sha256='0' * 64))
    received = upload_transport.received[0]
    data = b'\x85' + b'p' * 99
    assert received.endswith(data[:90]) and not received.endswith(data), 'the last chunk never left'


def test_no_secret_in_upload_errors(upload_client, upload_transport):
    upload_transport.add('POST', UPLOAD_PATH, Reply(500, text='<html><title>Internal error</title></html>'))
    with pytest.raises(UnityApiError) as caught:
        upload_candidate(upload_client, body_factory())
    assert 'S3cret' not in str(caught.value) and 'token-1' not in str(caught.value)
