# -*- coding: utf-8 -*-
# Copyright: (c) 2026, unity.upgrade contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The soak tests use the e2e fixtures (``start_sim``, ``collections_path``, ``in_process``) and the
e2e helpers and fault schedules (``e2e_helpers``, ``test_faults``): tests/e2e goes on sys.path and
its conftest is loaded under a name of its own (two modules named ``conftest`` cannot both be
imported)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.util
import os
import sys

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e')
if E2E not in sys.path:
    sys.path.insert(0, E2E)

_spec = importlib.util.spec_from_file_location('e2e_conftest', os.path.join(E2E, 'conftest.py'))
_e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_e2e)

start_sim = _e2e.start_sim
collections_path = _e2e.collections_path
in_process = _e2e.in_process
