# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The finding gate's recorder: which finding ids each unit test makes openclaw_facts raise.

Every Gatherer.problem() call during the session (the one path by which the facts module reports the
problems its collectors return) is recorded under the running test's id, and an id
the finding registry does not know fails that test at once. The gate itself
(tests/unit/plugins/module_utils/test_findings.py::test_every_finding_is_triggered_by_a_test) runs last
and only when the whole unit suite was collected."""

import glob
import os

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._findings import FINDINGS
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GATE = "test_every_finding_is_triggered_by_a_test"
# {test id (path from the collection root :: name): set of finding ids it raised}
RAISED = {}
RUN = dict(current=None, deselected=False, complete=False)


def test_id(item):
    return os.path.relpath(str(item.fspath), ROOT) + "::" + item.name


def _recording(problem):
    def record(self, problem_id, *args, **kwargs):
        if problem_id not in FINDINGS:
            raise AssertionError("openclaw_facts raised %r, which plugins/module_utils/_findings.py does not know" % problem_id)
        if RUN["current"]:
            RAISED.setdefault(RUN["current"], set()).add(problem_id)
        return problem(self, problem_id, *args, **kwargs)
    return record


def pytest_configure(config):  # pylint: disable=unused-argument
    openclaw_facts.Gatherer.problem = _recording(openclaw_facts.Gatherer.problem)


def pytest_collection_modifyitems(session, config, items):  # pylint: disable=unused-argument
    gates = [item for item in items if item.name == GATE]
    for item in gates:
        items.remove(item)
        items.append(item)
    collected = set(os.path.relpath(str(item.fspath), ROOT) for item in items)
    every = set(os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(ROOT, "tests", "unit", "**", "test_*.py"), recursive=True))
    RUN["complete"] = every <= collected


def pytest_deselected(items):  # pylint: disable=unused-argument
    RUN["deselected"] = True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):  # pylint: disable=unused-argument
    RUN["current"] = test_id(item)
    yield
    RUN["current"] = None


@pytest.fixture
def raised_findings():
    """(RAISED, whether the whole unit suite ran) for the gate."""
    return RAISED, RUN["complete"] and not RUN["deselected"]
