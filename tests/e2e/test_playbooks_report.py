# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The fleet report renders every outcome readably, an unknown one too, and stays self-contained.

No simulator: each inventory host gets a role summary as the role would leave it, and the fleet
playbooks' own report plays and record tasks (as the installed collection ships them) write the
report."""


import os

import yaml

from e2e_helpers import read_report

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
SUMMARIES = {
    'upgraded': {'version_after': TARGET, 'duration_seconds': 3721, 'session_id': 'upgradeSession_1'},
    'current': {'version_before': TARGET, 'version_after': TARGET},
    'paused': {'version_after': BEFORE, 'session_id': 'upgradeSession_2'},
    'started': {'version_after': BEFORE, 'session_id': 'upgradeSession_3'},
    'planned': {'version_after': BEFORE, 'plan': 'upload the candidate, then start an upgrade'},
    'ready': {},
    'staged': {'version_after': BEFORE, 'candidate_version': TARGET,
               'messages': ['candidate 5.3.0.0.5.120 was on the array already: nothing uploaded']},
    'blocked': {'messages': ['<script>alert(1)</script> [Error Code: flr::check_server_connectivity_2]']},
    'failed': {'messages': ['the upgrade failed at task 7']},
    'timed_out': {'version_after': BEFORE, 'session_id': 'upgradeSession_9',
                  'messages': ['the wait ran out after 10800 s; the upgrade goes on on the array']},
    'waiting_for_user': {'version_after': BEFORE, 'session_id': 'upgradeSession_5',
                         'messages': ['the array waits for an administrator']},
    'some_future_outcome': {'version_after': BEFORE},
    None: {'version_after': BEFORE},
}


def _host(outcome):
    return 'array-' + (outcome or 'no-outcome').replace('_', '-')


def test_every_outcome_renders_readably(collections_path, run_playbook, tmp_path):
    hosts = {}
    for outcome, summary in SUMMARIES.items():
        full = dict({'array': _host(outcome), 'target_version': TARGET, 'version_before': BEFORE,
                     'messages': [], 'model': 'Unity 480F'}, **summary)
        if outcome:
            full['outcome'] = outcome
        hosts[_host(outcome)] = {'ansible_connection': 'local', 'role_summary': full}
    inventory = str(tmp_path / 'inventory.yml')
    with open(inventory, 'w') as handle:
        yaml.safe_dump({'unity': {'hosts': hosts}}, handle)
    record_tasks = os.path.join(collections_path, 'ansible_collections', 'unity', 'upgrade', 'playbooks', 'tasks',
                                'record.yml')
    report_dir = tmp_path / 'report'
    playbook = [
        {'name': 'Prepare', 'ansible.builtin.import_playbook': 'unity.upgrade.report_prepare'},
        {'name': 'The role, as it leaves each array', 'hosts': 'unity', 'gather_facts': False, 'tasks': [
            {'name': 'Summary', 'ansible.builtin.set_fact': {'unity_upgrade_summary': '{{ role_summary }}'}},
            {'name': 'Record', 'ansible.builtin.include_tasks': record_tasks}]},
        {'name': 'Show', 'ansible.builtin.import_playbook': 'unity.upgrade.report_show'},
    ]
    run = run_playbook(playbook, inventory=inventory, timeout=300,
                       extra_vars={'unity_upgrade_report_dir': str(report_dir), 'unity_upgrade_target_version': TARGET})
    assert run.rc == 0, run.stdout[-4000:]

    data, rows, page = read_report(report_dir)
    by_array = dict((r['array'], r) for r in data['arrays'])
    assert sorted(by_array) == sorted(hosts)
    cells = dict((row[0].split()[0], row) for row in rows)
    for outcome in SUMMARIES:
        name = _host(outcome)
        shown = outcome or 'unknown'
        assert by_array[name]['outcome'] == shown
        assert cells[name][5] == shown, cells[name]
        assert by_array[name]['line'].startswith('%s: %s, ' % (name, shown))
        assert by_array[name]['line'] in run.stdout, 'the Fleet report shows every line'
        assert 'data-outcome="%s"' % shown in page

    # The line says where the array goes while on the way, and which session goes on.
    assert by_array['array-timed-out']['line'] == (
        'array-timed-out: timed_out, %s -> %s, session upgradeSession_9 (the wait ran out after 10800 s; '
        'the upgrade goes on on the array)' % (BEFORE, TARGET))
    assert by_array['array-waiting-for-user']['line'].startswith(
        'array-waiting-for-user: waiting_for_user, %s -> %s, session upgradeSession_5' % (BEFORE, TARGET))
    assert by_array['array-planned']['line'] == 'array-planned: planned, %s -> %s' % (BEFORE, TARGET)
    assert by_array['array-upgraded']['line'] == 'array-upgraded: upgraded, %s -> %s' % (BEFORE, TARGET)
    assert by_array['array-staged']['line'] == (
        'array-staged: staged, %s -> %s (candidate %s was on the array already: nothing uploaded)'
        % (BEFORE, TARGET, TARGET))
    assert by_array['array-blocked']['line'].startswith('array-blocked: blocked, %s -> %s (' % (BEFORE, TARGET))
    assert 'session upgradeSession_9 (goes on on the array)' in cells['array-timed-out'][6]
    assert 'session upgradeSession_5 (open on the array)' in cells['array-waiting-for-user'][6]

    # Each outcome with its meaning; an unknown one says so; nothing unescaped, nothing external.
    assert 'the wait ran out; the session goes on on the array' in page
    assert 'the array waits for an administrator' in page
    assert 'the candidate is on the array and verified; nothing was started' in page
    assert page.count('an outcome this report does not know') >= 2
    assert '<script' not in page and '&lt;script&gt;' in page
    assert 'http://' not in page and 'https://' not in page and ' src=' not in page
    assert data['run']['id'] in page and all(r['run_id'] == data['run']['id'] for r in data['arrays'])
