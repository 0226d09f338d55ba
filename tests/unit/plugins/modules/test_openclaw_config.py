# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import stat

import pytest

from ansible.module_utils import basic

from ansible_collections.clawops.openclaw.plugins.module_utils import _common
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_config
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    REFUSAL, AnsibleExitJson, AnsibleFailJson, FakeOpenClaw, exit_json, fail_json, openclaw_argv, set_module_args,
)

SECRET = "s3cr3t-T0KEN-do-not-leak"


@pytest.fixture
def openclaw(monkeypatch):
    fake = FakeOpenClaw()
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda module, args, **kwargs: fake(args, **kwargs))
    for name in ("OPENCLAW_CONFIG_PATH", "OPENCLAW_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return fake


@pytest.fixture
def config(tmp_path):
    return tmp_path / "state" / "openclaw.json"


def write_config(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(content, str):
        content = json.dumps(content, indent=2)
    path.write_text(content)
    return path.read_bytes()


def run_module(args, check_mode=False, diff=False):
    """main() with args; returns (failed, result)."""
    args = dict(args)
    args.setdefault("openclaw_bin", "/opt/openclaw/bin/openclaw")
    if check_mode:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    with set_module_args(args):
        try:
            openclaw_config.main()
        except AnsibleExitJson as exc:
            return False, exc.result
        except AnsibleFailJson as exc:
            return True, exc.result
    raise AssertionError("the module neither exited nor failed")


def test_no_change_does_not_call_openclaw(openclaw, config):
    before = write_config(config, {"gateway": {"mode": "local", "port": 18789, "auth": {"mode": "token", "token": SECRET}}})
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": 18789, "auth": {"mode": "token"}}},
                                 "secret_settings": {"gateway": {"auth": {"token": SECRET}}}})
    assert not failed
    assert result["changed"] is False
    assert result["changes"] == []
    assert result["created"] is False
    assert result["path"] == str(config)
    assert "backup_file" not in result
    assert openclaw.calls == []
    assert config.read_bytes() == before


def test_change_goes_through_config_patch_on_stdin(openclaw, config):
    write_config(config, {"gateway": {"mode": "local", "port": 18789, "bind": "loopback"}, "agents": {"list": [1]}})
    failed, result = run_module({
        "path": str(config),
        "openclaw_bin": "/usr/local/bin/openclaw",
        "settings": {"gateway": {"port": 18790, "bind": "loopback", "auth": {"mode": "token"}}},
        "secret_settings": {"gateway": {"auth": {"token": SECRET}}},
    })
    assert not failed, result
    assert result["changed"] is True
    assert result["created"] is False
    assert result["changes"] == [
        {"path": "gateway.auth", "action": "set"},
        {"path": "gateway.port", "action": "set"},
    ]
    assert len(openclaw.calls) == 1
    call = openclaw.calls[0]
    assert call["args"][:4] == ["timeout", "-k", "2", "120"]  # bounded like every CLI call (the default cli_timeout)
    assert openclaw_argv(call["args"]) == ["/usr/local/bin/openclaw", "config", "patch", "--stdin"]
    # The patch is minimal and carries the secret on stdin only.
    assert json.loads(call["data"]) == {"gateway": {"port": 18790, "auth": {"mode": "token", "token": SECRET}}}
    assert not any(SECRET in word for word in call["args"])
    assert call["environ_update"]["OPENCLAW_CONFIG_PATH"] == str(config)
    assert SECRET not in json.dumps(call["environ_update"])
    # Nothing in the result reveals the secret.
    assert SECRET not in json.dumps(result)
    assert result["backup_file"] == str(config) + ".bak"


def test_second_run_is_idempotent(openclaw, config):
    write_config(config, {"gateway": {"mode": "local", "customBindHost": "10.1.1.1"}})
    args = {"path": str(config), "settings": {"gateway": {"port": 18789, "bind": "loopback"}},
            "secret_settings": {"gateway": {"auth": {"token": SECRET}}}, "remove": ["gateway.customBindHost"]}
    failed, result = run_module(args)
    assert not failed and result["changed"] is True
    assert json.loads(config.read_text()) == {"gateway": {"mode": "local", "port": 18789, "bind": "loopback", "auth": {"token": SECRET}}}
    failed, result = run_module(args)
    assert not failed
    assert result["changed"] is False
    assert len(openclaw.calls) == 1


def test_check_mode_reports_without_calling_openclaw(openclaw, config):
    before = write_config(config, {"gateway": {"port": 18789}})
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": 1234}}}, check_mode=True)
    assert not failed
    assert result["changed"] is True
    assert result["changes"] == [{"path": "gateway.port", "action": "set"}]
    assert "backup_file" not in result
    assert openclaw.calls == []
    assert config.read_bytes() == before


