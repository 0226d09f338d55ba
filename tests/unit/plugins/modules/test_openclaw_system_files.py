# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_system_files: root's directories and files in one module run, checked before any change, atomic."""

import os
import stat

import pytest

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_system_files
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import run_module


def run(check=False, diff=False, **args):
    return run_module(openclaw_system_files.main, check=check, diff=diff, **args)


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def layout(tmp_path):
    """The watchdog's shape: a private state directory below a new parent, a settings file and a unit."""
    etc, units = tmp_path / "etc", tmp_path / "system"
    etc.mkdir()
    units.mkdir()
    state = str(tmp_path / "var" / "lib" / "clawops" / "watchdog")
    directories = [{"path": state, "mode": "0700"}]
    files = [{"path": str(etc / "watchdog.json"), "content": '{"interval_s": 15}\n', "mode": "0644"},
             {"path": str(units / "w.timer"), "content": "[Timer]\nOnUnitActiveSec=15s\n", "mode": "0644"},
             {"path": state + "/README", "content": "état\n", "mode": "0600"}]
    return directories, files


def test_first_run_makes_everything_and_the_second_changes_nothing(tmp_path):
    directories, files = layout(tmp_path)
    result = run(directories=directories, files=files)
    paths = [directories[0]["path"]] + [f["path"] for f in files]
    assert result["changed"] and result["changed_paths"] == paths and result["created"] == paths
    assert mode_of(directories[0]["path"]) == 0o700
    assert mode_of(str(tmp_path / "var" / "lib")) == 0o755            # a missing parent
    assert open(files[1]["path"]).read() == files[1]["content"] and mode_of(files[1]["path"]) == 0o644
    assert open(files[2]["path"], "rb").read() == "état\n".encode("utf-8") and mode_of(files[2]["path"]) == 0o600
    for check in (False, True):
        again = run(check=check, diff=True, directories=directories, files=files)
        assert not again["changed"] and again["changed_paths"] == [] and "diff" not in again


def test_check_mode_reports_every_change_and_makes_none(tmp_path):
    directories, files = layout(tmp_path)
    result = run(check=True, diff=True, directories=directories, files=files)
    assert result["changed"] and len(result["created"]) == 4
    assert not (tmp_path / "var").exists() and os.listdir(str(tmp_path / "etc")) == []
    assert [d["after_header"] for d in result["diff"]] == result["changed_paths"]


def test_changed_content_is_replaced_atomically_with_a_diff(tmp_path):
    directories, files = layout(tmp_path)
    run(directories=directories, files=files)
    timer = files[1]["path"]
    inode = os.stat(timer).st_ino
    files[1]["content"] = "[Timer]\nOnUnitActiveSec=60s\n"
    result = run(diff=True, directories=directories, files=files)
    assert result["changed_paths"] == [timer] and result["created"] == []
    assert result["diff"] == [dict(before_header=timer, after_header=timer, before="[Timer]\nOnUnitActiveSec=15s\n",
                                   after="[Timer]\nOnUnitActiveSec=60s\n")]
    assert open(timer).read() == files[1]["content"] and os.stat(timer).st_ino != inode
    assert [n for n in os.listdir(os.path.dirname(timer)) if "clawops-tmp" in n] == []


def test_mode_and_owner_drift_are_fixed_without_rewriting_the_content(tmp_path):
    directories, files = layout(tmp_path)
    run(directories=directories, files=files)
    os.chmod(files[0]["path"], 0o666)
    os.chmod(directories[0]["path"], 0o755)
    result = run(diff=True, directories=directories, files=files)
    assert result["changed_paths"] == [directories[0]["path"], files[0]["path"]]
    assert mode_of(files[0]["path"]) == 0o644 and mode_of(directories[0]["path"]) == 0o700
    assert "mode 0666" in result["diff"][1]["before"] and "mode 0644" in result["diff"][1]["after"]


def test_a_link_where_a_file_belongs_is_replaced_not_followed(tmp_path):
    directories, files = layout(tmp_path)
    target = tmp_path / "elsewhere"
    target.write_text("keep\n")
    os.symlink(str(target), files[0]["path"])
    result = run(directories=directories, files=files)
    assert files[0]["path"] in result["changed_paths"]
    assert not os.path.islink(files[0]["path"]) and open(files[0]["path"]).read() == files[0]["content"]
    assert target.read_text() == "keep\n"


