# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The hold: a collection play that may stop or restart the gateway (site, upgrade, remediate, restore_backup)
writes it while it runs; the watchdog does not act and the backup job does not run while it is there.

One file, `{"by", "ttl_s", "taken"}`, root's, in a root-owned directory that everyone may read (the backup job
runs as the service user). It expires ttl_s after its mtime (the node's clock): a play that died holds the node
for ttl_s at most. Written by openclaw_hold, read by the watchdog and the backup job (here, one format)."""

import errno
import json
import os
import stat
import time

DEFAULT_PATH = "/run/clawops-openclaw/hold"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class HoldError(Exception):
    pass


def _open_parent(path, create):
    """fd of the hold's directory, opened from / without following a link; made (0755) when missing and create."""
    parts = [p for p in os.path.dirname(path).split("/") if p]
    if not os.path.isabs(path) or ".." in parts or not os.path.basename(path):
        raise HoldError("the hold must be an absolute file path, not %r" % path)
    fd = os.open("/", _DIR_FLAGS)
    try:
        for i, name in enumerate(parts):
            try:
                sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno != errno.ENOENT or not create or i != len(parts) - 1:
                    raise HoldError("%s cannot be opened without following a link: %s" % ("/" + "/".join(parts[:i + 1]), os.strerror(exc.errno)))
                os.mkdir(name, 0o755, dir_fd=fd)
                sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
                os.fchmod(sub, 0o755)
            os.close(fd)
            fd = sub
        st = os.fstat(fd)
        if st.st_uid != os.geteuid() or st.st_mode & 0o022:
            raise HoldError("%s must be a directory only its owner (uid %d) can write" % (os.path.dirname(path), os.geteuid()))
        return fd
    except BaseException:
        os.close(fd)
        raise


def take(path, by, ttl_s, now=None):
    """Write the hold (atomically: a new file renamed over the old one or a link there, which is never followed)."""
    data = (json.dumps({"by": by, "ttl_s": ttl_s, "taken": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}) + "\n").encode("utf-8")
    fd = _open_parent(path, create=True)
    name, tmp = os.path.basename(path), ".%s.%d" % (os.path.basename(path), os.getpid())
    try:
        out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o644, dir_fd=fd)
        try:
            os.fchmod(out, 0o644)
            os.write(out, data)
        finally:
            os.close(out)
        os.rename(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    finally:
        os.close(fd)


def release(path):
    """Remove the hold; True when there was one."""
    try:
        fd = _open_parent(path, create=False)
    except HoldError:
        if not os.path.lexists(os.path.dirname(path)):
            return False
        raise
    try:
        os.unlink(os.path.basename(path), dir_fd=fd)
        return True
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return False
        raise
    finally:
        os.close(fd)


def reason(path, now):
    """What holds the node ("<by> until <HH:MM:SSZ>"), None when nothing does. Only a regular file of root counts."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not (st.st_uid == 0 and stat.S_ISREG(st.st_mode)):
        return None
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read(4096).decode("utf-8", "replace") or "")
    except (OSError, ValueError):
        return None
    ttl = data.get("ttl_s") if isinstance(data, dict) else None
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or st.st_mtime + ttl <= now:
        return None
    return "%s until %s" % (str(data.get("by", "a collection play"))[:100], time.strftime("%H:%M:%SZ", time.gmtime(st.st_mtime + ttl)))
