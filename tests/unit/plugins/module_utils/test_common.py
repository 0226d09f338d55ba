# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import copy
import json
import os

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    REDACTED, config_changes, config_path_for, deep_merge, exec_start_args, flatten, get_path, has_path,
    is_secret_key, option_value, parse_env_file, parse_environment_assignments, parse_unit_file, read_text,
    redact_env, redact_tree, redact_url, remove_path, shell_startup_paths, split_path, state_dir_for, unit_environment,
)
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import merge_patch  # the reference semantics


# --- secret detection and redaction -----------------------------------------------------

@pytest.mark.parametrize("name", [
    "token", "gateway_token", "botToken", "secret", "clientSecret", "password", "appPassword", "passwd",
    "apiKey", "api_key", "api-key", "APIKEY", "OPENAI_API_KEY", "credential", "privateKey", "private_key",
])
def test_is_secret_key_true(name):
    assert is_secret_key(name) is True


@pytest.mark.parametrize("name", ["mode", "port", "tokenFile", "secrets", "passwordHint", "keys", "bind", 7])
def test_is_secret_key_false(name):
    assert is_secret_key(name) is False


def test_redact_tree_hides_secret_keys_and_keeps_structure():
    data = {
        "gateway": {
            "mode": "local",
            "port": 18789,
            "auth": {"mode": "token", "token": "tok-123", "password": "pw-456"},
        },
        "models": {"providers": {"openai": {"apiKey": "sk-789", "baseUrl": "https://api.example"}}},
        "channels": [{"name": "tg", "botToken": "123:abc"}, {"name": "plain"}],
    }
    original = copy.deepcopy(data)
    out = redact_tree(data)
    assert out == {
        "gateway": {
            "mode": "local",
            "port": 18789,
            "auth": {"mode": "token", "token": REDACTED, "password": REDACTED},
        },
        "models": {"providers": {"openai": {"apiKey": REDACTED, "baseUrl": "https://api.example"}}},
        "channels": [{"name": "tg", "botToken": REDACTED}, {"name": "plain"}],
    }
    assert data == original  # input untouched
    dumped = json.dumps(out)
    for secret in ("tok-123", "pw-456", "sk-789", "123:abc"):
        assert secret not in dumped


def test_redact_tree_keeps_secretref_objects():
    # A SecretRef only names where the secret lives: it stays readable.
    data = {"apiKey": {"source": "env", "provider": "default", "id": "OPENAI_API_KEY"}}
    assert redact_tree(data) == data


def test_redact_tree_hides_everything_under_a_secret_key():
    # Anything else under a secret-looking key is a secret at every depth (issue 11: `credentials: {...}`
    # and a SecretRef-like object carrying a value leaked through the old per-name rule).
    data = {"apiKey": {"source": "env", "id": "OPENAI_API_KEY", "value": "x"},
            "credentials": {"clientId": "cid", "nested": [{"refresh": "r1"}, "r2"], "enabled": True}}
    assert redact_tree(data) == {"apiKey": {"source": REDACTED, "id": REDACTED, "value": REDACTED},
                                 "credentials": {"clientId": REDACTED, "nested": [{"refresh": REDACTED}, REDACTED], "enabled": True}}


def test_redact_tree_explicit_secret_paths():
    data = {"hooks": {"url": "https://hooks.example/s3cr3t", "name": "n"}, "other": {"url": "https://public"}}
    out = redact_tree(data, secret_paths={"hooks.url"})
    assert out == {"hooks": {"url": REDACTED, "name": "n"}, "other": {"url": "https://public"}}


def test_redact_tree_explicit_secret_path_hides_whole_subtree():
    out = redact_tree({"a": {"b": {"c": 1, "d": [1, 2]}}}, secret_paths=["a.b"])
    assert out == {"a": {"b": REDACTED}}


