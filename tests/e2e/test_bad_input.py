# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bad input and misbehaving servers: every case gives one exact line that names what to fix, never a
traceback and never a secret.

All module cases run as the tasks of one ansible-playbook run at -vvv (``ignore_errors``), against a
simulator, a second simulator whose certificate names another host, small local servers that are not
Unisphere, and a closed port; each case is then its own test on its task's result. The role's cases run
as the hosts of one run of the fleet playbook."""


import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from e2e_helpers import PlayRun, has_ipv6_loopback, pki_for, sha256_of, start_simulator
from unity_sim import certs, packages

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
NAME = 'Unity-%s.tgz.bin.gpg' % TARGET
TRACEBACK = ('Traceback', 'The full traceback is')

# -- local servers that are not Unisphere ---------------------------------------------------------------


class _Answer(BaseHTTPRequestHandler):
    """Answers every GET with the server's canned status, headers and body."""

    def do_GET(self):
        status, content_type, body = self.server.answer
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


def serve(answer, tls=None):
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Answer)
    server.daemon_threads = True
    server.answer = answer
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def closed_port():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def run_ansible_playbook(collections_path, workdir, plays, inventory='localhost,', verbosity=3, extra_vars=None):
    """ansible-playbook as conftest's run_playbook does, for a module-scoped run."""
    path = os.path.join(workdir, 'playbook.yml')
    with open(path, 'w') as handle:
        yaml.safe_dump(plays, handle, sort_keys=False)
    records = os.path.join(workdir, 'records.json')
    argv = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), path, '-i', inventory,
            '-' + 'v' * verbosity]
    if extra_vars:
        with open(os.path.join(workdir, 'extra.json'), 'w') as handle:
            json.dump(extra_vars, handle)
        argv += ['-e', '@' + os.path.join(workdir, 'extra.json')]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(__file__), 'callback_plugins'),
               ANSIBLE_CALLBACKS_ENABLED='record_results', RECORD_RESULTS_FILE=records,
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_RETRY_FILES_ENABLED='false',
               ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'tmp'))
    for name in ('UNITY_HOST', 'UNITY_PORT', 'UNITY_USERNAME', 'UNITY_PASSWORD', 'UNITY_VALIDATE_CERTS', 'UNITY_CA_PATH'):
        env.pop(name, None)
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=workdir, timeout=600,
                          stdin=subprocess.DEVNULL, check=False)
    with open(records) as handle:
        return PlayRun(done.returncode, done.stdout, done.stderr, json.load(handle))


# -- the world the cases run in ---------------------------------------------------------------------------

class World:
    """Everything the cases point at, and the one playbook run of all module cases."""


@pytest.fixture(scope='module')
def world(tmp_path_factory, collections_path):
    w = World()
    root = str(tmp_path_factory.mktemp('bad_input'))
    w.root = root
    w.sims = []
    sim = start_simulator(root, arrays=5, time_scale=60, scenario={'arrays': {
        'array-1': {'software_version': BEFORE, 'candidate': {'version': TARGET}},
        'array-2': {'software_version': TARGET, 'sessions': [{'status': 'Upgrade_Completed', 'candidate_version': TARGET}]},
        # a session that runs for days: its status and task stay put while the cases run
        'array-3': {'software_version': BEFORE, 'upgrade_minutes': 100000,
                    'sessions': [{'status': 'Upgrade_In_Progress', 'candidate_version': TARGET, 'task': 2}]},
        'array-4': {'password_change_required': True},
        'array-5': {'software_version': BEFORE, 'session_resources': ['softwareUpgradeSession'],
                    'sessions': [{'status': 'Upgrade_Paused', 'candidate_version': TARGET}]},
    }})
    w.sims.append(sim)
    w.sim = sim
    mismatch_dir = os.path.join(root, 'mismatch')
    os.makedirs(mismatch_dir)
    ca, cert, key = pki_for(mismatch_dir, 'array.example.invalid')
    w.mismatch_ca = ca
    w.mismatch = start_simulator(mismatch_dir, arrays=1, time_scale=60, cert=cert, key=key)
    w.sims.append(w.mismatch)

    # HTTPS servers that are not Unisphere, trusted through their own CA
    tls_dir = os.path.join(root, 'tls')
    w.local_ca, server_cert, server_key = certs.generate(tls_dir)
    tls = (server_cert, server_key)
    w.servers = {
        'html': serve((200, 'text/html', b'<html><head><title>Welcome to nginx!</title></head><body>it works</body></html>'), tls),
        'json': serve((200, 'application/json', b'{"hello": "world"}'), tls),
        'list': serve((200, 'application/json', b'[1, 2, 3]'), tls),
        'plain': serve((200, 'text/plain', b'plain HTTP here')),
    }
    w.closed = closed_port()

    files = os.path.join(root, 'files')
    os.makedirs(files)
    w.package = packages.write_candidate(files, TARGET, size_bytes=64 << 10)
    w.sha256 = sha256_of(w.package)
    # newer than array-2's version, so that an upload to array-2 goes ahead up to the checksum
    w.newer = packages.write_candidate(files, '5.3.1.0.5.001', size_bytes=64 << 10)
    w.newer_sha256 = sha256_of(w.newer)
    w.noversion = os.path.join(files, 'upgrade-package.bin')
    with open(w.noversion, 'wb') as handle:
        handle.write(b'\x85' + b'x' * 100)
    w.empty = os.path.join(files, 'Unity-5.3.0.0.5.121.tgz.bin.gpg')
    open(w.empty, 'w').close()
    w.fifo = os.path.join(files, 'Unity-5.3.0.0.5.122.tgz.bin.gpg')
    os.mkfifo(w.fifo)
    if os.geteuid():
        w.unreadable = os.path.join(files, 'Unity-5.3.0.0.5.123.tgz.bin.gpg')
        with open(w.unreadable, 'wb') as handle:
            handle.write(b'\x85unreadable')
        os.chmod(w.unreadable, 0)
    else:
        w.unreadable = os.path.join(w.package, NAME)

    w.cases = cases(w)
    # passwords come from variables, as in real playbooks (a literal would show in Ansible's own
    # error context, which quotes the lines of the failing task)
    secrets = {}
    tasks = []
    for case_id, one in sorted(w.cases.items()):
        args = dict(one['args'])
        for key in ('password', 'url_password'):
            if key in args:
                name = 'bad_input_secret_%d' % len(secrets)
                secrets[name] = args[key]
                args[key] = '{{ %s }}' % name
        tasks.append({'name': case_id, one['module']: args, 'ignore_errors': True})
    play = {'name': 'bad input', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
            'vars': {'ansible_python_interpreter': sys.executable}, 'tasks': tasks}
    workdir = tempfile.mkdtemp(dir=root)
    w.run = run_ansible_playbook(collections_path, workdir, [play], extra_vars=secrets)
    yield w
    for server in w.servers.values():
        server.shutdown()
        server.server_close()
    for one in w.sims:
        one.stop()


