# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Root and the files of directories another user can write, without following links (private API).

Everything below the service user's home (and /tmp/openclaw*) is attacker-controlled: an agent runs shell
tools as that user. The one implementation the modules share:

- lexical: normalise_path(), is_inside(), components() / confined_parts() (strict: a path must already be normalised);
- walking: open_dir() opens a directory component by component with O_NOFOLLOW below a trusted ancestor (`/`
  by default; the home from passwd where a caller trusts it), holding each descriptor, so neither a symlink nor
  a rename between check and use can take root outside the directory it meant; open_root() the same from `/`,
  making what is missing;
- ConfinedFile: a regular file below a directory (FIFO-safe, owner check, read with a limit, unlink only if the
  name still holds the file opened); read_beneath()/read_nofollow() as (text, reason) for the facts;
- confined(): the same rules as an lstat walk, for reporting;
- create_in(), replace_in(): a new file, or a file replaced by a rename, in an open directory;
- Dir: a verified directory handle (read, write a new file O_EXCL|O_NOFOLLOW, atomic replace, rename, unlink);
- retention: expired() (pure) and prune() of a root-only Dir, never following a link, the newest always kept;
- names: stamp(), safe_basename(), flat_name(), sha256(); options: parse_mode();
- run_as(): work that must open the user's files by path (SQLite opens its -wal/-shm side files itself) runs
  in a child process with that user's uid and gid, so a link there gives root's child nothing the user lacks.

