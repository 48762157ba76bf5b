# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Item 1: upload memory and throughput.

For each size, a generated candidate (unity_sim.packages.write_candidate) goes to one simulated
array over HTTPS three ways, against the same endpoint of the same simulator:

- the ``upgrade_candidate`` module, run by ansible-playbook with an interpreter wrapper
  (rss_probe.py) that records the module process's peak RSS and CPU;
- ``curl -F`` with the login cookie and CSRF token of a ``requests`` login (from a 0600 config
  file, not the command line), under the same probe;
- a naive ``requests`` upload with ``files=`` (naive_upload.py), under the same probe.

Module and curl alternate ``repeat`` times (the best throughput of each counts: on a shared machine
other load only ever slows a run down); the naive upload runs once per size (it holds the file in
memory, twice). Throughput is the file's size over the upload
request's time: the module's own ``upload.seconds``, curl's ``time_total``, the naive call's time.
"""

import json
import os
import shutil
import stat
import sys

import requests

import benchlib as B
from unity_sim import packages

PROBE = os.path.join(B.HERE, 'rss_probe.py')
NAIVE = os.path.join(B.HERE, 'naive_upload.py')
UPLOAD_PATH = '/upload/files/types/candidateSoftwareVersion'
RSS_LIMIT_MIB = 100
FLAT_TOLERANCE = 1.10      # "the same for both sizes": the largest peak within 10 % of the smallest
THROUGHPUT_TARGET = 0.8


def scenario():
    # Login sessions that outlive a slow upload; the candidate is listed at once after it.
    return {'software_version': B.BEFORE, 'idle_timeout': 10 ** 6, 'upload_processing_seconds': 0}


class Uploader:
    def __init__(self, work, sim, path, size):
        self.work = work
        self.sim = sim
        self.path = path
        self.size = size
        self.dir = work.dir('upload-%d' % (size >> 20))
        self.probe_log = os.path.join(self.dir, 'rss.jsonl')
        self.wrapper = os.path.join(self.dir, 'python-rss')
        with open(self.wrapper, 'w') as handle:
            handle.write('#!/bin/sh\nexec %s %s %s -- %s "$@"\n'
                         % (sys.executable, PROBE, self.probe_log, sys.executable))
        os.chmod(self.wrapper, 0o755)

    def _probe_rows(self):
        if not os.path.exists(self.probe_log):
            return []
        with open(self.probe_log) as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def _last_probe(self, marker):
        rows = [r for r in self._probe_rows() if any(marker in a for a in r['argv'])]
        if not rows:
            raise B.BenchError('no resource usage was recorded for %s (%s)' % (marker, self.probe_log))
        return rows[-1]

    def module(self, repeat):
        task = {'name': 'upload', 'register': 'uploaded',
                'vars': {'ansible_python_interpreter': self.wrapper},
                'unity.upgrade.upgrade_candidate': {'src': self.path, 'force': True, 'upload_timeout': 3600}}
        run = B.run_playbook(self.work, 'upload-module-%d-%d' % (self.size >> 20, repeat),
                             [B.play([task], module_defaults=B.connection(self.sim))],
                             timeout=600 + self.size // (5 * B.MIB)).check()
        result = run.result('upload')
        upload = result.get('upload') or {}
        if upload.get('bytes') != self.size:
            raise B.BenchError('the module did not upload the whole file: %s' % result.get('msg'))
        usage = self._last_probe('AnsiballZ_upgrade_candidate')
        return {'seconds': upload['seconds'], 'maxrss_kib': usage['maxrss_kib'],
                'cpu': usage['utime'] + usage['stime'], 'wall': run.wall}

    def _login(self):
        array = self.sim.array('array-1')
        session = requests.Session()
        session.trust_env = False
        session.verify = self.sim.ca_file
        session.headers.update({'X-EMC-REST-CLIENT': 'true', 'Accept': 'application/json'})
        response = session.get(self.sim.url('array-1') + B.LOGIN_PATH, params={'compact': 'true', 'fields': 'id'},
                               auth=(array['username'], array['password']), timeout=30)
        response.raise_for_status()
        return session, response.headers['EMC-CSRF-TOKEN']

    def _logout(self, session, token):
        session.post(self.sim.url('array-1') + '/api/types/loginSessionInfo/action/logout',
                     json={'localCleanupOnly': 'true'}, headers={'EMC-CSRF-TOKEN': token}, timeout=30)
        session.close()

    def curl(self, repeat):
        session, token = self._login()
        config = os.path.join(self.dir, 'curl-%d.cfg' % repeat)
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, 'w') as handle:
            handle.write('header = "EMC-CSRF-TOKEN: %s"\nheader = "X-EMC-REST-CLIENT: true"\n' % token)
            handle.write('cookie = "%s"\n' % '; '.join('%s=%s' % (c.name, c.value) for c in session.cookies))
        argv = [sys.executable, PROBE, self.probe_log, '--', B.require_tool('curl', 'curl'), '-sS',
                '--cacert', self.sim.ca_file, '-K', config, '-F', 'filename=@%s' % self.path,
                '-o', os.devnull, '-w', '%{http_code} %{time_total}', self.sim.url('array-1') + UPLOAD_PATH]
        try:
            rc, _wall, out, err = B.run_measured(argv, timeout=600 + self.size // (5 * B.MIB))
        finally:
            os.unlink(config)
            self._logout(session, token)
        fields = out.split()
        if rc != 0 or len(fields) != 2 or fields[0] != '200':
            raise B.BenchError('curl upload failed (exit %s): %s %s' % (rc, out.strip(), err.strip()[-500:]))
        usage = self._last_probe('curl')
        return {'seconds': float(fields[1]), 'maxrss_kib': usage['maxrss_kib'],
                'cpu': usage['utime'] + usage['stime']}

    def naive(self):
        array = self.sim.array('array-1')
        env = dict(os.environ, NAIVE_UPLOAD_PASSWORD=array['password'])
        argv = [sys.executable, PROBE, self.probe_log, '--', sys.executable, NAIVE, self.sim.url('array-1'),
                self.sim.ca_file, array['username'], '-', self.path]
        rc, _wall, out, err = B.run_measured(argv, timeout=600 + self.size // (5 * B.MIB), env=env)
        if rc != 0:
            raise B.BenchError('naive requests upload failed (exit %s): %s %s'
                               % (rc, out.strip(), err.strip()[-500:]))
        answer = json.loads(out.strip().splitlines()[-1])
        usage = self._last_probe('naive_upload.py')
        return {'seconds': answer['seconds'], 'maxrss_kib': usage['maxrss_kib'],
                'cpu': usage['utime'] + usage['stime']}


def mib_s(size, seconds):
    return size / float(B.MIB) / seconds if seconds else None


def run(work, sizes_mib, repeat):
    """Returns {'sizes': [per-size dict], 'skipped': [reasons]}."""
    B.require_tool('curl', 'curl')
    results = {'sizes': [], 'skipped': []}
    files_dir = work.dir('packages')
    for size_mib in sizes_mib:
        size = int(size_mib) << 20
        needed = 3 * size + 512 * B.MIB  # the file, the simulator's stored copy, its .part on a re-upload
        free = B.free_bytes(work.path)
        if free < needed:
            reason = ('%s upload skipped: needs %.1f GiB free in %s (the file, the simulator\'s copy and its '
                      'partial re-upload), %.1f GiB are free'
                      % (_size_text(size), needed / float(B.GIB), work.path, free / float(B.GIB)))
            B.log(reason)
            results['skipped'].append(reason)
            continue
        B.log('upload %s: writing the package (%.1f GiB free)' % (_size_text(size), free / float(B.GIB)))
        path = packages.write_candidate(files_dir, B.TARGET, size_bytes=size)
        state_dir = work.dir('sim-upload-%d' % size_mib)
        sim = B.start_simulator(work, scenario=scenario(), state_dir=state_dir, label='sim-upload-%d' % size_mib)
        try:
            uploader = Uploader(work, sim, path, size)
            entry = {'size': size, 'module': [], 'curl': [], 'naive': None, 'naive_skipped': None,
                     'disk': '%.1f GiB free, %.1f GiB needed' % (free / float(B.GIB), needed / float(B.GIB))}
            for index in range(repeat):
                entry['module'].append(uploader.module(index))
                entry['curl'].append(uploader.curl(index))
                B.log('upload %s #%d: module %.0f MiB/s (peak %s), curl %.0f MiB/s (peak %s)' % (
                    _size_text(size), index + 1, mib_s(size, entry['module'][-1]['seconds']),
                    B.mib(entry['module'][-1]['maxrss_kib'] * 1024), mib_s(size, entry['curl'][-1]['seconds']),
                    B.mib(entry['curl'][-1]['maxrss_kib'] * 1024)))
            available = B.mem_available_bytes()
            if available is not None and available < 2.5 * size + B.GIB:
                entry['naive_skipped'] = ('not run: requests files= holds the file twice in memory; %.1f GiB '
                                          'available, %.1f GiB needed' % (available / float(B.GIB),
                                                                          (2.5 * size + B.GIB) / B.GIB))
            else:
                entry['naive'] = uploader.naive()
                B.log('upload %s: naive requests %.0f MiB/s (peak %s)' % (
                    _size_text(size), mib_s(size, entry['naive']['seconds']),
                    B.mib(entry['naive']['maxrss_kib'] * 1024)))
            results['sizes'].append(entry)
        finally:
            B.stop_simulator(sim)
            os.unlink(path)
            shutil.rmtree(state_dir, ignore_errors=True)
    return results


def _size_text(size):
    return '%g GiB' % (size / float(B.GIB)) if size >= B.GIB else '%d MiB' % (size >> 20)


def figures(results):
    rows = []
    peaks = []
    for entry in results['sizes']:
        size = entry['size']
        label = _size_text(size)
        module_peak = max(m['maxrss_kib'] for m in entry['module']) * 1024
        curl_peak = max(c['maxrss_kib'] for c in entry['curl']) * 1024
        peaks.append(module_peak)
        reference = 'curl -F %s' % B.mib(curl_peak)
        if entry['naive']:
            reference += '; requests files= %s' % B.mib(entry['naive']['maxrss_kib'] * 1024)
        else:
            reference += '; requests files= %s' % entry['naive_skipped']
        rows.append(B.Figure(1, 'upgrade_candidate module process peak RSS, %s' % label, B.mib(module_peak),
                             reference, None, '< %d MiB' % RSS_LIMIT_MIB, module_peak < RSS_LIMIT_MIB * B.MIB))
        module_speed = max(mib_s(size, m['seconds']) for m in entry['module'])
        curl_speed = max(mib_s(size, c['seconds']) for c in entry['curl'])
        reference = 'curl -F %.0f MiB/s' % curl_speed
        if entry['naive']:
            reference += '; requests files= %.0f MiB/s' % mib_s(size, entry['naive']['seconds'])
        ratio = module_speed / curl_speed
        rows.append(B.Figure(1, 'upload throughput, %s (best of %d)' % (label, len(entry['module'])),
                             '%.0f MiB/s' % module_speed, reference, ratio, '>= %.1f of curl' % THROUGHPUT_TARGET,
                             ratio >= THROUGHPUT_TARGET))
    if len(peaks) > 1:
        spread = max(peaks) / min(peaks)
        labels = ' vs '.join('%s %s' % (_size_text(e['size']), B.mib(p)) for e, p in zip(results['sizes'], peaks))
        rows.append(B.Figure(1, 'module peak RSS, largest / smallest size', labels, '', spread,
                             'the same for all sizes (<= %.2f)' % FLAT_TOLERANCE, spread <= FLAT_TOLERANCE))
    for reason in results['skipped']:
        rows.append(B.Figure(1, 'upload', 'not measured', '', None, '', False, reason))
    return rows


def details(results):
    headers = ['size', 'client', 'runs', 'peak RSS', 'MiB/s (best)', 'seconds (each run)', 'CPU s (median)',
               'disk (scratch space)']
    rows = []
    for entry in results['sizes']:
        size = entry['size']
        for client in ('module', 'curl'):
            runs = entry[client]
            rows.append([_size_text(size), {'module': 'upgrade_candidate', 'curl': 'curl -F'}[client], len(runs),
                         B.mib(max(r['maxrss_kib'] for r in runs) * 1024),
                         '%.0f' % max(mib_s(size, r['seconds']) for r in runs),
                         ', '.join('%.2f' % r['seconds'] for r in runs),
                         '%.2f' % B.median([r['cpu'] for r in runs]), entry['disk'] if client == 'module' else ''])
        naive = entry['naive']
        if naive:
            rows.append([_size_text(size), 'requests files=', 1, B.mib(naive['maxrss_kib'] * 1024),
                         '%.0f' % mib_s(size, naive['seconds']), '%.2f' % naive['seconds'], '%.2f' % naive['cpu'], ''])
        else:
            rows.append([_size_text(size), 'requests files=', 0, entry['naive_skipped'], '', '', '', ''])
    return headers, rows
