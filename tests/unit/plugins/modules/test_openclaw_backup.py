# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_backup against a fake `openclaw` executable that speaks `backup create` / `backup restore` as 2026.9.6
does: create tars $HOME/.openclaw into <root>/payload/posix<state dir>, restore untars into a fresh --target."""

import errno
import json
import os
import re
import sqlite3
import stat
import sys
import tarfile
import time
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.clawops.openclaw.plugins.module_utils import _backup
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_backup
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    AnsibleExitJson, AnsibleFailJson, exit_json, fail_json, set_module_args,
)

FAKE_OPENCLAW = r'''#!%(python)s
"""`openclaw backup create|restore --json` as OpenClaw 2026.9.6 answers; knobs.json next to it bends the answers."""
import json
import os
import sys
import tarfile
import time

here = os.path.dirname(os.path.abspath(__file__))
knobs = {}
if os.path.exists(os.path.join(here, "knobs.json")):
    with open(os.path.join(here, "knobs.json")) as handle:
        knobs = json.load(handle)
args = sys.argv[1:]
with open(os.path.join(here, "calls.jsonl"), "a") as log:
    log.write(json.dumps(dict(argv=args, config=os.environ.get("OPENCLAW_CONFIG_PATH"))) + "\n")
state = os.environ.get("OPENCLAW_STATE_DIR") or os.path.join(os.environ["HOME"], ".openclaw")
print("[plugins] loaded {feishu}")

if args[:2] == ["backup", "create"]:
    out = args[args.index("--output") + 1]
    if os.path.lexists(out):
        sys.stderr.write("Error: refusing to overwrite %%s\n" %% out)
        sys.exit(1)
    root = time.strftime("%%Y-%%m-%%dT%%H-%%M-%%S.000+00-00", time.gmtime()) + "-openclaw-backup"
    with_workspace = "--no-include-workspace" not in args

    def without_workspace(info):
        rel = info.name[len(root + "/payload/posix" + state):].lstrip("/")
        return None if not with_workspace and rel.split("/")[0] == "workspace" else info

    manifest = os.path.join(here, "manifest.json")
    with open(manifest, "w") as handle:
        json.dump(dict(archiveRoot=root, stateDir=state), handle)
    with tarfile.open(out, "w:gz") as tar:
        tar.add(manifest, arcname=root + "/manifest.json")
        tar.add(state, arcname=root + "/payload/posix" + state, filter=without_workspace)
    if knobs.get("create_rc"):
        sys.stderr.write("Error: archive verification failed: checksum mismatch\n")
        sys.exit(knobs["create_rc"])
    source = knobs.get("state_source", state)
    answer = dict(createdAt=time.strftime("%%Y-%%m-%%dT%%H:%%M:%%S.000Z", time.gmtime()), archiveRoot=root, archivePath=out, dryRun=False,
                  includeWorkspace=with_workspace, onlyConfig=False, verified=True,
                  assets=[dict(kind="state", sourcePath=source, displayPath="~/.openclaw",
                               archivePath=root + "/payload/posix" + source)])
    answer.update(knobs.get("create_answer", {}))
    print(json.dumps(answer, indent=2))
    print("Backup written.")
elif args[:2] == ["backup", "restore"]:
    archive, target = args[2], args[args.index("--target") + 1]
    if os.path.lexists(target):
        sys.stderr.write("Error: target %%s exists\n" %% target)
        sys.exit(1)
    os.makedirs(target)
    with tarfile.open(archive) as tar:
        root = tar.getnames()[0].split("/")[0]
        if hasattr(tarfile, "fully_trusted_filter"):
            tar.extractall(target, filter="fully_trusted")
        else:
            tar.extractall(target)
    if knobs.get("restore_rc"):
        sys.stderr.write("Error: restore failed: disk full\n")
        sys.exit(knobs["restore_rc"])
    answer = dict(ok=True, archivePath=archive, archiveRoot=root, targetPath=target)
    answer.update(knobs.get("restore_answer", {}))
    print(json.dumps(answer))
else:
    sys.stderr.write("unexpected call %%r\n" %% (args,))
    sys.exit(2)
'''

STAMP = re.compile(r"\d{8}T\d{6}Z")
MARKS = dict(config_written_by="2026.9.5", state_schema=17, wal_pending=False)


class FakeOpenClaw:
    """The fake CLI in tmp_path/bin: path, its calls, and knobs to bend its answers."""

    def __init__(self, directory):
        directory.mkdir(parents=True)
        self.dir = directory
        self.path = str(directory / "openclaw")
        with open(self.path, "w") as handle:
            handle.write(FAKE_OPENCLAW % dict(python=sys.executable))
        os.chmod(self.path, 0o755)

    def knobs(self, **knobs):
        (self.dir / "knobs.json").write_text(json.dumps(knobs))

    def calls(self):
        log = self.dir / "calls.jsonl"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    def forget(self):
        if (self.dir / "calls.jsonl").exists():
            (self.dir / "calls.jsonl").unlink()


def set_schema(state, version):
    conn = sqlite3.connect(str(state / "state" / "openclaw.sqlite"))
    conn.execute("PRAGMA user_version=%d" % version)
    conn.commit()
    conn.close()


def set_config_version(state, version):
    (state / "openclaw.json").write_text(json.dumps({"meta": {"lastTouchedVersion": version}, "gateway": {"mode": "local", "port": 18789}}))


def tree(root):
    """{relative path: file bytes, link target or 'dir'} of a tree (None when it does not exist)."""
    if not os.path.lexists(str(root)):
        return None
    found = {}
    for base, dirs, files in os.walk(str(root)):
        for name in dirs + files:
            path = os.path.join(base, name)
            rel = os.path.relpath(path, str(root))
            if os.path.islink(path):
                found[rel] = "-> " + os.readlink(path)
            elif os.path.isdir(path):
                found[rel] = "dir"
            else:
                with open(path, "rb") as handle:
                    found[rel] = handle.read()
    return found


def leftovers(state):
    """Staging and replaced directories (and whatever else) next to the state directory, but the archives' dest."""
    return sorted(n for n in os.listdir(str(state.parent)) if n not in (state.name, "clawops-backups"))


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A service user's home with a state directory as OpenClaw 2026.9.5 leaves it; the module runs as that user."""
    home = tmp_path / "home" / "u"
    state = home / ".openclaw"
    for sub in ("state", "credentials", "agents/main/sessions", "workspace"):
        (state / sub).mkdir(parents=True)
    state.chmod(0o700)
    set_config_version(state, "2026.9.5")
    conn = sqlite3.connect(str(state / "state" / "openclaw.sqlite"))
    conn.execute("CREATE TABLE session_nodes (session_key TEXT PRIMARY KEY, entry_json TEXT)")
    conn.execute("INSERT INTO session_nodes VALUES ('agent:main:tg-1', '{}')")
    conn.commit()
    conn.close()
    set_schema(state, 17)
    (state / "credentials" / "telegram-default-allowFrom.json").write_text('{"allowFrom": ["123"]}')
    (state / "agents" / "main" / "sessions" / "s1.jsonl").write_text('{"role": "user"}\n')
    (state / "workspace" / "AGENTS.md").write_text("# agents\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("OPENCLAW_STATE_DIR", raising=False)
    monkeypatch.delenv("OPENCLAW_CONFIG_PATH", raising=False)
    monkeypatch.setattr(openclaw_backup.os, "geteuid", lambda: 1000)
    return home


@pytest.fixture
def state(home):
    return home / ".openclaw"


@pytest.fixture
def dest(home):
    return home / "clawops-backups" / "upgrades"


@pytest.fixture
def cli(tmp_path):
    return FakeOpenClaw(tmp_path / "bin")


def run(cli, check=False, **args):
    args.setdefault("openclaw_bin", cli.path)
    if check:
        args["_ansible_check_mode"] = True
    with set_module_args(args):
        with mock.patch.multiple(basic.AnsibleModule, exit_json=exit_json, fail_json=fail_json):
            with pytest.raises((AnsibleExitJson, AnsibleFailJson)) as caught:
                openclaw_backup.main()
    return caught.value.result


def create(cli, state, dest, **args):
    args.setdefault("version", "2026.9.5")
    return run(cli, state_dir=str(state), dest=str(dest), **args)


def restore(cli, state, archive, **args):
    return run(cli, state="restored", state_dir=str(state), archive=str(archive), **args)


def archive_members(path):
    with tarfile.open(str(path)) as tar:
        return tar.getnames()


# --- state=present ---------------------------------------------------------------------------------

def test_create_names_the_archive_after_the_release_and_the_utc_time(cli, state, dest):
    before = openclaw_backup.utc_stamp()
    result = create(cli, state, dest)
    after = openclaw_backup.utc_stamp()
    assert result["changed"] is True and "failed" not in result
    name = os.path.basename(result["archive"])
    match = re.fullmatch(r"openclaw-2026\.9\.5-(\d{8}T\d{6}Z)\.tar\.gz", name)
    assert match and before <= match.group(1) <= after
    assert os.path.dirname(result["archive"]) == str(dest) and os.listdir(str(dest)) == [name]
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(result["archive"]).st_mode) == 0o600
    assert result["marks"] == MARKS and result["pruned"] == [] and result["restored"] is False and result["replaced"] is None
    calls = cli.calls()
    assert [c["argv"] for c in calls] == [["backup", "create", "--verify", "--json", "--output", result["archive"]]]
    assert calls[0]["config"] is None  # config_path unset: no OPENCLAW_CONFIG_PATH
    members = archive_members(result["archive"])
    assert any(m.endswith("/payload/posix%s/state/openclaw.sqlite" % state) for m in members)
    assert any(m.endswith("/payload/posix%s/workspace/AGENTS.md" % state) for m in members)


