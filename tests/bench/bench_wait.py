# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Item 4: what waiting costs the control node, per array and per hour of waiting.

One simulated array runs an upgrade session that stays in progress for hours (a long "Preparing
system software" task, no reboot in the window). Three ways to wait on it for one hour at the
role's default poll interval, each in its own ansible-playbook run:

- the role's wait (``software_upgrade`` ``tasks_from: wait.yml``) at the role's defaults: one
  ``upgrade_session`` run with ``wait: true``, whose action plugin prints a progress line every
  ``unity_upgrade_progress_interval`` (the figure with a target);
- ``wait: true``: one ``upgrade_session`` run that polls for the whole hour;
- a play-level ``until`` loop over ``unity.upgrade.info`` (``gather_subset: [sessions]``).

Time is compressed by ``--wait-compression`` (intervals and the hour divided by it). Every figure
is a total measured in the run it describes, none a difference between runs:

- module processes: each one's own CPU (user + system) from ``wait4`` on it, by an interpreter
  wrapper (``benchlib.module_cpu_wrapper``); the role's wait keeps ansible-playbook's own Python, as the
  role sets it, and runs in ansible-playbook's worker (its CPU is ansible-playbook's), while ``wait: true``
  runs through the wrapper, a module process;
- ansible-playbook (main process and workers) during the wait: the process tree's CPU (``wait4``)
  less the CPU it had used when the wait began (``os.times`` in its main process, from the
  ``bench_record`` callback) less the module processes; the tree's total holds both;
- progress lines: the lines the action plugin prints while the module waits and the role's "Show the
  progress" task, on the simulator's clock (the bench_record callback sees the display); the longest
  gap counts from the start of the wait to the first line and from the last to the end of the run;
- the strategy loop: while any task runs, ansible-playbook's main process polls its workers every
  1 ms (``internal_poll_interval``), CPU per second of real time that compression shortens. It is
  measured as the main process's own CPU across the one long module run of ``wait: true`` over
  that run's wall time, and reported per real hour apart (once per ansible-playbook run, shared by
  all its arrays). Measured again, the same way, with ``internal_poll_interval = 0.05`` in
  ansible.cfg, as docs/fleet-upgrade.md recommends for long waits. In each run the main process's own
  CPU across the wait's one long task (callback stamps) is that run's strategy loop: the figure per
  array leaves it out and the loop is given per run and per array of a fleet apart.
