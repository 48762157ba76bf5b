# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Streamed uploads in unit tests: a source of known bytes, the array's upload endpoint (a scripted
transport that reads the streamed body as a connection would, and can cut it off), and an artifact
server for downloads from ``url`` (whose body can break off)."""


import io

import requests
from requests.adapters import BaseAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError

from ansible_collections.unity.upgrade.plugins.module_utils.rest import UPLOAD_PATH
from ansible_collections.unity.upgrade.plugins.module_utils.upload import MultipartBody, SourceError, UrlSource
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply, ScriptedAdapter, SentRequest

NAME = 'Unity-5.3.0.0.5.120.tgz.bin.gpg'


class MemorySource:
    """A source of known bytes in fixed chunks; ``size`` may be announced wrongly or not at all."""

    def __init__(self, data, chunk_size=4, name=NAME, size='exact', fail_after=None):
        self.data = data
        self.chunk_size = chunk_size
        self.name = name
        self.size = len(data) if size == 'exact' else size
        self.description = 'test source'
        self.fail_after = fail_after
        self.reads = 0

    def chunks(self):
        for start in range(0, len(self.data), self.chunk_size):
            if self.fail_after is not None and start >= self.fail_after:
                raise SourceError('the download broke off after %d bytes' % start)
            self.reads += 1
            yield self.data[start:start + self.chunk_size]


def body_factory(data=b'\x85' + b'p' * 99, **kwargs):
    """A ``make_body`` for upload_candidate: a new MultipartBody of ``data`` (in chunks of 30 bytes)
    per call, each kept in ``make.made``."""
    made = []
    chunk_size = kwargs.pop('chunk_size', 30)

    def make():
        made.append(MultipartBody(MemorySource(data, chunk_size=chunk_size), **kwargs))
        return made[-1]

    make.made = made
    return make


class UploadAdapter(ScriptedAdapter):
    """A ScriptedAdapter that reads streamed upload bodies like a connection would.

    ``received``: the bytes of each upload; ``timeouts``: the last upload's ``(connect, read)``.
    ``cut_after_chunks``: raise ``cut_exc`` once that many chunks were taken, after ``clock`` (a
    FakeClock) moved on by ``stall`` seconds: a send that stalled, then broke off. ``read_body``
    False: the array answers before it reads the body. Uploads without a scripted answer get 200.
    """

    def __init__(self, clock=None):
        super().__init__()
        self.received = []
        self.cut_after_chunks = None
        self.cut_exc = RequestsConnectionError('Connection aborted. ConnectionResetError(104)')
        self.clock = clock
        self.stall = 0
        self.read_body = True
        self.timeouts = None

    def send(self, request, **kwargs):
        if not request.path_url.startswith(UPLOAD_PATH):
            return super().send(request, **kwargs)
        self.sent.append(SentRequest(request))
        self.timeouts = kwargs.get('timeout')
        received = []
        try:
            for chunk in request.body if self.read_body else ():
                received.append(bytes(chunk))
                if self.cut_after_chunks is not None and len(received) >= self.cut_after_chunks:
                    if self.stall:
                        self.clock.sleep(self.stall)
                    raise self.cut_exc
        finally:
            self.received.append(b''.join(received))
        queue = self.script.get(('POST', UPLOAD_PATH))
        reply = queue.pop(0) if queue else Reply(200)
        if reply.exc is not None:
            raise reply.exc
        return self._response(request, reply)


class Download(BaseAdapter):
    """An artifact server: answers GETs with ``status``, ``data`` and ``headers`` (default: the
    Content-Length), or raises ``exc``; the body breaks off after ``break_after`` bytes. Every
    request is kept in ``sent`` as ``(SentRequest, send keyword arguments)``."""

    def __init__(self, status=200, data=b'', headers=None, exc=None, break_after=None):
        super().__init__()
        self.status, self.data, self.headers, self.exc = status, data, headers, exc
        self.break_after = break_after
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append((SentRequest(request), kwargs))
        if self.exc:
            raise self.exc
        response = requests.Response()
        response.status_code = self.status
        response.reason = {200: 'OK', 401: 'Unauthorized', 404: 'Not Found'}.get(self.status, 'Oops')
        response.headers = requests.structures.CaseInsensitiveDict(
            self.headers if self.headers is not None else {'Content-Length': str(len(self.data))})
        response.raw = _BreakingStream(self.data, self.break_after)
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class _BreakingStream(io.RawIOBase):
    def __init__(self, data, break_after):
        self.data, self.pos, self.break_after = data, 0, break_after

    def readable(self):
        return True

    def read(self, amt=-1, **kwargs):
        if self.break_after is not None and self.pos >= self.break_after:
            raise RequestsConnectionError('Connection broken: IncompleteRead(12 bytes read)')
        end = len(self.data) if amt is None or amt < 0 else self.pos + amt
        if self.break_after is not None:
            end = min(end, self.break_after)
        chunk, self.pos = self.data[self.pos:end], min(end, len(self.data))
        return chunk

    def stream(self, amt, decode_content=True):
        while True:
            chunk = self.read(amt)
            if not chunk:
                return
            yield chunk


def download_session(adapter):
    """A requests.Session whose HTTP and HTTPS requests all go to ``adapter`` (a Download)."""
    session = requests.Session()
    session.mount('https://', adapter)
    session.mount('http://', adapter)
    return session


def url_source(adapter, url='https://artifacts.example.com/unity/' + NAME, **kwargs):
    """A UrlSource that downloads from ``adapter``, in chunks of 1000 bytes unless told."""
    return UrlSource(url, session=download_session(adapter), chunk_size=kwargs.pop('chunk_size', 1000), **kwargs)
