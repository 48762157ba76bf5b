# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Uploads under fault: the connection dropped at seeded random points of the body, an array that stops
reading (a stall) shorter or longer than the limits. Each failure is one clear line, comes within
upload_timeout (or request_timeout), leaves no partial candidate that any module reports as present,
and the next run uploads the whole file.

The upgrade_candidate and info modules run in this process (test_faults_harness), in parallel, one
array each; a last case goes through ansible-playbook."""


import glob
import os
import random
import threading
import time

from e2e_helpers import one_line, sha256_of
from unity_sim import packages

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
OLD = '5.2.1.0.5.100'
NAME = 'Unity-%s.tgz.bin.gpg' % TARGET
SIZE = (8 << 20) + 4093
SEED = int(os.environ.get('UNITY_FAULT_SEED', '20260707'))
DROPS = 6
UPLOAD_TIMEOUT = 60
PROCESSING_TIMEOUT = 8  # after a lost answer the module waits this long for the candidate


def partial_files(sim, name):
    return glob.glob(os.path.join(sim.ready['state_dir'], name, 'uploads', '*.part'))


def listed(in_process, connection):
    """The candidates unity.upgrade.info reports."""
    info = in_process.run('info', dict(connection, gather_subset=['candidates']))
    assert not info.failed, info.msg
    return [c['parsed_version'] for c in info.result['candidates']]


def run_in_parallel(cases, work):
    results = {}

    def one(key):
        try:
            results[key] = work(key, cases[key])
        except BaseException as exc:  # reported below with its case
            results[key] = exc

    threads = [threading.Thread(target=one, args=(key,)) for key in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    for key, value in results.items():
        if isinstance(value, BaseException):
            raise AssertionError('case %r: %r' % (key, value))
    return results


def test_a_connection_dropped_at_random_points_of_the_body(start_sim, in_process, tmp_path):
    rng = random.Random(SEED)
    points = sorted(rng.randrange(1, SIZE) for dummy in range(DROPS))
    sim = start_sim(arrays=DROPS, time_scale=60)
    package = packages.write_candidate(str(tmp_path), TARGET, size_bytes=SIZE)
    checksum = 'sha256:' + sha256_of(package)
    cases = dict(('array-%d' % (i + 1), point) for i, point in enumerate(points))

    def work(name, point):
        previous = {'candidate': {'version': OLD}} if point % 2 else {}
        sim.put_scenario(name, dict(previous, software_version=BEFORE, upload_drop_at_bytes=point))
        connection = sim.connection(name)
        args = dict(connection, src=package, checksum=checksum, upload_timeout=UPLOAD_TIMEOUT,
                    processing_timeout=PROCESSING_TIMEOUT)
        dropped = in_process.run('upgrade_candidate', args)
        after_drop = (listed(in_process, connection), sim.state(name), partial_files(sim, name))
        again = in_process.run('upgrade_candidate', args)
        return point, previous, dropped, after_drop, again

    report = []
    for name, (point, previous, dropped, after_drop, again) in sorted(run_in_parallel(cases, work).items()):
        report.append((point, dropped.msg))
        assert dropped.failed and dropped.crash is None, (point, dropped.msg)
        assert one_line(dropped.msg), (point, dropped.msg)
        assert dropped.seconds < UPLOAD_TIMEOUT + PROCESSING_TIMEOUT
        cut = dropped.msg.startswith('the upload of %s to https://' % NAME) and (
            'the array keeps no partial candidate, so running the task again is safe' in dropped.msg)
        # the whole body had left this side: the candidates are read back, the upload is not re-sent
        lost = dropped.msg.startswith("the array's answer to the upload of %s could not be read (" % NAME) and (
            'it lists no candidate of version %s %d s after all %d bytes were sent'
            % (TARGET, PROCESSING_TIMEOUT, SIZE) in dropped.msg)
        assert cut or lost, (point, dropped.msg)
        # a reset while the closing boundary was being sent: the whole file went, not the request's end
        whole_file = ' was cut off after all %d bytes of the file, before the end of the request (' % SIZE
        if cut and whole_file not in dropped.msg:
            sent = int(dropped.msg.split(' was cut off after ')[1].split(' ')[0])
            assert 0 <= sent < SIZE and ' of %d bytes (' % SIZE in dropped.msg, (point, dropped.msg)
        versions, state, parts = after_drop
        assert TARGET not in versions, (point, 'a partial candidate is reported as present', versions)
        assert versions == ([OLD] if previous else []), versions
        assert state['pending_candidate'] is None and parts == [], (point, parts)
        assert not again.failed, (point, again.msg)
        result = again.result
        assert result['changed'] is True and result['candidate']['parsed_version'] == TARGET
        assert (result['upload']['bytes'], result['upload']['sha256']) == (SIZE, checksum[7:])
        assert result['upload']['checksum_verified'] is True
        assert (result['replaced'] or {}).get('version') == (OLD if previous else None)
    print('drop points (seed %d): %s' % (SEED, report))


def test_a_stalled_array_fails_within_the_shorter_limit_and_the_next_run_succeeds(start_sim, in_process, tmp_path):
    # the array stops reading at 2 MiB for 600 simulated seconds: 10 real seconds
    stall = {'software_version': BEFORE, 'upload_stall_at_bytes': 2 << 20, 'upload_stall_seconds': 600,
             'upload_processing_seconds': 1}
    sim = start_sim(arrays=2, time_scale=60, scenario=stall)
    package = packages.write_candidate(str(tmp_path), TARGET, size_bytes=SIZE)
    cases = {'array-1': {'request_timeout': 1.5, 'upload_timeout': 3600},
             'array-2': {'request_timeout': 60, 'upload_timeout': 2}}

    def work(name, limits):
        connection = dict(sim.connection(name), request_timeout=limits['request_timeout'])
        args = dict(connection, src=package, upload_timeout=limits['upload_timeout'])
        stalled = in_process.run('upgrade_candidate', args)
        # (the simulator still holds the stalled request's temporary file until its stall ends: not a candidate)
        after = (listed(in_process, connection), sim.state(name)['pending_candidate'])
        again = in_process.run('upgrade_candidate', dict(args, upload_timeout=600))
        return stalled, after, again

    results = run_in_parallel(cases, work)
    stalled, (versions, parts), again = results['array-1']
    assert stalled.failed and one_line(stalled.msg), stalled.msg
    assert stalled.msg.startswith('the upload of %s to https://' % NAME)
    assert stalled.msg.endswith('(the array took no data for 1.5 seconds, the request_timeout); the array keeps '
                                'no partial candidate, so running the task again is safe')
    assert stalled.seconds < 1.5 + 3, 'given up after request_timeout, not after the stall'

    slow, (versions2, parts2), again2 = results['array-2']
    assert slow.failed and one_line(slow.msg), slow.msg
    assert slow.msg.startswith('the upload did not finish within upload_timeout: ')
    assert slow.msg.endswith('bytes of %s were sent; the array keeps no partial candidate. Raise upload_timeout '
                             'for slow links' % NAME)
    assert slow.seconds < 2 + 3, 'given up after upload_timeout (2 s), not after request_timeout or the stall'

    for versions_now, pending, rerun in ((versions, parts, again), (versions2, parts2, again2)):
        assert versions_now == [] and pending is None
        assert not rerun.failed, rerun.msg
        assert rerun.result['changed'] is True and rerun.result['upload']['bytes'] == SIZE


def test_a_dropped_upload_from_an_artifact_url_then_the_next_run(start_sim, run_play, tmp_path):
    """End to end: the package streams from an HTTP server to the array; the array drops it half-way."""
    import http.server
    import functools

    packages.write_candidate(str(tmp_path), TARGET, size_bytes=SIZE)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = 'http://127.0.0.1:%d/%s' % (server.server_address[1], NAME)
        sim = start_sim(time_scale=60, scenario={'software_version': BEFORE, 'upload_drop_at_bytes': SIZE // 2})
        task = {'unity.upgrade.upgrade_candidate': {'url': url, 'upload_timeout': UPLOAD_TIMEOUT}}
        started = time.monotonic()
        run = run_play([dict(task, name='dropped', ignore_errors=True),
                        {'name': 'listed', 'unity.upgrade.info': {'gather_subset': ['candidates']}},
                        dict(task, name='again')],
                       module_defaults=sim.connection('array-1'), timeout=180)
        assert run.rc == 0, run.stdout[-3000:]
        dropped = run.result('dropped')
        assert one_line(dropped['msg']) and 'Traceback' not in run.stdout + run.stderr
        assert dropped['msg'].startswith('the upload of %s to https://' % NAME)
        assert 'the array keeps no partial candidate, so running the task again is safe' in dropped['msg']
        assert run.result('listed')['candidates'] == []
        assert run.result('again')['changed'] is True and run.result('again')['upload']['bytes'] == SIZE
        assert time.monotonic() - started < UPLOAD_TIMEOUT * 2
    finally:
        server.shutdown()
        server.server_close()
