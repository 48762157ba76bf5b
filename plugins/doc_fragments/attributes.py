# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    # Every module: in the action group; what check_mode and diff_mode mean (each module says its support).
    DOCUMENTATION = r'''
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - When the module would run with the very Python that runs ansible-playbook (C(ansible_python_interpreter) set
        to C(ansible_playbook_python), as the role and the playbooks set; the same path, not a wrapper or another name
        for it from another directory), with the connection V(local), no become and no async, and C(requests) imports
        there, the action runs the module's code in ansible-playbook's worker process for the task instead of starting
        a module process. Only ansible-core 2.19 does this, the version whose module side the action imitates and
        that the collection's tests run it on; any other version starts the module process. The result is the same
        and the task's C(environment) applies to that worker; the control node saves a Python start and its memory
        for the whole run (about 0.4 CPU seconds and 23 MiB each). The action imports the module's code as
        ansible-playbook loads the action, so that the workers of the task share one copy of it.
      - A worker that dies while the module runs (killed by hand or by the kernel's out-of-memory killer) ends the
        whole ansible-playbook run (C(A worker was found in a dead state)), where a module process that dies fails
        only its host. What the module started on the array goes on, and running the playbook again adopts it.
  action_group:
    description: Use C(group/unity.upgrade.unity) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - unity.upgrade.unity
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
'''

    # Modules that only read: they run for real in check mode. With DOCUMENTATION.
    INFO_MODULE = r'''
attributes:
  check_mode:
    support: full
    details: This module only reads from the array; it runs in check mode too.
  diff_mode:
    support: N/A
    details: This module does not change anything.
'''
