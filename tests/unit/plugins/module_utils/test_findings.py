# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The finding registry: complete, consistent with the facts module, the docs and the tests."""

import ast
import glob
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._findings import (
    FAULT_CLASSES, FINDINGS, entry, fault_class_ids, fault_classes, fix_text, molecule_fault_table, problem_fields, validate,
)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
FACTS = os.path.join(ROOT, "plugins", "modules", "openclaw_facts.py")
COLLECTORS = sorted(glob.glob(os.path.join(ROOT, "plugins", "module_utils", "_collect_*.py")))
COMMON = os.path.join(ROOT, "plugins", "module_utils", "_common.py")
MOLECULE_FAULTS = os.path.join(ROOT, "extensions", "molecule", "remediation", "tests", "test_remediation.py")


def raised_in_source():
    """Every finding id the facts module can raise, read from its source and its collectors': problem("id", ...),
    the auth drift kinds (auth_ + kind) and the start refusals of _common.startup_refusals."""
    ids = set()
    for path in [FACTS] + COLLECTORS:
        with open(path) as handle:
            tree = ast.parse(handle.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                if name == "problem":
                    ids.add(node.args[0].value)
                elif name == "drift":
                    ids.add("auth_" + node.args[0].value)
    with open(COMMON) as handle:
        ids.update(re.findall(r'refusals\.append\(\("([a-z_]+)"', handle.read()))
    return ids


def test_the_registry_is_valid():
    assert validate(ROOT) == []


def test_the_registry_holds_exactly_the_ids_the_facts_module_raises():
    raised = raised_in_source()
    assert "user_file_unsafe" in raised and "auth_stored_not_registered" in raised and "bind_without_auth" in raised
    assert sorted(raised - set(FINDINGS)) == [], "raised but not in the registry"
    assert sorted(set(FINDINGS) - raised) == [], "in the registry but never raised"


def test_the_facts_module_passes_no_severity_of_its_own():
    """One source of severity: the registry."""
    assert len(COLLECTORS) >= 10
    for path in [FACTS] + COLLECTORS:
        with open(path) as handle:
            text = handle.read()
        assert not re.search(r'(problem|drift)\("[a-z_]+",\s*"(warning|error|critical)"', text), path


def test_accessors():
    assert entry("proxy_all_proxy")["fault_class"] == "proxy_env"
    with pytest.raises(KeyError):
        entry("no_such_finding")
    assert fix_text("service_failed") == "playbooks/remediate.yml --tags config_restore,config_policy,service"
    assert fix_text("proxied_domain_direct") == "playbooks/site.yml (egress role)"
    assert fix_text("config_path_mismatch").startswith("manual: ") and "shell start-up file" in fix_text("config_path_mismatch")
    problems = [dict(id="gateway_hung"), dict(id="stale_lock"), dict(id="config_invalid"), dict(id="not_ready"), dict(id="unknown")]
    assert fault_classes(problems) == ["config_restore", "locks", "hung"]   # remediate's order, manual ones left out
    assert fault_classes([]) == [] and fault_classes(None) == []
    # A binary older than its config fails every start: no unit runs (a restart of the crash loop would fail again).
    assert fault_classes([dict(id="service_crash_loop"), dict(id="stale_lock")]) == ["locks", "service"]
    assert fault_classes([dict(id="service_crash_loop"), dict(id="stale_lock"), dict(id="version_skew")]) == []
    assert fault_class_ids(["hung"]) == ["event_loop_degraded", "gateway_hung"]
    assert set(fault_class_ids(["all"])) == set(fid for fid, item in FINDINGS.items() if item["fault_class"])


def test_problem_fields_carry_the_fix_as_data_and_as_text():
    fields = problem_fields("service_crash_loop")
    assert fields["severity"] == "error" and fields["fault_class"] == "service" and fields["remediate"] is True
    assert fields["fix"] == dict(playbook="playbooks/remediate.yml", tags=["config_restore", "config_policy", "service"], note=None)
    assert fields["manual"] is False and fields["runbook"].startswith("docs/runbook.md#")
    fields["fix"]["tags"].append("x")                                           # a copy: the registry stays as it is
    assert entry("service_crash_loop")["fix"]["tags"] == ["config_restore", "config_policy", "service"]
    manual = problem_fields("relay_unreachable")
    assert manual["manual"] is True and manual["fault_class"] is None and manual["remediate"] is False
    assert manual["fix"] == dict(manual=entry("relay_unreachable")["fix"]["manual"])
    unknown = problem_fields("no_such_finding")
    assert unknown["severity"] == "error" and unknown["manual"] is True and unknown["fault_class"] is None


def test_every_fault_class_fixes_some_finding():
    assert set(FAULT_CLASSES) == set(item["fault_class"] for item in FINDINGS.values() if item["fault_class"])


def test_validate_reports_a_broken_entry(monkeypatch):
    broken = dict(FINDINGS["stale_lock"], severity="bad", runbook="no-such-section", meaning="see seed 004",
                  tests=["tests/unit/nowhere.py::test_x"], fault_class="locks", remediate=False)
    monkeypatch.setitem(FINDINGS, "stale_lock", broken)
    errors = " ".join(validate(ROOT))
    for expected in ("severity bad", "no section #no-such-section", "no seed", "test tests/unit/nowhere.py::test_x does not exist",
                     "remediate acts exactly"):
        assert expected in errors


@pytest.mark.parametrize("detection, error", [
    ("_collect_locks.collect_log_file", "is not a function"),
    ("_collect_nowhere.collect_locks", "is not a function"),
    ("../modules/openclaw_facts.main", "is not a function"),
    ("_collect_logs.collect_log_file", "does not raise it"),
    ("_collect_locks.collect_locks", None),
])
def test_validate_checks_the_detection_names_the_raising_function(monkeypatch, detection, error):
    monkeypatch.setitem(FINDINGS, "stale_lock", dict(FINDINGS["stale_lock"], detection=detection))
    errors = [e for e in validate(ROOT) if e.startswith("stale_lock: detection")]
    assert errors == ([] if error is None else ["stale_lock: detection %s %s" % (detection, error + (
        " of plugins/module_utils/" if error == "is not a function" else ""))])


def test_auth_drift_kinds_are_found_without_their_prefix():
    assert validate(ROOT) == [] and FINDINGS["auth_profile_unusable"]["detection"] == "_collect_auth.collect_auth"


def test_the_molecule_fault_table_is_read_statically():
    table = molecule_fault_table(MOLECULE_FAULTS)
    assert table["proxy_env_and_stale_lock"] == {"proxy_all_proxy", "proxy_outside_dropin", "stale_lock"} and table["hung"] == {"gateway_hung"}


def test_the_generated_findings_doc_is_up_to_date():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_findings_doc.py"), "--check"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    assert proc.returncode == 0, proc.stdout.decode()


def _declared(test, nodeid):
    return nodeid == test or nodeid.startswith(test + "[")


def test_every_finding_is_triggered_by_a_test(raised_findings):
    """The gate (moved to the end of the session by tests/unit/conftest.py): every registry id is raised by a unit
    test of this run or expected by a row of the molecule remediation FAULTS table, and every unit test the
    registry names for an id really raises it."""
    raised, complete = raised_findings
    if not complete:
        pytest.skip("only when the whole unit suite runs")
    by_unit_tests = set().union(*raised.values()) if raised else set()
    by_molecule = set().union(*molecule_fault_table(MOLECULE_FAULTS).values())
    assert sorted(set(FINDINGS) - by_unit_tests - by_molecule) == [], "finding ids no test triggers"
    wrong = []
    for fid, item in sorted(FINDINGS.items()):
        for test in item["tests"]:
            if test.startswith("tests/unit/") and not any(fid in ids for nodeid, ids in raised.items() if _declared(test, nodeid)):
                wrong.append("%s does not raise %s" % (test, fid))
    assert wrong == []
