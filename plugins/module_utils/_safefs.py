# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Opening files in directories another user can write, as root, without following links (private API).

Everything below the service user's home is attacker-controlled (an agent runs shell tools as that user).
A path is opened one component at a time from `/` with O_NOFOLLOW, holding each directory's descriptor, so
neither a symlink nor a rename between check and use can redirect root outside the directory it meant.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import hashlib
import os
import re
import stat

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
# O_NONBLOCK: a FIFO planted in place of a file must not hang the play (it is refused after fstat).
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


class Refused(Exception):
    """The path is not one root may open: outside its directory, a link, not a regular file..."""


def components(path):
    """The components of a normalised absolute path; Refused for anything else ('..', '.', '//', relative, NUL, newline)."""
    if not isinstance(path, str) or not path.startswith("/") or "\0" in path or "\n" in path:
        raise Refused("not an absolute path")
    if os.path.normpath(path) != path or path.startswith("//"):
        raise Refused("not a normalised path (. or .. components, repeated or trailing slashes)")
    return [part for part in path.split("/") if part]


def confined_parts(root, path):
    """The components of path below root; Refused unless path lies strictly inside root (both normalised, absolute)."""
    root_parts, parts = components(root), components(path)
    if len(parts) <= len(root_parts) or parts[:len(root_parts)] != root_parts:
        raise Refused("outside %s" % root)
    return root_parts, parts[len(root_parts):]


def open_dir(parts, dir_fd=None):
    """A descriptor of the directory reached by walking parts from dir_fd (or /) without following any link."""
    fd = os.open("/", _DIR_FLAGS) if dir_fd is None else os.dup(dir_fd)
    try:
        for part in parts:
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                raise Refused("%s: %s" % (part, "a symlink or not a directory" if exc.errno in (errno.ELOOP, errno.ENOTDIR) else os.strerror(exc.errno)))
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


class ConfinedFile(object):
    """A regular file below root, opened without following links; a context manager holding both descriptors.

    Attributes: dir_fd (its directory), name, fd, st (fstat of the open file).
    """

    def __init__(self, root, path):
        root_parts, below = confined_parts(root, path)
        self.path, self.name = path, below[-1]
        self.dir_fd = open_dir(root_parts + below[:-1])
        self.fd = None
        try:
            try:
                self.fd = os.open(self.name, _FILE_FLAGS, dir_fd=self.dir_fd)
            except OSError as exc:
                raise Refused("a symlink" if exc.errno == errno.ELOOP else os.strerror(exc.errno))
            self.st = os.fstat(self.fd)
            if not stat.S_ISREG(self.st.st_mode):
                raise Refused("not a regular file")
        except BaseException:
            self.close()
            raise

    def read(self):
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks = []
        while True:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)

    def unlink(self):
        """Remove the name, only if it still names the file that was opened (the directory is held, so it stays below root)."""
        now = os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (self.st.st_dev, self.st.st_ino):
            raise Refused("replaced while it was being read")
        os.unlink(self.name, dir_fd=self.dir_fd)

    def close(self):
        for fd in (self.fd, self.dir_fd):
            if fd is not None:
                os.close(fd)
        self.fd = self.dir_fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def safe_basename(path):
    """The basename with anything but [A-Za-z0-9._-] replaced, no leading dot, at most 100 characters."""
    return _UNSAFE_NAME.sub("_", os.path.basename(path))[:100].lstrip(".") or "file"


def flat_name(index, path):
    """`<nn>-<basename>`: never a path taken from the node."""
    return "%02d-%s" % (index, safe_basename(path))


def sha256(data):
    return hashlib.sha256(data).hexdigest()
