# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Each finding from the input that produces it, with the registry's fields attached; and the proxy variables
outside the collection's drop-in, with systemd's precedence deciding which of them reach the gateway."""

import json
import os
import pwd
import subprocess
import sys
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import (
    _collect_auth, _collect_config, _collect_egress, _collect_http, _collect_procfs, _common,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_environment import COLLECTION_DROPIN
from ansible_collections.clawops.openclaw.plugins.module_utils._findings import entry, fix_text
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts
from ansible_collections.clawops.openclaw.plugins.modules.openclaw_facts import Gatherer
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import unit_directives

UNIT = "openclaw-gateway.service"
SHOW = ("LoadState=loaded\nActiveState={active}\nSubState=running\nUnitFileState={enabled}\nMainPID=0\nNRestarts=0\n"
        "Result=success\nExecMainStatus=0\nActiveEnterTimestampMonotonic=0\n")


class FakeModule:
    def __init__(self, responder=None, **params):
        self.params = dict(user="openclaw", profile=None, config_path=None, port=18789, timeout=1.0, validate_config=False,
                           event_loop_delay_threshold_ms=500.0, cli_timeout=5, egress_proxied_domains=[],
                           egress_channel_hosts=["127.0.0.1"], egress_ss_local_unit="ss-local.service",
                           egress_ss_local_config="/nonexistent/ss.json", egress_privoxy_config="/nonexistent/privoxy", releases_dir="/nonexistent/releases")
        self.params.update(params)
        self.responder = responder or (lambda argv: (1, "", "not available in unit tests"))

    def run_command(self, argv, **kwargs):  # pylint: disable=unused-argument
        return self.responder(argv)


class Node:
    """The service user's home with its unit, drop-ins and the files OpenClaw loads."""

    def __init__(self, tmp_path):
        self.root = tmp_path
        self.home = tmp_path / "home" / "openclaw"
        self.unit_dir = self.home / ".config" / "systemd" / "user"
        self.unit_dir.mkdir(parents=True)
        self.unit = self.unit_dir / UNIT
        self.dropin_dir = self.unit_dir / (UNIT + ".d")

    def write(self, path, text, mode=0o600):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(str(path), mode)
        return str(path)

    def gatherer(self, module=None, manager_env=None):
        gatherer = Gatherer(module or FakeModule())
        gatherer.user = dict(name="openclaw", uid=os.getuid(), home=str(self.home), groups=[os.getgid()])
        gatherer.manager_env = dict(manager_env or {})
        gatherer.directives = unit_directives(self.unit, self.dropin_dir)
        gatherer.facts["service"] = dict(pid=None, unit_name=UNIT)
        return gatherer


def ids(gatherer):
    return sorted(set(p["id"] for p in gatherer.problems))


def only(gatherer, finding_id):
    found = [p for p in gatherer.problems if p["id"] == finding_id]
    assert found, ids(gatherer)
    return found[0]


# --- every problem carries the registry's fields ----------------------------------------------------

def test_a_node_without_the_service_user():
    gatherer = Gatherer(FakeModule(user="clawops-no-such-user"))
    gatherer.gather_user()
    problem = only(gatherer, "user_missing")
    assert problem["severity"] == entry("user_missing")["severity"] == "error"
    assert problem["meaning"] == entry("user_missing")["meaning"]
    assert problem["fix"] == dict(playbook="playbooks/site.yml", tags=[], note=None) and problem["fix_text"] == fix_text("user_missing")
    assert problem["fault_class"] is None and problem["remediate"] is False and problem["manual"] is False
    assert problem["runbook"] == "docs/runbook.md#" + entry("user_missing")["runbook"]


def test_a_node_without_linger(monkeypatch):
    exists = os.path.exists
    monkeypatch.setattr(os.path, "exists", lambda path: False if path.startswith("/var/lib/systemd/linger/") else exists(path))
    gatherer = Gatherer(FakeModule(user=pwd.getpwuid(os.getuid()).pw_name))
    gatherer.gather_user()
    problem = only(gatherer, "linger_off")
    assert problem["fault_class"] == "service" and problem["fix"]["tags"] == ["service"] and problem["remediate"] is True


