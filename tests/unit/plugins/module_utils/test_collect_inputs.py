# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The openclaw_facts collectors driven directly: each works from its declared inputs alone (no facts module, no
shared state), and returns its facts and its problems. Their findings are tested through the module
(tests/unit/plugins/modules/test_openclaw_facts*.py), where the finding gate records them."""

import json
import os
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import _collect_http
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_http import base_url, gateway_port, wait_ready
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_install import collect_install, package_of
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_locks import collect_locks
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_logs import collect_log_file
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_service import collect_service, unit_name_for


class Commands:
    def __init__(self, answers=None):
        self.answers, self.calls = answers or {}, []

    def run(self, argv, env=None, timeout=None):  # pylint: disable=unused-argument
        self.calls.append(argv)
        return self.answers.get(argv[-1], (1, "", "not here"))

    def systemctl_user(self, user, *args):
        return self.run(["systemctl", "--user"] + list(args))


def test_install_from_its_declared_inputs(tmp_path):
    package = tmp_path / "lib" / "node_modules" / "openclaw"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "openclaw", "version": "2026.9.6"}))
    (package / "openclaw.mjs").write_text("")
    os.chmod(str(package / "openclaw.mjs"), 0o755)  # find_cli takes only an executable
    (tmp_path / "bin").mkdir()
    os.symlink(str(package / "openclaw.mjs"), str(tmp_path / "bin" / "openclaw"))
    (tmp_path / "bin" / "node").write_text("")
    commands = Commands({"--version": (0, "v24.19.0\n", "")})
    facts, problems = collect_install(commands, None, str(tmp_path), bin_dirs=(str(tmp_path / "bin"),))
    assert problems == []
    assert (facts["installed"], facts["version"], facts["package_root"]) == (True, "2026.9.6", str(package))
    assert facts["node"] == dict(path=str(tmp_path / "bin" / "node"), version="24.19.0", engines_ok=True, engines=facts["node"]["engines"])


def test_a_package_that_is_not_openclaw(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"name": "other", "version": "1.0.0"}))
    (tmp_path / "cli.mjs").write_text("")
    assert package_of(str(tmp_path / "cli.mjs")) == (None, None)


def test_a_node_without_the_user_has_no_unit_and_no_finding_about_it(tmp_path):
    service, directives, manager_env, problems = collect_service(Commands(), None, "openclaw", "dev", system_unit_dirs=(str(tmp_path),))
    assert service["unit_name"] == unit_name_for("dev") == "openclaw-gateway-dev.service"
    assert (service["unit_path"], service["scope"], directives, manager_env, problems) == (None, "none", {}, {}, [])


def test_no_locks_without_the_user():
    assert collect_locks(None, "/home/openclaw/.openclaw/openclaw.json") == ([], [])


def test_the_newest_log_of_the_profile(tmp_path):
    for name in ("openclaw-2026-01-01.log", "openclaw-dev-2026-01-01.log", "openclaw-dev-2026-01-02.log"):
        (tmp_path / name).write_text("")
    user = dict(name="openclaw", uid=os.stat(str(tmp_path)).st_uid, home="/nonexistent", groups=[])
    assert collect_log_file(user, "dev", log_dir=str(tmp_path)) == (str(tmp_path / "openclaw-dev-2026-01-02.log"), [])
    assert collect_log_file(user, None, log_dir=str(tmp_path)) == (str(tmp_path / "openclaw-2026-01-01.log"), [])
    assert collect_log_file(user, "prod", log_dir=str(tmp_path)) == (None, [])


def test_a_log_directory_that_is_not_there_any_more(tmp_path, monkeypatch):
    (tmp_path / "openclaw-2026-01-01.log").write_text("")
    real_lstat = os.lstat

    def lstat(path):
        if path == str(tmp_path):
            raise OSError("gone")
        return real_lstat(path)
    monkeypatch.setattr(os, "lstat", lstat)
    newest, problems = collect_log_file(None, None, log_dir=str(tmp_path))
    assert newest is None and [problem_id for problem_id, message, extra in problems] == ["log_file_unsafe"]


@pytest.mark.parametrize("option, service, config, port", [
    (18790, dict(exec_port=1), dict(port=2), 18790),
    (None, dict(exec_port=1), dict(port=2), 1),
    (None, {}, dict(port=2), 2),
    (None, {}, dict(port="2"), 18789),
])
def test_the_gateway_port(option, service, config, port):
    assert gateway_port(option, service, config) == port


@pytest.mark.parametrize("config, url", [
    (dict(bind="loopback"), "http://127.0.0.1:1"),
    (dict(bind="custom", custom_bind_host="0.0.0.0"), "http://127.0.0.1:1"),
    (dict(bind="custom", custom_bind_host="10.0.0.5"), "http://10.0.0.5:1"),
    (dict(bind="custom", custom_bind_host="::1"), "http://[::1]:1"),
])
def test_the_base_url(config, url):
    assert base_url(config, 1) == url


def test_wait_ready_asks_the_unit_at_most_once_a_second(monkeypatch):
    monkeypatch.setattr(_collect_http, "http_probe", lambda url, timeout: dict(ok=False))
    asked = []
    started = time.time()
    assert wait_ready("http://127.0.0.1:1/ready", 1.6, 1.0, lambda: asked.append(time.time()) or False) is None
    assert 1.5 <= time.time() - started < 5 and len(asked) == 1
