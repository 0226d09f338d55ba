# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_file_backup: root copies files out of the service user's home without being steered by it.

The attack of issue 11 (critical): remediate backed up an EnvironmentFile= named in a user-owned drop-in to
`<backup dir>/<stamp><path>`; `..` plus a symlink in the home put a user-owned file anywhere as root.
"""

import json
import os
import stat
import time

import pytest


from ansible_collections.clawops.openclaw.plugins.module_utils import _safefs
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_file_backup
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    run_module,
)


def run(check=False, diff=False, **args):
    return run_module(openclaw_file_backup.main, check=check, diff=diff, **args)


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home" / "openclaw"
    (home / ".openclaw").mkdir(parents=True)
    (home / ".config" / "systemd" / "user").mkdir(parents=True)
    (home / ".openclaw" / ".env").write_text("ALL_PROXY=socks5://127.0.0.1:1080\nOPENAI_API_KEY=sk-SENTINEL\n")
    return home


@pytest.fixture
def dest(tmp_path):
    return tmp_path / "var" / "backups"


def listing(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_backup_has_flat_names_and_a_manifest(home, dest):
    env = home / ".openclaw" / ".env"
    unit = home / ".config" / "systemd" / "user" / "openclaw-gateway.service"
    unit.write_text("[Service]\nEnvironment=HTTPS_PROXY=http://x\n")
    result = run(src=[str(env), str(unit), str(env)], confine=str(home), dest=str(dest), name="20260101T000000Z")
    assert result["changed"] and not result["refused"]
    run_dir = dest / "20260101T000000Z"
    assert result["run_dir"] == str(run_dir)
    assert sorted(os.listdir(str(run_dir))) == ["01-env", "02-openclaw-gateway.service", "manifest.json"]
    assert (run_dir / "01-env").read_bytes() == env.read_bytes()
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o700 and stat.S_IMODE(os.stat(str(run_dir / "01-env")).st_mode) == 0o600
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert [f["path"] for f in manifest["files"]] == [str(env), str(unit)]
    assert manifest["files"][0]["name"] == "01-env" and len(manifest["files"][0]["sha256"]) == 64
    assert "sk-SENTINEL" not in json.dumps(result)                     # contents never in the result


def test_the_critical_finding_dotdot_and_symlink_cannot_steer_root(home, dest, tmp_path):
    """EnvironmentFile=<home>/x/../../../../etc/cron.d/evil with <home>/x a symlink: nothing is written outside dest."""
    outside = tmp_path / "etc" / "cron.d"
    outside.mkdir(parents=True)
    (home / "x").symlink_to(str(home / ".openclaw"))
    evil = str(home / "x") + "/../../../../etc/cron.d/evil"
    result = run(src=[evil], confine=str(home), dest=str(dest))
    assert result["refused"][0]["path"] == evil and "normalised" in result["refused"][0]["reason"]
    assert result["changed"] is False and listing(outside) == [] and listing(dest) == []


@pytest.mark.parametrize("where", ["final", "directory"])
def test_symlinks_are_refused(home, dest, tmp_path, where):
    secret = tmp_path / "root-only"
    secret.write_text("root secret")
    if where == "final":
        link = home / ".openclaw" / "gateway.env"
        link.symlink_to(str(secret))
    else:
        (home / "linkdir").symlink_to(str(tmp_path))
        link = home / "linkdir" / "root-only"
    result = run(src=[str(link)], confine=str(home), dest=str(dest))
    assert result["refused"] and "symbolic link" in result["refused"][0]["reason"]
    assert listing(dest) == []


def test_outside_confine_fifo_and_directory_refused(home, dest, tmp_path):
    (tmp_path / "elsewhere").write_text("x")
    os.mkfifo(str(home / "fifo"))
    result = run(src=[str(tmp_path / "elsewhere"), str(home / "fifo"), str(home / ".openclaw"), "relative/path", str(home) + "/"],
                 confine=str(home), dest=str(dest))
    reasons = [r["reason"] for r in result["refused"]]
    assert reasons[0].startswith("is not inside") and reasons[1] == "is not a regular file" and reasons[2] == "is not a regular file"
    assert reasons[3] == "is not an absolute path" and "normalised" in reasons[4]
    assert result["changed"] is False and listing(dest) == []


def test_oversized_source_refused(home, dest):
    result = run(src=[str(home / ".openclaw" / ".env")], confine=str(home), dest=str(dest), max_size=10)
    assert "max_size" in result["refused"][0]["reason"] and listing(dest) == []


def test_check_mode_writes_nothing(home, dest):
    result = run(check=True, diff=True, src=[str(home / ".openclaw" / ".env")], confine=str(home), dest=str(dest), remove_src=True)
    assert result["changed"] and result["files"][0]["name"] == "01-env"
    assert "sk-SENTINEL" not in result["diff"]["after"]
    assert listing(dest) == [] and (home / ".openclaw" / ".env").exists()


def test_quarantine_removes_the_source_only_after_copying(home, dest):
    bak = home / ".config" / "systemd" / "user" / "openclaw-gateway.service.bak"
    bak.write_text("[Service]\nEnvironment=ALL_PROXY=socks5://x\n")
    result = run(src=[str(bak)], confine=str(home), dest=str(dest), remove_src=True, name="q")
    assert result["files"][0]["removed"] and not bak.exists()
    assert (dest / "q" / "01-openclaw-gateway.service.bak").read_text().startswith("[Service]")
    assert json.loads((dest / "q" / "manifest.json").read_text())["removed_sources"] is True


def test_retention_keeps_newest_runs_and_drops_old_ones(home, dest):
    dest.mkdir(parents=True)
    now = time.time()
    for i, age_days in enumerate([1, 2, 3, 40]):
        d = dest / ("old-%d" % i)
        d.mkdir()
        os.utime(str(d), (now - age_days * 86400, now - age_days * 86400))
    (dest / "a-file").write_text("not a run")
    result = run(src=[str(home / ".openclaw" / ".env")], confine=str(home), dest=str(dest), name="new", keep=3, max_age_days=30)
    assert sorted(os.path.basename(p) for p in result["pruned"]) == ["old-2", "old-3"]
    assert sorted(os.listdir(str(dest))) == ["a-file", "new", "old-0", "old-1"]


def test_retention_only_and_the_newest_always_stays(dest):
    dest.mkdir(parents=True)
    old = dest / "20200101T000000Z"
    old.mkdir()
    os.utime(str(old), (1, 1))
    result = run(dest=str(dest), keep=1, max_age_days=1)
    assert result["changed"] is False and old.exists()
    newer = dest / "20200102T000000Z"
    newer.mkdir()
    os.utime(str(newer), (2, 2))
    result = run(check=True, dest=str(dest), keep=1)
    assert result["pruned"] == [str(old)] and old.exists()               # check mode
    result = run(dest=str(dest), keep=1)
    assert result["changed"] and not old.exists() and newer.exists()


def test_retention_never_follows_a_link_in_dest(dest, tmp_path):
    dest.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep").write_text("x")
    (dest / "new").mkdir()
    (dest / "link").symlink_to(str(victim))
    run(dest=str(dest), keep=1)
    assert (victim / "keep").exists()


@pytest.mark.parametrize("args, message", [
    (dict(keep=0), "keep must be at least 1"),
    (dict(keep=-1), "keep must be at least 1"),
    (dict(max_age_days=-1), "max_age_days"),
    (dict(name="../etc"), "name"),
    (dict(name="a\nb"), "name"),
    (dict(dest="/var/lib/../../etc"), "dest"),
    (dict(src=["/x"]), "confine"),
    (dict(remove_src=True, layout="mirror", src=["/h/x"], confine="/h"), "remove_src"),
])
def test_bad_options_refused_before_anything(dest, args, message):
    args.setdefault("dest", str(dest))
    result = run(**args)
    assert result.get("failed") and message in result["msg"]
    assert not dest.exists()


def test_dest_that_is_a_symlink_is_refused(home, tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "dest").symlink_to(str(target))
    result = run(src=[str(home / ".openclaw" / ".env")], confine=str(home), dest=str(tmp_path / "dest"))
    assert result.get("failed") and listing(target) == []


def test_mirror_is_idempotent(home, tmp_path):
    unit = home / ".config" / "systemd" / "user" / "openclaw-gateway.service"
    unit.write_text("[Service]\nExecStart=/usr/bin/node\n")
    copies = tmp_path / "units"
    args = dict(src=[str(unit)], confine=str(home), dest=str(copies), layout="mirror")
    assert run(check=True, **args)["changed"] and not copies.exists()
    assert run(**args)["changed"]
    assert (copies / "openclaw-gateway.service").read_text() == unit.read_text()
    assert stat.S_IMODE(os.stat(str(copies / "openclaw-gateway.service")).st_mode) == 0o600
    assert run(**args)["changed"] is False
    unit.write_text("[Service]\nExecStart=/usr/bin/node2\n")
    assert run(**args)["changed"] and "node2" in (copies / "openclaw-gateway.service").read_text()


def test_mirror_refuses_a_symlinked_unit(home, tmp_path):
    shadow = tmp_path / "shadow"
    shadow.write_text("root:hash")
    unit = home / ".config" / "systemd" / "user" / "openclaw-gateway.service"
    unit.symlink_to(str(shadow))
    copies = tmp_path / "units"
    result = run(src=[str(unit)], confine=str(home), dest=str(copies), layout="mirror")
    assert result["refused"] and result["changed"] is False and not copies.exists()


def test_flat_names():
    assert _safefs.flat_name(3, "/h/.config/x y/../evil\nname") == "03-evil_name"
    assert _safefs.flat_name(1, "/h/...") == "01-file"
    assert "/" not in _safefs.flat_name(1, "/a/b/c")
