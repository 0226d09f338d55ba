# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Archives of the gateway's state written by OpenClaw's own `openclaw backup create --verify`.

One implementation for the module openclaw_backup (upgrades, rollbacks) and the watchdog role's scheduled backup
job (`clawops-openclaw-backup`, run by a root-owned timer as the service user). Standard library only.

write_archive() runs as the service user: the state and the archives are that user's. archive_status() is what root
(facts, the watchdog's metrics) reads of an archive directory: names and lstat only, no link followed, nothing opened.
"""

import os
import struct
import time

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import CliError, ConfigReadError, read_config
from ansible_collections.clawops.openclaw.plugins.module_utils._releases import VERSION_TEXT
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Dir, Refused, expired
from ansible_collections.clawops.openclaw.plugins.module_utils._upgrade import ARCHIVE_NAME, archive_name

STATE_DB = os.path.join("state", "openclaw.sqlite")
SQLITE_MAGIC = b"SQLite format 3\x00"
# How long one `openclaw backup create --verify` may take (a large workspace on a slow disk).
CREATE_TIMEOUT_S = 3000


class BackupError(Exception):
    """The archive could not be written; nothing was left behind. cli_error: the CLI call's CliError, when it failed."""

    def __init__(self, msg, cli_error=None):
        super().__init__(msg)
        self.msg, self.cli_error = msg, cli_error


def utc_stamp(now=None):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))


def state_marks(state_dir, config_path=None):
    """dict(config_written_by, state_schema, wal_pending) of a state directory (openclaw_backup's RETURN marks)."""
    marks = dict(config_written_by=None, state_schema=None, wal_pending=False)
    try:
        meta = read_config(config_path or os.path.join(state_dir, "openclaw.json"))[0].get("meta")
        touched = meta.get("lastTouchedVersion") if isinstance(meta, dict) else None
        if isinstance(touched, str) and VERSION_TEXT.fullmatch(touched):
            marks["config_written_by"] = touched
    except (ConfigReadError, OSError):
        pass  # a config OpenClaw itself cannot read: no mark (a restore then depends on the schema only)
    database = os.path.join(state_dir, STATE_DB)
    try:
        with open(database, "rb") as handle:
            header = handle.read(100)
        if len(header) == 100 and header.startswith(SQLITE_MAGIC):
            marks["state_schema"] = struct.unpack(">I", header[60:64])[0]
    except OSError:
        pass
    try:
        marks["wal_pending"] = os.stat(database + "-wal").st_size > 0
    except OSError:
        pass
    return marks


def discard(path):
    """Remove a file OpenClaw was asked to write (the name did not exist before)."""
    try:
        os.unlink(path)
    except OSError:
        pass


def inside(path, directory):
    path, directory = os.path.realpath(path), os.path.realpath(directory)
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def newest_first(names, pattern):
    """NAMES that match PATTERN, newest (by the UTC time in the name) first."""
    found = [(pattern.search(name), name) for name in names]
    return [name for match, name in sorted(((m, n) for m, n in found if m), key=lambda mn: (mn[0].group("stamp"), mn[1]), reverse=True)]


def beyond_keep(new, older, pattern, keep):
    """The collection's retention rule (_safefs.expired) with NEW counted as the newest whatever its time says (a clock
    set back must not push out what was just written): the entries of OLDER (names matching PATTERN) it removes."""
    entries = [(name, None) for name in [new] + newest_first(older, pattern)]
    return expired(entries, keep, 0, 0)


def write_archive(cli, state_dir, dest, version, include_workspace=True, keep=5):
    """`openclaw backup create --verify` of STATE_DIR into DEST (made 0700) as openclaw-<VERSION>-<UTC time>.tar.gz
    (0600), then the archives beyond the newest KEEP removed. Returns (archive, [pruned]); BackupError otherwise, with
    nothing written. cli: an _cli.OpenClawCli of release VERSION, run as the state's owner."""
    dest = os.path.normpath(dest)
    try:
        os.makedirs(dest, 0o700, exist_ok=True)
    except OSError:
        pass  # a file there, or no permission: refused below
    if os.path.islink(dest) or not os.path.isdir(dest):
        raise BackupError("%s is not a directory" % dest)
    os.chmod(dest, 0o700)
    archive = os.path.join(dest, archive_name(version, utc_stamp()))
    if os.path.lexists(archive):
        time.sleep(1)  # one per second: OpenClaw never overwrites, and the name carries the second
        archive = os.path.join(dest, archive_name(version, utc_stamp()))
    if os.path.lexists(archive):
        raise BackupError("%s exists already (an archive from the future?)" % archive)
    args = ["backup", "create", "--verify", "--json", "--output", archive]
    if not include_workspace:
        args.append("--no-include-workspace")
    try:
        answer = cli.json(args, what="openclaw backup create")
    except CliError as exc:
        discard(archive)
        raise BackupError("OpenClaw could not archive %s" % state_dir, exc)
    states = [a.get("sourcePath") for a in answer.get("assets") or [] if isinstance(a, dict) and a.get("kind") == "state"]
    if answer.get("archivePath") != archive or answer.get("verified") is not True or states != [state_dir]:
        discard(archive)
        raise BackupError("openclaw backup create answered with another archive than asked for (%s, verified %s, state %s): "
                          "%s is not a backup of %s" % (answer.get("archivePath"), answer.get("verified"), states, archive, state_dir))
    os.chmod(archive, 0o600)
    # The archive just written always stays (another may carry a later time: a clock set back).
    older = [n for n in os.listdir(dest) if n != os.path.basename(archive) and os.path.isfile(os.path.join(dest, n))]
    pruned = []
    for name in beyond_keep(os.path.basename(archive), older, ARCHIVE_NAME, keep):
        os.unlink(os.path.join(dest, name))
        pruned.append(os.path.join(dest, name))
    return archive, pruned


def archive_status(directory, uid=None):
    """What is in an archive directory, as root may read it: dict(archives, newest, newest_time, newest_bytes,
    total_bytes, error). Only regular files named like an archive (and owned by UID when given) count; the newest is
    the latest mtime. The directory is opened without following a link in it or on its way (_safefs.Dir)."""
    status = dict(archives=0, newest=None, newest_time=None, newest_bytes=None, total_bytes=0, error=None)
    try:
        with Dir(os.path.normpath(directory), uid=uid) as top:
            entries = top.entries(ARCHIVE_NAME)
    except (OSError, Refused) as exc:
        status["error"] = "%s: %s" % (directory, getattr(exc, "strerror", None) or exc)
        return status
    if entries:
        name, st = entries[0]
        status.update(newest=name, newest_time=st.st_mtime, newest_bytes=st.st_size)
    status.update(archives=len(entries), total_bytes=sum(st.st_size for dummy, st in entries))
    return status


def overdue(status, interval_s, scheduled_since, now):
    """Why the scheduled backups are stale (the finding backup_stale), None when they are not: the newest archive is
    older than two intervals, or there has been none for two intervals since the schedule was set (SCHEDULED_SINCE)."""
    allowed = 2 * interval_s
    if status["newest_time"] is not None:
        age = now - status["newest_time"]
        if age > allowed:
            return "the newest scheduled backup %s is %.1f h old (one is due every %.1f h)" % (status["newest"], age / 3600.0, interval_s / 3600.0)
        return None
    if scheduled_since is not None and now - scheduled_since > allowed:
        return "no scheduled backup in %s for %.1f h (one is due every %.1f h)%s" % (
            status.get("directory") or "the backup directory", (now - scheduled_since) / 3600.0, interval_s / 3600.0,
            ": %s" % status["error"] if status["error"] else "")
    return None