def test_redact_tree_returns_copies():
    data = {"list": [{"x": 1}]}
    out = redact_tree(data)
    out["list"][0]["x"] = 2
    assert data["list"][0]["x"] == 1


def test_redact_tree_hides_list_of_scalars_under_secret_key():
    out = redact_tree({"auth": {"token": ["tok-a", "tok-b"]}})
    assert "tok-a" not in json.dumps(out)
    assert "tok-b" not in json.dumps(out)


@pytest.mark.parametrize("value, expected", [
    ("http://user:pass@proxy.example:8080", "http://%s@proxy.example:8080" % REDACTED),
    ("socks5h://u:p@10.0.0.1:1080/", "socks5h://%s@10.0.0.1:1080/" % REDACTED),
    ("https://token@host", "https://%s@host" % REDACTED),
    ("http://proxy.example:8080", "http://proxy.example:8080"),
    ("http://proxy.example:8080/path@x", "http://proxy.example:8080/path@x"),
    ("localhost,127.0.0.1,.internal", "localhost,127.0.0.1,.internal"),
    ("", ""),
])
def test_redact_url(value, expected):
    assert redact_url(value) == expected


def test_redact_url_non_string_untouched():
    assert redact_url(None) is None
    assert redact_url(8080) == 8080


def test_redact_url_password_containing_at_sign():
    out = redact_url("http://user:p@ss@proxy:8080")
    assert out == "http://%s@proxy:8080" % REDACTED


def test_redact_env():
    env = {
        "OPENCLAW_GATEWAY_TOKEN": "tok",
        "ANTHROPIC_API_KEY": "sk-ant",
        "DB_PASSWORD": "pw",
        "HTTPS_PROXY": "http://bob:hunter2@proxy:3128",
        "NO_PROXY": "localhost,127.0.0.1",
        "PATH": "/usr/bin:/bin",
    }
    out = redact_env(env)
    assert out == {
        "OPENCLAW_GATEWAY_TOKEN": REDACTED,
        "ANTHROPIC_API_KEY": REDACTED,
        "DB_PASSWORD": REDACTED,
        "HTTPS_PROXY": "http://%s@proxy:3128" % REDACTED,
        "NO_PROXY": "localhost,127.0.0.1",
        "PATH": "/usr/bin:/bin",
    }
    assert env["DB_PASSWORD"] == "pw"  # input untouched


# --- dict path helpers --------------------------------------------------------------------

def test_flatten():
    data = {"gateway": {"port": 1, "auth": {"mode": "token"}}, "list": [1, {"a": 2}], "top": "x"}
    assert flatten(data) == {"gateway.port": 1, "gateway.auth.mode": "token", "list": [1, {"a": 2}], "top": "x"}
    assert flatten({}) == {}


@pytest.mark.parametrize("path, parts", [
    ("gateway", ["gateway"]),
    ("gateway.auth.token", ["gateway", "auth", "token"]),
])
def test_split_path(path, parts):
    assert split_path(path) == parts


@pytest.mark.parametrize("path", ["", ".", "a.", ".a", "a..b", None])
def test_split_path_rejects_invalid(path):
    with pytest.raises(ValueError, match="invalid config path"):
        split_path(path)


def test_get_path_and_has_path():
    data = {"a": {"b": {"c": 0}, "n": None, "s": "str"}}
    assert get_path(data, "a.b.c") == 0
    assert get_path(data, "a.b") == {"c": 0}
    assert get_path(data, "a.x", "dflt") == "dflt"
    assert get_path(data, "a.s.deeper", "dflt") == "dflt"  # walking into a scalar
    assert get_path(data, "a.n") is None
    assert has_path(data, "a.n") is True  # an explicit null is present
    assert has_path(data, "a.b.c") is True  # a falsy value is present
    assert has_path(data, "a.b.x") is False
    assert has_path(data, "a.s.x") is False