def test_an_existing_dest_is_made_private(cli, state, dest):
    dest.mkdir(parents=True, mode=0o755)
    dest.chmod(0o755)
    create(cli, state, dest)
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o700


def test_without_workspace_the_cli_is_told_so(cli, state, dest):
    result = create(cli, state, dest, include_workspace=False)
    assert cli.calls()[0]["argv"][-1] == "--no-include-workspace"
    members = archive_members(result["archive"])
    assert not any("/workspace" in m for m in members)
    assert any(m.endswith("/credentials/telegram-default-allowFrom.json") for m in members)


def test_marks_come_from_the_config_meta_the_sqlite_header_and_the_wal(cli, state, dest):
    set_config_version(state, "2026.9.6")
    set_schema(state, 23)
    (state / "state" / "openclaw.sqlite-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)
    result = create(cli, state, dest, check=True)
    assert result["marks"] == dict(config_written_by="2026.9.6", state_schema=23, wal_pending=True)
    (state / "state" / "openclaw.sqlite-wal").write_bytes(b"")
    assert create(cli, state, dest, check=True)["marks"]["wal_pending"] is False


def test_config_path_reaches_the_cli_and_the_marks(cli, state, dest, tmp_path):
    config = tmp_path / "etc" / "openclaw.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"meta": {"lastTouchedVersion": "2026.9.4"}}))
    result = create(cli, state, dest, config_path=str(config))
    assert result["marks"]["config_written_by"] == "2026.9.4"
    assert cli.calls()[0]["config"] == str(config)


@pytest.mark.parametrize("content, marks", [
    (None, dict(config_written_by=None, state_schema=17, wal_pending=False)),
    (b"{gateway: {mode: ", dict(config_written_by=None, state_schema=17, wal_pending=False)),
    (b'["meta"]', dict(config_written_by=None, state_schema=17, wal_pending=False)),
    (b'{"meta": {"lastTouchedVersion": "latest"}}', dict(config_written_by=None, state_schema=17, wal_pending=False)),
    (b'{"meta": "2026.9.5"}', dict(config_written_by=None, state_schema=17, wal_pending=False)),
])
def test_a_config_without_a_usable_version_gives_no_mark(state, content, marks):
    if content is None:
        (state / "openclaw.json").unlink()
    else:
        (state / "openclaw.json").write_bytes(content)
    assert openclaw_backup.state_marks(str(state)) == marks


@pytest.mark.parametrize("database", [None, b"", b"SQLite format 3\x00" + b"\0" * 40, b"not a database" + b"\0" * 200])
def test_a_missing_or_foreign_state_database_gives_no_schema(state, database):
    (state / "state" / "openclaw.sqlite").unlink()
    if database is not None:
        (state / "state" / "openclaw.sqlite").write_bytes(database)
    assert openclaw_backup.state_marks(str(state))["state_schema"] is None


def test_retention_keeps_the_newest_archives_by_the_time_in_the_name(cli, state, dest):
    dest.mkdir(parents=True)
    # By name, 2026.9.5 archives would come first: the time in the name decides.
    old = ["openclaw-2026.9.5-20261101T000000Z.tar.gz", "openclaw-2026.9.4-20261201T120000Z.tar.gz",
           "openclaw-2026.9.5-20250101T000000Z.tar.gz", "openclaw-2026.10.1-beta.1-20260101T000000Z.tar.gz"]
    unrelated = ["notes.txt", "openclaw-2026.9.5-20200101T000000Z.tar.gz.partial", "old-openclaw-2026.9.5-20200101T000000Z.tar.gz",
                 "openclaw-latest-20200101T000000Z.tar.gz", "openclaw-2026.9.5-2020-01-01.tar.gz"]
    for name in old + unrelated:
        (dest / name).write_bytes(b"x")
    (dest / "openclaw-2026.9.5-20190101T000000Z.tar.gz").mkdir()  # a directory is not an archive
    result = create(cli, state, dest, keep=2)
    assert sorted(result["pruned"]) == sorted(str(dest / n) for n in old[2:] + [old[0]])
    left = sorted(os.listdir(str(dest)))
    assert left == sorted([os.path.basename(result["archive"]), old[1], "openclaw-2026.9.5-20190101T000000Z.tar.gz"] + unrelated)


def test_the_archive_just_written_is_never_pruned(cli, state, dest):
    """An archive stamped later than now (a clock set back) does not push the new one out."""
    dest.mkdir(parents=True)
    (dest / "openclaw-2026.9.5-20991231T235959Z.tar.gz").write_bytes(b"x")
    result = create(cli, state, dest, keep=1)
    assert os.path.isfile(result["archive"])
    assert result["pruned"] == [str(dest / "openclaw-2026.9.5-20991231T235959Z.tar.gz")]
    assert os.listdir(str(dest)) == [os.path.basename(result["archive"])]


def test_two_archives_in_one_second_get_two_names(cli, state, dest):
    first = create(cli, state, dest)["archive"]
    second = create(cli, state, dest)["archive"]
    assert first != second and os.path.isfile(first) and os.path.isfile(second)


def test_a_name_still_taken_after_a_second_fails_and_keeps_the_file(cli, state, dest, monkeypatch):
    monkeypatch.setattr(_backup, "utc_stamp", lambda now=None: "20991231T235959Z")
    monkeypatch.setattr(_backup.time, "sleep", lambda seconds: None)
    dest.mkdir(parents=True)
    taken = dest / "openclaw-2026.9.5-20991231T235959Z.tar.gz"
    taken.write_bytes(b"someone else's")
    result = create(cli, state, dest)
    assert result["failed"] and "exists already" in result["msg"] and result["changed"] is False
    assert taken.read_bytes() == b"someone else's" and cli.calls() == []


@pytest.mark.parametrize("knobs", [
    dict(state_source="/home/other/.openclaw"),
    dict(create_answer=dict(verified=False)),
    dict(create_answer=dict(archivePath="/tmp/elsewhere.tar.gz")),
    dict(create_answer=dict(assets=[])),
])
def test_an_answer_about_another_archive_fails_and_leaves_no_archive(cli, state, dest, knobs):
    cli.knobs(**knobs)
    result = create(cli, state, dest)
    assert result["failed"] and "answered with another archive than asked for" in result["msg"]
    assert result["changed"] is False and result["archive"] is None
    assert len(cli.calls()) == 1 and os.listdir(str(dest)) == []


def test_a_failed_create_fails_and_leaves_no_archive(cli, state, dest):
    cli.knobs(create_rc=1)
    result = create(cli, state, dest)
    assert result["failed"] and "OpenClaw could not archive %s; nothing was changed" % state in result["msg"]
    assert result["rc"] == 1 and "checksum mismatch" in result["stderr"] and result["changed"] is False
    assert os.listdir(str(dest)) == []


def test_a_dest_that_is_a_file_fails_cleanly(cli, state, dest):
    dest.parent.mkdir(parents=True)
    dest.write_text("not a directory")
    result = create(cli, state, dest)
    assert result["failed"] and "is not a directory; nothing was changed" in result["msg"] and result["changed"] is False
    assert dest.read_text() == "not a directory" and cli.calls() == []


def test_check_mode_writes_nothing(cli, state, dest):
    before = tree(state.parent)
    result = create(cli, state, dest, check=True)
    assert result["changed"] is True and result["archive"] is None and result["marks"] == MARKS
    assert not dest.exists() and cli.calls() == [] and tree(state.parent) == before


# --- input errors: before anything changes ------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (dict(dest="{state}/backups"), "is inside the state directory"),
    (dict(dest="{state}"), "is inside the state directory"),
    (dict(dest=None), "dest is required with state=present"),
    (dict(version="latest"), "version must be a whole OpenClaw version (2026.9.5), got 'latest'"),
    (dict(version="2026.9"), "version must be a whole OpenClaw version"),
    (dict(version=None), "version must be a whole OpenClaw version (2026.9.5), got None"),
    (dict(keep=0), "keep must be 1 or more, got 0"),
    (dict(state_dir="relative/.openclaw"), "state_dir must be an absolute path below /"),
    (dict(state_dir="/"), "state_dir must be an absolute path below /"),
    (dict(state_dir="{state}-missing"), "is not a directory"),
    (dict(state="restored", archive="{home}/missing.tar.gz"), "archive {home}/missing.tar.gz is not a file"),
    (dict(state="restored", archive="{home}"), "is not a file"),
    (dict(state="restored", archive=None), "archive is required with state=restored"),
    (dict(state="restored", archive="{archive}", keep=0), "keep must be 1 or more"),
])
def test_input_errors_fail_before_anything_changes(cli, home, state, dest, args, message):
    archive = home / "a.tar.gz"
    archive.write_bytes(b"x")
    values = dict(state_dir=str(state), dest=str(dest), version="2026.9.5")
    values.update((k, v.format(state=state, home=home, archive=archive) if isinstance(v, str) else v) for k, v in args.items())
    values = dict((k, v) for k, v in values.items() if v is not None)
    before = tree(home)
    result = run(cli, **values)
    assert result["failed"] and message.format(home=home) in result["msg"] and result["msg"].endswith("; nothing was changed")
    assert result["changed"] is False
    assert tree(home) == before and not dest.exists() and cli.calls() == []


