# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue 16: the session records the modules return name what each session installs
(``candidate_version``, ``selected_model``), as the array wrote it."""


OTHER = '5.4.0.0.5.010'
TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
WAIT = {'poll_interval': 0.2, 'outage_tolerance': 60, 'wait_timeout': 60}


def changing(sim, name):
    return [r for r in sim.requests(name) if r['method'] in ('POST', 'DELETE')
            and not r['path'].endswith(('/action/logout', '/action/verifyUpgradeEligibility'))
            and 'loginSessionInfo' not in r['path']]


def test_info_sessions_carry_the_candidate_version_as_written(sim, run_play):
    sim.put_scenario('array-7', {'software_version': BEFORE, 'candidate': {'version': OTHER},
                                 'sessions': [{'status': 'Upgrade_Paused', 'candidate_version': OTHER}]})
    run = run_play([{'name': 'info', 'unity.upgrade.info': {'gather_subset': ['sessions']}, 'register': 'out'}],
                   module_defaults=sim.connection('array-7'))
    assert run.rc == 0, run.stdout[-3000:]
    info = run.result('info')
    assert info['active_session']['candidate_version'] == OTHER
    assert [s['candidate_version'] for s in info['sessions']] == [OTHER]
    assert info['active_session']['selected_model'] is None


def test_info_sp_upgrade_session_carries_its_selected_model(sim, run_play):
    sim.put_scenario('array-7', {'software_version': BEFORE, 'supported_upgrade_models': ['SP680', 'SP880'],
                                 'sessions': [{'status': 'Upgrade_In_Progress', 'type': 2,
                                               'selected_model': 'SP680'}]})
    run = run_play([{'name': 'info', 'unity.upgrade.info': {'gather_subset': ['sessions']}, 'register': 'out'}],
                   module_defaults=sim.connection('array-7'))
    assert run.rc == 0, run.stdout[-3000:]
    active = run.result('info')['active_session']
    assert (active['type_name'], active['selected_model'], active['candidate_version']) == (
        'storageprocessor_upgrade', 'SP680', None)


def test_a_session_for_another_version_is_named_by_its_version(sim, run_play):
    sim.put_scenario('array-7', {'software_version': BEFORE, 'candidate': {'version': OTHER},
                                 'sessions': [{'status': 'Upgrade_Paused', 'candidate_version': OTHER}]})
    run = run_play([{'name': 'upgrade', 'unity.upgrade.upgrade_session': dict(version=TARGET, **WAIT),
                     'register': 'out'}], module_defaults=sim.connection('array-7'))
    assert run.rc != 0
    result = run.result('upgrade')
    assert 'for %s is not over' % OTHER in result['msg'], result['msg']
    assert result['session']['candidate_version'] == OTHER
    assert changing(sim, 'array-7') == []


# -- finding 14: only a session of the type asked for is adopted ------------------------------------

def test_a_running_health_check_for_the_candidate_is_in_the_way_not_adopted(sim, run_play):
    sim.put_scenario('array-7', {'software_version': BEFORE, 'candidate': {'version': TARGET},
                                 'upgrade_minutes': 600,
                                 'sessions': [{'status': 'Upgrade_In_Progress', 'type': 1,
                                               'candidate_version': TARGET}]})
    run = run_play([{'name': 'upgrade', 'unity.upgrade.upgrade_session': dict(version=TARGET, **WAIT),
                     'register': 'out'}], module_defaults=sim.connection('array-7'))
    assert run.rc != 0
    result = run.result('upgrade')
    msg = result['msg']
    assert 'is a health_check session for %s, not an upgrade session, and is in the way' % TARGET in msg, msg
    assert '\n' not in msg and 'adopted' not in msg and 'resumed' not in msg
    assert result.get('action') != 'adopted'
    assert changing(sim, 'array-7') == []


def test_a_failed_health_check_for_the_candidate_is_not_advised_to_be_resumed(sim, run_play):
    sim.put_scenario('array-7', {'software_version': BEFORE, 'candidate': {'version': TARGET},
                                 'sessions': [{'status': 'Upgrade_Failed', 'type': 1,
                                               'candidate_version': TARGET}]})
    run = run_play([{'name': 'upgrade', 'unity.upgrade.upgrade_session': dict(version=TARGET, **WAIT),
                     'register': 'out'}], module_defaults=sim.connection('array-7'))
    assert run.rc != 0
    msg = run.result('upgrade')['msg']
    assert 'is a health_check session for %s' % TARGET in msg and 'cancel it with state: cancelled' in msg, msg
    assert 'resume' not in msg
    assert changing(sim, 'array-7') == []


# -- finding 15: an SP upgrade is adopted only when it goes to the selected model --------------------

def sp_scenario(status='Upgrade_In_Progress', model='SP680'):
    return {'software_version': BEFORE, 'supported_upgrade_models': ['SP680', 'SP880'], 'upgrade_minutes': 600,
            'sessions': [{'status': status, 'type': 2, 'selected_model': model}]}


def test_an_sp_upgrade_to_another_model_is_refused(sim, run_play):
    sim.put_scenario('array-7', sp_scenario())
    run = run_play([{'name': 'sp', 'unity.upgrade.upgrade_session': dict(
        type='storageprocessor_upgrade', selected_model='SP880', **WAIT), 'register': 'out'}],
        module_defaults=sim.connection('array-7'))
    assert run.rc != 0
    result = run.result('sp')
    assert result['msg'].startswith('another SP upgrade (to SP680) is running: session '), result['msg']
    assert result.get('action') != 'adopted'
    assert changing(sim, 'array-7') == []


def test_an_sp_upgrade_to_the_selected_model_is_adopted(sim, run_play):
    sim.put_scenario('array-7', sp_scenario(model='SP880'))
    run = run_play([{'name': 'sp', 'unity.upgrade.upgrade_session': dict(
        type='storageprocessor_upgrade', selected_model='SP880', wait=False), 'register': 'out'}],
        module_defaults=sim.connection('array-7'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('sp')
    assert (result['changed'], result['action']) == (False, 'adopted')
    assert result['session']['selected_model'] == 'SP880'
    assert changing(sim, 'array-7') == []


# -- finding 17: drive firmware and language packs by version; finding 3: written versions -----------

FIRMWARE = '4.3.0.1655078400'


def test_a_firmware_candidate_is_installed_by_its_version(sim, run_play):
    sim.put_scenario('array-7', {'software_version': '5.2.0.0.5.173',
                                 'candidate': {'version': FIRMWARE, 'type': 1}})
    run = run_play([{'name': 'fw', 'unity.upgrade.upgrade_session': dict(version=FIRMWARE, wait=False),
                     'register': 'out'}], module_defaults=sim.connection('array-7'))
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('fw')
    assert (result['changed'], result['action']) == (True, 'created'), result['msg']
    assert result['target_version'] == FIRMWARE
    assert 'drive firmware' in result['msg'] and '(None)' not in result['msg']
    assert result['session']['candidate_version'] == FIRMWARE


def test_a_firmware_candidate_by_id_reports_its_version(sim, run_play):
    sim.put_scenario('array-7', {'software_version': '5.2.0.0.5.173',
                                 'candidate': {'version': FIRMWARE, 'type': 1, 'id': 'candidate_fw'}})
    run = run_play([{'name': 'fw', 'unity.upgrade.upgrade_session': dict(candidate='candidate_fw', wait=False),
                     'register': 'out'}], module_defaults=sim.connection('array-7'), check=True)
    assert run.rc == 0, run.stdout[-3000:]
    result = run.result('fw')
    assert result['target_version'] == FIRMWARE and '(None)' not in result['msg'], result


def test_a_build_with_leading_zeros_is_found_and_printed_as_written(sim, run_play):
    sim.put_scenario('array-7', {'software_version': BEFORE, 'candidate': {'version': OTHER}})
    run = run_play([{'name': 'a', 'unity.upgrade.upgrade_session': dict(version=OTHER, wait=False),
                     'register': 'a'},
                    {'name': 'b', 'unity.upgrade.upgrade_session': dict(version='5.4.0.0.5.10', wait=False),
                     'register': 'b'}],
                   module_defaults=sim.connection('array-7'), check=True)
    assert run.rc == 0, run.stdout[-3000:]
    for name in ('a', 'b'):
        result = run.result(name)
        assert (result['changed'], result['action']) == (True, 'created'), result['msg']
        assert result['target_version'] == OTHER and '5.4.0.0.5.10)' not in result['msg'], result['msg']


def test_a_cancelled_session_reports_its_target_version(sim, run_play):
    sim.put_scenario('array-7', {'software_version': BEFORE, 'candidate': {'version': TARGET},
                                 'sessions': [{'status': 'Upgrade_Paused', 'candidate_version': TARGET}]})
    run = run_play([{'name': 'cancel', 'unity.upgrade.upgrade_session': dict(state='cancelled', **WAIT),
                     'register': 'c'},
                    {'name': 'again', 'unity.upgrade.upgrade_session': dict(state='cancelled', **WAIT),
                     'register': 'd'},
                    {'name': 'ack', 'unity.upgrade.upgrade_session': dict(state='acknowledged', **WAIT),
                     'register': 'e'}],
                   module_defaults=sim.connection('array-7'))
    assert run.rc == 0, run.stdout[-3000:]
    assert run.result('cancel')['target_version'] == TARGET
    assert run.result('cancel')['session']['candidate_version'] == TARGET
    # the array dropped the candidate with the cancel: the session id still names the release
    assert run.result('again')['target_version'] == '5.3.0'
    assert run.result('ack')['target_version'] == '5.3.0'
