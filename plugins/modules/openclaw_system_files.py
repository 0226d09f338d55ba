#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_system_files
short_description: Root-owned directories and small files of the collection (units, settings, drop-ins) in one step, or gone
version_added: 0.2.0
description:
  - Makes each of O(directories) a directory owned by root with its mode, then each of O(files) a regular file owned
    by root with its content and mode.
  - One task instead of one C(ansible.builtin.file) per directory and one C(ansible.builtin.template) or
    C(ansible.builtin.copy) per file (two module runs each, even when nothing changes); a converge runs these on
    every node of a fleet.
  - For directories and files that only root can write (C(/etc), C(/var/lib)); never for a path below a directory
    another user can write. Every path is absolute and normalised; each is opened from C(/) without following a link.
  - Every path is checked before anything changes; a directory listed where a link or a file is, or a file listed
    where a directory is, is refused with nothing changed. A link where a file belongs is replaced, never followed.
  - Missing parents of a listed directory are made with mode C(0755). A listed file's directory must exist or be
    listed.
  - Each changed file is written to a new file in its directory and renamed over the old one (atomic).
  - O(absent) removes files, links (never followed) and whole directory trees (each directory opened without
    following a link); with check mode it tells which of them are there.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: One diff per changed file (its content before and after) and one per changed directory (its mode).
  platform:
    platforms: posix
options:
  directories:
    description: Directories, made or fixed in the order given.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute, normalised path.
        type: str
        required: true
      mode:
        description: Octal mode such as C("0755").
        type: raw
        required: true
  files:
    description: Files, written in the order given after the directories.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute, normalised path.
        type: str
        required: true
      content:
        description: The whole content (text, written as UTF-8).
        type: str
        required: true
      mode:
        description: Octal mode such as C("0644").
        type: raw
        required: true
  absent:
    description:
      - Absolute, normalised paths to remove first, a directory with everything in it. A path that is not there is fine.
    type: list
    elements: str
    default: []
notes:
  - The content is shown in the diff (C(--diff)), so this module is not for secrets.
"""

EXAMPLES = r"""
- name: The watchdog's directories, settings and units
  clawops.openclaw.openclaw_system_files:
    directories:
      - {path: /var/lib/clawops-openclaw, mode: "0700"}
    files:
      - path: /etc/systemd/system/clawops-openclaw-watchdog.timer
        content: "{{ lookup('ansible.builtin.template', 'clawops-openclaw-watchdog.timer.j2') }}"
        mode: "0644"
  notify: Restart the watchdog timer
"""

RETURN = r"""
changed_paths:
  description:
    - Paths that were (or in check mode would be) removed, made or changed, in the order given (O(absent) first).
  returned: always
  type: list
  elements: str
  sample: [/etc/systemd/system/clawops-openclaw-watchdog.timer]
removed:
  description: The paths of RV(changed_paths) that were (or would be) removed.
  returned: always
  type: list
  elements: str
  sample: [/usr/local/lib/clawops-openclaw/watchdog]
created:
  description: The paths of RV(changed_paths) that did not exist before (a unit systemd does not know yet).
  returned: always
  type: list
  elements: str
  sample: [/etc/systemd/system/clawops-openclaw-watchdog.timer]
"""

import errno
import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Refused, normalise_path, open_root, parse_mode, replace_in

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
PARENT_MODE = 0o755
MAX_CONTENT = 1024 * 1024


def plan(directories, files, absent=()):
    """[(path, mode)], [(path, bytes, mode)] from the options, every value validated; Refused on the first bad one."""
    dirs, wanted, seen = [], [], set()
    for path in absent:
        if normalise_path(path) != path or path == "/":
            raise Refused("absent: %r is not an absolute, normalised path below /" % (path,))
        if path in seen:
            raise Refused("%s is listed more than once" % path)
        seen.add(path)
    for kind, entries in (("directories", directories), ("files", files)):
        for entry in entries:
            path = entry["path"]
            if normalise_path(path) != path or path == "/":
                raise Refused("%s: %r is not an absolute, normalised path below /" % (kind, path))
            if path in seen:
                raise Refused("%s is listed more than once" % path)
            seen.add(path)
            mode = parse_mode(entry["mode"], "the mode of %s" % path)
            if kind == "directories":
                dirs.append((path, mode))
            else:
                data = entry["content"].encode("utf-8")
                if len(data) > MAX_CONTENT:
                    raise Refused("the content of %s is larger than %d bytes" % (path, MAX_CONTENT))
                wanted.append((path, data, mode))
    return dirs, wanted


def lstat(path):
    """lstat of an absolute path, walked from / without following a link; None when a component is missing.
    Refused when a component above the last one is a link or not a directory."""
    parts = path.strip("/").split("/")
    fd = os.open("/", _DIR_FLAGS)
    try:
        for name in parts[:-1]:
            try:
                sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno == errno.ENOENT:
                    return None
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise Refused("%s: %s is a link or not a directory" % (path, name))
                raise
            os.close(fd)
            fd = sub
        try:
            return os.stat(parts[-1], dir_fd=fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise
    finally:
        os.close(fd)


def root_owned(st, mode, kind):
    return kind(st.st_mode) and stat.S_IMODE(st.st_mode) == mode and (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid())


def open_dir(path, check):
    """fd of the directory `path`, its missing parents made (PARENT_MODE); None in check mode when missing."""
    return open_root(path, PARENT_MODE, check)


def read_current(st, path):
    """The content of the regular file at path (as found by lstat), or None when it is something else."""
    if st is None or not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CONTENT:
        return None
    parent = open_dir(os.path.dirname(path), check=True)
    try:
        fd = os.open(os.path.basename(path), _READ_FLAGS, dir_fd=parent)
    finally:
        os.close(parent)
    try:
        return b"".join(iter(lambda: os.read(fd, 1 << 16), b""))
    finally:
        os.close(fd)


def replace(path, data, mode):
    """Write data to a new file in path's directory and rename it over path (a link there is replaced)."""
    parent = open_dir(os.path.dirname(path), check=False)
    try:
        replace_in(parent, os.path.basename(path), data, mode, os.geteuid(), os.getegid())
    finally:
        os.close(parent)


