# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Item 4: what waiting costs the control node, per array and per hour of (simulated) waiting.

One simulated array runs an upgrade session that stays in progress for hours (a long "Preparing
system software" task, no reboot in the window). Three ways to wait on it, the same poll interval,
the same number of session reads (one simulated hour at the role's default poll interval of 30 s),
each in its own ansible-playbook run whose process tree's CPU is taken with ``wait4``:

- ``wait: true``: one ``upgrade_session`` run that polls for the whole hour;
- the role's wait (``software_upgrade`` ``tasks_from: wait.yml``): ``wait: true`` in stretches of
  ``unity_upgrade_progress_interval``, a progress line after each;
- a role-level ``until`` loop over ``unity.upgrade.info`` (``gather_subset: [sessions]``).

Time is compressed by ``--wait-compression`` (poll interval 30 s / compression, hour / compression).
The CPU that does not depend on how the wait is done is measured apart and taken out: while a task
runs, ansible-playbook's strategy loop polls its workers every 1 ms (``internal_poll_interval``);
that costs CPU per second of real time, whatever the task does. Two ``command: sleep`` runs of
different lengths give that rate and ansible-playbook's fixed start-up cost. What is left is the
work of the strategy for one hour of waiting; the idle loop is added back per real hour, per
ansible-playbook run (shared by every array of that run).
"""

import benchlib as B

CANDIDATE_ID = 'candidate_bench'
HOUR = 3600.0
RUNNING = ['in_progress', 'not_started']


def scenario():
    # upgrade_minutes 1000: "Preparing system software" lasts about 3 simulated hours.
    return {'software_version': B.BEFORE, 'candidate': {'version': B.TARGET, 'id': CANDIDATE_ID},
            'sessions': [{'status': 'Upgrade_In_Progress', 'candidate_version': B.TARGET, 'task': 2}],
            'upgrade_minutes': 1000}


def plays(compression, real_poll, stretch):
    """The three ways of waiting; ``real_poll`` and ``stretch`` are the role's defaults (seconds)."""
    poll = real_poll / compression
    window = int(round(HOUR / compression))
    polls = int(round(HOUR / real_poll))
    wait_true = [{'name': 'wait', 'register': 'waited',
                  'unity.upgrade.upgrade_session': {'candidate': CANDIDATE_ID, 'wait': True, 'wait_timeout': window,
                                                    'poll_interval': poll, 'outage_tolerance': 1800},
                  'failed_when': 'not (waited.timed_out | default(false))'}]
    role = [
        {'name': 'start the clock', 'ansible.builtin.set_fact': {
            '__unity_upgrade_wait_started': '{{ now(utc=true).timestamp() }}', '__unity_upgrade_outages': []}},
        {'name': 'role wait', 'block': [{'name': 'wait in stretches', 'ansible.builtin.include_role': {
            'name': 'unity.upgrade.software_upgrade', 'tasks_from': 'wait.yml'}}],
         'rescue': [{'name': 'the wait ran out, as planned', 'ansible.builtin.debug': {'msg': 'done'}}],
         'vars': {'__unity_upgrade_candidate_id': CANDIDATE_ID, 'unity_upgrade_wait_timeout': window,
                  'unity_upgrade_progress_interval': max(1, int(round(stretch / compression))),
                  'unity_upgrade_poll_interval': poll}},
    ]
    until = [{'name': 'until', 'register': 'polled', 'ignore_errors': True,
              'unity.upgrade.info': {'gather_subset': ['sessions']},
              'until': 'polled.active_session is none or polled.active_session.status_name not in %s' % RUNNING,
              'retries': polls, 'delay': poll}]
    return {'wait: true, one module run': wait_true,
            'role: wait: true in stretches of %g s' % stretch: role,
            'until loop over info': until}


def sleep_play(seconds):
    return [{'name': 'sleep', 'ansible.builtin.command': 'sleep %g' % seconds, 'changed_when': False}]


def run(work, compression):
    sim = B.start_simulator(work, time_scale=compression, scenario=scenario(), label='sim-wait')
    results = {'compression': compression, 'variants': []}
    try:
        window = HOUR / compression
        baseline = []
        for seconds in (1, 1 + max(10.0, window / 2)):
            run_ = B.run_playbook(work, 'wait-baseline-%d' % seconds, [B.play(sleep_play(seconds))],
                                  timeout=300 + seconds).check()
            baseline.append(run_)
        rate = (baseline[1].cpu - baseline[0].cpu) / (baseline[1].wall - baseline[0].wall)
        fixed = baseline[0].cpu - rate * baseline[0].wall
        results.update(idle_rate=rate, fixed=fixed, baseline=[(r.wall, r.cpu) for r in baseline])
        B.log('wait: ansible-playbook idle loop %.4f CPU s per s (%.0f CPU s per hour), start-up %.2f CPU s'
              % (rate, rate * HOUR, fixed))
        defaults = work.role_defaults()
        real_poll = float(defaults['unity_upgrade_poll_interval'])
        stretch = float(defaults['unity_upgrade_progress_interval'])
        results.update(real_poll=real_poll, stretch=stretch)
        for label, tasks in plays(compression, real_poll, stretch).items():
            sim.put_scenario('array-1', scenario())
            sim.clear_requests('array-1')
            run_ = B.run_playbook(work, 'wait-%d' % (len(results['variants']) + 1),
                                  [B.play(tasks, module_defaults=B.connection(sim))], sim=sim,
                                  timeout=int(600 + 4 * window)).check()
            entries = sim.requests('array-1')
            counts = B.count_requests(entries)
            session_reads = sum(1 for e in entries if e['method'] == 'GET' and 'pgradeSession' in e['path'])
            module_runs = sum(1 for r in run_.results(action_prefix='unity.upgrade.') if r['status'] != 'skipped')
            until = run_.results(task='until')
            if until:
                module_runs = int(until[-1]['result'].get('attempts') or module_runs)
            work_cpu = run_.cpu - fixed - rate * run_.wall
            variant = {'label': label, 'wall': run_.wall, 'cpu': run_.cpu, 'work': work_cpu,
                       'per_hour': work_cpu + rate * HOUR, 'requests': counts['requests'],
                       'logins': counts['logins'], 'session_reads': session_reads, 'module_runs': module_runs}
            results['variants'].append(variant)
            B.log('wait: %s: %.1f s wall, %.2f CPU s, %.2f CPU s of work per simulated hour, %d module runs, '
                  '%d session reads, %d requests' % (label, run_.wall, run_.cpu, work_cpu, module_runs,
                                                     session_reads, counts['requests']))
    finally:
        B.stop_simulator(sim)
    return results


def cost_model(results):
    """CPU s of work per hour as a function of the stretch length, from the two wait: true variants."""
    single, role = results['variants'][0], results['variants'][1]
    stretches = max(2, role['module_runs'])
    per_stretch = (role['work'] - single['work']) / (stretches - 1)
    return per_stretch, lambda stretch: single['work'] + (HOUR / stretch - 1) * per_stretch


def figures(results):
    single, role, until = results['variants']
    rate = results['idle_rate']
    per_stretch, model = cost_model(results)
    rows = [
        B.Figure(4, 'waiting: control node CPU per array per hour, %s' % single['label'],
                 '%.1f CPU s' % single['work'], 'until loop over info %.1f CPU s' % until['work'],
                 single['work'] / until['work'], '(information)', None),
        B.Figure(4, 'waiting: the same, the role today (%s; %d stretches per hour)'
                 % (role['label'].split(': ', 1)[1], round(HOUR / results['stretch'])),
                 '%.1f CPU s' % model(results['stretch']), 'until loop over info %.1f CPU s' % until['work'],
                 model(results['stretch']) / until['work'], 'below the until loop',
                 model(results['stretch']) < until['work'],
                 note=('a stretch costs %.2f CPU s (a module start, its login, reads and logout, and the role\'s '
                       'progress tasks): a progress line every %g s costs %.1f CPU s per array and hour more than '
                       'one long module run; the until loop makes %d module runs, %d logins and %d requests per '
                       'hour against %d, %d and %d for one long run; ansible-playbook\'s idle loop (%.0f CPU s per '
                       'hour) is paid whatever the wait, once per run'
                       % (per_stretch, results['stretch'], model(results['stretch']) - single['work'],
                          until['module_runs'], until['logins'], until['requests'], single['module_runs'],
                          single['logins'], single['requests'], rate * HOUR))),
        B.Figure(4, 'waiting: ansible-playbook idle loop while a task runs (any way of waiting)',
                 '%.0f CPU s per real hour' % (rate * HOUR), 'per ansible-playbook run, shared by its arrays', None,
                 '(information)', None),
        B.Figure(4, 'waiting: the role\'s wait by unity_upgrade_progress_interval (model from the two runs '
                    'above)', '%.2f CPU s per stretch; per hour: %s' % (per_stretch, ', '.join(
                        '%d s: %.1f' % (s, model(s)) for s in (60, 300, 600, 900, 3600))),
                 'one module run %.1f' % single['work'], None, '(information)', None),
    ]
    return rows


def details(results):
    rate = results['idle_rate']
    headers = ['way of waiting (1 simulated hour)', 'wall', 'CPU (tree)', 'work CPU per hour', 'with idle loop, per hour',
               'module runs', 'session reads', 'requests (logins)']
    rows = [[v['label'], B.secs(v['wall']), B.secs(v['cpu'], 2), B.secs(v['work'], 2), B.secs(v['per_hour'], 0),
             v['module_runs'], v['session_reads'], '%d (%d)' % (v['requests'], v['logins'])]
            for v in results['variants']]
    rows.append(['ansible-playbook idle loop (command: sleep)', '', '', '', B.secs(rate * HOUR, 0), '', '', ''])
    return headers, rows
