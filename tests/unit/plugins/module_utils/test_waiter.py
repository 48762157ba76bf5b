# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waiter on a fake clock: outages, re-login, limits and every ending, in zero time."""


import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.unity.upgrade.plugins.module_utils.rest import (
    UnityApiError,
    UnityAuthError,
    UnityConnectionError,
)
from ansible_collections.unity.upgrade.plugins.module_utils.upgrade import UpgradeApi, session
from ansible_collections.unity.upgrade.plugins.module_utils.waiter import (
    SessionWaiter,
    describe_state,
    outage_symptom,
)

from ansible_collections.unity.upgrade.tests.unit.framework.clock import FakeClock
from ansible_collections.unity.upgrade.tests.unit.framework.shapes import raw_session
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply


def refused():
    return UnityConnectionError('GET /api/instances/upgradeSession/x: cannot reach https://a:443: '
                                'connection refused', maybe_applied=False, reason='connection refused')


def reset():
    return UnityConnectionError('GET /api/instances/upgradeSession/x: cannot reach https://a:443: '
                                'the connection was reset', reason='the connection was reset')


def http(status):
    return UnityApiError('GET /x failed with HTTP %s: down' % status, http_status=status)


class FakeClient:
    def __init__(self):
        self.stats = {'logins': 1, 'requests': 0}


class TimelineApi:
    """Answers by simulated time: ``timeline`` is [(until, answer)], answer a raw session,
    an exception, or a callable(api) returning either (to play a re-login)."""

    def __init__(self, clock, timeline, basic=None):
        self.clock = clock
        self.timeline = timeline
        self.client = FakeClient()
        self.reads = []
        self.probes = 0
        self.basic = basic  # callable(t) -> None or exception; default: up when the session is

    def _answer(self):
        for until, answer in self.timeline:
            if self.clock.now < until:
                return answer
        return self.timeline[-1][1]

    def get_session(self, session_id, retry=None):
        assert retry is False, 'the waiter reads without client retries'
        self.reads.append(self.clock.now)
        answer = self._answer()
        if callable(answer) and not isinstance(answer, dict):
            answer = answer(self)
        if isinstance(answer, Exception):
            raise answer
        return session(answer, 'upgradeSession')

    def basic_system_info(self, retry=None):
        assert retry is False
        self.probes += 1
        if self.basic is not None:
            error = self.basic(self.clock.now)
        else:
            answer = self._answer()
            error = answer if isinstance(answer, Exception) else None
        if error is not None:
            raise error
        return {'id': '0', 'softwareVersion': '5.2.0'}


def make_waiter(api, clock, **kwargs):
    kwargs.setdefault('poll_interval', 30)
    kwargs.setdefault('wait_timeout', 10800)
    kwargs.setdefault('outage_tolerance', 1800)
    return SessionWaiter(api, 'Upgrade_5.3.0.120', clock=clock.clock, **kwargs)


def relogin_then(raw):
    """A read that needed a fresh login (the client's 401 handling) and then answered."""
    def answer(api):
        api.client.stats['logins'] += 1
        return raw
    return answer


# -- endings --------------------------------------------------------------------------------

def test_completed_after_progress_is_recorded_once_per_change():
    clock = FakeClock()
    api = TimelineApi(clock, [(60, raw_session(1, 10, 2)), (120, raw_session(1, 40, 5)),
                              (10 ** 9, raw_session(2, 100))])
    seen = []
    result = make_waiter(api, clock, on_progress=seen.append).wait()
    assert result.outcome == 'completed' and result.ok and result.finished
    assert result.waited_seconds == 120
    assert [p['percent_complete'] for p in result.progress] == [10, 40, 100]
    assert [p['current_task'] for p in result.progress] == [
        'Preparing system software', 'Installing new software on peer SP', None]
    assert seen == result.progress
    assert result.progress[0]['time'] == '2026-01-01T00:00:00.000Z'
    assert result.outages == [] and result.relogins == 0
    assert set(clock.sleeps) == {30}


