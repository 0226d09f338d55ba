# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret in openclaw_facts' output (issue 11, rule 2d): facts reach -v output and the diagnostics bundle."""

import json
import os
import subprocess

from ansible_collections.clawops.openclaw.plugins.module_utils._common import parse_unit_file
from ansible_collections.clawops.openclaw.plugins.modules.openclaw_facts import Gatherer

S = "SENTINEL-c41b"

SECRET_ENV = {
    "OPENROUTER_KEY": "or-" + S,
    "FEISHU_ENCRYPT_KEY": "fe-" + S,
    "FEISHU_VERIFICATION_TOKEN": "fv-" + S,
    "UPSTREAM_AUTH_HEADER": "Bearer " + S,
    "PLAIN_LOOKING": "https://u:%s@llm.example/v1" % S,
    "GOOGLE_URL": "https://generativelanguage.googleapis.com/v1?key=" + S,
    "OPENCLAW_GATEWAY_TOKEN": "gw-" + S,
    "OPENCLAW_CUSTOM_HEADER": "Bearer " + S,
    "HTTPS_PROXY": "http://bob:%s@127.0.0.1:8118" % S,
}


class FakeModule:
    def __init__(self, **params):
        self.params = dict(user="openclaw", profile=None, config_path=None, port=None, timeout=1.0, validate_config=False,
                           event_loop_delay_threshold_ms=500.0, egress_proxied_domains=[], egress_channel_hosts=["127.0.0.1"],
                           egress_ss_local_unit="x.service", egress_ss_local_config="/nonexistent/ss.json",
                           egress_privoxy_config="/nonexistent/privoxy", releases_dir="/nonexistent/releases")
        self.params.update(params)

    def run_command(self, argv, **kwargs):  # pylint: disable=unused-argument
        return 1, "", "not available in unit tests"


def make(tmp_path, pid=None):
    home = tmp_path / "home" / "openclaw"
    unit = home / ".config" / "systemd" / "user" / "openclaw-gateway.service"
    unit.parent.mkdir(parents=True)
    unit.write_text("[Service]\n" + "".join('Environment="%s=%s"\n' % kv for kv in sorted(SECRET_ENV.items())))
    (home / ".openclaw").mkdir()
    (home / ".openclaw" / ".env").write_text("".join("%s=%s\n" % kv for kv in sorted(SECRET_ENV.items())))
    gatherer = Gatherer(FakeModule())
    gatherer.user = dict(name="openclaw", uid=4242, home=str(home), groups=[4242])
    gatherer.manager_env = {}
    gatherer.directives = {"unit": (str(unit), parse_unit_file(unit.read_text()))}
    gatherer.facts["service"] = dict(pid=pid)
    return gatherer, home


def test_facts_environment_is_an_allowlist_without_secrets_from_the_unit(tmp_path):
    gatherer, dummy = make(tmp_path)
    gatherer.gather_environment()
    effective = gatherer.facts["environment"]["effective"]
    assert sorted(effective) == ["HTTPS_PROXY", "OPENCLAW_CUSTOM_HEADER", "OPENCLAW_GATEWAY_TOKEN"]
    assert S not in json.dumps(gatherer.facts) and S not in json.dumps(gatherer.problems)


def test_facts_environment_of_the_running_process(tmp_path):
    env = dict(SECRET_ENV, PATH=os.environ.get("PATH", "/usr/bin:/bin"))
    proc = subprocess.Popen(["sleep", "30"], env=env)
    try:
        gatherer, dummy = make(tmp_path, pid=proc.pid)
        gatherer.gather_environment()
    finally:
        proc.kill()
        proc.wait()
    assert gatherer.facts["environment"]["effective_from"] == "process"
    assert "OPENROUTER_KEY" not in gatherer.facts["environment"]["effective"]
    assert "PATH" not in gatherer.facts["environment"]["effective"]
    assert S not in json.dumps(gatherer.facts)


def test_egress_and_messages_carry_no_proxy_password(tmp_path):
    gatherer, dummy = make(tmp_path)
    gatherer.gather_environment()
    gatherer.gateway_env["HTTP_PROXY"] = "socks5://u:%s@127.0.0.1:1080" % S
    gatherer.gather_egress()
    assert gatherer.facts["egress"]["proxy_url"] == "http://<redacted>@127.0.0.1:8118"
    assert "proxy_socks_url" in [p["id"] for p in gatherer.problems]
    assert S not in json.dumps(gatherer.facts) and S not in json.dumps(gatherer.problems)


def test_broken_config_parse_error_holds_no_secret(tmp_path):
    gatherer, home = make(tmp_path)
    (home / ".openclaw" / "openclaw.json").write_text('{\n  gateway: {auth: {token: %s}}\n}\n' % S)
    gatherer.gather_environment()
    gatherer.gather_config()
    config = gatherer.facts["config"]
    assert config["parse_ok"] is False and "line 2 column" in config["parse_error"]
    assert "config_unparsable" in [p["id"] for p in gatherer.problems]
    assert S not in json.dumps(gatherer.facts) and S not in json.dumps(gatherer.problems)


def test_privoxy_rule_credentials_are_masked(tmp_path):
    privoxy = tmp_path / "privoxy"
    privoxy.write_text("forward / .\nforward-socks5t .openai.com relay:%s@127.0.0.1:1080 .\n" % S)
    gatherer, dummy = make(tmp_path)
    gatherer.module.params["egress_privoxy_config"] = str(privoxy)
    gatherer.module.params["egress_proxied_domains"] = [".openai.com"]
    gatherer.gather_environment()
    gatherer.gather_egress()
    assert gatherer.facts["egress"]["privoxy"]["rules"][1]["target"] == "<redacted>@127.0.0.1:1080 ."
    assert gatherer.facts["egress"]["routes"][0]["route"] == "relay"
    assert S not in json.dumps(gatherer.facts) and S not in json.dumps(gatherer.problems)