@pytest.mark.parametrize("plant", ["link", "file"])
def test_a_directory_listed_where_a_link_or_file_is_is_refused_before_any_change(tmp_path, plant):
    directories, files = layout(tmp_path)
    state = directories[0]["path"]
    os.makedirs(os.path.dirname(state))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if plant == "link":
        os.symlink(str(elsewhere), state)
    else:
        open(state, "w").close()
    result = run(directories=directories, files=files)
    assert result["failed"] and "%s is listed as a directory" % state in result["msg"] and "nothing was changed" in result["msg"]
    assert os.listdir(str(tmp_path / "etc")) == [] and os.listdir(str(elsewhere)) == []


def test_a_file_below_a_linked_directory_is_refused(tmp_path):
    directories, files = layout(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(str(elsewhere), str(tmp_path / "linked"))
    files.append({"path": str(tmp_path / "linked" / "x.conf"), "content": "x\n", "mode": "0644"})
    result = run(directories=directories, files=files)
    assert result["failed"] and "is a link or not a directory" in result["msg"]
    assert os.listdir(str(elsewhere)) == [] and os.listdir(str(tmp_path / "etc")) == []


@pytest.mark.parametrize("edit, message", [
    (lambda d, f: d.append({"path": "var/lib/x", "mode": "0700"}), "is not an absolute, normalised path"),
    (lambda d, f: d.append({"path": d[0]["path"] + "/../x", "mode": "0700"}), "is not an absolute, normalised path"),
    (lambda d, f: d.append({"path": "/tmp/x\nExecStart=/bin/sh", "mode": "0700"}), "is not an absolute, normalised path"),
    (lambda d, f: f.append(dict(f[0])), "is listed more than once"),
    (lambda d, f: f[0].update(mode="644x"), "must be an octal mode"),
    (lambda d, f: f.append({"path": f[0]["path"] + ".d/x.conf", "content": "", "mode": "0644"}), "does not exist and is not listed"),
    (lambda d, f: f.append({"path": os.path.dirname(f[0]["path"]), "content": "", "mode": "0644"}), "is listed as a file and is a directory"),
], ids=["relative", "dot-dot", "control-character", "duplicate", "bad-mode", "parent-missing", "file-over-directory"])
def test_bad_input_is_refused_before_any_change(tmp_path, edit, message):
    directories, files = layout(tmp_path)
    edit(directories, files)
    result = run(directories=directories, files=files)
    assert result["failed"] and message in result["msg"] and "nothing was changed" in result["msg"], result["msg"]
    assert not (tmp_path / "var").exists() and os.listdir(str(tmp_path / "etc")) == []


def test_absent_removes_files_links_and_trees_without_following_links(tmp_path):
    directories, files = layout(tmp_path)
    run(directories=directories, files=files)
    lib = tmp_path / "lib" / "watchdog"
    (lib / "pkg").mkdir(parents=True)
    (lib / "pkg" / "m.py").write_text("x\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("keep\n")
    os.symlink(str(outside), str(lib / "pkg" / "link"))          # inside the tree: removed, not followed
    os.symlink(str(outside / "keep"), str(tmp_path / "etc" / "x.conf"))
    absent = [str(lib), files[1]["path"], str(tmp_path / "etc" / "x.conf"), str(tmp_path / "never")]

    check = run(check=True, diff=True, absent=absent)
    assert check["changed"] and check["removed"] == absent[:3] and check["changed_paths"] == absent[:3]
    assert lib.exists() and os.path.exists(files[1]["path"])
    assert [d["before"] for d in check["diff"]] == ["directory\n", "file\n", "link\n"]

    result = run(absent=absent)
    assert result["removed"] == absent[:3]
    assert not os.path.lexists(str(lib)) and not os.path.lexists(files[1]["path"]) and not os.path.lexists(absent[2])
    assert (outside / "keep").read_text() == "keep\n"
    again = run(absent=absent)
    assert not again["changed"] and again["removed"] == []


def test_absent_below_a_linked_directory_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "unit.timer").write_text("keep\n")
    os.symlink(str(elsewhere), str(tmp_path / "linked"))
    result = run(absent=[str(tmp_path / "linked" / "unit.timer")])
    assert result["failed"] and "is a link or not a directory" in result["msg"] and "nothing was changed" in result["msg"]
    assert (elsewhere / "unit.timer").read_text() == "keep\n"


def test_absent_paths_are_validated_before_any_change(tmp_path):
    directories, files = layout(tmp_path)
    result = run(directories=directories, files=files, absent=[files[0]["path"], "relative/path"])
    assert result["failed"] and "is not an absolute, normalised path" in result["msg"]
    assert not (tmp_path / "var").exists() and os.listdir(str(tmp_path / "etc")) == []
    result = run(directories=directories, files=files, absent=[files[0]["path"]])
    assert result["failed"] and "is listed more than once" in result["msg"]
