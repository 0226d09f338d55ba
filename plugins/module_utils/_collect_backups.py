# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts and watchdog collector: the scheduled backups (the watchdog role's clawops-openclaw-backup.timer)
as root sees their directory, and the finding backup_stale."""

import os

from ansible_collections.clawops.openclaw.plugins.module_utils._backup import archive_status, overdue


def settings_written_at(settings_file):
    """When the role last wrote the watchdog's settings (root's file): the backup schedule is in force since then."""
    try:
        return os.lstat(settings_file).st_mtime
    except OSError:
        return None


def collect_backups(settings, uid, now, scheduled_since, problems):
    """The scheduled backups' directory (_backup.archive_status plus its path), None when the node has none;
    backup_stale when they are overdue (_backup.overdue). settings: the watchdog's (load_settings)."""
    if not settings["backup_dir"]:
        return None
    status = dict(archive_status(settings["backup_dir"], uid), directory=settings["backup_dir"])
    why = overdue(status, settings["backup_interval_h"] * 3600, scheduled_since, now)
    if why:
        problems.problem("backup_stale", why)
    return status
