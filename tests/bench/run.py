#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""make bench: the benchmarks of unity.upgrade, each figure measured side by side with a reference
in the same run, against the Unisphere simulator on loopback.

    make bench [BENCH_ARGS="..."]          # after make build; or, with .venv's Python:
    PYTHONPATH=tests python tests/bench/run.py [--only upload,requests,fleet,wait] [options]

1. upload    upgrade_candidate's peak RSS and throughput next to curl -F and requests files=
2. requests  requests per module run, per idempotent role run, per phase of a full upgrade
3. fleet     the upgrade playbook against 1 and N arrays: wall time ratio, control node CPU and memory
4. wait      control node CPU per hour of waiting: the role's wait, wait: true, an until loop

Prints a table (figure, reference, ratio, target, met) and writes it as Markdown (--results).
Targets are reported, not asserted: the exit status is 1 only when a benchmark could not run.
See tests/bench/README.md.
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib as B  # noqa: E402
import bench_fleet  # noqa: E402
import bench_requests  # noqa: E402
import bench_upload  # noqa: E402
import bench_wait  # noqa: E402

BENCHES = ('upload', 'fleet', 'requests', 'wait')  # in this order: requests reuses the fleet's 1-array run


def parse_args(argv):
    p = argparse.ArgumentParser(prog='tests/bench/run.py', description=__doc__.split('\n\n', 1)[0])
    p.add_argument('--only', default=','.join(BENCHES),
                   help='comma-separated benchmarks to run (default: %(default)s)')
    p.add_argument('--upload-sizes', default='1024,4096', help='upload sizes in MiB (default: %(default)s)')
    p.add_argument('--upload-repeat', type=int, default=3,
                   help='module and curl uploads per size; the best throughput counts (default: %(default)s)')
    p.add_argument('--fleet-arrays', type=int, default=50, help='arrays of the fleet run (default: %(default)s)')
    p.add_argument('--time-scale', type=float, default=60.0,
                   help='simulated seconds per real second of the fleet and full-upgrade runs; the role\'s '
                        'intervals are divided by it (default: %(default)s)')
    p.add_argument('--package-mib', type=float, default=8.0,
                   help='size of the candidate the fleet runs upload (default: %(default)s)')
    p.add_argument('--wait-compression', type=float, default=100.0,
                   help='item 4: a simulated hour of waiting takes 3600/N real seconds; best a divisor of 300, '
                        'as the role\'s progress interval is whole seconds (default: %(default)s)')
    p.add_argument('--results', default='docs/benchmarks.md',
                   help="Markdown results file, relative to the repository ('' to write none; default: "
                        "%(default)s)")
    p.add_argument('--work-dir', default=os.path.join(B.REPO, 'build', 'bench'),
                   help='scratch space: playbooks, logs, generated packages (default: %(default)s)')
    p.add_argument('--keep', action='store_true', help='keep the scratch directory of this run')
    p.add_argument('--profile-fleet', action='store_true',
                   help="run the fleet's ansible-playbook under cProfile and add its top functions (slows that run: "
                        'not for the results file)')
    p.add_argument('--quick', action='store_true',
                   help='a smoke run: 256 MiB and 1 GiB uploads once, 5 arrays, compression 150 (not for the '
                        'results file)')
    args = p.parse_args(argv)
    args.only = [b.strip() for b in args.only.split(',') if b.strip()]
    unknown = set(args.only) - set(BENCHES)
    if unknown:
        p.error('unknown benchmark(s) %s; choose from %s' % (', '.join(sorted(unknown)), ', '.join(BENCHES)))
    if args.quick:
        args.upload_sizes, args.upload_repeat, args.fleet_arrays, args.wait_compression = '256,1024', 1, 5, 150.0
        if args.results == p.get_default('results'):
            args.results = os.path.join('build', 'bench', 'benchmarks-quick.md')
    try:
        args.upload_sizes = [int(s) for s in args.upload_sizes.split(',') if s.strip()]
    except ValueError:
        p.error('--upload-sizes takes MiB numbers such as 1024,4096')
    if args.fleet_arrays < 1 or args.upload_repeat < 1 or args.time_scale <= 0 or args.wait_compression <= 0:
        p.error('counts and scales must be positive')
    return args


