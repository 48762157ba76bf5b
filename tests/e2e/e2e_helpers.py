# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the e2e tests share; test files import from here, never from each other (conftest.py holds the
fixtures and imports from here too).

- the simulator: ``start_simulator`` starts one through ``unity_sim.launcher`` (the one launcher of the
  tests) and returns a ``Sim``: arrays by name, ``connection()``, the admin API, and
  ``write_inventory()`` (the one inventory writer, the launcher's); ``Admin`` is the admin API for many
  threads; ``ArmOnSession`` arms a scenario change when a session appears;
- ansible-playbook runs: ``PlayRun``; one started to watch and to kill:
  ``PlaybookProcess`` (conftest's ``start_playbook``); the fleet report: ``read_report``, ``fleet_vars``;
- modules in this process, many threads at once: ``InProcess`` (conftest's ``in_process`` fixture);
- request logs and results: ``session_creates``, ``uploads``, ``one_line``;
- servers and files: ``ArtifactServer``, ``pki_for``, ``sha256_of``.

Hundreds of fault schedules cannot each pay for an ``ansible-playbook`` process. ``InProcess``
runs a module's real ``main()`` (argument spec, ``fail_json``, ``no_log`` masking and all) in a
thread: ``AnsibleModule`` reads its arguments from, and writes its result to, the calling thread's
slot instead of the process-wide stdin/stdout, and its ``log()`` (the progress lines) goes to an
optional per-thread hook instead of syslog. Nothing else is patched: the module talks HTTPS to the
simulator exactly as it does under ansible-playbook.
"""


import base64
import copy
import datetime
import hashlib
import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from bench import treemem
from unity_sim.launcher import Simulator

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
UPLOAD = '/upload/files/types/candidateSoftwareVersion'
ARTIFACT_USER, ARTIFACT_PASSWORD = 'builder', 'Artifact-Pw-3c9d'


# ---------------------------------------------------------------- the simulator

class Sim:
    """A running simulator (``unity_sim.launcher.Simulator``); only the CLI, the ready line and the
    admin API are used."""

    def __init__(self, launched):
        self.launched = launched
        self.ready = launched.ready
        self.admin = launched.admin
        self.ca_file = launched.ca_file
        # the launcher's own records: a scenario reset brings back the ready line's credentials in both
        self.arrays = dict((a['name'], a) for a in launched.arrays)
        self.stderr_path = launched.log_file

    def array(self, name):
        return self.arrays[name]

    def connection(self, name):
        """Module options that reach one array, verifying TLS against the simulator's CA."""
        array = self.arrays[name]
        return {'unispherehost': array['host'], 'port': array['port'], 'username': array['username'],
                'password': array['password'], 'ca_path': self.ca_file}

    def put_scenario(self, name, scenario):
        """Replace the scenario of ``name`` (which resets it); a reset without credentials brings back the
        ones of the ready line."""
        return self.launched.put_scenario(name, scenario)

    def state(self, name):
        return self.launched.state(name)

    def requests(self, name):
        return self.launched.requests(name)

    def clear_requests(self, name):
        self.launched.clear_requests(name)

    def changing_requests(self, name):
        """Requests that could change the array: every POST/DELETE but login bookkeeping."""
        return [r for r in self.requests(name) if r['method'] in ('POST', 'DELETE', 'PUT', 'PATCH')
                and not r['path'].startswith('/api/types/loginSessionInfo/')]

    def modifying_requests(self, name):
        """changing_requests less the eligibility check: a POST by the API's design, read-only
        by its nature, which check mode runs for real."""
        return [r for r in self.changing_requests(name)
                if not r['path'].endswith('/action/verifyUpgradeEligibility')]

    def write_inventory(self, path, host_vars=None, names=None):
        """An inventory of group unity, one host per array (or those of ``names``), as the role's
        variables expect; ``host_vars`` ({name: {var: value}}) adds to or overrides a host's."""
        return self.launched.write_inventory(path, names=names, host_vars=host_vars)

    def stop(self):
        self.launched.stop()


def start_simulator(tmp_dir, arrays=1, time_scale=60, log_level=None, **options):
    """Start ``python -m unity_sim`` (launcher options: scenario, state_dir, cert, key, port, ...); its
    stderr goes to a file in ``tmp_dir`` (``Sim.stderr_path``). Stop it with ``Sim.stop()``."""
    handle, log_file = tempfile.mkstemp(prefix='sim-', suffix='.stderr', dir=str(tmp_dir))
    os.close(handle)
    launched = Simulator(arrays=arrays, time_scale=time_scale, log_level=log_level, log_file=log_file,
                         cwd=REPO, stop_timeout=15, **options)
    return Sim(launched.start())


class Admin:
    """The simulator's admin API, safe to use from many threads (one requests.Session each)."""

    def __init__(self, sim):
        self.sim = sim
        self.url = sim.admin
        self._local = threading.local()

    @property
    def http(self):
        session = getattr(self._local, 'session', None)
        if session is None:
            session = self._local.session = requests.Session()
            session.trust_env = False
        return session

    def call(self, method, path, body=None):
        """One admin request; a connection the busy admin server dropped is tried again."""
        for attempt in range(5):
            try:
                response = self.http.request(method, self.url + path, json=body, timeout=30)
            except requests.ConnectionError:
                if attempt == 4:
                    raise
                self._local.session = None
                time.sleep(0.05 * (attempt + 1))
                continue
            assert response.status_code in (200, 204), '%s %s: %s %s' % (method, path, response.status_code,
                                                                         response.text)
            return response.json() if response.content else None

    def put(self, name, scenario):
        return self.call('PUT', '/arrays/%s/scenario' % name, scenario)

    def patch(self, name, changes):
        return self.call('PATCH', '/arrays/%s/scenario' % name, changes)

    def state(self, name):
        return self.call('GET', '/arrays/%s' % name)

    def requests(self, name):
        return self.call('GET', '/arrays/%s/requests' % name)

    def clear_requests(self, name):
        self.call('DELETE', '/arrays/%s/requests' % name)


class ArmOnSession(threading.Thread):
    """PATCHes ``changes`` into an array's scenario as soon as a session is listed on it."""

    def __init__(self, sim, name, changes, timeout=120):
        threading.Thread.__init__(self, daemon=True)
        self.admin = Admin(sim)
        self.name = name
        self.changes = changes
        self.timeout = timeout
        self.armed = None
        self.start()

    def run(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.admin.state(self.name)['sessions']:
                self.admin.patch(self.name, self.changes)
                self.armed = time.monotonic()
                return
            time.sleep(0.02)


# ---------------------------------------------------------------- request logs and results

def session_creates(log):
    return [r for r in log if r['method'] == 'POST' and r['path'].endswith('Session/instances')]


def uploads(sim, name='array-1'):
    return [r for r in sim.requests(name) if r['path'] == UPLOAD]


def one_line(text):
    return bool(text) and '\n' not in text and '\r' not in text and 'Traceback' not in text


# ---------------------------------------------------------------- ansible-playbook runs and the fleet report

class PlayRun:
    def __init__(self, rc, stdout, stderr, records):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.records = records

    def result(self, task_name):
        """The result of the (last) task of that name."""
        found = [r for r in self.records if r['task'] == task_name]
        if not found:
            raise KeyError('no result for task %r; tasks seen: %s'
                           % (task_name, [r['task'] for r in self.records]))
        return found[-1]['result']

    def recap(self):
        """{host: {ok, changed, failed, ...}} from the PLAY RECAP."""
        counts = {}
        for line in self.stdout.split('PLAY RECAP')[-1].splitlines():
            match = re.match(r'^(\S+)\s+:\s+(.*)$', line.strip())
            if match:
                counts[match.group(1)] = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', match.group(2)))
        return counts

    def status(self, task_name):
        return [r for r in self.records if r['task'] == task_name][-1]['status']


class PlaybookProcess:
    """ansible-playbook started in a session of its own, its output read line by line as it comes; what
    the control node dying (an evicted AWX pod, a closed laptop) does to it is ``kill_all()``: SIGKILL to
    it and to every process it started (workers, module processes)."""

    def __init__(self, argv, env, cwd, records_path):
        self.records_path = records_path
        self.lines = []
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def stdout(self):
        return ''.join(self.lines)

    def saw(self, text):
        return any(text in line for line in list(self.lines))

    def processes(self):
        """{pid: command line} of it and of every process it started (its descendants, as the bench's
        memory sampler finds them: ansible-core's local connection starts module processes in sessions
        of their own), from /proc."""
        found = {}
        for pid in treemem.tree(self.proc.pid, treemem.parents()):
            try:
                with open('/proc/%d/cmdline' % pid, 'rb') as handle:
                    found[pid] = handle.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
            except OSError:
                continue  # gone meanwhile
        return found

    def module_processes(self, module, port=None):
        """pids of its ``module`` processes (AnsiballZ_<module>.py), only those connected to ``port`` when
        given (each simulated array has its own port: which array a module process talks to)."""
        pids = [pid for pid, command in self.processes().items()
                if 'AnsiballZ_%s.py' % module in command and 'sh -c' not in command]
        if port is None:
            return pids
        return [pid for pid in pids if port in tcp_peer_ports(pid)]

    def kill_all(self):
        """SIGKILL to it and to every process it started, at once: the control node dies. Whatever is
        already gone is fine."""
        for _round in range(3):  # a worker may fork a module process between the listing and the kill
            pids = self.processes()
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.wait(60)

    def wait(self, timeout):
        """Wait for it to end (raises subprocess.TimeoutExpired) and return its exit status."""
        rc = self.proc.wait(timeout)
        self._reader.join(30)
        return rc

    def run(self, timeout):
        """Wait for it to end and return a PlayRun."""
        rc = self.wait(timeout)
        return PlayRun(rc, self.stdout, '', read_records(self.records_path))


def read_records(records_path):
    """The task results the record_results callback wrote ([] when the run wrote none)."""
    if not os.path.exists(records_path):
        return []
    with open(records_path) as handle:
        return json.load(handle)


def wait_until(what, predicate, timeout=30.0, interval=0.01):
    """Poll ``predicate()`` until it is true and return its value; fail naming ``what`` at ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError('never reached within %.0f s: %s' % (timeout, what))


def tcp_peer_ports(pid):
    """Remote ports of the established TCP connections of process ``pid`` (its socket inodes matched
    in /proc/net/tcp and tcp6)."""
    inodes = set()
    try:
        for fd in os.listdir('/proc/%d/fd' % pid):
            try:
                link = os.readlink('/proc/%d/fd/%s' % (pid, fd))
            except OSError:
                continue
            if link.startswith('socket:['):
                inodes.add(link[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        try:
            with open(table) as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == '01' and fields[9] in inodes:  # 01: ESTABLISHED
                ports.add(int(fields[2].rsplit(':', 1)[1], 16))
    return ports


class ReportTable(HTMLParser):
    """The rows of report.html's table, as lists of cell texts."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.rows = []
        self._cell = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == 'tbody':
            self._in_body = True
        elif tag == 'tr' and self._in_body:
            self.rows.append([])
        elif tag == 'td' and self._in_body:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == 'td' and self._cell is not None:
            self.rows[-1].append(' '.join(' '.join(self._cell).split()))
            self._cell = None
        elif tag == 'tbody':
            self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_report(report_dir):
    """(report.json as data, report.html's table rows as cell texts, report.html as text)."""
    with open(os.path.join(str(report_dir), 'report.json')) as handle:
        data = json.load(handle)
    parser = ReportTable()
    with open(os.path.join(str(report_dir), 'report.html')) as handle:
        page = handle.read()
    parser.feed(page)
    return data, parser.rows, page


def fleet_vars(report_dir, **extra):
    """Extra variables of a quick fleet run against the simulator (target 5.3.0.0.5.120)."""
    return dict({'unity_upgrade_target_version': '5.3.0.0.5.120', 'unity_upgrade_poll_interval': 1,
                 'unity_upgrade_progress_interval': 4, 'unity_upgrade_outage_tolerance': 120,
                 'unity_upgrade_report_dir': str(report_dir)}, **extra)


# ---------------------------------------------------------------- modules in this process

LOCAL = threading.local()


class ModuleResult:
    """What one in-process module run returned."""

    def __init__(self, failed, result, seconds, crash=None):
        self.failed = failed
        self.result = result
        self.seconds = seconds
        self.crash = crash  # a traceback: the module raised instead of exiting (always a bug)

    @property
    def msg(self):
        return self.result.get('msg', '')

    def __repr__(self):
        return 'ModuleResult(failed=%s, msg=%r, crash=%s)' % (self.failed, self.msg, bool(self.crash))


class InProcess:
    """``run(module_name, args)`` runs ``plugins/modules/<module_name>.main()`` in this thread."""

    def __init__(self, collections_path, monkeypatch):
        if collections_path not in sys.path:
            monkeypatch.syspath_prepend(collections_path)
        from ansible.module_utils import basic

        def load_params():
            return copy.deepcopy(LOCAL.args)

        def record(module, result):
            LOCAL.result = json.loads(json.dumps(result, default=str))

        def log(module, msg, log_args=None):
            hook = getattr(LOCAL, 'on_log', None)
            if hook is not None:
                hook(msg)

        monkeypatch.setattr(basic, '_load_params', load_params)
        monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
        monkeypatch.setattr(basic.AnsibleModule, '_record_module_result', record)
        monkeypatch.setattr(basic.AnsibleModule, 'log', log)
        self.modules = {}
        for name in ('info', 'upgrade_eligibility_info', 'upgrade_candidate', 'upgrade_session'):
            self.modules[name] = importlib.import_module(
                'ansible_collections.unity.upgrade.plugins.modules.%s' % name)
        self.rest = importlib.import_module('ansible_collections.unity.upgrade.plugins.module_utils.rest')
        self.upload = importlib.import_module('ansible_collections.unity.upgrade.plugins.module_utils.upload')

    def run(self, module_name, args, check=False, on_log=None):
        LOCAL.args = dict(args, _ansible_check_mode=check, _ansible_diff=False,
                          _ansible_no_log=False, _ansible_verbosity=0)
        LOCAL.result = None
        LOCAL.on_log = on_log
        started = time.monotonic()
        crash = None
        code = None
        try:
            self.modules[module_name].main()
        except SystemExit as exc:
            code = exc.code
        except Exception:  # a traceback: the test reports it as such
            crash = traceback.format_exc()
        finally:
            LOCAL.on_log = None
        seconds = time.monotonic() - started
        result = LOCAL.result or {}
        failed = bool(crash) or code not in (0, None) or bool(result.get('failed'))
        return ModuleResult(failed, result, seconds, crash)


# ---------------------------------------------------------------- servers and files

class ArtifactServer:
    """Serves the files of a directory on 127.0.0.1 like an artifact server.

    ``/private/...`` needs Basic auth (ARTIFACT_USER); ``/nolength/...`` answers without
    Content-Length (the body ends when the connection closes); everything else is a
    plain 200 with Content-Length, or 404. Files are copied in 1 MiB blocks.
    """

    def __init__(self, directory):
        self.directory = directory
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.0'

            def log_message(self, fmt, *args):
                pass

            def do_GET(self):
                server.requests.append({'path': self.path, 'headers': dict(self.headers)})
                path = self.path.split('?')[0]
                parts = path.strip('/').split('/')
                mode = parts[0] if parts[0] in ('private', 'nolength') else 'plain'
                name = parts[-1]
                if mode == 'private':
                    expected = 'Basic ' + base64.b64encode(
                        ('%s:%s' % (ARTIFACT_USER, ARTIFACT_PASSWORD)).encode()).decode()
                    if self.headers.get('Authorization') != expected:
                        self.send_error(401, 'Unauthorized')
                        return
                local = os.path.join(server.directory, os.path.basename(name))
                if not os.path.isfile(local):
                    self.send_error(404, 'Not Found')
                    return
                self.send_response(200)
                self.send_header('Content-Type', 'application/octet-stream')
                if mode != 'nolength':
                    self.send_header('Content-Length', str(os.path.getsize(local)))
                self.end_headers()
                with open(local, 'rb') as handle:
                    try:
                        shutil.copyfileobj(handle, self.wfile, 1 << 20)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        self.base = 'http://127.0.0.1:%d' % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name, mode=''):
        return '%s/%s%s' % (self.base, mode + '/' if mode else '', name)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def pki_for(directory, dns_name):
    """A CA and a server certificate that names ``dns_name`` only (no IP address, no localhost)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'bad-input test CA')])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = [os.path.join(directory, n) for n in ('mismatch-ca.pem', 'mismatch-server.pem', 'mismatch-server.key')]
    with open(paths[0], 'wb') as handle:
        handle.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], 'wb') as handle:
        handle.write(leaf.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return paths


def has_ipv6_loopback():
    """Whether this host can listen on ::1 (containers often run without IPv6)."""
    try:
        sock = socket.socket(socket.AF_INET6)
        sock.bind(('::1', 0))
        sock.close()
        return True
    except OSError:
        return False


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()