def connection(w, name='array-1', sim=None, **overrides):
    array = (sim or w.sim).array(name)
    args = {'unispherehost': array['host'], 'port': array['port'], 'username': array['username'],
            'password': array['password'], 'ca_path': (sim or w.sim).ca_file}
    args.update(overrides)
    return dict((k, v) for k, v in args.items() if v is not None)


def local(w, server, **overrides):
    port = w.servers[server].server_address[1]
    return dict({'unispherehost': '127.0.0.1', 'port': port, 'username': 'admin', 'password': 'Canary-Not-Unisphere',
                 'ca_path': w.local_ca}, **overrides)


def case(module, args, msg, failed=True):
    """``msg``: the exact line, or a function of the task's result that returns it."""
    return {'module': 'unity.upgrade.' + module, 'args': args, 'msg': msg, 'failed': failed}


def cases(w):
    sim_port = w.sim.array('array-1')['port']
    pkg = w.package
    url = 'https://artifacts.example.invalid/unity/' + NAME
    return {
        # -- reaching the array ----------------------------------------------------------------------
        'c01 wrong password': case('info', connection(w, password='Wrong-Password-1'),
                                   "login to https://127.0.0.1:%d as 'admin' was refused (HTTP 401): check username "
                                   "and password, and that the account has a role that may use the REST API" % sim_port),
        'c02 wrong user name': case('upgrade_eligibility_info', connection(w, username='nobody'),
                                    "login to https://127.0.0.1:%d as 'nobody' was refused (HTTP 401): check username "
                                    "and password, and that the account has a role that may use the REST API" % sim_port),
        'c03 unknown host': case('info', connection(w, unispherehost='unity01.array.invalid', port=None),
                                 'GET /api/types/loginSessionInfo/instances: cannot reach https://unity01.array.invalid:443: '
                                 'the host name does not resolve'),
        'c04 closed port': case('info', connection(w, port=w.closed),
                                'GET /api/types/loginSessionInfo/instances: cannot reach https://127.0.0.1:%d: connection '
                                'refused' % w.closed),
        'c05 an HTML server, not Unisphere': case(
            'info', local(w, 'html'),
            'GET /api/types/loginSessionInfo/instances answered HTTP 200 with a body that is not JSON (text/html: '
            'Welcome to nginx!); is this a Unisphere management address?'),
        'c06 a JSON server, not Unisphere': case(
            'info', local(w, 'json'),
            'the login answer from https://127.0.0.1:%d carries no EMC-CSRF-TOKEN header; is this a Unisphere '
            'management address?' % w.servers['json'].server_address[1]),
        'c07 JSON that is no envelope': case(
            'upgrade_eligibility_info', local(w, 'list'),
            'GET /api/types/loginSessionInfo/instances answered with JSON that is not a Unisphere envelope'),
        'c08 a plain HTTP port': case(
            'info', local(w, 'plain'),
            'https://127.0.0.1:%d does not answer in TLS (HTTPS): is it a plain HTTP port or another service? Check '
            'unispherehost and port (Unisphere answers HTTPS on 443)' % w.servers['plain'].server_address[1]),
        'c09 untrusted certificate': case(
            'info', connection(w, ca_path=None),
            "TLS verification of https://127.0.0.1:%d failed: the certificate is not signed by a trusted CA. Set ca_path "
            "to the CA certificate that signed the array's certificate, or validate_certs: false to skip the check "
            "(insecure)" % sim_port),
        'c10 hostname mismatch': case(
            'info', connection(w, sim=w.mismatch, ca_path=w.mismatch_ca),
            "TLS verification of https://127.0.0.1:%d failed: the certificate is not valid for the name '127.0.0.1'. "
            "Set unispherehost to a name the array's certificate carries, or validate_certs: false to skip the check "
            "(insecure)" % w.mismatch.array('array-1')['port']),
        'c11 ca_path that does not exist': case(
            'info', connection(w, ca_path='/nonexistent/unity-ca.pem'),
            "ca_path '/nonexistent/unity-ca.pem' does not exist on the host the module runs on: give the PEM file of "
            "the CA that signed the array's certificate"),
        'c12 ca_path that is no certificate': case(
            'info', connection(w, ca_path=pkg),
            "ca_path '%s' holds no PEM certificate ([X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found): "
            "give the PEM file of the CA that signed the array's certificate" % pkg),
        'c13 port out of range': case('info', connection(w, port=70000), 'port must be between 1 and 65535, got 70000'),
        'c14 port zero': case('info', connection(w, port=0), 'port must be between 1 and 65535, got 0'),
        'c15 empty host': case('info', connection(w, unispherehost=''),
                               'unispherehost (or UNITY_HOST) must name the array, got an empty string'),
        'c16 request_timeout zero': case('info', connection(w, request_timeout=0),
                                         'request_timeout must be a positive number of seconds, got 0.0'),
        'c17 request_timeout negative': case('upgrade_eligibility_info', connection(w, request_timeout=-5),
                                             'request_timeout must be a positive number of seconds, got -5.0'),
        'c18 validate_certs not a boolean': case(
            'info', connection(w, validate_certs='maybe'),
            # ansible-core lists the valid booleans in no fixed order
            lambda r: "argument 'validate_certs' is of type str and we were unable to convert to bool: The value 'maybe' "
                      "is not a valid boolean. Valid booleans include: %s" % r['msg'].split('Valid booleans include: ')[-1]),
        'c19 no password': case('info', connection(w, password=None), 'missing required arguments: password'),
        'c20 password change required': case(
            'info', connection(w, name='array-4'),
            "the array requires the password of 'admin' to be changed before the REST API may be used: log in to "
            "Unisphere once, change it, then use the new password"),
        'c21 gather_subset unknown': case(
            'info', dict(connection(w), gather_subset=['system', 'bogus']),
            'value of gather_subset must be one or more of: all, system, software, candidates, sessions, '
            'storage_processors, failback. Got no match for: bogus'),
        # -- the package ----------------------------------------------------------------------------------
        'c22 src missing': case(
            'upgrade_candidate', dict(connection(w), src='/nonexistent/' + NAME),
            "src '/nonexistent/%s' does not exist on the host the module runs on; give the full path of the upgrade "
            "package there" % NAME),
        # root reads any file: then a path through a file stands for one that cannot be read
        'c23 src unreadable': case(
            'upgrade_candidate', dict(connection(w), src=w.unreadable),
            ("src '%s' is not readable by the user the module runs as" % w.unreadable) if os.geteuid()
            else "src '%s' cannot be read: Not a directory" % w.unreadable),
        'c24 src a directory': case(
            'upgrade_candidate', dict(connection(w), src=os.path.dirname(pkg)),
            "src '%s' is a directory; give the path of the upgrade package file" % os.path.dirname(pkg)),
        'c25 src empty': case('upgrade_candidate', dict(connection(w), src=w.empty),
                              "src '%s' is empty (0 bytes); it is not an upgrade package" % w.empty),
        'c26 src not a file': case('upgrade_candidate', dict(connection(w), src=w.fifo),
                                   "src '%s' is not a regular file" % w.fifo),
        'c27 file name without version': case(
            'upgrade_candidate', dict(connection(w), src=w.noversion),
            "the file name 'upgrade-package.bin' carries no version (Unity-X.Y.Z.P.5.BUILD.tgz.bin.gpg): set the "
            "version option to the version of the package"),
        'c28 checksum without algorithm': case(
            'upgrade_candidate', dict(connection(w), src=pkg, checksum=w.sha256),
            "checksum must be 'sha256:' followed by 64 hex digits (the output of sha256sum), got a value without the "
            "sha256: prefix"),
        'c29 checksum of another algorithm': case(
            'upgrade_candidate', dict(connection(w), src=pkg, checksum='md5:' + w.sha256[:32]),
            "checksum must be 'sha256:' followed by 64 hex digits (the output of sha256sum), got algorithm 'md5' (only "
            "sha256 is supported)"),
        'c30 checksum too short': case(
            'upgrade_candidate', dict(connection(w), src=pkg, checksum='sha256:' + w.sha256[:40]),
            "checksum must be 'sha256:' followed by 64 hex digits (the output of sha256sum), got 40 hex digits after "
            "sha256:"),
        'c31 checksum not hex': case(
            'upgrade_candidate', dict(connection(w), src=pkg, checksum='sha256:' + 'z' * 64),
            "checksum must be 'sha256:' followed by 64 hex digits (the output of sha256sum), got characters that are "
            "not hex digits after sha256:"),
        'c32 checksum of another file': case(
            'upgrade_candidate', dict(connection(w, name='array-2'), src=w.newer, checksum='sha256:' + '0' * 64,
                                      force=True),
            'checksum mismatch for %s: expected sha256:%s, the file has sha256:%s; the upload was stopped before its '
            'last %d bytes, so the array has no candidate from this file' % (
                os.path.basename(w.newer), '0' * 64, w.newer_sha256, 64 << 10)),
        'c33 src and url together': case('upgrade_candidate', dict(connection(w), src=pkg, url=url),
                                         'parameters are mutually exclusive: src|url'),
        'c34 neither src nor url': case('upgrade_candidate', connection(w), 'one of the following is required: src, url'),
        'c35 url of another scheme': case(
            'upgrade_candidate', dict(connection(w), url='ftp://artifacts.example.invalid/' + NAME),
            'url must be an absolute http:// or https:// URL, got ftp://artifacts.example.invalid/' + NAME),
        'c36 url without a file name': case(
            'upgrade_candidate', dict(connection(w), url='https://artifacts.example.invalid/unity/'),
            'url must end with the file name of the package (https://artifacts.example.invalid/unity/ ends with /)'),
        'c37 url_password without url_username': case(
            'upgrade_candidate', dict(connection(w), url=url, url_password='Artifact-Canary-1'),
            'parameters are required together: url_username, url_password'),
        'c38 upload_timeout zero': case('upgrade_candidate', dict(connection(w), src=pkg, upload_timeout=0),
                                        'upload_timeout must be a positive number of seconds, got 0.0'),
        'c39 processing_timeout negative': case(
            'upgrade_candidate', dict(connection(w), src=pkg, processing_timeout=-1),
            'processing_timeout must be a positive number of seconds, got -1.0'),
        'c40 version that is no version': case('upgrade_candidate', dict(connection(w), src=pkg, version='latest'),
                                               "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got 'latest'"),
        'c41 url_ca_path that does not exist': case(
            'upgrade_candidate', dict(connection(w), url=url, url_ca_path='/nonexistent/artifacts-ca.pem'),
            "url_ca_path '/nonexistent/artifacts-ca.pem' does not exist on the host the module runs on: give the PEM "
            "file of the CA that signed the artifact server's certificate"),
        # -- the session ----------------------------------------------------------------------------------
        'c42 unknown candidate': case(
            'upgrade_session', dict(connection(w), candidate='candidate_99', wait=False),
            "candidate 'candidate_99' is not on the array (candidates: candidate_1 (5.3.0.0.5.120)); upload it with "
            "unity.upgrade.upgrade_candidate"),
        'c43 unknown session': case(
            'upgrade_session', dict(connection(w, name='array-2'), state='resumed', session_id='Upgrade_9.9.9.9'),
            "session 'Upgrade_9.9.9.9' is not on the array (sessions: Upgrade_5.3.0.120)"),
        'c44 resume of a completed session': case(
            'upgrade_session', dict(connection(w, name='array-2'), state='resumed', session_id='Upgrade_5.3.0.120'),
            'session Upgrade_5.3.0.120 (completed, 100%) is over: nothing to resume', failed=False),
        'c45 cancel of a running session': case(
            'upgrade_session', dict(connection(w, name='array-3'), state='cancelled'),
            lambda r: "session Upgrade_5.3.0.120 (in_progress, %s%%, task 'Preparing system software') cannot be "
                      "cancelled: only a paused or failed session can be (create it with pause_before_reboot to stop "
                      "at a point where it can)" % r['session']['percent_complete']),
        'c46 poll_interval zero': case('upgrade_session', dict(connection(w), version=TARGET, poll_interval=0),
                                       'poll_interval must be a positive number of seconds, got 0.0'),
        'c47 poll_interval negative': case('upgrade_session', dict(connection(w), version=TARGET, poll_interval=-2.5),
                                           'poll_interval must be a positive number of seconds, got -2.5'),
        'c48 wait_timeout zero': case('upgrade_session', dict(connection(w), version=TARGET, wait_timeout=0),
                                      'wait_timeout must be a positive number of seconds, got 0'),
        'c49 wait_timeout negative': case('upgrade_session', dict(connection(w), version=TARGET, wait_timeout=-60),
                                          'wait_timeout must be a positive number of seconds, got -60'),
        'c50 outage_tolerance zero': case('upgrade_session', dict(connection(w), version=TARGET, outage_tolerance=0),
                                          'outage_tolerance must be a positive number of seconds, got 0'),
        'c51 version that is no version': case(
            'upgrade_session', dict(connection(w), version='5.x'),
            "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got '5.x'"),
        'c51b version with words around it': case(
            'upgrade_session', dict(connection(w), version='release-5.3.0-final'),
            "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got 'release-5.3.0-final'"),
        'c52 candidate and version together': case(
            'upgrade_session', dict(connection(w), version=TARGET, candidate='candidate_1'),
            'candidate and version are mutually exclusive: give the candidate id or the version, not both'),
        'c53 neither candidate nor version': case(
            'upgrade_session', connection(w),
            'state present needs candidate (an id) or version (such as 5.3.0.0.5.120): name the upgrade candidate to '
            'install'),
        'c54 session_id with state present': case(
            'upgrade_session', dict(connection(w), version=TARGET, session_id='Upgrade_5.3.0.120'),
            'session_id applies to states resumed, cancelled and acknowledged; state present picks the session by its '
            'candidate'),
        'c55 version with state resumed': case(
            'upgrade_session', dict(connection(w), state='resumed', version=TARGET),
            'candidate and version apply to state present only; to pick the session to resume use session_id'),
        'c56 an SP upgrade without a model': case(
            'upgrade_session', dict(connection(w), type='storageprocessor_upgrade'),
            'type storageprocessor_upgrade needs selected_model, the SP model to upgrade to'),
        'c57 a target older than the installed version': case(
            'upgrade_session', dict(connection(w, name='array-2'), version='5.2.0'),
            'the array already runs 5.3.0.0.5.120, which is 5.2.0 or newer: nothing to do', failed=False),
        'c58 cancel where the array cannot': case(
            'upgrade_session', dict(connection(w, name='array-5'), state='cancelled'),
            'state cancelled needs the upgradeSession resource; this array offers only softwareUpgradeSession, which has '
            'no cancel operation: resume the session, or cancel it from Unisphere'),
        'c59 unknown state': case('upgrade_session', dict(connection(w), state='started'),
                                  'value of state must be one of: present, resumed, cancelled, acknowledged, got: started'),
        'c60 unknown SP model': case(
            'upgrade_session', dict(connection(w), type='storageprocessor_upgrade', selected_model='SP999'),
            'value of selected_model must be one of: SP300, SP400, SP500, SP600, SP350, SP450, SP550, SP650, VSA2Core, '
            'VSA12Core, SP380, SP480, SP680, SP880, got: SP999'),
        # -- the address as users type it (issue 13): refused in one line that shows the accepted forms ----------
        'c61 http:// pasted': case('info', connection(w, unispherehost='http://127.0.0.1:%d' % sim_port, port=None),
                                   host_line('http://127.0.0.1:%d' % sim_port,
                                             'starts with http://, and Unisphere answers HTTPS only')),
        'c62 a URL with a path': case(
            'upgrade_eligibility_info', connection(w, unispherehost='https://127.0.0.1:%d/api/types' % sim_port, port=None),
            host_line('https://127.0.0.1:%d/api/types' % sim_port, 'has a path (/api/types)')),
        'c63 user and password in the address': case(
            'upgrade_candidate', dict(connection(w, unispherehost='https://admin:Host-Canary-1@127.0.0.1/', port=None),
                                      src=pkg),
            host_line('https://***@127.0.0.1/', 'carries a user name or password: set username and password instead')),
        'c64 the dashboard URL': case(
            'upgrade_session', dict(connection(w, unispherehost='https://unity01.example.com/#/dashboard', port=None),
                                    version=TARGET),
            host_line('https://unity01.example.com/#/dashboard', 'has a query or a fragment (?, #)')),
        'c65 a query': case('info', connection(w, unispherehost='unity01.example.com?lang=en', port=None),
                            host_line('unity01.example.com?lang=en', 'has a query or a fragment (?, #)')),
        'c66 a space inside': case('info', connection(w, unispherehost='unity01 .example.com'),
                                   host_line('unity01 .example.com', 'contains white space')),
        'c67 a tab inside': case('upgrade_eligibility_info', connection(w, unispherehost='unity01\texample'),
                                 host_line('unity01\\texample', 'contains white space')),
        'c68 a colon without port': case('info', connection(w, unispherehost='unity01.example.com:', port=None),
                                         host_line('unity01.example.com:', "ends with ':' but no port")),
        'c69 a port that is a word': case('info', connection(w, unispherehost='unity01.example.com:https', port=None),
                                          host_line('unity01.example.com:https',
                                                    "has the port 'https', which is not a number")),
        'c70 a port out of range in the address': case(
            'upgrade_session', dict(connection(w, unispherehost='unity01.example.com:99999', port=None), version=TARGET),
            host_line('unity01.example.com:99999', 'has the port 99999, which is not between 1 and 65535')),
        'c71 a name in brackets': case('info', connection(w, unispherehost='[unity01.example.com]:443', port=None),
                                       host_line('[unity01.example.com]:443',
                                                 'has [unity01.example.com], which is not an IPv6 address')),
        'c72 an unclosed bracket': case('info', connection(w, unispherehost='[fd00::10', port=None),
                                        host_line('[fd00::10', "opens '[' without closing it")),
        'c73 an IPv6 port without brackets': case(
            'upgrade_eligibility_info', connection(w, unispherehost='fd00::10::8443', port=None),
            host_line('fd00::10::8443', 'is not an IPv6 address (an IPv6 address with a port goes in brackets: '
                                        '[fd00::10]:8443)')),
        'c74 text after the brackets': case('info', connection(w, unispherehost='[fd00::10]8443', port=None),
                                            host_line('[fd00::10]8443', "has '8443' after the IPv6 address")),
        'c75 an IPv4 address out of range': case('info', connection(w, unispherehost='10.0.0.256', port=None),
                                                 host_line('10.0.0.256', "has '10.0.0.256', which is not an IPv4 address")),
        'c76 an empty label': case('info', connection(w, unispherehost='unity01..example.com', port=None),
                                   host_line('unity01..example.com',
                                             "has 'unity01..example.com', which is not a host name")),
        'c77 another scheme': case('upgrade_candidate', dict(connection(w, unispherehost='ftp://unity01.example.com'),
                                                             src=pkg),
                                   host_line('ftp://unity01.example.com', 'starts with ftp://, not https://')),
        'c78 a scheme and nothing else': case('info', connection(w, unispherehost='https://', port=None),
                                              host_line('https://', 'names no host')),
        'c79 a port and no host': case('info', connection(w, unispherehost=':443', port=None),
                                       host_line(':443', 'names no host')),
        'c80 HTTP:// in capitals': case('info', connection(w, unispherehost='HTTP://unity01.example.com', port=None),
                                        host_line('HTTP://unity01.example.com',
                                                  'starts with http://, and Unisphere answers HTTPS only')),
        'c81 the port twice, different': case(
            'info', connection(w, unispherehost='127.0.0.1:%d' % sim_port, port=443),
            "unispherehost '127.0.0.1:%d' names port %d and port (or UNITY_PORT) is 443: give the port in one of them, "
            "or the same in both" % (sim_port, sim_port)),
        'c82 the port twice in a URL, different': case(
            'upgrade_session', dict(connection(w, unispherehost='https://unity01.example.com:8443/', port=9443),
                                    version=TARGET),
            "unispherehost 'https://unity01.example.com:8443/' names port 8443 and port (or UNITY_PORT) is 9443: give the "
            "port in one of them, or the same in both"),
        # the port in the address is the one used: these reach nothing, and say where they tried
        'c83 the port of a pasted URL': case(
            'info', connection(w, unispherehost='https://127.0.0.1:%d/' % w.closed, port=None),
            'GET /api/types/loginSessionInfo/instances: cannot reach https://127.0.0.1:%d: connection refused' % w.closed),
        'c84 a bracketed IPv6 address and port': case(
            'info', connection(w, unispherehost='[::1]:%d' % w.closed, port=None),
            'GET /api/types/loginSessionInfo/instances: cannot reach https://[::1]:%d: connection refused' % w.closed),
        'c85 a bare IPv6 address': case(
            'upgrade_eligibility_info', connection(w, unispherehost='::1', port=w.closed),
            'GET /api/types/loginSessionInfo/instances: cannot reach https://[::1]:%d: connection refused' % w.closed),
        # -- credentials outside Latin-1 are sent (as UTF-8) and refused like any other --------------------------
        'c86 a wrong password outside Latin-1': case(
            'info', connection(w, password=u'pässwörd✗'),
            "login to https://127.0.0.1:%d as 'admin' was refused (HTTP 401): check username and password, and that "
            "the account has a role that may use the REST API" % sim_port),
        'c87 a user name outside Latin-1': case(
            'upgrade_session', dict(connection(w, username=u'opérateur✓'), version=TARGET),
            u"login to https://127.0.0.1:%d as 'opérateur✓' was refused (HTTP 401): check username and password, and "
            u"that the account has a role that may use the REST API" % sim_port),
        # -- more options ------------------------------------------------------------------------------------
        'c88 port negative': case('info', connection(w, port=-1), 'port must be between 1 and 65535, got -1'),
        'c89 port a word': case('info', connection(w, port='https'),
                                "argument 'port' is of type str and we were unable to convert to int: \"'https'\" "
                                "cannot be converted to an int"),
        'c90 an SP upgrade with a version': case(
            'upgrade_session', dict(connection(w), type='storageprocessor_upgrade', selected_model='SP480',
                                    version=TARGET),
            'type storageprocessor_upgrade upgrades SP hardware and takes no candidate or version'),
        'c91 an offline SP upgrade without a model': case(
            'upgrade_session', dict(connection(w), type='offline_storageprocessor_upgrade'),
            'type offline_storageprocessor_upgrade needs selected_model, the SP model to upgrade to'),
        'c92 upload_timeout negative': case('upgrade_candidate', dict(connection(w), src=pkg, upload_timeout=-10),
                                            'upload_timeout must be a positive number of seconds, got -10.0'),
        'c93 processing_timeout zero': case('upgrade_candidate', dict(connection(w), src=pkg, processing_timeout=0),
                                            'processing_timeout must be a positive number of seconds, got 0.0'),
        'c94 version of two parts': case('upgrade_candidate', dict(connection(w), src=pkg, version='5.3'),
                                         "version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got '5.3'"),
        'c95 request_timeout negative, upload': case('upgrade_candidate', dict(connection(w, request_timeout=-1),
                                                                               src=pkg),
                                                     'request_timeout must be a positive number of seconds, got -1.0'),
    }


