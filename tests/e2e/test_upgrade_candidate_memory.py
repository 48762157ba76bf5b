# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A 1 GiB candidate uploads from src and from url with the module process's peak resident memory
under 100 MiB, and the sha256 it reports is the file's; run in ansible-playbook's worker, as the role
runs it, the upload does not grow the worker either.

The module process runs under an interpreter wrapper that records its peak RSS
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``); the run in the worker, under a command that records the
peak RSS of ansible-playbook's largest process. Takes about half a minute; set
``UNITY_SKIP_MEMORY_TEST=1`` to skip it, ``UNITY_MEMORY_TEST_MIB`` to change the file size.
"""


import json
import os
import stat
import subprocess
import sys

import pytest

from e2e_helpers import ArtifactServer, sha256_of, uploads
from unity_sim import packages

VERSION = '5.3.0.0.5.120'
NAME = 'Unity-%s.tgz.bin.gpg' % VERSION
BEFORE = '5.2.0.0.5.173'
SIZE = int(os.environ.get('UNITY_MEMORY_TEST_MIB', '1024')) << 20
LIMIT_MIB = 100

# python PROBE LOG COMMAND...: runs the command and appends to LOG the peak resident memory of the largest
# process it reaped (the command, or any process the command reaped: a module process, ansible-playbook's workers)
PROBE = '''
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[2:])
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], 'a') as handle:
    handle.write(json.dumps({'args': sys.argv[2:], 'rc': done.returncode, 'peak_kib': peak_kib}) + '\\n')
sys.exit(done.returncode)
'''


def write_probe(directory):
    probe = directory / 'rss_probe.py'
    probe.write_text(PROBE)
    return str(probe)


pytestmark = pytest.mark.skipif(bool(os.environ.get('UNITY_SKIP_MEMORY_TEST')),
                                reason='UNITY_SKIP_MEMORY_TEST is set')


@pytest.fixture
def measured_interpreter(tmp_path):
    """An interpreter for Ansible that logs each module process's peak RSS."""
    log = str(tmp_path / 'rss.jsonl')
    wrapper = tmp_path / 'python-rss'
    wrapper.write_text('#!/bin/sh\nexec %s %s %s %s "$@"\n' % (sys.executable, write_probe(tmp_path), log, sys.executable))
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)

    def peaks(module='upgrade_candidate'):
        with open(log) as handle:
            rows = [json.loads(line) for line in handle]
        return [r['peak_kib'] / 1024.0 for r in rows if any('AnsiballZ_%s' % module in a for a in r['args'])]

    return str(wrapper), peaks


def test_1gib_from_src_and_url_with_flat_memory(start_sim, run_play, tmp_path, measured_interpreter, capsys):
    interpreter, peaks = measured_interpreter
    sim = start_sim(time_scale=600, scenario={'software_version': BEFORE},
                    state_dir=str(tmp_path / 'sim-state'))
    artifacts = ArtifactServer(str(tmp_path))
    try:
        path = packages.write_candidate(str(tmp_path), VERSION, size_bytes=SIZE)
        digest = sha256_of(path)
        env = {'ANSIBLE_PYTHON_INTERPRETER': interpreter}
        task = {'name': 'upload', 'register': 'out', 'unity.upgrade.upgrade_candidate': {
            'src': path, 'checksum': 'sha256:' + digest, 'upload_timeout': 600}}
        run = run_play([task], module_defaults=sim.connection('array-1'), env=env, timeout=900)
        assert run.rc == 0, run.stdout[-3000:]
        from_src = run.result('upload')
        assert from_src['upload']['sha256'] == digest and from_src['upload']['bytes'] == SIZE

        sim.put_scenario('array-1', {'software_version': BEFORE})  # no candidate again
        task['unity.upgrade.upgrade_candidate'] = {'url': artifacts.url(NAME), 'checksum': 'sha256:' + digest,
                                                   'upload_timeout': 600}
        run = run_play([task], module_defaults=sim.connection('array-1'), env=env, timeout=900)
        assert run.rc == 0, run.stdout[-3000:]
        from_url = run.result('upload')
        assert from_url['upload']['sha256'] == digest and from_url['upload']['bytes'] == SIZE
        assert from_url['upload']['chunked'] is False
        assert [r['status'] for r in uploads(sim)] == [200, 200]
    finally:
        artifacts.stop()
    src_peak, url_peak = peaks()
    with capsys.disabled():
        print('\nupgrade_candidate %d MiB: module peak RSS %.1f MiB from src (%.1f MiB/s), %.1f MiB from url '
              '(%.1f MiB/s)' % (SIZE >> 20, src_peak, from_src['upload']['mib_per_second'], url_peak,
                                from_url['upload']['mib_per_second']))
    assert src_peak < LIMIT_MIB and url_peak < LIMIT_MIB


def peak_of_the_run_mib(collections_path, workdir, tasks, connection):
    """Run ``tasks`` with ansible-playbook's own Python (the collection's modules then run in its workers);
    the peak resident memory of its largest process, main process or worker, in MiB."""
    from conftest import playbook_command
    workdir.mkdir()
    play = {'name': 'upload', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'tasks': tasks,
            'module_defaults': {'group/unity.upgrade.unity': connection}}
    argv, env, dummy = playbook_command(collections_path, str(workdir), [play], verbosity=3)
    report = workdir / 'peak.jsonl'
    done = subprocess.run([sys.executable, write_probe(workdir), str(report)] + argv, env=env, cwd=str(workdir),
                          capture_output=True, text=True, timeout=900, check=False)
    measured = json.loads(report.read_text())
    assert measured['rc'] == 0, done.stdout[-3000:]
    return measured['peak_kib'] / 1024.0, done.stdout


def test_1gib_from_src_in_the_worker_with_flat_memory(start_sim, collections_path, tmp_path, capsys):
    """In ansible-playbook's worker (the way the role and the playbooks run it), the upload does not grow the
    worker either: the run that uploads the file peaks no higher than one that only plans the upload, give or
    take what one upload's buffers hold."""
    sim = start_sim(time_scale=600, scenario={'software_version': BEFORE}, state_dir=str(tmp_path / 'sim-state'))
    path = packages.write_candidate(str(tmp_path), VERSION, size_bytes=SIZE)
    digest = sha256_of(path)
    task = {'name': 'upload', 'unity.upgrade.upgrade_candidate': {
        'src': path, 'checksum': 'sha256:' + digest, 'upload_timeout': 600}}
    planned, dummy = peak_of_the_run_mib(collections_path, tmp_path / 'planned', [dict(task, check_mode=True)],
                                         sim.connection('array-1'))
    uploaded, output = peak_of_the_run_mib(collections_path, tmp_path / 'uploaded', [task], sim.connection('array-1'))
    assert 'unity.upgrade.upgrade_candidate: running' in output and 'AnsiballZ_upgrade_candidate' not in output
    assert [r['status'] for r in uploads(sim)] == [200]
    with capsys.disabled():
        print('\nupgrade_candidate %d MiB in the worker: peak RSS of the run %.1f MiB, %.1f MiB when only planned'
              % (SIZE >> 20, uploaded, planned))
    assert uploaded - planned < 32, (uploaded, planned)