def test_a_node_without_openclaw_and_node(tmp_path, monkeypatch):
    monkeypatch.setattr(openclaw_facts, "BIN_DIRS", (str(tmp_path),))
    gatherer = Gatherer(FakeModule())
    gatherer.gather_install()
    assert ids(gatherer) == ["node_missing", "not_installed"]
    assert gatherer.facts["installed"] is False and gatherer.facts["node"]["path"] is None
    assert only(gatherer, "node_missing")["fix_text"] == "playbooks/site.yml (node role)"


def test_an_unsupported_node_version(tmp_path, monkeypatch):
    (tmp_path / "node").write_text("")
    monkeypatch.setattr(openclaw_facts, "BIN_DIRS", (str(tmp_path),))
    gatherer = Gatherer(FakeModule(lambda argv: (0, "v22.12.0\n", "") if argv[-1] == "--version" else (1, "", "")))
    gatherer.gather_install()
    assert "node_unsupported" in ids(gatherer) and gatherer.facts["node"]["engines_ok"] is False


# --- the service --------------------------------------------------------------------------------------

def _service(tmp_path, monkeypatch, responder):
    monkeypatch.setattr(openclaw_facts, "SYSTEM_UNIT_DIRS", ())
    node = Node(tmp_path)
    gatherer = node.gatherer(FakeModule(responder))
    return node, gatherer


def test_a_missing_unit(tmp_path, monkeypatch):
    node, gatherer = _service(tmp_path, monkeypatch, None)
    gatherer.gather_service()
    assert ids(gatherer) == ["unit_missing"] and str(node.unit) in only(gatherer, "unit_missing")["message"]


def test_an_unreachable_user_manager(tmp_path, monkeypatch):
    node, gatherer = _service(tmp_path, monkeypatch, lambda argv: (1, "", "Failed to connect to bus: No medium found"))
    node.write(node.unit, "[Service]\nExecStart=/usr/local/bin/node gateway --port 18789\n")
    gatherer.gather_service()
    problem = only(gatherer, "user_manager_unreachable")
    assert "No medium found" in problem["message"] and problem["fault_class"] == "service"


def test_a_disabled_service(tmp_path, monkeypatch):
    show = SHOW.format(active="active", enabled="disabled")
    node, gatherer = _service(tmp_path, monkeypatch, lambda argv: (0, show, "") if "show" in argv else (0, "", ""))
    node.write(node.unit, "[Service]\nExecStart=/usr/local/bin/node gateway --port 18789\n")
    gatherer.gather_service()
    assert ids(gatherer) == ["service_disabled"] and only(gatherer, "service_disabled")["severity"] == "warning"


JOURNAL_OOM = (
    "2026-12-06T01:10:02+00:00 node systemd[812]: openclaw-gateway.service: A process of this unit has been killed by the OOM killer.\n"
    "2026-12-06T01:10:02+00:00 node systemd[812]: openclaw-gateway.service: Failed with result 'oom-kill'.\n"
    "2026-12-06T01:10:07+00:00 node systemd[812]: openclaw-gateway.service: Scheduled restart job, restart counter is at 1.\n"
    "2026-12-06T02:40:11+00:00 node systemd[812]: openclaw-gateway.service: Failed with result 'oom-kill'.\n")


