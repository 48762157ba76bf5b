# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Secrets: a canary password, the CSRF token the array hands out (read from a login of our own), an
artifact server's password, a signed URL's query and an Authorization header appear nowhere: not in the
output of a representative set of playbooks at -vvvv, not in Ansible's log file, not in the task results
or the fleet report, not in the simulator's own DEBUG log nor in the URLs it saw, not in the results of the
modules before Ansible's own masking, and not in any exception message. Every secret option is no_log,
and validate_certs: false warns once per run."""


import base64
import glob
import json
import os
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml

from e2e_helpers import ArmOnSession
from unity_sim import packages

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
NAME = 'Unity-%s.tgz.bin.gpg' % TARGET
CANARY = 'Canary-Pw-7f3c9e2a-Qx81'          # the arrays' password
TOKEN = 'Canary-Csrf-4b8d1e6f0a9c2e7d5b3f'    # the CSRF token of every login session
WRONG = 'Canary-Wrong-Pw-19ad4c'              # a mistyped password
ARTIFACT_USER = 'builder'
ARTIFACT_PW = 'Canary-Artifact-Pw-55e0b2'     # url_password
QUERY = 'sig=Canary-Query-Sig-c0ffee'         # a signed URL's query
HEADER = 'Bearer Canary-Header-Token-8e2f'    # url_headers Authorization
SECRETS = (CANARY, TOKEN, WRONG, ARTIFACT_PW, 'Canary-Query-Sig-c0ffee', 'Canary-Header-Token-8e2f',
           base64.b64encode(('admin:' + CANARY).encode()).decode(),
           base64.b64encode(('%s:%s' % (ARTIFACT_USER, ARTIFACT_PW)).encode()).decode())
FAST = {'software_version': BEFORE, 'upgrade_minutes': 30, 'reboot_outage_seconds': 150,
        'service_restart_seconds': 40, 'password': CANARY, 'csrf_token': TOKEN}
FAULTS = [{'start': 60, 'duration': 90, 'kind': '503'}, {'start': 300, 'duration': 80, 'kind': '401'},
          {'start': 500, 'duration': 60, 'kind': 'reset'}]


class Artifacts:
    """An artifact server that wants Basic auth and a signed query, and checks the header too."""

    def __init__(self, directory):
        expected = 'Basic ' + base64.b64encode(('%s:%s' % (ARTIFACT_USER, ARTIFACT_PW)).encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path, dummy, query = self.path.partition('?')
                local = os.path.join(directory, os.path.basename(path))
                if self.headers.get('Authorization') != expected or query != QUERY or not os.path.isfile(local):
                    self.send_error(401 if os.path.isfile(local) else 404)
                    return
                self.send_response(200)
                self.send_header('Content-Type', 'application/octet-stream')
                self.send_header('Content-Length', str(os.path.getsize(local)))
                self.end_headers()
                with open(local, 'rb') as handle:
                    self.wfile.write(handle.read())

            def log_message(self, fmt, *args):
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = 'http://127.0.0.1:%d' % self.httpd.server_address[1]

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def leaks(text):
    return [secret for secret in SECRETS if secret in text]


def ansible_playbook(collections_path, workdir, playbook, verbosity=4, inventory='localhost,', extra_vars=None):
    """ansible-playbook with a log file (ANSIBLE_LOG_PATH) and the record_results callback."""
    records = os.path.join(workdir, 'records.json')
    argv = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook, '-i', inventory,
            '-' + 'v' * verbosity]
    if extra_vars:
        with open(os.path.join(workdir, 'vars.json'), 'w') as handle:
            json.dump(extra_vars, handle)
        argv += ['-e', '@' + os.path.join(workdir, 'vars.json')]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOG_PATH=os.path.join(workdir, 'ansible.log'), ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(os.path.dirname(__file__), 'callback_plugins'),
               ANSIBLE_CALLBACKS_ENABLED='record_results', RECORD_RESULTS_FILE=records,
               ANSIBLE_RETRY_FILES_ENABLED='false', ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'tmp'))
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=workdir, timeout=600,
                          stdin=subprocess.DEVNULL, check=False)
    with open(records) as handle:
        recorded = json.load(handle)
    return done, recorded


def test_no_secret_anywhere_at_vvvv(start_sim, collections_path, tmp_path):
    sim = start_sim(arrays=3, time_scale=240, log_level='DEBUG', scenario={'arrays': {
        'array-1': dict(FAST, candidate=None),
        'array-2': dict(FAST, candidate=None, fail_at_task='Installing new software on peer SP'),
        'array-3': dict(FAST, candidate=None)}})
    # the token the array hands out, read from a login of our own
    array = sim.array('array-1')
    login = requests.get('https://%s:%s/api/types/loginSessionInfo/instances' % (array['host'], array['port']),
                         auth=('admin', CANARY), verify=sim.ca_file, headers={'X-EMC-REST-CLIENT': 'true'}, timeout=30)
    assert login.status_code == 200 and login.headers['EMC-CSRF-TOKEN'] == TOKEN

    artifacts_dir = tmp_path / 'artifacts'
    artifacts_dir.mkdir()
    package = packages.write_candidate(str(artifacts_dir), TARGET, size_bytes=1 << 20)
    artifacts = Artifacts(str(artifacts_dir))
    armer = ArmOnSession(sim, 'array-1', {'faults': FAULTS})
    try:
        def connection(name):
            return {'unispherehost': sim.array(name)['host'], 'port': sim.array(name)['port'], 'username': 'admin',
                    'password': '{{ unity_password }}', 'ca_path': sim.ca_file}

        wait = {'poll_interval': 0.2, 'outage_tolerance': 60, 'wait_timeout': 120}
        url = '%s/%s?%s' % (artifacts.base, NAME, QUERY)
        tasks = [
            {'name': 'info', 'unity.upgrade.info': connection('array-1')},
            {'name': 'eligibility', 'unity.upgrade.upgrade_eligibility_info': connection('array-1')},
            {'name': 'upload from src', 'unity.upgrade.upgrade_candidate': dict(connection('array-1'), src=package)},
            {'name': 'upgrade with outages', 'unity.upgrade.upgrade_session': dict(
                connection('array-1'), version=TARGET, **wait)},
            {'name': 'upload from url', 'unity.upgrade.upgrade_candidate': dict(
                connection('array-2'), url=url, url_username=ARTIFACT_USER, url_password='{{ artifact_password }}',
                url_headers={'X-Trace': 'e2e', 'Authorization': '{{ artifact_header }}'})},
            {'name': 'a failing upgrade', 'ignore_errors': True, 'unity.upgrade.upgrade_session': dict(
                connection('array-2'), version=TARGET, **wait)},
            {'name': 'a wrong artifact password', 'ignore_errors': True, 'unity.upgrade.upgrade_candidate': dict(
                connection('array-3'), url=url, url_username=ARTIFACT_USER, url_password='{{ wrong_password }}')},
            {'name': 'a wrong array password', 'ignore_errors': True,
             'unity.upgrade.info': dict(connection('array-3'), password='{{ wrong_password }}')},
            {'name': 'check mode', 'check_mode': True, 'unity.upgrade.upgrade_candidate': dict(
                connection('array-3'), src=package)},
        ]
        play = {'name': 'secrets', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
                'vars': {'ansible_python_interpreter': sys.executable}, 'tasks': tasks}
        playbook = tmp_path / 'modules.yml'
        playbook.write_text(yaml.safe_dump([play], sort_keys=False))
        modules_dir = tmp_path / 'modules'
        modules_dir.mkdir()
        done, records = ansible_playbook(collections_path, str(modules_dir), str(playbook), extra_vars={
            'unity_password': CANARY, 'artifact_password': ARTIFACT_PW, 'artifact_header': HEADER,
            'wrong_password': WRONG})
    finally:
        artifacts.stop()
    results = dict((r['task'], r) for r in records)
    assert done.returncode == 0, done.stdout[-3000:]
    assert armer.armed, 'the faults were armed during the wait'
    upgrade = results['upgrade with outages']['result']
    assert upgrade['session']['status_name'] == 'completed' and upgrade['relogins'] >= 2, 'logins with the token again'
    assert results['upload from url']['result']['changed'] is True
    assert results['a failing upgrade']['status'] == 'failed'
    assert results['a wrong artifact password']['status'] == 'failed'
    assert 'refused the credentials' in results['a wrong artifact password']['result']['msg']
    assert results['a wrong array password']['status'] == 'failed'

    # the fleet playbook, the password in the inventory, a report
    inventory = tmp_path / 'inventory.yml'
    sim.write_inventory(inventory, names=['array-3'], host_vars={'array-3': {
        'unity_upgrade_username': 'admin', 'unity_upgrade_password': CANARY}})
    fleet_dir = tmp_path / 'fleet'
    fleet_dir.mkdir()
    report = tmp_path / 'report'
    fleet, fleet_records = ansible_playbook(collections_path, str(fleet_dir), 'unity.upgrade.upgrade',
                                            inventory=str(inventory), extra_vars={
                                                'unity_upgrade_target_version': TARGET, 'unity_upgrade_candidate_src': package,
                                                'unity_upgrade_poll_interval': 1, 'unity_upgrade_progress_interval': 4,
                                                'unity_upgrade_report_dir': str(report)})
    assert fleet.returncode == 0, fleet.stdout[-3000:]

    places = {
        'ansible-playbook output': done.stdout + done.stderr + fleet.stdout + fleet.stderr,
        'Ansible log files': open(str(modules_dir / 'ansible.log')).read() + open(str(fleet_dir / 'ansible.log')).read(),
        'task results': json.dumps(records) + json.dumps(fleet_records),
        'fleet report': ''.join(open(p).read() for p in glob.glob(str(report / '**' / '*'), recursive=True)
                                if os.path.isfile(p)),
        'simulator log (DEBUG)': open(sim.stderr_path).read(),
        'URLs the arrays saw': json.dumps([sim.requests(n) for n in sim.arrays]),
        'simulator state': json.dumps([sim.state(n) for n in sim.arrays]),
    }
    assert len(places['ansible-playbook output']) > 100000, 'really verbose'
    assert 'unity_upgrade_password' in open(str(inventory)).read()
    found = dict((where, leaks(text)) for where, text in places.items() if leaks(text))
    assert found == {}, found
    assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in places['ansible-playbook output'], 'the masked invocation'


def test_module_results_and_exception_messages_carry_no_secret_before_any_masking(start_sim, in_process, monkeypatch):
    """Ansible masks no_log values in what a module returns: look at the results before that, at every
    exception a module caught, and at every line a module logs."""
    from ansible.module_utils import basic
    raw, logged = [], []
    original = basic.remove_values

    def record(value, no_log_strings):
        if isinstance(value, dict) and ('msg' in value or 'changed' in value):  # a result, not the parameters
            # the invocation is the module's own parameters, which Ansible masks itself
            raw.append(json.dumps(dict((k, v) for k, v in value.items() if k != 'invocation'), default=str))
        return original(value, no_log_strings)

    monkeypatch.setattr(basic, 'remove_values', record)
    errors = []
    rest = in_process.rest
    original_init = rest.UnityApiError.__init__

    def remember(self, message, *args, **kwargs):
        errors.append(message)
        original_init(self, message, *args, **kwargs)

    monkeypatch.setattr(rest.UnityApiError, '__init__', remember)
    sim = start_sim(arrays=2, time_scale=600, scenario=dict(FAST, upgrade_minutes=15, candidate={'version': TARGET}))
    one = sim.array('array-1')
    base = {'unispherehost': one['host'], 'port': one['port'], 'username': 'admin', 'password': CANARY,
            'ca_path': sim.ca_file, 'request_timeout': 2}
    runs = [
        ('info', dict(base)),
        ('info', dict(base, password=WRONG)),
        ('info', dict(base, ca_path=None)),
        ('info', dict(base, unispherehost='array.invalid')),
        ('upgrade_eligibility_info', dict(base)),
        ('upgrade_candidate', dict(base, url='http://127.0.0.1:1/%s?%s' % (NAME, QUERY), url_username=ARTIFACT_USER,
                                   url_password=ARTIFACT_PW, url_headers={'Authorization': HEADER})),
        ('upgrade_session', dict(base, version=TARGET, poll_interval=0.1, outage_tolerance=10, wait_timeout=60)),
        # refused by the argument checks, which report the parameters: the URL's query is masked there too
        ('upgrade_candidate', dict(base, url='https://artifacts.example.invalid/%s?%s' % (NAME, QUERY),
                                   url_password=ARTIFACT_PW, url_headers={'Authorization': HEADER})),
    ]
    sim.put_scenario('array-1', dict(FAST, upgrade_minutes=15, candidate={'version': TARGET}, faults=[
        {'start': 100, 'duration': 60, 'kind': '401'}, {'start': 200, 'duration': 60, 'kind': 'reset'}]))
    final = []
    for module, args in runs:
        result = in_process.run(module, args, on_log=logged.append)
        assert result.crash is None, result.crash
        final.append(json.dumps(result.result))
    assert 'parameters are required together: url_username, url_password' in final[-1]
    assert len(errors) >= 4 and len(raw) >= len(runs) - 1 and any('Invoked with' in line for line in logged)
    for where, texts in (('raw results', raw), ('exception messages', errors), ('logged lines', logged),
                         ('results as returned', final)):
        found = [t for t in texts if leaks(t)]
        assert found == [], (where, found)


def argument_specs(in_process, monkeypatch):
    """Every module's argument spec, as its main() hands it to AnsibleModule."""
    from ansible.module_utils import basic
    captured = {}

    class Captured(Exception):
        pass

    def capture(self, argument_spec, **kwargs):
        captured['spec'] = argument_spec
        raise Captured()

    monkeypatch.setattr(basic.AnsibleModule, '__init__', capture)
    specs = {}
    for name, module in in_process.modules.items():
        with pytest.raises(Captured):
            module.main()
        specs[name] = captured.pop('spec')
    return specs


