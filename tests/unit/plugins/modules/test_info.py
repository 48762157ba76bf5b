# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""info gather_subset=failback: home and current SP of NAS servers and LUNs, from recorded answers."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.unity.upgrade.plugins.modules import info as mod

from ansible_collections.unity.upgrade.tests.unit.framework.shapes import collection, instance
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply

SYSTEM = '/api/instances/system/0'
NAS = '/api/types/nasServer/instances'
LUNS = '/api/types/lun/instances'


def script(transport, nas, luns, enabled=True):
    system = {'id': '0'} if enabled is None else {'id': '0', 'isAutoFailbackEnabled': enabled}
    transport.add('GET', SYSTEM, Reply(200, instance(system)))
    transport.add('GET', NAS, Reply(200, collection(*nas)))
    transport.add('GET', LUNS, Reply(200, collection(*luns)))


def test_failback_names_what_runs_away_from_home(run_module, transport):
    script(transport,
           [{'id': 'nas_1', 'name': 'fs-prod', 'homeSP': {'id': 'spa'}, 'currentSP': {'id': 'spb'}},
            {'id': 'nas_2', 'name': 'fs-test', 'homeSP': {'id': 'spb'}, 'currentSP': {'id': 'spb'}}],
           [{'id': 'sv_1', 'name': 'db01', 'defaultNode': 0, 'currentNode': 0},
            {'id': 'sv_2', 'name': 'db02', 'defaultNode': 1, 'currentNode': 0},
            {'id': 'sv_3', 'name': 'odd', 'defaultNode': 0, 'currentNode': 2}],
           enabled=False)
    run = run_module(mod, {'gather_subset': ['failback']}, check=True)
    assert not run.failed, run.result
    result = run.result
    assert result['changed'] is False and result['gathered'] == ['failback']
    failback = result['failback']
    assert failback['auto_failback_enabled'] is False
    assert failback['nas_servers'] == [
        {'id': 'nas_1', 'name': 'fs-prod', 'home_sp': 'spa', 'current_sp': 'spb', 'at_home': False},
        {'id': 'nas_2', 'name': 'fs-test', 'home_sp': 'spb', 'current_sp': 'spb', 'at_home': True}]
    assert [(lun['name'], lun['home_sp'], lun['current_sp'], lun['at_home']) for lun in failback['luns']] == [
        ('db01', 'spa', 'spa', True), ('db02', 'spb', 'spa', False), ('odd', 'spa', None, False)]
    assert failback['away_from_home'] == [
        {'kind': 'NAS server', 'id': 'nas_1', 'name': 'fs-prod', 'home_sp': 'spa', 'current_sp': 'spb'},
        {'kind': 'LUN', 'id': 'sv_2', 'name': 'db02', 'home_sp': 'spb', 'current_sp': 'spa'},
        {'kind': 'LUN', 'id': 'sv_3', 'name': 'odd', 'home_sp': 'spa', 'current_sp': None}]
    # each read names its fields; nothing but GETs
    [nas] = transport.requests_to('GET', NAS)
    assert nas.query['fields'] == 'id,name,homeSP,currentSP'
    [luns] = transport.requests_to('GET', LUNS)
    assert luns.query['fields'] == 'id,name,defaultNode,currentNode'
    assert run.posts() == []


def test_failback_with_nothing_to_place_and_no_failback_flag(run_module, transport):
    script(transport, [], [], enabled=None)
    run = run_module(mod, {'gather_subset': ['failback']})
    assert not run.failed, run.result
    assert run.result['failback'] == {'auto_failback_enabled': None, 'nas_servers': [], 'luns': [],
                                      'away_from_home': []}
    assert 'system' not in run.result
