# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Session auth pins, read from OpenClaw's per-agent SQLite store (read-only).

No RPC of OpenClaw 2026.9.6 exposes a session's auth pin (sessions.list/get/describe omit it), so
the pins are read from `session_nodes.entry_json` with a read-only connection that can neither
write nor create files. Changes go through the gateway (`sessions.reset`), never through SQLite.
"""

import errno
import glob
import json
import os

from urllib.parse import quote

try:
    import sqlite3
    HAS_SQLITE3 = True
except ImportError:  # pragma: no cover - Debian's python3 ships it
    HAS_SQLITE3 = False

from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Refused, confined, run_as

AGENT_DB = os.path.join("agents", "*", "agent", "openclaw-agent.sqlite")


def pin_source(entry):
    """OpenClaw's own rule: an explicit source wins; a compaction count marks an automatic pin."""
    if not str(entry.get("authProfileOverride") or "").strip():
        return None
    if entry.get("authProfileOverrideSource"):
        return entry["authProfileOverrideSource"]
    return "auto" if isinstance(entry.get("authProfileOverrideCompactionCount"), int) else "user"


def pins_from_rows(agent, rows):
    """[(session_key, entry_json)] -> pins, sorted by session key; malformed rows are skipped."""
    pins = []
    for key, raw in rows:
        try:
            entry = json.loads(raw)
        except (TypeError, ValueError):
            continue
        source = pin_source(entry) if isinstance(entry, dict) else None
        if source:
            pins.append(dict(agent=agent, session_key=key, profile_id=entry["authProfileOverride"].strip(), source=source))
    return sorted(pins, key=lambda pin: pin["session_key"])


def read_pins(state_dir, agent=None):
    """(pins, errors) for every agent under state_dir (or only `agent`), read with the state dir owner's rights.

    SQLite opens the store and its -wal/-shm files by path: run as root, a link planted between the checks
    below and the open would make root read (or, for -shm, write) elsewhere. As the owner it cannot."""
    try:
        st = os.lstat(state_dir)
    except OSError as exc:
        # No state dir yet: no sessions, nothing to report.
        return ([], []) if exc.errno == errno.ENOENT else ([], ["%s: %s" % (state_dir, exc.strerror)])
    try:
        pins, errors = run_as(st.st_uid, st.st_gid, _read_pins, state_dir, agent)
    except Refused as exc:
        return [], ["%s: %s" % (state_dir, exc)]
    return pins, errors


def _read_pins(state_dir, agent):
    pins, errors = [], []
    if not HAS_SQLITE3:
        return pins, ["python sqlite3 module missing on the node"]
    for path in sorted(glob.glob(os.path.join(state_dir, AGENT_DB))):
        agent_id = path.split(os.sep)[-3]
        if agent and agent_id != agent:
            continue
        # Only a regular file of the state dir's owner with no link on the way (a link would lead to
        # another database the owner can read; docs/security.md).
        if not confined(path, state_dir, uids=(os.stat(state_dir).st_uid,)):
            errors.append("%s: a link, not a regular file, or not the service user's: not read" % path)
            continue
        # Without a live WAL (gateway stopped) even a read-only connection would create the
        # -wal/-shm files, owned by whoever runs this; immutable reads the file as it is instead.
        live = os.path.exists(path + "-wal") and os.path.exists(path + "-shm")
        try:
            conn = sqlite3.connect("file:%s?mode=ro%s" % (quote(path), "" if live else "&immutable=1"), uri=True, timeout=2)
            try:
                rows = conn.execute("SELECT session_key, entry_json FROM session_nodes").fetchall()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            if "no such table" not in str(exc):
                errors.append("%s: %s" % (path, exc))
            continue
        pins.extend(pins_from_rows(agent_id, rows))
    return pins, errors


def automatic(pins):
    return [pin for pin in pins if pin["source"] == "auto"]


def stored_profile_ids(status):
    """Sorted ids of the agent's stored auth profiles, from `openclaw models status --json`: auth.oauth.profiles holds
    one health entry per credential in the store, of every type (OAuth, token, API key), whether usable or not."""
    items = (((status or {}).get("auth") or {}).get("oauth") or {}).get("profiles") or []
    return sorted(set(p["profileId"] for p in items if isinstance(p, dict) and isinstance(p.get("profileId"), str) and p["profileId"]))


def unusable_profiles(status):
    """Profiles in cooldown or disabled, from `openclaw models status --json` (labels left out: they hold key prefixes)."""
    items = ((status or {}).get("auth") or {}).get("unusableProfiles") or []
    return [dict(profile_id=u.get("profileId"), provider=u.get("provider"), kind=u.get("kind"), reason=u.get("reason"),
                 remaining_ms=u.get("remainingMs"), until=u.get("until"))
            for u in items if isinstance(u, dict) and u.get("profileId")]
