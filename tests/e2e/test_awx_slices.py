# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A fleet upgrade split into AWX job slices, then one fleet report of all slices (issue #15).

AWX runs a sliced job template as one job per slice, at the same time, each through ansible-runner in
a private data directory of its own, possibly on another execution node: the slice gets the
inventory's hosts of its slice (hosts[k-1::n]), here through --limit, the credentials as UNITY_*
environment variables, and ``awx_job_id`` as an extra variable. Two slices run together against one
simulator of ten arrays; then ``unity.upgrade.report`` merges their reports into one, as the job of a
workflow's next node does, and, separately, their set_stats artifacts.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import sys

import pytest
import yaml

from e2e_helpers import read_report, session_creates, uploads
from unity_sim.packages import write_candidate

ansible_runner = pytest.importorskip('ansible_runner')

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
FAST = {'upgrade_minutes': 6, 'reboot_outage_seconds': 30, 'service_restart_seconds': 10}
USERNAME = 'svc-unity-upgrade'
PASSWORD = 'Slice-Secret-7f3a!'
ARRAYS = ['array-%d' % n for n in range(1, 11)]
SLICES = 2


def private_data_dir(root, sim, playbook):
    """A job's private data directory: the project's playbook importing a collection playbook, and the
    whole inventory (without credentials: the credential type injects them)."""
    (root / 'project').mkdir(parents=True)
    (root / 'inventory').mkdir()
    with open(str(root / 'project' / 'job.yml'), 'w') as handle:
        handle.write('---\n- name: Job of the template\n  ansible.builtin.import_playbook: %s\n' % playbook)
    hosts = {}
    for name, array in sorted(sim.arrays.items()):
        hosts[name] = {'ansible_host': array['host'], 'unity_upgrade_port': array['port'],
                       'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}
    with open(str(root / 'inventory' / 'hosts.yml'), 'w') as handle:
        yaml.safe_dump({'all': {'children': {'unity': {'hosts': hosts}}}}, handle)
    return str(root)


def job_env(sim, collections_path, tmp_path):
    bindir = os.path.dirname(sys.executable)
    return {'UNITY_USERNAME': USERNAME, 'UNITY_PASSWORD': PASSWORD, 'UNITY_CA_PATH': sim.ca_file,
            'ANSIBLE_COLLECTIONS_PATH': os.path.abspath(collections_path), 'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
            'PATH': bindir + os.pathsep + os.environ.get('PATH', '')}


def stats_artifact(runner):
    stats = [e for e in runner.events if e['event'] == 'playbook_on_stats']
    assert len(stats) == 1
    return stats[0]['event_data']['artifact_data']['unity_upgrade_results']


def run_report_job(tmp_path, sim, collections_path, ident, extravars):
    root = tmp_path / ident
    runner = ansible_runner.run(
        private_data_dir=private_data_dir(root, sim, 'unity.upgrade.report'), ident=ident, playbook='job.yml',
        inventory='hosts.yml', envvars=job_env(sim, collections_path, tmp_path), extravars=extravars,
        quiet=True, timeout=120, suppress_env_files=True)
    return runner, runner.stdout.read()


def test_two_slices_at_once_upgrade_each_array_once_and_one_report_merges_them(
        start_sim, collections_path, tmp_path):
    sim = start_sim(arrays=len(ARRAYS), time_scale=120, scenario={'arrays': dict(
        (name, dict(FAST, software_version=BEFORE, username=USERNAME, password=PASSWORD)) for name in ARRAYS)})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    reports = tmp_path / 'reports'
    env = job_env(sim, collections_path, tmp_path)

    # ---- the slice jobs, started together
    jobs = []
    for number in range(1, SLICES + 1):
        ident = 'job-10%d' % number
        hosts = ARRAYS[number - 1::SLICES]
        thread, runner = ansible_runner.run_async(
            private_data_dir=private_data_dir(tmp_path / ident, sim, 'unity.upgrade.upgrade'), ident=ident,
            playbook='job.yml', inventory='hosts.yml', limit=','.join(hosts), envvars=env,
            extravars={'unity_upgrade_target_version': TARGET, 'unity_upgrade_candidate_src': package,
                       'unity_upgrade_serial': len(hosts), 'awx_job_id': 100 + number,
                       'unity_upgrade_report_dir': str(reports / ('job-%d' % (100 + number))),
                       'unity_upgrade_poll_interval': 1, 'unity_upgrade_progress_interval': 5,
                       'unity_upgrade_outage_tolerance': 120},
            quiet=True, timeout=300, suppress_env_files=True)
        jobs.append((ident, hosts, thread, runner))
    for ident, hosts, thread, runner in jobs:
        thread.join(330)
        assert (runner.status, runner.rc) == ('successful', 0), runner.stdout.read()[-4000:]

    # ---- each array upgraded once: one upload, one create, one session, the target installed
    for name in ARRAYS:
        state = sim.state(name)
        assert state['software_version'] == TARGET, name
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], name
        assert len(session_creates(sim.requests(name))) == 1, name
        assert len(uploads(sim, name)) == 1, name

    # ---- each slice's report is complete for its arrays, and only for them
    artifacts = {}
    for ident, hosts, _thread, runner in jobs:
        data, rows, _page = read_report(reports / ('job-%s' % ident[4:]))
        assert [(r['array'], r['outcome']) for r in data['arrays']] == [(h, 'upgraded') for h in sorted(hosts)]
        assert data['run']['awx_job_id'] == int(ident[4:])
        assert len(rows) == len(hosts)
        artifacts[ident] = stats_artifact(runner)
        assert sorted(artifacts[ident]) == sorted(hosts)

    # ---- the report job of the workflow: one report from the slices' report directories
    merged_dir = tmp_path / 'fleet-report'
    runner, stdout = run_report_job(tmp_path, sim, collections_path, 'job-200', {
        'unity_upgrade_report_inputs': [str(reports)], 'unity_upgrade_report_dir': str(merged_dir)})
    assert (runner.status, runner.rc) == ('successful', 0), stdout[-4000:]
    data, rows, page = read_report(merged_dir)
    assert [(r['array'], r['outcome'], r['version_after']) for r in data['arrays']] == [
        (name, 'upgraded', TARGET) for name in sorted(ARRAYS)]
    assert sorted(data['run']['merged_runs']) == sorted(
        json.load(open(str(reports / ('job-%d' % (100 + n)) / 'report.json')))['run']['id'] for n in (1, 2))
    assert sorted(data['run']['awx_job_ids']) == [101, 102]
    assert data['target_version'] == TARGET and data['check_mode'] is False
    assert len(rows) == len(ARRAYS) and 'merged from 2 run(s), AWX jobs 101, 102' in page
    assert 'array-10: upgraded, %s -> %s' % (BEFORE, TARGET) in stdout

    # ---- the same from the set_stats artifacts, one extra variable per slice
    from_artifacts = tmp_path / 'fleet-report-artifacts'
    per_slice = dict(('unity_upgrade_results_%s' % ident.replace('-', '_'), results)
                     for ident, results in artifacts.items())
    runner, stdout = run_report_job(tmp_path, sim, collections_path, 'job-201',
                                    dict(per_slice, unity_upgrade_report_dir=str(from_artifacts)))
    assert (runner.status, runner.rc) == ('successful', 0), stdout[-4000:]
    data, rows, _page = read_report(from_artifacts)
    assert [(r['array'], r['outcome'], r['line']) for r in data['arrays']] == [
        (name, 'upgraded', '%s: upgraded, %s -> %s' % (name, BEFORE, TARGET)) for name in sorted(ARRAYS)]

    # the password reached no report
    for directory in (reports, merged_dir, from_artifacts):
        for base, _dirs, names in os.walk(str(directory)):
            for name in names:
                with open(os.path.join(base, name)) as handle:
                    assert PASSWORD not in handle.read(), os.path.join(base, name)


