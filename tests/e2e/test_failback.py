# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Failback verified and the array's own health check (issue #14, parts 3 and 6), in one fleet run:
NAS servers and LUNs must be back on their home SP after the upgrade (fail, or warn by a variable),
and unity_upgrade_health_check runs the array's health-check session in the preflight."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os

from e2e_helpers import UPLOAD, fleet_vars, session_creates
from unity_sim.packages import write_candidate

BEFORE = '5.2.0.0.5.173'
TARGET = '5.3.0.0.5.120'
FAST = {'software_version': BEFORE, 'upgrade_minutes': 20, 'reboot_outage_seconds': 150,
        'service_restart_seconds': 40}
POOL = 'flr::check_if_storage_pool_recovery_is_required_3'
MULTIPATH = 'flr::check_host_multipathing_1'


def test_failback_and_health_check(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=5, time_scale=300, scenario={'default': FAST, 'arrays': {
        # health check on and passing (a warning, accepted), auto failback on: upgraded, all home
        'array-1': dict(FAST, health_check={'warnings': [MULTIPATH]}),
        # auto failback off: SP A's NAS server and LUNs stay on SP B, the array fails
        'array-2': dict(FAST, auto_failback=False),
        # the same with unity_upgrade_failback_required false: upgraded, with a warning
        'array-3': dict(FAST, auto_failback=False),
        # the failback comes 300 simulated seconds (1 s) after the upgrade: the role waits for it
        'array-4': dict(FAST, failback_seconds=300),
        # health check on, blocking: blocked with the message, nothing uploaded nor started
        'array-5': dict(FAST, health_check={'blocking': [POOL]})}})
    package = write_candidate(str(tmp_path), TARGET, 1 << 20)
    report_dir = tmp_path / 'report'
    inventory = sim.write_inventory(tmp_path / 'inventory.yml', host_vars={
        'array-1': {'unity_upgrade_health_check': True, 'unity_upgrade_allow_warnings': True},
        'array-3': {'unity_upgrade_failback_required': False},
        'array-5': {'unity_upgrade_health_check': True}})
    extra = fleet_vars(report_dir, unity_upgrade_candidate_src=str(package), unity_upgrade_failback_timeout=6,
                       unity_upgrade_keep_going=True)
    run = run_playbook('unity.upgrade.upgrade', inventory=inventory, extra_vars=extra, timeout=300)
    text = run.stdout[-5000:] + run.stderr[-2000:]
    counts = run.recap()
    assert [counts[name]['failed'] for name in sorted(sim.arrays)] == [0, 1, 0, 0, 1], text
    with open(os.path.join(str(report_dir), 'report.json')) as handle:
        records = dict((r['array'], r) for r in json.load(handle)['arrays'])
    assert dict((name, r['outcome']) for name, r in records.items()) == {
        'array-1': 'upgraded', 'array-2': 'failed', 'array-3': 'upgraded', 'array-4': 'upgraded',
        'array-5': 'blocked'}, text

    for name in ('array-1', 'array-4'):
        state = sim.state(name)
        assert state['software_version'] == TARGET and state['away_from_home'] == [], state
    # array-1's health check ran before the upgrade, passed with its warning, and the warning is kept
    types = [s['type_name'] for s in sim.state('array-1')['sessions']]
    assert types == ['Health_Check', 'Upgrade'], types
    assert any('[Error Code: %s]' % MULTIPATH in w for w in records['array-1']['warnings']), records['array-1']

    away = ('3 of 6 NAS servers and LUNs are not on their home SP 6 s after the upgrade: NAS server nas01 '
            '(home spa, on spb), LUN lun01 (home spa, on spb), LUN lun03 (home spa, on spb); automatic failback '
            'is off on the array (system.isAutoFailbackEnabled); fail them back in Unisphere')
    assert sim.state('array-2')['software_version'] == TARGET
    assert sim.state('array-2')['away_from_home'] == ['nas01', 'lun01', 'lun03']
    assert records['array-2']['messages'][-1] == away, records['array-2']
    assert 'array-2: %s' % away in run.stdout
    assert records['array-3']['messages'][-1] == 'warning: ' + away, records['array-3']
    assert records['array-3']['version_after'] == TARGET

    blocked = records['array-5']
    assert len(blocked['messages']) == 1 and blocked['messages'][0].endswith('[Error Code: %s]' % POOL), blocked
    assert ("the array's health check stops the upgrade: %s" % blocked['messages'][0]) in run.stdout
    state = sim.state('array-5')
    assert [s['type_name'] for s in state['sessions']] == ['Health_Check'], state['sessions']
    assert state['software_version'] == BEFORE and state['candidate'] is None
    assert not [r for r in sim.requests('array-5') if r['path'] == UPLOAD]
    assert len(session_creates(sim.requests('array-5'))) == 1
