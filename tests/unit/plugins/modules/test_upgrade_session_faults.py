# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""upgrade_session run while the upgrade completes between its reads: the version is read first, then the
sessions and candidates, which by then show a finished session and no candidate (the array drops it)."""


import pytest

from ansible_collections.unity.upgrade.plugins.modules import upgrade_session as mod

from ansible_collections.unity.upgrade.tests.unit.framework.shapes import BASIC, CANDIDATES, SESSIONS, basic, collection, raw_candidate, raw_session
from ansible_collections.unity.upgrade.tests.unit.framework.transport import Reply

TARGET = '5.3.0.0.5.120'


@pytest.mark.parametrize('seen', ['completed, no candidate', 'running, no candidate'])
def test_an_upgrade_that_completes_between_the_reads_is_reported_done(run_module, transport, seen):
    status = 2 if seen.startswith('completed') else 1
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic(TARGET)))
    transport.add('GET', SESSIONS, Reply(200, collection(raw_session(status, 100 if status == 2 else 99, 11))),
                  Reply(200, collection(raw_session(2, 100))))
    transport.add('GET', CANDIDATES, Reply(200, collection()), Reply(200, collection()))
    run = run_module(mod, {'version': TARGET, 'poll_interval': 0.01})
    assert not run.failed, run.result['msg']
    assert (run.result['changed'], run.result['action']) == (False, 'none')
    assert run.result['msg'] == 'the array already runs %s, which is %s or newer: nothing to do' % (TARGET, TARGET)
    assert run.posts() == []


def test_nothing_changed_meanwhile_is_still_the_clear_failure(run_module, transport):
    transport.add('GET', BASIC, Reply(200, basic()), Reply(200, basic()))
    transport.add('GET', SESSIONS, Reply(200, collection()))
    transport.add('GET', CANDIDATES, Reply(200, collection(raw_candidate('candidate_7', '5.2.1.0.5.100'))))
    run = run_module(mod, {'version': TARGET})
    assert run.failed
    assert run.result['msg'] == ('no upgrade candidate of version %s is on the array (candidates: candidate_7 '
                                 '(5.2.1.0.5.100)); upload it with unity.upgrade.upgrade_candidate' % TARGET)