FORMS = ('give the host name or IP address, optionally with https:// and a port: unity01.example.com, 10.0.0.5:443, '
         'https://unity01.example.com:8443/, fd00::10 or [fd00::10]:8443')


def host_line(shown, reason):
    return "unispherehost '%s' %s; %s" % (shown, reason, FORMS)


def result_of(w, case_id):
    found = [r for r in w.run.records if r['task'] == case_id]
    assert len(found) == 1, (case_id, [r['task'] for r in w.run.records])
    return found[0]


def _case_ids():
    """The case names, from the table built against placeholders (collection time: nothing runs yet)."""
    fake = World()
    placeholder = {'host': '127.0.0.1', 'port': 1, 'username': 'u', 'password': 'p'}
    fake.sim = fake.mismatch = type('S', (), {'array': lambda self, name: placeholder, 'ca_file': '/ca.pem'})()
    fake.servers = dict((k, type('T', (), {'server_address': ('127.0.0.1', 1)})())
                        for k in ('html', 'json', 'list', 'plain'))
    fake.closed = fake.mismatch_ca = fake.local_ca = 1
    fake.package = fake.noversion = fake.empty = fake.fifo = fake.unreadable = '/x/' + NAME
    fake.sha256 = fake.newer_sha256 = '0' * 64
    fake.newer = '/x/Unity-5.3.1.0.5.001.tgz.bin.gpg'
    return sorted(cases(fake))


