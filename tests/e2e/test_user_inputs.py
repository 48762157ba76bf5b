# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What users really type (issue 13 part 5): an address pasted from a browser (scheme, port, trailing
slash, IPv6 in brackets or bare) reaches the array, from the modules and from the role; a password
outside Latin-1 logs in and shows nowhere at -vvv; and the ``environment:`` keyword's echo on the EXEC
line, which the docs warn about, is real. The refused forms are cases of test_bad_input.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import socket
import threading

import pytest
import yaml

from e2e_helpers import has_ipv6_loopback
from test_upgrade_session_in_worker import wrapper_interpreter

PASSWORD = u'pässwörd✓'
USER = u'opérateur'
TARGET = '5.3.0.0.5.120'


def _pipe(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay_ipv6_to(port):
    """A TCP relay from [::1]:<its port> to 127.0.0.1:port (the simulator listens on IPv4 only; its
    certificate names ::1 too). Returns (port, stop)."""
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('::1', 0))
    listener.listen(16)

    def serve():
        while True:
            try:
                client, dummy = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(('127.0.0.1', port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], listener.close


@pytest.fixture
def sim(start_sim):
    return start_sim(arrays=2, time_scale=60, scenario={
        'default': {'software_version': TARGET},
        'arrays': {'array-1': {'username': USER, 'password': PASSWORD}, 'array-2': {'password': PASSWORD}}})


def info(name, **args):
    return {'name': name, 'unity.upgrade.info': dict({'gather_subset': ['system']}, **args),
            'ignore_errors': True}


def secret_forms(password):
    """The password as it could show: plain, JSON-escaped, UTF-8 bytes escaped, Basic-encoded."""
    import base64
    return {password, json.dumps(password)[1:-1], repr(password.encode('utf-8'))[2:-1],
            base64.b64encode(password.encode('utf-8')).decode()}


@pytest.mark.skipif(not has_ipv6_loopback(), reason='no IPv6 loopback on this host')
def test_pasted_addresses_and_a_password_outside_latin1_log_in(sim, run_play):
    array = sim.arrays['array-1']
    port = array['port']
    assert (array['username'], array['password']) == (USER, PASSWORD)
    v6_port, stop = relay_ipv6_to(port)
    try:
        common = {'username': USER, 'password': '{{ unity_password }}', 'ca_path': sim.ca_file}
        tasks = [
            info('browser URL', unispherehost='https://127.0.0.1:%d/' % port, **common),
            info('host:port', unispherehost='127.0.0.1:%d' % port, **common),
            info('host:port and the same port', unispherehost='127.0.0.1:%d' % port, port=port, **common),
            info('bracketed IPv6 with port', unispherehost='[::1]:%d' % v6_port, **common),
            info('URL with bracketed IPv6', unispherehost='https://[::1]:%d/' % v6_port, **common),
            info('bare IPv6 and port', unispherehost='::1', port=v6_port, **common),
            info('wrong password outside Latin-1', unispherehost='127.0.0.1', port=port, username=USER,
                 password='{{ wrong_password }}', ca_path=sim.ca_file),
        ]
        run = run_play(tasks, verbosity=3, extra_vars={'unity_password': PASSWORD, 'wrong_password': u'pässwörd✗'})
    finally:
        stop()
    for name in ('browser URL', 'host:port', 'host:port and the same port', 'bracketed IPv6 with port',
                 'URL with bracketed IPv6', 'bare IPv6 and port'):
        assert run.status(name) == 'ok', (name, run.result(name).get('msg'))
        assert run.result(name)['system']['name'] == 'array-1'
    assert run.result('wrong password outside Latin-1')['msg'] == (
        u"login to https://127.0.0.1:%d as 'opérateur' was refused (HTTP 401): check username and password, and "
        u"that the account has a role that may use the REST API" % port)
    output = run.stdout + run.stderr
    assert 'Traceback' not in output and 'latin-1' not in output
    for form in secret_forms(PASSWORD) | secret_forms(u'pässwörd✗'):
        assert form not in output, form
        assert form not in json.dumps(run.records) and form not in json.dumps(run.records, ensure_ascii=False)
    # the simulator saw the logins: each of the six logged in once, the wrong password once refused
    logins = [r for r in sim.requests('array-1') if r['path'] == '/api/types/loginSessionInfo/instances']
    assert sorted(r['status'] for r in logins) == [200] * 6 + [401], logins


def test_the_role_takes_a_pasted_address_and_the_password(sim, run_playbook, tmp_path):
    array = sim.arrays['array-2']
    inventory = tmp_path / 'inventory.yml'
    with open(str(inventory), 'w') as handle:
        yaml.safe_dump({'unity': {'hosts': {'unity01': {
            'ansible_host': 'https://127.0.0.1:%d/' % array['port'], 'unity_upgrade_username': array['username'],
            'unity_upgrade_ca_path': sim.ca_file}}}}, handle, allow_unicode=True)
    report = str(tmp_path / 'report')
    run = run_playbook([{'ansible.builtin.import_playbook': 'unity.upgrade.precheck'}], inventory=str(inventory),
                       verbosity=3, extra_vars={'unity_upgrade_password': PASSWORD, 'unity_upgrade_target_version': TARGET,
                                                'unity_upgrade_report_dir': report})
    assert run.rc == 0, run.stdout[-3000:]
    with open(os.path.join(report, 'report.json')) as handle:
        arrays = json.load(handle)['arrays']
    assert [(a['array'], a['outcome']) for a in arrays] == [('unity01', 'current')]
    output = run.stdout + run.stderr
    for form in secret_forms(PASSWORD):
        assert form not in output, form


def test_the_environment_keyword_shows_the_password_on_the_exec_line_at_vvv(sim, run_play, tmp_path):
    """What the docs warn about: Ansible's own echo of ``environment:`` when it starts a module process (here
    with an interpreter that is not ansible-playbook's), not the collection's. In ansible-playbook's worker
    (its own Python) the module starts no process and there is no such line."""
    connection = sim.connection('array-2')
    canary = 'Env-Keyword-Canary-42'
    play_env = {'UNITY_HOST': connection['unispherehost'], 'UNITY_PORT': str(connection['port']),
                'UNITY_USERNAME': connection['username'], 'UNITY_PASSWORD': canary, 'UNITY_CA_PATH': sim.ca_file}
    run = run_play([dict(info('from environment:'), environment=play_env)], verbosity=3,
                   play_vars={'ansible_python_interpreter': wrapper_interpreter(tmp_path)})
    exec_lines = [line for line in run.stdout.splitlines() if 'EXEC' in line and 'UNITY_PASSWORD' in line]
    assert exec_lines and canary in exec_lines[0]
    # the canary is not array-2's password: the refusal shows that the variables reached the module
    refused = ("login to https://127.0.0.1:%d as 'admin' was refused (HTTP 401): check username and password, and "
               "that the account has a role that may use the REST API" % connection['port'])
    run = run_play([dict(info('from environment:'), environment=play_env)], verbosity=3)
    assert 'running' in run.stdout and 'in the worker process' in run.stdout
    assert run.result('from environment:')['msg'] == refused
    assert canary not in run.stdout + run.stderr
    # the safe way: the same variables in the environment of ansible-playbook are on no line
    run = run_play([info('from the shell')], verbosity=3, env=play_env)
    assert run.result('from the shell')['msg'] == refused
    assert canary not in run.stdout + run.stderr