def test_deep_merge_semantics():
    base = {"a": {"x": 1, "y": {"z": 1}}, "list": [1, 2], "s": 1, "obj": {"k": 1}}
    overlay = {"a": {"y": {"w": 2}, "new": True}, "list": [3], "s": {"now": "dict"}, "obj": "scalar"}
    assert deep_merge(base, overlay) == {
        "a": {"x": 1, "y": {"z": 1, "w": 2}, "new": True},
        "list": [3],
        "s": {"now": "dict"},
        "obj": "scalar",
    }


def test_deep_merge_does_not_mutate_inputs():
    base = {"a": {"b": {"c": 1}}, "l": [{"x": 1}]}
    overlay = {"a": {"b": {"d": 2}}, "m": {"n": [1]}}
    base_copy, overlay_copy = copy.deepcopy(base), copy.deepcopy(overlay)
    result = deep_merge(base, overlay)
    assert base == base_copy
    assert overlay == overlay_copy
    # The result shares nothing mutable with the inputs.
    result["a"]["b"]["c"] = 99
    result["l"][0]["x"] = 99
    result["m"]["n"].append(2)
    assert base == base_copy
    assert overlay == overlay_copy


def test_remove_path():
    data = {"a": {"b": {"c": 1, "d": 2}}, "s": 5}
    assert remove_path(data, "a.b.c") is True
    assert data == {"a": {"b": {"d": 2}}, "s": 5}
    assert remove_path(data, "a.b.c") is False
    assert remove_path(data, "a.x.y") is False
    assert remove_path(data, "s.t") is False
    assert remove_path(data, "s.t.u") is False
    assert remove_path(data, "s") is True
    assert data == {"a": {"b": {"d": 2}}}


# --- config_changes -------------------------------------------------------------------------

def test_config_changes_nested_set():
    current = {"gateway": {"mode": "local", "port": 18789, "auth": {"mode": "none"}}, "agents": {"x": 1}}
    desired = {"gateway": {"port": 18790, "auth": {"mode": "token"}, "bind": "loopback"}}
    changes, patch = config_changes(current, desired)
    assert changes == [
        {"path": "gateway.auth.mode", "action": "set"},
        {"path": "gateway.bind", "action": "set"},
        {"path": "gateway.port", "action": "set"},
    ]
    # Minimal patch: unchanged siblings (gateway.mode, agents) are not in it.
    assert patch == {"gateway": {"port": 18790, "auth": {"mode": "token"}, "bind": "loopback"}}
    assert merge_patch(current, patch) == deep_merge(current, desired)


def test_config_changes_unchanged():
    current = {"gateway": {"mode": "local", "port": 18789, "list": [1, {"a": 2}]}, "other": "kept"}
    desired = {"gateway": {"port": 18789, "list": [1, {"a": 2}]}}
    assert config_changes(current, desired) == ([], {})
    assert config_changes(current, {}) == ([], {})
    assert config_changes({}, {}) == ([], {})


@pytest.mark.parametrize("cur, want", [
    (1, True),
    (True, 1),
    (0, False),
    (1, 1.0),
    ("1", 1),
    (None, 0),
])
def test_config_changes_type_change_counts(cur, want):
    changes, patch = config_changes({"gateway": {"v": cur}}, {"gateway": {"v": want}})
    assert changes == [{"path": "gateway.v", "action": "set"}]
    assert patch == {"gateway": {"v": want}}
    assert type(patch["gateway"]["v"]) is type(want)


def test_config_changes_list_replaces():
    current = {"agents": {"allow": ["a", "b", "c"]}}
    changes, patch = config_changes(current, {"agents": {"allow": ["a"]}})
    assert changes == [{"path": "agents.allow", "action": "set"}]
    assert patch == {"agents": {"allow": ["a"]}}
    assert merge_patch(current, patch) == {"agents": {"allow": ["a"]}}
    # Same list: no change; reordered list: change.
    assert config_changes(current, {"agents": {"allow": ["a", "b", "c"]}}) == ([], {})
    assert config_changes(current, {"agents": {"allow": ["c", "b", "a"]}})[0] == [{"path": "agents.allow", "action": "set"}]


