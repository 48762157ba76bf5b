# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Issue 16 finding 18: the modules' docs as ansible-doc renders them. ansible-doc takes text like
``e: flr::`` for an RST directive and drops it (``samplcheck_server_connectivity_2``)."""


import os
import re
import subprocess
import sys

import pytest

MODULES = ('info', 'upgrade_eligibility_info', 'upgrade_candidate', 'upgrade_session', 'report_file')
# what ansible-doc's _RST_DIRECTIVES (r".. \w+?::") would eat
RST_DIRECTIVE = re.compile(r'.. \w+?::')


def ansible_doc():
    return os.path.join(os.path.dirname(sys.executable), 'ansible-doc')


@pytest.mark.parametrize('module', MODULES)
def test_rendered_docs_keep_every_double_colon(collections_path, module):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR='1')
    done = subprocess.run([ansible_doc(), 'unity.upgrade.%s' % module], env=env, capture_output=True, check=False,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert 'samplc' not in done.stdout and 'not eligiblc' not in done.stdout
    path = os.path.join(collections_path, 'ansible_collections', 'unity', 'upgrade', 'plugins', 'modules',
                        module + '.py')
    with open(path) as handle:
        source = handle.read()
    docs = source.split('\nfrom ', 1)[0]
    assert not RST_DIRECTIVE.search(docs), RST_DIRECTIVE.findall(docs)
    if module == 'upgrade_eligibility_info':
        assert 'flr::check_server_connectivity_2' in done.stdout
