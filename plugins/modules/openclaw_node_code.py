#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_node_code
short_description: Install a tree of the collection's node-side code (a Python package and its entry points) in one step
version_added: 0.2.0
description:
  - Makes the directory O(path) hold exactly the files in O(files), each with the given content, owned by the user the
    module runs as, mode O(mode), in directories of mode O(directory_mode).
  - One task instead of one C(ansible.builtin.copy) per file (two module runs each); the watchdog's code is about twenty
    files, and a converge runs this on every node of a fleet.
  - Files under O(path) that are not listed are removed (a module the code no longer imports does not linger);
    C(__pycache__) directories are left to Python.
  - A root-owned tree is never steered by a link. Every directory is opened without following links and every file is
    replaced by a rename inside it; a link anywhere below O(path) is replaced, never followed.
  - Each changed file is written to a new file in its directory and renamed over the old one (atomic).
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The diff lists the files that change with a hash of their content, not the content.
  platform:
    platforms: posix
options:
  path:
    description: The root of the tree (absolute); created with its missing parents (O(directory_mode)) when missing.
    type: path
    required: true
  files:
    description:
      - Relative path under O(path) → content (text, written as UTF-8).
      - Each path component is letters, digits, C(.), C(_) or C(-) and does not start with a dot.
    type: dict
    required: true
  mode:
    description: Mode of the files.
    type: raw
    default: "0644"
  directory_mode:
    description: Mode of the directories.
    type: raw
    default: "0755"
  compile_python:
    description:
      - Also keep Python's bytecode cache (C(__pycache__/NAME.TAG.pyc)) of every listed C(.py) file up to date, for the
        interpreter the module runs with, written the same way as the files.
      - For code run where Python cannot write that cache itself (a unit with C(ProtectSystem=full) sees C(/usr)
        read-only), which would otherwise compile all of it again at every start.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The watchdog's code
  clawops.openclaw.openclaw_node_code:
    path: /usr/local/lib/clawops-openclaw/watchdog
    files:
      clawops-openclaw-watchdog: "{{ lookup('ansible.builtin.file', 'clawops-openclaw-watchdog', rstrip=false) }}"
      ansible_collections/__init__.py: ""
"""

RETURN = r"""
written:
  description: Files (relative to O(path)) that were (or would be) written, new or changed; C(./) when the owner or mode of O(path) itself was fixed.
  returned: always
  type: list
  elements: str
  sample: [ansible_collections/clawops/openclaw/plugins/module_utils/_watchdog.py]
compiled:
  description: Bytecode cache files (relative to O(path)) that were (or would be) written, with O(compile_python).
  returned: always
  type: list
  elements: str
  sample: [ansible_collections/clawops/openclaw/plugins/module_utils/__pycache__/_watchdog.cpython-311.pyc]
removed:
  description: Files (relative to O(path)) that were (or would be) removed, as no longer listed.
  returned: always
  type: list
  elements: str
  sample: [ansible_collections/clawops/openclaw/plugins/module_utils/_old.py]
