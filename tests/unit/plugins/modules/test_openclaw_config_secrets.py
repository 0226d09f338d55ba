# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_config's real output (what -vvv --diff prints, invocation included) and journal line hold no secret (issue 11)."""

import json

import pytest

from ansible.module_utils import basic

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_config
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import set_module_args

S = "SENTINEL-5e2a"


CURRENT = {
    "gateway": {"mode": "local", "port": 18789, "auth": {"mode": "token", "token": "cur-" + S}},
    "channels": {"feishu": {"appId": "cli_a", "encryptKey": "ek-" + S, "credentials": {"x": "cr-" + S}}},
    "models": {"providers": {"g": {"baseUrl": "https://g.example/v1?key=" + S},
                             "c": {"headers": {"Authorization": "Bearer " + S}}}},
}


def run(tmp_path, capsys, monkeypatch, settings, secret_settings=None):
    path = tmp_path / "openclaw.json"
    path.write_text(json.dumps(CURRENT))
    logged = []
    monkeypatch.setattr(basic.AnsibleModule, "log", lambda self, msg, log_args=None: logged.append(msg))
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda *a, **k: (0, "", ""))
    args = {"path": str(path), "settings": settings, "secret_settings": secret_settings or {}, "openclaw_bin": "/bin/true",
            "_ansible_check_mode": True, "_ansible_diff": True}
    with set_module_args(args):
        with pytest.raises(SystemExit):
            openclaw_config.main()
    out = capsys.readouterr().out
    return json.loads(out), out, "\n".join(logged)


def test_settings_with_channel_tokens_never_printed(tmp_path, capsys, monkeypatch):
    settings = {"gateway": {"port": 18790},
                "channels": {"telegram": {"botToken": "123456:tg-" + S, "enabled": True},
                             "feishu": {"appSecret": "as-" + S, "verificationToken": "vt-" + S}},
                "models": {"providers": {"x": {"baseUrl": "https://x.example/v1?token=" + S, "api": "openai"}}}}
    result, out, journal = run(tmp_path, capsys, monkeypatch, settings)
    assert result["changed"] is True
    assert S not in out, out
    assert S not in journal
    # Still readable: the non-secret settings and the change list.
    assert {"path": "gateway.port", "action": "set"} in result["changes"]
    after = json.loads(result["diff"]["after"])
    assert after["gateway"]["port"] == 18790 and after["gateway"]["mode"] == "local"
    assert after["channels"]["feishu"]["appId"] == "cli_a"
    assert result["invocation"]["module_args"]["settings"]["gateway"]["port"] == 18790
    assert result["invocation"]["module_args"]["settings"]["models"]["providers"]["x"]["api"] == "openai"


def test_diff_of_current_file_masks_every_secret_shape(tmp_path, capsys, monkeypatch):
    result, out, dummy = run(tmp_path, capsys, monkeypatch, {"gateway": {"port": 18790}})
    before = json.loads(result["diff"]["before"])
    assert S not in out
    assert before["channels"]["feishu"]["encryptKey"] == "<redacted>"
    assert before["channels"]["feishu"]["credentials"] == {"x": "<redacted>"}
    assert before["models"]["providers"]["c"]["headers"]["Authorization"] == "<redacted>"
    assert before["models"]["providers"]["g"]["baseUrl"] == "https://g.example/v1?key=<redacted>"


def test_secret_settings_still_masked_everywhere(tmp_path, capsys, monkeypatch):
    result, out, journal = run(tmp_path, capsys, monkeypatch, {"gateway": {"port": 18790}},
                               {"hooks": {"url": "https://hooks.example/p-" + S}})
    assert S not in out and S not in journal
    assert json.loads(result["diff"]["after"])["hooks"]["url"] == "<redacted>"
