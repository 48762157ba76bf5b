# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""TLS problems that are not an untrusted certificate: each one line, naming the option to change."""


import os

import pytest
from requests.exceptions import SSLError

from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityTLSError, ca_path_problem

from ansible_collections.unity.upgrade.plugins.module_utils.module import TLS_ADVICE

from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply

LOGIN = '/api/types/loginSessionInfo/instances'


def test_a_server_that_does_not_speak_tls_is_named_as_such(make_client, transport):
    transport.add('GET', LOGIN, Reply(exc=SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")))
    with pytest.raises(UnityTLSError) as caught:
        make_client(tls_advice=TLS_ADVICE).login()
    assert str(caught.value) == ('https://unity.example.com:443 does not answer in TLS (HTTPS): is it a plain HTTP '
                                 'port or another service? Check unispherehost and port (Unisphere answers HTTPS '
                                 'on 443)')
    assert len(transport.sent) == 1


def test_a_hostname_mismatch_says_to_use_a_name_of_the_certificate(make_client, transport):
    transport.add('GET', LOGIN, Reply(exc=SSLError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                                   "Hostname mismatch, certificate is not valid for 'unity.example.com'")))
    with pytest.raises(UnityTLSError) as caught:
        make_client(tls_advice=TLS_ADVICE).login()
    assert str(caught.value) == ("TLS verification of https://unity.example.com:443 failed: the certificate is not "
                                 "valid for the name 'unity.example.com'. Set unispherehost to a name the array's "
                                 'certificate carries, or validate_certs: false to skip the check (insecure)')


def test_another_handshake_failure_carries_its_reason(make_client, transport):
    transport.add('GET', LOGIN, Reply(exc=SSLError('[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol '
                                                   'version (_ssl.c:1006)')))
    with pytest.raises(UnityTLSError, match=r'failed: the TLS handshake failed \(tlsv1 alert protocol version\)\. '):
        make_client(tls_advice=TLS_ADVICE).login()


def test_a_ca_bundle_that_requests_cannot_find_is_a_tls_error_not_a_traceback(make_client, transport):
    transport.add('GET', LOGIN, Reply(exc=OSError('Could not find a suitable TLS CA certificate bundle, invalid path: '
                                                  '/gone/ca.pem')))
    with pytest.raises(UnityTLSError) as caught:
        make_client(tls_advice=TLS_ADVICE).login()
    assert str(caught.value) == ('the CA certificates to verify https://unity.example.com:443 with cannot be used '
                                 '(Could not find a suitable TLS CA certificate bundle, invalid path: /gone/ca.pem): '
                                 'check ca_path')


def test_ca_path_problems(tmp_path):
    assert ca_path_problem(str(tmp_path)) is None, 'a directory of hashed certificates'
    assert ca_path_problem(str(tmp_path / 'gone.pem')) == "'%s' does not exist on the host the module runs on" % (
        tmp_path / 'gone.pem')
    garbage = tmp_path / 'garbage.pem'
    garbage.write_text('not a certificate')
    assert ca_path_problem(str(garbage)).startswith("'%s' holds no PEM certificate (" % garbage)
    if hasattr(os, 'mkfifo'):
        fifo = tmp_path / 'fifo'
        os.mkfifo(str(fifo))
        assert ca_path_problem(str(fifo)) == "'%s' is not a file" % fifo
