# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: version_problem
short_description: Why a value is not a Unity version the collection takes, or an empty string
version_added: 1.1.0
description:
  - The rule every version a user gives the collection follows (the modules' O(unity.upgrade.upgrade_session#module:version)
    and O(unity.upgrade.upgrade_candidate#module:version), the role's C(unity_upgrade_target_version)), 3 to 6
    dot-separated numbers such as V(5.3.0), V(4.3.0.1655078400) or V(5.3.0.0.5.120).
  - Returns the one-line reason the modules fail with, naming the option, or an empty string for a valid version.
author:
  - unity.upgrade contributors (@unity-upgrade)
options:
  _input:
    description: The value to check.
    type: raw
    required: true
  option:
    description: The name of the option or variable the value was given as, for the message.
    type: str
    default: version
'''

EXAMPLES = r'''
- name: Check the target version
  ansible.builtin.assert:
    that: (target | unity.upgrade.version_problem('target')) | length == 0
    fail_msg: "{{ target | unity.upgrade.version_problem('target') }}"
'''

RETURN = r'''
_value:
  description:
    - An empty string when the value is a version, else the reason, such as
      V(target must be 3 to 6 dot-separated numbers such as 5.3.0 or 5.3.0.0.5.120, got 'latest').
  type: str
'''

from ansible_collections.unity.upgrade.plugins.module_utils.versions import version_problem as _problem


def version_problem(value, option='version'):
    return _problem(option, value) or ''


class FilterModule(object):
    def filters(self):
        return {'version_problem': version_problem}