def test_initial_final_session_returns_without_reading():
    clock = FakeClock()
    api = TimelineApi(clock, [(10 ** 9, raw_session(2, 100))])
    result = make_waiter(api, clock).wait(initial=session(raw_session(2, 100), 'upgradeSession'))
    assert result.outcome == 'completed' and api.reads == [] and result.waited_seconds == 0


def test_paused_before_reboot_is_an_ok_ending():
    clock = FakeClock()
    api = TimelineApi(clock, [(90, raw_session(1, 20, 2)), (10 ** 9, raw_session(6, 27, 3))])
    result = make_waiter(api, clock).wait()
    assert result.outcome == 'paused' and result.ok
    assert result.session['current_task'] == 'Waiting for reboot command'
    assert "paused at task 'Waiting for reboot command'" in result.message
    assert 'state: resumed' in result.message


@pytest.mark.parametrize('status', [8, 9])
def test_waiting_for_user_and_paused_lock_end_as_paused(status):
    clock = FakeClock()
    api = TimelineApi(clock, [(10 ** 9, raw_session(status, 60, 8))])
    assert make_waiter(api, clock).wait().outcome == 'paused'


@pytest.mark.parametrize('status,name', [(3, 'failed'), (4, 'failed_lock')])
def test_failed_names_the_task_and_the_arrays_messages(status, name):
    clock = FakeClock()
    message = {'errorCode': 'upgrade::install_failed_1', 'severity': 3,
               'messages': [{'locale': 'en_US', 'message': 'Installing the software on SP B failed.'}]}
    api = TimelineApi(clock, [(30, raw_session(1, 30, 5)),
                              (10 ** 9, raw_session(status, 45, 5, task_status=3, messages=[message]))])
    result = make_waiter(api, clock).wait()
    assert result.outcome == 'failed' and not result.ok
    assert "is %s at task 'Installing new software on peer SP' (45%%)" % name in result.message
    assert 'Installing the software on SP B failed.' in result.message


def test_cancelled_on_the_array_ends_the_wait():
    clock = FakeClock()
    api = TimelineApi(clock, [(30, raw_session(6, 27, 3)), (10 ** 9, raw_session(5, 27, 3))])
    result = make_waiter(api, clock, settle_statuses=(6,)).wait()
    assert result.outcome == 'cancelled' and not result.ok


def test_settle_statuses_wait_for_the_array_to_take_a_resume_in():
    clock = FakeClock()
    # still shows paused for 40 s after the resume, then runs and completes
    api = TimelineApi(clock, [(40, raw_session(6, 27, 3)), (100, raw_session(1, 50, 6)),
                              (10 ** 9, raw_session(2, 100))])
    result = make_waiter(api, clock, settle_statuses=(6,)).wait(
        initial=session(raw_session(6, 27, 3), 'upgradeSession'))
    assert result.outcome == 'completed'


def test_settle_gives_up_when_the_status_never_changes():
    clock = FakeClock()
    api = TimelineApi(clock, [(10 ** 9, raw_session(6, 27, 3))])
    result = make_waiter(api, clock, settle_statuses=(6,), settle_seconds=90).wait()
    assert result.outcome == 'paused' and result.waited_seconds == 90


# -- limits ---------------------------------------------------------------------------------

def test_wait_timeout_says_the_upgrade_goes_on():
    clock = FakeClock()
    api = TimelineApi(clock, [(10 ** 9, raw_session(1, 63, 6))])
    result = make_waiter(api, clock, wait_timeout=100).wait()
    assert result.outcome == 'timeout' and not result.finished
    assert result.waited_seconds == 100
    assert api.reads == [0, 30, 60, 90, 100], 'a last read at the deadline'
    assert 'goes on on the array' in result.message
    assert "Upgrade_5.3.0.120 in_progress at 63%, task 'Rebooting peer SP'" in result.message