@pytest.mark.parametrize("active, result, journal, kills", [
    ("active", "success", JOURNAL_OOM, 2),           # restarted since: only the user manager's log remembers
    ("activating", "oom-kill", "", 1),               # between the kill and the automatic restart
], ids=["restarted", "auto-restart"])
def test_an_oom_kill_is_named_as_such(tmp_path, monkeypatch, active, result, journal, kills):
    show = SHOW.format(active=active, enabled="enabled").replace("Result=success", "Result=" + result) + "MemoryMax=7301224857\n"
    calls = []

    def responder(argv):
        calls.append(argv)
        if "journalctl" in argv:
            return 0, journal, ""
        return (0, show, "") if "show" in argv else (0, "", "")
    node, gatherer = _service(tmp_path, monkeypatch, responder)
    node.write(node.unit, "[Service]\nExecStart=/usr/local/bin/node gateway --port 18789\n")
    gatherer.gather_service()
    problem = only(gatherer, "service_oom_killed")
    assert problem["severity"] == "warning" and "%d time(s)" % kills in problem["message"] and "7301224857" in problem["message"]
    service = gatherer.facts["service"]
    assert service["oom_kills"] == (kills if journal else 0) and service["memory_max"] == "7301224857"
    if journal:
        assert service["last_oom_kill"] == "2026-12-06T02:40:11+00:00"
    journalctl = [argv for argv in calls if "journalctl" in argv][0]
    assert "USER_UNIT=openclaw-gateway.service" in journalctl and "_SYSTEMD_UNIT=user@%d.service" % os.getuid() in journalctl


# --- the config ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, mode, expected", [
    (None, 0o600, "config_missing"),
    ('{"gateway": {"mode": "local"}}', 0o644, "config_permissions"),
    ('{"gateway": {}}', 0o600, "gateway_mode_missing"),
    ('{"gateway": {"mode": "local", "bind": "lan", "auth": {"mode": "none"}}}', 0o600, "bind_without_auth"),
], ids=["missing", "readable-by-others", "mode-missing", "lan-without-auth"])
def test_config_file_findings(tmp_path, monkeypatch, content, mode, expected):
    monkeypatch.setattr(openclaw_facts, "ROOT_HOME", str(tmp_path / "root"))
    monkeypatch.setattr(_collect_config, "shell_startup_paths", lambda home: _common.shell_startup_paths(home, files=("~/.profile",)))
    node = Node(tmp_path)
    if content is not None:
        node.write(node.home / ".openclaw" / "openclaw.json", content, mode)
    gatherer = node.gatherer()
    gatherer.gateway_env = {}
    gatherer.gather_config()
    assert ids(gatherer) == [expected]
    assert only(gatherer, expected)["fault_class"] == entry(expected)["fault_class"]


@pytest.mark.parametrize("installed, touched, skew", [
    ("2026.9.5", "2026.9.6", True),
    ("2026.9.6", "2026.9.6", False),
    ("2026.9.6", "2026.9.5", False),
    ("2026.9.6", None, False),
    ("2026.9.5", "2099.1.1\n| injected | row |", False),
], ids=["older-binary", "same", "newer-binary", "no-meta", "not-a-version"])
def test_a_binary_older_than_its_config_is_version_skew_not_an_invalid_config(tmp_path, monkeypatch, installed, touched, skew):
    """Lowering gateway_version: 2026.9.5 refuses (exit 78) the config 2026.9.6 wrote, and its CLI would call that config
    invalid. The finding names the cause; the config is not validated by the older CLI, so nothing proposes a config
    restore (which cannot help)."""
    monkeypatch.setattr(openclaw_facts, "ROOT_HOME", str(tmp_path / "root"))
    monkeypatch.setattr(_collect_config, "shell_startup_paths", lambda home: _common.shell_startup_paths(home, files=("~/.profile",)))
    node = Node(tmp_path)
    meta = {"meta": {"lastTouchedVersion": touched}} if touched else {}
    node.write(node.home / ".openclaw" / "openclaw.json", json.dumps(dict(meta, gateway={"mode": "local"})))
    cli_calls = []
    gatherer = node.gatherer(FakeModule(lambda argv: cli_calls.append(argv) or (1, "", '{"valid": false}'), validate_config=True,
                                        validate_loaded_config=True))
    gatherer.gateway_env = {}
    gatherer.facts.update(version=installed, cli_path="/usr/local/bin/openclaw")
    gatherer.gather_config()
    gatherer.start_validation()
    gatherer.validate_config()
    assert gatherer.facts["config"]["last_touched_version"] == (touched if touched and "\n" not in touched else None)
    if skew:
        assert ids(gatherer) == ["version_skew"] and not cli_calls and gatherer.facts["config"]["valid"] is None
        found = only(gatherer, "version_skew")
        assert found["installed"] == "2026.9.5" and found["config_written_by"] == "2026.9.6" and found["fault_class"] is None
        assert "a config restore does not help" in found["fix_text"]
    else:
        assert "version_skew" not in ids(gatherer) and cli_calls