Reasons (the Refused message) describe the path without naming it: callers prefix the path.
"""

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import time

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_TRUSTED_FLAGS = os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC
_DIR_FLAGS = _TRUSTED_FLAGS | os.O_NOFOLLOW
# O_NONBLOCK: a FIFO planted in place of a file must not hang the play (it is refused after fstat).
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | _CLOEXEC
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
STAMP = "%Y%m%dT%H%M%SZ"


class Refused(Exception):
    """The path is not one root may use: outside its directory, a link, not a regular file, another owner..."""


# --- lexical --------------------------------------------------------------------------------------------

def parse_mode(value, name):
    """An octal mode from a module option: '0644' / '644' as written, or an int (YAML's 0644 unquoted)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 0o777:
        return value
    if isinstance(value, str) and re.match(r"0?[0-7]{3}\Z", value):
        return int(value, 8)
    raise Refused("%s must be an octal mode such as '0644', not %r" % (name, value))


def normalise_path(path):
    """Absolute normalised form of a path taken from a file on the node ('..' resolved lexically, '//'
    folded), or None when it is not absolute or holds control characters."""
    if not isinstance(path, str) or not path.startswith("/") or _CONTROL.search(path):
        return None
    return "/" + os.path.normpath(path).lstrip("/")


def is_inside(path, directory):
    """True when the normalised path lies strictly below directory (lexically)."""
    directory = normalise_path(directory)
    path = normalise_path(path)
    return bool(path and directory) and path != directory and path.startswith(directory.rstrip("/") + "/")


def components(path):
    """The components of an absolute path that is already normalised; Refused for anything else
    ('.', '..', '//', a trailing slash, relative, control characters)."""
    if not isinstance(path, str) or not path.startswith("/") or _CONTROL.search(path):
        raise Refused("is not an absolute path")
    if os.path.normpath(path) != path or path.startswith("//"):
        raise Refused("is not a normalised path (. or .. components, repeated or trailing slashes)")
    return [part for part in path.split("/") if part]


def confined_parts(root, path):
    """(components of root, components of path below root); Refused unless path lies strictly inside root."""
    root_parts, parts = components(root), components(path)
    if len(parts) <= len(root_parts) or parts[:len(root_parts)] != root_parts:
        raise Refused("is not inside %s" % root)
    return root_parts, parts[len(root_parts):]


# --- walking --------------------------------------------------------------------------------------------

def open_dir(path, trusted="/"):
    """fd of the directory `path` (absolute, normalised): `trusted` (path itself or an ancestor, root's or from
    passwd) is opened following links, every component below it with O_NOFOLLOW.

    Refused when a component is a link or not a directory; OSError when one is missing or denied."""
    if path == trusted:
        components(path)
        parts = []
    else:
        parts = confined_parts(trusted, path)[1]
    fd = os.open(trusted, _TRUSTED_FLAGS)
    try:
        for part in parts:
            try:
                nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise Refused("has a component that is a symbolic link or not a directory (%s)" % part)
                raise
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_root(path, dir_mode, check):
    """fd of `path` (absolute), its missing parts made with dir_mode; no link followed from /. None in check mode
    when it does not exist yet."""
    if not os.path.isabs(path) or os.path.normpath(path) != path.rstrip("/") or path == "/":
        raise Refused("path must be an absolute, normalised path below /, not %r" % path)
    fd = os.open("/", _DIR_FLAGS)
    for name in path.strip("/").split("/"):
        try:
            sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.ENOENT and check:
                os.close(fd)
                return None
            if exc.errno != errno.ENOENT:
                os.close(fd)
                raise Refused("/%s cannot be opened without following a link: %s" % (path.strip("/"), os.strerror(exc.errno)))
            os.mkdir(name, dir_mode, dir_fd=fd)
            sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
            os.fchmod(sub, dir_mode)
        os.close(fd)
        fd = sub
    return fd


def open_file(name, dir_fd=None, uids=None):
    """fd of the regular file `name` (in dir_fd) opened without following it; a FIFO does not block.

    uids: the owners it may have. Refused (why) or OSError (missing, denied)."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused("is a symbolic link")
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused("is not a regular file")
        if uids is not None and st.st_uid not in uids:
            raise Refused("is owned by uid %d" % st.st_uid)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_fd(fd, limit=None):
    """Bytes of fd from its start: at most `limit` when given."""
    os.lseek(fd, 0, os.SEEK_SET)
    chunks, size = [], 0
    while limit is None or size < limit:
        chunk = os.read(fd, 1 << 20 if limit is None else min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class ConfinedFile:
    """A regular file strictly below `directory`, reached with no link followed below `trusted`.

    path must be absolute and normalised (normalise first where '..' is to be resolved lexically).
    uids: the owners it may have. A context manager holding both descriptors; attributes: path, name,
    dir_fd (its directory, held: it stays below directory), fd, st (fstat of the open file).
    Refused (why) or OSError (missing, denied).
    """

    def __init__(self, directory, path, uids=None, trusted="/"):
        below = confined_parts(directory, path)[1]
        if directory != trusted:
            confined_parts(trusted, directory)
        self.path, self.name = path, below[-1]
        self.fd = None
        self.dir_fd = open_dir(os.path.dirname(path), trusted)
        try:
            self.fd = open_file(self.name, self.dir_fd, uids)
            self.st = os.fstat(self.fd)
        except BaseException:
            self.close()
            raise

    def read(self, limit=None):
        return read_fd(self.fd, limit)

    def unlink(self):
        """Remove the name, only if it still names the file that was opened."""
        now = os.stat(self.name, dir_fd=self.dir_fd, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (self.st.st_dev, self.st.st_ino):
            raise Refused("was replaced while it was being read")
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


def _trusted(directory, trust_directory):
    return directory if trust_directory else os.path.dirname(directory)


def _reason(exc):
    if isinstance(exc, Refused):
        return str(exc)
    return "missing" if exc.errno in (errno.ENOENT, errno.ENOTDIR) else "unreadable (%s)" % os.strerror(exc.errno)


def read_beneath(path, directory, limit=1024 * 1024, uids=None, trust_directory=True):
    """(text, None) of a regular file below a user-writable directory, or (None, reason): 'missing' or why it is unsafe.

    path is normalised lexically first. directory is opened following links when trust_directory (a home from
    passwd); otherwise it must not be a link either (/tmp/openclaw-UID). Text is cut at `limit` bytes."""
    normal, base = normalise_path(path), normalise_path(directory)
    if not normal or not base or not is_inside(normal, base):
        return None, "is not inside %s" % directory
    try:
        with ConfinedFile(base, normal, uids, _trusted(base, trust_directory)) as handle:
            return handle.read(limit).decode("utf-8", "replace"), None
    except (Refused, OSError) as exc:
        return None, _reason(exc)


def read_nofollow(path, limit=1024 * 1024, uids=None):
    """(text, None) of a regular file whose final component is not a link, or (None, reason)."""
    normal = normalise_path(path)
    if not normal:
        return None, "is not an absolute path"
    try:
        fd = open_file(normal, None, uids)
    except (Refused, OSError) as exc:
        return None, _reason(exc)
    try:
        return read_fd(fd, limit).decode("utf-8", "replace"), None
    except OSError as exc:
        return None, _reason(exc)
    finally:
        os.close(fd)


def confined(path, directory, uids=None, trust_directory=True):
    """True when path lies inside directory, no component from directory down is a link (directory included
    unless trust_directory), and it is a regular file owned by one of uids (when given).
    A check (lstat only, nothing opened): callers that then act on the file still open it safely."""
    normal, base = normalise_path(path), normalise_path(directory)
    if not normal or not base or not is_inside(normal, base):
        return False
    current = base
    try:
        if not trust_directory and not stat.S_ISDIR(os.lstat(base).st_mode):
            return False
        for part in normal[len(base.rstrip("/")) + 1:].split("/"):
            current = os.path.join(current, part)
            st = os.lstat(current)
            if stat.S_ISLNK(st.st_mode):
                return False
        return stat.S_ISREG(st.st_mode) and (uids is None or st.st_uid in uids)
    except OSError:
        return False


# --- a verified directory -------------------------------------------------------------------------------

def create_in(dir_fd, name, data, mode, uid=None, gid=None):
    """Create `name` in the directory `dir_fd` (never an existing file or link: O_EXCL, O_NOFOLLOW) with `mode` and
    owner uid/gid when given, fsynced."""
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC, mode, dir_fd=dir_fd)
    try:
        os.fchmod(fd, mode)
        if uid is not None:
            os.fchown(fd, uid, -1 if gid is None else gid)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_in(dir_fd, name, data, mode, uid=None, gid=None):
    """Atomically put `data` at `name` in the directory `dir_fd`: a new file beside it (create_in), renamed over
    `name` (a link there is replaced, never followed); the temporary file is removed when anything fails."""
    tmp = ".%s.clawops-tmp-%d" % (name, os.getpid())
    try:
        create_in(dir_fd, tmp, data, mode, uid, gid)
        os.rename(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except OSError:
            pass
        raise
    os.fsync(dir_fd)


class Dir:
    """A directory opened with no link followed below `trusted`; every operation is relative to its fd and
    follows no link. uid: the owner it must have (and its files, where read or listed); None: any.
    create: make it (0700, parents too) when missing."""

    def __init__(self, path, uid=None, gid=None, create=False, trusted="/"):
        self.path, self.uid, self.gid = path, uid, gid
        if create and not os.path.lexists(path):
            os.makedirs(path, 0o700)
        self.fd = open_dir(path, trusted)
        st = os.fstat(self.fd)
        if uid is not None and st.st_uid != uid:
            os.close(self.fd)
            raise Refused("is owned by uid %d, not %d" % (st.st_uid, uid))

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
        self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def join(self, name):
        return os.path.join(self.path, name)

    def lstat(self, name):
        """lstat of name, None when missing."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise

    def owned_file(self, name):
        """lstat of `name` when it is a regular file owned by the directory's owner (any owner: uid None), else None."""
        st = self.lstat(name)
        return st if st is not None and stat.S_ISREG(st.st_mode) and self.uid in (None, st.st_uid) else None

    def read(self, name, limit):
        """Bytes of the regular file `name` owned by the directory's owner; Refused when larger than limit."""
        fd = open_file(name, self.fd, None if self.uid is None else (self.uid,))
        try:
            data = read_fd(fd, limit + 1)
        finally:
            os.close(fd)
        if len(data) > limit:
            raise Refused("is larger than %d bytes" % limit)
        return data

    def write_new(self, name, data, mode=0o600):
        """Create `name` (never an existing file or link) with `mode`, owned by uid/gid when root; fsynced."""
        owner = os.geteuid() == 0 and self.uid is not None
        create_in(self.fd, name, data, mode, self.uid if owner else None, self.gid if owner else None)

    def write_unique(self, prefix, data, now, mode=0o600):
        """Create `<prefix><stamp>` (or `-N` after it when taken); returns the name."""
        base = prefix + stamp(now)
        for n in range(100):
            name = base if n == 0 else "%s-%d" % (base, n)
            try:
                self.write_new(name, data, mode)
                return name
            except OSError as exc:
                if exc.errno != errno.EEXIST:
                    raise
        raise Refused("has no free name for %s" % base)

    def replace(self, name, data, mode=0o600):
        """Atomically put `data` at `name` (a rename: a link there is replaced, never followed)."""
        tmp = self.write_unique(".clawops-tmp-", data, time.time(), mode)
        try:
            os.rename(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            os.unlink(tmp, dir_fd=self.fd)
            raise
        os.fsync(self.fd)

    def rename(self, src, dst):
        """Rename within the directory; Refused when dst exists."""
        if self.lstat(dst) is not None:
            raise Refused("already has %s" % dst)
        os.rename(src, dst, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def unlink(self, name, st=None):
        """Remove name; with st (an earlier stat of it), only while it is still that file."""
        if st is not None:
            now = self.lstat(name)
            if now is None or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
                raise Refused("%s was replaced" % name)
        os.unlink(name, dir_fd=self.fd)

    def entries(self, pattern=None, kind="file", others=None):
        """(name, lstat) of the entries whose name fully matches `pattern` (compiled, or None: all), newest first.

        kind "file": regular files owned by the owner; "dir": directories (owned by the owner when uid is set).
        Links and anything else matching are never followed; they are appended to `others` (a list) if given."""
        found = []
        for name in os.listdir(self.fd):
            if pattern is not None and not pattern.match(name):
                continue
            st = self.lstat(name)
            ok = st is not None and self.uid in (None, st.st_uid) and (
                stat.S_ISREG(st.st_mode) if kind == "file" else stat.S_ISDIR(st.st_mode))
            if ok:
                found.append((name, st))
            elif others is not None:
                others.append(name)
        # On a tie OpenClaw's last-good copy first: it was promoted from the file last loaded.
        return sorted(found, key=lambda e: (e[1].st_mtime, e[0].endswith(".last-good"), e[0]), reverse=True)

    def remove(self, name, st):
        """Remove the file or directory tree `name` if it is still the entry `st` (a directory tree with
        shutil.rmtree, which refuses a link and does not follow links inside)."""
        now = self.lstat(name)
        if now is None or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            raise Refused("%s was replaced" % name)
        if stat.S_ISDIR(now.st_mode):
            shutil.rmtree(self.join(name))
        else:
            os.unlink(name, dir_fd=self.fd)


# --- retention ------------------------------------------------------------------------------------------

def expired(entries, keep, max_age_days, now, spare=None):
    """Names of entries [(name, st)] (newest first) beyond the newest `keep` or older than max_age_days
    (0: no age limit). The newest and `spare` (this run's) always stay."""
    out = []
    for index, (name, st) in enumerate(entries):
        if index == 0 or name == spare:
            continue
        if index >= keep or (max_age_days and now - st.st_mtime > max_age_days * 86400):
            out.append(name)
    return out


def prune(directory, keep, max_age_days, now, check_mode, pattern=None, kind="file", spare=None):
    """Retention in a Dir (root-only): removes what expired() selects among entries(pattern, kind) and
    returns their paths. Links are never counted, followed or removed; keep below 1 is refused."""
    if keep < 1:
        raise Refused("keep must be at least 1 (got %d)" % keep)
    entries = directory.entries(pattern, kind)
    gone = []
    stats = dict(entries)
    for name in expired(entries, keep, max_age_days, now, spare):
        if not check_mode:
            directory.remove(name, stats[name])
        gone.append(directory.join(name))
    return gone


# --- names ----------------------------------------------------------------------------------------------

def stamp(now):
    """UTC timestamp of names the collection gives its copies (`20260101T000000Z`)."""
    return time.strftime(STAMP, time.gmtime(now))


def safe_basename(path):
    """The basename with anything but [A-Za-z0-9._-] replaced, no leading dot, at most 100 characters."""
    return _UNSAFE_NAME.sub("_", os.path.basename(path))[:100].lstrip(".") or "file"


def flat_name(index, path):
    """`<nn>-<basename>`: never a path taken from the node."""
    return "%02d-%s" % (index, safe_basename(path))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# --- privileges -----------------------------------------------------------------------------------------

def run_as(uid, gid, func, *args):
    """func(*args) in a forked child running as uid:gid (no supplementary groups); its JSON-able result.

    Root's reads of the service user's files that a library performs by path (SQLite) happen with that user's
    rights: a link planted there then leads only where the user could read or write anyway. Without root, or
    for uid 0, func runs in this process. An exception in the child is raised here as Refused."""
    if os.geteuid() != 0 or uid == 0:
        return func(*args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; its result is asserted through the parent
        code = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            payload = {"result": func(*args)}
        except BaseException as exc:  # everything goes back to the parent, never a traceback on stderr
            payload = {"error": "%s: %s" % (type(exc).__name__, exc)}
        try:
            with os.fdopen(write_end, "w") as out:
                out.write(json.dumps(payload))
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as inp:
        data = inp.read()
    dummy, status = os.waitpid(pid, 0)
    try:
        payload = json.loads(data)
    except ValueError:
        raise Refused("the child running as uid %d exited with status %d and no result" % (uid, status))
    if "error" in payload:
        raise Refused(payload["error"])
    return payload["result"]
