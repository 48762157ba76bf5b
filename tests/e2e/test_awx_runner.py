# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet playbook unity.upgrade.upgrade run the way AWX / Automation Platform runs a job: through
ansible-runner, from a project playbook that imports the collection's playbook, with the credentials
injected as environment variables by the custom credential type of docs/awx.md (UNITY_USERNAME,
UNITY_PASSWORD, UNITY_VALIDATE_CERTS, and UNITY_CA_PATH naming a file the credential's file injector
wrote), the survey's answers as extra variables, and the candidate streamed from an artifact server.

Three arrays of the simulator, one shared service account (a credential type injects one set):
array-1 is upgraded, array-2 is blocked by the array's own eligibility check, array-3 already runs the
target. The job's events, its set_stats artifact and every file ansible-runner writes are checked, and
the password appears in none of them (but ansible-runner's own record of the environment it was given).
"""


import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from unity_sim.packages import write_candidate

ansible_runner = pytest.importorskip('ansible_runner')

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
USERNAME = 'svc-unity-upgrade'
FAST = {'upgrade_minutes': 10, 'reboot_outage_seconds': 60, 'service_restart_seconds': 20}
IDENT = 'job-42'
# ansible-runner writes the environment it ran ansible-playbook with (the injected credentials
# included) to artifacts/<ident>/command, mode 0600: its own record of its input, like env/envvars
# of the private data dir. Both live in the job's private data directory, which AWX removes when
# the job is done; what AWX shows and keeps are the events, the output and the set_stats artifacts.
RUNNER_ENV_RECORD = 'command'


class ArtifactServer:
    """A plain HTTP server for a directory, the 'artifact server' of the survey's candidate URL."""

    def __init__(self, directory):
        handler = partial(_QuietHandler, directory=directory)
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name):
        return 'http://127.0.0.1:%d/%s' % (self.httpd.server_address[1], name)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def artifact_server(tmp_path):
    directory = tmp_path / 'artifacts-server'
    directory.mkdir()
    server = ArtifactServer(str(directory))
    yield server, directory
    server.stop()


