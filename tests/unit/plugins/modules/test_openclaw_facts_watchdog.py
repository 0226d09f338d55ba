# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts' `watchdog` fact and its findings, from the watchdog's root-only settings and state."""

import json
import os
import pwd
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._watchdog import new_state
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts
from ansible_collections.clawops.openclaw.plugins.modules.openclaw_facts import Gatherer

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the watchdog's files count only as root's")


class _Module:
    params = dict(user="openclaw", profile=None, timeout=1.0)


def gather(tmp_path, monkeypatch, settings, state=None):
    settings_file = tmp_path / "watchdog.json"
    if settings is not None:
        settings_file.write_text(json.dumps(dict(settings, state_file=str(tmp_path / "state.json"))))
    if state is not None:
        (tmp_path / "state.json").write_text(json.dumps(state))
    monkeypatch.setattr(openclaw_facts, "WATCHDOG_SETTINGS_FILE", str(settings_file))
    g = Gatherer(_Module())
    g.gather_watchdog()
    return g.facts["watchdog"], [p["id"] for p in g.problems]


NOW = time.time()


@pytest.mark.parametrize("settings, state, expected, installed", [
    (None, None, [], False),                                                                  # not installed: nothing to say
    ({}, dict(new_state(), last_check=NOW - 5, last_verdict="healthy"), [], True),
    ({}, dict(new_state(), last_check=NOW - 5, gave_up=True, gave_up_since=NOW - 60, last_reason="hung",
              actions=[dict(time=NOW - 100 * i, reason="hung") for i in range(3)], totals={"hung": 3}),
     ["watchdog_gave_up"], True),
    ({"interval_s": 15}, dict(new_state(), last_check=NOW - 600), ["watchdog_stale"], True),   # its timer stopped
    ({}, None, ["watchdog_stale"], True),                                                    # installed, never ran
    ({"interval_s": "often"}, None, ["watchdog_stale"], True),                               # settings it refuses
], ids=["not-installed", "healthy", "gave-up", "stale", "never-ran", "bad-settings"])
def test_the_watchdog_fact(tmp_path, monkeypatch, settings, state, expected, installed):
    fact, ids = gather(tmp_path, monkeypatch, settings, state)
    assert ids == expected and fact["installed"] is installed
    if "watchdog_gave_up" in expected:
        assert fact["gave_up"] and fact["restarts_in_window"] == 3 and fact["restarts_total"] == {"hung": 3}


def test_a_state_file_of_another_user_is_not_read(tmp_path, monkeypatch):
    """The state lives in a root-only directory; a file there owned by anyone else is not the watchdog's."""
    state = dict(new_state(), last_check=NOW, gave_up=True)
    (tmp_path / "state.json").write_text(json.dumps(state))
    os.chown(str(tmp_path / "state.json"), 65534, 65534)
    fact, ids = gather(tmp_path, monkeypatch, {})
    assert not fact["gave_up"] and ids == ["watchdog_stale"]


def _backup_settings(tmp_path, archive_age_h, settings_age_h):
    """Settings of scheduled backups every 24 h for this process's user; an archive ARCHIVE_AGE_H old (None: none)."""
    backups = tmp_path / "backups"
    backups.mkdir()
    if archive_age_h is not None:
        archive = backups / "openclaw-2026.9.6-20261206T000000Z.tar.gz"
        archive.write_bytes(b"archive")
        os.utime(str(archive), (NOW - archive_age_h * 3600, NOW - archive_age_h * 3600))
    return dict(user=pwd.getpwuid(os.geteuid()).pw_name, backup_dir=str(backups), backup_interval_h=24), settings_age_h


@pytest.mark.parametrize("archive_age_h, settings_age_h, stale", [
    (2, 100, False), (50, 100, True), (None, 2, False), (None, 50, True),
], ids=["fresh", "stale", "none-yet", "never-written"])
def test_the_backup_fact(tmp_path, monkeypatch, archive_age_h, settings_age_h, stale):
    settings, settings_age_h = _backup_settings(tmp_path, archive_age_h, settings_age_h)
    state = dict(new_state(), last_check=NOW - 5, last_verdict="healthy")
    (tmp_path / "state.json").write_text(json.dumps(state))
    settings_file = tmp_path / "watchdog.json"
    settings_file.write_text(json.dumps(dict(settings, state_file=str(tmp_path / "state.json"))))
    os.utime(str(settings_file), (NOW - settings_age_h * 3600, NOW - settings_age_h * 3600))
    monkeypatch.setattr(openclaw_facts, "WATCHDOG_SETTINGS_FILE", str(settings_file))
    g = Gatherer(_Module())
    g.gather_watchdog()
    fact, ids = g.facts["watchdog"], [p["id"] for p in g.problems]
    assert ids == (["backup_stale"] if stale else []), g.problems
    backups = fact["backups"]
    assert backups["archives"] == (0 if archive_age_h is None else 1) and backups["interval_h"] == 24 and backups["keep"] == 7
    assert (backups["newest_age_s"] is None) is (archive_age_h is None)
