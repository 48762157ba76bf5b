# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue #11, part 2: a changing request that the array applied, answered in a way the module cannot
read (another envelope, an empty or HTML body, a server error, a reset), is settled by reading the
array back: the change is reported, the request is never sent twice, no session is left unreported.
The simulator applies the request first, then answers with the fault (``answer_faults``)."""


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
