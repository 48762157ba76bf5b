# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Item 3: the fleet. ``unity.upgrade.upgrade`` (playbooks/upgrade.yml) against 1 and against N
simulated arrays (default 50) with forks N and serial N, the same time-scaled upgrade on each:
every array runs 5.2.0.0.5.173, gets a small candidate uploaded from a file, and is upgraded to
5.3.0.0.5.120 on the simulator's clock (``--time-scale``; the role's intervals are scaled alike,
so the number of progress lines is the one of a real 91-minute upgrade; the poll interval is at
least 1 s, as the role takes whole seconds).

Measured: wall time of ansible-playbook, the CPU seconds of its process tree (``wait4``), the
CPU of each module process (its own, logged as it exits by a sitecustomize; with ansible-playbook's own
Python, as the playbook sets it, the collection's modules run in its workers and start none), the peak PSS of the
process tree (sampled, ``treemem``), and per phase of the role (the tasks file a task comes from)
the wall time and the requests each array received. The 1-array run is also item 2's "full
upgrade per phase".
"""

import hashlib
import json
import os

import benchlib as B
import treemem
from unity_sim import packages

PHASES = ('preflight', 'upload', 'start', 'wait', 'verify', 'role', 'report')
RATIO_TARGET = 1.5         # wall time, N arrays / 1 array, at most
CPU_TARGET = 4.0           # control node CPU seconds per upgraded array, at most
PSS_TARGET_MIB = 30.0      # peak PSS of the process tree per concurrently upgrading array, at most
MEMORY_INTERVAL = 0.5      # seconds between two samples of the tree's PSS
REAL_UPGRADE_SECONDS = 5485.0  # the simulator's default upgrade, the real estimates (91.4 min)


def phase_of(path):
    """The role's tasks file a task comes from, or 'report' for the playbook's own tasks."""
    path = (path or '').rsplit(':', 1)[0]
    name = os.path.basename(path)
    if '/roles/software_upgrade/tasks/' in path:
        stem = os.path.splitext(name)[0]
        return stem if stem in PHASES else 'role'
    return 'report'


def role_vars(defaults, scale, package, checksum, serial, report_dir):
    """The upgrade playbook's variables, with the role's default intervals divided by the time scale."""
    def scaled(name, minimum):
        return max(minimum, int(round(float(defaults[name]) / scale)))
    return {
        'unity_upgrade_target_version': B.TARGET,
        'unity_upgrade_candidate_src': package,
        'unity_upgrade_candidate_checksum': 'sha256:' + checksum,
        'unity_upgrade_serial': serial,
        'unity_upgrade_max_fail_percentage': 0,
        # the role takes whole seconds (argument_specs: int)
        'unity_upgrade_poll_interval': scaled('unity_upgrade_poll_interval', 1),
        'unity_upgrade_progress_interval': scaled('unity_upgrade_progress_interval', 1),
        'unity_upgrade_outage_tolerance': scaled('unity_upgrade_outage_tolerance', 30),
        'unity_upgrade_wait_timeout': scaled('unity_upgrade_wait_timeout', 300),
        'unity_upgrade_report_dir': report_dir,
    }


def small_package(work, size_mib):
    directory = work.dir('fleet-package')
    path = os.path.join(directory, packages.package_name(B.TARGET))
    if not os.path.exists(path):
        packages.write_candidate(directory, B.TARGET, size_bytes=int(size_mib * B.MIB))
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(B.MIB), b''):
            digest.update(chunk)
    return path, digest.hexdigest()


def upgrade_fleet(work, arrays, scale, package_mib, forks=None, serial=None, scenario=None,
                  expect='upgraded', label=None, timeout=None, profile=None):
    """Run the upgrade playbook against ``arrays`` simulated arrays; returns a dict of what was seen."""
    label = label or 'fleet-%d' % arrays
    package, checksum = small_package(work, package_mib)
    sim = B.start_simulator(work, arrays=arrays, time_scale=scale,
                            scenario=scenario or {'software_version': B.BEFORE}, label='sim-' + label)
    try:
        inventory = B.write_inventory(work.file('%s-inventory.yml' % label), sim)
        report_dir = work.dir('%s-report' % label)
        timeout = timeout or int(600 + 20 * REAL_UPGRADE_SECONDS / scale)
        extra_vars = role_vars(work.role_defaults(), scale, package, checksum, serial or arrays, report_dir)
        # ansible-playbook's own Python for every module, as the playbook sets it (the collection's modules run
        # in its workers); any module process that starts all the same logs its own CPU as it exits
        recorder_env, cpu_log = B.module_process_recorder(work.dir('%s-modules' % label))
        sim_cpu_before = B.simulator_cpu(sim)
        run = B.run_playbook(work, label, 'unity.upgrade.upgrade', inventory=inventory, extra_vars=extra_vars,
                             forks=forks or arrays, sim=sim, timeout=timeout, profile=profile,
                             memory=treemem.TreeMemory(MEMORY_INTERVAL), env=recorder_env)
        sim_cpu_after = B.simulator_cpu(sim)
        run.check(expect_rc=(0,) if expect == 'upgraded' else (0, 2))
        logs = dict((a['name'], sim.requests(a['name'])) for a in sim.arrays)
        with open(os.path.join(os.path.dirname(run.output), 'requests.json'), 'w') as handle:
            json.dump(logs, handle)
        report_path = os.path.join(report_dir, 'report.json')
        outcomes = {}
        if os.path.exists(report_path):
            with open(report_path) as handle:
                outcomes = dict((row['array'], row.get('outcome')) for row in json.load(handle).get('arrays', []))
        if expect and any(outcomes.get(a['name']) != expect for a in sim.arrays):
            raise B.BenchError('%s: not every array is %s: %s (output in %s)' % (label, expect, outcomes, run.output))
        sim_cpu = sim_cpu_after - sim_cpu_before if None not in (sim_cpu_before, sim_cpu_after) else None
        return {'arrays': arrays, 'scale': scale, 'run': run, 'logs': logs, 'outcomes': outcomes,
                'names': [a['name'] for a in sim.arrays], 'modules': B.module_cpu(cpu_log),
                'concurrent': min(arrays, serial or arrays, forks or arrays), 'sim_cpu': sim_cpu}
    finally:
        B.stop_simulator(sim)


def peak_composition(run):
    """The task under way at the peak of the tree's PSS, and what the tree held then, largest first."""
    memory = run.memory or {}
    at = memory.get('peak_at')
    tasks = [e for e in run.events if e['event'] == 'task' and at is not None and e['wall'] <= at]
    where = ('%s: %s' % (phase_of(tasks[-1].get('path')), tasks[-1]['name'])) if tasks else 'unknown task'
    held = sorted((memory.get('peak_kinds') or {}).items(), key=lambda item: -item[1][1])
    return '%s; %s' % (where, ', '.join('%s x%d %.1f MiB' % (name, count, kib / 1024.0) for name, (count, kib) in held))


def phase_peaks(run):
    """{phase: the peak PSS of the tree (KiB) among the samples taken while a task of that phase was under way}."""
    starts = [e for e in run.events if e['event'] in ('task', 'end')]
    peaks = dict((p, 0) for p in PHASES)
    for at, kib, _count in (run.memory or {}).get('series', ()):
        under_way = [e for e in starts if e['wall'] <= at]
        if under_way and under_way[-1]['event'] == 'task':
            phase = phase_of(under_way[-1].get('path'))
            peaks[phase] = max(peaks[phase], kib)
    return peaks


def phase_walls(run):
    """Wall seconds per phase: each task lasts until the next one starts (the last until the end)."""
    starts = [e for e in run.events if e['event'] in ('task', 'end')]
    walls = dict((p, 0.0) for p in PHASES)
    for current, following in zip(starts, starts[1:]):
        walls[phase_of(current.get('path'))] += following['wall'] - current['wall']
    return walls


def phase_requests(fleet):
    """Per phase: module runs, requests, logins, relogins, GETs without fields=, changing requests,
    summed over the arrays, plus the number of arrays."""
    run = fleet['run']
    marks = [(e['clock'], phase_of(e.get('path'))) for e in run.tasks() if e.get('clock') is not None]
    table = dict((p, {'module_runs': 0, 'requests': 0, 'logins': 0, 'relogins': 0, 'get_without_fields': [],
                      'changing': [], 'errors': 0}) for p in PHASES)
    for name, entries in fleet['logs'].items():
        for (_clock, phase), bucket in zip(marks, B.split_by_marks(entries, marks)):
            counts = B.count_requests(bucket)
            row = table[phase]
            row['requests'] += counts['requests']
            row['logins'] += counts['logins']
            row['errors'] += counts['errors']
            row['get_without_fields'] += counts['get_without_fields']
            row['changing'] += counts['changing']
    for result in run.results(action_prefix='unity.upgrade.'):
        if result['status'] == 'skipped':
            continue
        row = table[phase_of(result.get('path'))]
        row['module_runs'] += 1
        row['relogins'] += int(result['result'].get('relogins') or 0)
    return table


def run(work, arrays, scale, package_mib, profile=False):
    """Item 3: the fleet of ``arrays`` and the single array, one after the other. With ``profile``, the
    fleet's ansible-playbook runs under cProfile (slower: its figures are then not comparable)."""
    results = {}
    profile_path = work.file('fleet-%d.prof' % arrays) if profile else None
    for count in (1, arrays):
        if count in results:
            continue
        B.log('fleet: upgrade playbook against %d array(s), time scale %g, forks %d, serial %d'
              % (count, scale, arrays, arrays))
        results[count] = upgrade_fleet(work, count, scale, package_mib, forks=arrays, serial=arrays,
                                       profile=profile_path if count == arrays else None)
        fleet = results[count]
        memory = fleet['run'].memory
        B.log('fleet: %d array(s): %.1f s wall, %.1f s CPU (%.2f s per array), peak PSS %.0f MiB (%.1f MiB per array), '
              '%d processes at most' % (count, fleet['run'].wall, fleet['run'].cpu, fleet['run'].cpu / count,
                                        memory['peak_kib'] / 1024.0, memory['peak_kib'] / 1024.0 / fleet['concurrent'],
                                        memory['peak_processes']))
        B.log('fleet: %d array(s): at the peak: %s' % (count, peak_composition(fleet['run'])))
        B.log('fleet: %d array(s): peak PSS per array upgrading at once, by phase: %s' % (count, ', '.join(
            '%s %.1f MiB' % (phase, kib / 1024.0 / fleet['concurrent'])
            for phase, kib in phase_peaks(fleet['run']).items() if kib)))
    return {'single': results[1], 'fleet': results[arrays], 'arrays': arrays, 'scale': scale,
            'profile': profile_path}


def task_walls(run):
    """Wall seconds per task name (summed over its runs), as phase_walls does per phase."""
    starts = [e for e in run.events if e['event'] in ('task', 'end')]
    walls = {}
    for current, following in zip(starts, starts[1:]):
        key = '%s: %s' % (phase_of(current.get('path')), current['name'].rsplit(' : ', 1)[-1])
        walls[key] = walls.get(key, 0.0) + following['wall'] - current['wall']
    return walls


def cpu_split(fleet):
    """CPU seconds of the run: the module processes (each one's own, from wait4) and the rest of the
    tree (ansible-playbook, its workers, the shells and timers around the module processes)."""
    run = fleet['run']
    count, module_cpu, peak = fleet['modules']
    return {'module_runs': count, 'module_cpu': module_cpu, 'ansible_cpu': run.cpu - module_cpu,
            'module_peak_kib': peak}


def figures(results):
    single, fleet, arrays = results['single'], results['fleet'], results['arrays']
    scale = results['scale']
    ratio = fleet['run'].wall / single['run'].wall
    rows = [B.Figure(3, 'fleet wall time, %d arrays / 1 array (time scale %g)' % (arrays, scale),
                     B.secs(fleet['run'].wall), '1 array %s' % B.secs(single['run'].wall), ratio,
                     '<= %.1f' % RATIO_TARGET, ratio <= RATIO_TARGET, note=where_it_goes(results))]
    upgrade = REAL_UPGRADE_SECONDS / scale
    real_fleet = fleet['run'].wall - upgrade + REAL_UPGRADE_SECONDS
    real_single = single['run'].wall - upgrade + REAL_UPGRADE_SECONDS
    rows.append(B.Figure(3, 'the same for a real 91-minute upgrade (extrapolated: the measured overhead, the '
                            'upgrade at 1:1)', B.secs(real_fleet, 0), '1 array %s' % B.secs(real_single, 0),
                         real_fleet / real_single, '(information)', None))
    split = cpu_split(fleet)
    per_array = fleet['run'].cpu / arrays
    rows.append(B.Figure(3, 'control node CPU per upgraded array, %d arrays' % arrays,
                         '%s (module processes %s, ansible-playbook and its workers %s)' % (
                             B.secs(per_array, 2), B.secs(split['module_cpu'] / arrays, 2),
                             B.secs(split['ansible_cpu'] / arrays, 2)),
                         '1 array %s' % B.secs(single['run'].cpu, 2), per_array / single['run'].cpu,
                         '<= %g s' % CPU_TARGET, per_array <= CPU_TARGET))
    rows += memory_figures(results)
    return rows


def memory_figures(results):
    """Peak PSS of the ansible-playbook process tree: the N-array run against its target, the 1-array
    run as information."""
    rows = []
    for key in ('fleet', 'single'):
        fleet = results[key]
        memory, concurrent = fleet['run'].memory, fleet['concurrent']
        per_array = memory['peak_kib'] / 1024.0 / concurrent
        target = key == 'fleet' or results['arrays'] == 1
        rows.append(B.Figure(
            3, 'peak PSS of the process tree per array upgrading at once, %d at once' % concurrent,
            '%.1f MiB (peak %.0f MiB in all, %d processes then; at most %d processes)' % (
                per_array, memory['peak_kib'] / 1024.0, memory['processes_at_peak'], memory['peak_processes']),
            '%d samples in %.0f s (every %g s, less often when that took over %d%% of a core: %.1f CPU s in all)'
            % (memory['samples'], fleet['run'].wall, memory['interval'], 100 * memory['share'], memory['own_cpu']), None,
            '<= %g MiB' % PSS_TARGET_MIB if target else '(information)',
            per_array <= PSS_TARGET_MIB if target else None))
        if results['arrays'] == 1:
            break
    return rows


def where_it_goes(results):
    """One paragraph: the extra wall time of the fleet, by phase, and the CPU behind it."""
    single, fleet, arrays = results['single'], results['fleet'], results['arrays']
    walls1, walls_n = phase_walls(single['run']), phase_walls(fleet['run'])
    grown = sorted(((walls_n[p] - walls1[p], p) for p in PHASES), reverse=True)
    text = '%d arrays took %.0f s more than 1: %s. ' % (
        arrays, fleet['run'].wall - single['run'].wall,
        ', '.join('%s +%.0f s' % (p, d) for d, p in grown if d >= 1))
    cores = os.cpu_count() or 1
    text += ('Their ansible-playbook process tree used %.0f CPU s (%.0f s of %d cores)'
             % (fleet['run'].cpu, fleet['run'].cpu / cores, cores))
    split = cpu_split(fleet)
    results_count = max(1, len(fleet['run'].results()))
    text += (': %d module processes x %.2f s, and %.0f ms of ansible-playbook and its workers per task and '
             'host (%d task results); the strategy queues each task host by host in one process'
             % (split['module_runs'], split['module_cpu'] / max(1, split['module_runs']),
                1000 * split['ansible_cpu'] / results_count, results_count))
    return text + '.'


def details(results):
    single, fleet, arrays = results['single'], results['fleet'], results['arrays']
    walls1, walls_n = phase_walls(single['run']), phase_walls(fleet['run'])
    req1, req_n = phase_requests(single), phase_requests(fleet)
    headers = ['phase', 'wall 1 array', 'wall %d arrays' % arrays, 'difference',
               'module runs per array (1 / %d)' % arrays, 'requests per array (1 / %d)' % arrays]
    rows = []
    for phase in PHASES:
        if not walls1[phase] and not walls_n[phase]:
            continue
        rows.append([phase, B.secs(walls1[phase]), B.secs(walls_n[phase]), B.secs(walls_n[phase] - walls1[phase]),
                     '%d / %.1f' % (req1[phase]['module_runs'], req_n[phase]['module_runs'] / float(arrays)),
                     '%d / %.1f' % (req1[phase]['requests'], req_n[phase]['requests'] / float(arrays))])
    rows.append(['total', B.secs(single['run'].wall), B.secs(fleet['run'].wall),
                 B.secs(fleet['run'].wall - single['run'].wall),
                 '%d / %.1f' % (sum(r['module_runs'] for r in req1.values()),
                                sum(r['module_runs'] for r in req_n.values()) / float(arrays)),
                 '%d / %.1f' % (sum(r['requests'] for r in req1.values()),
                                sum(r['requests'] for r in req_n.values()) / float(arrays))])
    return headers, rows


def task_details(results, top=10):
    """The tasks whose wall time grew most from 1 to N arrays."""
    single, fleet, arrays = results['single'], results['fleet'], results['arrays']
    one, many = task_walls(single['run']), task_walls(fleet['run'])
    grown = sorted(((many.get(k, 0.0) - one.get(k, 0.0), k) for k in set(one) | set(many)), reverse=True)
    headers = ['task (phase: name)', 'wall 1 array', 'wall %d arrays' % arrays, 'difference']
    rows = [[k, B.secs(one.get(k, 0.0)), B.secs(many.get(k, 0.0)), B.secs(d)] for d, k in grown[:top]]
    return headers, rows


def cpu_details(results, cores):
    headers = ['run', 'wall', 'CPU (tree)', 'CPU / %d cores' % cores, 'module processes (CPU)',
               'ansible-playbook + workers (CPU)', 'simulator (CPU, same machine)',
               'peak PSS (tree; per array)', 'processes (at the peak; most)']
    rows = []
    for key in ('single', 'fleet'):
        fleet = results[key]
        run = fleet['run']
        split = cpu_split(fleet)
        task_results = len(run.results())
        memory = run.memory
        rows.append(['%d array(s)' % fleet['arrays'], B.secs(run.wall), B.secs(run.cpu), B.secs(run.cpu / cores),
                     '%d runs, %s (%.2f s each)' % (split['module_runs'], B.secs(split['module_cpu']),
                                                    split['module_cpu'] / max(1, split['module_runs'])),
                     '%s for %d task results (%.0f ms each)' % (B.secs(split['ansible_cpu']), task_results,
                                                                1000 * split['ansible_cpu'] / max(1, task_results)),
                     B.secs(fleet['sim_cpu']) if fleet.get('sim_cpu') is not None else '',
                     '%.0f MiB; %.1f MiB' % (memory['peak_kib'] / 1024.0, memory['peak_kib'] / 1024.0 / fleet['concurrent']),
                     '%d; %d' % (memory['processes_at_peak'], memory['peak_processes'])])
    return headers, rows


def profile_details(results, top=25):
    """The functions of ansible-playbook's main process with the most cumulative time (--profile-fleet)."""
    import io
    import pstats
    if not results.get('profile') or not os.path.exists(results['profile']):
        return None
    stream = io.StringIO()
    stats = pstats.Stats(results['profile'], stream=stream)
    stats.sort_stats('cumulative').print_stats(top)
    return stream.getvalue()
