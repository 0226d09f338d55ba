# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the openclaw_facts collectors share: their problem lists, the service user's files read as root, commands."""

import os

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import (
    Commands, Problems, read_reported, read_user, show_properties, unsafe_file, user_may_read,
)

OTHER_UID = 4242


class Module:
    def __init__(self, answer=(0, "", ""), error=None):
        self.answer, self.error, self.calls = answer, error, []

    def run_command(self, argv, environ_update=None):
        self.calls.append((argv, environ_update))
        if self.error:
            raise self.error
        return self.answer


def test_problems_keep_their_order_and_details():
    problems = Problems()
    problems.problem("stale_lock", "first", path="/a")
    problems.problem("lock_unsafe", "second")
    assert problems == [("stale_lock", "first", dict(path="/a")), ("lock_unsafe", "second", {})]


def test_read_user_inside_the_home_is_confined(tmp_path):
    (tmp_path / "f").write_text("x=1\n")
    user = dict(name="openclaw", uid=OTHER_UID, home=str(tmp_path), groups=[])
    assert read_user(user, str(tmp_path / "f")) == ("x=1\n", None, True)
    assert read_user(user, "relative/f") == (None, "is not an absolute path", False)


@pytest.mark.parametrize("mode, groups, readable", [
    (0o644, [], True),           # others may read
    (0o640, [], False),          # neither owner nor group
    (0o640, ["own"], True),      # the file's group
    (0o604, ["own"], False),     # in the group, and the group may not read: others' bit does not apply
])
def test_outside_the_home_the_user_must_be_allowed_to_read(tmp_path, mode, groups, readable):
    path = tmp_path / "proxy.env"
    path.write_text("HTTPS_PROXY=http://p:1\n")
    os.chmod(str(path), mode)
    user = dict(name="openclaw", uid=OTHER_UID, home="/nonexistent", groups=[os.stat(str(path)).st_gid if g == "own" else g for g in groups])
    if os.stat(str(path)).st_uid == OTHER_UID:
        pytest.skip("the test file belongs to the test user")
    assert user_may_read(user, str(path)) is readable
    text, reason, inside = read_user(user, str(path))
    assert inside is False
    assert (text, reason) == (("HTTPS_PROXY=http://p:1\n", None) if readable else (None, "is not readable by openclaw"))


def test_user_may_read_as_root_and_own_files(tmp_path):
    path = tmp_path / "f"
    path.write_text("")
    os.chmod(str(path), 0o400)
    owner = os.stat(str(path)).st_uid
    assert user_may_read(dict(uid=0), str(path)) is True
    assert user_may_read(dict(uid=owner), str(path)) is True
    os.chmod(str(path), 0o000)
    assert user_may_read(dict(uid=owner), str(path)) is (owner == 0)
    assert user_may_read(dict(uid=owner), str(tmp_path / "missing")) is False


def test_refused_files_are_reported_and_missing_ones_are_not(tmp_path):
    problems = Problems()
    unsafe_file(problems, "/home/x/.env", "missing")
    unsafe_file(problems, "/home/x/.env", None)
    assert problems == []
    os.symlink(str(tmp_path / "target"), str(tmp_path / "link"))
    user = dict(name="openclaw", uid=0, home=str(tmp_path), groups=[])
    assert read_reported(user, str(tmp_path / "link"), problems) == (None, False)
    assert [(problem_id, extra["path"]) for problem_id, message, extra in problems] == [("user_file_unsafe", str(tmp_path / "link"))]


def test_commands_are_bounded_in_the_c_locale():
    module = Module(answer=(0, "v24.19.0\n", ""))
    assert Commands(module, 2.5).run(["node", "--version"], env={"X": "1"}) == (0, "v24.19.0\n", "")
    argv, environ = module.calls[0]
    assert argv[:1] == ["timeout"] and "2.5" in argv and argv[-2:] == ["node", "--version"]
    assert environ["LC_ALL"] == "C" and environ["SYSTEMD_PAGER"] == "" and environ["X"] == "1"


def test_a_command_that_cannot_start_is_rc_127():
    assert Commands(Module(error=OSError("no such file")), 1).run(["node"]) == (127, "", "no such file")


@pytest.mark.parametrize("euid, uid, expected", [
    (0, 1000, ["systemctl", "--user", "--machine=openclaw@", "show-environment"]),
    (1000, 1000, ["systemctl", "--user", "show-environment"]),
])
def test_systemctl_user_reaches_the_service_users_manager(monkeypatch, euid, uid, expected):
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    module = Module()
    Commands(module, 1).systemctl_user(dict(name="openclaw", uid=uid), "show-environment")
    argv, environ = module.calls[0]
    assert argv[-len(expected):] == expected
    assert ("XDG_RUNTIME_DIR" in environ) is (euid != 0)


def test_system_unit_state():
    show = "LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n"
    assert Commands(Module(answer=(0, show, "")), 1).system_unit("privoxy.service") == dict(
        unit="privoxy.service", load_state="loaded", active_state="active", sub_state="running", unit_file_state="enabled")
    assert Commands(Module(answer=(1, "", "no bus")), 1).system_unit("privoxy.service")["active_state"] is None
    assert show_properties("A=1\nnoise\nB=x=y\n") == dict(A="1", B="x=y")
