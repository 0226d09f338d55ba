# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: the gateway's lock files, and which of them are stale."""

import glob
import json
import os

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_procfs import process_start_ticks
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import confined, is_inside, normalise_path, read_beneath, read_nofollow


def inspect_lock(path, text=None):
    """A gateway lock is JSON {pid, startTime, ...}; it is stale when the pid is gone or reused.

    text: the lock's content, read safely by the caller; without it the file is read without following a link."""
    lock = dict(path=path, pid=None, owner_alive=None, stale=False, port=None, config_path=None)
    if text is None:
        text = read_nofollow(path)[0]
    try:
        data = json.loads(text.strip()) if text and text.strip() else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int):
        lock["unreadable"] = True
        return lock
    lock.update(pid=data["pid"], port=data.get("port"), config_path=data.get("configPath"), created_at=data.get("createdAt"))
    ticks = process_start_ticks(data["pid"])
    alive = ticks is not None and (not isinstance(data.get("startTime"), int) or data["startTime"] == ticks)
    lock["owner_alive"] = alive
    lock["stale"] = not alive
    return lock


def collect_locks(user, config_path):
    """(locks fact; Problems). Only a confined lock (a regular file of the user, in /tmp/openclaw-UID/ or in the state
    dir's tmp/openclaw-UID/ when the state dir is in the home, no link on the way) is read; only one may be called stale.

    user: the service user or None (no locks then); config_path: the config fact's path (its directory is the state dir)."""
    problems = Problems()
    locks = []
    if user:
        uid, home = user["uid"], user["home"]
        state_dir = os.path.dirname(config_path or os.path.join(home, ".openclaw", "x"))
        tmp_dir = "/tmp/openclaw-%d" % uid
        # (lock directory, directory checked from, whether that one may itself be a link)
        places = [(os.path.join(state_dir, "tmp", "openclaw-%d" % uid), home, True), (tmp_dir, tmp_dir, False)]
        for lock_dir, base, trusted in places:
            for path in sorted(glob.glob(os.path.join(lock_dir, "*.lock"))):
                normal = normalise_path(path)
                ok = (normal is not None and is_inside(normal, lock_dir) and is_inside(normal, base)
                      and confined(normal, base, uids=(uid,), trust_directory=trusted))
                if not ok:
                    locks.append(dict(path=normal or path, pid=None, owner_alive=None, stale=False, port=None, config_path=None,
                                      confined=False))
                    problems.problem("lock_unsafe", "lock %s is not a regular file of %s in %s reached without a link: "
                                     "left alone" % (path, user["name"], lock_dir), path=path)
                    continue
                text, reason = read_beneath(normal, base, uids=(uid,), trust_directory=trusted)
                lock = inspect_lock(normal, text)
                lock["confined"] = reason is None
                lock["stale"] = lock["stale"] and lock["confined"]
                locks.append(lock)
    for lock in locks:
        if lock["stale"]:
            problems.problem("stale_lock", "lock %s belongs to pid %s, which is gone" % (lock["path"], lock["pid"]), path=lock["path"])
    return locks, problems