CASE_IDS = _case_ids()


def test_the_table_has_at_least_100_cases_across_modules_and_role():
    assert len(CASE_IDS) + len(ROLE_CASES) >= 100


# cases that reach for ::1: on a host without IPv6 the address cannot even be tried
IPV6_CASES = ('c84 a bracketed IPv6 address and port', 'c85 a bare IPv6 address')


@pytest.mark.parametrize('case_id', CASE_IDS)
def test_bad_input(world, case_id):
    if case_id in IPV6_CASES and not has_ipv6_loopback():
        pytest.skip('no IPv6 loopback on this host')
    record = result_of(world, case_id)
    result = record['result']
    expected = world.cases[case_id]
    msg = result.get('msg', '')
    wanted = expected['msg'](result) if callable(expected['msg']) else expected['msg']
    assert msg == wanted
    assert '\n' not in msg and '\r' not in msg
    assert (record['status'] == 'failed') is expected['failed'], record['status']
    # ansible-core marks a failure that carries no traceback with '(traceback unavailable)'
    assert result.get('exception') in (None, '(traceback unavailable)'), result.get('exception')
    assert 'module_stderr' not in result, result.get('module_stderr')
    for text in TRACEBACK:
        assert text not in json.dumps(result)


def test_no_traceback_and_no_password_in_the_whole_verbose_output(world):
    output = world.run.stdout + world.run.stderr
    for text in TRACEBACK:
        assert text not in output
    for password in ('Wrong-Password-1', 'Canary-Not-Unisphere', 'Artifact-Canary-1', 'Host-Canary-1', u'pässwörd✗',
                     world.sim.array('array-1')['password']):
        assert password not in output
        assert password not in json.dumps(world.run.records)
    assert len(world.run.records) == len(CASE_IDS), 'every case ran'