def test_a_state_dir_that_is_a_link_is_refused(cli, home, state, dest):
    link = home / "link"
    link.symlink_to(state)
    result = create(cli, link, dest)
    assert result["failed"] and "state_dir %s is not a directory" % link in result["msg"]
    assert not dest.exists() and cli.calls() == []


@pytest.mark.parametrize("state_arg", ["present", "restored"])
def test_root_is_refused(cli, home, state, dest, monkeypatch, state_arg):
    monkeypatch.setattr(openclaw_backup.os, "geteuid", lambda: 0)
    archive = home / "a.tar.gz"
    archive.write_bytes(b"x")
    before = tree(home)
    result = run(cli, state=state_arg, state_dir=str(state), dest=str(dest), version="2026.9.5", archive=str(archive))
    assert result["failed"] and "not as root" in result["msg"] and result["changed"] is False
    assert tree(home) == before and not dest.exists() and cli.calls() == []


def test_a_missing_cli_fails(cli, state, dest, tmp_path):
    result = run(cli, state_dir=str(state), dest=str(dest), version="2026.9.5",
                 openclaw_bin=None, npm_prefix=str(tmp_path / "nothing"))
    assert result["failed"] and "no OpenClaw CLI at %s" % (tmp_path / "nothing" / "bin" / "openclaw") in result["msg"]
    assert not dest.exists()


