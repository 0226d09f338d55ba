# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an upgrade of one node does (private API): the plan from the node's facts, and the names of the archives
taken before a switch. Standard library only."""

import re

from ansible_collections.clawops.openclaw.plugins.module_utils._releases import VERSION_TEXT, is_version, version_key

# openclaw_backup names each archive after the release that wrote it; a downgrade looks for the newest one of its target.
ARCHIVE_NAME = re.compile(r"\Aopenclaw-(?P<version>%s)-(?P<stamp>\d{8}T\d{6}Z)\.tar\.gz\Z" % VERSION_TEXT.pattern)

# Plan actions.
NOTHING = "nothing"        # the node runs the target and is ready
UPGRADE = "upgrade"        # switch forward; the config and state go along (the new release migrates them)
DOWNGRADE = "downgrade"    # switch back to a release that can read the config and state as they are
RESTORE = "downgrade_restore"  # switch back and restore the archive that release wrote before the upgrade
REFUSE = "refuse"


def archive_name(version, stamp):
    return "openclaw-%s-%s.tar.gz" % (version, stamp)


def newest_archive(names, version):
    """The newest of NAMES (archive file names) written by VERSION, or None."""
    mine = [(m.group("stamp"), name) for m, name in ((ARCHIVE_NAME.fullmatch(n), n) for n in names or []) if m and m.group("version") == version]
    return max(mine)[1] if mine else None


def plan(facts, to, restore_backup=False, archives=None):
    """dict(action, from_version, to, reason, archive) for a node whose openclaw facts are FACTS, asked to run TO.

    restore_backup: the operator's consent to restore, on a downgrade, the archive TO wrote before the upgrade (the
    newest of ARCHIVES, file names of the node's backup directory). The running release counts, not the one on disk:
    a gateway that was switched but not restarted still serves the old code."""
    release = facts.get("release") or {}
    config = facts.get("config") or {}
    ready = (facts.get("ready") or {}).get("ok") is True
    current = release.get("running") or release.get("active") or facts.get("version")
    result = dict(action=REFUSE, from_version=current, to=to, reason=None, archive=None)
    if not is_version(to):
        result["reason"] = "the target %r is not a whole OpenClaw version (2026.9.6)" % (to,)
        return result
    if not is_version(current):
        result["reason"] = "no OpenClaw release runs here: install it with playbooks/site.yml"
        return result
    if current == to and ready and not release.get("restart_pending"):
        result.update(action=NOTHING, reason="runs openclaw@%s and is ready" % to)
        return result
    if not ready:
        result["reason"] = ("the gateway is not ready before the upgrade (%s): run playbooks/doctor.yml and fix it first"
                            % ((facts.get("ready") or {}).get("error") or "status %s" % (facts.get("ready") or {}).get("status")))
        return result
    if current == to:
        result.update(action=UPGRADE, reason="openclaw@%s is active but the gateway runs another release: restart onto it" % to)
        return result
    if version_key(to) > version_key(current):
        result.update(action=UPGRADE, reason="openclaw@%s -> openclaw@%s" % (current, to))
        return result
    written_by = config.get("last_touched_version")
    readable = not is_version(written_by) or version_key(written_by) <= version_key(to)
    archive = newest_archive(archives, to)
    if readable and not (restore_backup and archive):
        # The config does not stop it; whether the older release reads the state database is its own check's
        # verdict before the switch (an older CLI refuses a newer schema).
        result.update(action=DOWNGRADE, reason="openclaw@%s -> openclaw@%s (the config was last written by %s)" % (current, to, written_by))
        return result
    if not restore_backup:
        result["reason"] = ("openclaw@%s cannot read the config and state openclaw@%s wrote (it refuses to start, exit 78). "
                            "Going back means restoring the backup taken before the upgrade (%s): rerun with "
                            "-e openclaw_upgrade_restore_backup=true (what the gateway did since is lost; docs/upgrades.md)"
                            % (to, written_by, archive or "none is left on this node"))
        return result
    if archive is None:
        result["reason"] = "there is no backup written by openclaw@%s on this node to restore: see docs/upgrades.md" % to
        return result
    result.update(action=RESTORE, archive=archive,
                  reason="openclaw@%s -> openclaw@%s with the config and state of %s" % (current, to, archive))
    return result


def step_durations(marks, names):
    """The seconds between consecutive time marks, as {name: seconds} for the steps they bound, and their total.

    marks: N+1 timestamps (seconds; numbers or their text, as set_fact keeps them), in the order the steps ran;
    names: the N steps. Each duration and the total are rounded to 0.1 s.
    """
    if not isinstance(marks, (list, tuple)) or not isinstance(names, (list, tuple)) or len(marks) != len(names) + 1 or not names:
        raise ValueError("step_durations: %d step names need %d time marks, got %r" % (len(names or []), len(names or []) + 1, marks))
    try:
        stamps = [float(mark) for mark in marks]
    except (TypeError, ValueError):
        raise ValueError("step_durations: the time marks must be numbers, got %r" % (marks,))
    steps = {}
    for name, start, end in zip(names, stamps, stamps[1:]):
        if end < start:
            raise ValueError("step_durations: the mark ending %r is earlier than the one starting it" % name)
        steps[name] = round(end - start, 1)
    return {"total": round(stamps[-1] - stamps[0], 1), "steps": steps}