def environment():
    def command(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False,
                                  cwd=B.REPO).stdout.strip()
        except OSError:
            return ''
    cpu = ''
    try:
        with open('/proc/cpuinfo') as handle:
            cpu = next((line.split(':', 1)[1].strip() for line in handle if line.startswith('model name')), '')
    except OSError:
        pass
    memory = B.mem_available_bytes()
    ansible = command([B.venv_tool('ansible-playbook'), '--version']).splitlines()
    curl = command(['curl', '--version']).splitlines()
    return {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
        'commit': command(['git', 'describe', '--always', '--dirty']) or 'unknown',
        'machine': '%s, %d CPU(s) (%s), %.0f GiB available memory' % (
            platform.platform(terse=True), os.cpu_count() or 0, cpu or 'unknown CPU',
            (memory or 0) / float(B.GIB)),
        'python': platform.python_version(),
        'ansible': ansible[0] if ansible else 'unknown',
        'curl': curl[0].split(' (', 1)[0] if curl else 'missing',
        'cores': os.cpu_count() or 1,
    }


class Report:
    def __init__(self, args, env):
        self.args = args
        self.env = env
        self.figures = []
        self.sections = []     # (title, text) in Markdown
        self.failures = []
        self.loads = []         # (benchmark, load average before, after)

    def add(self, rows):
        self.figures.extend(rows)

    def load(self, name, before, after):
        self.loads.append((name, before, after))

    def section(self, title, text):
        self.sections.append((title, text))

    def table(self, title, headers, rows, intro=''):
        text = (intro + '\n\n' if intro else '') + B.markdown_table(headers, rows)
        self.section(title, text)
        print('\n%s\n%s' % (title, B.text_table(headers, rows)))

    def fail(self, name, error):
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        self.failures.append((name, reason))
        self.add([B.Figure({'upload': 1, 'requests': 2, 'fleet': 3, 'wait': 4}[name], name, 'could not run', '',
                           None, '', False, reason)])

    def summary_rows(self):
        return [f.cells() for f in sorted(self.figures, key=lambda f: f.item)]

    def print_summary(self):
        print('\n== unity.upgrade benchmarks (%s)' % self.env['commit'])
        print(B.text_table(B.HEADERS, self.summary_rows(), max_width=70))
        for figure in self.figures:
            if figure.note:
                print('  [%s] %s: %s' % (figure.item, figure.name, figure.note))

    def markdown(self):
        e = self.env
        met = [f for f in self.figures if f.met is True]
        missed = [f for f in self.figures if f.met is False]
        lines = [
            '# Benchmarks',
            '',
            'Written by `make bench` (`tests/bench/run.py`); do not edit by hand, run it again. Every figure',
            'is measured side by side with its reference in the same run, against the Unisphere simulator',
            '(`tests/unity_sim`) on loopback: ratios and counts matter here, not absolute times, which depend',
            'on the machine. What the benchmarks need and how they measure: `tests/bench/README.md`.',
            '',
            '- Run: %s, commit `%s`' % (e['date'], e['commit']),
            '- Machine: %s' % e['machine'],
            '- Python %s, %s, %s' % (e['python'], e['ansible'], e['curl']),
            '- Options: `%s`' % ' '.join(self.argv_text()),
            '- Load average (1 min) before / after each benchmark, %d core(s): %s' % (e['cores'], ', '.join(
                '%s %.1f / %.1f' % (name, before, after) for name, before, after in self.loads) or 'none'),
            '- Targets met: %d, not met: %d%s' % (len(met), len(missed), (
                ' (%s)' % '; '.join('%s. %s' % (f.item, f.name) for f in missed)) if missed else ''),
            '',
            '## Summary',
            '',
            B.markdown_table(B.HEADERS, self.summary_rows()),
            '',
        ]
        notes = [f for f in self.figures if f.note]
        if notes:
            lines += ['Notes:', ''] + ['- %s. %s: %s' % (f.item, f.name, f.note) for f in notes] + ['']
        for title, text in sorted(self.sections, key=lambda section: section[0].split('.', 1)[0]):
            lines += ['## %s' % title, '', text, '']
        return '\n'.join(lines).rstrip() + '\n'

    def argv_text(self):
        a = self.args
        return ['--only', ','.join(a.only), '--upload-sizes', ','.join(str(s) for s in a.upload_sizes),
                '--upload-repeat', str(a.upload_repeat), '--fleet-arrays', str(a.fleet_arrays),
                '--time-scale', '%g' % a.time_scale, '--package-mib', '%g' % a.package_mib,
                '--wait-compression', '%g' % a.wait_compression]


