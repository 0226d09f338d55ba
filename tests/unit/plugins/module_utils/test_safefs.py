# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading files the service user controls, as root, without following its links (issue 11, rule 2a)."""

import os
import stat
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._common import shell_startup_paths
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import (
    ConfinedFile, Dir, Refused, components, confined, confined_parts, expired, flat_name, is_inside, normalise_path, open_dir, prune,
    read_beneath, read_nofollow,
)


@pytest.mark.parametrize("path, expected", [
    ("/home/openclaw/.env", "/home/openclaw/.env"),
    ("/home/openclaw/.config/../.env", "/home/openclaw/.env"),
    ("/home/openclaw/../../etc/cron.d/x", "/etc/cron.d/x"),
    ("//home//openclaw/./x/", "/home/openclaw/x"),
    ("/../../..", "/"),
    ("relative/path", None),
    ("../etc/passwd", None),
    ("", None),
    (None, None),
    ("/home/openclaw/x\ny", None),
    ("/home/openclaw/\x00", None),
])
def test_normalise_path(path, expected):
    assert normalise_path(path) == expected


@pytest.mark.parametrize("path, directory, expected", [
    ("/home/openclaw/.env", "/home/openclaw", True),
    ("/home/openclaw", "/home/openclaw", False),
    ("/home/openclaw-evil/.env", "/home/openclaw", False),
    ("/home/openclaw/../root/.env", "/home/openclaw", False),
    ("/home/openclaw/a/../b", "/home/openclaw/", True),
    ("x", "/home/openclaw", False),
])
def test_is_inside(path, directory, expected):
    assert is_inside(path, directory) is expected


