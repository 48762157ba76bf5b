# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Several runs of the fleet playbook (unity.upgrade.upgrade) against the same arrays at the same time:
colleagues started the same job four times (#13 §2).

What a user expects, and what is asserted: each array gets exactly one upgrade session and one create
that the array took; every run ends green with every array upgraded: one run created each array's
session, the others adopted it and waited for it; uploads that raced each other left a whole candidate,
and the ones that came while a session ran were refused by the array, not half-taken. Each run's report
lists each array once."""


import json
import threading
import time

from e2e_helpers import session_creates
from unity_sim.packages import write_candidate

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
FAST = {'software_version': BEFORE, 'upgrade_minutes': 20, 'reboot_outage_seconds': 150,
        'service_restart_seconds': 40}
RUN_VARS = {'unity_upgrade_target_version': TARGET, 'unity_upgrade_poll_interval': 1,
            'unity_upgrade_progress_interval': 4, 'unity_upgrade_outage_tolerance': 120}


FLEET = ('array-1', 'array-2', 'array-3', 'array-4', 'array-5')
UPLOADING = ('array-1', 'array-2')     # the others have the candidate already
RUNS = ('a', 'b', 'c', 'd')


def test_four_fleet_runs_at_once_upgrade_each_of_five_arrays_once(start_sim, run_playbook, tmp_path):
    """#13 §2: four runs of the fleet playbook started together on the same five arrays (serial 5), two of
    which need the package uploaded by all four at once."""
    sim = start_sim(arrays=len(FLEET), time_scale=120, scenario={'arrays': dict(
        (name, FAST if name in UPLOADING else dict(FAST, candidate={'version': TARGET})) for name in FLEET)})
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    package = write_candidate(str(tmp_path), TARGET, 8 << 20)
    barrier = threading.Barrier(len(RUNS))
    runs = {}

    def play(which):
        barrier.wait()
        runs[which] = run_playbook('unity.upgrade.upgrade', inventory=inventory, timeout=420, extra_vars=dict(
            RUN_VARS, unity_upgrade_candidate_src=package, unity_upgrade_serial=len(FLEET),
            unity_upgrade_report_dir=str(tmp_path / ('report-' + which))))

    threads = [threading.Thread(target=play, args=(which,)) for which in RUNS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(450)

    for which in RUNS:
        run = runs[which]
        # every run ends green: it created the session of an array, or adopted the one another run started
        assert run.rc == 0, (which, run.stdout[-4000:])
        assert all(run.recap()[name]['failed'] == 0 for name in FLEET), (which, run.recap())
        assert 'Traceback' not in run.stdout + run.stderr
    starts = dict((which, dict((r['host'], r['result']) for r in runs[which].records
                               if r['task'].endswith('Start the upgrade, or adopt the session that runs it')))
                  for which in RUNS)
    for name in FLEET:
        state = sim.state(name)
        assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], (name, state['sessions'])
        assert state['software_version'] == TARGET
        creates = session_creates(sim.requests(name))
        assert [r['status'] for r in creates if r['status'] == 201] == [201], (name, 'one create took', creates)
        assert all(r['status'] in (201, 409) for r in creates), (name, creates)
        # each run started it or adopted it; a run that came to its start after the upgrade had completed
        # found the array at the target (nothing to do), one whose preflight came after it skipped the start
        results = [starts[which][name] for which in RUNS if name in starts[which]]
        actions = sorted(r.get('action', 'skipped') for r in results)
        assert actions.count('created') == 1 and set(actions) <= {'created', 'adopted', 'none', 'skipped'}, (name, actions)
        assert all(r['msg'].endswith('the array runs %s: nothing to do' % TARGET)
                   or 'the array already runs %s' % TARGET in r['msg'] for r in results if r.get('action') == 'none'), results
        if name in UPLOADING:
            # uploads raced: each that the array took was whole; the ones that came while a session ran
            # were refused (409); the session's candidate is a whole package
            uploads = [r['status'] for r in sim.requests(name) if r['path'].startswith('/upload/')]
            assert 200 in uploads and set(uploads) <= {200, 409}, (name, uploads)
            assert state['candidate'] is None or state['candidate']['bytes'] == 8 << 20, (name, state['candidate'])
    for which in RUNS:
        with open(str(tmp_path / ('report-' + which) / 'report.json')) as handle:
            report = json.load(handle)
        assert sorted(a['array'] for a in report['arrays']) == list(FLEET), (which, report['arrays'])
        for summary in report['arrays']:
            assert summary['version_after'] == TARGET, (which, summary)
            assert summary['outcome'] == ('current' if summary['version_before'] == TARGET else 'upgraded'), summary


# -- the races inside, in this process (test_faults_harness) ------------------------------------

def test_four_runs_racing_to_create_make_one_session_and_all_wait_for_it(start_sim, in_process):
    """The reads of the session list are slowed so that every run decides "create" before any
    create reaches the array: one create takes, the others get 409 and adopt."""
    sim = start_sim(time_scale=600, scenario=dict(
        FAST, upgrade_minutes=15, candidate={'version': TARGET},
        faults=[{'start': 0, 'duration': 100000, 'kind': 'slow', 'delay_ms': 400, 'method': 'GET',
                 'path': '/api/types/upgradeSession/instances'}]))
    args = dict(sim.connection('array-1'), version=TARGET, poll_interval=0.1, outage_tolerance=10, wait_timeout=60)
    results = {}
    barrier = threading.Barrier(4)

    def run(which):
        barrier.wait()
        results[which] = in_process.run('upgrade_session', args)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    for which, result in results.items():
        assert not result.failed, (which, result.msg, result.crash)
        assert result.result['session']['status_name'] == 'completed' and result.result['version_after'] == TARGET
    actions = sorted(r.result['action'] for r in results.values())
    assert actions == ['adopted', 'adopted', 'adopted', 'created'], [r.msg for r in results.values()]
    assert [r.result['changed'] for r in results.values()].count(True) == 1
    creates = session_creates(sim.requests('array-1'))
    assert sorted(r['status'] for r in creates) == [201, 409, 409, 409], 'each run sent one create, one took'
    for result in results.values():
        if result.result['action'] == 'adopted':
            assert 'another client started session Upgrade_5.3.0.120' in result.msg
    assert [s['status_name'] for s in sim.state('array-1')['sessions']] == ['Upgrade_Completed']


def test_an_upload_overtaken_by_the_same_job_reports_its_candidate(start_sim, in_process, tmp_path):
    """Run B streams the package; meanwhile run A uploads the same version and starts the upgrade.
    The array refuses B's upload (a session is active): B reports A's candidate, no change."""
    sim = start_sim(time_scale=60, scenario=dict(FAST, upgrade_minutes=60, upload_processing_seconds=1,
                                                 upload_stall_at_bytes=1 << 20, upload_stall_seconds=180))
    package = write_candidate(str(tmp_path), TARGET, 4 << 20)
    connection = dict(sim.connection('array-1'), request_timeout=10)
    results = {}

    def upload(which):
        results[which] = in_process.run('upgrade_candidate', dict(connection, src=package))

    slow = threading.Thread(target=upload, args=('b',))
    slow.start()
    deadline = time.monotonic() + 30
    while sim.state('array-1')['uploads']['in_progress'] == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # B is stalled now (the stall is a one-shot: A's upload goes through)
    upload('a')
    started = in_process.run('upgrade_session', dict(connection, version=TARGET, wait=False))
    slow.join(60)

    assert not results['a'].failed and results['a'].result['changed'] is True, results['a'].msg
    assert not started.failed and started.result['action'] == 'created', started.msg
    b = results['b']
    assert not b.failed, b.msg
    assert b.result['changed'] is False
    assert b.result['candidate']['id'] == results['a'].result['candidate']['id']
    assert b.msg == ('while this upload ran, another client put candidate %s (version %s) on the array and started '
                     'session Upgrade_5.3.0.120 (in_progress) with it: nothing uploaded'
                     % (results['a'].result['candidate']['id'], TARGET))
    state = sim.state('array-1')
    assert len(state['sessions']) == 1 and state['candidate']['id'] == results['a'].result['candidate']['id']
    uploads = [r for r in sim.requests('array-1') if r['path'].startswith('/upload/')]
    assert sorted(r['status'] for r in uploads) == [200, 409]
