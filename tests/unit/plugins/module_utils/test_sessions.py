# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import sqlite3
import tempfile

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import _safefs, _sessions
from ansible_collections.clawops.openclaw.tests.unit.plugins.module_utils.utils import AUTO, USER, make_store


def test_pin_source_follows_openclaws_provenance_rule():
    assert _sessions.pin_source({}) is None
    assert _sessions.pin_source({"authProfileOverride": "  "}) is None
    assert _sessions.pin_source(AUTO) == "auto"
    assert _sessions.pin_source(USER) == "user"
    # Older rows without a source: a compaction count marks an automatic pin, otherwise it is the user's.
    assert _sessions.pin_source({"authProfileOverride": "x:y", "authProfileOverrideCompactionCount": 3}) == "auto"
    assert _sessions.pin_source({"authProfileOverride": "x:y"}) == "user"
    assert _sessions.pin_source({"authProfileOverride": "x:y", "authProfileOverrideSource": "user-link"}) == "user-link"


def test_read_pins_across_agents_skipping_malformed_rows(tmp_path):
    keep = make_store(str(tmp_path), "main", {"agent:main:b": AUTO, "agent:main:a": USER, "agent:main:none": {}, "agent:main:bad": "{oops"})
    make_store(str(tmp_path), "ops", {"agent:ops:x": dict(AUTO, authProfileOverride="openai:k")}).close()
    pins, errors = _sessions.read_pins(str(tmp_path))
    assert errors == []
    assert pins == [
        dict(agent="main", session_key="agent:main:a", profile_id="fake:b", source="user"),
        dict(agent="main", session_key="agent:main:b", profile_id="fake:a", source="auto"),
        dict(agent="ops", session_key="agent:ops:x", profile_id="openai:k", source="auto"),
    ]
    assert [p["session_key"] for p in _sessions.automatic(pins)] == ["agent:main:b", "agent:ops:x"]
    assert [p["agent"] for p in _sessions.read_pins(str(tmp_path), agent="ops")[0]] == ["ops"]
    keep.close()


def test_read_pins_never_creates_files_nor_changes_the_database(tmp_path):
    """Gateway stopped (no -wal/-shm) and running (a writer holds the WAL open)."""
    agent_dir = tmp_path / "agents" / "main" / "agent"
    db = agent_dir / "openclaw-agent.sqlite"
    make_store(str(tmp_path), "main", {"agent:main:b": AUTO}).close()
    before = (sorted(p.name for p in agent_dir.iterdir()), db.read_bytes())
    assert len(_sessions.read_pins(str(tmp_path))[0]) == 1
    assert (sorted(p.name for p in agent_dir.iterdir()), db.read_bytes()) == before
    writer = sqlite3.connect(str(db))
    writer.execute("UPDATE session_nodes SET entry_json=? WHERE session_key='agent:main:b'", (json.dumps(USER),))
    writer.commit()
    names, content = sorted(p.name for p in agent_dir.iterdir()), db.read_bytes()
    assert _sessions.read_pins(str(tmp_path))[0][0]["source"] == "user"  # sees the committed WAL content
    assert (sorted(p.name for p in agent_dir.iterdir()), db.read_bytes()) == (names, content)
    writer.close()


def test_store_without_sessions_table_is_empty_and_a_broken_store_is_an_error(tmp_path):
    path = tmp_path / "agents" / "main" / "agent"
    path.mkdir(parents=True)
    sqlite3.connect(str(path / "openclaw-agent.sqlite")).close()
    assert _sessions.read_pins(str(tmp_path)) == ([], [])
    (path / "openclaw-agent.sqlite").write_bytes(b"not a database at all" * 100)
    pins, errors = _sessions.read_pins(str(tmp_path))
    assert pins == [] and len(errors) == 1 and "openclaw-agent.sqlite" in errors[0]


def test_unusable_profiles_leave_out_labels_with_key_prefixes():
    status = {"auth": {"unusableProfiles": [
        {"profileId": "fake:a", "provider": "fake", "kind": "cooldown", "reason": "rate_limit", "remainingMs": 29000,
         "until": 1, "label": "fake:a (sk-abc…)"},
        "junk", {"provider": "no-id"}]}}
    assert _sessions.unusable_profiles(status) == [
        dict(profile_id="fake:a", provider="fake", kind="cooldown", reason="rate_limit", remaining_ms=29000, until=1)]
    assert _sessions.unusable_profiles(None) == [] and _sessions.unusable_profiles({"auth": None}) == []