"""

import errno
import hashlib
import importlib.util
import marshal
import os
import re
import stat
import struct
import sys

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Refused, open_root, parse_mode, replace_in

COMPONENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\Z")
CACHE = "__pycache__"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def plan_tree(files):
    """{relative path: bytes} from the option, every path validated; Refused on the first bad one."""
    wanted = {}
    for rel, content in sorted(files.items()):
        parts = rel.split("/")
        bad = [p for p in parts if not COMPONENT.match(p) or p == CACHE]
        if bad:
            raise Refused("%r is not a relative path of plain names (offending part %r)" % (rel, bad[0]))
        if content is None:
            content = ""
        if not isinstance(content, str):
            raise Refused("the content of %s must be text" % rel)
        wanted["/".join(parts)] = content.encode("utf-8")
    dirs = {"/".join(rel.split("/")[:i]) for rel in wanted for i in range(1, rel.count("/") + 1)}
    clash = sorted(dirs & set(wanted))
    if clash:
        raise Refused("%s is listed as a file and is a directory of another file" % clash[0])
    return wanted


def cache_path(rel):
    """Where Python looks for the bytecode of the source at rel (importlib.util.cache_from_source, relative)."""
    parent, name = os.path.split(rel)
    return "/".join(p for p in (parent, CACHE, "%s.%s.pyc" % (name[:-3], sys.implementation.cache_tag)) if p)


def digest(data):
    return hashlib.sha256(data).hexdigest()[:16]


class Tree:
    """The tree under an open root directory; every step relative to a directory fd, no link followed."""

    def __init__(self, root_fd, mode, dir_mode, check):
        self.root_fd, self.mode, self.dir_mode, self.check = root_fd, mode, dir_mode, check
        self.uid, self.gid = os.geteuid(), os.getegid()

    def _lstat(self, name, dir_fd):
        try:
            return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise

    def owned(self, st, mode, kind):
        return kind(st.st_mode) and stat.S_IMODE(st.st_mode) == mode and (st.st_uid, st.st_gid) == (self.uid, self.gid)

    def open_dir(self, rel):
        """(fd of the directory `rel` ("" = the root), changed): missing parts made, a file or link where a directory
        belongs replaced, owner and mode fixed. fd None in check mode when the directory is not there yet."""
        fd, changed = os.dup(self.root_fd), False
        for name in [p for p in rel.split("/") if p]:
            st = self._lstat(name, fd)
            if st is not None and not stat.S_ISDIR(st.st_mode):
                changed = True
                if not self.check:
                    os.unlink(name, dir_fd=fd)  # replaced, never followed
                st = None
            if st is None:
                changed = True
                if self.check:
                    os.close(fd)
                    return None, changed
                os.mkdir(name, self.dir_mode, dir_fd=fd)
            sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = sub
            if st is None or not self.owned(os.fstat(fd), self.dir_mode, stat.S_ISDIR):
                changed = True
                if not self.check:
                    os.fchmod(fd, self.dir_mode)
                    os.fchown(fd, self.uid, self.gid)
        return fd, changed

    def put(self, rel, data):
        """Write `data` at rel unless it is already there as it should be; True when (it would be) written."""
        parent, name = os.path.split(rel)
        fd, dir_changed = self.open_dir(parent)
        if fd is None:
            return True
        try:
            if self._holds(fd, name, data, whole=True):
                return dir_changed
            if not self.check:
                self._replace(fd, name, data)
            return True
        finally:
            os.close(fd)

    def compile_python(self, rel, root_path):
        """Write the bytecode cache of the source at rel unless it is current (its header names the source's mtime and
        size, which is what Python checks); True when it was (or would be) written."""
        parent, name = os.path.split(rel)
        cache_name = os.path.basename(cache_path(rel))
        fd, dummy = self.open_dir(parent)
        if fd is None:
            return True
        try:
            st = self._lstat(name, fd)
            header = importlib.util.MAGIC_NUMBER + struct.pack("<III", 0, int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF)
            cache_fd, cache_dir_changed = self.open_dir(os.path.join(parent, CACHE))
            if cache_fd is not None:
                try:
                    if not cache_dir_changed and self._holds(cache_fd, cache_name, header, whole=False):
                        return False
                    if not self.check:
                        source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=fd)
                        try:
                            text = b"".join(iter(lambda: os.read(source, 1 << 16), b""))
                        finally:
                            os.close(source)
                        code = compile(text, os.path.join(root_path, rel), "exec", dont_inherit=True)
                        self._replace(cache_fd, cache_name, header + marshal.dumps(code))
                finally:
                    os.close(cache_fd)
            return True
        finally:
            os.close(fd)

    def _holds(self, fd, name, data, whole):
        """Whether `name` is a file as this tree writes them (owner, mode) whose content is `data` (whole) or starts
        with it; opened without following a link."""
        st = self._lstat(name, fd)
        if st is None or not self.owned(st, self.mode, stat.S_ISREG) or (whole and st.st_size != len(data)):
            return False
        current = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=fd)
        try:
            return os.read(current, len(data)) == data
        finally:
            os.close(current)

    def _replace(self, fd, name, data):
        replace_in(fd, name, data, self.mode, self.uid, self.gid)

    def walk(self, fd=None, prefix=""):
        """(relative path, lstat, parent fd) of every entry below the root, depth first, children before their
        directory; __pycache__ directories are not entered."""
        fd = self.root_fd if fd is None else fd
        for name in sorted(os.listdir(fd)):
            st = self._lstat(name, fd)
            if st is None:
                continue
            rel = prefix + name
            if stat.S_ISDIR(st.st_mode) and name != CACHE:
                sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
                try:
                    yield from self.walk(sub, rel + "/")
                finally:
                    os.close(sub)
            yield rel, st, fd

    def prune(self, wanted):
        """Remove what is not listed: files and links, then directories no listed file is in. Returns their paths."""
        keep_dirs = {"/".join(rel.split("/")[:i]) for rel in wanted for i in range(1, rel.count("/") + 1)}
        removed = []
        for rel, st, parent in self.walk():  # children before their directory, while its parent is open
            name = os.path.basename(rel)
            if stat.S_ISDIR(st.st_mode):
                if name == CACHE or rel in keep_dirs:
                    continue
                removed.append(rel + "/")
                if not self.check:
                    self._remove_dir(parent, name)
            elif rel not in wanted:
                removed.append(rel)
                if not self.check:
                    os.unlink(name, dir_fd=parent)
        return removed

    def _remove_dir(self, parent, name):
        sub = os.open(name, _DIR_FLAGS, dir_fd=parent)
        try:
            for entry in os.listdir(sub):
                if entry == CACHE:
                    self._remove_dir(sub, entry)
                else:
                    os.unlink(entry, dir_fd=sub)
        finally:
            os.close(sub)
        os.rmdir(name, dir_fd=parent)


def converge(path, files, mode, dir_mode, check, compile_python=False):
    """(written, removed, compiled) after making `path` hold exactly `files` (and their bytecode with compile_python)."""
    wanted = plan_tree(files)
    root = open_root(path, dir_mode, check)
    if root is None:
        return sorted(wanted), [], []
    try:
        tree = Tree(root, mode, dir_mode, check)
        removed = tree.prune(wanted)
        written = [rel for rel, data in sorted(wanted.items()) if tree.put(rel, data)]
        compiled = []
        for rel in sorted(r for r in wanted if r.endswith(".py")) if compile_python and sys.implementation.cache_tag else []:
            if check and rel in written:
                compiled.append(cache_path(rel))  # its source changes, and so would its cache
            elif tree.compile_python(rel, path):
                compiled.append(cache_path(rel))
        if not tree.owned(os.fstat(root), dir_mode, stat.S_ISDIR):
            written.insert(0, "./")
            if not check:
                os.fchmod(root, dir_mode)
                os.fchown(root, tree.uid, tree.gid)
    finally:
        os.close(root)
    return written, removed, compiled


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            files=dict(type="dict", required=True),
            mode=dict(type="raw", default="0644"),
            directory_mode=dict(type="raw", default="0755"),
            compile_python=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    try:
        mode = parse_mode(module.params["mode"], "mode")
        dir_mode = parse_mode(module.params["directory_mode"], "directory_mode")
        wanted = plan_tree(module.params["files"])
        written, removed, compiled = converge(path, module.params["files"], mode, dir_mode, module.check_mode,
                                              module.params["compile_python"])
    except Refused as exc:
        module.fail_json(msg="%s: %s (nothing was changed)" % (path, exc))
    except (OSError, SyntaxError, ValueError) as exc:
        module.fail_json(msg="%s: %s" % (path, exc), written=[], removed=[], compiled=[])
    before = "".join("%s\n" % rel for rel in sorted(set(written) | set(removed)))
    after = "".join("%s %s\n" % (rel, digest(wanted[rel])) if rel in wanted else rel + "\n" for rel in written)
    result = dict(changed=bool(written or removed or compiled), written=written, removed=removed, compiled=compiled)
    if module._diff and result["changed"]:
        result["diff"] = dict(before_header=path, after_header=path, before=before, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
