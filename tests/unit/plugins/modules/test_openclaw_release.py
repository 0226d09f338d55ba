# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Side-by-side releases: installing never touches another release, switching is one rename, rollback needs no npm."""

import json
import os
from unittest import mock

import pytest

from ansible.module_utils import basic

from ansible_collections.clawops.openclaw.plugins.module_utils import _releases
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_release
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    AnsibleExitJson, AnsibleFailJson, exit_json, fail_json, set_module_args,
)


class FakeNpm:
    """What `npm install --global --prefix P openclaw@V` leaves, and the CLI's --version answer."""

    def __init__(self, fail=False, answer=None, killed=False):
        self.calls = []
        self.fail = fail
        self.answer = answer
        self.killed = killed

    def __call__(self, argv, **kwargs):
        self.calls.append(list(argv))
        if "install" in argv:
            if self.fail:
                return 1, "", "npm ERR! 404 Not Found - openclaw@2099.1.1"
            if self.killed:  # npm ignored timeout(1)'s SIGTERM: the SIGKILL to the group ends timeout as well
                return -9, "", ""
            prefix = argv[argv.index("--prefix") + 1]
            version = argv[-1].split("@", 1)[1]
            make_release(prefix, version)
            return 0, "", ""
        version = os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(argv[1])))))
        return 0, (self.answer or "OpenClaw %s (abc123)\n" % version), ""


def make_release(prefix, version):
    package = os.path.join(prefix, "lib", "node_modules", "openclaw")
    os.makedirs(os.path.join(package, "dist"), exist_ok=True)
    with open(os.path.join(package, "package.json"), "w") as handle:
        json.dump({"name": "openclaw", "version": version}, handle)
    for name in ("openclaw.mjs", os.path.join("dist", "index.js")):
        with open(os.path.join(package, name), "w") as handle:
            handle.write("// %s\n" % version)
    os.makedirs(os.path.join(prefix, "bin"), exist_ok=True)
    if not os.path.lexists(os.path.join(prefix, "bin", "openclaw")):
        os.symlink("../lib/node_modules/openclaw/openclaw.mjs", os.path.join(prefix, "bin", "openclaw"))


def run(tmp_path, npm=None, check=False, diff=False, **args):
    npm = npm or FakeNpm()
    args.setdefault("releases_dir", str(tmp_path / "opt" / "openclaw"))
    args.setdefault("node", "/usr/local/bin/node")
    if check:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True

    def run_command(module, argv, **kwargs):
        return npm(argv, **kwargs)

    with set_module_args(args):
        with mock.patch.multiple(basic.AnsibleModule, exit_json=exit_json, fail_json=fail_json, run_command=run_command):
            with pytest.raises((AnsibleExitJson, AnsibleFailJson)) as caught:
                openclaw_release.main()
    return caught.value.result


def files_of(root):
    """{relative path: (content or link target)} of a tree, to prove a release was not touched."""
    found = {}
    for base, dirs, files in os.walk(root):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(base, d))]:
            path = os.path.join(base, name)
            found[os.path.relpath(path, root)] = os.readlink(path) if os.path.islink(path) else open(path).read()
    return found


