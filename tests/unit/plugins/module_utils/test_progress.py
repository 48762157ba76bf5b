# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The progress lines the action of upgrade_session prints from the module's snapshots (module_utils/progress.py)."""


import json
import os

from hypothesis import given, strategies as st

from ansible_collections.unity.upgrade.plugins.module_utils.progress import ProgressFile, final_snapshot, progress_line, read_snapshot

RUNNING = {'session_id': 'Upgrade_5.3.0.120', 'status_name': 'in_progress', 'percent_complete': 58,
           'current_task': 'Rebooting peer SP', 'estimated_seconds_left': 2410, 'waited_seconds': 1800.0,
           'outages': 1, 'unreachable_seconds': 212.4, 'down': None}


def test_a_line_says_percent_status_task_time_left_and_outages():
    assert progress_line('unity-prod-01', RUNNING) == (
        'unity-prod-01: 58% in_progress - Rebooting peer SP; about 40 min left; 1 outage(s) so far (212 s unreachable)')
    assert progress_line('a', dict(RUNNING, estimated_seconds_left=95)) == (
        'a: 58% in_progress - Rebooting peer SP; about 95 s left; 1 outage(s) so far (212 s unreachable)')


def test_an_outage_under_way_is_in_the_line():
    down = dict(RUNNING, outages=2, unreachable_seconds=307.0,
                down={'seconds': 95.2, 'seen': ['connection refused', 'connection refused (basicSystemInfo)']})
    assert progress_line('a', down) == (
        'a: 58% in_progress - Rebooting peer SP; about 40 min left; the API has not answered for 95 s '
        '(connection refused, connection refused (basicSystemInfo)); 2 outage(s) so far (307 s unreachable)')


def test_no_time_left_once_the_session_is_over_nor_without_an_estimate():
    done = dict(RUNNING, status_name='completed', percent_complete=100, current_task=None)
    assert progress_line('a', done) == 'a: 100% completed; 1 outage(s) so far (212 s unreachable)'
    assert progress_line('a', dict(RUNNING, estimated_seconds_left=None)) == (
        'a: 58% in_progress - Rebooting peer SP; 1 outage(s) so far (212 s unreachable)')


def test_a_module_that_has_gone_quiet_says_so():
    assert progress_line('a', RUNNING, silent_seconds=241.6) == (
        'a: 58% in_progress - Rebooting peer SP; about 40 min left; 1 outage(s) so far (212 s unreachable); '
        'no news from the module for 242 s')


def test_a_snapshot_that_cannot_be_read_is_none(tmp_path):
    path = tmp_path / 'progress.json'
    assert read_snapshot(str(path)) == (None, None)
    path.write_text('{"percent_comp')
    assert read_snapshot(str(path)) == (None, None)
    path.write_text('[1, 2]')
    assert read_snapshot(str(path)) == (None, None)
    path.write_text(json.dumps(RUNNING))
    os.utime(str(path), (1000, 1000))
    snapshot, age = read_snapshot(str(path))
    assert snapshot == RUNNING and age > 10 ** 9


ANY = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12),
                st.lists(st.sampled_from(['', 'refused', '\n', 7]), max_size=3))


@given(st.fixed_dictionaries({}, optional={
    'status_name': ANY, 'percent_complete': ANY, 'current_task': ANY, 'estimated_seconds_left': ANY,
    'outages': ANY, 'unreachable_seconds': ANY,
    'down': st.one_of(ANY, st.fixed_dictionaries({}, optional={'seconds': ANY, 'seen': ANY}))}))
def test_any_snapshot_makes_one_line_that_names_the_host(snapshot):
    line = progress_line('array-7', snapshot)
    assert line.startswith('array-7: ') and '\n' not in line


def test_the_progress_file_is_replaced_whole_and_a_failing_one_costs_only_the_lines(tmp_path):
    path = str(tmp_path / 'progress.json')
    sink = ProgressFile(path)
    sink.write({'percent_complete': 10})
    sink.write({'percent_complete': 20})
    with open(path) as stream:
        assert json.load(stream) == {'percent_complete': 20}
    assert os.listdir(str(tmp_path)) == ['progress.json']
    assert os.stat(path).st_mode & 0o777 == 0o600
    gone = ProgressFile(str(tmp_path / 'no-such-dir' / 'progress.json'))
    gone.write({'percent_complete': 10})  # no exception: the wait goes on without lines
    assert gone.path is None
    ProgressFile(None).write({'percent_complete': 10})


def test_the_progress_file_never_writes_through_a_planted_link(tmp_path):
    victim = tmp_path / 'victim'
    victim.write_text('keep me')
    private = tmp_path / 'private'
    private.mkdir()
    for name in ('progress.json', 'progress.json.partial'):
        os.symlink(str(victim), str(private / name))
    ProgressFile(str(private / 'progress.json')).write({'percent_complete': 30})
    assert victim.read_text() == 'keep me'
    with open(str(private / 'progress.json')) as stream:
        assert json.load(stream) == {'percent_complete': 30}
    assert not os.path.islink(str(private / 'progress.json'))


def test_the_last_line_is_the_session_and_the_outages_of_the_result():
    result = {'changed': False, 'session': {'id': 'Upgrade_5.3.0.120', 'status_name': 'completed', 'percent_complete': 100,
                                            'current_task': None, 'estimated_seconds_left': 0},
              'outages': [{'seconds': 130.4, 'at_start': False}, {'seconds': 121.2, 'at_start': False}]}
    assert progress_line('a', final_snapshot(result)) == 'a: 100% completed; 2 outage(s) so far (252 s unreachable)'
    timed_out = {'failed': True, 'timed_out': True, 'outages': [],
                 'session': {'status_name': 'in_progress', 'percent_complete': 41, 'current_task': 'Rebooting peer SP',
                             'estimated_seconds_left': 3000}}
    assert progress_line('a', final_snapshot(timed_out)) == (
        'a: 41% in_progress - Rebooting peer SP; about 50 min left; 0 outage(s) so far (0 s unreachable)')


@given(st.one_of(st.none(), st.text(), st.lists(st.integers()),
                 st.dictionaries(st.sampled_from(['session', 'outages', 'msg']),
                                 st.one_of(st.none(), st.integers(), st.text(), st.lists(st.one_of(
                                     st.none(), st.dictionaries(st.just('seconds'), st.one_of(
                                         st.none(), st.floats(allow_nan=True), st.text())))),
                                     st.dictionaries(st.sampled_from(['status_name', 'percent_complete']),
                                                     st.one_of(st.none(), st.integers(), st.text()))))))
def test_any_result_makes_a_last_line_or_none(result):
    snapshot = final_snapshot(result)
    if snapshot is not None:
        assert progress_line('a', snapshot).startswith('a: ')
