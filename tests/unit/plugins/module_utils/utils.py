# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers the module_utils and module tests share: OpenClaw's per-agent session store."""

import json
import os
import sqlite3


def make_store(state_dir, agent, entries):
    """An agent store with OpenClaw's session_nodes layout (only the columns the reader uses)."""
    path = os.path.join(state_dir, "agents", agent, "agent")
    os.makedirs(path)
    conn = sqlite3.connect(os.path.join(path, "openclaw-agent.sqlite"))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, current_session_id TEXT, entry_json TEXT)")
    for key, entry in entries.items():
        conn.execute("INSERT INTO session_nodes VALUES (?, ?, ?)", (key, "id-" + key, entry if isinstance(entry, str) else json.dumps(entry)))
    conn.commit()
    return conn


AUTO = {"authProfileOverride": "fake:a", "authProfileOverrideSource": "auto", "authProfileOverrideCompactionCount": 0}
USER = {"authProfileOverride": "fake:b", "authProfileOverrideSource": "user"}