def test_config_changes_object_replaces_scalar_and_missing_parent():
    changes, patch = config_changes({"gateway": "oops"}, {"gateway": {"port": 1}})
    assert changes == [{"path": "gateway", "action": "set"}]
    assert patch == {"gateway": {"port": 1}}
    changes, patch = config_changes({}, {"gateway": {"auth": {"mode": "token"}}})
    assert changes == [{"path": "gateway", "action": "set"}]
    assert patch == {"gateway": {"auth": {"mode": "token"}}}


def test_config_changes_patch_is_a_copy():
    desired = {"a": {"l": [1, 2]}}
    dummy, patch = config_changes({}, desired)
    patch["a"]["l"].append(3)
    assert desired == {"a": {"l": [1, 2]}}


def test_config_changes_remove_existing():
    current = {"gateway": {"customBindHost": "10.0.0.1", "bind": "custom", "port": 1}}
    changes, patch = config_changes(current, {"gateway": {"bind": "loopback"}}, ["gateway.customBindHost"])
    assert changes == [
        {"path": "gateway.bind", "action": "set"},
        {"path": "gateway.customBindHost", "action": "remove"},
    ]
    assert patch == {"gateway": {"bind": "loopback", "customBindHost": None}}
    assert "customBindHost" in patch["gateway"] and patch["gateway"]["customBindHost"] is None
    assert merge_patch(current, patch) == {"gateway": {"bind": "loopback", "port": 1}}


def test_config_changes_remove_existing_null_value():
    changes, patch = config_changes({"a": {"b": None}}, {}, ["a.b"])
    assert changes == [{"path": "a.b", "action": "remove"}]
    assert patch == {"a": {"b": None}}


@pytest.mark.parametrize("remove", [["gateway.customBindHost"], ["nothing.here"], ["gateway.port.deeper"]])
def test_config_changes_remove_missing_is_no_change(remove):
    assert config_changes({"gateway": {"port": 1}}, {}, remove) == ([], {})


@pytest.mark.parametrize("desired, remove", [
    ({"gateway": {"port": 1}}, ["gateway.port"]),  # same path
    ({"gateway": {"port": 1}}, ["gateway"]),  # parent of a set path
])
def test_config_changes_set_and_remove_same_path(desired, remove):
    with pytest.raises(ValueError, match="both set and removed"):
        config_changes({"gateway": {"port": 1}}, desired, remove)


def test_config_changes_remove_sibling_of_set_path_is_allowed():
    # gateway.port is not a prefix of gateway.portal: no conflict.
    changes, patch = config_changes({"gateway": {"portal": 1}}, {"gateway": {"port": 2}}, ["gateway.portal"])
    assert changes == [{"path": "gateway.port", "action": "set"}, {"path": "gateway.portal", "action": "remove"}]
    assert patch == {"gateway": {"port": 2, "portal": None}}


def test_config_changes_invalid_remove_path():
    with pytest.raises(ValueError, match="invalid config path"):
        config_changes({}, {}, ["a..b"])


def test_config_changes_remove_below_a_path_set_to_a_scalar():
    with pytest.raises(ValueError):
        config_changes({"a": {"b": 1}}, {"a": 5}, ["a.b"])


def test_config_changes_empty_object_is_idempotent():
    current = {"plugins": {"entries": {"x": {"enabled": True}}}}
    desired = {"plugins": {"entries": {}}}
    changes, patch = config_changes(current, desired)
    # Applying the patch is a no-op, so there must be nothing to do.
    assert merge_patch(current, patch) == current
    assert changes == []


def test_config_changes_empty_object_creates_missing_key():
    changes, patch = config_changes({}, {"plugins": {}})
    assert changes == [{"path": "plugins", "action": "set"}]
    assert merge_patch({}, patch) == {"plugins": {}}


