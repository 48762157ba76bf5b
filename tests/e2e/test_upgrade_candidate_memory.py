# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A 1 GiB candidate uploads from src and from url with the module process's peak resident memory
under 100 MiB, and the sha256 it reports is the file's.

The module runs under an interpreter wrapper that records the peak RSS of the module process
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``). Takes about half a minute; set
``UNITY_SKIP_MEMORY_TEST=1`` to skip it, ``UNITY_MEMORY_TEST_MIB`` to change the file size.
"""


import json
import os
import stat
import sys

import pytest

from e2e_helpers import ArtifactServer, sha256_of, uploads
from unity_sim import packages

VERSION = '5.3.0.0.5.120'
NAME = 'Unity-%s.tgz.bin.gpg' % VERSION
BEFORE = '5.2.0.0.5.173'
SIZE = int(os.environ.get('UNITY_MEMORY_TEST_MIB', '1024')) << 20
LIMIT_MIB = 100

PROBE = '''
import json, resource, subprocess, sys
done = subprocess.run([%(python)r] + sys.argv[1:])
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(%(log)r, 'a') as handle:
    handle.write(json.dumps({'args': sys.argv[1:], 'peak_kib': peak_kib}) + '\\n')
sys.exit(done.returncode)
'''

pytestmark = pytest.mark.skipif(bool(os.environ.get('UNITY_SKIP_MEMORY_TEST')),
                                reason='UNITY_SKIP_MEMORY_TEST is set')


@pytest.fixture
def measured_interpreter(tmp_path):
    """An interpreter for Ansible that logs each module process's peak RSS."""
    log = str(tmp_path / 'rss.jsonl')
    probe = tmp_path / 'rss_probe.py'
    probe.write_text(PROBE % {'python': sys.executable, 'log': log})
    wrapper = tmp_path / 'python-rss'
    wrapper.write_text('#!/bin/sh\nexec %s %s "$@"\n' % (sys.executable, probe))
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
