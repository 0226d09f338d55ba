# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_facts refuses hostile option values before gathering anything, naming the option (issue 11)."""

import json

import pytest


from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_service import GATEWAY_UNIT
from ansible_collections.clawops.openclaw.plugins.modules.openclaw_facts import Gatherer
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import set_module_args


def run_main(args, capsys, monkeypatch):
    gathered = []
    monkeypatch.setattr(Gatherer, "gather", lambda self: gathered.append(True) or {})
    with set_module_args(args):
        with pytest.raises(SystemExit):
            openclaw_facts.main()
    return json.loads(capsys.readouterr().out), gathered


HOSTILE = [
    ("user", "open\nclaw"), ("user", "openclaw\n"), ("user", "../root"), ("user", "-oops"), ("user", ""), ("user", "Open Claw"),
    ("user", "a" * 33), ("user", "opеnclaw"),  # Cyrillic e
    ("profile", "../x"), ("profile", "x/../../etc"), ("profile", "prod\n"), ("profile", "prod\nExecStartPre=/bin/sh"),
    ("profile", "-p"), ("profile", ""), ("profile", "a b"), ("profile", "%h"), ("profile", "p" * 65), ("profile", "prоd"),  # Cyrillic o
    ("profile", "."), ("profile", ".."),
    ("config_path", "relative/openclaw.json"), ("config_path", "/home/openclaw/../../etc/shadow"), ("config_path", "/x/\nopenclaw.json"),
    ("egress_privoxy_config", "privoxy/config"), ("egress_ss_local_config", "/etc/ss/../../root/x.json"),
    ("port", 0), ("port", 65536), ("port", -1),
    ("timeout", -1), ("timeout", 0), ("timeout", float("nan")), ("timeout", 1e9),
    ("cli_timeout", -5), ("cli_timeout", 0),
    ("wait_ready", -1), ("wait_ready", float("nan")),
    ("event_loop_delay_threshold_ms", -100), ("event_loop_delay_threshold_ms", 0),
    ("egress_ss_local_unit", "x.service\nExecStartPre=/bin/sh"), ("egress_ss_local_unit", "-x.service"), ("egress_ss_local_unit", "x"),
    ("egress_ss_local_unit", "../x.service"),
    ("egress_proxied_domains", [".example.com\nforward / ."]), ("egress_proxied_domains", ["-x.com"]), ("egress_proxied_domains", ["a b"]),
    ("egress_proxied_domains", [""]), ("egress_channel_hosts", ["api.telegram.org\n"]), ("egress_channel_hosts", ["x/../y"]),
]


@pytest.mark.parametrize("option, value", HOSTILE, ids=["%s=%r" % case for case in HOSTILE])
def test_hostile_option_refused_before_gathering(option, value, capsys, monkeypatch):
    result, gathered = run_main({option: value}, capsys, monkeypatch)
    assert result.get("failed") is True, result
    assert result["msg"].startswith(option + " ") or ("; " + option + " ") in result["msg"]
    assert gathered == []


@pytest.mark.parametrize("option, value", [
    ("user", "openclaw"), ("user", "svc_oc-1"), ("profile", "prod"), ("profile", "Team_2-a"), ("config_path", "/srv/oc/openclaw.json"),
    ("timeout", 0.5), ("wait_ready", 0), ("cli_timeout", 60), ("egress_ss_local_unit", "shadowsocks-libev-local@clawops-egress.service"),
    ("egress_proxied_domains", [".openai.com", "api.anthropic.com", "10.0.0.1", "::1", "[::1]"]),
])
def test_good_option_accepted(option, value, capsys, monkeypatch):
    result, gathered = run_main({option: value}, capsys, monkeypatch)
    assert not result.get("failed"), result
    assert gathered == [True]


@pytest.mark.parametrize("name, matches", [
    ("openclaw-gateway.service", True), ("openclaw-gateway-prod.service", True), ("openclaw-gateway-team_2.service", True),
    ("openclaw-backup.service", False), ("openclaw.service", False), ("openclaw-gateway.service.bak", False),
    ("openclaw-gateway-.service", False), ("openclaw-gatewayx.service", False), ("openclaw-gateway.service\n", False),
])
def test_gateway_unit_names(name, matches):
    assert bool(GATEWAY_UNIT.match(name)) is matches


def test_unrelated_system_units_are_not_flagged(tmp_path, monkeypatch):
    system = tmp_path / "system"
    system.mkdir()
    for name in ("openclaw-backup.service", "openclaw-exporter.service", "openclaw-gateway-prod.service"):
        (system / name).write_text("[Service]\nExecStart=/bin/true\n")
    monkeypatch.setattr(openclaw_facts, "SYSTEM_UNIT_DIRS", (str(system),))

    class Module:
        params = dict(user="openclaw", profile=None, timeout=3)

    gatherer = Gatherer(Module())
    gatherer.gather_service()
    assert gatherer.facts["service"]["system_units"] == [str(system / "openclaw-gateway-prod.service")]
    [problem] = [p for p in gatherer.problems if p["id"] == "system_unit_present"]
    assert "openclaw-backup" not in problem["message"]
