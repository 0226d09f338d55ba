# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wiring of the hostile-input suite: a sample of its cases through the real roles with
ansible-playbook, against this machine over a local connection in check mode. One inventory host per
case (all of them localhost), so that one run covers the sample. Each host must stop at the role's
argument validation or at its preflight check, with a message naming the variable, and reach no task
that could change anything."""

import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLAYBOOK_BIN = shutil.which("ansible-playbook")
# Tasks a host may run before it is refused: nothing here changes the machine.
ALLOWED = ("Role", "Validating arguments against arg spec", "Preflight", "Run preflight checks", "Check the settings before changing anything",
           "Gather the minimal facts the role needs", "Assert the OS is Debian-family", "Detect")
CHECK_TASK = "Check the settings before changing anything"

SAMPLE = [
    ("gateway", "gateway_environment", {"gateway_environment": {"A": "x\nExecStartPre=/bin/sh -c id"}}),
    ("gateway", "gateway_proxy_url", {"gateway_proxy_url": "http://127.0.0.1:8118\nExecStartPre=/bin/id"}),
    ("gateway", "gateway_service_limits", {"gateway_service_limits": {"ExecStartPre": "/bin/id"}}),
    ("gateway", "gateway_user", {"gateway_user": "root"}),
    ("gateway", "gateway_port", {"gateway_port": "\uff18\uff10\uff18\uff10"}),
    ("gateway", "gateway_version", {"gateway_version": "2026.9.6\n"}),
    ("gateway", "gateway_auth_password", {"gateway_bind": "lan", "gateway_auth_mode": "password", "gateway_auth_password": "a"}),
    ("node", "node_nodesource_repo_url", {"node_nodesource_repo_url": "https://deb.nodesource.com\nTrusted: yes"}),
    ("node", "node_version", {"node_version": "24.19.0\n"}),
    ("egress", "egress_relay_host", {"egress_relay_host": "relay.ex\u0430mple.com", "egress_password": "x" * 20}),
    ("egress", "egress_forward_rules", {"egress_relay_host": "relay.example.com", "egress_password": "x" * 20,
                                        "egress_forward_rules": [{"pattern": "/\nlisten-address 0.0.0.0:8118", "forward": "."}]}),
    ("auth", "auth_backup_keep", {"auth_backup_keep": 0}),
    ("auth", "auth_profiles", {"auth_profiles": [{"id": "openai:a", "secret": "sk-aaaaaaaa\r"}]}),
    ("remediate", "remediate_stop_timeout", {"remediate_stop_timeout": -1}),
    ("remediate", "remediate_backup_dir", {"remediate_backup_dir": "/var/lib/../../etc/cron.d"}),
    ("doctor", "doctor_report_dir", {"doctor_report_dir": "reports"}),
    ("doctor", "doctor_probe_timeout", {"doctor_probe_timeout": -3}),
]


@pytest.mark.skipif(PLAYBOOK_BIN is None or "ANSIBLE_COLLECTIONS_PATH" not in os.environ,
                    reason="needs ansible-playbook and the collection on ANSIBLE_COLLECTIONS_PATH (scripts/env.sh)")
def test_sample_is_refused_by_the_roles(tmp_path):
    hosts = {}
    for index, (role, _name, values) in enumerate(SAMPLE):
        host = "case%02d" % index
        hosts[host] = dict(values, case_role=role, ansible_connection="local", ansible_python_interpreter=sys.executable)
    (tmp_path / "inventory.yml").write_text(json.dumps({"all": {"hosts": hosts}}))
    # One play (a play whose hosts all fail ends the run), each host including its own role.
    plays = [{"name": "hostile sample", "hosts": "all", "gather_facts": False,
              "tasks": [{"name": "Role", "ansible.builtin.include_role": {"name": "clawops.openclaw.{{ case_role }}"}}]}]
    (tmp_path / "play.yml").write_text(json.dumps(plays))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_FORKS="4", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml"), "--check"],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode != 0, proc.stdout[-3000:]
    report = json.loads(proc.stdout[proc.stdout.index("{"):])

    reached = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            for host, result in task["hosts"].items():
                reached.setdefault(host, []).append((task["task"]["name"].split(" : ", 1)[-1], result))
    assert sorted(reached) == sorted("case%02d" % i for i in range(len(SAMPLE)))
    for index, (role, name, values) in enumerate(SAMPLE):
        host = "case%02d" % index
        tasks = reached[host]
        last_name, last = tasks[-1]
        assert last.get("failed"), (host, name, [t for t, _r in tasks])
        assert name in last.get("msg", ""), (host, last.get("msg"))
        for task_name, result in tasks:
            assert task_name.startswith(ALLOWED), (host, task_name)
            assert not result.get("changed"), (host, task_name)
        assert report["stats"][host]["failures"] == 1 and report["stats"][host]["changed"] == 0


@pytest.mark.skipif(PLAYBOOK_BIN is None or "ANSIBLE_COLLECTIONS_PATH" not in os.environ,
                    reason="needs ansible-playbook and the collection on ANSIBLE_COLLECTIONS_PATH (scripts/env.sh)")
def test_existing_accounts_are_not_taken_over(tmp_path):
    """user.yml on accounts of this machine, in check mode: `sync` (shell /bin/sync, a login shell) and `root`
    (uid 0; the preflight refuses the name too) are refused before the user module could rewrite them."""
    hosts = dict((name, {"gateway_user": name, "ansible_connection": "local", "ansible_python_interpreter": sys.executable})
                 for name in ("sync", "root"))
    (tmp_path / "inventory.yml").write_text(json.dumps({"all": {"hosts": hosts}}))
    plays = [{"name": "accounts", "hosts": "all", "gather_facts": False,
              "tasks": [{"name": "User", "ansible.builtin.include_role": {"name": "clawops.openclaw.gateway", "tasks_from": "user.yml"}}]}]
    (tmp_path / "play.yml").write_text(json.dumps(plays))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), str(tmp_path / "play.yml"), "--check"],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    report = json.loads(proc.stdout[proc.stdout.index("{"):])
    failed = {}
    for task in report["plays"][0]["tasks"]:
        for host, result in task["hosts"].items():
            assert not result.get("changed"), (host, task["task"]["name"])
            if result.get("failed"):
                failed[host] = (task["task"]["name"].split(" : ", 1)[-1], result.get("msg", ""))
    assert failed["sync"][0] == "Check an existing account before reusing it"
    assert "login shell" in failed["sync"][1] and "gateway_user_allow_login_shell" in failed["sync"][1]
    assert failed["root"][0] == "Check an existing account before reusing it" and "uid 0" in failed["root"][1]


@pytest.mark.skipif(PLAYBOOK_BIN is None or "ANSIBLE_COLLECTIONS_PATH" not in os.environ,
                    reason="needs ansible-playbook and the collection on ANSIBLE_COLLECTIONS_PATH (scripts/env.sh)")
@pytest.mark.parametrize("bad, name", [
    ({"auth_profiles": [{"id": "openai:a", "secret": "sk-aaaaaaaa\r"}]}, "auth_profiles"),
    ({"gateway_environment": {"A": "x\nExecStartPre=/bin/id"}}, "gateway_environment"),
    ({"egress_enabled": True, "egress_relay_host": "relay.example.com", "egress_password": "x" * 20,
      "gateway_no_proxy_extra": [".openai.com"]}, "NO_PROXY"),
    ({"relay_port": "8388\n"}, "relay_port"),
], ids=["auth", "gateway", "egress-overlap", "relay"])
def test_site_checks_the_whole_inventory_before_any_play_changes_anything(tmp_path, bad, name):
    """site.yml: a bad value of the last role (auth), or of the relay, stops every host, relays and gateways
    alike, in the check plays: no task of any role's main entry point runs anywhere."""
    local = dict(ansible_connection="local", ansible_python_interpreter=sys.executable)
    relay_vars = {"relay_password": "r" * 20}
    relay_vars.update({k: v for k, v in bad.items() if k.startswith("relay_")})
    gateway_vars = {k: v for k, v in bad.items() if not k.startswith("relay_")}
    inventory = {"openclaw_relays": {"hosts": {"relay1": dict(local, **relay_vars)}},
                 "openclaw_gateways": {"hosts": {"gw1": dict(local, **gateway_vars), "gw2": dict(local)}}}
    (tmp_path / "inventory.yml").write_text(json.dumps(inventory))
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp_path / "inventory.yml"), os.path.join(ROOT, "playbooks", "site.yml"), "--check"],
                          cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert proc.returncode != 0, proc.stdout[-3000:]
    report = json.loads(proc.stdout[proc.stdout.index("{"):])
    plays = [play["play"]["name"] for play in report["plays"]]
    assert all(p.startswith("Check the settings") for p in plays), plays
    failed = [result.get("msg", "") for play in report["plays"] for task in play["tasks"] for result in task["hosts"].values()
              if result.get("failed")]
    assert failed and name in failed[0], failed
    assert sum(stats["changed"] for stats in report["stats"].values()) == 0