def test_config_changes_null_value_is_not_a_silent_delete():
    for current in ({}, {"a": 1}):
        try:
            changes, patch = config_changes(current, {"a": None})
        except ValueError:
            continue  # rejecting null is an acceptable fix
        # Otherwise null must be reported as what the patch does with it (delete), and converge.
        assert changes == ([{"path": "a", "action": "remove"}] if current else [])
        assert patch == ({"a": None} if current else {})


def test_config_changes_result_applies_desired_state():
    current = {"gateway": {"mode": "local", "auth": {"mode": "none", "token": "old"}}, "x": [1]}
    desired = {"gateway": {"auth": {"mode": "token", "token": "new"}, "port": 18789}, "x": [2]}
    dummy, patch = config_changes(current, desired, ["gateway.mode"])
    after = merge_patch(current, patch)
    expected = deep_merge(current, desired)
    remove_path(expected, "gateway.mode")
    assert after == expected
    # And then there is nothing left to do.
    assert config_changes(after, desired) == ([], {})


# --- systemd --------------------------------------------------------------------------------

def test_parse_environment_assignments():
    assert parse_environment_assignments('"A=b c" D=e') == {"A": "b c", "D": "e"}
    assert parse_environment_assignments("X=1 Y=2=3") == {"X": "1", "Y": "2=3"}
    assert parse_environment_assignments("NOEQUALS Z=") == {"Z": ""}
    # Unbalanced quotes fall back to whitespace splitting instead of raising.
    assert parse_environment_assignments('A="b C=d') == {"A": '"b', "C": "d"}


def test_parse_environment_assignments_reads_role_dropin_escaping():
    # roles/gateway/templates/dropin.conf.j2 escapes \ and " inside Environment="NAME=value".
    value = 'a\\b"c d'
    line = '"%s=%s"' % ("X", value.replace("\\", "\\\\").replace('"', '\\"'))
    assert parse_environment_assignments(line) == {"X": value}


UNIT = """\
# A comment
; another comment
[Unit]
Description=OpenClaw Gateway
Environment=UNIT_SECTION=ignored

[Service]
Type=simple
ExecStart=/usr/local/bin/node /usr/local/lib/node_modules/openclaw/dist/index.js \\
    gateway --port 18789 \\
    --bind loopback
  # indented comment
Environment=A=1
Environment="B=two words"  C=3
Restart=always

[Install]
WantedBy=default.target
Environment=INSTALL_SECTION=ignored
"""


def test_parse_unit_file():
    directives = parse_unit_file(UNIT)
    assert directives == [
        ("Type", "simple"),
        ("ExecStart", "/usr/local/bin/node /usr/local/lib/node_modules/openclaw/dist/index.js  gateway --port 18789  --bind loopback"),
        ("Environment", "A=1"),
        ("Environment", '"B=two words"  C=3'),
        ("Restart", "always"),
    ]


def test_parse_unit_file_empty_and_no_service():
    assert parse_unit_file("") == []
    assert parse_unit_file("[Unit]\nDescription=x\n") == []
    # Directives before any section header are not [Service] directives.
    assert parse_unit_file("Environment=A=1\n[Service]\nEnvironment=B=2\n") == [("Environment", "B=2")]


def test_parse_unit_file_keeps_empty_values_and_strips_key():
    assert parse_unit_file("[Service]\nEnvironment=\n  ExecStart =  /bin/x  \n") == [("Environment", ""), ("ExecStart", "/bin/x")]


