# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_facts' RETURN documents exactly the keys the gatherer produces, so the docs cannot drift.

Whole gather() runs on a fake node (files under tmp_path, systemctl and the CLI answered by a fake
module, a real HTTP server and a real TCP probe) that reaches nearly every key; the keys of the
produced facts, recursively (the union over the items of lists), must equal the keys documented
through `contains`."""

import json
import os
import pwd
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_facts
from ansible_collections.clawops.openclaw.tests.unit.plugins.module_utils.utils import AUTO, USER, make_store

# Documented dicts whose keys are data (variable names, providers), not a fixed structure.
KEYED_BY_DATA = {"environment.effective", "environment.proxy", "auth.order", "watchdog.restarts_total"}

READY = {"ready": True, "failing": [], "uptimeMs": 120000,
         "eventLoop": {"degraded": False, "delayP99Ms": 12.5, "delayMaxMs": 40.1, "utilization": 0.1, "reasons": []}}


def documented_tree():
    doc = yaml.safe_load(openclaw_facts.RETURN)["ansible_facts"]["contains"]["openclaw"]["contains"]
    return doc


def documented_keys(contains, prefix=""):
    """{dotted path: documented entry} through `contains`; list items add no segment."""
    out = {}
    for name, entry in contains.items():
        path = prefix + name
        out[path] = entry
        if entry.get("contains"):
            out.update(documented_keys(entry["contains"], path + "."))
    return out


def produced_keys(value, prefix=""):
    """Dotted paths of every dict key in value; list items are merged; dicts keyed by data are leaves."""
    out = set()
    if isinstance(value, list):
        for item in value:
            out |= produced_keys(item, prefix)
    elif isinstance(value, dict) and prefix.rstrip(".") not in KEYED_BY_DATA:
        for key, item in value.items():
            out.add(prefix + key)
            out |= produced_keys(item, prefix + key + ".")
    return out


class _Gateway(BaseHTTPRequestHandler):
    def do_GET(self):  # pylint: disable=invalid-name
        body = json.dumps(READY if self.path == "/ready" else {"ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def closed_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class FakeModule:
    def __init__(self, answers, **params):
        self.params = dict(user="openclaw", profile=None, config_path=None, port=None, timeout=2.0, validate_config=True,
                           validate_loaded_config=True, cli_timeout=5.0, wait_ready=0.0, gather_auth=True,
                           event_loop_delay_threshold_ms=500.0, egress_proxied_domains=[],
                           egress_channel_hosts=["127.0.0.1", "localhost", ".feishu.cn", "api.telegram.org"],
                           egress_ss_local_unit="shadowsocks-libev-local@clawops-egress.service", releases_dir="/nonexistent/releases")
        self.params.update(params)
        self.answers = answers

    def run_command(self, argv, **kwargs):  # pylint: disable=unused-argument
        line = " ".join(argv)
        for needle, answer in self.answers:
            if needle in line:
                return answer
        return 1, "", "not available in unit tests"


def write(path, text, mode=0o644):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(str(path), mode)
    return str(path)


class Node:
    """A node where nearly everything openclaw_facts looks at is present, and much of it wrong."""

    def __init__(self, tmp_path, monkeypatch, port):
        self.root = tmp_path
        self.uid = os.geteuid()
        self.home = tmp_path / "home" / "openclaw"
        user_dir = self.home / ".config" / "systemd" / "user"
        self.state = self.home / ".openclaw"
        # The CLI, its package and node.
        package = tmp_path / "lib" / "node_modules" / "openclaw"
        write(package / "package.json", json.dumps({"name": "openclaw", "version": "2026.1.29"}))
        write(package / "openclaw.mjs", "", mode=0o755)
        self.prefix = str(tmp_path)
        (tmp_path / "bin").mkdir()
        os.symlink(str(package / "openclaw.mjs"), str(tmp_path / "bin" / "openclaw"))
        write(tmp_path / "bin" / "node", "", 0o755)
        # A second gateway as a system unit.
        write(tmp_path / "system" / "openclaw-gateway.service", "[Service]\nExecStart=/bin/true\n")
        # The user unit, its backup, drop-ins (one a link: refused), an EnvironmentFile outside the home.
        outside = write(tmp_path / "etc" / "proxy.env", "HTTP_PROXY=http://127.0.0.1:8118\n")
        write(user_dir / "openclaw-gateway.service",
              "[Service]\nExecStart=/usr/local/bin/node /x/openclaw.mjs gateway --port %d\nEnvironment=ALL_PROXY=socks5://127.0.0.1:1080\n"
              "EnvironmentFile=-%s\n" % (port, outside))
        write(user_dir / "openclaw-gateway.service.bak", "[Service]\nEnvironment=HTTPS_PROXY=http://old:3128\n")
        write(user_dir / "openclaw-gateway.service.d" / "10-clawops.conf",
              '[Service]\nEnvironment="HTTPS_PROXY=http://127.0.0.1:8118" "NO_PROXY=127.0.0.1,localhost,.openai.com"\n')
        os.symlink(outside, str(user_dir / "openclaw-gateway.service.d" / "20-link.conf"))
        write(self.state / ".env", "http_proxy=socks5://127.0.0.1:1080\n")
        # The config: world-readable, JSON5, token auth, a profile stored but not registered, an order leaving one out.
        write(self.state / "openclaw.json", "{gateway: {mode: 'local', bind: 'loopback', port: %d, auth: {mode: 'token', token: 't'}},"
              " auth: {profiles: {'openai:a': {}, 'openai:gone': {}}, order: {openai: ['openai:a']}}}\n" % port)
        # A login shell exporting another state dir, and a root config.
        write(self.home / ".profile", "export OPENCLAW_STATE_DIR=$HOME/.openclaw-cli\n")
        write(tmp_path / "root" / ".openclaw" / "openclaw.json", "{}\n")
        # Locks: a stale one, one not OpenClaw's JSON, one a link.
        locks = self.state / "tmp" / ("openclaw-%d" % self.uid)
        write(locks / "gateway.a.lock", json.dumps({"pid": 2 ** 22 + 1, "startTime": 1, "port": port, "configPath": "/x",
                                                    "createdAt": "2026-01-01T00:00:00Z"}))
        write(locks / "gateway.b.lock", "not json")
        os.symlink(outside, str(locks / "gateway.c.lock"))
        # The log.
        write(tmp_path / "log" / "openclaw-2026-01-01.log", "started\n")
        # Egress: Privoxy with the catch-all last, ss-local pointing at a closed port.
        self.privoxy = write(tmp_path / "privoxy" / "config", "forward-socks5t .openai.com 127.0.0.1:1080 .\nforward / .\n")
        self.ss_local = write(tmp_path / "ss" / "clawops-egress.json", json.dumps(
            {"server": "127.0.0.1", "server_port": closed_port(), "local_address": "127.0.0.1", "local_port": 1080,
             "method": "chacha20-ietf-poly1305", "password": "never-returned"}))
        # Auth: a legacy file never imported, session pins (one automatic to a profile in cooldown).
        make_store(str(self.state), "main", {"agent:main:tg-1": dict(AUTO, authProfileOverride="openai:a"),
                                             "agent:main:mine": dict(USER, authProfileOverride="openai:b")}).close()
        write(self.state / "agents" / "main" / "agent" / "auth-profiles.json", json.dumps({"profiles": {"openai:legacy": {}}}))

        # The watchdog's settings with scheduled backups, one archive written.
        backups = tmp_path / "backups"
        write(backups / "openclaw-2026.9.6-20261206T000000Z.tar.gz", "archive")
        monkeypatch.setattr(openclaw_facts, "WATCHDOG_SETTINGS_FILE", write(tmp_path / "watchdog" / "watchdog.json", json.dumps(
            {"user": "openclaw", "backup_dir": str(backups), "state_file": str(tmp_path / "watchdog" / "state.json")})))

        entry = pwd.struct_passwd(("openclaw", "x", self.uid, os.getegid(), "", str(self.home), "/bin/sh"))
        monkeypatch.setattr(pwd, "getpwnam", lambda name: entry)
        monkeypatch.setattr(openclaw_facts, "BIN_DIRS", (str(tmp_path / "bin"),))
        monkeypatch.setattr(openclaw_facts, "SYSTEM_UNIT_DIRS", (str(tmp_path / "system"),))
        monkeypatch.setattr(openclaw_facts, "ROOT_HOME", str(tmp_path / "root"))
        monkeypatch.setattr(openclaw_facts, "LOG_DIR", str(tmp_path / "log"))

    def answers(self, manager_up=True, validation='{"valid": false, "issues": [{"path": "gateway.bind", "message": "bad"}]}'):
        show = ("LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=disabled\nMainPID=0\nNRestarts=0\n"
                "Result=success\nExecMainStatus=0\nActiveEnterTimestampMonotonic=1\n")
        unit = "LoadState=loaded\nActiveState=inactive\nSubState=dead\nUnitFileState=enabled\n"
        stored = [{"profileId": "openai:%s" % name, "provider": "openai", "type": "api_key", "source": "store"} for name in "abc"]
        status = json.dumps({"auth": {"unusableProfiles": [{"profileId": "openai:a", "provider": "openai", "kind": "cooldown",
                                                            "reason": "rate_limit", "remainingMs": 5000, "until": 1}],
                                      "oauth": {"profiles": stored}}})
        return [
            ("show-environment", (0, "LANG=C.UTF-8\n", "") if manager_up else (1, "", "Failed to connect to bus")),
            ("systemctl --user", (0, show, "") if manager_up else (1, "", "Failed to connect to bus")),
            ("systemctl show privoxy.service", (0, unit, "")),
            ("systemctl show shadowsocks", (0, unit, "")),
            ("node --version", (0, "v24.19.0\n", "")),
            ("config validate", (0, validation, "")),
            ("models status", (0, status, "")),
        ]

    def gather(self, answers, **params):
        params.setdefault("npm_prefix", self.prefix)  # the CLI where the gateway role would install it
        params.setdefault("egress_privoxy_config", self.privoxy)
        params.setdefault("egress_ss_local_config", self.ss_local)
        return openclaw_facts.Gatherer(FakeModule(answers, **params)).gather()


def test_documented_return_keys_are_the_gathered_ones(tmp_path, monkeypatch, gateway):
    node = Node(tmp_path, monkeypatch, gateway)
    runs = [
        node.gather(node.answers(), wait_ready=1.0),
        # The user manager down and a validation without a verdict.
        node.gather(node.answers(manager_up=False, validation="Error: boom")),
    ]
    # The config as a link: refused as root.
    os.rename(str(node.state / "openclaw.json"), str(tmp_path / "real.json"))
    os.symlink(str(tmp_path / "real.json"), str(node.state / "openclaw.json"))
    runs.append(node.gather(node.answers()))

    produced = set()
    for facts in runs:
        produced |= produced_keys(facts)
    documented = documented_keys(documented_tree())
    assert sorted(produced - set(documented)) == [], "gathered but not documented in RETURN: %s" % sorted(produced - set(documented))
    assert sorted(set(documented) - produced) == [], "documented in RETURN but never gathered: %s" % sorted(set(documented) - produced)

    ids = set(p["id"] for facts in runs for p in facts["problems"])
    assert {"port_conflict", "config_path_mismatch", "proxy_socks_url", "no_proxy_missing", "user_file_unsafe",
            "config_unsafe", "auth_session_pinned_to_unusable"} <= ids  # the fake node is as broken as intended


def test_every_documented_dict_without_contains_is_keyed_by_data():
    """A dict or list of dicts documented without its keys would escape the check above."""
    for path, entry in documented_keys(documented_tree()).items():
        structured = entry["type"] in ("dict", "complex") or entry.get("elements") == "dict"
        if structured and not entry.get("contains"):
            assert path in KEYED_BY_DATA, path


def test_documented_types_are_the_gathered_ones(tmp_path, monkeypatch, gateway):
    node = Node(tmp_path, monkeypatch, gateway)
    facts = node.gather(node.answers(), wait_ready=1.0)
    kinds = {"str": str, "bool": bool, "int": int, "float": (int, float), "list": list, "dict": dict}
    documented = documented_keys(documented_tree())

    def walk(value, prefix):
        for key, item in value.items():
            path = prefix + key
            if path not in documented or item is None:
                continue
            assert isinstance(item, kinds[documented[path]["type"]]), "%s is %r" % (path, item)
            if isinstance(item, dict) and path not in KEYED_BY_DATA:
                walk(item, path + ".")
            elif isinstance(item, list):
                for element in item:
                    if isinstance(element, dict):
                        walk(element, path + ".")
    walk(facts, "")


def test_the_comparison_sees_an_undocumented_key():
    assert produced_keys({"a": [{"b": 1}, {"c": {"d": 2}}], "environment": {"effective": {"X": "1"}}}) == {
        "a", "a.b", "a.c", "a.c.d", "environment", "environment.effective"}
