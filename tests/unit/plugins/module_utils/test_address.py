# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unispherehost as users type it: pasted from a browser (scheme, port, trailing slash), IPv6 bare or in
brackets; the port in it against the port option; everything else refused in one line that shows the
accepted forms. And credentials outside Latin-1, sent as UTF-8."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import ipaddress
import json
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.unity.upgrade.plugins.module_utils.module import (
    ADDRESS_FORMS,
    AddressError,
    UnityModule,
    split_address,
)
from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityRestClient, format_host
from ansible_collections.unity.upgrade.tests.unit.framework.module_runner import patch_module_args, use_transport
from ansible_collections.unity.upgrade.tests.unit.framework.transport import LOGIN

FORMS = ('give the host name or IP address, optionally with https:// and a port: unity01.example.com, 10.0.0.5:443, '
         'https://unity01.example.com:8443/, fd00::10 or [fd00::10]:8443')

label = st.from_regex(r'\A[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?\Z')
host_names = st.lists(label, min_size=1, max_size=4).map('.'.join).filter(
    lambda name: not all(c.isdigit() or c == '.' for c in name))
ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(str)
ports = st.integers(min_value=1, max_value=65535)
schemes = st.sampled_from(['', 'https://', 'HTTPS://', 'Https://'])
slashes = st.sampled_from(['', '/'])


@st.composite
def addresses(draw):
    """(what the user types, the host, the port in it or None)"""
    kind = draw(st.sampled_from(['name', 'ipv4', 'ipv6', 'ipv6 bare']))
    host = draw({'name': host_names, 'ipv4': ipv4}.get(kind, ipv6))
    port = draw(st.none() | ports)
    if kind == 'ipv6 bare':
        port = None
        text = host
    else:
        text = '[%s]' % host if kind == 'ipv6' else host
    if port is not None:
        text += ':%d' % port
    return draw(schemes) + text + draw(slashes), host, port


@given(addresses())
def test_every_accepted_form_gives_the_host_and_the_port(typed):
    text, host, port = typed
    assert split_address(text) == (host, port)
    assert split_address('  %s \n' % text) == (host, port), 'surrounding white space is dropped'
    # the URL the client builds from it names the same host and port
    url = urlsplit('https://%s:%d' % (format_host(host), port or 443))
    assert (url.hostname, url.port) == (host.lower(), port or 443)


@pytest.mark.parametrize('typed, expected', [
    ('https://unity01.example.com', ('unity01.example.com', None)),
    ('unity01.example.com:443', ('unity01.example.com', 443)),
    ('https://unity01.example.com:8443/', ('unity01.example.com', 8443)),
    ('unity01.example.com/', ('unity01.example.com', None)),
    ('[fd00::10]', ('fd00::10', None)),
    ('[fd00::10]:8443', ('fd00::10', 8443)),
    ('fd00::10', ('fd00::10', None)),
    ('https://[fd00::10]:8443/', ('fd00::10', 8443)),
    ('10.0.0.5', ('10.0.0.5', None)),
    ('unity_01.lab', ('unity_01.lab', None)),
    ('unity01.example.com.', ('unity01.example.com.', None)),
])
def test_what_users_paste(typed, expected):
    assert split_address(typed) == expected


REFUSED = [
    ('http://unity01.example.com', "unispherehost 'http://unity01.example.com' starts with http://, and Unisphere "
                                   "answers HTTPS only"),
    ('ftp://unity01', "unispherehost 'ftp://unity01' starts with ftp://, not https://"),
    ('https://admin:S3cret@unity01/', "unispherehost 'https://***@unity01/' carries a user name or password: set "
                                      "username and password instead"),
    ('unity01.example.com/api/types', "unispherehost 'unity01.example.com/api/types' has a path (/api/types)"),
    ('https://unity01/#/dashboard', "unispherehost 'https://unity01/#/dashboard' has a query or a fragment (?, #)"),
    ('unity01?x=1', "unispherehost 'unity01?x=1' has a query or a fragment (?, #)"),
    ('unity 01', "unispherehost 'unity 01' contains white space"),
    ('unity01\nunity02', "unispherehost 'unity01\\nunity02' contains white space"),
    ('unity01:', "unispherehost 'unity01:' ends with ':' but no port"),
    ('unity01:https', "unispherehost 'unity01:https' has the port 'https', which is not a number"),
    ('unity01:70000', "unispherehost 'unity01:70000' has the port 70000, which is not between 1 and 65535"),
    ('unity01:0', "unispherehost 'unity01:0' has the port 0, which is not between 1 and 65535"),
    ('[unity01]:443', "unispherehost '[unity01]:443' has [unity01], which is not an IPv6 address"),
    ('[fd00::10', "unispherehost '[fd00::10' opens '[' without closing it"),
    ('[fd00::10]8443', "unispherehost '[fd00::10]8443' has '8443' after the IPv6 address"),
    ('fd00::10::8443', "unispherehost 'fd00::10::8443' is not an IPv6 address (an IPv6 address with a port goes in "
                       "brackets: [fd00::10]:8443)"),
    ('10.0.0.256', "unispherehost '10.0.0.256' has '10.0.0.256', which is not an IPv4 address"),
    ('unity01..example.com', "unispherehost 'unity01..example.com' has 'unity01..example.com', which is not a host name"),
    ('https://', "unispherehost 'https://' names no host"),
    (':443', "unispherehost ':443' names no host"),
]


@pytest.mark.parametrize('typed, reason', REFUSED)
def test_anything_else_is_refused_with_the_accepted_forms(typed, reason):
    with pytest.raises(AddressError) as refused:
        split_address(typed)
    assert str(refused.value) == reason + '; ' + FORMS
    assert ADDRESS_FORMS == FORMS