UPLOAD_INTRO = '''Each size is a generated candidate (`unity_sim.packages.write_candidate`) uploaded to one
simulated array over HTTPS. Peak RSS is the `wait4` peak of the measured process: the module process
(an interpreter wrapper, `rss_probe.py`, runs the AnsiballZ module), `curl -F` (cookie and CSRF
token of a `requests` login, from a 0600 config file), and `requests` with `files=`
(`naive_upload.py`). Throughput is the file size over the upload request's time: the module's
`upload.seconds`, curl's `time_total`, the naive call's time. Module and curl alternate; the best
run of each counts (other load on the machine only slows a run down). The simulator and the
clients share the machine's cores.'''

REQUESTS_INTRO = '''Counted from the simulator's request log, split by task with its clock read at each task start.
"logins" are successful ones (a login the array answered 503 while its services restart is a
retry, counted apart); "changing" are POST/PUT/PATCH/DELETE other than login bookkeeping and
`verifyUpgradeEligibility`. The up-to-date array runs the target version; the full upgrade is the
1-array run of the fleet benchmark (the role's default intervals divided by the time scale).'''

FLEET_INTRO = '''`unity.upgrade.upgrade` against 1 and against %(n)d arrays, forks %(n)d and serial %(n)d, each array
upgraded from 5.2.0.0.5.173 with a small candidate uploaded from a file, on the simulator's clock
(time scale S: the 91.4-minute upgrade takes 5485/S s; the role's default intervals are divided
by S, in whole seconds and at least 1 s, as the role takes them). Phase = the role's tasks file (report = the
playbook's own report tasks). Every module has ansible-playbook's own Python, as the playbook sets it, so the
collection's modules run in ansible-playbook's workers. CPU: `wait4` of ansible-playbook (its whole process tree);
each module process that starts all the same logs its own CPU (`getrusage`) as it exits, through a
sitecustomize on ansible-playbook's PYTHONPATH; ansible-playbook and its workers = the tree less the module
processes. Memory: every 0.5 s the sum of PSS (`smaps_rollup`) over
ansible-playbook and all its descendants (found by parent pid: module processes run in sessions of their
own); the peak, divided by the arrays upgrading at once (%(n)d), is the figure per array.'''

WAIT_INTRO = '''One array runs a session that stays in progress (no reboot in the window). Each way of waiting
waits one hour at the role's default poll interval, with time compressed by C, in its own
ansible-playbook run. Every figure is a total measured in that run, none a difference between
runs: the module processes' own CPU (`wait4` on each, by an interpreter wrapper); ansible-playbook
(main process and workers) during the wait = the tree's CPU (`wait4`) less what it had used when
the wait began (`os.times` in its main process, by the `bench_record` callback) less the module
processes; progress lines (the action plugin's, the last one from the result included) on the simulator's clock.
ansible-playbook's strategy loop polls its workers every 1 ms while a task runs, CPU per real second
that compression shortens and that the arrays of a run share: in each run it is the main process's
own CPU across the wait's one long task ("of which the strategy loop"), left out of the figure per
array ("per hour, loop apart") and given per real hour and ansible-playbook run in its own rows.'''


