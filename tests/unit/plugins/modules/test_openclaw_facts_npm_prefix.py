# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The facts find OpenClaw where the gateway role installs it (gateway_npm_prefix).

They used to look only in /usr/local/bin, /usr/bin and /bin: with any other prefix they reported
not_installed and the gateway role reinstalled the package on every converge."""

import json
import os

import yaml

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))


class FakeModule:
    def __init__(self, **params):
        self.params = dict(user="openclaw", profile=None, config_path=None, port=None, timeout=1.0, cli_timeout=30, releases_dir="/nonexistent/releases")
        self.params.update(params)

    def run_command(self, argv, **kwargs):  # pylint: disable=unused-argument
        return 1, "", "no node in unit tests"


def npm_install(prefix, version="2026.9.6"):
    """What `npm install --global --prefix PREFIX openclaw@VERSION` leaves: the package and a bin link to it."""
    package = prefix / "lib" / "node_modules" / "openclaw"
    package.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "openclaw", "version": version}))
    entry = package / "openclaw.mjs"
    entry.write_text("#!/usr/bin/env node\n")
    entry.chmod(0o755)
    (prefix / "bin").mkdir()
    os.symlink(os.path.relpath(str(entry), str(prefix / "bin")), str(prefix / "bin" / "openclaw"))
    return str(prefix / "bin" / "openclaw")


def install_facts(**params):
    gatherer = openclaw_facts.Gatherer(FakeModule(**params))
    gatherer.gather_install()
    return gatherer


def test_a_non_default_npm_prefix_is_where_the_facts_find_openclaw(tmp_path):
    cli = npm_install(tmp_path / "opt" / "openclaw")
    gatherer = install_facts(npm_prefix=str(tmp_path / "opt" / "openclaw"))
    facts = gatherer.facts
    assert (facts["installed"], facts["version"], facts["cli_path"]) == (True, "2026.9.6", cli)
    assert facts["package_root"] == str(tmp_path / "opt" / "openclaw" / "lib" / "node_modules" / "openclaw")
    assert "not_installed" not in [p["id"] for p in gatherer.problems]


def test_nothing_under_the_prefix_is_not_installed_whatever_else_is_on_the_host(tmp_path):
    gatherer = install_facts(npm_prefix=str(tmp_path / "empty"))
    assert gatherer.facts["installed"] is False and gatherer.facts["cli_path"] is None
    problem = [p for p in gatherer.problems if p["id"] == "not_installed"][0]
    assert str(tmp_path / "empty" / "bin" / "openclaw") in problem["message"]


def gateway_role_facts_calls():
    calls = []
    tasks_dir = os.path.join(ROOT, "roles", "gateway", "tasks")
    for name in sorted(os.listdir(tasks_dir)):
        with open(os.path.join(tasks_dir, name)) as handle:
            for task in yaml.safe_load(handle) or []:
                if "clawops.openclaw.openclaw_facts" in task:
                    calls.append((name, task["clawops.openclaw.openclaw_facts"]))
    return calls


def test_the_gateway_role_tells_every_facts_call_its_prefix():
    """install.yml skips npm when the facts' version is the pinned one: they must look where npm installed."""
    calls = gateway_role_facts_calls()
    assert calls and [(name, args.get("npm_prefix")) for name, args in calls] == [(name, "{{ gateway_npm_prefix }}") for name, dummy in calls]
