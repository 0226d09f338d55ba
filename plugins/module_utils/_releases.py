# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Side-by-side OpenClaw releases: the one definition of their layout, read by openclaw_release (which writes it) and
by openclaw_facts (which reports it).

    RELEASES_DIR/<version>/                  an npm global prefix holding exactly one openclaw version
    RELEASES_DIR/<version>/bin/openclaw      npm's link to ../lib/node_modules/openclaw/openclaw.mjs
    RELEASES_DIR/current  -> <version>       the active release: the CLI link and the unit's ExecStart go through it
    RELEASES_DIR/previous -> <version>       the release active before the last switch (what a rollback activates)

Installing a release never touches another one's files, so a running gateway keeps the code it started with until it
is restarted on purpose. Everything here is root's (the directory must not be writable by anyone else): the service
user cannot steer which code root runs.
"""

import json
import os
import re
import stat

VERSION_TEXT = re.compile(r"\d{1,6}\.\d{1,6}\.\d{1,6}(?:-[0-9A-Za-z.]{1,32})?")
CURRENT = "current"
PREVIOUS = "previous"
PACKAGE = os.path.join("lib", "node_modules", "openclaw")
ENTRYPOINT = os.path.join(PACKAGE, "dist", "index.js")
CLI = os.path.join("bin", "openclaw")


def version_key(version):
    """Sort key of a version string: numbers compare as numbers; a pre-release sorts before its release."""
    main, dummy, pre = version.partition("-")
    return tuple(int(part) for part in main.split(".")), pre == "", pre


def is_version(text):
    return isinstance(text, str) and VERSION_TEXT.fullmatch(text) is not None


def package_version(package_dir):
    """The version in PACKAGE_DIR/package.json when it is OpenClaw's, else None."""
    try:
        with open(os.path.join(package_dir, "package.json")) as handle:
            meta = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("name") != "openclaw" or not is_version(meta.get("version")):
        return None
    return meta["version"]


def release_complete(releases_dir, version):
    """True when RELEASES_DIR/VERSION is a real directory holding openclaw@VERSION with its CLI and entry point."""
    path = os.path.join(releases_dir, version)
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    return (package_version(os.path.join(path, PACKAGE)) == version and os.path.isfile(os.path.join(path, ENTRYPOINT))
            and os.path.exists(os.path.join(path, CLI)))


def link_target(releases_dir, name):
    """The version a link of RELEASES_DIR (current, previous) names, or None (missing, not a link, not a version)."""
    try:
        target = os.readlink(os.path.join(releases_dir, name))
    except OSError:
        return None
    return target if is_version(target) else None


def link_changed_at(releases_dir, name):
    """When the link was last written (its own mtime: links are replaced, never edited), or None."""
    try:
        return os.lstat(os.path.join(releases_dir, name)).st_mtime
    except OSError:
        return None


def read_layout(releases_dir):
    """{'active', 'previous', 'releases'} of RELEASES_DIR: releases are the complete ones, oldest first."""
    try:
        names = os.listdir(releases_dir)
    except OSError:
        names = []
    releases = sorted((name for name in names if is_version(name) and release_complete(releases_dir, name)), key=version_key)
    return dict(active=link_target(releases_dir, CURRENT), previous=link_target(releases_dir, PREVIOUS), releases=releases)


def running_release(releases_dir, entry, started_at, global_package=None):
    """(version the gateway process runs or None, how that is known) from its entry script and start time.

    entry: the script of the process's command line; started_at: its start (epoch seconds, procfs); global_package: the
    package of a global npm install (before side-by-side releases). Node resolves the entry's links once, at start: a
    process started through `current` before the link last changed still runs the release that `previous` names. The
    command line is the service user's to change: only an entry inside root's release directories or the global package
    is looked at (root never opens a path the user chose)."""
    entry = os.path.normpath(entry or "/")
    if started_at is None:
        return None, "the process start time is unknown"
    if entry.startswith(os.path.join(releases_dir, CURRENT) + os.sep):
        active, activated_at = link_target(releases_dir, CURRENT), link_changed_at(releases_dir, CURRENT)
        if active is None or activated_at is None:
            return None, "%s names no release" % os.path.join(releases_dir, CURRENT)
        if started_at >= activated_at:
            return active, "started after %s was activated" % active
        return link_target(releases_dir, PREVIOUS), "started before %s was activated" % active
    # A versioned path (a unit from before side-by-side releases, or a global npm install): its package tells, unless
    # npm rewrote it after the process started (then the process runs code that is no longer on disk).
    relative = os.path.relpath(entry, releases_dir).split(os.sep)
    if is_version(relative[0]) and os.sep.join(relative[1:]).startswith(PACKAGE + os.sep):
        package = os.path.join(releases_dir, relative[0], PACKAGE)
    elif global_package and entry.startswith(os.path.normpath(global_package) + os.sep):
        package = os.path.normpath(global_package)
    else:
        return None, "%s is not in an OpenClaw release" % entry
    try:
        changed = os.lstat(os.path.join(package, "package.json"))
    except OSError:
        return None, "%s is gone" % package
    if not stat.S_ISREG(changed.st_mode) or changed.st_mtime > started_at:
        return None, "%s changed after the process started" % package
    return package_version(package), "entry point in %s" % package
