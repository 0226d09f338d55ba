# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading files the service user controls, as root, without following its links (issue 11, rule 2a)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    confined, is_inside, normalise_path, read_beneath, read_nofollow, shell_startup_paths,
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