# --- side-by-side releases: the version the process runs ------------------------------------------------------

def test_a_gateway_started_before_the_release_switch_is_restart_pending(tmp_path):
    """The unit starts `current`; Node resolves the link once, at start. After a switch the process still runs the
    release `previous` names until it restarts: the facts say so instead of reporting the version on disk."""
    from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.test_openclaw_release import make_release
    releases = tmp_path / "opt" / "openclaw"
    for version in ("2026.9.5", "2026.9.6"):
        make_release(str(releases / version), version)
    os.symlink("2026.9.5", str(releases / "current"))
    entry = str(releases / "current" / "lib" / "node_modules" / "openclaw" / "dist" / "index.js")
    sleeper = "import time; time.sleep(60)"
    gateway = subprocess.Popen([sys.executable, "-c", sleeper, entry])
    try:
        time.sleep(0.3)
        os.symlink("2026.9.5", str(releases / "previous"))
        os.symlink("2026.9.6", str(releases / "current.new"))
        os.rename(str(releases / "current.new"), str(releases / "current"))   # the switch, as openclaw_release does it
        gatherer = Gatherer(FakeModule(releases_dir=str(releases), npm_prefix=str(tmp_path / "usr")))
        gatherer.facts = dict(version="2026.9.6", service=dict(pid=gateway.pid))
        gatherer.gather_release()
        release = gatherer.facts["release"]
        assert (release["active"], release["previous"], release["installed"]) == ("2026.9.6", "2026.9.5", ["2026.9.5", "2026.9.6"])
        assert release["running"] == "2026.9.5" and release["restart_pending"] is True
        found = only(gatherer, "restart_pending")
        assert (found["running"], found["installed"], found["severity"]) == ("2026.9.5", "2026.9.6", "warning")
    finally:
        gateway.kill()
        gateway.wait()
    # Restarted after the switch: it runs the active release, nothing pending. (A start time is known to a clock tick,
    # 1/100 s: a process started within one tick of the switch could count as started before it.)
    time.sleep(0.05)
    restarted = subprocess.Popen([sys.executable, "-c", sleeper, entry])
    try:
        time.sleep(0.1)
        gatherer = Gatherer(FakeModule(releases_dir=str(releases), npm_prefix=str(tmp_path / "usr")))
        gatherer.facts = dict(version="2026.9.6", service=dict(pid=restarted.pid))
        gatherer.gather_release()
        assert gatherer.facts["release"]["running"] == "2026.9.6" and gatherer.facts["release"]["restart_pending"] is False
        assert ids(gatherer) == []
    finally:
        restarted.kill()
        restarted.wait()


# --- the running gateway ---------------------------------------------------------------------------------

GATEWAY = dict(address="127.0.0.1:18789", pid=4242, command="node", cmdline="node openclaw gateway", user="openclaw")
FOREIGN = dict(address="127.0.0.1:18789", pid=4343, command="python3", cmdline="python3 -m http.server 18789", user="nobody")
READY = dict(status=200, error=None, json={"ready": True, "failing": [], "uptimeMs": 3600000})


@pytest.mark.parametrize("pid, listeners, ready, expected", [
    (4242, [GATEWAY], dict(status=None, error="timed out", json=None), "gateway_hung"),
    (4242, [], dict(status=None, error="[Errno 111] Connection refused", json=None), "gateway_starting"),
    (4242, [GATEWAY], dict(status=503, error=None, json={"ready": False, "failing": ["channels.feishu"]}), "not_ready"),
    (4242, [GATEWAY, FOREIGN], READY, "port_conflict"),
], ids=["hung", "starting", "failing-channel", "port-held"])
def test_readiness_findings(monkeypatch, pid, listeners, ready, expected):
    monkeypatch.setattr(_collect_procfs, "list_listeners", lambda port: [dict(item) for item in listeners])
    monkeypatch.setattr(_collect_procfs, "descendants", lambda main: [main])
    monkeypatch.setattr(_collect_http, "http_probe", lambda url, timeout: dict(ready, json=ready["json"]) if url.endswith("/ready")
                        else dict(status=200, error=None, json={}))
    gatherer = Gatherer(FakeModule())
    gatherer.facts = dict(service=dict(pid=pid, active_state="active"), config=dict(bind="loopback", port=18789))
    gatherer.gather_network()
    assert ids(gatherer) == [expected]
    if expected == "port_conflict":
        assert only(gatherer, expected)["holders"] == [dict(pid=4343, command="python3", user="nobody", gateway=False)]


