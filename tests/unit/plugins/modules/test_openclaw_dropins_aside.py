# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Drop-ins set aside for OpenClaw's installer are never stranded or deleted (issue 11, data loss).

The old tasks: `mv --no-clobber dir dir.clawops-aside` (into a leftover aside dir when one existed), only
`*.conf` moved back, then the aside dir deleted with whatever was left; a leftover from a failed run was
never looked at again.
"""

import errno
import os
from unittest import mock

import pytest


from ansible_collections.clawops.openclaw.plugins.modules import openclaw_dropins_aside
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    run_module,
)

OWN = "50-clawops-openclaw.conf"


def run(check=False, **args):
    args.setdefault("rewrite", [OWN])
    return run_module(openclaw_dropins_aside.main, check=check, **args)


def tree(path):
    return {p.name: p.read_text() for p in path.iterdir()} if path.exists() else None


@pytest.fixture
def dropins(tmp_path):
    d = tmp_path / "openclaw-gateway.service.d"
    d.mkdir()
    (d / "10-operator.conf").write_text("[Service]\nEnvironment=A=1\n")
    (d / "notes.txt").write_text("operator notes")
    (d / OWN).write_text("[Service]\nEnvironment=OLD=1\n")
    return d


def aside(d):
    return d.parent / (d.name + ".clawops-aside")


def test_round_trip_brings_every_file_back(dropins):
    before = tree(dropins)
    result = run(path=str(dropins), state="aside")
    assert result["changed"] and result["moved_aside"] and not dropins.exists() and tree(aside(dropins)) == before
    result = run(path=str(dropins), state="back")
    assert result["changed"] and not aside(dropins).exists()
    assert tree(dropins) == {"10-operator.conf": before["10-operator.conf"], "notes.txt": "operator notes"}  # non-.conf too
    assert result["dropped"] == [OWN]
    assert run(path=str(dropins), state="back")["changed"] is False


def test_leftover_aside_from_a_failed_run_is_merged_first_never_moved_into(dropins):
    left = aside(dropins)
    left.mkdir()
    (left / "20-stranded.conf").write_text("[Service]\nEnvironment=B=2\n")
    (left / "10-operator.conf").write_text("[Service]\nEnvironment=A=0\n")      # older, different: a conflict
    result = run(path=str(dropins), state="aside")
    assert result["moved_aside"] and result["conflicts"] == [dict(name="10-operator.conf", new_name="10-operator.conf.clawops-conflict")]
    # The aside dir holds the merged set: no nested openclaw-gateway.service.d inside the leftover.
    assert sorted(tree(left)) == sorted(["10-operator.conf", "10-operator.conf.clawops-conflict", "20-stranded.conf", "notes.txt", OWN])
    run(path=str(dropins), state="back")
    assert sorted(tree(dropins)) == ["10-operator.conf", "10-operator.conf.clawops-conflict", "20-stranded.conf", "notes.txt"]
    assert not left.exists()


def test_leftover_is_brought_back_even_when_the_unit_exists(dropins):
    """The old tasks only looked aside when the facts saw drop-ins of a missing unit: a leftover stayed forever."""
    left = aside(dropins)
    left.mkdir()
    (left / "20-stranded.conf").write_text("x")
    result = run(path=str(dropins), state="back")
    assert result["restored"] == ["20-stranded.conf"] and (dropins / "20-stranded.conf").read_text() == "x" and not left.exists()


def test_back_recreates_a_missing_directory(dropins):
    run(path=str(dropins), state="aside")
    assert not dropins.exists()
    run(path=str(dropins), state="back")
    assert (dropins / "notes.txt").exists()


def test_check_mode_changes_nothing(dropins):
    before = tree(dropins)
    left = aside(dropins)
    left.mkdir()
    (left / "20-stranded.conf").write_text("x")
    result = run(check=True, path=str(dropins), state="aside")
    assert result["changed"] and result["moved_aside"] and tree(dropins) == before and tree(left) == {"20-stranded.conf": "x"}


def test_empty_or_missing_directory_is_left_alone(tmp_path):
    d = tmp_path / "x.service.d"
    assert run(path=str(d), state="aside")["changed"] is False
    d.mkdir()
    assert run(path=str(d), state="aside")["changed"] is False and d.exists()


def test_an_aside_that_is_not_a_directory_fails_and_loses_nothing(dropins, tmp_path):
    aside(dropins).symlink_to(str(tmp_path))
    result = run(path=str(dropins), state="aside")
    assert result.get("failed") and tree(dropins)["notes.txt"] == "operator notes"


def overlay_rename(real_rename):
    """os.rename as on an overlay filesystem whose lower layer holds the directories: EXDEV for a directory."""
    def rename(src, dst):
        if os.path.isdir(src) and not os.path.islink(src):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), src)
        return real_rename(src, dst)
    return rename


def test_a_directory_overlayfs_cannot_rename_moves_entry_by_entry_and_comes_back(dropins):
    """A node started from an image: the drop-in directory is in a lower layer, renaming it gives EXDEV
    ("Invalid cross-device link", seen on the molecule node image). Every entry moves on its own, nested too."""
    (dropins / "nested").mkdir()
    (dropins / "nested" / "kept.conf").write_text("nested")

    def names(path):
        return sorted(p.name for p in path.iterdir())

    before = names(dropins)
    with mock.patch.object(openclaw_dropins_aside.os, "rename", overlay_rename(os.rename)):
        result = run(path=str(dropins), state="aside")
        assert result["changed"] and result["moved_aside"] and not dropins.exists(), result
        assert names(aside(dropins)) == before and (aside(dropins) / "nested" / "kept.conf").read_text() == "nested"
        result = run(path=str(dropins), state="back")
    assert result["changed"] and not aside(dropins).exists(), result
    assert names(dropins) == sorted(set(before) - {OWN}) and (dropins / "nested" / "kept.conf").read_text() == "nested"


def test_other_rename_errors_still_fail_and_lose_nothing(dropins):
    before = tree(dropins)
    with mock.patch.object(openclaw_dropins_aside.os, "rename", side_effect=OSError(errno.EACCES, "Permission denied")):
        result = run(path=str(dropins), state="aside")
    assert result["failed"] and "Permission denied" in result["msg"] and tree(dropins) == before