@st.composite
def spoiled(draw):
    """An accepted address made into one that is not, and the text the message must never show."""
    text, host, port = draw(addresses())
    secret = draw(st.from_regex(r'\A[A-Za-z0-9]{6,12}\Z'))
    how = draw(st.sampled_from(['path', 'query', 'user', 'http', 'space']))
    base = text[len(text.split('//')[0]) + 2:] if '//' in text else text
    base = base.rstrip('/')
    spoilt = {'path': 'https://%s/%s' % (base, secret), 'query': 'https://%s/?token=%s' % (base, secret),
              'user': 'https://admin:%s@%s' % (secret, base), 'http': 'http://' + base,
              'space': '%s %s' % (base, secret)}[how]
    return spoilt, how, secret


@given(spoiled())
def test_a_spoilt_address_is_refused_in_one_line_and_never_shows_a_password(typed):
    text, how, secret = typed
    with pytest.raises(AddressError) as refused:
        split_address(text)
    message = str(refused.value)
    assert message.startswith("unispherehost '") and message.endswith('; ' + FORMS)
    assert len(message.splitlines()) == 1
    if how == 'user':
        assert secret not in message


@settings(max_examples=300)
@given(st.text(max_size=40))
def test_any_text_is_an_address_or_one_line_that_says_why(text):
    try:
        host, port = split_address(text)
    except AddressError as refused:
        assert len(str(refused).splitlines()) == 1
        return
    assert host and (port is None or 1 <= port <= 65535)
    if ':' in host:
        ipaddress.IPv6Address(host)


# -- the module: the port in unispherehost against the port option ------------------------------------------

def build(monkeypatch, capsys, **connection):
    """A UnityModule from these options; (its client's base URL, None) or (None, the failure it printed)."""
    use_transport(monkeypatch, _transport())
    args = dict({'username': 'admin', 'password': 'S3cret!pw'}, **connection)
    with patch_module_args(args):
        try:
            unity = UnityModule()
        except SystemExit:
            return None, json.loads(capsys.readouterr().out)
    try:
        return unity.client.base_url, None
    finally:
        unity.close()


def _transport():
    from ansible_collections.unity.upgrade.tests.unit.framework.transport import ScriptedAdapter
    return ScriptedAdapter()


@pytest.mark.parametrize('connection, url', [
    ({'unispherehost': 'https://unity01.example.com'}, 'https://unity01.example.com:443'),
    ({'unispherehost': 'unity01.example.com:8443'}, 'https://unity01.example.com:8443'),
    ({'unispherehost': 'https://unity01.example.com:8443/', 'port': 8443}, 'https://unity01.example.com:8443'),
    ({'unispherehost': 'unity01.example.com', 'port': 8443}, 'https://unity01.example.com:8443'),
    ({'unispherehost': '[fd00::10]:8443'}, 'https://[fd00::10]:8443'),
    ({'unispherehost': 'fd00::10'}, 'https://[fd00::10]:443'),
    ({'unispherehost': 'fd00::10', 'port': 9443}, 'https://[fd00::10]:9443'),
])
def test_the_client_connects_where_the_user_meant(monkeypatch, capsys, connection, url):
    base_url, failure = build(monkeypatch, capsys, **connection)
    assert failure is None and base_url == url


def test_a_port_given_twice_and_different_is_refused(monkeypatch, capsys):
    base_url, failure = build(monkeypatch, capsys, unispherehost='https://unity01.example.com:8443/', port=443)
    assert failure['failed'] is True
    assert failure['msg'] == ("unispherehost 'https://unity01.example.com:8443/' names port 8443 and port (or "
                              "UNITY_PORT) is 443: give the port in one of them, or the same in both")


def test_the_port_from_the_environment_counts_as_given(monkeypatch, capsys):
    monkeypatch.setenv('UNITY_PORT', '443')
    base_url, failure = build(monkeypatch, capsys, unispherehost='unity01.example.com:8443')
    assert failure['msg'].startswith("unispherehost 'unity01.example.com:8443' names port 8443 and port (or "
                                     'UNITY_PORT) is 443')


def test_a_refused_address_fails_the_module_before_any_request(monkeypatch, capsys):
    transport = _transport()
    use_transport(monkeypatch, transport)
    with patch_module_args({'unispherehost': 'https://admin:S3cret@unity01/', 'username': 'admin',
                            'password': 'S3cret!pw'}):
        with pytest.raises(SystemExit):
            UnityModule()
    failure = json.loads(capsys.readouterr().out)
    assert failure['msg'] == ("unispherehost 'https://***@unity01/' carries a user name or password: set username "
                              "and password instead; " + FORMS)
    assert 'S3cret' not in json.dumps(failure)
    assert transport.sent == []


# -- credentials as UTF-8 -------------------------------------------------------------------------------------

def _login_header(username, password):
    transport = _transport()
    from ansible_collections.unity.upgrade.tests.unit.framework.transport import scripted_session
    client = UnityRestClient(host='unity.example.com', username=username, password=password,
                             session=scripted_session(transport))
    client.login()
    login = transport.requests_to('GET', LOGIN)[0]
    scheme, value = login.headers['Authorization'].split(' ')
    assert scheme == 'Basic'
    return base64.b64decode(value)


def test_a_password_outside_latin1_is_sent_as_utf8():
    assert _login_header('admin', u'pässwörd✓') == u'admin:pässwörd✓'.encode('utf-8')


@given(st.text(min_size=1, max_size=20).filter(lambda u: ':' not in u), st.text(max_size=30))
def test_any_credentials_are_sent_as_their_utf8_bytes(username, password):
    assert _login_header(username, password).decode('utf-8') == '%s:%s' % (username, password)