# --- state=restored --------------------------------------------------------------------------------

@pytest.fixture
def backup(cli, state, dest):
    """An archive of the 2026.9.5 state, the tree it holds, then the state as a new release migrated it."""
    result = create(cli, state, dest)
    archived = tree(state)
    set_config_version(state, "2026.9.6")
    set_schema(state, 18)
    (state / "agents" / "main" / "sessions" / "s2.jsonl").write_text('{"role": "assistant"}\n')
    cli.forget()
    return dict(archive=result["archive"], marks=result["marks"], tree=archived)


def test_restore_swaps_in_the_archived_state_and_keeps_the_replaced_one(cli, state, backup):
    migrated = tree(state)
    before = openclaw_backup.utc_stamp()
    result = restore(cli, state, backup["archive"], unless_marks=backup["marks"])
    after = openclaw_backup.utc_stamp()
    assert result["changed"] is True and result["restored"] is True and "failed" not in result
    assert tree(state) == backup["tree"]
    assert result["marks"] == MARKS and result["archive"] == backup["archive"] and result["pruned"] == []
    match = re.fullmatch(re.escape(str(state)) + r"\.clawops-replaced-(\d{8}T\d{6}Z)", result["replaced"])
    assert match and before <= match.group(1) <= after
    assert tree(result["replaced"]) == migrated
    assert leftovers(state) == [os.path.basename(result["replaced"])]  # the staging directory is gone
    calls = cli.calls()
    assert len(calls) == 1 and calls[0]["argv"][:3] == ["backup", "restore", backup["archive"]]
    target = calls[0]["argv"][calls[0]["argv"].index("--target") + 1]
    assert os.path.dirname(target) == str(state.parent) and os.path.basename(target).startswith(state.name + ".clawops-restore-")


