# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What doctor reports and remediate runs, from the problems of clawops.openclaw.openclaw_facts.

Both read the finding registry's fields the facts attach to every problem (module_utils/_findings.py):
doctor prints a finding's fix, remediate runs the unit of its fault class, so they agree by construction."""

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.openclaw.plugins.module_utils._findings import fault_class_ids, fault_classes, problem_fields

# Worst first; a finding without a known severity counts as an error.
_RANK = {"critical": 3, "error": 2, "warning": 1}


def _problems(value, name):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) and "id" in item for item in value):
        raise AnsibleFilterError("%s expects the problems of openclaw_facts (a list of dicts with an id)" % name)
    return value


def doctor_findings(problems):
    """doctor's report entries for the collection's own findings: the fields the facts attached (the registry's for
    facts gathered without them), the fix as one line."""
    found = []
    for problem in _problems(problems, "doctor_findings"):
        known = problem_fields(problem["id"])
        found.append(dict(source="clawops", id=problem["id"], severity=problem.get("severity", known["severity"]),
                          message=problem.get("message", ""), meaning=problem.get("meaning", known["meaning"]),
                          fix=problem.get("fix_text", known["fix_text"]), manual=problem.get("manual", known["manual"]),
                          fault_class=problem.get("fault_class", known["fault_class"]), runbook=problem.get("runbook", known["runbook"])))
    return found


def doctor_verdict(findings):
    """ok, warning, error or critical: the worst severity among the findings."""
    worst = max([_RANK.get(f.get("severity"), 2) for f in _problems(findings, "doctor_verdict")] or [0])
    return {0: "ok", 1: "warning", 2: "error", 3: "critical"}[worst]


def remediation_units(problems):
    """The remediate units (fault classes, also their tags) the problems call for, in the order remediate runs them."""
    return fault_classes(_problems(problems, "remediation_units"))


def fault_class_findings(classes, skip=None):
    """The finding ids the given fault classes fix (`all` stands for every class), less those of the classes in skip:
    with a play's run and skip tags, what the units it selected fix."""
    # ansible_run_tags and ansible_skip_tags are not always lists (a set in ansible-core 2.19).
    if not all(isinstance(value, (list, tuple, set, frozenset)) for value in (classes, skip or [])):
        raise AnsibleFilterError("fault_class_findings expects lists of fault classes (remediate tags)")
    return sorted(set(fault_class_ids(list(classes))) - set(fault_class_ids([name for name in skip or [] if name != "all"])))


class FilterModule:
    def filters(self):
        return {
            "doctor_findings": doctor_findings,
            "doctor_verdict": doctor_verdict,
            "remediation_units": remediation_units,
            "fault_class_findings": fault_class_findings,
        }
