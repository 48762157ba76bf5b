# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Never lock an account (issue #13, part 3).

Unity locks an account after repeated failed logins. A wrong password costs each array at most one
failed login per play: no module retries a refused login until a login of this run has proved the
credentials, and the role stops the array at the first refusal with a line that names the user and
the array. With the right password, the refusals of the management service restarting after an SP
reboot are still waited out. The failed logins are counted in the simulator's request log.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from e2e_helpers import ArmOnSession, session_creates

TARGET = '5.3.0.0.5.120'
BEFORE = '5.2.0.0.5.173'
FAST = {'upgrade_minutes': 6, 'reboot_outage_seconds': 30, 'service_restart_seconds': 10}
LOGIN = '/api/types/loginSessionInfo/instances'


def refused_logins(sim, name):
    return [r for r in sim.requests(name) if r['path'] == LOGIN and r['status'] == 401]


def run_fleet(run_playbook, sim, tmp_path, playbook, host_vars=None, **extra):
    inventory = sim.write_inventory(tmp_path / ('inventory-%s.yml' % playbook.rsplit('.', 1)[-1]),
                                    host_vars=host_vars)
    extra_vars = dict({'unity_upgrade_target_version': TARGET, 'unity_upgrade_poll_interval': 1,
                       'unity_upgrade_progress_interval': 3, 'unity_upgrade_outage_tolerance': 120,
                       'unity_upgrade_serial': 3, 'unity_upgrade_keep_going': True,
                       'unity_upgrade_report_dir': str(tmp_path / ('report-' + playbook.rsplit('.', 1)[-1]))}, **extra)
    return run_playbook(playbook, inventory=inventory, extra_vars=extra_vars, timeout=300)


def test_a_wrong_password_costs_each_array_one_failed_login_per_play(start_sim, run_playbook, tmp_path):
    sim = start_sim(arrays=3, time_scale=120, scenario=dict(FAST, software_version=BEFORE, candidate={'version': TARGET}))
    wrong = dict((name, {'unity_upgrade_password': 'Not-The-Password-1'}) for name in sim.arrays)
    for playbook in ('unity.upgrade.precheck', 'unity.upgrade.upgrade'):
        run = run_fleet(run_playbook, sim, tmp_path, playbook, host_vars=wrong)
        assert run.rc == 2, run.stdout[-3000:]
        for name in sim.arrays:
            user = sim.array(name)['username']
            assert len(refused_logins(sim, name)) == 1, (playbook, name, refused_logins(sim, name))
            failed = [(r['task'], r['result'].get('msg')) for r in run.records
                      if r['host'] == name and r['status'] == 'failed']
            # the first failure of the array, at its first module: one line naming the array and the user
            assert failed and failed[0][1] == (
                "login to https://%s:%s as '%s' was refused (HTTP 401): check username and password, and that "
                "the account has a role that may use the REST API" % (sim.array(name)['host'],
                                                                      sim.array(name)['port'], user)), failed
            assert all(name + ': ' + failed[0][1] == msg for _task, msg in failed[1:]), failed
            assert not sim.changing_requests(name), 'nothing was sent to change the array'
            sim.clear_requests(name)
    assert 'Not-The-Password-1' not in run.stdout + run.stderr


def test_with_the_right_password_the_refusals_of_a_restarting_service_are_waited_out(
        start_sim, run_playbook, tmp_path):
    # once the session runs, the management service refuses every login for 180 simulated seconds
    # (3 real ones: the wait's reads, and the logins it tries again, are refused while it lasts)
    sim = start_sim(arrays=1, time_scale=60, scenario=dict(FAST, software_version=BEFORE, candidate={'version': TARGET}))
    armer = ArmOnSession(sim, 'array-1', {'faults': [{'start': 5, 'duration': 180, 'kind': '401'}]})
    run = run_fleet(run_playbook, sim, tmp_path, 'unity.upgrade.upgrade', unity_upgrade_progress_interval=2)
    assert armer.armed
    assert run.rc == 0, run.stdout[-3000:]
    state = sim.state('array-1')
    assert state['software_version'] == TARGET
    assert len(session_creates(sim.requests('array-1'))) == 1
    assert refused_logins(sim, 'array-1'), 'the 401 window was met and waited out'
