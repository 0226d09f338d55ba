# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""openclaw_prewarm against a fake release: its dist/index.js is a real process that answers /ready on its --port as the
gateway does, fills NODE_COMPILE_CACHE, and stops on SIGTERM, started by a fake `node` that records its options;
knobs.json next to it bends it (slow, never ready, exits, ignores SIGTERM)."""

import json
import os
import socket
import sys
import time

import pytest

from ansible.module_utils import basic

from ansible_collections.clawops.openclaw.plugins.module_utils import _prewarm
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_prewarm
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    AnsibleExitJson, AnsibleFailJson, exit_json, fail_json, set_module_args,
)

# `node [--options] SCRIPT ARGS`: runs SCRIPT with Python, its options in FAKE_NODE_FLAGS.
FAKE_NODE = r'''#!%(python)s
import json, os, sys
args = sys.argv[1:]
flags = []
while args and args[0].startswith("--"):
    flags.append(args.pop(0))
os.environ["FAKE_NODE_FLAGS"] = json.dumps(flags)
os.execv(sys.executable, [sys.executable] + args)
'''

FAKE_GATEWAY = r'''#!%(python)s
import json, os, signal, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

here = os.path.abspath(__file__)
for dummy in range(5):   # release/lib/node_modules/openclaw/dist/index.js
    here = os.path.dirname(here)
knobs = json.load(open(os.path.join(here, "knobs.json"))) if os.path.exists(os.path.join(here, "knobs.json")) else {}
args = sys.argv[1:]
config_path = os.environ.get("OPENCLAW_CONFIG_PATH")
with open(os.path.join(here, "calls.jsonl"), "a") as log:
    log.write(json.dumps(dict(argv=args, entry=os.path.abspath(__file__), node_flags=json.loads(os.environ.pop("FAKE_NODE_FLAGS", "[]")),
                              pid=os.getpid(), pgid=os.getpgid(0), env={k: v for k, v in os.environ.items()
                                  if k.startswith(("OPENCLAW_", "NODE_", "HOME", "PATH"))},
                              config=json.load(open(config_path)) if config_path else None)) + "\n")
if args[:1] != ["gateway"]:
    sys.exit(2)
print("starting gateway; provider apiKey=sk-prewarm-SECRET-0123456789", flush=True)
if knobs.get("exit"):
    sys.stderr.write(knobs.get("crash", ""))
    sys.exit(knobs["exit"])
if knobs.get("ignore_term"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    def stop(signum, frame):
        open(os.path.join(here, "stopped"), "w").write("SIGTERM")
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
cache = os.environ.get("NODE_COMPILE_CACHE")
if cache:
    for number in range(knobs.get("cache_files", 3)):
        open(os.path.join(cache, "module-%%d.cache" %% number), "w").write("compiled")
time.sleep(knobs.get("delay", 0.3))
status = 503 if knobs.get("never_ready") else 200

class Ready(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(status if self.path == "/ready" else 404)
        self.end_headers()
        self.wfile.write(b'{"ready": true}')
    def log_message(self, *args):
        pass

HTTPServer(("127.0.0.1", int(args[args.index("--port") + 1])), Ready).serve_forever()
'''


@pytest.fixture
def node(tmp_path, monkeypatch):
    """A fake release (bin/openclaw links to the package's openclaw.mjs; dist/index.js the gateway), a fake node and a
    service user's home with the gateway's compile cache dir."""
    release = tmp_path / "release"
    package = release / "lib" / "node_modules" / "openclaw"
    (package / "dist").mkdir(parents=True)
    (package / "openclaw.mjs").write_text("// the CLI; never started by the module\n")
    (package / "openclaw.mjs").chmod(0o755)
    (package / "dist" / "index.js").write_text(FAKE_GATEWAY % dict(python=sys.executable))
    (release / "bin").mkdir()
    (release / "bin" / "openclaw").symlink_to("../lib/node_modules/openclaw/openclaw.mjs")
    fake_node = tmp_path / "node"
    fake_node.write_text(FAKE_NODE % dict(python=sys.executable))
    fake_node.chmod(0o755)
    home = tmp_path / "home"
    (home / ".cache" / "openclaw" / "node-compile-cache").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(_prewarm, "STOP_GRACE_S", 1.0)
    return dict(release=release, binary=str(release / "bin" / "openclaw"), node=str(fake_node), entry=str(package / "dist" / "index.js"),
                home=home, cache=home / ".cache" / "openclaw" / "node-compile-cache")


def knobs(node, **values):
    (node["release"] / "knobs.json").write_text(json.dumps(values))


def calls(node):
    path = node["release"] / "calls.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def alive(pid, settle=5.0):
    """Whether pid still runs (a zombie does not count) after up to `settle` seconds for a killed process to go."""
    deadline = time.time() + settle
    while True:
        try:
            with open("/proc/%d/stat" % pid) as handle:
                running = handle.read().split(")")[-1].split()[0] != "Z"
        except OSError:
            running = False
        if not running or time.time() >= deadline:
            return running
        time.sleep(0.1)


def run_module(args, monkeypatch, euid=1000, meminfo="MemAvailable:    4194304 kB\n", check=False):
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    if check:
        args = dict(args, _ansible_check_mode=True)
    # The CLI client's environment is the service user's (never root's: no compile cache for root).
    monkeypatch.setattr(os, "geteuid", lambda: euid)
    with set_module_args(args):
        module = basic.AnsibleModule(argument_spec=openclaw_prewarm.ARGUMENT_SPEC, supports_check_mode=True)
        with pytest.raises((AnsibleExitJson, AnsibleFailJson)) as caught:
            openclaw_prewarm.run(module, meminfo=meminfo)
    return caught.value.result


def test_starts_the_release_on_scratch_paths_waits_for_ready_fills_the_cache_and_stops_it(node, monkeypatch):
    knobs(node, cache_files=4)
    unit = [node["node"], "--max-old-space-size=8192", "/opt/openclaw/current/lib/node_modules/openclaw/dist/index.js", "gateway", "--port", "18789"]
    result = run_module(dict(openclaw_bin=node["binary"], exec_start=unit, cli_timeout=30), monkeypatch)
    assert not result.get("failed"), result
    assert result["started"] and result["changed"] is False and result["skipped"] is None
    assert result["ready_s"] > 0 and result["cache_files_added"] == 4 and result["available_mb"] == 4096
    (call,) = calls(node)
    port = result["port"]
    # The release's gateway entry point, started by the unit's node with the unit's node options.
    assert call["argv"] == ["gateway", "--port", str(port), "--bind", "loopback"]
    assert call["entry"] == node["entry"] and call["node_flags"] == ["--max-old-space-size=8192"]
    scratch = str(node["home"] / ".cache" / "openclaw" / "clawops-prewarm")
    # Its own state directory, config, log and workspace; the gateway's own compile cache; its own process group.
    assert call["env"]["OPENCLAW_STATE_DIR"] == scratch + "/state" and call["env"]["OPENCLAW_CONFIG_PATH"] == scratch + "/openclaw.json"
    assert call["env"]["NODE_COMPILE_CACHE"] == str(node["cache"]) and call["env"]["HOME"] == str(node["home"])
    assert call["config"] == {"gateway": {"mode": "local", "bind": "loopback", "port": port},
                              "logging": {"file": scratch + "/openclaw.log"}, "agents": {"defaults": {"workspace": scratch + "/workspace"}}}
    assert call["pgid"] != os.getpgid(0)
    # Stopped with SIGTERM (a clean shutdown), gone, and the scratch directory removed.
    assert (node["release"] / "stopped").read_text() == "SIGTERM"
    assert not alive(call["pid"]) and not os.path.exists(scratch)


def test_a_warm_cache_adds_nothing_and_a_port_can_be_given(node, monkeypatch):
    for number in range(3):
        (node["cache"] / ("module-%d.cache" % number)).write_text("compiled")
    result = run_module(dict(openclaw_bin=node["binary"], node=node["node"], cli_timeout=30, port=_free_base()), monkeypatch)
    assert result["started"] and result["cache_files_added"] == 0, result
    assert calls(node)[0]["argv"][2] == str(result["port"])


def test_a_release_that_never_gets_ready_is_stopped_and_fails_the_module(node, monkeypatch):
    knobs(node, never_ready=True)
    result = run_module(dict(openclaw_bin=node["binary"], node=node["node"], cli_timeout=2), monkeypatch)
    assert result["failed"] and "did not answer /ready within 2 s" in result["msg"], result
    assert "exited" not in result["msg"], result   # stopped by the module, not an exit of its own
    assert "starting gateway" in result["output"] and "sk-prewarm-SECRET" not in result["output"]
    assert not alive(calls(node)[0]["pid"]) and not (node["home"] / ".cache" / "openclaw" / "clawops-prewarm").exists()


def test_a_release_that_exits_fails_the_module_with_its_rc_and_masked_output(node, monkeypatch):
    # How Node reports an error thrown while the release loads: the error, then its stack and Node's version.
    knobs(node, exit=3, crash="file:///release/dist/index.js:6\n\tthrow new Error(token);\n\t^\n\nError: bad chunk, "
          "token sk-prewarm-SECRET-0123456789\n    at file:///release/dist/index.js:6:8\n    at ModuleJob.run "
          "(node:internal/modules/esm/module_job:439:25)\n\nNode.js v24.19.0\n")
    result = run_module(dict(openclaw_bin=node["binary"], node=node["node"], cli_timeout=30), monkeypatch)
    assert result["failed"] and "exited with rc=3" in result["msg"] and "before /ready answered" in result["msg"], result
    # The message ends with the error itself, masked, not with the stack's last frame.
    assert result["msg"].endswith("it said last: Error: bad chunk, token <redacted>"), result
    assert "within" not in result["msg"], result   # not a timeout
    assert "sk-prewarm-SECRET" not in result["output"] and "apiKey" in result["output"]


def test_a_release_that_ignores_sigterm_is_killed(node, monkeypatch):
    knobs(node, ignore_term=True)
    started = time.time()
    result = run_module(dict(openclaw_bin=node["binary"], node=node["node"], cli_timeout=30), monkeypatch)
    assert result["started"], result
    assert not alive(calls(node)[0]["pid"]) and not (node["release"] / "stopped").exists()
    assert time.time() - started < 15


def test_check_mode_and_low_memory_skip_the_start(node, monkeypatch):
    result = run_module(dict(openclaw_bin=node["binary"]), monkeypatch, check=True)
    assert result["skipped"] == "check mode" and not result["started"] and calls(node) == []
    result = run_module(dict(openclaw_bin=node["binary"]), monkeypatch, meminfo="MemTotal: 1 kB\nMemAvailable:  624640 kB\n")
    assert result["skipped"] == "only 610 MB of memory available (min_available_mb 1024)" and not result.get("failed")
    assert calls(node) == []


@pytest.mark.parametrize("args, euid, message", [
    (dict(), 0, "not as root"),
    (dict(port=65500), 1000, "port must be 0"),
    (dict(min_available_mb=-1), 1000, "min_available_mb must be 0 or more"),
    (dict(cli_timeout=0), 1000, "cli_timeout must be between 1 and 3600"),
    (dict(openclaw_bin="relative/openclaw"), 1000, "openclaw_bin must be an absolute path"),
    (dict(exec_start=["node", "index.js"]), 1000, "exec_start must start with an absolute path to node"),
    (dict(exec_start=["/usr/bin/node", "--max-old-space-size=8192\n", "index.js"]), 1000, "a node option this module does not pass on"),
    (dict(exec_start=["/usr/bin/node", "-r", "/tmp/x.js", "index.js"]), 1000, "a node option this module does not pass on"),
])
def test_bad_input_is_refused_before_anything_starts(node, monkeypatch, args, euid, message):
    result = run_module(dict(dict(openclaw_bin=node["binary"]), **args), monkeypatch, euid=euid)
    assert result["failed"] and message in result["msg"], result
    assert calls(node) == []


def test_a_missing_release_and_a_taken_port_are_refused(node, monkeypatch):
    result = run_module(dict(openclaw_bin=str(node["release"] / "missing")), monkeypatch)
    assert result["failed"] and "no OpenClaw CLI at" in result["msg"]
    os.remove(node["entry"])
    result = run_module(dict(openclaw_bin=node["binary"]), monkeypatch)
    assert result["failed"] and "no gateway entry point" in result["msg"] and calls(node) == []
    with open(node["entry"], "w") as handle:
        handle.write(FAKE_GATEWAY % dict(python=sys.executable))
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    try:
        result = run_module(dict(openclaw_bin=node["binary"], node=node["node"], port=holder.getsockname()[1]), monkeypatch)
    finally:
        holder.close()
    assert result["failed"] and "no free loopback port" in result["msg"] and calls(node) == []


def test_choose_port_skips_bases_whose_own_or_browser_port_is_taken():
    taken = {20789, 20909 + 2}
    assert _prewarm.choose_port(lambda port: port not in taken) == 21029
    assert _prewarm.choose_port(lambda port: False) is None
    assert _prewarm.choose_port(lambda port: True, first=65500) is None   # its derived ports would pass 65535


def test_available_mb():
    assert _prewarm.available_mb("MemTotal: 8000000 kB\nMemAvailable:    2048000 kB\n") == 2000
    assert _prewarm.available_mb("MemTotal: 8000000 kB\n") is None


def _free_base():
    return _prewarm.choose_port(first=31789)