# -- the role's inputs: one run of the fleet playbook, one inventory host per case ----------------------------

ROLE_CASES = {
    'r1-downgrade': ({'unity_upgrade_target_version': '5.2.0'},
                     'Stop this array', 'r1-downgrade: the array runs 5.3.0.0.5.120, newer than unity_upgrade_target_version '
                     '5.2.0, and Unity cannot downgrade through an upgrade session: set unity_upgrade_target_version to '
                     '5.3.0.0.5.120 or newer, or unity_upgrade_accept_newer to true to report such an array as current '
                     'and leave it alone'),
    'r2-downgrade-allowed': ({'unity_upgrade_target_version': '5.2.0', 'unity_upgrade_allow_downgrade': True},
                             'Report an array that already runs the target version',
                             'r2-downgrade-allowed already runs 5.3.0.0.5.120 (target 5.2.0): nothing to do.'),
    'r3-src-and-url': ({'unity_upgrade_candidate_src': '/srv/' + NAME,
                        'unity_upgrade_candidate_url': 'https://artifacts.example.invalid/' + NAME},
                       "Check the role's inputs",
                       'unity_upgrade_candidate_src and unity_upgrade_candidate_url are both set: give one of them, the '
                       'file or the URL of the upgrade package'),
    'r4-checksum': ({'unity_upgrade_candidate_checksum': 'md5:0123456789abcdef'}, "Check the role's inputs",
                    "unity_upgrade_candidate_checksum must be 'sha256:' followed by 64 hex digits (the output of "
                    "sha256sum), got 'md5:0123456789abcdef'"),
    'r5-target-version': ({'unity_upgrade_target_version': 'latest'}, "Check the role's inputs",
                          "unity_upgrade_target_version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got 'latest'"),
    'r5b-target-version-with-words': ({'unity_upgrade_target_version': 'release-5.3.0-final'}, "Check the role's inputs",
                                      "unity_upgrade_target_version must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got "
                                      "'release-5.3.0-final'"),
    'r7-package-of-another-version': ({'unity_upgrade_candidate_src': '/srv/Unity-5.4.0.0.5.010.tgz.bin.gpg'},
                                      'Check that the package is the target version',
                                      'the package Unity-5.4.0.0.5.010.tgz.bin.gpg is version 5.4.0.0.5.010, not the '
                                      'target 5.3.0.0.5.120: check unity_upgrade_target_version and the package'),
    'r8-package-without-version': ({'unity_upgrade_candidate_url': 'https://artifacts.example.invalid/get?id=42'},
                                   'Check that the package is the target version',
                                   "the package name 'get' carries no version: give the package under the name Dell "
                                   'ships it with (Unity-5.3.0.0.5.120.tgz.bin.gpg), so that its version can be '
                                   'checked against unity_upgrade_target_version before it replaces the candidate on '
                                   'the array'),
    'r6-wrong-password': ({'unity_upgrade_password': 'Wrong-Password-2'}, 'Stop this array',
                          "r6-wrong-password: login to https://127.0.0.1:{port} as 'admin' was refused (HTTP 401): check "
                          "username and password, and that the account has a role that may use the REST API"),
    # the address as users type it (issue 13): the role hands unity_upgrade_host to the modules as it is
    'r9-host-with-path': ({'unity_upgrade_host': 'https://127.0.0.1:{port}/api/types'}, 'Stop this array',
                          "r9-host-with-path: unispherehost 'https://127.0.0.1:{port}/api/types' has a path (/api/types); "
                          + FORMS),
    'r10-port-twice': ({'unity_upgrade_host': '127.0.0.1:1'}, 'Stop this array',
                       "r10-port-twice: unispherehost '127.0.0.1:1' names port 1 and port (or UNITY_PORT) is {port}: give "
                       "the port in one of them, or the same in both"),
    'r11-http': ({'unity_upgrade_host': 'http://127.0.0.1', 'unity_upgrade_port': None}, 'Stop this array',
                 "r11-http: unispherehost 'http://127.0.0.1' starts with http://, and Unisphere answers HTTPS only; "
                 + FORMS),
    'r12-user-in-host': ({'unity_upgrade_host': 'https://admin:Role-Host-Canary@127.0.0.1/'}, 'Stop this array',
                         "r12-user-in-host: unispherehost 'https://***@127.0.0.1/' carries a user name or password: set "
                         "username and password instead; " + FORMS),
    'r13-pasted-url': ({'unity_upgrade_host': 'https://127.0.0.1:{port}/', 'unity_upgrade_port': None},
                       'Report an array that already runs the target version',
                       'r13-pasted-url already runs 5.3.0.0.5.120 (target 5.3.0.0.5.120): nothing to do.'),
    'r14-pasted-url-and-the-same-port': ({'unity_upgrade_host': 'https://127.0.0.1:{port}'},
                                         'Report an array that already runs the target version',
                                         'r14-pasted-url-and-the-same-port already runs 5.3.0.0.5.120 (target '
                                         '5.3.0.0.5.120): nothing to do.'),
}
GREEN = ('r2-downgrade-allowed', 'r13-pasted-url', 'r14-pasted-url-and-the-same-port')