def test_timeout_during_an_outage_says_so():
    clock = FakeClock()
    api = TimelineApi(clock, [(50, raw_session(1, 63, 6)), (10 ** 9, refused())])
    result = make_waiter(api, clock, wait_timeout=200).wait()
    assert result.outcome == 'timeout'
    assert 'has not answered for the last' in result.message and 'connection refused' in result.message


def test_an_outage_shorter_than_the_tolerance_is_survived_and_recorded():
    clock = FakeClock()
    api = TimelineApi(clock, [
        (300, raw_session(1, 40, 6)),            # Rebooting peer SP
        (800, refused()),
        (1000, http(503)),                       # services restarting
        (1030, relogin_then(raw_session(1, 55, 7))),
        (10 ** 9, raw_session(2, 100)),
    ])
    result = make_waiter(api, clock, outage_tolerance=900).wait()
    assert result.outcome == 'completed'
    assert len(result.outages) == 1
    outage = result.outages[0]
    assert outage['start'] == '2026-01-01T00:05:00.000Z'
    assert outage['seconds'] == 720 and outage['ended'] is True
    assert outage['during_task'] == 'Rebooting peer SP' and outage['percent_complete'] == 40
    assert outage['seen'] == ['connection refused', 'connection refused (basicSystemInfo)',
                              'HTTP 503 (basicSystemInfo)',
                              'basicSystemInfo answers again',
                              'login session lost (HTTP 401): logged in again']
    assert result.relogins == 1
    # while down, the session is read only after basicSystemInfo answers (no login storm)
    assert not [t for t in api.reads if 300 < t < 1020]


def test_two_reboot_outages_are_two_records():
    clock = FakeClock()
    api = TimelineApi(clock, [
        (100, raw_session(1, 40, 6)), (400, reset()), (500, raw_session(1, 60, 8)),
        (900, refused()), (1000, http(503)), (10 ** 9, raw_session(2, 100)),
    ])
    result = make_waiter(api, clock, outage_tolerance=600).wait()
    assert result.outcome == 'completed'
    assert [(o['start'][11:19], o['seconds']) for o in result.outages] == [
        ('00:02:00', 300), ('00:08:30', 510)]
    assert [o['seen'][:2] for o in result.outages] == [
        ['the connection was reset', 'the connection was reset (basicSystemInfo)'],
        ['connection refused', 'connection refused (basicSystemInfo)']]


def test_an_outage_longer_than_the_tolerance_fails_with_the_last_state_and_may_go_on():
    clock = FakeClock()
    api = TimelineApi(clock, [(600, raw_session(1, 72, 9)), (10 ** 9, refused())])
    result = make_waiter(api, clock, outage_tolerance=1800).wait()
    assert result.outcome == 'unreachable' and not result.ok
    assert result.waited_seconds == 2400
    assert result.outages[0]['seconds'] >= 1800 and result.outages[0]['ended'] is False
    assert 'more than outage_tolerance (1800 s' in result.message
    assert ("the last state seen was session Upgrade_5.3.0.120 in_progress at 72%, "
            "task 'Rebooting the primary SP'") in result.message
    assert 'the upgrade may go on on the array' in result.message


def test_the_outage_is_measured_from_the_first_failed_read_and_checked_exactly():
    clock = FakeClock()
    api = TimelineApi(clock, [(600, raw_session(1, 72, 9)), (10 ** 9, http(503))])
    result = make_waiter(api, clock, outage_tolerance=100).wait()
    assert result.outcome == 'unreachable'
    assert result.outages[0]['seconds'] == 100 and result.waited_seconds == 700


def test_an_outage_from_the_first_read_still_fails_cleanly():
    clock = FakeClock()
    api = TimelineApi(clock, [(10 ** 9, refused())])
    result = make_waiter(api, clock, outage_tolerance=60).wait()
    assert result.outcome == 'unreachable'
    assert 'no session state was read' in result.message