def test_the_report_job_names_what_is_missing(start_sim, collections_path, tmp_path):
    sim = start_sim(arrays=1)
    runner, stdout = run_report_job(tmp_path, sim, collections_path, 'job-300', {
        'unity_upgrade_report_inputs': [str(tmp_path / 'no-such-run')],
        'unity_upgrade_report_dir': str(tmp_path / 'merged')})
    assert runner.status == 'failed'
    assert ('unity_upgrade_report_inputs: no report.json in or under %s/no-such-run; give the report '
            'directories (unity_upgrade_report_dir) of the runs to merge, a directory holding them, or their '
            'report.json files' % tmp_path) in stdout, stdout[-3000:]
    runner, stdout = run_report_job(tmp_path, sim, collections_path, 'job-301', {})
    assert runner.status == 'failed'
    assert 'nothing to merge: give unity_upgrade_report_inputs' in stdout, stdout[-3000:]
    assert not os.path.exists(str(tmp_path / 'merged'))
    # a file that is not a fleet report, and one that is not there
    (tmp_path / 'other.json').write_text('{"changed": false}')
    runner, stdout = run_report_job(tmp_path, sim, collections_path, 'job-302', {
        'unity_upgrade_report_inputs': [str(tmp_path / 'other.json')], 'unity_upgrade_report_dir': str(tmp_path / 'merged')})
    assert runner.status == 'failed'
    assert ('unity_upgrade_report_inputs: 1 of the files is not a fleet report of unity.upgrade (no "arrays" list); '
            'give the report.json that a fleet playbook wrote') in stdout, stdout[-3000:]
    runner, stdout = run_report_job(tmp_path, sim, collections_path, 'job-303', {
        'unity_upgrade_report_inputs': [str(tmp_path / 'gone' / 'report.json')]})
    assert runner.status == 'failed'
    assert 'no report.json in or under %s/gone/report.json;' % tmp_path in stdout, stdout[-3000:]
    assert not os.path.exists(str(tmp_path / 'merged'))
