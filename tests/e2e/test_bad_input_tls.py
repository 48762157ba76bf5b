# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""TLS: verification is on by default; the simulator's self-signed certificate is refused with a message
naming validate_certs and ca_path, and accepted with ca_path (or UNITY_CA_PATH); a certificate for
another name is named as such, whatever validate_certs says once a CA is given; an artifact server's
certificate is checked the same way."""


import os
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from e2e_helpers import pki_for
from unity_sim import packages

TARGET = '5.3.0.0.5.120'
NAME = 'Unity-%s.tgz.bin.gpg' % TARGET


@pytest.fixture
def localhost_only(start_sim, tmp_path):
    """A simulator whose certificate names localhost only: 127.0.0.1 is another name for it."""
    ca, cert, key = pki_for(str(tmp_path), 'localhost')
    sim = start_sim(time_scale=60, cert=cert, key=key, scenario={'candidate': {'version': TARGET}})
    sim.test_ca = ca
    return sim


def info(name, **args):
    return {'name': name, 'unity.upgrade.info': dict({'gather_subset': ['system']}, **args), 'ignore_errors': True}


def test_verification_is_on_by_default_and_ca_path_accepts(start_sim, run_play):
    sim = start_sim(time_scale=60)
    connection = sim.connection('array-1')
    port = connection['port']
    no_ca = dict(connection)
    no_ca.pop('ca_path')
    runs = {}
    for bundle in ('system', 'certifi'):
        env = {} if bundle == 'system' else {'REQUESTS_CA_BUNDLE': '', 'CURL_CA_BUNDLE': ''}
        runs[bundle] = run_play([info('default', **no_ca), info('with ca_path', **connection),
                                 info('validate_certs true', validate_certs=True, **no_ca)], env=env)
    for bundle, run in runs.items():
        assert run.rc == 0, run.stdout[-2000:]
        expected = ("TLS verification of https://127.0.0.1:%d failed: the certificate is not signed by a trusted CA. Set "
                    "ca_path to the CA certificate that signed the array's certificate, or validate_certs: false to skip "
                    "the check (insecure)" % port)
        for name in ('default', 'validate_certs true'):
            assert run.status(name) == 'failed' and run.result(name)['msg'] == expected, (bundle, name)
        assert 'validate_certs' in expected and 'ca_path' in expected
        assert run.status('with ca_path') == 'ok' and run.result('with ca_path')['system']['name'] == 'array-1'
        assert 'validate_certs is false' not in run.stdout + run.stderr, 'no warning while verifying'

    # the same from the environment an AWX credential injects
    env = {'UNITY_HOST': connection['unispherehost'], 'UNITY_PORT': str(port), 'UNITY_USERNAME': connection['username'],
           'UNITY_PASSWORD': connection['password'], 'UNITY_CA_PATH': sim.ca_file}
    run = run_play([info('from the environment')], env=env)
    assert run.status('from the environment') == 'ok', run.result('from the environment').get('msg')
    env['UNITY_CA_PATH'] = ''
    env['UNITY_VALIDATE_CERTS'] = 'false'
    run = run_play([info('insecure from the environment')], env=env)
    assert run.status('insecure from the environment') == 'ok'
    assert (run.stdout + run.stderr).count('validate_certs is false: the identity of 127.0.0.1 is not verified') == 1


def test_a_certificate_for_another_name_is_named(localhost_only, run_play):
    sim = localhost_only
    connection = sim.connection('array-1')
    port = connection['port']
    connection['ca_path'] = sim.test_ca
    by_name = dict(connection, unispherehost='localhost')
    run = run_play([info('by the name of the certificate', **by_name),
                    info('by another name', **connection),
                    info('another name, validate_certs false but a CA given', validate_certs=False, **connection)])
    assert run.rc == 0, run.stdout[-2000:]
    assert run.status('by the name of the certificate') == 'ok'
    expected = ("TLS verification of https://127.0.0.1:%d failed: the certificate is not valid for the name '127.0.0.1'. "
                "Set unispherehost to a name the array's certificate carries, or validate_certs: false to skip the "
                "check (insecure)" % port)
    assert run.status('by another name') == 'failed' and run.result('by another name')['msg'] == expected
    # naming a CA means "verify against it": ca_path wins over validate_certs: false
    other = run.result('another name, validate_certs false but a CA given')
    assert other['msg'] == expected
    assert 'Traceback' not in run.stdout + run.stderr


def test_an_artifact_server_certificate_is_verified_too(start_sim, run_play, tmp_path):
    ca, cert, key = pki_for(str(tmp_path), 'localhost')
    directory = tmp_path / 'artifacts'
    directory.mkdir()
    packages.write_candidate(str(directory), TARGET, size_bytes=1 << 20)

    class Files(BaseHTTPRequestHandler):
        def do_GET(self):
            with open(os.path.join(str(directory), os.path.basename(self.path)), 'rb') as handle:
                body = handle.read()
            self.send_response(200)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Files)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sim = start_sim(time_scale=60, scenario={'software_version': '5.2.0.0.5.173', 'upload_processing_seconds': 1})
        url = 'https://localhost:%d/%s' % (server.server_address[1], NAME)

        def upload(name, **args):
            return {'name': name, 'unity.upgrade.upgrade_candidate': dict(url=url, **args), 'ignore_errors': True}

        run = run_play([upload('untrusted'), upload('trusted', url_ca_path=ca)], module_defaults=sim.connection('array-1'))
    finally:
        server.shutdown()
        server.server_close()
    assert run.rc == 0, run.stdout[-2000:]
    assert run.result('untrusted')['msg'] == (
        "TLS verification of https://localhost:%d/%s failed: set url_ca_path to the CA that signed the artifact "
        "server's certificate, or url_validate_certs: false (insecure)" % (server.server_address[1], NAME))
    assert run.status('trusted') == 'ok' and run.result('trusted')['changed'] is True
    assert sim.state('array-1')['candidate']['version'] == TARGET