@pytest.fixture(scope='module')
def role_run(world, collections_path):
    sim = world.sim
    array = sim.array('array-2')  # runs 5.3.0.0.5.120
    hosts = {}
    for host, (variables, task, msg) in ROLE_CASES.items():
        variables = dict((k, v.format(port=array['port']) if isinstance(v, str) else v) for k, v in variables.items())
        hosts[host] = dict({'ansible_host': array['host'], 'unity_upgrade_port': array['port'],
                            'unity_upgrade_username': array['username'], 'unity_upgrade_password': array['password'],
                            'unity_upgrade_ca_path': sim.ca_file, 'unity_upgrade_target_version': TARGET}, **variables)
    workdir = tempfile.mkdtemp(dir=world.root)
    inventory = os.path.join(workdir, 'inventory.yml')
    with open(inventory, 'w') as handle:
        yaml.safe_dump({'unity': {'hosts': hosts}}, handle)
    report = os.path.join(workdir, 'report')
    playbook = [{'ansible.builtin.import_playbook': 'unity.upgrade.upgrade'}]
    run = run_ansible_playbook(collections_path, workdir, playbook, inventory=inventory, verbosity=1, extra_vars={
        'unity_upgrade_serial': len(hosts), 'unity_upgrade_max_fail_percentage': 100,
        'unity_upgrade_report_dir': report})
    with open(os.path.join(report, 'report.json')) as handle:
        run.report = dict((a['array'], a) for a in json.load(handle)['arrays'])
    run.port = array['port']
    return run


