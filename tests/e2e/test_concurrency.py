# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Two runs of the fleet playbook (unity.upgrade.upgrade) against the same array at the same time: a
colleague started the same job twice.

What a user expects, and what is asserted: the array gets exactly one upgrade session; both runs end
green with the array upgraded; exactly one of them changed the array (created the session), the other
adopted that session and waited for it (its summary says so), and neither sent a second create."""


import json
import threading
import time

import pytest

from e2e_helpers import session_creates
from unity_sim.packages import write_candidate

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
FAST = {'software_version': BEFORE, 'upgrade_minutes': 20, 'reboot_outage_seconds': 150,
        'service_restart_seconds': 40}
RUN_VARS = {'unity_upgrade_target_version': TARGET, 'unity_upgrade_poll_interval': 1,
            'unity_upgrade_progress_interval': 4, 'unity_upgrade_outage_tolerance': 120}


def session_result(run):
    """The result of the role's start task (create or adopt)."""
    found = [r['result'] for r in run.records
             if r['task'].endswith('Start the upgrade, or adopt the session that runs it')]
    assert len(found) == 1, [r['task'] for r in run.records]
    return found[0]


@pytest.mark.parametrize('upload', [False, True], ids=['candidate-on-the-array', 'both-upload-the-candidate'])
def test_two_runs_at_once_make_one_session_one_creates_the_other_adopts(start_sim, run_playbook, tmp_path, upload):
    scenario = dict(FAST) if upload else dict(FAST, candidate={'version': TARGET})
    sim = start_sim(time_scale=120, scenario=scenario)
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    extra = dict(RUN_VARS)
    if upload:
        extra['unity_upgrade_candidate_src'] = write_candidate(str(tmp_path), TARGET, 8 << 20)
    runs = {}

    def play(which):
        runs[which] = run_playbook('unity.upgrade.upgrade', inventory=inventory, timeout=300, extra_vars=dict(
            extra, unity_upgrade_report_dir=str(tmp_path / ('report-' + which))))

    threads = [threading.Thread(target=play, args=(which,)) for which in ('a', 'b')]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(330)

    for which, run in sorted(runs.items()):
        assert run.rc == 0, (which, run.stdout[-4000:])
        assert run.recap()['array-1']['failed'] == 0
        assert 'Traceback' not in run.stdout + run.stderr
    state = sim.state('array-1')
    assert [s['status_name'] for s in state['sessions']] == ['Upgrade_Completed'], 'exactly one session'
    assert state['software_version'] == TARGET
    creates = session_creates(sim.requests('array-1'))
    assert [r['status'] for r in creates if r['status'] == 201] == [201], 'one create took'
    assert len(creates) <= 2 and all(r['status'] in (201, 409) for r in creates), creates

    starts = dict((which, session_result(run)) for which, run in runs.items())
    actions = sorted(result['action'] for result in starts.values())
    assert actions == ['adopted', 'created'], starts
    creator = [w for w, r in starts.items() if r['action'] == 'created'][0]
    adopter = [w for w, r in starts.items() if r['action'] == 'adopted'][0]
    assert starts[creator]['changed'] is True and starts[adopter]['changed'] is False
    assert starts[creator]['session']['id'] == starts[adopter]['session']['id']
    assert 'adopted' in starts[adopter]['msg']
    for which in ('a', 'b'):
        with open(str(tmp_path / ('report-' + which) / 'report.json')) as handle:
            report = json.load(handle)
        summary = report['arrays'][0]
        assert (summary['outcome'], summary['version_after']) == ('upgraded', TARGET), (which, summary)
        assert summary['session_id'] == starts[creator]['session']['id']


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