def test_a_relogin_that_fails_with_503_or_refused_is_part_of_the_outage():
    clock = FakeClock()
    api = TimelineApi(clock, [
        (60, raw_session(1, 40, 6)),
        (120, UnityAuthError('login refused (HTTP 401)', http_status=401)),
        (10 ** 9, raw_session(2, 100)),
    ], basic=lambda t: None)
    result = make_waiter(api, clock).wait()
    assert result.outcome == 'completed'
    assert result.outages[0]['seen'][0] == 'HTTP 401 (login refused)'


@pytest.mark.parametrize('error', [
    UnityApiError('GET x failed with HTTP 404: gone', http_status=404),
    UnityApiError('GET x failed with HTTP 422: bad field', http_status=422),
    UnityAuthError('the password must be changed', http_status=200),
])
def test_real_errors_are_not_waited_out(error):
    clock = FakeClock()
    api = TimelineApi(clock, [(60, raw_session(1, 40, 6)), (10 ** 9, error)])
    with pytest.raises(UnityApiError):
        make_waiter(api, clock).wait()


def test_without_probe_the_session_is_read_through_the_outage():
    clock = FakeClock()
    api = TimelineApi(clock, [(60, raw_session(1, 40, 6)), (200, reset()), (10 ** 9, raw_session(2, 100))])
    result = make_waiter(api, clock, probe=False).wait()
    assert result.outcome == 'completed' and api.probes == 0
    assert result.outages[0]['seen'] == ['the connection was reset']


@pytest.mark.parametrize('name,value', [('poll_interval', 0), ('wait_timeout', -1),
                                        ('outage_tolerance', None)])
def test_limits_must_be_positive(name, value):
    clock = FakeClock()
    with pytest.raises(ValueError, match=name):
        make_waiter(TimelineApi(clock, [(1, raw_session())]), clock, **{name: value})


def test_outage_symptoms():
    assert outage_symptom(refused()) == 'connection refused'
    assert outage_symptom(http(502)) == 'HTTP 502'
    assert outage_symptom(http(504)) == 'HTTP 504'
    assert outage_symptom(http(500)) is None
    assert describe_state(None) == 'no session state was read'


# -- property: outages shorter than the tolerance never fail the wait -------------------------

SYMPTOMS = st.sampled_from(['refused', 'reset', '502', '503', '504', '401'])


def _error(kind):
    return {'refused': refused, 'reset': reset}.get(kind, lambda: None)() or (
        UnityAuthError('login refused', http_status=401) if kind == '401' else http(int(kind)))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), poll=st.integers(1, 120), tolerance=st.integers(200, 3600),
       probe=st.booleans())
def test_random_outages_shorter_than_the_tolerance_never_fail(data, poll, tolerance, probe):
    timeline, t, percent = [], 0.0, 0
    for dummy in range(data.draw(st.integers(0, 6), label='outages')):
        up = data.draw(st.integers(poll, 3 * 3600), label='up')
        percent = min(99, percent + 10)
        t += up
        timeline.append((t, raw_session(1, percent, 5)))
        # the outage seen by the reads is at most `down` + one poll interval long
        down = data.draw(st.integers(1, max(1, tolerance - poll - 1)), label='down')
        kinds = data.draw(st.lists(SYMPTOMS, min_size=1, max_size=4), label='symptoms')
        step = down / float(len(kinds))
        for kind in kinds:
            t += step
            timeline.append((t, _error(kind)))
    timeline.append((10 ** 9, raw_session(2, 100)))
    clock = FakeClock()
    api = TimelineApi(clock, timeline)
    result = make_waiter(api, clock, poll_interval=poll, outage_tolerance=tolerance,
                         wait_timeout=10 ** 8, probe=probe).wait()
    assert result.outcome == 'completed', result.message
    assert all(o['ended'] and o['seconds'] < tolerance for o in result.outages)


# -- with the real client: a 401 after the reboot logs in again ------------------------------

SESSION_PATH = '/api/instances/upgradeSession/Upgrade_5.3.0.120'
BASIC = '/api/types/basicSystemInfo/instances'