@pytest.mark.parametrize('host', sorted(ROLE_CASES))
def test_bad_role_input(role_run, host):
    variables, task, msg = ROLE_CASES[host]
    found = [r for r in role_run.records if r['host'] == host and r['task'].split(' : ')[-1] == task]
    assert found, [(r['task'], r['status']) for r in role_run.records if r['host'] == host]
    result = found[-1]['result']
    assert result['msg'] == msg.format(port=role_run.port)
    assert '\n' not in result['msg']
    assert (found[-1]['status'] == 'failed') is (host not in GREEN)
    outcome = role_run.report[host]['outcome']
    assert outcome == ('current' if host in GREEN else 'blocked' if host == 'r1-downgrade' else 'failed'), outcome
    if host == 'r1-downgrade':
        assert role_run.report[host]['messages'] == [msg.split(': ', 1)[1]]


def test_the_role_run_has_no_traceback_and_no_password(role_run, world):
    output = role_run.stdout + role_run.stderr
    for text in TRACEBACK:
        assert text not in output
    assert 'Wrong-Password-2' not in output and world.sim.array('array-2')['password'] not in output
    assert 'Role-Host-Canary' not in output and 'Role-Host-Canary' not in json.dumps(role_run.report)
    assert world.sim.state('array-2')['sessions'][0]['status_name'] == 'Upgrade_Completed', 'no new session'
    assert len(world.sim.state('array-2')['sessions']) == 1
