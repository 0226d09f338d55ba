# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: the node-side watchdog as its root-only settings and state describe it."""

import json
import os

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_backups import collect_backups, settings_written_at
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_service import collect_user
from ansible_collections.clawops.openclaw.plugins.module_utils._common import read_text
from ansible_collections.clawops.openclaw.plugins.module_utils._watchdog import (
    SETTINGS_FILE, SettingsError, actions_in_window, load_settings, parse_state,
)


def _read_root_file(path, limit=1024 * 1024):
    """Text of a regular file of root (no link followed), None otherwise: the watchdog's files are root's."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if st.st_uid != 0 or (st.st_mode & 0o170000) != 0o100000:
        return None
    return read_text(path, limit=limit)


def collect_watchdog(now, settings_file=SETTINGS_FILE):
    """(the openclaw_facts `watchdog` fact; Problems): whether the watchdog is installed, what it last decided, its
    scheduled backups, and the findings watchdog_gave_up (its restart budget is spent), watchdog_stale (it has not
    checked for a while) and backup_stale (no scheduled backup for two intervals)."""
    problems = Problems()
    fact = dict(installed=False, last_check=None, last_verdict=None, last_reason=None, gave_up=False, gave_up_since=None,
                restarts_in_window=0, restarts_total={}, backups=None)
    text = _read_root_file(settings_file, 65536)
    if text is None:
        return fact, problems
    try:
        settings = load_settings(json.loads(text))
    except (SettingsError, ValueError) as exc:
        problems.problem("watchdog_stale", "the watchdog's settings %s are refused (%s): it checks nothing" % (settings_file, exc))
        return dict(fact, installed=True), problems
    user = collect_user(settings["user"])[0]
    if user is not None:
        backups = collect_backups(settings, user["uid"], now, settings_written_at(settings_file), problems)
        if backups is not None:
            fact["backups"] = dict(backups, interval_h=settings["backup_interval_h"], keep=settings["backup_keep"],
                                   newest_age_s=None if backups["newest_time"] is None else round(now - backups["newest_time"], 1))
    state = parse_state(_read_root_file(settings["state_file"]))
    fact.update(installed=True, last_check=state["last_check"], last_verdict=state["last_verdict"], last_reason=state["last_reason"],
                gave_up=state["gave_up"], gave_up_since=state["gave_up_since"],
                restarts_in_window=len(actions_in_window(state, now, settings["budget_window_s"])), restarts_total=state["totals"])
    if state["gave_up"]:
        window = settings["budget_window_s"]
        problems.problem("watchdog_gave_up", "the watchdog restarted the gateway %d times within %d s and gave up (last reason: %s); "
                         "it acts again once the oldest restart is %d s old" % (fact["restarts_in_window"], window, state["last_reason"], window))
    stale_after = settings["interval_s"] * 4 + 60
    if state["last_check"] is None or now - state["last_check"] > stale_after:
        problems.problem("watchdog_stale", "the watchdog %s (its timer should check every %d s)"
                         % ("has never checked the gateway" if state["last_check"] is None
                            else "last checked the gateway %d s ago" % (now - state["last_check"]), settings["interval_s"]))
    return fact, problems