def exdev_for(path, monkeypatch, also_rmtree=False):
    """os.rename of PATH fails as overlayfs fails it for a directory of a lower layer (a container image's)."""
    real_rename, real_rmtree = os.rename, openclaw_backup.shutil.rmtree

    def rename(src, dst, *args, **kwargs):
        if str(src) == str(path):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(src, dst, *args, **kwargs)

    def rmtree(target, *args, **kwargs):
        if also_rmtree and str(target) == str(path) and not kwargs.get("ignore_errors"):
            os.unlink(os.path.join(str(path), "openclaw.json"))   # half-way
            raise OSError(errno.EACCES, "Permission denied")
        return real_rmtree(target, *args, **kwargs)

    monkeypatch.setattr(openclaw_backup.os, "rename", rename)
    monkeypatch.setattr(openclaw_backup.shutil, "rmtree", rmtree)


def test_a_state_dir_that_cannot_be_renamed_is_copied_aside_then_replaced(cli, state, backup, monkeypatch):
    migrated = tree(state)
    exdev_for(state, monkeypatch)
    result = restore(cli, state, backup["archive"])
    assert result["restored"] is True and "failed" not in result, result
    assert tree(state) == backup["tree"] and tree(result["replaced"]) == migrated


def test_a_copy_aside_that_fails_half_way_puts_the_state_back(cli, state, backup, monkeypatch):
    migrated = tree(state)
    exdev_for(state, monkeypatch, also_rmtree=True)
    result = restore(cli, state, backup["archive"])
    assert result["failed"] and "could not move %s aside" % state in result["msg"] and "put back from its copy" in result["msg"]
    assert result["restored"] is False and tree(state) == migrated and leftovers(state) == []