"""

import benchlib as B

CANDIDATE_ID = 'candidate_bench'
HOUR = 3600.0
RUNNING = ['in_progress', 'not_started']
CPU_TARGET = 2.0            # CPU seconds per array per hour of waiting at the role's defaults, at most
PROGRESS_TARGET = 6         # progress lines per hour, at least
PROGRESS_GAP = 600          # seconds of waiting between two progress lines, at most
# A gap is measured on the simulator's clock, read (over HTTP) by the callback when a line reaches
# ansible-playbook's main process: to within about 20 ms of real time, which compression multiplies.
GAP_RESOLUTION = 0.02
ROLE, ONE_RUN, UNTIL = 'role', 'one module run', 'until loop'
# the task of roles/software_upgrade/tasks/wait.yml that waits: one module run
WAIT_TASK = 'Wait for the upgrade session'
# what docs/fleet-upgrade.md recommends for a control node that waits long (ansible-core's default is 0.001)
TUNED_POLL_INTERVAL = 0.05
# the role's seconds since the epoch (vars/main.yml __unity_upgrade_now), fixed once by a set_fact
NOW = "{{ (now(utc=true) - ('1970-01-01' | to_datetime('%Y-%m-%d'))).total_seconds() }}"


def scenario():
    # upgrade_minutes 1000: "Preparing system software" lasts about 3 simulated hours.
    return {'software_version': B.BEFORE, 'candidate': {'version': B.TARGET, 'id': CANDIDATE_ID},
            'sessions': [{'status': 'Upgrade_In_Progress', 'candidate_version': B.TARGET, 'task': 2}],
            'upgrade_minutes': 1000}


def plays(compression, real_poll, interval):
    """The three ways of waiting: (key, label, the task that begins the wait, tasks)."""
    poll = real_poll / compression
    window = int(round(HOUR / compression))
    polls = int(round(HOUR / real_poll))
    role = [
        {'name': 'start the clock', 'ansible.builtin.set_fact': {
            '__unity_upgrade_wait_started': NOW}},
        # The wait ends timed out (the role's start.yml, not run here, then stops the array); a wait that
        # fails fails the run.
        {'name': 'role wait', 'block': [{'name': 'the role waits', 'ansible.builtin.include_role': {
            'name': 'unity.upgrade.software_upgrade', 'tasks_from': 'wait.yml'}}],
         # what the role's main.yml has set when it waits on a session it adopted
         'vars': {'__unity_upgrade_candidate_id': CANDIDATE_ID, '__unity_upgrade_step': 'adopt',
                  '__unity_upgrade_version_before': B.BEFORE, 'unity_upgrade_summary': {'messages': []},
                  'unity_upgrade_wait_timeout': window,
                  'unity_upgrade_progress_interval': max(1, int(round(interval / compression))),
                  'unity_upgrade_poll_interval': poll}},
    ]
    wait_true = [{'name': 'wait', 'register': 'waited',
                  'unity.upgrade.upgrade_session': {'candidate': CANDIDATE_ID, 'wait': True, 'wait_timeout': window,
                                                    'poll_interval': poll, 'outage_tolerance': 1800},
                  'failed_when': 'not (waited.timed_out | default(false))'}]
    until = [{'name': 'until', 'register': 'polled', 'ignore_errors': True,
              'unity.upgrade.info': {'gather_subset': ['sessions']},
              'until': 'polled.active_session is none or polled.active_session.status_name not in %s' % RUNNING,
              'retries': polls, 'delay': poll}]
    return [(ROLE, 'the role: wait: true in one module run, a progress line every %g s' % interval,
             'the role waits', role, WAIT_TASK),
            (ONE_RUN, 'wait: true, one module run', 'wait', wait_true, 'wait'),
            (UNTIL, 'until loop over info', 'until', until, 'until')]


def first(events, kind, name):
    return next((e for e in events if e['event'] == kind and e.get('task', e.get('name')) == name), None)


def measure(run_, begins, module_log, compression):
    """What one run spent from the start of its task ``begins`` to its end (see the module's doc).

    ``hours``: the hours of waiting the run stands for. A run that waits in ``upgrade_session``
    counts the seconds its module runs waited (``waited_seconds``, real seconds, times the
    compression): the tasks around a wait take real seconds that compression would count many
    times over. The until loop stands for the hour its retries make at the default poll interval.
    """
    mark = first(run_.events, 'task', begins)
    end = next((e for e in run_.events if e['event'] == 'end'), None)
    if mark is None or end is None:
        raise B.BenchError('%s: no start of task %r or no end of the play (see %s)' % (run_.label, begins, run_.output))
    modules, module_cpu, _peak = B.module_cpu(module_log)
    before = mark['cpu_self'] + mark['cpu_children']
    lines = [e for e in run_.events if e['event'] == 'display' and e['wall'] >= mark['wall']]
    waits = [float(r['result']['waited_seconds']) * compression for r in run_.results()
             if r['result'].get('waited_seconds') is not None]
    moments = [e['clock'] for e in [mark] + sorted(lines, key=lambda e: e['wall']) + [end]]
    gaps = [b - a for a, b in zip(moments, moments[1:])] if None not in moments else []
    return {'wall': end['wall'] - mark['wall'], 'simulated': end['clock'] - mark['clock'], 'cpu': run_.cpu,
            'startup': before, 'modules': modules, 'module_cpu': module_cpu,
            'ansible_cpu': run_.cpu - before - module_cpu, 'progress': len(lines),
            'waited': sum(waits), 'longest_gap': max(gaps) if gaps else None,
            'hours': sum(waits) / HOUR if waits else 1.0}


def loop_cpu(run_, suffix):
    """ansible-playbook's main process: its own CPU across the run of the task whose name ends with ``suffix``
    (the wait's one long task: all but nothing of it is the strategy loop polling the worker)."""
    start = next((e for e in run_.events if e['event'] == 'task' and e['name'].endswith(suffix)), None)
    result = next((e for e in run_.events if e['event'] == 'result' and e['task'].endswith(suffix)), None)
    if start is None or result is None:
        raise B.BenchError('%s: no start or result of the task %r (see %s)' % (run_.label, suffix, run_.output))
    return result['cpu_self'] - start['cpu_self'], result['wall'] - start['wall']


def per_second(cpu_and_wall):
    """The strategy loop as CPU per second of wall time, from ``loop_cpu``; None for a run too short to tell."""
    cpu, wall = cpu_and_wall
    return cpu / wall if wall > 0 else None


def run(work, compression):
    sim = B.start_simulator(work, time_scale=compression, scenario=scenario(), label='sim-wait')
    results = {'compression': compression, 'variants': {}}
    try:
        defaults = work.role_defaults()
        real_poll = float(defaults['unity_upgrade_poll_interval'])
        interval = float(defaults['unity_upgrade_progress_interval'])
        results.update(real_poll=real_poll, interval=interval)
        window = HOUR / compression
        for key, label, begins, tasks, waits in plays(compression, real_poll, interval):
            sim.put_scenario('array-1', scenario())
            sim.clear_requests('array-1')
            wrapper, module_log = B.module_cpu_wrapper(work.dir('wait-%s-modules' % key.replace(' ', '-')))
            run_ = B.run_playbook(work, 'wait-%s' % key.replace(' ', '-'),
                                  [B.play(tasks, module_defaults=B.connection(sim),
                                          play_vars={'ansible_python_interpreter': B.interpreter_but_for_the_wait(wrapper)})],
                                  sim=sim, timeout=int(600 + 4 * window)).check()
            variant = measure(run_, begins, module_log, compression)
            variant['loop_cpu'], variant['loop_wall'] = loop_cpu(run_, waits)
            counts = B.count_requests(sim.requests('array-1'))
            variant.update(label=label, requests=counts['requests'], logins=counts['logins'])
            if key == ONE_RUN:
                results['strategy_loop'] = per_second((variant['loop_cpu'], variant['loop_wall']))
            results['variants'][key] = variant
            B.log('wait: %s: %.1f s wall, %.0f simulated s, %.2f hours of waiting; %d module processes %.2f CPU s, '
                  'ansible-playbook %.2f CPU s (%.2f before the wait); %d progress lines; %d requests'
                  % (label, variant['wall'], variant['simulated'], variant['hours'], variant['modules'],
                     variant['module_cpu'], variant['ansible_cpu'], variant['startup'], variant['progress'],
                     counts['requests']))
        results['strategy_loop_tuned'] = tuned_strategy_loop(work, sim, compression, real_poll, window)
    finally:
        B.stop_simulator(sim)
    return results


def tuned_strategy_loop(work, sim, compression, real_poll, window):
    """The strategy loop of the one long module run, with internal_poll_interval raised in ansible.cfg."""
    key, _label, _begins, tasks, waits = next(p for p in plays(compression, real_poll, 0) if p[0] == ONE_RUN)
    config = work.file('ansible-tuned.cfg')
    with open(work.config) as source, open(config, 'w') as handle:
        handle.write(source.read() + 'internal_poll_interval = %g\n' % TUNED_POLL_INTERVAL)
    sim.put_scenario('array-1', scenario())
    run_ = B.run_playbook(work, 'wait-%s-tuned' % key.replace(' ', '-'),
                          [B.play(tasks, module_defaults=B.connection(sim))], sim=sim,
                          env={'ANSIBLE_CONFIG': config}, timeout=int(600 + 4 * window)).check()
    loop = per_second(loop_cpu(run_, waits))
    B.log('wait: the same module run with internal_poll_interval = %g: ansible-playbook\'s loop %s CPU s per hour'
          % (TUNED_POLL_INTERVAL, 'unmeasured' if loop is None else '%.1f' % (loop * HOUR)))
    return loop


def per_hour(variant, key=None):
    """Control node CPU (or one of its parts: module_cpu, ansible_cpu, loop_cpu) per hour of waiting, one array."""
    if key:
        return variant[key] / variant['hours']
    return (variant['module_cpu'] + variant['ansible_cpu']) / variant['hours']


def own_per_hour(variant):
    """The same without ansible-playbook's strategy loop (a cost of the run, shared by all its arrays)."""
    return per_hour(variant) - per_hour(variant, 'loop_cpu')


def figures(results, fleet_arrays):
    variants = results['variants']
    role, one, until = variants[ROLE], variants[ONE_RUN], variants[UNTIL]
    compression, loop = results['compression'], results.get('strategy_loop')
    tuned = results.get('strategy_loop_tuned')
    lines = role['progress'] / role['hours']
    own = own_per_hour(role)
    shared = []
    ways = (('at ansible-core\'s default', loop), ('with internal_poll_interval = %g' % TUNED_POLL_INTERVAL, tuned))
    for name, value in ways:
        if value is not None:
            shared.append('%.2f %s (%.2f + %.1f / %d)' % (own + value * HOUR / fleet_arrays, name, own, value * HOUR,
                                                          fleet_arrays))
    return [
        B.Figure(4, 'waiting at the role\'s defaults (a progress line every %g s): control node CPU per array per hour, '
                 'ansible-playbook\'s strategy loop apart' % results['interval'],
                 '%.2f CPU s: module processes %.2f (%.1f runs), ansible-playbook\'s workers and results %.2f'
                 % (own, per_hour(role, 'module_cpu'), role['modules'] / role['hours'],
                    per_hour(role, 'ansible_cpu') - per_hour(role, 'loop_cpu')),
                 'the strategy loop in the same run %.2f CPU s over %.0f s of real time (all: %.2f CPU s per hour)'
                 % (role['loop_cpu'], role['loop_wall'], per_hour(role)), None, '<= %g CPU s' % CPU_TARGET,
                 own <= CPU_TARGET,
                 note='%.2f hours of waiting compressed %gx (%.0f s of real time). ansible-playbook\'s strategy loop '
                      '(its main process polling the worker while the wait\'s task runs) costs CPU per second of real '
                      'time, once per ansible-playbook run whatever its arrays do: it is measured in the same run across '
                      'the wait\'s task and left out of the figure per array; its rows below give it per real hour and '
                      'per array of a %d-array run' % (role['hours'], compression, role['wall'], fleet_arrays)),
        B.Figure(4, 'waiting at the role\'s defaults: progress lines per hour',
                 '%.1f (%d lines, %.2f hours; longest gap %s)'
                 % (lines, role['progress'], role['hours'],
                    'unmeasured' if role['longest_gap'] is None else '%.1f s' % role['longest_gap']), '', None,
                 '>= %d, a gap <= %d s (to within %g s: %g ms of real time)'
                 % (PROGRESS_TARGET, PROGRESS_GAP, GAP_RESOLUTION * compression, GAP_RESOLUTION * 1000),
                 lines >= PROGRESS_TARGET and role['longest_gap'] is not None
                 and role['longest_gap'] <= PROGRESS_GAP + GAP_RESOLUTION * compression),
        B.Figure(4, 'waiting at the role\'s defaults, an array of a %d-array run with its share of the strategy loop'
                 % fleet_arrays, '; '.join(shared) or 'not measured', '', None, '(information)', None),
        B.Figure(4, 'waiting, other ways: control node CPU per array per hour, strategy loop apart (module processes + '
                 'ansible-playbook)',
                 '%s %.2f CPU s (%.2f + %.2f)' % (one['label'], own_per_hour(one), per_hour(one, 'module_cpu'),
                                                  per_hour(one, 'ansible_cpu') - per_hour(one, 'loop_cpu')),
                 '%s %.2f CPU s (%.2f + %.2f)' % (until['label'], own_per_hour(until), per_hour(until, 'module_cpu'),
                                                  per_hour(until, 'ansible_cpu') - per_hour(until, 'loop_cpu')),
                 None, '(information)', None),
        B.Figure(4, 'ansible-playbook\'s strategy loop while a task runs (any way of waiting), per real hour',
                 '%.0f CPU s per ansible-playbook run' % (loop * HOUR) if loop is not None else 'not measured',
                 '%.1f CPU s per array with %d arrays in the run' % (loop * HOUR / fleet_arrays, fleet_arrays)
                 if loop is not None else '', None, '(information)', None),
        B.Figure(4, 'the same with internal_poll_interval = %g in ansible.cfg (docs/fleet-upgrade.md)'
                 % TUNED_POLL_INTERVAL,
                 '%.0f CPU s per ansible-playbook run' % (tuned * HOUR) if tuned is not None else 'not measured',
                 '%.1f CPU s per array with %d arrays in the run' % (tuned * HOUR / fleet_arrays, fleet_arrays)
                 if tuned is not None else '', None, '(information)', None),
    ]


def details(results):
    headers = ['way of waiting', 'wall', 'hours of waiting', 'CPU (tree)', 'before the wait',
               'module processes (CPU)', 'ansible-playbook (CPU)', 'of which the strategy loop', 'per hour',
               'per hour, loop apart', 'progress lines', 'requests (logins)']
    rows = [[v['label'], B.secs(v['wall']), '%.2f' % v['hours'], B.secs(v['cpu'], 2), B.secs(v['startup'], 2),
             '%d, %s' % (v['modules'], B.secs(v['module_cpu'], 2)), B.secs(v['ansible_cpu'], 2),
             B.secs(v['loop_cpu'], 2), B.secs(per_hour(v), 2), B.secs(own_per_hour(v), 2), v['progress'],
             '%d (%d)' % (v['requests'], v['logins'])]
            for v in results['variants'].values()]
    return headers, rows
