# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_session_pins
from ansible_collections.clawops.openclaw.tests.unit.plugins.module_utils.utils import AUTO, USER, make_store
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    openclaw_argv, run_main,
)


class FakeGateway:
    """`openclaw gateway call sessions.reset` as 2026.9.6 behaves: clears automatic pins, keeps user pins."""

    def __init__(self, conn, unusable=(), running=True, sticky=False):
        self.conn, self.unusable, self.running, self.sticky = conn, list(unusable), running, sticky
        self.calls = []

    def __call__(self, argv, **kwargs):
        self.calls.append(list(argv))
        argv = openclaw_argv(argv)
        if argv[1:4] == ["models", "status", "--json"]:
            return 0, json.dumps({"auth": {"unusableProfiles": [{"profileId": p, "kind": "cooldown"} for p in self.unusable]}}), ""
        if argv[1:4] == ["gateway", "call", "sessions.reset"]:
            if not self.running:
                return 1, "", "gateway closed (1006): connect ECONNREFUSED 127.0.0.1:18789"
            key = json.loads(argv[argv.index("--params") + 1])["key"]
            entry = json.loads(self.conn.execute("SELECT entry_json FROM session_nodes WHERE session_key=?", (key,)).fetchone()[0])
            if entry.get("authProfileOverrideSource") == "auto" and not self.sticky:
                for field in ("authProfileOverride", "authProfileOverrideSource", "authProfileOverrideCompactionCount"):
                    entry.pop(field, None)
            self.conn.execute("UPDATE session_nodes SET entry_json=? WHERE session_key=?", (json.dumps(entry), key))
            self.conn.commit()
            return 0, json.dumps({"ok": True, "key": key, "entry": entry}), ""
        raise AssertionError("unexpected call %r" % (argv,))

    def resets(self):
        return [json.loads(c[c.index("--params") + 1])["key"] for c in self.calls if "sessions.reset" in c]


@pytest.fixture
def store(tmp_path):
    conn = make_store(str(tmp_path), "main", {
        "agent:main:tg-1": AUTO,
        "agent:main:tg-2": dict(AUTO, authProfileOverride="fake:b"),
        "agent:main:mine": dict(USER, authProfileOverride="fake:a"),
        "agent:main:fresh": {},
    })
    yield conn
    conn.close()


def run(tmp_path, gateway, check=False, diff=False, **args):
    return run_main(openclaw_session_pins.main, gateway, tmp_path, check=check, diff=diff, **args)


def test_reset_args_pass_the_key_as_json_not_as_an_option():
    args = openclaw_session_pins.reset_args("--token=x", 30)
    assert args == ["gateway", "call", "sessions.reset", "--params", '{"key": "--token=x"}', "--json", "--timeout", "30000"]


def test_resets_automatic_pins_to_the_profiles_asked_and_keeps_user_pins(tmp_path, store):
    gateway = FakeGateway(store)
    result = run(tmp_path, gateway, profile_ids=["fake:a"], diff=True)
    assert result["changed"] is True
    assert [p["session_key"] for p in result["reset"]] == ["agent:main:tg-1"]
    assert [p["session_key"] for p in result["kept"]] == ["agent:main:mine"]
    assert gateway.resets() == ["agent:main:tg-1"]
    assert "-agent:main:tg-1  fake:a  (auto)" in "".join(
        line for line in __import__("difflib").unified_diff(result["diff"]["before"].splitlines(True), result["diff"]["after"].splitlines(True)))
    again = FakeGateway(store)
    assert run(tmp_path, again, profile_ids=["fake:a"])["changed"] is False and again.calls == []


def test_without_filter_every_automatic_pin_is_reset(tmp_path, store):
    gateway = FakeGateway(store)
    assert run(tmp_path, gateway)["changed"] is True
    assert gateway.resets() == ["agent:main:tg-1", "agent:main:tg-2"]


def test_unusable_only_asks_openclaw_which_profiles_cool_down(tmp_path, store):
    gateway = FakeGateway(store, unusable=["fake:b"])
    result = run(tmp_path, gateway, unusable_only=True)
    assert [p["profile_id"] for p in result["reset"]] == ["fake:b"]
    assert gateway.resets() == ["agent:main:tg-2"]


def test_check_mode_reports_without_calling_the_gateway(tmp_path, store):
    gateway = FakeGateway(store)
    result = run(tmp_path, gateway, check=True)
    assert result["changed"] is True and len(result["reset"]) == 2 and gateway.resets() == []


def test_gateway_down_fails_clearly_and_changes_nothing(tmp_path, store):
    gateway = FakeGateway(store, running=False)
    result = run(tmp_path, gateway)
    assert result["failed"] is True and "sessions.reset of agent:main:tg-1 failed" in result["msg"]
    assert "ECONNREFUSED" in result["msg"]


def test_a_pin_the_gateway_did_not_clear_is_a_failure(tmp_path, store):
    result = run(tmp_path, FakeGateway(store, sticky=True), profile_ids=["fake:b"])
    assert result["failed"] is True and "kept the automatic pin of agent:main:tg-2" in result["msg"]


def test_nonpositive_timeout_refused(tmp_path, store):
    result = run(tmp_path, FakeGateway(store), cli_timeout=0)
    assert result["failed"] is True and "cli_timeout must be between 1 and 3600, got 0" in result["msg"]


@pytest.mark.parametrize("args, message", [
    ({"cli_timeout": float("nan")}, "cli_timeout must be between 1 and 3600"),
    ({"cli_timeout": -5}, "cli_timeout must be between 1 and 3600"),
    ({"cli_timeout": 3601}, "cli_timeout must be between 1 and 3600"),
    ({"npm_prefix": "usr/local"}, "npm_prefix must be an absolute path"),
    ({"openclaw_bin": "/opt/../bin/openclaw"}, "openclaw_bin must be an absolute path"),
    ({"agent": "--yes"}, "agent must be an agent id"),
    ({"profile_ids": ["openai:a\n"]}, "profile_ids[0] contains a control character"),
    ({"profile_ids": ["openai"]}, "profile_ids[0] must be provider:name"),
])
def test_hostile_options_refused(tmp_path, store, args, message):
    result = run(tmp_path, FakeGateway(store), **args)
    assert result["failed"] is True and message in result["msg"]