def test_restore_without_unless_marks_always_restores(cli, state, backup):
    set_config_version(state, "2026.9.5")
    set_schema(state, 17)
    result = restore(cli, state, backup["archive"])
    assert result["changed"] is True and result["restored"] is True and tree(state) == backup["tree"]


def test_restore_does_nothing_while_the_state_carries_the_marks(cli, state, backup):
    set_config_version(state, "2026.9.5")
    set_schema(state, 17)
    before = tree(state)
    result = restore(cli, state, backup["archive"], unless_marks=backup["marks"])
    assert result["changed"] is False and result["restored"] is False and result["replaced"] is None
    assert result["marks"] == MARKS and tree(state) == before and cli.calls() == [] and leftovers(state) == []


@pytest.mark.parametrize("change", ["schema", "config", "wal"])
def test_restore_happens_when_one_mark_differs_or_the_wal_is_pending(cli, state, backup, change):
    set_config_version(state, "2026.9.6" if change == "config" else "2026.9.5")
    set_schema(state, 18 if change == "schema" else 17)
    if change == "wal":
        (state / "state" / "openclaw.sqlite-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)
    result = restore(cli, state, backup["archive"], unless_marks=backup["marks"])
    assert result["changed"] is True and result["restored"] is True
    assert tree(state) == backup["tree"] and result["marks"] == MARKS


def test_restore_check_mode_changes_nothing(cli, state, backup):
    before = tree(state)
    result = restore(cli, state, backup["archive"], unless_marks=backup["marks"], check=True)
    assert result["changed"] is True and result["restored"] is True and result["replaced"] is None
    assert result["marks"] == dict(config_written_by="2026.9.6", state_schema=18, wal_pending=False)
    assert tree(state) == before and cli.calls() == [] and leftovers(state) == []


def test_restore_prunes_replaced_dirs_beyond_keep_and_nothing_else(cli, state, backup):
    parent = state.parent
    for stamp in ("20200101T000000Z", "20210101T000000Z", "20220101T000000Z"):
        (parent / (".openclaw.clawops-replaced-" + stamp) / "state").mkdir(parents=True)
    (parent / ".openclaw.clawops-replaced-19990101T000000Z").write_text("a file, not a replaced state")
    (parent / ".openclaw.clawops-replaced-notes").mkdir()
    (parent / "other.clawops-replaced-20190101T000000Z").mkdir()
    result = restore(cli, state, backup["archive"], keep=2)
    assert result["pruned"] == [str(parent / ".openclaw.clawops-replaced-20210101T000000Z"), str(parent / ".openclaw.clawops-replaced-20200101T000000Z")]
    assert leftovers(state) == sorted([".openclaw.clawops-replaced-19990101T000000Z", ".openclaw.clawops-replaced-20220101T000000Z",
                                       ".openclaw.clawops-replaced-notes", os.path.basename(result["replaced"]),
                                       "other.clawops-replaced-20190101T000000Z"])


def test_the_directory_just_replaced_is_never_pruned(cli, state, backup):
    future = state.parent / ".openclaw.clawops-replaced-20991231T235959Z"
    future.mkdir()
    result = restore(cli, state, backup["archive"], keep=1)
    assert os.path.isdir(result["replaced"]) and result["pruned"] == [str(future)] and not future.exists()


@pytest.mark.parametrize("answer", [
    dict(archiveRoot="../../etc"),
    dict(archiveRoot="../../etc-openclaw-backup"),
    dict(archiveRoot="x/../../y-openclaw-backup"),
    dict(archiveRoot="/etc/z-openclaw-backup"),
    dict(archiveRoot=".."),
    dict(archiveRoot=None),
    dict(archiveRoot=["2026-openclaw-backup"]),
    dict(ok=False),
])
def test_a_restore_answer_with_a_bad_archive_root_leaves_the_state_untouched(cli, state, backup, answer):
    cli.knobs(restore_answer=answer)
    before = tree(state)
    result = restore(cli, state, backup["archive"])
    assert result["failed"] and "did not answer ok with an archive root" in result["msg"] and "the state was not touched" in result["msg"]
    assert result["changed"] is False and result["restored"] is False and result["replaced"] is None
    assert tree(state) == before and leftovers(state) == []


def test_a_failed_restore_leaves_the_state_untouched_and_no_staging_dir(cli, state, backup):
    cli.knobs(restore_rc=1)
    before = tree(state)
    result = restore(cli, state, backup["archive"])
    assert result["failed"] and "OpenClaw could not restore %s; the state was not touched" % backup["archive"] in result["msg"]
    assert result["rc"] == 1 and "disk full" in result["stderr"]
    assert result["changed"] is False and result["restored"] is False
    assert tree(state) == before and leftovers(state) == []


def test_an_archive_of_another_state_dir_is_refused(cli, home, state, backup):
    other = home / "other" / ".openclaw"
    other.mkdir(parents=True)
    (other / "keep.txt").write_text("mine")
    result = restore(cli, other, backup["archive"])
    assert result["failed"] and "holds no state directory for %s" % other in result["msg"] and result["changed"] is False
    assert tree(other) == {"keep.txt": b"mine"} and sorted(os.listdir(str(other.parent))) == [".openclaw"]


@pytest.mark.parametrize("payload", ["link", "file"])
def test_a_payload_that_is_no_directory_in_the_staging_dir_is_refused(cli, home, state, tmp_path, payload):
    """A crafted archive: its payload path runs through a symlink out of the staging dir, or names a file."""
    outside = tmp_path / "outside"
    (outside / "u" / ".openclaw").mkdir(parents=True)
    (outside / "u" / ".openclaw" / "planted").write_text("x")
    root = "2026-12-05T23-35-42.918+00-00-openclaw-backup"
    archive = tmp_path / "crafted.tar.gz"
    with tarfile.open(str(archive), "w:gz") as tar:
        if payload == "link":
            member = tarfile.TarInfo(root + "/payload/posix" + str(home.parent))
            member.type, member.linkname = tarfile.SYMTYPE, str(outside)
            tar.addfile(member)
        else:
            tar.add(str(outside / "u" / ".openclaw" / "planted"), arcname=root + "/payload/posix" + str(state))
    before = tree(state)
    result = restore(cli, state, archive)
    assert result["failed"] and "holds no state directory" in result["msg"] and result["restored"] is False
    assert tree(state) == before and leftovers(state) == []
    assert tree(outside) == {"u": "dir", "u/.openclaw": "dir", "u/.openclaw/planted": b"x"}


def test_a_staging_or_replaced_name_already_taken_fails(cli, state, backup, monkeypatch):
    monkeypatch.setattr(openclaw_backup, "utc_stamp", lambda now=None: "20991231T235959Z")
    taken = state.parent / ".openclaw.clawops-replaced-20991231T235959Z"
    taken.mkdir()
    before = tree(state)
    result = restore(cli, state, backup["archive"])
    assert result["failed"] and "exists already" in result["msg"] and result["changed"] is False and result["restored"] is False
    assert tree(state) == before and cli.calls() == [] and os.path.isdir(str(taken))


def test_a_restored_state_can_be_archived_and_restored_again(cli, state, dest, backup):
    """A round trip: the archive written after a rollback restores the rolled back state."""
    restore(cli, state, backup["archive"])
    again = create(cli, state, dest)
    (state / "openclaw.json").write_text("{}")
    time.sleep(1)  # the replaced directory's name carries the second
    result = restore(cli, state, again["archive"], unless_marks=again["marks"])
    assert result["restored"] is True and tree(state) == backup["tree"]