def test_real_client_relogin_after_reboot(make_client, transport):
    from requests.exceptions import ConnectionError as RequestsConnectionError
    client = make_client()
    client.login()
    api = UpgradeApi(client)
    api._session_resource = 'upgradeSession'
    basic = {'entries': [{'content': {'id': '0', 'softwareVersion': '5.2.0'}}]}
    transport.add('GET', SESSION_PATH,
                  Reply(200, {'content': raw_session(1, 40, 6)}),
                  Reply(exc=RequestsConnectionError('[Errno 111] Connection refused')),
                  Reply(401, text='<html><title>401 Unauthorized</title></html>'),
                  Reply(200, {'content': raw_session(2, 100)}))
    transport.add('GET', BASIC, Reply(exc=RequestsConnectionError('[Errno 111] Connection refused')),
                  Reply(503, text='Service Unavailable'), Reply(200, basic))
    clock = FakeClock()
    result = make_waiter(api, clock).wait()
    assert result.outcome == 'completed'
    assert result.relogins == 1 and transport.login_count == 2
    assert result.outages[0]['seen'] == [
        'connection refused', 'connection refused (basicSystemInfo)', 'HTTP 503 (basicSystemInfo)',
        'basicSystemInfo answers again', 'login session lost (HTTP 401): logged in again']
    assert result.outages[0]['seconds'] == 90
    assert client.sleeps == [], 'the waiter reads without the client backing off'
    # the re-sent read after the re-login carries the new cookie
    last = transport.requests_to('GET', SESSION_PATH)[-1]
    assert last.headers['Cookie'] == 'mod_sec_emc=cookie-2'


def test_a_wait_shorter_than_the_poll_interval_reads_at_its_end():
    clock = FakeClock()
    api = TimelineApi(clock, [(10 ** 9, raw_session(1, 63, 6))])
    result = make_waiter(api, clock, poll_interval=30, wait_timeout=10).wait()
    assert result.outcome == 'timeout' and api.reads == [0, 10]


# -- snapshots for the progress lines ------------------------------------------------------------

def test_every_read_leaves_a_snapshot_of_the_wait_also_through_an_outage():
    clock = FakeClock()
    api = TimelineApi(clock, [
        (100, raw_session(1, 40, 6)), (400, reset()), (500, raw_session(1, 60, 8)),
        (900, refused()), (1000, http(503)), (10 ** 9, raw_session(2, 100)),
    ])
    snapshots = []
    result = make_waiter(api, clock, outage_tolerance=600, on_poll=snapshots.append).wait()
    assert result.outcome == 'completed'
    # one per read: at 0, 30, ... 1020 s
    assert [s['waited_seconds'] for s in snapshots] == [30.0 * n for n in range(35)]
    first, in_first_outage, after_it, last = snapshots[0], snapshots[5], snapshots[14], snapshots[-1]
    assert first == {'session_id': 'Upgrade_5.3.0.120', 'status_name': 'in_progress', 'percent_complete': 40,
                     'current_task': 'Rebooting peer SP', 'estimated_seconds_left': first['estimated_seconds_left'],
                     'waited_seconds': 0.0, 'outages': 0, 'unreachable_seconds': 0.0, 'down': None}
    # the outage under way: since its first failed read, with what was seen; the last state stays
    assert in_first_outage['waited_seconds'] == 150 and in_first_outage['percent_complete'] == 40
    assert in_first_outage['down'] == {'seconds': 30.0, 'seen': ['the connection was reset',
                                                                 'the connection was reset (basicSystemInfo)']}
    assert (in_first_outage['outages'], in_first_outage['unreachable_seconds']) == (1, 30.0)
    assert after_it['down'] is None and (after_it['outages'], after_it['unreachable_seconds']) == (1, 300.0)
    assert after_it['percent_complete'] == 60
    assert (last['status_name'], last['percent_complete'], last['outages'], last['unreachable_seconds']) == (
        'completed', 100, 2, 810.0)