def write_private_data_dir(root, sim, ca_file):
    """An AWX-like private data directory: project/ with the job template's playbook, inventory/."""
    project = root / 'project'
    inventory = root / 'inventory'
    project.mkdir(parents=True)
    inventory.mkdir()
    # A job template runs a playbook of its project; a collection playbook is imported from one.
    with open(str(project / 'unity_upgrade.yml'), 'w') as handle:
        handle.write('---\n- name: Rolling upgrade of the Unity arrays\n'
                     '  ansible.builtin.import_playbook: unity.upgrade.upgrade\n')
    hosts = {}
    for name, array in sorted(sim.arrays.items()):
        hosts[name] = {'ansible_host': array['host'], 'unity_upgrade_port': array['port'],
                       'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
    with open(str(inventory / 'hosts.yml'), 'w') as handle:
        yaml.safe_dump({'all': {'children': {'unity': {'hosts': hosts}}}}, handle)
    # The credential type's file injector writes the CA certificate to a file of the job and
    # points UNITY_CA_PATH at it.
    ca_copy = root / 'credential_ca.pem'
    shutil.copy(ca_file, str(ca_copy))
    return project, ca_copy


def files_under(path):
    for directory, _dirs, names in os.walk(str(path)):
        for name in names:
            yield os.path.join(directory, name)


def test_fleet_job_through_ansible_runner_with_injected_credentials(
        start_sim, collections_path, artifact_server, tmp_path):
    password = 'Canary-%s!' % secrets.token_hex(12)
    shared = {'username': USERNAME, 'password': password}
    scenario = {'arrays': {
        'array-1': dict(FAST, software_version=BEFORE, name='UNITY-PROD-01', **shared),
        'array-2': dict(software_version=BEFORE, name='UNITY-DR-01',
                        eligibility={'blocking': ['flr::check_server_connectivity_2']}, **shared),
        'array-3': dict(software_version=TARGET, name='UNITY-PROD-03', **shared),
    }}
    sim = start_sim(arrays=3, time_scale=120, scenario=scenario)

    server, served = artifact_server
    package = write_candidate(str(served), TARGET, 1 << 20)
    with open(package, 'rb') as handle:
        checksum = 'sha256:' + hashlib.sha256(handle.read()).hexdigest()

    private = tmp_path / 'private_data_dir'
    _project, ca_copy = write_private_data_dir(private, sim, sim.ca_file)
    report_dir = tmp_path / 'report'
    # What the custom credential type injects (docs/awx.md), and nothing else of the connection.
    credential_env = {'UNITY_USERNAME': USERNAME, 'UNITY_PASSWORD': password,
                      'UNITY_CA_PATH': str(ca_copy), 'UNITY_VALIDATE_CERTS': 'true'}
    # The survey's answers and the job template's extra variables.
    survey = {'unity_upgrade_target_version': TARGET,
              'unity_upgrade_candidate_url': server.url(os.path.basename(package)),
              'unity_upgrade_candidate_checksum': checksum,
              'unity_upgrade_serial': 2,
              'unity_upgrade_max_fail_percentage': 50,
              'unity_upgrade_report_dir': str(report_dir),
              'unity_upgrade_poll_interval': 1,
              'unity_upgrade_progress_interval': 5,
              'unity_upgrade_outage_tolerance': 120}
    # ansible-runner starts the ansible-playbook found on PATH: the one of this Python (as in an
    # execution environment, the one next to ansible-runner)
    bindir = os.path.dirname(sys.executable)
    env = dict(credential_env, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(collections_path), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-tmp'),
               PATH=bindir + os.pathsep + os.environ.get('PATH', ''))

    result = ansible_runner.run(
        private_data_dir=str(private), ident=IDENT, playbook='unity_upgrade.yml', inventory='hosts.yml',
        envvars=env, extravars=survey, verbosity=1, quiet=True, timeout=240, suppress_env_files=True)

    stdout = result.stdout.read()
    # array-2 is blocked: the job fails (rc 2) as a job of AWX does, after every array was handled.
    assert (result.status, result.rc) == ('failed', 2), stdout[-4000:]

    # -------- the job events, as AWX stores them
    events = list(result.events)
    by_host = {}
    for event in events:
        host = event.get('event_data', {}).get('host')
        if host:
            by_host.setdefault(host, []).append(event)
    assert set(by_host) >= {'array-1', 'array-2', 'array-3'}
    for host in ('array-1', 'array-3'):
        kinds = [e['event'] for e in by_host[host]]
        assert 'runner_on_ok' in kinds and 'runner_on_failed' not in kinds, (host, kinds)
    failed = [e for e in by_host['array-2'] if e['event'] == 'runner_on_failed']
    assert failed, 'array-2 has failed events'
    assert any('check_server_connectivity' in json.dumps(e['event_data'].get('res', {})) or
               'eligibility' in json.dumps(e['event_data'].get('res', {})) for e in failed)
    # progress lines reach the job output while array-1 upgrades (events of their own, printed by the
    # action plugin while the module waits), and the last one when the wait ended
    live = [e['stdout'] for e in events if e['event'] == 'verbose' and re.match(r'array-1: \d+% ', e.get('stdout', ''))]
    assert live and any(' in_progress - ' in line for line in live), [e.get('stdout') for e in events][-80:]
    assert live[-1].startswith('array-1: 100% completed; '), live
    stats = [e for e in events if e['event'] == 'playbook_on_stats']
    assert len(stats) == 1
    stats_data = stats[0]['event_data']
    assert set(stats_data['failures']) == {'array-2'}
    assert {'array-1', 'array-3'} <= set(stats_data['ok'])

    # -------- the set_stats artifact: what AWX shows as the job's artifacts and hands to the next
    # node of a workflow
    artifact = stats_data['artifact_data']['unity_upgrade_results']
    assert sorted(artifact) == ['array-1', 'array-2', 'array-3']
    assert (artifact['array-1']['outcome'], artifact['array-1']['version_before'],
            artifact['array-1']['version_after']) == ('upgraded', BEFORE, TARGET)
    assert artifact['array-1']['model'] and artifact['array-1']['name'] == 'UNITY-PROD-01'
    assert artifact['array-2']['outcome'] == 'blocked'
    assert artifact['array-2']['messages'], 'the array\'s own reasons'
    assert artifact['array-3']['outcome'] == 'current'
    # ansible-runner writes every event to artifacts/<ident>/job_events/<counter>-<uuid>.json, the
    # stats event with its artifact_data included
    stats_file = private / 'artifacts' / IDENT / 'job_events' / ('%d-%s.json' % (stats[0]['counter'], stats[0]['uuid']))
    with open(str(stats_file)) as handle:
        assert json.load(handle)['event_data']['artifact_data']['unity_upgrade_results'] == artifact

    # -------- the arrays and the report agree
    assert sim.state('array-1')['software_version'] == TARGET
    assert [s['status_name'] for s in sim.state('array-1')['sessions']] == ['Upgrade_Completed']
    assert sim.state('array-2')['software_version'] == BEFORE and not sim.state('array-2')['sessions']
    assert not sim.state('array-3')['sessions']
    with open(str(report_dir / 'report.json')) as handle:
        report = json.load(handle)
    assert [(r['array'], r['outcome']) for r in report['arrays']] == [
        ('array-1', 'upgraded'), ('array-2', 'blocked'), ('array-3', 'current')]
    assert any('Fleet report' in json.dumps(e['event_data'].get('res', {})) for h in by_host for e in by_host[h])

    # -------- the password: in no event, no output, no artifact, no report
    assert password not in stdout
    assert password not in json.dumps(events)
    leaks = []
    for path in list(files_under(private)) + list(files_under(report_dir)):
        with open(path, 'rb') as handle:
            if password.encode() in handle.read():
                leaks.append(os.path.relpath(path, str(tmp_path)))
    record = os.path.join('private_data_dir', 'artifacts', IDENT, RUNNER_ENV_RECORD)
    assert leaks == [record], leaks
    # that record is ansible-runner's, readable by the job's user only, and proves the password
    # really reached the job through the environment only
    assert stat.S_IMODE(os.stat(os.path.join(str(tmp_path), record)).st_mode) == 0o600
    assert not os.path.exists(str(private / 'env' / 'envvars')), 'suppress_env_files: no env file written'
    assert password not in json.dumps(survey)


DOCS_AWX = os.path.join(os.path.dirname(__file__), '..', '..', 'docs', 'awx.md')


def documented_inventory_and_survey():
    """The inventory of docs/awx.md section 2 and the survey of section 4, as the guide prints them."""
    with open(DOCS_AWX) as handle:
        blocks = re.findall(r'```yaml\n(.*?)```', handle.read(), re.S)
    inventory = [yaml.safe_load(b) for b in blocks if 'unity-dr-01' in b]
    survey = [yaml.safe_load(b) for b in blocks if b.startswith('name: Unity OE upgrade\n')]
    assert len(inventory) == 1 and len(survey) == 1, 'docs/awx.md shows one inventory and one upgrade survey'
    return inventory[0], survey[0]


def survey_answers(survey, **answers):
    """Extra variables as AWX passes a survey: every default the user left, and the answers given."""
    values = dict((q['variable'], q['default']) for q in survey['spec'] if 'default' in q)
    unknown = set(answers) - set(q['variable'] for q in survey['spec'])
    assert not unknown, 'the documented survey has no question for %s' % sorted(unknown)
    values.update(answers)
    missing = [q['variable'] for q in survey['spec'] if q.get('required') and q['variable'] not in values]
    assert not missing, missing
    return values


def test_the_documented_inventory_and_survey_keep_the_inventorys_pause(start_sim, collections_path, tmp_path):
    """Issue #16 finding 13: with the guide's inventory (unity-dr-01 pauses before its reboots) and its
    survey answered with the defaults, unity-dr-01 pauses; the other arrays upgrade. A later job with
    "Continue paused upgrades" reboots unity-dr-01."""
    inventory, survey = documented_inventory_and_survey()
    documented = inventory['all']['children']['unity']['hosts']
    assert documented['unity-dr-01']['unity_upgrade_pause_before_reboot'] is True
    password = 'Canary-%s!' % secrets.token_hex(12)
    shared = dict(FAST, software_version=BEFORE, username=USERNAME, password=password, candidate={'version': TARGET})
    sim = start_sim(arrays=len(documented), time_scale=120, scenario=shared)

    private = tmp_path / 'private_data_dir'
    _project, ca_copy = write_private_data_dir(private, sim, sim.ca_file)
    # The guide's inventory, each host pointed at one simulated array (its address and port only).
    hosts = {}
    for (name, host_vars), array in zip(documented.items(), [sim.arrays[n] for n in sorted(sim.arrays)]):
        hosts[name] = dict(host_vars, ansible_host=array['host'], unity_upgrade_port=array['port'],
                           ansible_connection='local', ansible_python_interpreter=sys.executable)
    with open(str(private / 'inventory' / 'hosts.yml'), 'w') as handle:
        yaml.safe_dump({'all': {'children': {'unity': {'hosts': hosts}}}}, handle)
    env = {'UNITY_USERNAME': USERNAME, 'UNITY_PASSWORD': password, 'UNITY_CA_PATH': str(ca_copy),
           'UNITY_VALIDATE_CERTS': 'true', 'ANSIBLE_COLLECTIONS_PATH': os.path.abspath(collections_path),
           'ANSIBLE_NOCOLOR': '1', 'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
           'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')}
    template_vars = {'unity_upgrade_poll_interval': 1, 'unity_upgrade_progress_interval': 5,
                     'unity_upgrade_outage_tolerance': 120}

    def job(ident, **answers):
        extravars = dict(template_vars, unity_upgrade_report_dir=str(tmp_path / ident),
                         **survey_answers(survey, unity_upgrade_target_version=TARGET, **answers))
        result = ansible_runner.run(private_data_dir=str(private), ident=ident, playbook='unity_upgrade.yml',
                                    inventory='hosts.yml', envvars=env, extravars=extravars, quiet=True,
                                    timeout=300, suppress_env_files=True)
        stdout = result.stdout.read()
        assert (result.status, result.rc) == ('successful', 0), stdout[-4000:]
        stats = [e for e in result.events if e['event'] == 'playbook_on_stats'][0]['event_data']
        return stats['artifact_data']['unity_upgrade_results']

    by_name = dict(zip(documented, sorted(sim.arrays)))
    first = job('job-1')
    assert first['unity-dr-01']['outcome'] == 'paused', first['unity-dr-01']
    assert [s['status_name'] for s in sim.state(by_name['unity-dr-01'])['sessions']] == ['Upgrade_Paused']
    assert sim.state(by_name['unity-dr-01'])['software_version'] == BEFORE
    for name in ('unity-prod-01', 'unity-prod-02'):
        assert first[name]['outcome'] == 'upgraded'
        assert sim.state(by_name[name])['software_version'] == TARGET

    assert first['unity-dr-01']['messages'][-1].startswith("paused at 'Waiting for reboot command'")

    window = job('job-2', unity_upgrade_continue_after_pause='true')
    assert window['unity-dr-01']['outcome'] == 'upgraded'
    assert [window[n]['outcome'] for n in ('unity-prod-01', 'unity-prod-02')] == ['current', 'current']
    assert sim.state(by_name['unity-dr-01'])['software_version'] == TARGET
    assert [s['status_name'] for s in sim.state(by_name['unity-dr-01'])['sessions']] == ['Upgrade_Completed']