# --- split egress ------------------------------------------------------------------------------------------

PRIVOXY_GOOD = "forward / .\nforward-socks5t .openai.com 127.0.0.1:1080 .\n"
PRIVOXY_DEFAULT_LAST = "forward-socks5t .openai.com 127.0.0.1:1080 .\nforward / .\n"
SS = json.dumps({"server": "203.0.113.9", "server_port": 8388, "local_address": "127.0.0.1", "local_port": 1080,
                 "method": "chacha20-ietf-poly1305", "password": "not-returned"})
LOCAL_PROXY = {"HTTPS_PROXY": "http://127.0.0.1:8118", "NO_PROXY": "127.0.0.1,localhost"}


@pytest.mark.parametrize("env, privoxy, ss, active, relay_up, domains, expected", [
    (LOCAL_PROXY, PRIVOXY_GOOD, SS, "inactive", False, [], {"privoxy_inactive", "ss_local_inactive", "relay_unreachable"}),
    # The default rule last overrides the relay rule before it: the provider goes direct too.
    (LOCAL_PROXY, PRIVOXY_DEFAULT_LAST, None, "active", True, [], {"privoxy_default_not_first", "proxied_domain_direct"}),
    (LOCAL_PROXY, "forward / .\n", None, "active", True, [".openai.com"], {"proxied_domain_direct"}),
    (dict(LOCAL_PROXY, NO_PROXY="127.0.0.1,.openai.com"), PRIVOXY_GOOD, None, "active", True, [], {"proxied_domain_bypassed"}),
    (dict(LOCAL_PROXY, NO_PROXY="localhost"), None, None, "active", True, [], {"no_proxy_missing"}),
    (dict(LOCAL_PROXY, HTTPS_PROXY="http://proxy.example:3128"), None, None, "active", True, [], {"proxy_not_local"}),
    (dict(LOCAL_PROXY, HTTPS_PROXY="socks5://127.0.0.1:1080"), None, None, "active", True, [], {"proxy_socks_url"}),
], ids=["services-down", "privoxy-default-last", "domain-direct", "domain-bypassed", "no-proxy-missing", "proxy-not-local", "socks-url"])
def test_egress_findings(tmp_path, monkeypatch, env, privoxy, ss, active, relay_up, domains, expected):
    params = dict(egress_proxied_domains=domains)
    if privoxy is not None:
        params["egress_privoxy_config"] = str(tmp_path / "privoxy")
        (tmp_path / "privoxy").write_text(privoxy)
    if ss is not None:
        params["egress_ss_local_config"] = str(tmp_path / "ss.json")
        (tmp_path / "ss.json").write_text(ss)
    show = "LoadState=loaded\nActiveState=%s\nSubState=x\nUnitFileState=enabled\n" % active
    relay = dict(reachable=relay_up, error=None if relay_up else "timed out")
    monkeypatch.setattr(_collect_egress, "tcp_probe", lambda host, port, timeout: dict(relay, host=host, port=port))
    gatherer = Gatherer(FakeModule(lambda argv: (0, show, "") if "show" in argv else (1, "", ""), **params))
    gatherer.gateway_env = dict(env)
    gatherer.facts["environment"] = dict(proxy={})
    gatherer.gather_egress()
    assert set(ids(gatherer)) == expected
    for finding_id in expected:
        assert only(gatherer, finding_id)["fix_text"] == fix_text(finding_id)
    assert "not-returned" not in json.dumps(gatherer.facts) + json.dumps(gatherer.problems)


