# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue #11, part 1: the eligibility check read fail-safe, in every shape the reference records real
arrays answering it (the simulator's ``eligibility_answer``), by the module and by the role's precheck.

Each shape is tried on an array with a blocking problem and on one without: the first is never
eligible, whatever the shape; the second is eligible where the shape says so, and an answer that
cannot be read is never eligible.
"""


import json
import os

BLOCKING = 'flr::check_server_connectivity_2'
TARGET = '5.3.0.0.5.120'
READABLE = ('messages', 'codes', 'codes_empty_messages', 'codes_only', 'status_only', 'conflict', 'job', 'job_failed')
UNREADABLE = ('unexpected', 'empty', 'html')
SHAPES = READABLE + UNREADABLE


def arrays_of(shapes):
    """array-N: (shape, with a blocking problem or not), two arrays a shape."""
    out = {}
    for index, shape in enumerate(shapes):
        out['array-%d' % (2 * index + 1)] = (shape, True)
        out['array-%d' % (2 * index + 2)] = (shape, False)
    return out


ARRAYS = arrays_of(SHAPES)


def scenario():
    arrays = {}
    for name, (shape, problem) in ARRAYS.items():
        arrays[name] = {'software_version': '5.2.0.0.5.173', 'eligibility_answer': shape}
        if problem:
            arrays[name]['eligibility'] = {'blocking': [BLOCKING]}
    return {'arrays': arrays}


def test_every_shape_of_the_answer_is_read_fail_safe(start_sim, run_play, run_playbook, tmp_path):
    sim = start_sim(arrays=len(ARRAYS), time_scale=60, scenario=scenario())
    tasks = [{'name': name, 'unity.upgrade.upgrade_eligibility_info': sim.connection(name), 'register': 'out',
              'ignore_errors': True} for name in sorted(ARRAYS)]
    run = run_play(tasks, check=True, timeout=300)
    for name, (shape, problem) in sorted(ARRAYS.items()):
        assert run.status(name) == 'ok', (name, shape, run.result(name).get('msg'))
        result = run.result(name)
        eligible = not problem and shape in READABLE and shape != 'job_failed'
        assert result['eligible'] is eligible, (name, shape, problem, result['msg'])
        if not eligible:
            assert result['blocking'] and result['msg'].startswith('not eligible: ')
            assert '\n' not in result['msg']
        if problem and shape in ('messages', 'codes', 'codes_empty_messages', 'codes_only'):
            assert BLOCKING in [m['error_code'] for m in result['blocking']], (shape, result['blocking'])
        if shape in UNREADABLE:
            assert result['msg'].startswith("not eligible: ?: could not read the array's answer to the eligibility "
                                            'check ('), (shape, result['msg'])
        assert sim.modifying_requests(name) == [], 'the check changes nothing'

    report = tmp_path / 'report'
    inventory = sim.write_inventory(tmp_path / 'inventory.yml')
    precheck = run_playbook('unity.upgrade.precheck', inventory=inventory, timeout=600, extra_vars={
        'unity_upgrade_target_version': TARGET, 'unity_upgrade_report_dir': str(report)})
    assert precheck.rc == 2, precheck.stdout[-3000:]
    with open(os.path.join(str(report), 'report.json')) as handle:
        outcomes = dict((r['array'], r) for r in json.load(handle)['arrays'])
    for name, (shape, problem) in sorted(ARRAYS.items()):
        wanted = 'ready' if not problem and shape in READABLE and shape != 'job_failed' else 'blocked'
        assert outcomes[name]['outcome'] == wanted, (name, shape, problem, outcomes[name].get('messages'))
        if wanted == 'blocked':
            assert outcomes[name]['messages'], 'the array\'s reasons are in the report'