def run_benchmarks(args, report, work):
    full_upgrade = None
    for name in BENCHES:
        if name not in args.only:
            continue
        before = os.getloadavg()[0]
        full_upgrade = run_one(name, args, report, work, full_upgrade)
        report.load(name, before, os.getloadavg()[0])


def run_one(name, args, report, work, full_upgrade):
    """Run one benchmark into the report; returns the 1-array full upgrade when the fleet ran it."""
    if name == 'upload':
        try:
            results = bench_upload.run(work, args.upload_sizes, args.upload_repeat)
            report.add(bench_upload.figures(results))
            report.table('1. Upload memory and throughput', *bench_upload.details(results), intro=UPLOAD_INTRO)
        except Exception as error:  # a benchmark that cannot run is reported, the others still run
            report_error(report, 'upload', error)
    elif name == 'fleet':
        try:
            results = bench_fleet.run(work, args.fleet_arrays, args.time_scale, args.package_mib,
                                      profile=args.profile_fleet)
            full_upgrade = results['single']
            report.add(bench_fleet.figures(results))
            report.table('3. Fleet: wall time per phase', *bench_fleet.details(results),
                         intro=FLEET_INTRO % {'n': args.fleet_arrays})
            report.table('3. Fleet: control node CPU and memory', *bench_fleet.cpu_details(results, report.env['cores']))
            report.table('3. Fleet: tasks that grew most from 1 to %d arrays' % args.fleet_arrays,
                         *bench_fleet.task_details(results))
            profile = bench_fleet.profile_details(results)
            if profile:
                print(profile)
                report.section('3. Fleet: ansible-playbook main process, cProfile (cumulative)',
                               '```\n%s\n```' % profile.strip())
        except Exception as error:
            report_error(report, 'fleet', error)
    elif name == 'requests':
        try:
            results = bench_requests.run(work, args.package_mib, full_upgrade=full_upgrade, scale=args.time_scale)
            report.add(bench_requests.figures(results))
            report.table('2. Request economy', *bench_requests.details(results), intro=REQUESTS_INTRO)
            paths = bench_requests.idempotent_paths(results)
            report.section('2. The requests of an idempotent role run', '\n'.join(
                ['%d. `%s`' % (i + 1, p) for i, p in enumerate(paths)]))
            report.table('2. Fields read, per resource (every GET of item 2)', *bench_requests.fields_table(results))
        except Exception as error:
            report_error(report, 'requests', error)
    elif name == 'wait':
        try:
            results = bench_wait.run(work, args.wait_compression)
            report.add(bench_wait.figures(results, args.fleet_arrays))
            report.table('4. Waiting cost', *bench_wait.details(results),
                         intro=WAIT_INTRO.replace('compressed by C', 'compressed by %g' % args.wait_compression))
        except Exception as error:
            report_error(report, 'wait', error)
    return full_upgrade


def report_error(report, name, error):
    if not isinstance(error, B.BenchError):
        traceback.print_exc()
    print('bench: %s could not run: %s' % (name, error), file=sys.stderr)
    report.fail(name, error)


def main(argv):
    args = parse_args(argv)
    started = time.monotonic()
    try:
        B.venv_tool('ansible-playbook')
        work = B.Work(os.path.abspath(args.work_dir), keep=args.keep)
    except B.BenchError as error:
        print('bench: %s' % error, file=sys.stderr)
        return 1
    env = environment()
    report = Report(args, env)
    B.log('%s; scratch space %s' % (env['machine'], work.path))
    try:
        run_benchmarks(args, report, work)
    finally:
        work.close(failed=bool(report.failures))
    report.print_summary()
    if args.results:
        path = args.results if os.path.isabs(args.results) else os.path.join(B.REPO, args.results)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as handle:
            handle.write(report.markdown())
        B.log('results written to %s' % os.path.relpath(path, B.REPO))
    B.log('done in %.0f s' % (time.monotonic() - started))
    return 1 if report.failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