def test_diff_mode_redacts_secrets(openclaw, config):
    write_config(config, {"gateway": {"port": 18789, "auth": {"mode": "token", "token": "old-" + SECRET}},
                          "hooks": {"url": "https://hooks.example/old-hook-secret"}})
    failed, result = run_module({
        "path": str(config),
        "settings": {"gateway": {"port": 18790}},
        # hooks.url is secret because it is passed as a secret, whatever its name.
        "secret_settings": {"gateway": {"auth": {"token": SECRET}}, "hooks": {"url": "https://hooks.example/new-hook-secret"}},
    }, check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    diff = result["diff"]
    assert diff["before_header"] == diff["after_header"] == str(config)
    before, after = json.loads(diff["before"]), json.loads(diff["after"])
    assert before == {"gateway": {"port": 18789, "auth": {"mode": "token", "token": "<redacted>"}}, "hooks": {"url": "<redacted>"}}
    assert after == {"gateway": {"port": 18790, "auth": {"mode": "token", "token": "<redacted>"}}, "hooks": {"url": "<redacted>"}}
    dumped = json.dumps(result)
    for secret in (SECRET, "new-hook-secret", "old-hook-secret"):
        assert secret not in dumped
    assert openclaw.calls == []


def test_diff_mode_shows_removal_and_no_diff_without_changes(openclaw, config):
    write_config(config, {"gateway": {"port": 1, "customBindHost": "10.0.0.1"}})
    failed, result = run_module({"path": str(config), "remove": ["gateway.customBindHost"]}, check_mode=True, diff=True)
    assert not failed
    assert json.loads(result["diff"]["before"]) == {"gateway": {"port": 1, "customBindHost": "10.0.0.1"}}
    assert json.loads(result["diff"]["after"]) == {"gateway": {"port": 1}}
    assert openclaw.calls == []
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": 1}}}, diff=True)
    assert not failed
    assert result["changed"] is False
    assert "diff" not in result


def test_json5_config_is_read(openclaw, config):
    before = write_config(config, """\
// OpenClaw config, edited by hand
{
  gateway: {
    mode: 'local',  /* block comment */
    port: 18789,
    auth: { mode: "token", },
  },
  agents: { defaults: { model: "x" }, },
}
""")
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"mode": "local", "port": 18789, "auth": {"mode": "token"}}}})
    assert not failed, result
    assert result["changed"] is False
    assert openclaw.calls == []
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": 18790}, "agents": {"defaults": {"model": "x"}}}},
                                check_mode=True)
    assert not failed
    assert result["changes"] == [{"path": "gateway.port", "action": "set"}]
    assert config.read_bytes() == before


@pytest.mark.parametrize("check_mode", [False, True])
def test_unparsable_config_is_left_untouched(openclaw, config, check_mode):
    before = write_config(config, '{"gateway": {"port": 18789,,}')
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": 1}}}, check_mode=check_mode)
    assert failed
    assert str(config) in result["msg"]
    assert "cannot be parsed: " in result["msg"] and "at line 1 column" in result["msg"]
    assert result["path"] == str(config)
    assert result["parse_error"]
    assert openclaw.calls == []
    assert config.read_bytes() == before


@pytest.mark.parametrize("content, kind", [("[]", "array"), ('"text"', "string"), ("42", "number"), ("null", "null")])
def test_non_object_config_fails(openclaw, config, content, kind):
    before = write_config(config, content)
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": 1}}})
    assert failed
    assert "cannot be parsed: it holds a JSON %s, not an object" % kind in result["msg"]
    assert str(config) in result["msg"]
    assert openclaw.calls == []
    assert config.read_bytes() == before


def test_openclaw_refusal_fails_and_leaves_file(openclaw, config):
    before = write_config(config, {"gateway": {"port": 18789}})
    openclaw.rc = 1
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": "not-a-port"}}})
    assert failed
    assert REFUSAL in result["msg"]
    assert str(config) in result["msg"]
    assert result["rc"] == 1
    assert len(openclaw.calls) == 1
    assert config.read_bytes() == before
    assert not os.path.exists(str(config) + ".bak")


def test_remove_existing_key_sends_null(openclaw, config):
    write_config(config, {"gateway": {"port": 18789, "customBindHost": "10.0.0.1"}})
    failed, result = run_module({"path": str(config), "remove": ["gateway.customBindHost"]})
    assert not failed
    assert result["changed"] is True
    assert result["changes"] == [{"path": "gateway.customBindHost", "action": "remove"}]
    assert json.loads(openclaw.calls[0]["data"]) == {"gateway": {"customBindHost": None}}
    assert json.loads(config.read_text()) == {"gateway": {"port": 18789}}


