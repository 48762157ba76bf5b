# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The action of unity.upgrade.info: the module's code in ansible-playbook's worker when it can, with no
module process (plugin_utils/in_worker.py); a module process otherwise."""

from __future__ import annotations

from ansible_collections.unity.upgrade.plugins.plugin_utils.in_worker import ModuleInWorkerAction


class ActionModule(ModuleInWorkerAction):
    pass
