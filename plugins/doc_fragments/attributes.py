# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    # Every module: in the action group; what check_mode and diff_mode mean (each module says its support).
    DOCUMENTATION = r'''
attributes:
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
