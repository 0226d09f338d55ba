# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every openclaw_facts collector shares: the findings it raises, the service user's files read
as root, and the commands it runs (systemctl, node).

A collector is a function of declared inputs that returns its facts and a Problems list. The facts
module reports the problems in order through one path (Gatherer.problem), which attaches the finding
registry's fields: collectors never pick a severity.

`user` is the service user as a collector needs it: dict(name, uid, home, groups), or None when the
user does not exist.
"""

import os
import stat

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import bounded
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import is_inside, normalise_path, read_beneath, read_nofollow


class Problems(list):
    """Findings in the order they were raised: (problem_id, message, extra fields)."""

    def problem(self, problem_id, message, **extra):
        self.append((problem_id, message, extra))


def read_user(user, path, limit=1024 * 1024):
    """(text, reason, confined) of a file whose path the service user controls, read as root.

    Inside the user's home: opened with no link followed from the home down, regular files only
    (confined). Elsewhere (a path named in a unit, say): the final component must not be a link, the
    file must be regular and readable by the user as systemd would read it, and it is never confined.
    reason is None, 'missing' or why the file was refused."""
    normal = normalise_path(path)
    if normal is None:
        return None, "is not an absolute path", False
    home = user["home"] if user else None
    if home and is_inside(normal, home):
        text, reason = read_beneath(normal, home, limit)
        return text, reason, reason is None
    text, reason = read_nofollow(normal, limit)
    if reason is None and user and not user_may_read(user, normal):
        text, reason = None, "is not readable by %s" % user["name"]
    return text, reason, False


def user_may_read(user, path):
    """The permission bits as the kernel checks them for the service user (no ACLs)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    uid = user["uid"]
    if uid == 0:
        return True
    if st.st_uid == uid:
        return bool(st.st_mode & stat.S_IRUSR)
    if st.st_gid in user.get("groups", ()):
        return bool(st.st_mode & stat.S_IRGRP)
    return bool(st.st_mode & stat.S_IROTH)


def unsafe_file(problems, path, reason):
    """A file the service user controls that root refused to read; it is reported, never touched."""
    if reason and reason != "missing":
        problems.problem("user_file_unsafe", "%s %s: not read as root and left alone" % (path, reason), path=path, reason=reason)


def read_reported(user, path, problems, limit=1024 * 1024):
    """read_user, with a refusal reported as user_file_unsafe: (text, confined)."""
    text, reason, inside = read_user(user, path, limit)
    unsafe_file(problems, path, reason)
    return text, inside


def show_properties(out):
    """{property: value} of `systemctl show` output."""
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


class Commands:
    """Commands other than the OpenClaw CLI (which goes through _cli.OpenClawCli): C locale, no pager, no colour,
    each bounded by `timeout` seconds (coreutils timeout)."""

    def __init__(self, module, timeout):
        self.module = module
        self.timeout = timeout

    def run(self, argv, env=None, timeout=None):
        """(rc, stdout, stderr); a command that cannot start is rc 127."""
        environ = {"LC_ALL": "C", "NO_COLOR": "1", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
        environ.update(env or {})
        try:
            return self.module.run_command(bounded(argv, timeout or self.timeout), environ_update=environ)
        except Exception as exc:  # pylint: disable=broad-except
            return 127, "", str(exc)

    def systemctl_user(self, user, *args):
        """systemctl --user of the service user: through its manager as root, else on its runtime dir."""
        if os.geteuid() == 0 and user["uid"] != 0:
            return self.run(["systemctl", "--user", "--machine=%s@" % user["name"]] + list(args))
        return self.run(["systemctl", "--user"] + list(args), env={"XDG_RUNTIME_DIR": "/run/user/%d" % user["uid"]})

    def system_unit(self, unit):
        """The state of a system unit; every field None when systemctl does not answer."""
        rc, out, dummy = self.run(["systemctl", "show", unit, "--property=LoadState,ActiveState,SubState,UnitFileState"])
        props = show_properties(out) if rc == 0 else {}
        return dict(unit=unit, load_state=props.get("LoadState"), active_state=props.get("ActiveState"),
                    sub_state=props.get("SubState"), unit_file_state=props.get("UnitFileState"))
