# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gateway's logs of the last hours, for playbooks/collect_logs.yml (module openclaw_logs): the journal of its unit
(what the gateway printed and what its user manager said about it) and OpenClaw's own dated log files, every line
redacted. The files are the service user's: they are found by the facts' rules (a regular file directly in a real
/tmp/openclaw of the user or root) and read in a child running as that user."""

import datetime
import glob
import json
import os
import pwd
import re
import time

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_logs import LOG_DIR
from ansible_collections.clawops.openclaw.plugins.module_utils._common import redact_log
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Refused, confined, run_as


def journal_argv(uid, unit_name, hours, max_lines):
    """journalctl for the unit of the user manager of uid: its output (_SYSTEMD_USER_UNIT) or the manager's lines about
    it (USER_UNIT), the last `hours`, at most max_lines."""
    return ["journalctl", "--no-pager", "--quiet", "-o", "short-iso", "--since=-%dh" % hours, "-n", str(max_lines),
            "_UID=%d" % uid, "_SYSTEMD_USER_UNIT=%s" % unit_name, "+", "_SYSTEMD_UNIT=user@%d.service" % uid,
            "USER_UNIT=%s" % unit_name]


def log_files(user, profile, hours, now, log_dir=None):
    """OpenClaw's dated log files that may hold lines of the last `hours` (their date from the name), oldest first;
    only regular files of the user or root directly in a real log_dir (default LOG_DIR) of the user or root."""
    log_dir = log_dir or LOG_DIR
    owners = (0, user["uid"])
    try:
        st = os.lstat(log_dir)
    except OSError:
        return []
    if not (os.path.isdir(log_dir) and not os.path.islink(log_dir) and st.st_uid in owners):
        return []
    first_day = time.strftime("%Y-%m-%d", time.gmtime(now - hours * 3600 - 86400))
    dated = re.compile(r"openclaw-%s(\d{4}-\d{2}-\d{2})\.log\Z" % (re.escape(profile + "-") if profile else ""))
    out = []
    for path in sorted(glob.glob(os.path.join(log_dir, "openclaw-*.log"))):
        match = dated.match(os.path.basename(path))
        if match and match.group(1) >= first_day and confined(path, log_dir, uids=owners, trust_directory=False):
            out.append(path)
    return out


def tail_bytes(path, max_bytes):
    """The last max_bytes of a file (whole lines), read by the caller's uid."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - max_bytes))
        data = handle.read(max_bytes)
    if size > max_bytes:
        data = data.split(b"\n", 1)[-1]
    return data.decode("utf-8", "replace")


def since_filter(text, since):
    """Lines of an OpenClaw JSON log whose `time` is at or after `since` (epoch seconds); lines without one stay."""
    kept = []
    for line in text.splitlines():
        stamp = None
        if line.startswith("{"):
            try:
                stamp = json.loads(line).get("time")
            except ValueError:
                stamp = None
        try:
            when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")) if isinstance(stamp, str) else None
        except ValueError:
            when = None
        if when is not None and when.tzinfo is not None and when.timestamp() < since:
            continue
        kept.append(line)
    return "\n".join(kept) + ("\n" if kept else "")


def collect(commands, user, unit_name, profile, hours, max_bytes, now=None):
    """{name: redacted text} of the gateway's logs of the last `hours`: `journal.log` and each OpenClaw log file
    (at most max_bytes each, the newest end)."""
    now = time.time() if now is None else now
    out = {}
    rc, text, err = commands.run(journal_argv(user["uid"], unit_name, hours, 200000), timeout=120)
    journal = text if rc == 0 else "journalctl failed (rc %d): %s\n" % (rc, err.strip()[:300])
    out["journal.log"] = redact_log(journal.encode("utf-8")[-max_bytes:].decode("utf-8", "ignore"))
    gid = pwd.getpwnam(user["name"]).pw_gid
    for path in log_files(user, profile, hours, now):
        try:
            text = run_as(user["uid"], gid, tail_bytes, path, max_bytes)
        except Refused as exc:
            text = "not read: %s\n" % exc
        out[os.path.basename(path)] = redact_log(since_filter(text, now - hours * 3600))
    return out
