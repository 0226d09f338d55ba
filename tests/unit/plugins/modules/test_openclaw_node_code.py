# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_node_code: the watchdog's code tree in one module run, exact, atomic, never steered by a link."""

import os
import stat
import subprocess
import sys
from unittest import mock

import pytest


from ansible_collections.clawops.openclaw.plugins.modules import openclaw_node_code
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    run_module,
)

PKG = "ansible_collections/clawops/__init__.py"
FILES = {"entry": "#!/usr/bin/python3\nprint('hi')\n", "ansible_collections/__init__.py": "", PKG: "",
         "ansible_collections/clawops/_mod.py": "X = 'é'\n"}


def run(check=False, diff=False, **args):
    return run_module(openclaw_node_code.main, check=check, diff=diff, **args)


def tree(root):
    """{relative path: (content or 'dir', mode)} of everything under root, links as 'link'."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            rel = os.path.relpath(path, root)
            kind = "link" if stat.S_ISLNK(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode) else open(path, "rb").read()
            found[rel] = (kind, oct(stat.S_IMODE(st.st_mode)))
    return found


def test_first_run_writes_the_tree_second_changes_nothing(tmp_path):
    root = str(tmp_path / "lib" / "watchdog")
    result = run(path=root, files=FILES)
    assert result["changed"] and sorted(result["written"]) == sorted(FILES) and result["removed"] == []
    got = tree(root)
    assert got["ansible_collections/clawops/_mod.py"] == ("X = 'é'\n".encode("utf-8"), "0o644")
    assert got["ansible_collections/clawops"] == ("dir", "0o755")
    assert oct(stat.S_IMODE(os.stat(root).st_mode)) == "0o755"
    for check in (False, True):
        again = run(check=check, diff=True, path=root, files=FILES)
        assert not again["changed"] and again["written"] == [] and "diff" not in again
    assert tree(root) == got


def test_check_mode_reports_and_changes_nothing(tmp_path):
    root = str(tmp_path / "w")
    result = run(check=True, path=root, files=FILES)
    assert result["changed"] and sorted(result["written"]) == sorted(FILES)
    assert not os.path.exists(root)
    run(path=root, files=FILES)
    changed = dict(FILES, entry="print('new')\n")
    before = tree(root)
    result = run(check=True, diff=True, path=root, files=changed)
    assert result["written"] == ["entry"] and tree(root) == before
    assert result["diff"]["after"].startswith("entry ") and "print" not in result["diff"]["after"]


def test_unlisted_files_go_pycache_stays_and_changed_content_and_mode_are_fixed(tmp_path):
    root = str(tmp_path / "w")
    run(path=root, files=FILES)
    os.makedirs(os.path.join(root, "ansible_collections/clawops/__pycache__"))
    open(os.path.join(root, "ansible_collections/clawops/__pycache__/_mod.cpython-311.pyc"), "wb").write(b"\0")
    os.makedirs(os.path.join(root, "old/pkg"))
    open(os.path.join(root, "old/pkg/gone.py"), "w").write("")
    open(os.path.join(root, "ansible_collections/clawops/_old.py"), "w").write("")
    os.chmod(os.path.join(root, "entry"), 0o666)
    with open(os.path.join(root, "ansible_collections/__init__.py"), "w") as f:
        f.write("tampered = 1\n")
    result = run(path=root, files=FILES)
    assert sorted(result["removed"]) == ["ansible_collections/clawops/_old.py", "old/", "old/pkg/", "old/pkg/gone.py"]
    assert sorted(result["written"]) == ["ansible_collections/__init__.py", "entry"]
    got = tree(root)
    assert got["entry"][1] == "0o644" and got["ansible_collections/__init__.py"][0] == b""
    assert "ansible_collections/clawops/__pycache__/_mod.cpython-311.pyc" in got
    assert not [rel for rel in got if rel.startswith("old")]
    assert not run(path=root, files=FILES)["changed"]


def test_links_are_replaced_never_followed(tmp_path):
    root = str(tmp_path / "w")
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim"
    victim.write_text("keep")
    os.makedirs(os.path.join(root, "ansible_collections"))
    os.symlink(str(victim), os.path.join(root, "entry"))          # a listed file that is a link
    os.symlink(str(outside), os.path.join(root, "ansible_collections/clawops"))  # a directory that is a link
    result = run(path=root, files=FILES)
    assert result["changed"]
    assert victim.read_text() == "keep" and sorted(os.listdir(str(outside))) == ["victim"]
    got = tree(root)
    assert got["entry"][0] == FILES["entry"].encode() and got["ansible_collections/clawops"][0] == "dir"
    # A link on the way to the root is refused, not followed.
    os.symlink(str(outside), str(tmp_path / "via"))
    refused = run(path=str(tmp_path / "via" / "w"), files=FILES)
    assert refused["failed"] and "without following a link" in refused["msg"]
    assert sorted(os.listdir(str(outside))) == ["victim"]


@pytest.mark.parametrize("files, message", [
    ({"../etc/cron.d/x": ""}, "not a relative path of plain names"),
    ({"/etc/passwd": ""}, "not a relative path of plain names"),
    ({"a/.hidden": ""}, "not a relative path of plain names"),
    ({"a/__pycache__/x.pyc": ""}, "not a relative path of plain names"),
    ({"a": "", "a/b.py": ""}, "listed as a file and is a directory"),
    ({"a": 3}, "must be text"),
])
def test_bad_paths_refused_before_any_change(tmp_path, files, message):
    root = str(tmp_path / "w")
    result = run(path=root, files=dict(files, good=""))
    assert result["failed"] and message in result["msg"] and "nothing was changed" in result["msg"]
    assert not os.path.exists(root)


@pytest.mark.parametrize("mode, expected", [("0640", 0o640), ("640", 0o640), (0o600, 0o600)])
def test_modes_as_written_or_as_yaml_integers(tmp_path, mode, expected):
    root = str(tmp_path / "w")
    run(path=root, files={"f": "x"}, mode=mode)
    assert stat.S_IMODE(os.stat(os.path.join(root, "f")).st_mode) == expected


def test_bad_mode_and_relative_root_refused(tmp_path):
    assert "octal mode" in run(path=str(tmp_path / "w"), files={"f": ""}, mode="rw-r--r--")["msg"]
    assert "absolute, normalised" in run(path="relative/w", files={"f": ""})["msg"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    root = str(tmp_path / "w")
    run(path=root, files={"f": "old"})
    with mock.patch.object(openclaw_node_code.os, "fsync", side_effect=OSError(28, "No space left on device")):
        result = run(path=root, files={"f": "new"})
    assert result["failed"] and "No space left" in result["msg"]
    assert os.listdir(root) == ["f"] and open(os.path.join(root, "f")).read() == "old"


# --- the bytecode cache (compile_python) ------------------------------------------------------------------------

CODE = {"ansible_collections/__init__.py": "", "ansible_collections/probe.py": "VALUE = 'from the source'\n", "entry": "#!x\n"}
PYC = "ansible_collections/__pycache__/probe.%s.pyc" % sys.implementation.cache_tag
PYCS = [PYC.replace("probe.", "__init__."), PYC]


def import_read_only(root):
    """What the watchdog's unit does: import the code where Python cannot write (-B stands in for ProtectSystem=full).
    Returns its VALUE."""
    script = "import sys; sys.path.insert(0, %r); import ansible_collections.probe as p; print(p.VALUE)" % str(root)
    out = subprocess.run([sys.executable, "-I", "-B", "-c", script], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()[0]


def test_the_bytecode_cache_is_written_once_and_python_uses_it(tmp_path):
    root = str(tmp_path / "lib")
    first = run(path=root, files=CODE, compile_python=True)
    assert first["changed"] and first["compiled"] == PYCS                # only .py files, not the entry point
    second = run(path=root, files=CODE, compile_python=True)
    assert not second["changed"] and second["compiled"] == []
    # Python takes it as current: with the source's text swapped for another of the same size and mtime, it runs
    # the cached code (so no compile at each start), i.e. the header matches what Python checks.
    source = os.path.join(root, "ansible_collections", "probe.py")
    st = os.stat(source)
    swapped = "VALUE = 'not compiled!!!'\n"
    assert len(swapped) == st.st_size
    with open(source, "w") as handle:
        handle.write(swapped)
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert import_read_only(root) == "from the source"


def test_a_changed_source_gets_a_new_cache_and_check_mode_says_so(tmp_path):
    root = str(tmp_path / "lib")
    run(path=root, files=CODE, compile_python=True)
    changed = dict(CODE, **{"ansible_collections/probe.py": "VALUE = 'second version'\n"})
    dry = run(check=True, path=root, files=changed, compile_python=True)
    assert dry["changed"] and dry["compiled"] == [PYC] and import_read_only(root) == "from the source"
    real = run(path=root, files=changed, compile_python=True)
    assert real["compiled"] == [PYC] and import_read_only(root) == "second version"
    # A missing or foreign cache file is written again; without the option nothing is compiled.
    os.unlink(os.path.join(root, PYC))
    assert run(check=True, path=root, files=changed, compile_python=True)["compiled"] == [PYC]
    assert run(path=root, files=changed)["changed"] is False


def test_a_link_in_place_of_the_cache_is_replaced_not_followed(tmp_path):
    root = tmp_path / "lib"
    run(path=str(root), files=CODE)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "ansible_collections" / "__pycache__").symlink_to(outside)
    assert run(path=str(root), files=CODE, compile_python=True)["compiled"] == PYCS
    assert list(outside.iterdir()) == []
    assert stat.S_ISDIR(os.lstat(root / "ansible_collections" / "__pycache__").st_mode)


def test_code_that_does_not_compile_fails_the_module(tmp_path):
    result = run(path=str(tmp_path / "lib"), files=dict(CODE, **{"ansible_collections/probe.py": "def broken(:\n"}), compile_python=True)
    assert result["failed"] and "probe.py" in result["msg"]