def test_a_store_reached_through_a_link_is_not_read(tmp_path):
    """The agent directory or the store itself replaced by a link (to another database): reported, not read."""
    state, elsewhere = tmp_path / "state", tmp_path / "elsewhere"
    state.mkdir()
    make_store(str(elsewhere), "main", {"agent:main:b": AUTO}).close()
    os.makedirs(str(state / "agents" / "linked"))
    os.symlink(str(elsewhere / "agents" / "main" / "agent"), str(state / "agents" / "linked" / "agent"))
    os.makedirs(str(state / "agents" / "direct" / "agent"))
    os.symlink(str(elsewhere / "agents" / "main" / "agent" / "openclaw-agent.sqlite"),
               str(state / "agents" / "direct" / "agent" / "openclaw-agent.sqlite"))
    pins, errors = _sessions.read_pins(str(state))
    assert pins == []
    assert len(errors) == 2 and all("not read" in e for e in errors), errors


NOBODY = 65534
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="dropping to the store owner's uid needs root")


@pytest.fixture
def owned_state():
    """A state dir owned by another user (nobody), on a path that user can traverse."""
    base = tempfile.mkdtemp(prefix="clawops-pins-")
    os.chmod(base, 0o755)
    state = os.path.join(base, "state")
    make_store(state, "main", {"agent:main:b": AUTO}).close()
    for directory, dirs, files in os.walk(state):
        for name in [directory] + [os.path.join(directory, f) for f in files]:
            os.chown(name, NOBODY, NOBODY)
    yield base, state
    shutil.rmtree(base)


@needs_root
def test_root_reads_the_store_with_the_owners_rights(owned_state, monkeypatch):
    base, state = owned_state
    seen = []
    real = _sessions._read_pins
    monkeypatch.setattr(_sessions, "_read_pins", lambda *a: seen.append(os.geteuid()) or real(*a))
    pins, errors = _sessions.read_pins(state)
    assert errors == [] and [p["session_key"] for p in pins] == ["agent:main:b"]
    assert seen == []  # the read ran in the child, as nobody: this process's list stayed empty
    assert _safefs.run_as(NOBODY, NOBODY, os.geteuid) == NOBODY


@needs_root
def test_a_link_swapped_in_after_the_check_leads_nowhere_root_could_read(owned_state, monkeypatch):
    """The race the lstat checks cannot close: the store becomes a link to a root-only database between the
    check and SQLite's open. Opened as the owner, the root-only database stays unread."""
    base, state = owned_state
    secret = os.path.join(base, "root-only")
    make_store(secret, "main", {"agent:main:root": dict(AUTO, authProfileOverride="root:only")}).close()
    os.chmod(secret, 0o700)
    store = os.path.join(state, "agents", "main", "agent", "openclaw-agent.sqlite")
    os.unlink(store)
    os.symlink(os.path.join(secret, "agents", "main", "agent", "openclaw-agent.sqlite"), store)
    monkeypatch.setattr(_sessions, "confined", lambda *a, **k: True)  # the check saw the regular file
    pins, errors = _sessions.read_pins(state)
    assert pins == [] and len(errors) == 1 and "unable to open database" in errors[0], errors
    # The same read in root's own process (what the code did before) gets the root-only rows.
    assert [p["profile_id"] for p in _sessions._read_pins(state, None)[0]] == ["root:only"]


def test_run_as_reports_the_childs_exception(monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("needs root")
    with pytest.raises(_safefs.Refused, match="ValueError: boom"):
        _safefs.run_as(NOBODY, NOBODY, _raise_value_error)


def _raise_value_error():
    raise ValueError("boom")


def test_stored_profile_ids_come_from_the_status_health_entries():
    status = {"auth": {"oauth": {"profiles": [{"profileId": "openai:b", "type": "oauth"}, {"profileId": "openai:a", "type": "api_key"},
                                              {"profileId": "openai:a"}, {"profileId": ""}, {"provider": "x"}, "junk"]}}}
    assert _sessions.stored_profile_ids(status) == ["openai:a", "openai:b"]
    assert _sessions.stored_profile_ids(None) == [] and _sessions.stored_profile_ids({"auth": {"oauth": None}}) == []