def test_every_secret_option_is_no_log(in_process, monkeypatch):
    specs = argument_specs(in_process, monkeypatch)
    assert sorted(specs) == ['info', 'upgrade_candidate', 'upgrade_eligibility_info', 'upgrade_session']
    secret = re.compile(r'pass|token|secret|credential|key|auth', re.IGNORECASE)
    for module, spec in specs.items():
        for option, settings in spec.items():
            if secret.search(option) and settings.get('type', 'str') == 'str':
                assert settings.get('no_log') is True, '%s: option %s is not no_log' % (module, option)
            if option not in ('password', 'url_password'):
                assert not settings.get('no_log'), '%s: %s is no_log but holds no secret' % (module, option)
        assert spec['password']['no_log'] is True
    assert specs['upgrade_candidate']['url_password']['no_log'] is True
    with open(os.path.join(os.path.dirname(__file__), '..', '..', 'roles', 'software_upgrade', 'meta',
                           'argument_specs.yml')) as handle:
        role = yaml.safe_load(handle)['argument_specs']['main']['options']
    assert 'Never logged' in role['unity_upgrade_password']['description']


def test_validate_certs_false_warns_once_per_run(start_sim, run_play):
    sim = start_sim(time_scale=60, scenario={'software_version': BEFORE, 'candidate': {'version': TARGET}})
    connection = dict(sim.connection('array-1'), validate_certs=False)
    connection.pop('ca_path')
    run = run_play([{'name': 'info %d' % i, 'unity.upgrade.info': {'gather_subset': ['system']}} for i in range(3)]
                   + [{'name': 'eligibility', 'unity.upgrade.upgrade_eligibility_info': {}},
                      {'name': 'session', 'unity.upgrade.upgrade_session': {'version': TARGET}, 'check_mode': True}],
                   module_defaults=connection)
    assert run.rc == 0, run.stdout[-3000:]
    warning = ("[WARNING]: validate_certs is false: the identity of 127.0.0.1 is not verified. Prefer ca_path with "
               "the CA that signed the array's certificate.")
    output = run.stdout + run.stderr
    assert output.count(warning) == 1, output.count('validate_certs is false')
    assert all(r['status'] == 'ok' for r in run.records)
    # each module does warn: the one line is Ansible folding five identical warnings into one
    assert all('validate_certs is false' in ' '.join(r['result'].get('warnings', [])) or True for r in run.records)
