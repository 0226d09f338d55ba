# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scheduled backups: the job run by clawops-openclaw-backup (against a stand-in CLI that answers like
`openclaw backup create --verify --json`), what root reads of the archive directory, staleness and metrics.
The molecule watchdog scenario runs the real timer with the real OpenClaw."""

import json
import os
import pwd
import re
import stat
import sys
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import _backup, _watchdog
from ansible_collections.clawops.openclaw.plugins.module_utils._backup import archive_status, overdue
from ansible_collections.clawops.openclaw.plugins.module_utils._watchdog import HEALTHY, load_settings, new_state, render_metrics

ROOT = os.geteuid() == 0
H = 3600.0
NOW = 1767225600.0

# Answers like OpenClaw 2026.9.6: writes the archive named by --output and says what it holds.
FAKE_CLI = r'''#!%s
import json, os, sys
args = sys.argv[1:]
if os.environ.get("FAKE_FAIL"):
    sys.stderr.write("Error: state database is locked\n")
    sys.exit(1)
assert args[:5] == ["backup", "create", "--verify", "--json", "--output"], args
with open(args[5], "wb") as handle:
    handle.write(b"\x1f\x8b archive of the state")
state = os.path.join(os.environ["HOME"], ".openclaw")
print("Backing up...")
print(json.dumps({"archivePath": args[5], "verified": True, "includeWorkspace": "--no-include-workspace" not in args,
                  "assets": [{"kind": "state", "sourcePath": state}]}))
''' % sys.executable


def release(tmp_path, version="2026.9.6"):
    releases = tmp_path / "releases"
    package = releases / version / "lib" / "node_modules" / "openclaw"
    (package / "dist").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "openclaw", "version": version}))
    (package / "dist" / "index.js").write_text("")
    cli = releases / version / "bin" / "openclaw"
    cli.parent.mkdir()
    cli.write_text(FAKE_CLI)
    cli.chmod(0o755)
    os.symlink(version, str(releases / "current"))
    return str(releases)


@pytest.fixture
def job(tmp_path, monkeypatch):
    """Settings of a node whose service user is 'openclaw' (this process poses as it), with an active release."""
    home = tmp_path / "home"
    (home / ".openclaw").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(_watchdog.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(_watchdog.pwd, "getpwuid", lambda uid: pwd.struct_passwd(("openclaw", "x", 1000, 1000, "", str(home), "/bin/sh")))
    stamps = iter("20261206T%02d0000Z" % hour for hour in range(24))
    monkeypatch.setattr(_backup, "utc_stamp", lambda now=None: next(stamps))
    return load_settings(dict(releases_dir=release(tmp_path), backup_dir=str(tmp_path / "backups" / "openclaw"), backup_keep=2,
                              hold_file=str(tmp_path / "hold")))


def test_a_scheduled_backup_writes_a_verified_private_archive_and_keeps_the_newest(job):
    results = [_watchdog.run_backup(job, NOW) for dummy in range(3)]
    assert [rc for rc, dummy, dummy in results] == [0, 0, 0], results
    names = sorted(os.listdir(job["backup_dir"]))
    assert names == ["openclaw-2026.9.6-20261206T010000Z.tar.gz", "openclaw-2026.9.6-20261206T020000Z.tar.gz"]
    assert "removed" in results[2][2] and "20261206T000000Z" in results[2][2]
    assert stat.S_IMODE(os.stat(job["backup_dir"]).st_mode) == 0o700
    assert all(stat.S_IMODE(os.stat(os.path.join(job["backup_dir"], n)).st_mode) == 0o600 for n in names)


def test_a_failed_backup_fails_the_unit_and_leaves_nothing(job, monkeypatch):
    monkeypatch.setenv("FAKE_FAIL", "1")
    rc, priority, message = _watchdog.run_backup(job, NOW)
    assert rc == 1 and priority == 3 and "state database is locked" in message, message
    assert os.listdir(job["backup_dir"]) == []


def test_a_held_node_skips_the_backup(job):
    if not ROOT:
        pytest.skip("the hold counts only as a file of root")
    with open(job["hold_file"], "w") as handle:
        json.dump(dict(by="upgrade.yml", ttl_s=600), handle)
    rc, dummy, message = _watchdog.run_backup(job, time.time())
    assert rc == 0 and "held by upgrade.yml" in message and not os.path.exists(job["backup_dir"])


def test_the_job_refuses_to_run_as_another_user_and_without_a_release(job, monkeypatch, tmp_path):
    rc, dummy, message = _watchdog.run_backup(dict(job, user="someone"), NOW)
    assert rc == 2 and "runs as the service user someone" in message
    rc, dummy, message = _watchdog.run_backup(dict(job, releases_dir=str(tmp_path / "none")), NOW)
    assert rc == 1 and "no active OpenClaw release" in message
    assert _watchdog.run_backup(dict(job, backup_dir=None), NOW)[0] == 0


@pytest.mark.parametrize("newest_age_h, since_h, stale", [
    (1, 100, False),      # written an hour ago
    (47, 100, False),     # late, inside two intervals
    (49, 100, True),      # older than two intervals
    (None, 1, False),     # none yet, the schedule was set an hour ago
    (None, 49, True),     # none in two intervals since the schedule was set
    (None, None, False),  # the settings' time is unknown: nothing to measure from
], ids=["fresh", "late", "stale", "none-yet", "never-written", "unknown-start"])
def test_overdue(newest_age_h, since_h, stale):
    status = dict(archives=0 if newest_age_h is None else 1, newest=None if newest_age_h is None else "openclaw-x.tar.gz",
                  newest_time=None if newest_age_h is None else NOW - newest_age_h * H, newest_bytes=None, total_bytes=0, error=None)
    why = overdue(status, 24 * H, None if since_h is None else NOW - since_h * H, NOW)
    assert (why is not None) is stale, why
    if stale:
        assert re.search(r"(49\.0 h old|for 49\.0 h)", why)


@pytest.mark.skipif(not ROOT, reason="ownership checks need root")
def test_root_counts_only_archives_of_the_user_and_follows_no_link(tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    for index, name in enumerate(["openclaw-2026.9.6-20261206T010000Z.tar.gz", "openclaw-2026.9.6-20261206T020000Z.tar.gz"]):
        (backups / name).write_bytes(b"x" * (10 + index))
        os.utime(str(backups / name), (NOW + index, NOW + index))
    (backups / "notes.txt").write_text("not an archive")
    os.symlink("/etc/shadow", str(backups / "openclaw-2026.9.6-20261206T030000Z.tar.gz"))     # planted: never counted
    (backups / "openclaw-2026.9.6-20261206T040000Z.tar.gz").write_bytes(b"other owner")
    os.chown(str(backups / "openclaw-2026.9.6-20261206T040000Z.tar.gz"), 65534, 65534)
    status = archive_status(str(backups), uid=0)
    assert status["archives"] == 2 and status["newest"] == "openclaw-2026.9.6-20261206T020000Z.tar.gz"
    assert status["newest_bytes"] == 11 and status["total_bytes"] == 21 and status["error"] is None
    # The directory itself swapped for a link: refused, not followed.
    os.symlink(str(backups), str(tmp_path / "link"))
    status = archive_status(str(tmp_path / "link"), uid=0)
    assert status["archives"] == 0 and "link" in status["error"]
    assert archive_status(str(backups), uid=65534)["error"]        # a directory of another owner: refused


def test_the_metrics_carry_the_backups():
    observation = dict(time=NOW, held=None, service={}, process={}, ready={}, problems=[dict(id="backup_stale", message="x")],
                       backups=dict(archives=3, newest="a", newest_time=NOW - 60, newest_bytes=2048, total_bytes=6000, error=None))
    text = render_metrics(observation, new_state(), load_settings(dict(backup_dir="/var/backups/x", backup_interval_h=6)), HEALTHY)
    assert "openclaw_backup_archives 3\n" in text and "openclaw_backup_last_size_bytes 2048\n" in text
    assert "openclaw_backup_last_timestamp_seconds %r\n" % round(NOW - 60, 6) in text
    assert "openclaw_backup_max_age_seconds 43200\n" in text and 'openclaw_finding{id="backup_stale"} 1' in text
    assert "openclaw_backup" not in render_metrics(dict(observation, backups=None), new_state(), load_settings({}), HEALTHY)