def test_first_install_activates_and_links_the_cli(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    cli = tmp_path / "usr" / "local" / "bin" / "openclaw"
    result = run(tmp_path, version="2026.9.5", cli_link=str(cli))
    assert result["changed"] and result["installed"] and result["switched"]
    assert (result["active"], result["previous"], result["releases"]) == ("2026.9.5", None, ["2026.9.5"])
    assert os.readlink(str(releases / "current")) == "2026.9.5"
    assert os.readlink(str(cli)) == str(releases / "current" / "bin" / "openclaw")
    # Through the links, the CLI is the package of the active release.
    assert os.path.realpath(str(cli)) == str(releases / "2026.9.5" / "lib" / "node_modules" / "openclaw" / "openclaw.mjs")
    assert not [name for name in os.listdir(str(releases)) if name.startswith(".stage-")]


def test_rerun_changes_nothing_and_runs_no_npm(tmp_path):
    cli = str(tmp_path / "bin" / "openclaw")
    run(tmp_path, version="2026.9.6", cli_link=cli)
    npm = FakeNpm()
    result = run(tmp_path, npm=npm, version="2026.9.6", cli_link=cli, check=True, diff=True)
    assert not result["changed"] and npm.calls == []
    assert result["diff"]["before"] == result["diff"]["after"]
    result = run(tmp_path, npm=npm, version="2026.9.6", cli_link=cli)
    assert not result["changed"] and npm.calls == []


def test_a_new_release_never_touches_the_active_one_and_the_old_one_becomes_previous(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    run(tmp_path, version="2026.9.5")
    before = files_of(str(releases / "2026.9.5"))
    staged = run(tmp_path, version="2026.9.6", state="present")
    assert staged["installed"] and not staged["switched"] and staged["active"] == "2026.9.5"
    assert os.readlink(str(releases / "current")) == "2026.9.5"
    switched = run(tmp_path, version="2026.9.6")
    assert switched["switched"] and not switched["installed"]
    assert (switched["active"], switched["previous"]) == ("2026.9.6", "2026.9.5")
    assert files_of(str(releases / "2026.9.5")) == before
    # A rollback is a switch back: no npm.
    npm = FakeNpm()
    back = run(tmp_path, npm=npm, version="2026.9.5")
    assert npm.calls == [] and (back["active"], back["previous"]) == ("2026.9.5", "2026.9.6")


def test_check_mode_reports_the_install_and_switch_without_doing_them(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    run(tmp_path, version="2026.9.5")
    npm = FakeNpm()
    result = run(tmp_path, npm=npm, version="2026.9.6", check=True, diff=True)
    assert result["changed"] and result["installed"] and result["switched"] and npm.calls == []
    assert (result["active"], result["previous"]) == ("2026.9.6", "2026.9.5")
    assert "active: 2026.9.5" in result["diff"]["before"] and "active: 2026.9.6" in result["diff"]["after"]
    assert os.readlink(str(releases / "current")) == "2026.9.5" and not (releases / "2026.9.6").exists()


def test_a_failed_install_leaves_no_release_and_the_active_one_as_it_was(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    run(tmp_path, version="2026.9.5")
    result = run(tmp_path, npm=FakeNpm(fail=True), version="2099.1.1")
    assert result["failed"] and "npm could not install openclaw@2099.1.1" in result["msg"] and "404" in result["msg"]
    assert sorted(os.listdir(str(releases))) == [".lock", "2026.9.5", "current"]
    assert os.readlink(str(releases / "current")) == "2026.9.5"


def test_npm_gives_up_on_a_stalled_request_in_fetch_timeout_and_retries_it(tmp_path):
    npm = FakeNpm()
    run(tmp_path, npm=npm, version="2026.9.6")
    run(tmp_path, npm=npm, version="2026.9.5", fetch_timeout=600)
    installs = [argv for argv in npm.calls if "install" in argv]
    assert [[a for a in argv if a.startswith("--fetch-")] for argv in installs] == [
        ["--fetch-timeout=120000", "--fetch-retries=4"], ["--fetch-timeout=600000", "--fetch-retries=4"]]


def test_a_timed_out_install_says_so_and_names_the_npm_log_it_wrote(tmp_path, monkeypatch):
    logs = tmp_path / "npm-logs"
    logs.mkdir()
    old = logs / "2026-01-01T00_00_00_000Z-debug-0.log"
    old.write_text("an earlier install\n")
    os.utime(str(old), (1, 1))

    class StalledNpm(FakeNpm):
        def __call__(self, argv, **kwargs):
            if "install" in argv:
                (logs / "2026-12-06T16_25_31_000Z-debug-0.log").write_text("http fetch GET ... (stalled)\n")
            return FakeNpm.__call__(self, argv, **kwargs)

    monkeypatch.setattr(openclaw_release, "NPM_LOGS", str(logs))
    result = run(tmp_path, npm=StalledNpm(killed=True), version="2026.9.6", install_timeout=900)
    assert result["msg"].startswith("npm could not install openclaw@2026.9.6 (rc=-9, timed out after 900 s); npm's log")
    assert result["msg"].endswith("npm's log: %s; nothing else was changed" % (logs / "2026-12-06T16_25_31_000Z-debug-0.log"))
    assert not (tmp_path / "opt" / "openclaw" / "2026.9.6").exists()


def test_a_release_whose_cli_does_not_answer_with_its_version_is_not_installed(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    result = run(tmp_path, npm=FakeNpm(answer="OpenClaw 2026.9.4\n"), version="2026.9.6")
    assert result["failed"] and "does not answer --version" in result["msg"]
    assert not (releases / "2026.9.6").exists() and not (releases / "current").exists()


def test_an_incomplete_release_directory_is_installed_again(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    (releases / "2026.9.6" / "lib").mkdir(parents=True)   # an interrupted copy by hand, say
    result = run(tmp_path, version="2026.9.6")
    assert result["installed"] and _releases.release_complete(str(releases), "2026.9.6")


def test_retention_keeps_previous_and_the_newest_activated(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    for number, version in enumerate(["2026.9.1", "2026.9.2", "2026.9.3", "2026.9.4"]):
        run(tmp_path, version=version, keep=10)
        os.utime(str(releases / version), (1000 + number, 1000 + number))
    result = run(tmp_path, version="2026.9.5", keep=2)
    # Active 2026.9.5, previous 2026.9.4, and one more inactive: the newest activated, 2026.9.3.
    assert result["pruned"] == ["2026.9.1", "2026.9.2"]
    assert result["releases"] == ["2026.9.3", "2026.9.4", "2026.9.5"]


def test_a_global_npm_install_is_replaced_by_a_link_and_reported_for_removal(tmp_path):
    prefix = tmp_path / "usr" / "local"
    make_release(str(prefix), "2026.9.5")   # what `npm install -g --prefix /usr/local` left
    cli = prefix / "bin" / "openclaw"
    result = run(tmp_path, version="2026.9.5", cli_link=str(cli))
    assert result["global_package"] == str(prefix / "lib" / "node_modules" / "openclaw")
    assert os.readlink(str(cli)).endswith("/current/bin/openclaw")
    assert (prefix / "lib" / "node_modules" / "openclaw" / "package.json").exists()   # still there for the running gateway


def test_a_regular_file_in_place_of_the_cli_link_is_refused_before_any_change(tmp_path):
    cli = tmp_path / "bin" / "openclaw"
    cli.parent.mkdir()
    cli.write_text("#!/bin/sh\n")
    npm = FakeNpm()
    result = run(tmp_path, npm=npm, version="2026.9.6", cli_link=str(cli))
    assert result["failed"] and "is not a link" in result["msg"] and npm.calls == []


@pytest.mark.parametrize("args, message", [
    (dict(version="2026.9.6\nExecStartPre=/bin/sh"), "version must be a whole version"),
    (dict(version="latest"), "version must be a whole version"),
    (dict(version="2026.9.6", releases_dir="/opt/openclaw/../etc"), "releases_dir must be an absolute, normalised path"),
    (dict(version="2026.9.6", releases_dir="/usr/local"), "releases_dir must be a directory of its own"),
    (dict(version="2026.9.6", registry="file:///tmp/x"), "registry must be an http(s) URL"),
    (dict(version="2026.9.6", keep=-1), "keep must be between 0 and 100"),
    (dict(version="2026.9.6", fetch_timeout=5), "fetch_timeout must be between 10 and 3600 seconds"),
], ids=["newline", "tag", "dotdot", "shared-prefix", "registry", "keep", "fetch-timeout"])
def test_bad_input_is_refused_before_any_change(tmp_path, args, message):
    npm = FakeNpm()
    result = run(tmp_path, npm=npm, **args)
    assert result["failed"] and message in result["msg"] and npm.calls == []
    assert not (tmp_path / "opt").exists()


def test_a_releases_directory_others_may_write_is_refused(tmp_path):
    releases = tmp_path / "opt" / "openclaw"
    releases.mkdir(parents=True)
    os.chmod(str(releases), 0o777)
    result = run(tmp_path, version="2026.9.6")
    assert result["failed"] and "only root may write" in result["msg"]


# --- the layout as the facts read it --------------------------------------------------------------------------

def test_running_release_through_current_depends_on_when_the_process_started(tmp_path):
    releases = str(tmp_path / "opt" / "openclaw")
    run(tmp_path, version="2026.9.5")
    run(tmp_path, version="2026.9.6")
    activated = os.lstat(os.path.join(releases, "current")).st_mtime
    entry = os.path.join(releases, "current", "lib", "node_modules", "openclaw", "dist", "index.js")
    assert _releases.running_release(releases, entry, activated + 0.05)[0] == "2026.9.6"
    assert _releases.running_release(releases, entry, activated - 0.05)[0] == "2026.9.5"
    assert _releases.running_release(releases, entry, None)[0] is None


def test_running_release_of_a_versioned_entry_and_of_a_package_rewritten_under_the_process(tmp_path):
    releases = str(tmp_path / "opt" / "openclaw")
    run(tmp_path, version="2026.9.5")
    entry = os.path.join(releases, "2026.9.5", "lib", "node_modules", "openclaw", "dist", "index.js")
    written = os.stat(os.path.join(releases, "2026.9.5", "lib", "node_modules", "openclaw", "package.json")).st_mtime
    assert _releases.running_release(releases, entry, written + 1)[0] == "2026.9.5"
    # npm replaced the package after the process started: what it runs is no longer on disk.
    version, why = _releases.running_release(releases, entry, written - 1)
    assert version is None and "changed after the process started" in why
    # The command line is the service user's: an entry outside root's release directories is not opened.
    version, why = _releases.running_release(releases, "/home/openclaw/x/node_modules/openclaw/dist/index.js", written + 1)
    assert version is None and "not in an OpenClaw release" in why
    version, dummy = _releases.running_release(releases, os.path.join(releases, "2026.9.5", "..", "..", "etc", "x.js"), written + 1)
    assert version is None


def test_version_key_orders_numbers_and_pre_releases():
    versions = ["2026.10.1", "2026.9.6", "2026.9.6-beta.1", "2026.9.10"]
    assert sorted(versions, key=_releases.version_key) == ["2026.9.6-beta.1", "2026.9.6", "2026.9.10", "2026.10.1"]
