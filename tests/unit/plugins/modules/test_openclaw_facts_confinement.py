# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What openclaw_facts reads as root from places the service user writes (issue 11, rule 2a).

The service user (and every agent it runs) is the attacker here: links, '..' paths and planted files
must neither steer root to other files nor be offered to remediation as something it may edit."""

import json
import os

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._common import parse_unit_file
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts
from ansible_collections.clawops.openclaw.plugins.modules.openclaw_facts import Gatherer

ROOT_SECRET = "SENTINEL-root-only-3f9c"


class FakeModule:
    def __init__(self, **params):
        self.params = dict(user="openclaw", profile=None, config_path=None, port=None, timeout=1.0,
                           validate_config=False, event_loop_delay_threshold_ms=500.0, releases_dir="/nonexistent/releases")
        self.params.update(params)

    def run_command(self, argv, **kwargs):  # pylint: disable=unused-argument
        return 1, "", "not available in unit tests"


class Node:
    """A service user's home, plus a root-only place outside it (what an attacker aims at)."""

    def __init__(self, tmp_path, uid=4242):
        self.root = tmp_path
        self.home = tmp_path / "home" / "openclaw"
        self.unit_dir = self.home / ".config" / "systemd" / "user"
        self.unit_dir.mkdir(parents=True)
        self.unit = self.unit_dir / "openclaw-gateway.service"
        self.dropin_dir = self.unit_dir / "openclaw-gateway.service.d"
        self.outside = tmp_path / "etc"
        self.outside.mkdir()
        self.uid = uid

    def write(self, path, text, mode=0o644):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(str(path), mode)
        return str(path)

    def gatherer(self, **params):
        gatherer = Gatherer(FakeModule(**params))
        gatherer.user = dict(name="openclaw", uid=self.uid, home=str(self.home), groups=[self.uid])
        gatherer.manager_env = {}
        gatherer.directives = {}
        if self.unit.exists():
            gatherer.directives["unit"] = (str(self.unit), parse_unit_file(self.unit.read_text()))
        for dropin in sorted(self.dropin_dir.glob("*.conf")):
            gatherer.directives["dropin:" + str(dropin)] = (str(dropin), parse_unit_file(dropin.read_text()))
        gatherer.facts["service"] = dict(pid=None)
        return gatherer


def ids(gatherer):
    return [p["id"] for p in gatherer.problems]


# --- EnvironmentFile= paths named in a user-owned drop-in -------------------------------------------

def test_environment_file_with_dotdot_is_normalised_and_confined(tmp_path):
    node = Node(tmp_path)
    real = node.write(node.home / ".config" / "openclaw" / "proxy.env", "HTTPS_PROXY=http://p:3128\n")
    dotted = str(node.home / ".config" / "openclaw" / ".." / ".." / ".config" / "openclaw" / "proxy.env")
    node.write(node.dropin_dir / "50-user.conf", "[Service]\nEnvironmentFile=-%s\n" % dotted)
    gatherer = node.gatherer()
    gatherer.gather_environment()
    sources = gatherer.facts["environment"]["proxy"]["HTTPS_PROXY"]["sources"]
    assert [(s["source"], s["path"], s["confined"]) for s in sources] == [("environment_file", real, True)]
    assert ".." not in json.dumps(gatherer.facts)
    assert "proxy_source_unsafe" not in ids(gatherer)


def test_environment_file_escaping_the_home_with_dotdot_is_not_confined(tmp_path):
    """The critical finding: '..' out of the home names a file remediation then backed up/edited as root."""
    node = Node(tmp_path)
    target = node.write(node.outside / "proxy.env", "HTTPS_PROXY=http://p:3128\n")
    escape = str(node.home / ".config" / ".." / ".." / ".." / "etc" / "proxy.env")
    node.write(node.dropin_dir / "50-user.conf", "[Service]\nEnvironmentFile=%s\n" % escape)
    gatherer = node.gatherer()
    gatherer.gather_environment()
    sources = gatherer.facts["environment"]["proxy"]["HTTPS_PROXY"]["sources"]
    assert [(s["path"], s["confined"]) for s in sources] == [(target, False)]
    unsafe = [p for p in gatherer.problems if p["id"] == "proxy_source_unsafe"]
    assert len(unsafe) == 1 and unsafe[0]["severity"] == "warning"
    assert unsafe[0]["path"] == target and unsafe[0]["variables"] == ["HTTPS_PROXY"] and target in unsafe[0]["message"]


