# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""unity.upgrade.info through ansible-playbook against the simulator."""


CANARY = 'Canary-Pw-7f3e9c1d'


def test_info_reports_the_scenario_and_never_shows_the_password(sim, run_play):
    sim.put_scenario('array-8', {'password': CANARY, 'health': 'MAJOR', 'model': 'Unity 680F',
                                 'software_version': '5.2.0.0.5.173'})
    run = run_play([{'name': 'info', 'unity.upgrade.info': {}, 'register': 'info'},
                    {'name': 'show', 'ansible.builtin.debug': {'var': 'info'}}],
                   module_defaults=sim.connection('array-8'), verbosity=4)
    assert run.rc == 0, run.stdout[-3000:]
    info = run.result('info')
    assert info['system']['health']['name'] == 'MAJOR'
    assert info['system']['model'] == 'Unity 680F'
    assert info['system']['software_version'] == '5.2.0'
    for text in (run.stdout, run.stderr):
        assert CANARY not in text
    assert 'EMC-CSRF-TOKEN' not in run.stdout


def test_connection_from_unity_environment_variables(sim, run_play):
    sim.put_scenario('array-8', {'health': 'OK'})
    array = sim.array('array-8')
    env = {'UNITY_HOST': array['host'], 'UNITY_PORT': str(array['port']), 'UNITY_USERNAME': array['username'],
           'UNITY_PASSWORD': array['password'], 'UNITY_CA_PATH': sim.ca_file}
    run = run_play([{'name': 'info', 'unity.upgrade.info': {'gather_subset': ['system']}, 'register': 'info'}],
                   env=env)
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result('info')['system']['health']['name'] == 'OK'


def test_untrusted_certificate_names_the_options_to_change(sim, run_play):
    sim.put_scenario('array-8', {})
    connection = sim.connection('array-8')
    del connection['ca_path']
    run = run_play([{'name': 'info', 'unity.upgrade.info': {'gather_subset': ['system']}}],
                   module_defaults=connection)
    assert run.rc != 0
    result = run.result('info')
    assert result['msg'] == (
        'TLS verification of https://%s:%s failed: the certificate is not signed by a trusted CA. Set ca_path '
        "to the CA certificate that signed the array's certificate, or validate_certs: false to skip the check "
        '(insecure)' % (connection['unispherehost'], connection['port']))
    assert 'Traceback' not in run.stdout


def test_validate_certs_false_warns(sim, run_play):
    sim.put_scenario('array-8', {})
    connection = sim.connection('array-8')
    del connection['ca_path']
    connection['validate_certs'] = False
    run = run_play([{'name': 'info', 'unity.upgrade.info': {'gather_subset': ['system']}, 'register': 'info'}],
                   module_defaults=connection)
    assert run.rc == 0, run.stdout[-3000:]
    assert 'validate_certs is false' in run.stdout + run.stderr


def test_failback_subset_names_what_runs_away_from_home(sim, run_play):
    sim.put_scenario('array-8', {'auto_failback': False, 'luns': 1,
                                 'nas_servers': [{'name': 'fs-prod', 'home': 'spa', 'current': 'spb'},
                                                 {'name': 'fs-test', 'home': 'spb'}]})
    run = run_play([{'name': 'info', 'unity.upgrade.info': {'gather_subset': ['failback']}, 'register': 'info'}],
                   module_defaults=sim.connection('array-8'))
    assert run.rc == 0, run.stdout[-3000:]
    info = run.result('info')
    assert info['changed'] is False and info['gathered'] == ['failback']
    failback = info['failback']
    assert failback['auto_failback_enabled'] is False
    assert [(n['name'], n['home_sp'], n['current_sp'], n['at_home']) for n in failback['nas_servers']] == [
        ('fs-prod', 'spa', 'spb', False), ('fs-test', 'spb', 'spb', True)]
    assert failback['luns'] == [{'id': 'sv_1', 'name': 'lun01', 'home_sp': 'spa', 'current_sp': 'spa',
                                 'at_home': True}]
    assert failback['away_from_home'] == [{'kind': 'NAS server', 'id': 'nas_1', 'name': 'fs-prod',
                                           'home_sp': 'spa', 'current_sp': 'spb'}]
    # a read: the array's request log has no changing request
    assert all(r['method'] == 'GET' or 'loginSessionInfo' in r['path'] for r in sim.requests('array-8'))