# --- auth state that cannot be read ---------------------------------------------------------------------------

@pytest.mark.parametrize("status, pin_errors, expected", [
    ((None, "gateway closed the connection"), [], "auth_unreadable"),
    (({"auth": {}}, None), ["database disk image is malformed"], "auth_pins_unreadable"),
], ids=["cli-fails", "pins-unreadable"])
def test_unreadable_auth_state(tmp_path, monkeypatch, status, pin_errors, expected):
    monkeypatch.setattr(_collect_auth, "read_pins", lambda state_dir: ([], list(pin_errors)))
    gatherer = Gatherer(FakeModule(gather_auth=True))
    gatherer.user = dict(name="openclaw", uid=os.getuid(), home=str(tmp_path))
    gatherer.facts = dict(installed=True, cli_path="/usr/local/bin/openclaw",
                          config=dict(path=str(tmp_path / ".openclaw" / "openclaw.json"), parse_ok=True))
    gatherer.config_data = {}
    gatherer.cli_json = lambda argv: status
    gatherer.gather_auth()
    assert ids(gatherer) == [expected] and only(gatherer, expected)["manual"] is True
    # Stored profiles unknown when OpenClaw did not answer: the auth role then asks the CLI itself, never re-pastes keys.
    assert gatherer.facts["auth"]["read"] is (status[0] is not None)


# --- proxy variables outside the collection's drop-in ----------------------------------------------------------

OWN = "[Service]\nEnvironment=\"HTTPS_PROXY=http://127.0.0.1:8118\"\nEnvironment=\"NO_PROXY=127.0.0.1,localhost\"\n"


def test_proxy_variables_outside_the_dropin_are_findings(tmp_path):
    node = Node(tmp_path)
    node.write(node.unit, "[Service]\nEnvironment=HTTPS_PROXY=http://127.0.0.1:9\n")
    node.write(node.dropin_dir / "10-operator.conf", "[Service]\nEnvironment=ALL_PROXY=socks5://127.0.0.1:1080\nEnvironment=KEEP=1\n")
    node.write(node.unit_dir / (UNIT + ".bak"), "[Service]\nEnvironment=all_proxy=socks5://127.0.0.1:1080\n")
    node.write(node.home / ".openclaw" / ".env", "ALL_PROXY=socks5://127.0.0.1:1080\nKEEP_ME=1\n")
    gatherer = node.gatherer(manager_env={"https_proxy": "http://127.0.0.1:9"})
    gatherer.gather_environment()
    outside = gatherer.facts["environment"]["proxy_outside_dropin"]
    assert sorted((o["variable"], o["source"]) for o in outside) == [
        ("ALL_PROXY", "dotenv"), ("ALL_PROXY", "dropin"), ("HTTPS_PROXY", "unit"), ("all_proxy", "unit_backup"), ("https_proxy", "manager")]
    assert all(o["confined"] for o in outside)
    found = [(p["source"], p["variables"]) for p in gatherer.problems if p["id"] == "proxy_outside_dropin"]
    assert sorted(found) == [("dotenv", ["ALL_PROXY"]), ("dropin", ["ALL_PROXY"]), ("manager", ["https_proxy"]),
                             ("unit", ["HTTPS_PROXY"]), ("unit_backup", ["all_proxy"])]
    problem = only(gatherer, "proxy_outside_dropin")
    assert problem["fault_class"] == "proxy_env" and problem["fix"]["tags"] == ["proxy_env"] and problem["severity"] == "warning"


def test_an_unconfined_source_is_reported_not_offered_to_remediation(tmp_path):
    node = Node(tmp_path)
    outside_home = node.write(tmp_path / "etc" / "proxy.env", "HTTPS_PROXY=http://127.0.0.1:9\n", 0o644)
    node.write(node.dropin_dir / "10-operator.conf", "[Service]\nEnvironmentFile=-%s\n" % outside_home)
    gatherer = node.gatherer()
    gatherer.gather_environment()
    assert [(o["source"], o["confined"]) for o in gatherer.facts["environment"]["proxy_outside_dropin"]] == [("environment_file", False)]
    assert ids(gatherer) == ["proxy_source_unsafe"] and only(gatherer, "proxy_source_unsafe")["fault_class"] is None