def test_environment_file_through_a_link_in_the_home_is_not_read(tmp_path):
    """A link in the home pointing at a root-only directory: root neither reads nor offers the target."""
    node = Node(tmp_path)
    node.write(node.outside / "secret.env", "HTTPS_PROXY=http://%s@p:3128\nOPENCLAW_X=%s\n" % (ROOT_SECRET, ROOT_SECRET), mode=0o600)
    os.symlink(str(node.outside), str(node.home / "link"))
    node.write(node.dropin_dir / "50-user.conf", "[Service]\nEnvironmentFile=%s/link/secret.env\n" % node.home)
    gatherer = node.gatherer()
    gatherer.gather_environment()
    assert "HTTPS_PROXY" not in gatherer.facts["environment"]["proxy"]
    assert ROOT_SECRET not in json.dumps(gatherer.facts) and ROOT_SECRET not in json.dumps(gatherer.problems)
    unsafe = [p for p in gatherer.problems if p["id"] == "user_file_unsafe"]
    assert [p["path"] for p in unsafe] == [str(node.home / "link" / "secret.env")]
    assert "link" in unsafe[0]["reason"]


def test_environment_file_outside_the_home_the_user_cannot_read_is_not_read(tmp_path):
    node = Node(tmp_path)
    node.write(node.outside / "root.env", "OPENCLAW_PROXY_URL=http://%s@p:1\n" % ROOT_SECRET, mode=0o600)
    node.write(node.unit, "[Service]\nEnvironmentFile=%s/root.env\n" % node.outside)
    gatherer = node.gatherer()
    gatherer.gather_environment()
    assert gatherer.facts["environment"]["proxy"] == {}
    assert ROOT_SECRET not in json.dumps(gatherer.facts)
    assert [p["reason"] for p in gatherer.problems if p["id"] == "user_file_unsafe"] == ["is not readable by openclaw"]


def test_relative_environment_file_is_ignored_like_systemd_does(tmp_path):
    node = Node(tmp_path)
    node.write(node.unit, "[Service]\nEnvironmentFile=../../etc/proxy.env\n")
    gatherer = node.gatherer()
    gatherer.gather_environment()
    assert gatherer.facts["environment"]["proxy"] == {}


@pytest.mark.parametrize("what", [".env", "gateway.env"])
def test_dotenv_link_to_a_root_file_is_not_read(tmp_path, what):
    node = Node(tmp_path)
    target = node.write(node.outside / "root.env", "HTTPS_PROXY=http://u:%s@p:1\n" % ROOT_SECRET, mode=0o600)
    link = node.home / (".openclaw/.env" if what == ".env" else ".config/openclaw/gateway.env")
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, str(link))
    gatherer = node.gatherer()
    gatherer.gather_environment()
    assert gatherer.facts["environment"]["proxy"] == {}
    assert [p["path"] for p in gatherer.problems if p["id"] == "user_file_unsafe"] == [str(link)]


def test_dropin_directory_link_is_not_read(tmp_path, monkeypatch):
    node = Node(tmp_path)
    node.write(node.unit, "[Service]\nExecStart=/usr/bin/node x gateway\n")
    node.write(node.outside / "drop" / "x.conf", "[Service]\nEnvironment=HTTPS_PROXY=http://u:%s@p:1\n" % ROOT_SECRET, mode=0o600)
    os.symlink(str(node.outside / "drop"), str(node.dropin_dir))
    monkeypatch.setattr(openclaw_facts, "SYSTEM_UNIT_DIRS", ())
    gatherer = Gatherer(FakeModule())
    gatherer.user = dict(name="openclaw", uid=4242, home=str(node.home), groups=[4242])
    gatherer.gather_service()
    gatherer.gather_environment()
    assert "HTTPS_PROXY" not in gatherer.facts["environment"]["proxy"]
    assert ROOT_SECRET not in json.dumps(gatherer.facts)
    assert "user_file_unsafe" in ids(gatherer)


def test_unit_link_is_not_read(tmp_path, monkeypatch):
    node = Node(tmp_path)
    target = node.write(node.outside / "root.service", "[Service]\nEnvironment=HTTPS_PROXY=http://u:%s@p:1\n" % ROOT_SECRET)
    os.symlink(target, str(node.unit))
    monkeypatch.setattr(openclaw_facts, "SYSTEM_UNIT_DIRS", ())
    gatherer = Gatherer(FakeModule())
    gatherer.user = dict(name="openclaw", uid=4242, home=str(node.home), groups=[4242])
    gatherer.gather_service()
    assert gatherer.directives["unit"][1] == []
    assert [p["path"] for p in gatherer.problems if p["id"] == "user_file_unsafe"] == [str(node.unit)]


# --- config -------------------------------------------------------------------------------------------

def test_config_link_is_not_read(tmp_path):
    node = Node(tmp_path)
    target = node.write(node.outside / "other.json", '{gateway: {mode: "local", auth: {token: "%s"}}}' % ROOT_SECRET, mode=0o600)
    (node.home / ".openclaw").mkdir()
    os.symlink(target, str(node.home / ".openclaw" / "openclaw.json"))
    gatherer = node.gatherer()
    gatherer.facts["environment"] = dict(effective={})
    gatherer.gather_config()
    config = gatherer.facts["config"]
    assert config["exists"] is True and config["parse_ok"] is None and config["mode"] is None
    assert config["unsafe"] == "is a symbolic link"
    assert "config_unsafe" in ids(gatherer)
    assert ROOT_SECRET not in json.dumps(gatherer.facts)


