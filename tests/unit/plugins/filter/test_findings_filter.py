# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""doctor's verdict and remediate's unit selection, from the same facts: they agree by construction."""

import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.openclaw.plugins.filter.findings import FilterModule
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_environment import COLLECTION_DROPIN
from ansible_collections.clawops.openclaw.plugins.module_utils._common import parse_unit_file
from ansible_collections.clawops.openclaw.plugins.module_utils._findings import FINDINGS
from ansible_collections.clawops.openclaw.plugins.modules.openclaw_facts import Gatherer

FILTERS = FilterModule().filters()
UNIT = "openclaw-gateway.service"


class FakeModule:
    params = dict(user="openclaw", profile=None, config_path=None, port=None, timeout=1.0, validate_config=False,
                  event_loop_delay_threshold_ms=500.0)

    def run_command(self, argv, **kwargs):  # pylint: disable=unused-argument
        return 1, "", "not available in unit tests"


def facts_of(tmp_path, files):
    """The facts' problems for a home holding files ({path below the unit directory: text})."""
    home = tmp_path / "home" / "openclaw"
    unit_dir = home / ".config" / "systemd" / "user"
    gatherer = Gatherer(FakeModule())
    gatherer.user = dict(name="openclaw", uid=os.getuid(), home=str(home), groups=[os.getgid()])
    gatherer.manager_env = {}
    gatherer.directives = {}
    for name, text in sorted(files.items()):
        path = unit_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        key = "unit" if name == UNIT else "dropin:" + str(path)
        gatherer.directives[key] = (str(path), parse_unit_file(text))
    gatherer.facts["service"] = dict(pid=None)
    gatherer.gather_environment()
    return gatherer.problems


def doctor_acts_on(problems):
    """The remediate units doctor's report sends the operator to (`playbooks/remediate.yml --tags ...` fixes)."""
    findings = FILTERS["doctor_findings"](problems)
    return sorted(set(f["fault_class"] for f in findings if f["fix"].startswith("playbooks/remediate.yml")))


UNIT_WITH_PROXY = "[Service]\nExecStart=/usr/bin/node gateway\nEnvironment=HTTPS_PROXY=http://127.0.0.1:9\n"
OWN_DROPIN = "[Service]\nEnvironment=\"HTTPS_PROXY=http://127.0.0.1:8118\"\nEnvironment=\"NO_PROXY=127.0.0.1,localhost\"\n"


@pytest.mark.parametrize("files, acts", [
    # The unit's HTTPS_PROXY is overridden by the collection's drop-in: not effective, nobody acts.
    ({UNIT: UNIT_WITH_PROXY, UNIT + ".d/" + COLLECTION_DROPIN: OWN_DROPIN}, False),
    # A drop-in named after the collection's wins over it: effective, both act.
    ({UNIT: "[Service]\n", UNIT + ".d/" + COLLECTION_DROPIN: OWN_DROPIN,
      UNIT + ".d/60-operator.conf": "[Service]\nEnvironment=HTTPS_PROXY=http://127.0.0.1:9\n"}, True),
    # Without the collection's drop-in the unit's variable reaches the gateway: both act.
    ({UNIT: UNIT_WITH_PROXY}, True),
], ids=["shadowed-by-the-dropin", "dropin-after-ours", "no-dropin"])
def test_doctor_and_remediate_agree_on_a_unit_proxy_variable(tmp_path, files, acts):
    problems = facts_of(tmp_path, files)
    units = FILTERS["remediation_units"](problems)
    assert doctor_acts_on(problems) == units
    assert units == (["proxy_env"] if acts else [])
    findings = FILTERS["doctor_findings"](problems)
    assert FILTERS["doctor_verdict"](findings) == ("warning" if acts else "ok")
    if acts:
        [finding] = findings
        assert finding["id"] == "proxy_outside_dropin" and finding["fix"] == "playbooks/remediate.yml --tags proxy_env"


@pytest.mark.parametrize("finding_id", sorted(FINDINGS))
def test_doctor_and_remediate_agree_on_every_finding(finding_id):
    problems = [dict(id=finding_id, message="m")]
    assert doctor_acts_on(problems) == FILTERS["remediation_units"](problems)


def test_doctor_findings_use_the_fields_the_facts_attached():
    problem = dict(id="stale_lock", severity="warning", message="lock x", meaning="m", fix_text="f", manual=False,
                   fault_class="locks", runbook="docs/runbook.md#x", path="/tmp/x")
    assert FILTERS["doctor_findings"]([problem]) == [dict(source="clawops", id="stale_lock", severity="warning", message="lock x",
                                                          meaning="m", fix="f", manual=False, fault_class="locks",
                                                          runbook="docs/runbook.md#x")]
    # Facts gathered without the fields (an older module): the registry's.
    [bare] = FILTERS["doctor_findings"]([dict(id="stale_lock", message="lock x")])
    assert bare["fix"] == "playbooks/remediate.yml --tags locks" and bare["severity"] == "warning"


@pytest.mark.parametrize("severities, verdict", [
    ([], "ok"), (["warning"], "warning"), (["warning", "error"], "error"), (["critical", "warning"], "critical"), (["odd"], "error"),
])
def test_doctor_verdict(severities, verdict):
    assert FILTERS["doctor_verdict"]([dict(id="x", severity=s) for s in severities]) == verdict


def test_fault_class_findings_with_run_and_skip_tags():
    everything = FILTERS["fault_class_findings"](["all"])
    assert "proxy_outside_dropin" in everything and "not_ready" not in everything
    without = {"gateway_hung", "event_loop_degraded", "port_conflict"}
    assert FILTERS["fault_class_findings"](["all"], ["hung", "port"]) == sorted(set(everything) - without)
    assert FILTERS["fault_class_findings"](["locks", "always"]) == ["stale_lock"]
    assert FILTERS["fault_class_findings"](["locks"], ["all"]) == ["stale_lock"]   # `all` is never a skip tag of ours
    assert FILTERS["fault_class_findings"]({"locks", "all"}, {"hung"}) == sorted(set(everything) - {"gateway_hung", "event_loop_degraded"})


@pytest.mark.parametrize("name, value", [("doctor_findings", "x"), ("remediation_units", [{"no": "id"}]), ("fault_class_findings", "hung")])
def test_filters_refuse_what_is_not_facts(name, value):
    with pytest.raises(AnsibleFilterError):
        FILTERS[name](value)