def test_unit_environment():
    directives = parse_unit_file(
        "[Service]\n"
        "Environment=OLD=1\n"
        "Environment=\n"
        'Environment="A=b c" D=e\n'
        "Environment=D=override\n"
        "EnvironmentFile=/etc/default/ignored\n"
        "EnvironmentFile=\n"
        "EnvironmentFile=-/home/u/.config/openclaw/gateway.env\n"
        "EnvironmentFile=/etc/openclaw.env\n"
    )
    env, files = unit_environment(directives)
    assert env == {"A": "b c", "D": "override"}
    assert files == ["-/home/u/.config/openclaw/gateway.env", "/etc/openclaw.env"]


def test_unit_environment_ignores_other_directives():
    assert unit_environment([("ExecStart", "/bin/x A=1"), ("PassEnvironment", "B")]) == ({}, [])


def test_parse_env_file():
    text = (
        "# comment\n"
        "; semicolon comment\n"
        "\n"
        "export HTTPS_PROXY=http://proxy:8080\n"
        "PLAIN=value\n"
        'DQ="double quoted"\n'
        "SQ='single quoted'\n"
        "SPACED = padded \n"
        "EMPTY=\n"
        "EQ=a=b\n"
        'MISMATCHED="open\n'
        'ONECHAR="\n'
        "not an assignment\n"
    )
    assert parse_env_file(text) == {
        "HTTPS_PROXY": "http://proxy:8080",
        "PLAIN": "value",
        "DQ": "double quoted",
        "SQ": "single quoted",
        "SPACED": "padded",
        "EMPTY": "",
        "EQ": "a=b",
        "MISMATCHED": '"open',
        "ONECHAR": '"',
    }


