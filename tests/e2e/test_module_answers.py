# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue #11, part 2: a changing request that the array applied, answered in a way the module cannot
read (another envelope, an empty or HTML body, a server error, a reset), is settled by reading the
array back: the change is reported, the request is never sent twice, no session is left unreported.
The simulator applies the request first, then answers with the fault (``answer_faults``)."""


from e2e_helpers import UPLOAD, one_line
from unity_sim.packages import write_candidate

BEFORE = '5.2.0.0.5.173'
TARGET = '5.3.0.0.5.120'
ANSWERS = ('bare', 'empty', 'html', '500', '503', 'reset')


def creates(sim, name):
    return [r for r in sim.changing_requests(name) if r['path'].endswith('Session/instances')]


def test_a_create_answered_unreadably_reports_the_session_it_made(start_sim, run_play):
    arrays = dict(('array-%d' % (i + 1), answer) for i, answer in enumerate(ANSWERS))
    sim = start_sim(arrays=len(arrays), time_scale=30, scenario={'arrays': dict(
        (name, {'software_version': BEFORE, 'candidate': {'version': TARGET}, 'upgrade_minutes': 600,
                'answer_faults': [{'request': 'create', 'answer': answer}]}) for name, answer in arrays.items())})
    tasks = [{'name': name, 'unity.upgrade.upgrade_session': dict(sim.connection(name), version=TARGET, wait=False),
              'ignore_errors': True} for name in sorted(arrays)]
    run = run_play(tasks, timeout=600)
    for name, answer in sorted(arrays.items()):
        result = run.result(name)
        assert run.status(name) == 'ok' and result['changed'] is True, (answer, result.get('msg'))
        assert result['action'] == 'created' and result['session']['id'] == 'Upgrade_5.3.0.120', answer
        assert result['msg'].startswith('created an upgrade to candidate '), (answer, result['msg'])
        assert len(creates(sim, name)) == 1, 'the create is never sent twice (%s)' % answer
        assert [s['status_name'] for s in sim.state(name)['sessions']] == ['Upgrade_In_Progress'], answer


def test_an_action_answered_unreadably_is_settled_by_the_sessions_status(start_sim, run_play):
    cases = []
    for action, status, state in (('resume', 'Upgrade_Paused', 'resumed'), ('cancel', 'Upgrade_Paused', 'cancelled'),
                                  ('acknowledge', 'Upgrade_Completed', 'acknowledged')):
        for answer in ('bare', 'empty', 'html', '500', 'reset'):
            cases.append((action, status, state, answer))
    arrays = dict(('array-%d' % (i + 1), case) for i, case in enumerate(cases))
    scenario = {'arrays': dict(
        (name, {'software_version': BEFORE, 'upgrade_minutes': 600,
                'sessions': [{'status': status, 'candidate_version': TARGET}],
                'answer_faults': [{'request': action, 'answer': answer}]})
        for name, (action, status, state, answer) in arrays.items())}
    sim = start_sim(arrays=len(arrays), time_scale=30, scenario=scenario)
    tasks = [{'name': name, 'unity.upgrade.upgrade_session': dict(sim.connection(name), state=state, wait=False),
              'ignore_errors': True} for name, (action, status, state, answer) in sorted(arrays.items())]
    run = run_play(tasks, timeout=600)
    after = {'resume': 'Upgrade_In_Progress', 'cancel': 'Upgrade_Cancelled', 'acknowledge': 'Upgrade_Acknowledged'}
    for name, (action, status, state, answer) in sorted(arrays.items()):
        result = run.result(name)
        assert run.status(name) == 'ok' and result['changed'] is True, (action, answer, result.get('msg'))
        assert result['action'] == state, (action, answer)
        posts = [r for r in sim.changing_requests(name) if r['path'].endswith('/action/' + action)]
        assert len(posts) == 1, 'the %s is never sent twice (%s)' % (action, answer)
        assert [s['status_name'] for s in sim.state(name)['sessions']] == [after[action]], (action, answer)


UPLOAD_ANSWERS = ('bare', 'empty', 'html', '500', '502', '503', '504', 'reset')
OLD = '5.2.1.0.5.100'


def upload_posts(sim, name):
    return [r for r in sim.requests(name) if r['method'] == 'POST' and r['path'] == UPLOAD]


def test_an_upload_answered_unreadably_reports_the_candidate_the_array_lists(start_sim, in_process, tmp_path):
    # odd arrays hold an older candidate, which the upload replaces
    arrays = dict(('array-%d' % (i + 1), answer) for i, answer in enumerate(UPLOAD_ANSWERS))
    sim = start_sim(arrays=len(arrays), time_scale=30, scenario={'arrays': dict(
        (name, dict({'candidate': {'version': OLD}} if int(name[6:]) % 2 else {}, software_version=BEFORE,
                    answer_faults=[{'request': 'upload', 'answer': answer}]))
        for name, answer in arrays.items())})
    package = write_candidate(str(tmp_path), TARGET, 256 << 10)
    for name, answer in sorted(arrays.items()):
        args = dict(sim.connection(name), src=package, processing_timeout=60)
        run = in_process.run('upgrade_candidate', args)
        assert not run.failed and run.crash is None, (answer, run.msg)
        result = run.result
        assert result['changed'] is True and result['candidate']['parsed_version'] == TARGET, answer
        assert result['upload']['bytes'] == 256 << 10, answer
        assert (result['replaced'] or {}).get('parsed_version') == (OLD if int(name[6:]) % 2 else None), answer
        if answer in ('bare', 'empty', 'html'):  # a 200 whose body is not read: nothing to say
            assert result['msg'].startswith('uploaded Unity-%s.tgz.bin.gpg (256.0 KiB in ' % TARGET), result['msg']
            assert 'could not be read' not in result['msg'], result['msg']
        else:
            assert one_line(result['msg']) and result['msg'].endswith(
                "(the array's answer to the upload could not be read: %s; its candidates were read back)"
                % UNREAD[answer]), (answer, result['msg'])
        assert sim.state(name)['candidate']['version'] == TARGET, answer
        assert len(upload_posts(sim, name)) == 1, 'the upload is never sent twice (%s)' % answer
        again = in_process.run('upgrade_candidate', args)
        assert (again.failed, again.result['changed']) == (False, False), (answer, again.msg)
        assert len(upload_posts(sim, name)) == 1, answer


# what the module says came back instead of an answer
UNREAD = {
    '500': 'HTTP 500, error code 131149840: An internal error occurred while the request was processed. '
           '(Error Code:0x7d13010)',
    '502': 'HTTP 502: the answer is not Unisphere JSON (text/html: 502 Proxy Error)',
    '503': 'HTTP 503, error code 131149838: The REST service is temporarily unavailable. (Error Code:0x7d1300e)',
    '504': 'HTTP 504: the answer is not Unisphere JSON (text/html: 504 Gateway Timeout)',
    'reset': 'the connection was reset',
}


def test_an_upload_answered_unreadably_that_the_array_did_not_keep_fails_in_one_line(start_sim, in_process, tmp_path):
    # a gateway answering 503 for the array, which never saw the upload; a connection reset after the
    # array read all but the last two bytes of the body: TLS hands over whole records, so the closing
    # boundary had left this side (a reset earlier races the last sends: test_faults_upload covers it)
    size = 64 << 10
    package = write_candidate(str(tmp_path), TARGET, size)
    body_length = in_process.upload.MultipartBody(in_process.upload.FileSource(package)).len
    cases = {'array-1': ({'faults': [{'start': 0, 'duration': 86400, 'kind': '503', 'method': 'POST',
                                      'path': 'upload/files'}]}, UNREAD['503']),
             'array-2': ({'upload_drop_at_bytes': body_length - 2}, 'the connection was reset')}
    sim = start_sim(arrays=2, time_scale=30, scenario={'arrays': dict(
        (name, dict(scenario, software_version=BEFORE, candidate={'version': OLD}))
        for name, (scenario, unread) in cases.items())})
    for name, (scenario, unread) in sorted(cases.items()):
        run = in_process.run('upgrade_candidate', dict(sim.connection(name), src=package, processing_timeout=3))
        assert run.failed and run.crash is None, run
        assert run.msg == (
            "the array's answer to the upload of Unity-%s.tgz.bin.gpg could not be read (%s) and it lists no "
            'candidate of version %s 3 s after all %d bytes were sent: it did not keep the file, or is still '
            'verifying it. Check with unity.upgrade.info, or run the task again: it uploads only when the '
            'candidate is still missing' % (TARGET, unread, TARGET, size)), run.msg
        assert run.result['changed'] is False and run.result['replaced'] is None, 'the old candidate is still there'
        assert sim.state(name)['candidate']['version'] == OLD
        assert len(upload_posts(sim, name)) == 1, 'the upload is never sent twice'