def remove_tree(name, parent_fd):
    """Remove the directory `name` in parent_fd and everything in it, each level opened without following a link
    (a link inside is removed, never followed)."""
    fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    try:
        for entry in os.listdir(fd):
            st = os.stat(entry, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                remove_tree(entry, fd)
            else:
                os.unlink(entry, dir_fd=fd)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=parent_fd)


def remove(path, st):
    parent = open_dir(os.path.dirname(path), check=True)
    if parent is None:
        return
    try:
        if stat.S_ISDIR(st.st_mode):
            remove_tree(os.path.basename(path), parent)
        else:
            os.unlink(os.path.basename(path), dir_fd=parent)
    finally:
        os.close(parent)


def converge(directories, files, check, absent=()):
    """(changed_paths, removed, created, diffs) after removing `absent` and making the directories and files what the
    options say."""
    dirs, wanted = plan(directories, files, absent)
    # Everything is looked at before anything changes: a refused entry leaves the node as it was.
    gone = [(path, lstat(path)) for path in absent]
    dir_states = [(path, mode, lstat(path)) for path, mode in dirs]
    for path, mode, st in dir_states:
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise Refused("%s is listed as a directory and is a link or a file" % path)
    listed = {path for path, mode in dirs}
    file_states = []
    for path, data, mode in wanted:
        st = lstat(path)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise Refused("%s is listed as a file and is a directory" % path)
        parent = os.path.dirname(path)
        if parent not in listed and lstat(parent) is None:
            raise Refused("the directory of %s does not exist and is not listed" % path)
        file_states.append((path, data, mode, st))

    changed, removed, created, diffs = [], [], [], []
    for path, st in gone:
        if st is None:
            continue
        changed.append(path)
        removed.append(path)
        kind = "directory" if stat.S_ISDIR(st.st_mode) else "link" if stat.S_ISLNK(st.st_mode) else "file"
        diffs.append(dict(before_header=path, after_header=path, before="%s\n" % kind, after="absent\n"))
        if not check:
            remove(path, st)
    for path, mode, st in dir_states:
        if st is not None and root_owned(st, mode, stat.S_ISDIR):
            continue
        changed.append(path)
        if st is None:
            created.append(path)
        diffs.append(dict(before_header=path, after_header=path,
                          before="" if st is None else "directory %04o uid %d\n" % (stat.S_IMODE(st.st_mode), st.st_uid),
                          after="directory %04o uid %d\n" % (mode, os.geteuid())))
        if not check:
            fd = open_dir(path, check=False)
            try:
                os.fchmod(fd, mode)
                os.fchown(fd, os.geteuid(), os.getegid())
            finally:
                os.close(fd)
    for path, data, mode, st in file_states:
        current = read_current(st, path)
        if current == data and root_owned(st, mode, stat.S_ISREG):
            continue
        changed.append(path)
        if st is None:
            created.append(path)
        before = "" if current is None else current.decode("utf-8", "replace")
        if current is not None and current == data:
            before, after = "mode %04o uid %d\n" % (stat.S_IMODE(st.st_mode), st.st_uid), "mode %04o uid %d\n" % (mode, os.geteuid())
        else:
            after = data.decode("utf-8")
        diffs.append(dict(before_header=path, after_header=path, before=before, after=after))
        if not check:
            replace(path, data, mode)
    return changed, removed, created, diffs


def main():
    entry = dict(path=dict(type="str", required=True), mode=dict(type="raw", required=True))
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(type="list", elements="dict", default=[], options=entry),
            files=dict(type="list", elements="dict", default=[],
                       options=dict(entry, content=dict(type="str", required=True))),
            absent=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    try:
        changed, removed, created, diffs = converge(module.params["directories"], module.params["files"], module.check_mode,
                                                    module.params["absent"])
    except Refused as exc:
        module.fail_json(msg="%s (nothing was changed)" % exc, changed_paths=[], removed=[], created=[])
    except OSError as exc:
        module.fail_json(msg="%s: %s" % (exc.filename or "openclaw_system_files", exc.strerror or exc), changed_paths=[],
                         removed=[], created=[])
    result = dict(changed=bool(changed), changed_paths=changed, removed=removed, created=created)
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
