# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Item 2: request economy, from the simulator's request log.

- Each module, one task each, against an up-to-date array (it runs the target version): what a
  run costs the array's management service when there is nothing to do.
- A full idempotent role run: ``unity.upgrade.upgrade`` against that array (info, then nothing).
- A full upgrade, per phase of the role (the 1-array run of item 3, or one of its own).

The log is split by task with the simulator's clock read at each task start (bench_record
callback). Counted: requests, successful logins (an attempt the array refused while it restarts is
counted apart), GETs without ``fields=``, and changing requests (POST/PUT/PATCH/DELETE other than
login bookkeeping and verifyUpgradeEligibility, which only reads).
"""

import benchlib as B
import bench_fleet

IDEMPOTENT_LIMIT = 12


def module_tasks(package):
    """(label, task) for each module run against an up-to-date array."""
    def task(label, module, args, check=False):
        item = {'name': label, 'ignore_errors': True, module: args}
        if check:
            item['check_mode'] = True
        return label, item
    return [
        task('info (gather_subset all)', 'unity.upgrade.info', {}),
        task('info (gather_subset sessions)', 'unity.upgrade.info', {'gather_subset': ['sessions']}),
        task('upgrade_eligibility_info', 'unity.upgrade.upgrade_eligibility_info', {}),
        task('upgrade_candidate src', 'unity.upgrade.upgrade_candidate', {'src': package}),
        task('upgrade_candidate src, check mode', 'unity.upgrade.upgrade_candidate', {'src': package}, check=True),
        task('upgrade_session present', 'unity.upgrade.upgrade_session', {'version': B.TARGET}),
        task('upgrade_session present, check mode', 'unity.upgrade.upgrade_session', {'version': B.TARGET},
             check=True),
        task('upgrade_session resumed', 'unity.upgrade.upgrade_session', {'state': 'resumed'}),
    ]


def up_to_date_scenario():
    return {'software_version': B.TARGET}


def measure_modules(work, package):
    sim = B.start_simulator(work, scenario=up_to_date_scenario(), label='sim-requests-modules')
    try:
        tasks = module_tasks(package)
        plays = [B.play([t for _l, t in tasks], module_defaults=B.connection(sim))]
        run = B.run_playbook(work, 'requests-modules', plays, sim=sim, timeout=600).check()
        entries = sim.requests('array-1')
    finally:
        B.stop_simulator(sim)
    labels = [label for label, _task in tasks]
    marks = [(e['clock'], e['name']) for e in run.tasks() if e['name'] in labels]
    if len(marks) != len(labels):
        raise B.BenchError('requests-modules: task starts were not all recorded (%s)' % run.output)
    rows = []
    for (_clock, label), bucket in zip(marks, B.split_by_marks(entries, marks)):
        counts = B.count_requests(bucket)
        counts['label'] = label
        counts['status'] = run.results(task=label)[-1]['status'] if run.results(task=label) else 'none'
        counts['msg'] = (run.result(label).get('msg') or '') if run.results(task=label) else ''
        rows.append(counts)
    return rows, entries


def measure_idempotent_role(work, package_mib):
    """The upgrade playbook against an up-to-date array: per array requests and changing requests."""
    fleet = bench_fleet.upgrade_fleet(work, 1, 60, package_mib, scenario=up_to_date_scenario(),
                                      expect='current', label='requests-idempotent', timeout=600)
    entries = fleet['logs']['array-1']
    counts = B.count_requests(entries)
    counts['entries'] = entries
    counts['module_runs'] = sum(1 for r in fleet['run'].results(action_prefix='unity.upgrade.')
                                if r['status'] != 'skipped')
    counts['paths'] = ['%s %s' % (e['method'], e['path']) for e in entries]
    return counts


def run(work, package_mib, full_upgrade=None, scale=60):
    B.log('requests: each module against an up-to-date array')
    modules, module_entries = measure_modules(work, bench_fleet.small_package(work, package_mib)[0])
    results = {'modules': modules}
    B.log('requests: an idempotent run of the upgrade playbook')
    results['idempotent'] = measure_idempotent_role(work, package_mib)
    if full_upgrade is None:
        B.log('requests: a full upgrade of one array (time scale %g)' % scale)
        full_upgrade = bench_fleet.upgrade_fleet(work, 1, scale, package_mib, label='requests-upgrade')
    results['upgrade'] = phase_table(full_upgrade)
    results['all_entries'] = module_entries + results['idempotent']['entries'] + \
        [e for entries in full_upgrade['logs'].values() for e in entries]
    return results


def phase_table(fleet):
    """Per phase of a 1-array upgrade: module runs, requests, logins, GETs without fields, changes."""
    run = fleet['run']
    marks = [(e['clock'], bench_fleet.phase_of(e.get('path'))) for e in run.tasks() if e.get('clock') is not None]
    rows = dict((p, {'module_runs': 0, 'relogins': 0, 'entries': []}) for p in bench_fleet.PHASES)
    for (_clock, phase), bucket in zip(marks, B.split_by_marks(fleet['logs']['array-1'], marks)):
        rows[phase]['entries'] += bucket
    for result in run.results(action_prefix='unity.upgrade.'):
        if result['status'] != 'skipped':
            row = rows[bench_fleet.phase_of(result.get('path'))]
            row['module_runs'] += 1
            row['relogins'] += int(result['result'].get('relogins') or 0)
    table = []
    for phase in bench_fleet.PHASES:
        row = rows[phase]
        if not row['entries'] and not row['module_runs']:
            continue
        counts = B.count_requests(row['entries'])
        counts.update(phase=phase, module_runs=row['module_runs'], relogins=row['relogins'])
        table.append(counts)
    return table


def figures(results):
    rows = []
    modules, idem, upgrade = results['modules'], results['idempotent'], results['upgrade']
    worst = max(modules, key=lambda r: r['logins'])
    extra_logins = [r for r in upgrade if r['logins'] > r['module_runs'] + r['relogins']]
    all_one = all(r['logins'] == 1 for r in modules) and not extra_logins
    rows.append(B.Figure(2, 'logins per module run (each module; full upgrade: per phase, beyond re-logins '
                            'after SP reboots)',
                         'max %d per module run; upgrade phases: %s' % (
                             worst['logins'],
                             ', '.join('%s %d/%d' % (r['phase'], r['logins'], r['module_runs']) for r in upgrade)),
                         '', None, '1', all_one))
    no_fields = [p for r in modules for p in r['get_without_fields']] + \
        [p for r in upgrade for p in r['get_without_fields']] + idem['get_without_fields']
    rows.append(B.Figure(2, 'GETs without fields= (all runs of item 2)', str(len(no_fields)),
                         ', '.join(sorted(set(no_fields))), None, '0', not no_fields))
    per_module = ', '.join('%s %d' % (r['label'], r['requests']) for r in modules)
    changing_modules = [c for r in modules for c in r['changing']]
    rows.append(B.Figure(2, 'requests per module run against an up-to-date array', per_module,
                         'changing: %s' % (', '.join(changing_modules) or 'none'), None, '0 changing',
                         not changing_modules))
    rows.append(B.Figure(2, 'idempotent role run (upgrade playbook, array up to date), requests per array',
                         '%d (%d module runs, %d changing)' % (
                             idem['requests'], idem['module_runs'], len(idem['changing'])),
                         '', None, '<= %d, 0 changing' % IDEMPOTENT_LIMIT,
                         idem['requests'] <= IDEMPOTENT_LIMIT and not idem['changing']))
    total = sum(r['requests'] for r in upgrade)
    changing = [c for r in upgrade for c in r['changing']]
    rows.append(B.Figure(2, 'full upgrade of one array, requests per phase',
                         '%d: %s' % (total, ', '.join('%s %d' % (r['phase'], r['requests']) for r in upgrade)),
                         'changing: %s' % ', '.join(changing), None, '(information)', None))
    return rows


def details(results):
    headers = ['run', 'requests', 'GET', 'logins', 'GET without fields=', 'changing', 'result']
    rows = []
    for r in results['modules']:
        rows.append([r['label'], r['requests'], r['gets'], r['logins'], len(r['get_without_fields']),
                     ', '.join(r['changing']) or '0', (r['msg'] or r['status'])[:90]])
    idem = results['idempotent']
    rows.append(['idempotent role run (%d module runs)' % idem['module_runs'], idem['requests'], idem['gets'],
                 idem['logins'], len(idem['get_without_fields']), ', '.join(idem['changing']) or '0', 'current'])
    for r in results['upgrade']:
        logins = '%d' % r['logins']
        if r['relogins'] or r['login_refused']:
            logins += ' (%d re-logins, %d attempts refused while restarting)' % (r['relogins'],
                                                                                 r['login_refused'])
        rows.append(['full upgrade: %s (%d module runs)' % (r['phase'], r['module_runs']), r['requests'], r['gets'],
                     logins, len(r['get_without_fields']), ', '.join(r['changing']) or '0', ''])
    return headers, rows


def idempotent_paths(results):
    return results['idempotent']['paths']


def fields_table(results):
    """Each GET path (ids folded) with the fields it asked for, and how often."""
    seen = {}
    for entry in results['all_entries']:
        if entry['method'] != 'GET':
            continue
        path = entry['path']
        if path.startswith('/api/instances/'):
            path = '/'.join(path.split('/')[:4]) + '/<id>'
        fields = next((part[len('fields='):] for part in (entry.get('query') or '').split('&')
                       if part.startswith('fields=')), '(none)')
        key = (path, fields)
        seen[key] = seen.get(key, 0) + 1
    headers = ['GET', 'fields=', 'times']
    return headers, [['`%s`' % path, fields.replace(',', ', '), count] for (path, fields), count in sorted(seen.items())]