@pytest.fixture
def tree(tmp_path):
    home = tmp_path / "home"
    (home / "sub").mkdir(parents=True)
    (home / "sub" / "file").write_text("A=1\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("SECRET=1\n")
    os.symlink(str(outside), str(home / "dirlink"))
    os.symlink(str(outside / "secret"), str(home / "sub" / "filelink"))
    os.mkfifo(str(home / "fifo"))
    return home, outside


def test_read_beneath_reads_a_regular_file(tree):
    home, dummy = tree
    assert read_beneath(str(home / "sub" / "file"), str(home)) == ("A=1\n", None)
    assert read_beneath(str(home / "sub" / ".." / "sub" / "file"), str(home)) == ("A=1\n", None)


@pytest.mark.parametrize("rel, reason", [
    ("sub/filelink", "is a symbolic link"),
    ("dirlink/secret", "has a component that is a symbolic link or not a directory (dirlink)"),
    ("fifo", "is not a regular file"),
    ("sub", "is not a regular file"),
    ("sub/missing", "missing"),
    ("../outside/secret", "is not inside %s"),
])
def test_read_beneath_refuses(tree, rel, reason):
    home, dummy = tree
    text, why = read_beneath(str(home) + "/" + rel, str(home))
    assert text is None
    assert why == (reason % home if "%s" in reason else reason)


def test_read_beneath_checks_the_owner(tree):
    home, dummy = tree
    assert read_beneath(str(home / "sub" / "file"), str(home), uids=(os.geteuid() + 1,))[1].startswith("is owned by uid")


def test_read_beneath_untrusted_directory_may_not_be_a_link(tree):
    home, dummy = tree
    assert read_beneath(str(home / "dirlink" / "secret"), str(home / "dirlink"))[0] == "SECRET=1\n"  # a trusted base is followed
    assert read_beneath(str(home / "dirlink" / "secret"), str(home / "dirlink"), trust_directory=False)[0] is None


def test_read_nofollow(tree):
    home, dummy = tree
    assert read_nofollow(str(home / "sub" / "file")) == ("A=1\n", None)
    assert read_nofollow(str(home / "sub" / "filelink")) == (None, "is a symbolic link")
    assert read_nofollow(str(home / "fifo")) == (None, "is not a regular file")
    assert read_nofollow("relative") == (None, "is not an absolute path")


def test_confined(tree):
    home, outside = tree
    assert confined(str(home / "sub" / "file"), str(home)) is True
    assert confined(str(home / "sub" / "filelink"), str(home)) is False
    assert confined(str(home / "dirlink" / "secret"), str(home)) is False
    assert confined(str(home / "fifo"), str(home)) is False
    assert confined(str(outside / "secret"), str(home)) is False
    assert confined(str(home / "sub" / "file"), str(home), uids=(os.geteuid() + 1,)) is False
    assert confined(str(home / "dirlink" / "secret"), str(home / "dirlink"), trust_directory=False) is False


def test_shell_startup_files_in_the_home_are_not_followed(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    target = tmp_path / "root-profile"
    target.write_text("export OPENCLAW_STATE_DIR=/root/secret-state\n")
    os.symlink(str(target), str(home / ".profile"))
    (home / ".bashrc").write_text("export OPENCLAW_CONFIG_PATH=~/c.json\n")
    env, set_in = shell_startup_paths(str(home), files=("~/.profile", "~/.bashrc"))
    assert env == {"OPENCLAW_CONFIG_PATH": str(home / "c.json")}


# --- the strict API the root-side modules use (file backup, config restore) ----------------------------

@pytest.mark.parametrize("path, reason", [
    ("relative/x", "is not an absolute path"),
    ("/a/../b", "is not a normalised path"),
    ("/a/./b", "is not a normalised path"),
    ("/a//b", "is not a normalised path"),
    ("//a", "is not a normalised path"),
    ("/a/b/", "is not a normalised path"),
    ("/a/b\nc", "is not an absolute path"),
    ("/a/\x00", "is not an absolute path"),
])
def test_components_refuses_paths_that_are_not_normalised(path, reason):
    with pytest.raises(Refused) as caught:
        components(path)
    assert str(caught.value).startswith(reason)


def test_confined_parts():
    assert confined_parts("/h", "/h/a/b") == (["h"], ["a", "b"])
    assert confined_parts("/", "/etc") == ([], ["etc"])
    for path in ("/h", "/hx/a", "/etc/x"):
        with pytest.raises(Refused, match="is not inside /h"):
            confined_parts("/h", path)


def test_confined_file_reads_a_regular_file(tree):
    home, dummy = tree
    with ConfinedFile(str(home), str(home / "sub" / "file"), uids=(os.geteuid(),)) as handle:
        assert handle.read() == b"A=1\n" and handle.read(2) == b"A=" and handle.name == "file"


@pytest.mark.parametrize("rel, reason", [
    ("sub/filelink", "is a symbolic link"),                                                      # final component
    ("dirlink/secret", "has a component that is a symbolic link or not a directory (dirlink)"),  # in the middle
    ("sub/file/x", "has a component that is a symbolic link or not a directory (file)"),
    ("fifo", "is not a regular file"),                                                           # and it did not block
    ("sub", "is not a regular file"),
    ("sub/../dirlink/secret", "is not a normalised path"),                                       # '..' never resolved here
])
def test_confined_file_refuses(tree, rel, reason):
    home, dummy = tree
    with pytest.raises(Refused) as caught:
        ConfinedFile(str(home), str(home) + "/" + rel)
    assert str(caught.value).startswith(reason)


def test_confined_file_refuses_outside_missing_and_another_owner(tree):
    home, outside = tree
    with pytest.raises(Refused, match="is not inside"):
        ConfinedFile(str(home), str(outside / "secret"))
    with pytest.raises(OSError):
        ConfinedFile(str(home), str(home / "sub" / "missing"))
    with pytest.raises(Refused, match="is owned by uid %d" % os.geteuid()):
        ConfinedFile(str(home), str(home / "sub" / "file"), uids=(os.geteuid() + 1,))


def test_confined_file_trusts_only_what_it_is_told(tree):
    home, outside = tree
    with pytest.raises(Refused):                                      # from /: the directory itself may not be a link
        ConfinedFile(str(home / "dirlink"), str(home / "dirlink" / "secret"))
    with ConfinedFile(str(home / "dirlink"), str(home / "dirlink" / "secret"), trusted=str(home / "dirlink")) as handle:
        assert handle.read() == b"SECRET=1\n"                          # a trusted directory (a home from passwd) is followed
    with pytest.raises(Refused):
        ConfinedFile(str(home), str(home / "sub" / "file"), trusted=str(outside))   # trusted must contain directory


def test_confined_file_unlink_refuses_a_replaced_file(tree):
    home, dummy = tree
    path = home / "sub" / "file"
    with ConfinedFile(str(home), str(path)) as handle:
        os.rename(str(path), str(home / "sub" / "moved"))
        path.write_text("planted")
        with pytest.raises(Refused, match="replaced"):
            handle.unlink()
    assert path.read_text() == "planted"
    with ConfinedFile(str(home), str(path)) as handle:
        handle.unlink()
    assert not path.exists()


def test_open_dir_walks_without_links(tree):
    home, dummy = tree
    os.close(open_dir(str(home / "sub")))
    with pytest.raises(Refused, match="dirlink"):
        open_dir(str(home / "dirlink"))
    os.close(open_dir(str(home / "dirlink"), trusted=str(home / "dirlink")))


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "store"
    with Dir(str(path), uid=os.geteuid(), gid=os.getegid(), create=True) as directory:
        yield directory


def test_dir_create_and_owner(tmp_path, store):
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o700
    with pytest.raises(Refused, match="is owned by uid"):
        Dir(store.path, uid=os.geteuid() + 1)
    os.symlink(store.path, str(tmp_path / "link"))
    with pytest.raises(Refused):
        Dir(str(tmp_path / "link"))


def test_dir_write_new_never_follows_or_overwrites(tmp_path, store):
    victim = tmp_path / "victim"
    victim.write_text("root file")
    os.symlink(str(victim), store.join("planted"))
    with pytest.raises(OSError):
        store.write_new("planted", b"x")
    assert victim.read_text() == "root file"
    store.write_new("new", b"data", mode=0o640)
    assert stat.S_IMODE(os.lstat(store.join("new")).st_mode) == 0o640
    with pytest.raises(OSError):
        store.write_new("new", b"again")
    assert store.read("new", 4) == b"data"
    with pytest.raises(Refused, match="is larger than 3 bytes"):
        store.read("new", 3)
    with pytest.raises(Refused, match="is a symbolic link"):
        store.read("planted", 100)


def test_dir_replace_rename_and_unlink(tmp_path, store):
    victim = tmp_path / "victim"
    victim.write_text("root file")
    os.symlink(str(victim), store.join("config.json"))
    store.replace("config.json", b"{}")                                # the link is replaced, not followed
    assert victim.read_text() == "root file" and store.read("config.json", 10) == b"{}"
    assert sorted(os.listdir(store.path)) == ["config.json"]          # no temporary file left
    name = store.write_unique("copy-", b"1", 0)
    assert name == "copy-19700101T000000Z" and store.write_unique("copy-", b"2", 0) == name + "-1"
    with pytest.raises(Refused, match="already has"):
        store.rename(name, "config.json")
    store.rename(name, "renamed")
    st = store.lstat("renamed")
    store.rename("renamed", "held")                                   # still exists: the new file gets another inode
    store.write_new("renamed", b"planted")
    with pytest.raises(Refused, match="replaced"):
        store.unlink("renamed", st)
    store.unlink("renamed", store.lstat("renamed"))
    assert store.lstat("renamed") is None


def _aged(directory, name, age_days, now, kind="file"):
    path = directory.join(name)
    if not os.path.exists(path):
        os.mkdir(path) if kind == "dir" else open(path, "w").close()
    os.utime(path, (now - age_days * 86400, now - age_days * 86400))


def test_expired_keeps_the_newest_and_the_spare():
    class St:
        def __init__(self, mtime):
            self.st_mtime = mtime
    entries = [("a", St(100)), ("b", St(90)), ("c", St(80)), ("d", St(0))]
    assert expired(entries, 2, 0, 100) == ["c", "d"]
    assert expired(entries, 10, 1, 100 + 86400 * 2) == ["b", "c", "d"]   # all too old: the newest still stays
    assert expired(entries, 1, 0, 100, spare="c") == ["b", "d"]


def test_prune_never_follows_a_link_and_keeps_the_newest(tmp_path, store):
    import re
    now = time.time()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("x")
    for name, age in (("k-1", 1), ("k-2", 2), ("k-3", 50), ("k-4", 60)):
        _aged(store, name, age, now)
    os.symlink(str(victim), store.join("k-0"))                        # newest-looking, a link: never counted nor followed
    os.symlink(str(victim / "keep"), store.join("k-5"))
    _aged(store, "other", 90, now)
    pattern = re.compile(r"k-[0-9]\Z")
    assert prune(store, 2, 30, now, True, pattern) == [store.join("k-3"), store.join("k-4")]
    assert sorted(os.listdir(store.path)) == ["k-0", "k-1", "k-2", "k-3", "k-4", "k-5", "other"]   # check mode
    assert prune(store, 10, 0, now, False, pattern) == []
    assert prune(store, 1, 30, now, False, pattern) == [store.join("k-2"), store.join("k-3"), store.join("k-4")]
    assert sorted(os.listdir(store.path)) == ["k-0", "k-1", "k-5", "other"] and (victim / "keep").exists()
    assert prune(store, 1, 1, now + 86400 * 100, False, pattern) == []   # the newest always stays
    with pytest.raises(Refused, match="keep must be at least 1"):
        prune(store, 0, 30, now, False, pattern)


def test_prune_directories(tmp_path, store):
    now = time.time()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("x")
    os.mkdir(store.join("run-3"))
    os.symlink(str(victim), store.join("run-3") + "/inner")
    for name, age in (("run-1", 1), ("run-2", 2), ("run-3", 3)):
        _aged(store, name, age, now, kind="dir")
    assert prune(store, 1, 0, now, False, kind="dir", spare="run-3") == [store.join("run-2")]
    assert prune(store, 1, 0, now, False, kind="dir") == [store.join("run-3")]
    assert os.listdir(store.path) == ["run-1"] and (victim / "keep").exists()


def test_flat_name_never_holds_a_path():
    assert flat_name(2, "/h/../../etc/cron.d/evil") == "02-evil"
    assert flat_name(1, "/h/.env") == "01-env"


def test_remove_refuses_an_entry_swapped_after_listing(store):
    store.write_new("old", b"x")
    st = store.lstat("old")
    store.rename("old", "held")
    os.mkdir(store.join("old"))                                       # a directory swapped in under the listed name
    with pytest.raises(Refused, match="replaced"):
        store.remove("old", st)
    assert os.path.isdir(store.join("old"))
    store.remove("held", store.lstat("held"))
    assert store.lstat("held") is None
