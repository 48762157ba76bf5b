#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Documentation only: the action plugin of the same name (plugins/action/report_file.py) does the work.


DOCUMENTATION = r'''
module: report_file
short_description: Write a file on the control node without a module process
version_added: 1.1.0
description:
  - Writes O(content) to O(dest) on the control node, as the fleet playbooks write each array's record and the
    fleet report.
  - The work happens in C(ansible-playbook) itself. No module process is started and nothing is sent to the host
    of the task, whatever its connection or C(delegate_to). M(ansible.builtin.copy) with O(content) starts two
    module processes for the same file.
  - The content goes to a temporary file in the directory of O(dest), which then replaces O(dest). A run killed
    while writing leaves the previous whole file, never part of one.
  - O(dest) is replaced, not written through. A link at O(dest) becomes a file. No owner, group or SELinux
    context is set; the file belongs to the user that runs C(ansible-playbook).
  - Reports a change only when O(dest) did not hold O(content) with O(mode) before.
  - Fails with one line naming what to fix when O(dest) is a directory, when its directory does not exist,
    or when the directory cannot be written. It creates no directory.
author:
  - unity.upgrade contributors (@unity-upgrade)
options:
  content:
    description:
      - The text to write, written as UTF-8. An empty string makes an empty file.
      - Render a template for it with P(ansible.builtin.template#lookup).
      - With ansible-core before 2.19, a template result that reads as JSON is turned into data before the task
        gets it; pass it through the C(string) filter, as in the examples.
    type: str
    required: true
  dest:
    description:
      - Path of the file on the control node. A relative path is relative to the working directory of
        C(ansible-playbook).
    type: path
    required: true
  mode:
    description:
      - Permissions of O(dest), in octal, such as V(0644) or V(0600). Quote it in YAML.
    type: raw
    default: '0644'
attributes:
  action:
    support: full
    details: The action plugin does all the work, on the control node.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Writes nothing and reports whether it would change O(dest).
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
    details: The control node's file system.
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
seealso:
  - module: ansible.builtin.copy
  - plugin: ansible.builtin.template
    plugin_type: lookup
notes:
  - This module is not in the C(unity.upgrade.unity) action group, which holds the modules that talk to an array.
'''

EXAMPLES = r'''
- name: Write a status file next to the playbook
  unity.upgrade.report_file:
    content: "{{ unity_summary | to_nice_json }}\n"
    dest: "{{ playbook_dir }}/status/unity01.json"
    mode: "0644"
  # the file is on the control node; writing it changes no array
  check_mode: false

- name: Render a report from a template of the playbook's templates directory
  unity.upgrade.report_file:
    # string: with ansible-core before 2.19 a JSON result would otherwise reach the task as data
    content: "{{ lookup('ansible.builtin.template', 'report.json.j2') | string }}"
    dest: /var/tmp/unity/report.json
  run_once: true
'''

RETURN = r'''
dest:
  description: Absolute path of the file.
  returned: success
  type: str
  sample: /home/ops/unity_upgrade_report/report.json
size:
  description: Size of the content in bytes, as UTF-8.
  returned: success
  type: int
  sample: 2048
mode:
  description: Permissions of the file, in octal.
  returned: success
  type: str
  sample: '0644'
'''