def test_remove_missing_key_is_no_change(openclaw, config):
    write_config(config, {"gateway": {"port": 18789}})
    failed, result = run_module({"path": str(config), "remove": ["gateway.customBindHost"]})
    assert not failed
    assert result["changed"] is False
    assert openclaw.calls == []


def test_set_and_remove_same_path_fails(openclaw, config):
    write_config(config, {"gateway": {"port": 18789}})
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"port": 1}}, "remove": ["gateway.port"]})
    assert failed
    assert "both set and removed" in result["msg"]
    assert openclaw.calls == []


def test_missing_file_is_created(openclaw, config):
    config.parent.mkdir()
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"mode": "local"}}}, check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True and result["created"] is True
    assert result["diff"]["before"] == ""
    assert json.loads(result["diff"]["after"]) == {"gateway": {"mode": "local"}}
    assert not config.exists()
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"mode": "local"}}})
    assert not failed
    assert result["changed"] is True and result["created"] is True
    assert "backup_file" not in result
    assert json.loads(openclaw.calls[0]["data"]) == {"gateway": {"mode": "local"}}
    assert json.loads(config.read_text()) == {"gateway": {"mode": "local"}}
    assert stat.S_IMODE(os.stat(str(config)).st_mode) == 0o600


def test_missing_file_without_settings_is_no_change(openclaw, config):
    failed, result = run_module({"path": str(config)})
    assert not failed
    assert result["changed"] is False and result["created"] is False
    assert openclaw.calls == []
    assert not config.exists()


def test_empty_file_counts_as_existing(openclaw, config):
    write_config(config, "  \n")
    failed, result = run_module({"path": str(config), "settings": {"gateway": {"mode": "local"}}})
    assert not failed
    assert result["changed"] is True and result["created"] is False
    assert json.loads(openclaw.calls[0]["data"]) == {"gateway": {"mode": "local"}}


def test_invalid_remove_path_fails(openclaw, config):
    write_config(config, {})
    failed, result = run_module({"path": str(config), "remove": ["gateway..port"]})
    assert failed
    assert "invalid config path" in result["msg"]
    assert openclaw.calls == []


@pytest.mark.usefixtures("openclaw")
def test_default_path_follows_openclaw_config_path(config, monkeypatch):
    write_config(config, {"gateway": {"port": 1}})
    monkeypatch.setenv("OPENCLAW_CONFIG_PATH", str(config))
    failed, result = run_module({"settings": {"gateway": {"port": 2}}}, check_mode=True)
    assert not failed
    assert result["path"] == str(config)
    assert result["changed"] is True and result["created"] is False


@pytest.mark.usefixtures("openclaw")
def test_default_path_follows_state_dir_then_profile(tmp_path, monkeypatch):
    home = tmp_path / "home"

    class Entry:
        pw_dir = str(home)

    monkeypatch.setattr(_common.pwd, "getpwuid", lambda uid: Entry())
    # HOME wins (become_user with sudo -H sets it); the passwd entry is the fallback.
    monkeypatch.delenv("HOME", raising=False)
    failed, result = run_module({"settings": {"a": 1}, "profile": "work"}, check_mode=True)
    assert not failed
    assert result["path"] == str(home / ".openclaw-work" / "openclaw.json")
    failed, result = run_module({"settings": {"a": 1}}, check_mode=True)
    assert result["path"] == str(home / ".openclaw" / "openclaw.json")
    monkeypatch.setenv("HOME", str(tmp_path / "other"))
    failed, result = run_module({"settings": {"a": 1}}, check_mode=True)
    assert result["path"] == str(tmp_path / "other" / ".openclaw" / "openclaw.json")
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(tmp_path / "state"))
    failed, result = run_module({"settings": {"a": 1}, "profile": "work"}, check_mode=True)
    assert result["path"] == str(tmp_path / "state" / "openclaw.json")


@pytest.mark.skipif(os.path.exists("/usr/local/bin/openclaw") or os.path.exists("/usr/bin/openclaw"),
                    reason="a real openclaw CLI in /usr/local/bin or /usr/bin would be found first")
def test_openclaw_bin_defaults_to_path_lookup(openclaw, config, tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    cli = bindir / "openclaw"
    cli.write_text("#!/bin/sh\nexit 0\n")
    cli.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    write_config(config, {})
    with set_module_args({"path": str(config), "settings": {"a": 1}}):
        with pytest.raises(AnsibleExitJson):
            openclaw_config.main()
    assert openclaw_argv(openclaw.calls[0]["args"]) == [str(cli), "config", "patch", "--stdin"]