# (where the variable is set, file or manager, shadowed by the collection's drop-in)
PRECEDENCE = [
    ("unit", "unit", True),                        # drop-ins apply after the unit file
    ("unit_backup", "unit_backup", True),          # the .bak, were it restored, would be overridden the same way
    ("dropin 10-operator.conf", "dropin", True),   # drop-ins in file-name order: 10- before 50-
    ("dropin 60-operator.conf", "dropin", False),  # 60- after 50-: it wins
    ("environment_file", "environment_file", False),  # EnvironmentFile= beats every Environment=
    ("manager", "manager", True),                  # any Environment= beats the user manager's environment
    ("dotenv", "dotenv", True),                    # OpenClaw fills only variables systemd left unset
    ("gateway_env", "gateway_env", True),
]


def _set_in(node, where, variable="HTTPS_PROXY", value="http://127.0.0.1:9"):
    """Write variable=value at `where`; returns the manager environment to use."""
    line = "Environment=%s=%s\n" % (variable, value)
    if where == "unit":
        node.write(node.unit, "[Service]\n" + line)
    elif where == "unit_backup":
        node.write(node.unit_dir / (UNIT + ".bak"), "[Service]\n" + line)
    elif where.startswith("dropin "):
        node.write(node.dropin_dir / where.split()[1], "[Service]\n" + line)
    elif where == "environment_file":
        envfile = node.write(node.home / ".config" / "openclaw" / "proxy.env", "%s=%s\n" % (variable, value))
        node.write(node.unit, "[Service]\nEnvironmentFile=-%s\n" % envfile)
    elif where == "dotenv":
        node.write(node.home / ".openclaw" / ".env", "%s=%s\n" % (variable, value))
    elif where == "gateway_env":
        node.write(node.home / ".config" / "openclaw" / "gateway.env", "%s=%s\n" % (variable, value))
    return {variable: value} if where == "manager" else {}


@pytest.mark.parametrize("where, source, shadowed", PRECEDENCE, ids=[p[0].replace(" ", "-") for p in PRECEDENCE])
def test_the_collection_dropin_shadows_by_systemd_precedence(tmp_path, where, source, shadowed):
    node = Node(tmp_path)
    node.write(node.dropin_dir / COLLECTION_DROPIN, OWN)
    gatherer = node.gatherer(manager_env=_set_in(node, where))
    gatherer.gather_environment()
    outside = gatherer.facts["environment"]["proxy_outside_dropin"]
    assert [(o["variable"], o["source"]) for o in outside] == ([] if shadowed else [("HTTPS_PROXY", source)])
    assert ("proxy_outside_dropin" in ids(gatherer)) is not shadowed
    if source != "unit_backup":
        # The rule agrees with what the facts compute the gateway gets: the drop-in's value exactly when shadowed.
        effective = gatherer.facts["environment"]["proxy"]["HTTPS_PROXY"]["value"]
        assert (effective == "http://127.0.0.1:8118") is shadowed


def test_variable_names_are_case_sensitive(tmp_path):
    """The drop-in sets HTTPS_PROXY; the unit's https_proxy is another variable (and undici prefers it)."""
    node = Node(tmp_path)
    node.write(node.dropin_dir / COLLECTION_DROPIN, OWN)
    _set_in(node, "unit", "https_proxy")
    gatherer = node.gatherer()
    gatherer.gather_environment()
    assert [o["variable"] for o in gatherer.facts["environment"]["proxy_outside_dropin"]] == ["https_proxy"]


def test_without_the_collection_dropin_nothing_is_shadowed(tmp_path):
    node = Node(tmp_path)
    gatherer = node.gatherer(manager_env=_set_in(node, "manager"))
    gatherer.gather_environment()
    assert [o["source"] for o in gatherer.facts["environment"]["proxy_outside_dropin"]] == ["manager"]
