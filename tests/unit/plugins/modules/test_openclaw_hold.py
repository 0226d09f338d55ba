# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_hold: the hold a play takes is the one the watchdog reads (one format), in one module run."""

import json
import os
import time

import pytest


from ansible_collections.clawops.openclaw.plugins.module_utils import _hold
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_hold
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    run_module,
)

ROOT = os.geteuid() == 0


def run(check=False, **args):
    return run_module(openclaw_hold.main, check=check, **args)


@pytest.mark.skipif(not ROOT, reason="the hold counts only as a file of root")
def test_taken_hold_is_read_by_the_watchdog_and_released(tmp_path):
    path = str(tmp_path / "run" / "hold")
    result = run(path=path, by="site.yml", ttl_s=600)
    assert result["changed"] and result["held"]
    assert oct(os.stat(str(tmp_path / "run")).st_mode & 0o777) == "0o755" and oct(os.stat(path).st_mode & 0o777) == "0o644"
    assert json.load(open(path))["by"] == "site.yml"
    assert _hold.reason(path, time.time()).startswith("site.yml until ")
    assert _hold.reason(path, time.time() + 601) is None
    # Taken again (the next play): a new file, never through a link planted there.
    os.unlink(path)
    victim = tmp_path / "victim"
    victim.write_text("keep")
    os.symlink(str(victim), path)
    run(path=path, by="remediate.yml", ttl_s=60)
    assert victim.read_text() == "keep" and not os.path.islink(path)
    assert _hold.reason(path, time.time()).startswith("remediate.yml until ")
    released = run(path=path, state="absent")
    assert released["changed"] and not released["held"] and not os.path.lexists(path)
    assert not run(path=path, state="absent")["changed"]
    assert not run(path=str(tmp_path / "missing" / "hold"), state="absent")["changed"]


def test_check_mode_writes_nothing(tmp_path):
    path = str(tmp_path / "run" / "hold")
    assert run(check=True, path=path)["changed"]
    assert not os.path.exists(str(tmp_path / "run"))


def test_a_linked_or_writable_directory_is_refused(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o755)
    os.symlink(str(real), str(tmp_path / "link"))
    refused = run(path=str(tmp_path / "link" / "hold"))
    assert refused["failed"] and "without following a link" in refused["msg"] and os.listdir(str(real)) == []
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    os.chmod(str(open_dir), 0o777)
    refused = run(path=str(open_dir / "hold"))
    assert refused["failed"] and "only its owner" in refused["msg"] and os.listdir(str(open_dir)) == []


@pytest.mark.parametrize("args, message", [
    (dict(ttl_s=0), "ttl_s must be 1 or more"),
    (dict(by="x\nExecStart=/bin/sh"), "control characters"),
    (dict(path="relative/hold"), "absolute file path"),
])
def test_bad_input_refused(tmp_path, args, message):
    result = run(**args)
    assert result["failed"] and message in result["msg"]
