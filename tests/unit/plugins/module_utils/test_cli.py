# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import subprocess
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import _cli
from ansible_collections.clawops.openclaw.plugins.module_utils._cli import (
    CliError, ConfigReadError, OpenClawCli, cli_option_errors, extract_json, find_cli, parse_config, read_config,
)

KEY = "sk-proj-AbCdEf0123456789AbCdEf0123456789"
CLI = "/opt/openclaw/bin/openclaw"


class FakeModule:
    """run_command as AnsibleModule has it; answers with `answer(argv, data)` and records every call."""

    def __init__(self, answer=None, **params):
        self.params = dict(openclaw_bin=None, npm_prefix=None, cli_timeout=30.0, config_path=None)
        self.params.update(params)
        self.answer = answer or (lambda argv, data: (0, '{"ok": true}', ""))
        self.calls = []
        self.failed = None

    def run_command(self, argv, data=None, environ_update=None, **kwargs):
        self.calls.append(dict(argv=list(argv), data=data, env=dict(environ_update or {}), **kwargs))
        return self.answer(argv, data)

    def fail_json(self, **kwargs):
        self.failed = kwargs
        raise SystemExit(1)


class RealModule(FakeModule):
    """run_command through a real process, for the timeout itself."""

    def run_command(self, argv, data=None, environ_update=None, **kwargs):
        env = dict(os.environ, **(environ_update or {}))
        proc = subprocess.run(argv, input=data, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        return proc.returncode, proc.stdout, proc.stderr


def client(module=None, config_path="/home/openclaw/.openclaw/openclaw.json", run_as=None, timeout=30):
    return OpenClawCli(module or FakeModule(), CLI, config_path, timeout, run_as)


@pytest.fixture
def as_service_user(monkeypatch):
    """The executing user is not root (the modules run with become_user)."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("HOME", "/home/openclaw")


# --- JSON extraction -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ('{"valid": true}', {"valid": True}),
    ('\n  {"valid": true}\n\n', {"valid": True}),
    # Node and plugin banners before the answer
    ('(node:123) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.\n{"valid": true}\n', {"valid": True}),
    ('🦞 OpenClaw 2026.9.6\n\n{\n  "profiles": [{"id": "openai:a"}]\n}\n', {"profiles": [{"id": "openai:a"}]}),
    # braces in a preceding line, some even valid JSON on their own
    ('[plugins] loaded {feishu, telegram}\n{"valid": false, "issues": []}\n', {"valid": False, "issues": []}),
    ('warning: {"a": {"b": 1}} ignored\n{"valid": true}\n', {"valid": True}),
    ('{"level":"warn","msg":"slow start"}\n{"ok": true, "entry": {"k": "}"}}\n', {"ok": True, "entry": {"k": "}"}}),
    # a warning after the answer: the first object that starts a line
    ('{"valid": true}\nGateway service paths could not be verified.\n', {"valid": True}),
    # only inline JSON
    ('Result: {"ok": true}', {"ok": True}),
])
def test_extract_json_finds_the_answer(text, expected):
    assert extract_json(text) == expected


def test_extract_json_with_a_key_skips_log_records_around_the_answer():
    # A JSON log record before the answer and a warning after it: without the key the record would be "the answer".
    text = '{"level":"warn","msg":"profile in cooldown"}\n{"auth": {"oauth": {"profiles": []}}}\nwarning: slow\n'
    assert extract_json(text) == {"level": "warn", "msg": "profile in cooldown"}
    assert extract_json(text, key="auth") == {"auth": {"oauth": {"profiles": []}}}
    assert extract_json('{"level":"warn"}\n', key="auth") is None
    assert extract_json('note {"level":"warn"} then {"auth": {}}', key="auth") == {"auth": {}}


@pytest.mark.parametrize("text", [
    "", None, "No change", "Applied 2 changes\n", '{"unterminated": ', "[1, 2]\n", "{not json}\n", '"a string"',
])
def test_extract_json_without_an_object_is_none(text):
    assert extract_json(text) is None


# --- the process ---------------------------------------------------------------------------------

def test_every_call_is_bounded_writers_included(as_service_user):
    module = FakeModule(lambda argv, data: (0, "Applied", ""))
    cli = client(module, timeout=7)
    cli.patch_config({"gateway": {"port": 1}})
    cli.run(["models", "auth", "paste-api-key", "--provider", "openai"], stdin=KEY + "\n")
    assert [call["argv"][:4] for call in module.calls] == [["timeout", "-k", "2", "7"]] * 2
    assert [call["argv"][4:7] for call in module.calls] == [[CLI, "config", "patch"], [CLI, "models", "auth"]]


def test_the_environment_is_the_same_for_every_call(as_service_user, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/sbin:/home/openclaw/bin:relative")
    monkeypatch.delenv("NODE_OPTIONS", raising=False)
    argv, env = client().command(["config", "validate", "--json"])
    assert argv == ["timeout", "-k", "2", "30", CLI, "config", "validate", "--json"]
    assert env == dict(HOME="/home/openclaw", XDG_RUNTIME_DIR="/run/user/1000", LC_ALL="C", NO_COLOR="1",
                       OPENCLAW_CONFIG_PATH="/home/openclaw/.openclaw/openclaw.json",
                       NODE_OPTIONS="--disable-warning=ExperimentalWarning",
                       PATH="/opt/openclaw/bin:/usr/sbin:/home/openclaw/bin:/usr/local/bin:/usr/bin:/bin")


@pytest.mark.parametrize("play, expected", [
    # OpenClaw's launcher respawns Node for every command unless NODE_OPTIONS carries one of these (one start, not two).
    ("", "--disable-warning=ExperimentalWarning"),
    ("--max-old-space-size=1536", "--max-old-space-size=1536 --disable-warning=ExperimentalWarning"),
    ("  --disable-warning=ExperimentalWarning ", "--disable-warning=ExperimentalWarning"),
    ("--no-warnings --trace-gc", "--no-warnings --trace-gc"),
    # a quoted value with spaces stays exactly as the play wrote it
    ('--require "/opt/my hooks/a.js"', '--require "/opt/my hooks/a.js" --disable-warning=ExperimentalWarning'),
])
def test_node_options_keep_the_plays_and_spare_the_cli_its_respawn(as_service_user, monkeypatch, play, expected):
    monkeypatch.setenv("NODE_OPTIONS", play)
    assert client().environment()["NODE_OPTIONS"] == expected
    root = client(run_as=dict(name="openclaw", uid=1001, home="/home/openclaw"))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "NODE_OPTIONS=" + expected in root.command(["config", "validate"])[0]


def test_the_gateways_compile_cache_is_used_once_it_exists(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert "NODE_COMPILE_CACHE" not in client().environment()           # gateway_node_compile_cache off: none created
    cache = tmp_path / ".cache" / "openclaw" / "node-compile-cache"
    cache.mkdir(parents=True)
    assert client().environment()["NODE_COMPILE_CACHE"] == str(cache)


def test_the_service_users_compile_cache_is_never_used_by_root(tmp_path, monkeypatch):
    (tmp_path / ".cache" / "openclaw" / "node-compile-cache").mkdir(parents=True)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setenv("HOME", str(tmp_path))                          # root with the user's HOME (sudo -E, say)
    assert "NODE_COMPILE_CACHE" not in client().environment()
    # As the service user (root switching to it), the user's own cache is fine.
    switched = client(run_as=dict(name="openclaw", uid=1001, home=str(tmp_path)))
    assert switched.environment()["NODE_COMPILE_CACHE"] == str(tmp_path / ".cache" / "openclaw" / "node-compile-cache")


def test_root_runs_the_cli_as_the_service_user(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    cli = client(run_as=dict(name="openclaw", uid=1001, home="/home/openclaw"))
    argv, env = cli.command(["config", "validate", "--json"])
    assert argv[:8] == ["timeout", "-k", "2", "30", "runuser", "-u", "openclaw", "--"]
    assert argv[8] == "env" and argv[-4:] == [CLI, "config", "validate", "--json"]
    assert "HOME=/home/openclaw" in argv and "XDG_RUNTIME_DIR=/run/user/1001" in argv
    assert "OPENCLAW_CONFIG_PATH=/home/openclaw/.openclaw/openclaw.json" in argv
    assert env["HOME"] == "/home/openclaw"


def test_root_never_runs_the_cli_as_root_on_a_users_config(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    home = tmp_path / "home"
    home.mkdir()
    os.chown(str(home), 4242, 4242)
    module = FakeModule()
    cli = client(module, config_path=str(home / ".openclaw" / "openclaw.json"))  # not created yet: its owner's home counts
    with pytest.raises(CliError) as caught:
        cli.patch_config({"a": 1})
    assert module.calls == [] and caught.value.rc is None
    assert "refusing to run openclaw config patch as root" in caught.value.msg and "uid 4242" in caught.value.msg


def test_secrets_go_on_stdin_never_on_the_command_line_or_in_the_environment(as_service_user):
    module = FakeModule(lambda argv, data: (0, "Auth profile: openai:a", ""))
    client(module).run(["models", "auth", "paste-api-key", "--provider", "openai", "--profile-id", "openai:a"], stdin=KEY + "\n")
    call = module.calls[0]
    assert call["data"] == KEY + "\n" and call["binary_data"] is True
    assert KEY not in json.dumps(call["argv"]) and KEY not in json.dumps(call["env"])


def test_a_patch_travels_on_stdin(as_service_user):
    module = FakeModule(lambda argv, data: (0, "", ""))
    client(module).patch_config({"gateway": {"auth": {"token": KEY}}})
    assert json.loads(module.calls[0]["data"]) == {"gateway": {"auth": {"token": KEY}}}
    assert KEY not in json.dumps(module.calls[0]["argv"])


# --- errors --------------------------------------------------------------------------------------

def test_errors_carry_argv_rc_and_output_redacted(as_service_user):
    err = ("Error: provider rejected key %s\nAuthorization: Bearer abcdefghijklmnop\n"
           '{"level":"error","apiKey":"plain-looking-value","msg":"x"}\n' % KEY)
    module = FakeModule(lambda argv, data: (1, "", err))
    with pytest.raises(CliError) as caught:
        client(module).run(["models", "auth", "paste-api-key", "--provider", "openai"], stdin=KEY + "\n")
    error = caught.value
    kwargs = error.fail_kwargs()
    assert error.rc == 1 and kwargs["rc"] == 1
    assert kwargs["argv"][:4] == ["timeout", "-k", "2", "30"] and kwargs["argv"][4:] == [CLI, "models", "auth", "paste-api-key", "--provider", "openai"]
    assert kwargs["msg"].startswith("openclaw models auth paste-api-key failed (rc=1): ")
    dumped = json.dumps(kwargs)
    for secret in (KEY, "abcdefghijklmnop", "plain-looking-value"):
        assert secret not in dumped
    assert "<redacted>" in kwargs["stderr"]


def test_argv_is_redacted_in_errors(as_service_user):
    module = FakeModule(lambda argv, data: (2, "", "bad"))
    with pytest.raises(CliError) as caught:
        client(module).run(["gateway", "call", "x", "--url", "https://user:pa55word@example.com/?token=%s" % KEY])
    assert KEY not in json.dumps(caught.value.argv) and "pa55word" not in json.dumps(caught.value.argv)


def test_an_echoed_stdin_secret_is_masked_even_without_a_known_shape(as_service_user):
    odd = "hunter2hunter2"
    module = FakeModule(lambda argv, data: (1, "", "key %s rejected" % odd))
    with pytest.raises(CliError) as caught:
        client(module).run(["models", "auth", "paste-token", "--provider", "x"], stdin=odd + "\n")
    assert odd not in json.dumps(caught.value.fail_kwargs())


@pytest.mark.parametrize("rc", [124, 137, -9])
def test_a_timeout_says_so(as_service_user, rc):
    module = FakeModule(lambda argv, data: (rc, "", ""))
    with pytest.raises(CliError) as caught:
        client(module, timeout=7).patch_config({"a": 1})
    assert caught.value.timed_out and "timed out after 7 s (cli_timeout) and was stopped" in caught.value.msg


def test_no_json_answer_is_an_error(as_service_user):
    module = FakeModule(lambda argv, data: (0, "Gateway not reachable\n", ""))
    with pytest.raises(CliError) as caught:
        client(module).json(["models", "status", "--json"])
    assert caught.value.msg == "openclaw models status failed (rc=0): no JSON object in its output"


def test_a_verdict_with_rc_1_is_an_answer_when_asked(as_service_user):
    module = FakeModule(lambda argv, data: (1, '{"valid": false, "issues": []}', ""))
    assert client(module).json(["config", "validate", "--json"], any_rc=True) == {"valid": False, "issues": []}
    with pytest.raises(CliError):
        client(module).json(["config", "validate", "--json"])


def test_a_command_that_cannot_start_is_a_result_not_a_crash(as_service_user):
    def boom(argv, data):
        raise OSError("No such file or directory: 'timeout'")
    result = client(FakeModule(boom)).call(["config", "validate", "--json"])
    assert result.rc == 127 and "No such file" in result.stderr


def test_a_hung_writer_is_stopped(tmp_path, monkeypatch):
    """The real thing: a CLI that ignores SIGTERM is killed KILL_AFTER_SECONDS later, and the error says it timed out."""
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() or 1000)
    hung = tmp_path / "openclaw"
    hung.write_text("#!/bin/sh\ntrap '' TERM\nread line\nsleep 60\n")
    hung.chmod(0o755)
    cli = OpenClawCli(RealModule(), str(hung), str(tmp_path / "openclaw.json"), 1)
    started = time.time()
    with pytest.raises(CliError) as caught:
        cli.patch_config({"a": 1})
    assert time.time() - started < 1 + _cli.KILL_AFTER_SECONDS + 5
    assert caught.value.rc == -9 and caught.value.timed_out  # SIGTERM ignored: killed after -k, timeout with it
    assert "timed out after 1 s (cli_timeout) and was stopped" in caught.value.msg


# --- finding the CLI -----------------------------------------------------------------------------

def make_cli(directory):
    directory.mkdir(parents=True, exist_ok=True)
    cli = directory / "openclaw"
    cli.write_text("#!/bin/sh\n")
    cli.chmod(0o755)
    return str(cli)


def test_npm_prefix_is_the_only_place_when_given(tmp_path):
    on_path = make_cli(tmp_path / "path")
    assert find_cli(npm_prefix=str(tmp_path / "prefix"), search_path=os.path.dirname(on_path)) == (
        None, [str(tmp_path / "prefix" / "bin" / "openclaw")])
    cli = make_cli(tmp_path / "prefix" / "bin")
    assert find_cli(npm_prefix=str(tmp_path / "prefix"))[0] == cli


def test_without_a_prefix_the_default_prefix_then_path(tmp_path, monkeypatch):
    monkeypatch.setattr(_cli, "DEFAULT_NPM_PREFIX", str(tmp_path / "default"))
    monkeypatch.setattr(_cli, "FALLBACK_BIN_DIRS", ())
    on_path = make_cli(tmp_path / "path")
    assert find_cli(search_path=os.path.dirname(on_path) + ":relative")[0] == on_path
    default = make_cli(tmp_path / "default" / "bin")
    found, places = find_cli(search_path=os.path.dirname(on_path))
    assert found == default and places == [default, on_path]


def test_a_non_executable_file_is_not_a_cli(tmp_path):
    cli = make_cli(tmp_path / "prefix" / "bin")
    os.chmod(cli, 0o644)
    if os.geteuid() != 0:  # root may execute any file with an x bit only
        assert find_cli(npm_prefix=str(tmp_path / "prefix"))[0] is None


def test_openclaw_bin_wins(tmp_path):
    make_cli(tmp_path / "prefix" / "bin")
    assert find_cli("/srv/openclaw", str(tmp_path / "prefix")) == ("/srv/openclaw", ["/srv/openclaw"])


def test_no_cli_fails_the_module_naming_where_it_looked(tmp_path):
    module = FakeModule(npm_prefix=str(tmp_path / "nothing"))
    with pytest.raises(SystemExit):
        OpenClawCli.from_params(module)
    assert str(tmp_path / "nothing" / "bin" / "openclaw") in module.failed["msg"] and "npm_prefix" in module.failed["msg"]


@pytest.mark.parametrize("params, message", [
    ({"cli_timeout": 0}, "cli_timeout must be between 1 and 3600, got 0"),
    ({"cli_timeout": float("nan")}, "cli_timeout must be between 1 and 3600"),
    ({"cli_timeout": 3601.0}, "cli_timeout must be between 1 and 3600"),
    ({"npm_prefix": "usr/local"}, "npm_prefix must be an absolute path"),
    ({"npm_prefix": "/usr/../etc"}, "npm_prefix must be an absolute path"),
    ({"npm_prefix": "/usr/local\n"}, "npm_prefix must be an absolute path"),
    ({"openclaw_bin": "./openclaw"}, "openclaw_bin must be an absolute path"),
])
def test_bad_options_are_refused(params, message):
    errors = cli_option_errors(params)
    assert len(errors) == 1 and message in errors[0]


def test_good_options_pass():
    assert cli_option_errors(dict(cli_timeout=30.0, npm_prefix="/opt/openclaw", openclaw_bin="/usr/local/bin/openclaw")) == []


# --- the config ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, fault", [
    (b'{"gateway": {"port": 18789,,}', "at line 1 column"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1]", "it holds a JSON array, not an object"),
    (b"null", "it holds a JSON null, not an object"),
])
def test_one_wording_for_a_config_that_cannot_be_parsed(raw, fault):
    with pytest.raises(ConfigReadError) as caught:
        parse_config(raw, "/home/openclaw/.openclaw/openclaw.json")
    assert fault in caught.value.fault and caught.value.reason.startswith("cannot be parsed: ")
    assert str(caught.value).startswith("OpenClaw config /home/openclaw/.openclaw/openclaw.json cannot be parsed: ")


def test_a_parse_error_never_quotes_the_text():
    with pytest.raises(ConfigReadError) as caught:
        parse_config('{gateway: {auth: {token: "%s" oops}}}' % KEY, "/x/openclaw.json")
    assert KEY not in str(caught.value)


def test_read_config(tmp_path):
    assert read_config(str(tmp_path / "missing.json")) == ({}, False)
    path = tmp_path / "openclaw.json"
    path.write_text("// JSON5\n{gateway: {mode: 'local'}}\n")
    assert read_config(str(path)) == ({"gateway": {"mode": "local"}}, True)
    path.write_text("  \n")
    assert read_config(str(path)) == ({}, True)