def test_read_text(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc\xffdef")
    assert read_text(str(path)) == "abc\ufffddef"
    assert read_text(str(path), limit=2) == "ab"
    assert read_text(str(tmp_path / "missing")) is None
    assert read_text(str(tmp_path)) is None  # a directory


@pytest.mark.parametrize("line, argv", [
    ("/usr/bin/node /opt/openclaw.mjs gateway --port 18789", ["/usr/bin/node", "/opt/openclaw.mjs", "gateway", "--port", "18789"]),
    ("-/usr/bin/node x", ["/usr/bin/node", "x"]),
    ("@/usr/bin/node argv0 x", ["/usr/bin/node", "argv0", "x"]),
    ("!!/usr/bin/node x", ["/usr/bin/node", "x"]),
    ('/usr/bin/env "A=b c" node', ["/usr/bin/env", "A=b c", "node"]),
])
def test_exec_start_args(line, argv):
    assert exec_start_args([("ExecStart", line)]) == argv


def test_exec_start_args_last_wins_and_reset():
    assert exec_start_args([("ExecStart", "/bin/a"), ("ExecStart", "/bin/b --x")]) == ["/bin/b", "--x"]
    assert exec_start_args([("ExecStart", "/bin/a"), ("ExecStart", "")]) == []
    assert exec_start_args([("ExecStart", "/bin/a"), ("ExecStart", ""), ("ExecStart", "/bin/c")]) == ["/bin/c"]
    assert exec_start_args([("Type", "simple")]) == []


def test_exec_start_args_unbalanced_quote():
    assert exec_start_args([("ExecStart", '/bin/a "b c')]) == ["/bin/a", '"b', "c"]


def test_option_value():
    assert option_value(["node", "gateway", "--port", "18789"], "--port") == "18789"
    assert option_value(["node", "gateway", "--port=18789"], "--port") == "18789"
    assert option_value(["node", "gateway", "--bind", "loopback", "--port", "1"], "--bind") == "loopback"
    assert option_value(["node", "--port"], "--port") is None  # no value after it
    assert option_value(["node", "--portal=1", "--portal", "2"], "--port") is None
    assert option_value([], "--port") is None


def test_exec_start_port_roundtrip():
    for unit in ("[Service]\nExecStart=/usr/bin/node /x gateway --port 18789\n",
                 "[Service]\nExecStart=/usr/bin/node /x gateway --port=18789\n"):
        assert option_value(exec_start_args(parse_unit_file(unit)), "--port") == "18789"


# --- config_path_for ------------------------------------------------------------------------

def test_config_path_for_default():
    assert config_path_for("/home/u") == os.path.join("/home/u", ".openclaw", "openclaw.json")
    assert config_path_for("/home/u", {}) == "/home/u/.openclaw/openclaw.json"
    assert config_path_for("/home/u", {"OPENCLAW_CONFIG_PATH": "", "OPENCLAW_STATE_DIR": ""}) == "/home/u/.openclaw/openclaw.json"


def test_config_path_for_profile():
    assert config_path_for("/home/u", {}, "work") == "/home/u/.openclaw-work/openclaw.json"
    assert config_path_for("/home/u", {}, "") == "/home/u/.openclaw/openclaw.json"


def test_config_path_for_state_dir():
    env = {"OPENCLAW_STATE_DIR": "/srv/state"}
    assert config_path_for("/home/u", env) == "/srv/state/openclaw.json"
    assert config_path_for("/home/u", env, "work") == "/srv/state/openclaw.json"


def test_config_path_for_config_path_wins():
    env = {"OPENCLAW_STATE_DIR": "/srv/state", "OPENCLAW_CONFIG_PATH": "/etc/oc/custom.json"}
    assert config_path_for("/home/u", env) == "/etc/oc/custom.json"
    assert config_path_for("/home/u", env, "work") == "/etc/oc/custom.json"


# --- OpenClaw paths and what a login shell exports -------------------------------------------------

@pytest.mark.parametrize("env, profile, state_dir, config", [
    ({}, None, "/h/.openclaw", "/h/.openclaw/openclaw.json"),
    ({}, "work", "/h/.openclaw-work", "/h/.openclaw-work/openclaw.json"),
    ({"OPENCLAW_HOME": "/oc"}, None, "/oc/.openclaw", "/oc/.openclaw/openclaw.json"),
    ({"OPENCLAW_STATE_DIR": "~/state "}, None, "/h/state", "/h/state/openclaw.json"),
    ({"OPENCLAW_STATE_DIR": "/s", "OPENCLAW_CONFIG_PATH": "/etc/oc.json"}, None, "/s", "/etc/oc.json"),
    ({"OPENCLAW_STATE_DIR": "  "}, None, "/h/.openclaw", "/h/.openclaw/openclaw.json"),
])
def test_state_dir_and_config_path_follow_openclaw(env, profile, state_dir, config):
    assert state_dir_for("/h", env, profile) == state_dir
    assert config_path_for("/h", env, profile) == config


def test_shell_startup_paths(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    etc = tmp_path / "environment"
    etc.write_text('OPENCLAW_HOME="/opt/oc"\nPATH=/usr/bin\n')
    (home / ".profile").write_text("export OPENCLAW_STATE_DIR='$HOME/.oc'\nexport OPENCLAW_CONFIG_PATH=${HOME}/oc.json # note\n")
    (home / ".bashrc").write_text("  unset OPENCLAW_HOME\n#export OPENCLAW_STATE_DIR=/ignored\nexport OPENCLAW_STATE_DIR=~/oc-state;\n")
    env, set_in = shell_startup_paths(str(home), files=(str(etc), "~/.profile", "~/.missing"))
    assert env == {"OPENCLAW_HOME": "/opt/oc", "OPENCLAW_STATE_DIR": "$HOME/.oc", "OPENCLAW_CONFIG_PATH": "%s/oc.json" % home}
    env, set_in = shell_startup_paths(str(home), files=(str(etc), "~/.profile", "~/.bashrc"))
    assert env == {"OPENCLAW_STATE_DIR": "%s/oc-state" % home, "OPENCLAW_CONFIG_PATH": "%s/oc.json" % home}
    assert set_in == {"OPENCLAW_STATE_DIR": str(home / ".bashrc"), "OPENCLAW_CONFIG_PATH": str(home / ".profile")}
