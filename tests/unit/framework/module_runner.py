# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Whole module runs: a module's ``main()`` with its arguments, its requests going to a scripted
transport, its exit read back as the result it printed."""


import json

import pytest

from ansible_collections.unity.upgrade.plugins.module_utils.module import UnityModule
from ansible_collections.unity.upgrade.plugins.module_utils.rest import UnityRestClient
from ansible_collections.unity.upgrade.tests.unit.framework.transport import scripted_session

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

PASSWORD = 'S3cret!pw'
CONNECTION = {'unispherehost': 'unity.example.com', 'username': 'admin', 'password': PASSWORD}


class ModuleRun:
    """What a module run ended with: ``failed``, the ``result`` it printed (and its ``raw`` text)."""

    def __init__(self, failed, result, transport):
        self.failed = failed
        self.result = result
        self.transport = transport
        self.raw = json.dumps(result)

    def posts(self):
        """The POSTs the module sent, logins and logouts left out."""
        return [r for r in self.transport.sent if r.method == 'POST'
                and not r.path.startswith('/api/types/loginSessionInfo/')]


def scripted_client_factory(transport, clock=None):
    """A UnityModule.client_factory: the client the module would make, over ``transport``;
    with ``clock`` (a retry.Clock), the client waits on that clock instead of the module's."""
    def client_factory(**kwargs):
        if clock is not None:
            kwargs['clock'] = clock
        return UnityRestClient(session=scripted_session(transport), **kwargs)
    return client_factory


def use_transport(monkeypatch, transport, clock=None):
    """Every UnityModule of this test gets its client over ``transport`` (see scripted_client_factory);
    ``monkeypatch`` restores UnityModule.client_factory at the end of the test."""
    monkeypatch.setattr(UnityModule, 'client_factory', staticmethod(scripted_client_factory(transport, clock)))


def module_runner(transport, monkeypatch, capsys, client_clock=None):
    """Runs a module's main() with its requests going to the scripted transport; ``client_clock``:
    see scripted_client_factory."""
    use_transport(monkeypatch, transport, client_clock)

    def runner(module, args, check=False, diff=False):
        module_args = dict(CONNECTION, **args)
        module_args['_ansible_check_mode'] = check
        module_args['_ansible_diff'] = diff
        with patch_module_args(module_args):
            with pytest.raises(SystemExit) as exited:
                module.main()
        out = capsys.readouterr().out
        result = json.loads(out)
        return ModuleRun(exited.value.code != 0, result, transport)

    return runner
