# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: the gateway's newest log file (the hung bundle tails it as root)."""

import glob
import os
import stat

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import confined

LOG_DIR = "/tmp/openclaw"  # OpenClaw's default log directory (any local user may create it first)


def collect_log_file(user, profile, log_dir=LOG_DIR):
    """(log_file fact: the newest log's path or None; Problems). Only a regular file (of the user or root) directly in a
    real log_dir owned by the user or root is returned.

    user: the service user or None; profile: the OpenClaw profile (its logs are named openclaw-PROFILE-DATE.log)."""
    problems = Problems()
    pattern = log_dir + "/openclaw-%s[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].log" % (profile + "-" if profile else "")
    files = sorted(glob.glob(pattern))
    newest = files[-1] if files else None
    owners = (0, user["uid"]) if user else (0,)
    if newest:
        try:
            st = os.lstat(log_dir)
            dir_ok = stat.S_ISDIR(st.st_mode) and st.st_uid in owners
        except OSError:
            dir_ok = False
        if not (dir_ok and confined(newest, log_dir, uids=owners, trust_directory=False)):
            problems.problem("log_file_unsafe", "log %s is a link, not a regular file, or in a directory of another user: "
                             "not read" % newest, path=newest)
            newest = None
    return newest, problems
