# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts

# `openclaw models status --json`: one health entry per stored credential, its labels hold key prefixes.
OAUTH = {"profiles": [{"profileId": "google:manual", "provider": "google", "type": "api_key", "status": "static", "source": "store"},
                      {"profileId": "google:primary", "provider": "google", "type": "token", "status": "ok", "source": "store"},
                      {"profileId": "openai:main", "provider": "openai", "type": "oauth", "status": "expired", "source": "store"}]}
STATUS = {"auth": {"unusableProfiles": [{"profileId": "google:primary", "provider": "google", "kind": "cooldown",
                                         "reason": "rate_limit", "remainingMs": 56000, "until": 1},
                                        ],
                   "oauth": OAUTH,
                   "providers": [{"profiles": {"labels": ["google:primary=sk-AAAA...0001 [cooldown 1m]"]}}]}}


class FakeModule:
    params = dict(user="openclaw", profile=None, timeout=1, cli_timeout=5, gather_auth=True)


def gatherer(tmp_path, config):
    g = openclaw_facts.Gatherer(FakeModule())
    g.user = dict(name="openclaw", uid=1000, home=str(tmp_path))
    g.facts = dict(installed=True, cli_path="/usr/local/bin/openclaw",
                   config=dict(path=str(tmp_path / ".openclaw" / "openclaw.json"), parse_ok=True))
    g.config_data = config
    g.calls = []
    g.cli_json = lambda argv: (g.calls.append(argv), (STATUS, None))[1]
    return g


def kinds(g):
    return sorted((d["kind"], d.get("profile_id") or d.get("provider") or d.get("path")) for d in g.facts["auth"]["drift"])


def test_auth_drift_is_reported_without_secrets(tmp_path):
    config = {"auth": {"profiles": {"google:primary": {}, "openai:main": {}, "openai:old": {}}, "order": {"google": ["google:primary"]}}}
    g = gatherer(tmp_path, config)
    g.gather_auth()
    assert kinds(g) == [("order_excludes_stored", "google"), ("profile_unusable", "google:primary"),
                        ("registered_not_stored", "openai:old"), ("stored_not_registered", "google:manual")]
    ids = sorted(p["id"] for p in g.problems)
    assert "auth_stored_not_registered" in ids and "auth_order_excludes_stored" in ids
    assert "sk-" not in json.dumps(g.facts) + json.dumps(g.problems)
    assert [p for p in g.problems if p["id"] == "auth_stored_not_registered"][0]["severity"] == "error"
    # Every type of stored credential counts, and the whole auth state costs one CLI start.
    assert g.facts["auth"]["stored"] == ["google:manual", "google:primary", "openai:main"]
    assert g.calls == [["models", "status", "--json"]]


def test_legacy_file_not_imported(tmp_path):
    agent_dir = tmp_path / ".openclaw" / "agents" / "main" / "agent"
    agent_dir.mkdir(parents=True)
    (agent_dir / "auth-profiles.json").write_text(json.dumps({"profiles": {"google:manual": {}, "google:third": {}}}))
    config = {"auth": {"profiles": {"google:primary": {}, "google:manual": {}, "openai:main": {}}}}
    g = gatherer(tmp_path, config)
    g.gather_auth()
    legacy = g.facts["auth"]["legacy_files"][0]
    assert legacy["not_imported"] == ["google:third"]
    assert ("legacy_not_imported", str(agent_dir / "auth-profiles.json")) in kinds(g)


def test_clean_state_reports_no_drift(tmp_path):
    config = {"auth": {"profiles": {"google:primary": {}, "google:manual": {}, "openai:main": {}}}}
    g = gatherer(tmp_path, config)
    g.cli_json = lambda argv: ({"auth": {"unusableProfiles": [], "oauth": OAUTH}}, None)
    g.gather_auth()
    assert g.facts["auth"]["drift"] == [] and g.problems == []
    assert g.facts["auth"]["stored"] == ["google:manual", "google:primary", "openai:main"]


def test_legacy_file_blocking_the_cli_is_an_error(tmp_path):
    agent_dir = tmp_path / ".openclaw" / "agents" / "main" / "agent"
    agent_dir.mkdir(parents=True)
    (agent_dir / "auth-profiles.json").write_text(json.dumps({"profiles": {"google:old": {}}}))
    g = gatherer(tmp_path, {})
    g.cli_json = lambda argv: (None, "Auth profile store ... requires legacy credential migration; run openclaw doctor --fix.")
    g.gather_auth()
    assert ("legacy_migration_required", None) in kinds(g) and ("legacy_not_imported", str(agent_dir / "auth-profiles.json")) in kinds(g)
    assert [p for p in g.problems if p["id"] == "auth_legacy_migration_required"][0]["severity"] == "error"


def test_automatic_pin_to_a_cooling_profile_is_drift_and_a_user_pin_is_not(tmp_path):
    from ansible_collections.clawops.openclaw.tests.unit.plugins.module_utils.utils import AUTO, USER, make_store
    make_store(str(tmp_path / ".openclaw"), "main", {
        "agent:main:tg-1": dict(AUTO, authProfileOverride="google:primary"),   # cooling down (STATUS)
        "agent:main:tg-2": dict(AUTO, authProfileOverride="google:manual"),    # healthy
        "agent:main:mine": dict(USER, authProfileOverride="google:primary"),   # the user's choice: kept
    }).close()
    config = {"auth": {"profiles": {"google:primary": {}, "google:manual": {}, "openai:main": {}}}}
    g = gatherer(tmp_path, config)
    g.gather_auth()
    pinned = [d for d in g.facts["auth"]["drift"] if d["kind"] == "session_pinned_to_unusable"]
    assert pinned == [dict(kind="session_pinned_to_unusable", profile_id="google:primary", session_key="agent:main:tg-1")]
    assert len(g.facts["auth"]["pins"]) == 3
    assert [p["severity"] for p in g.problems if p["id"] == "auth_session_pinned_to_unusable"] == ["warning"]