def test_config_fifo_does_not_block(tmp_path):
    node = Node(tmp_path)
    (node.home / ".openclaw").mkdir()
    os.mkfifo(str(node.home / ".openclaw" / "openclaw.json"))
    gatherer = node.gatherer()
    gatherer.facts["environment"] = dict(effective={})
    gatherer.gather_config()
    assert gatherer.facts["config"]["unsafe"] == "is not a regular file"


# --- locks ------------------------------------------------------------------------------------------

def _lock_node(tmp_path):
    node = Node(tmp_path, uid=os.geteuid())
    lock_dir = node.home / ".openclaw" / "tmp" / ("openclaw-%d" % node.uid)
    lock_dir.mkdir(parents=True)
    gatherer = node.gatherer()
    gatherer.facts["config"] = dict(path=str(node.home / ".openclaw" / "openclaw.json"))
    return node, lock_dir, gatherer


def dead_lock():
    with open("/proc/sys/kernel/pid_max") as handle:
        return json.dumps({"pid": int(handle.read()), "startTime": 1})


def test_regular_stale_lock_is_confined_and_stale(tmp_path):
    node, lock_dir, gatherer = _lock_node(tmp_path)
    node.write(lock_dir / "gateway.lock", dead_lock())
    gatherer.gather_locks()
    [lock] = gatherer.facts["locks"]
    assert lock["confined"] is True and lock["stale"] is True
    assert "stale_lock" in ids(gatherer)


def test_linked_lock_is_left_alone(tmp_path):
    node, lock_dir, gatherer = _lock_node(tmp_path)
    target = node.write(node.outside / "precious.lock", dead_lock())
    os.symlink(target, str(lock_dir / "gateway.lock"))
    gatherer.gather_locks()
    [lock] = gatherer.facts["locks"]
    assert lock["confined"] is False and lock["stale"] is False
    assert "stale_lock" not in ids(gatherer) and "lock_unsafe" in ids(gatherer)


def test_lock_in_a_linked_lock_directory_is_left_alone(tmp_path):
    node = Node(tmp_path, uid=os.geteuid())
    elsewhere = node.outside / "locks"
    node.write(elsewhere / "gateway.lock", dead_lock())
    (node.home / ".openclaw" / "tmp").mkdir(parents=True)
    os.symlink(str(elsewhere), str(node.home / ".openclaw" / "tmp" / ("openclaw-%d" % node.uid)))
    gatherer = node.gatherer()
    gatherer.facts["config"] = dict(path=str(node.home / ".openclaw" / "openclaw.json"))
    gatherer.gather_locks()
    [lock] = gatherer.facts["locks"]
    assert lock["confined"] is False and lock["stale"] is False


def test_lock_of_another_owner_is_left_alone(tmp_path):
    node, lock_dir, gatherer = _lock_node(tmp_path)
    path = node.write(lock_dir / "gateway.lock", dead_lock())
    os.chown(path, node.uid + 1, -1) if os.geteuid() == 0 else pytest.skip("needs root to chown")
    gatherer.gather_locks()
    [lock] = gatherer.facts["locks"]
    assert lock["confined"] is False and lock["stale"] is False


# --- log file -----------------------------------------------------------------------------------------

def test_log_file_regular_is_reported(tmp_path, monkeypatch):
    node = Node(tmp_path, uid=os.geteuid())
    log_dir = tmp_path / "openclaw-logs"
    monkeypatch.setattr(openclaw_facts, "LOG_DIR", str(log_dir))
    node.write(log_dir / "openclaw-2026-12-01.log", "{}\n")
    newest = node.write(log_dir / "openclaw-2026-12-02.log", "{}\n")
    gatherer = node.gatherer()
    gatherer.gather_logs()
    assert gatherer.facts["log_file"] == newest


@pytest.mark.parametrize("how", ["file-link", "dir-link"])
def test_log_file_link_is_not_reported(tmp_path, monkeypatch, how):
    node = Node(tmp_path, uid=os.geteuid())
    log_dir = tmp_path / "openclaw-logs"
    shadow = node.write(node.outside / "shadow", "root:secret\n", mode=0o600)
    if how == "file-link":
        log_dir.mkdir()
        os.symlink(shadow, str(log_dir / "openclaw-2026-12-02.log"))
    else:
        node.write(node.outside / "logs" / "openclaw-2026-12-02.log", "{}\n")
        os.symlink(str(node.outside / "logs"), str(log_dir))
    monkeypatch.setattr(openclaw_facts, "LOG_DIR", str(log_dir))
    gatherer = node.gatherer()
    gatherer.gather_logs()
    assert gatherer.facts["log_file"] is None
    assert "log_file_unsafe" in ids(gatherer)
