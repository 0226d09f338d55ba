# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One start of a staged OpenClaw release on its own, before it serves (private API of openclaw_prewarm).

Measured on a node converged onto 2026.9.5 and switched to 2026.9.6, Node's compile cache emptied first as on a node
that never ran 2026.9.6 (docs/performance.md): the new release's first start as the gateway took 21-25 s; after one
start of the release on its own, the way the unit starts it (node, its flags, dist/index.js), 18-19 s. The same start
through the CLI (openclaw.mjs) helps less: it loads another set of files and OpenClaw's entry writes a cache directory
of its own. The start runs as a second gateway on a scratch state directory, config, log and port while the old
release still serves, and shows the release starts on this node at all. OpenClaw documents such a second gateway
(docs/gateway/multiple-gateways.md): its own config, state directory and base port, derived ports (base + 2 to
base + 110) clear of the other's.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import COMPILE_CACHE_SUBDIR, bounded
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_http import http_probe
from ansible_collections.clawops.openclaw.plugins.module_utils._common import redact_log
from ansible_collections.clawops.openclaw.plugins.module_utils._logs import tail_bytes

# A fixed scratch place under the user's cache (not a fresh temporary name): OpenClaw keeps small lock files per
# state directory in /tmp/openclaw-state-locks-<uid>, and one path keeps them to one set.
SCRATCH_SUBDIR = ".cache/openclaw/clawops-prewarm"
# OpenClaw's derived ports reach base + 110 (browser control base + 2, its CDP range to base + 110).
DERIVED_PORT_SPAN = 110
# A port search: base ports from here, a step apart (each candidate's span must be free).
FIRST_BASE_PORT = 20789
PORT_STEP = 120
PORT_TRIES = 40
STOP_GRACE_S = 10.0
OUTPUT_TAIL = 1500


def available_mb(meminfo_text):
    """MemAvailable of /proc/meminfo in MB, None when it is not there."""
    for line in meminfo_text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "MemAvailable:" and fields[1].isdigit():
            return int(fields[1]) // 1024
    return None


def port_free(port, host="127.0.0.1"):
    """Whether nothing listens on host:port (a bind succeeds)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        probe.close()


def choose_port(is_free=port_free, first=FIRST_BASE_PORT, step=PORT_STEP, tries=PORT_TRIES):
    """A base port whose own port and browser control port (base + 2) are free, candidates a step apart; None if none."""
    for number in range(tries):
        base = first + number * step
        if base + DERIVED_PORT_SPAN > 65535:
            break
        if is_free(base) and is_free(base + 2):
            return base
    return None


def scratch_config(scratch, port):
    """The scratch gateway's config: local, loopback, its own port, log and workspace (no channel, no credential)."""
    return {
        "gateway": {"mode": "local", "bind": "loopback", "port": port},
        "logging": {"file": os.path.join(scratch, "openclaw.log")},
        "agents": {"defaults": {"workspace": os.path.join(scratch, "workspace")}},
    }


def count_files(directory):
    """Files under directory (0 when it does not exist)."""
    total = 0
    for dummy, dummy2, files in os.walk(directory):
        total += len(files)
    return total


def output_tail(path, limit=OUTPUT_TAIL):
    """The end of what the start printed, credentials masked ('' when there is nothing)."""
    try:
        return redact_log(tail_bytes(path, limit * 4))[-limit:]
    except OSError:
        return ""


def last_words(output):
    """The last line of what a failed start printed that says something: not blank, not a stack frame (`    at ...`),
    not Node's closing `Node.js v24...` line; for a crash, its error. '' when there is none."""
    for line in reversed(output.splitlines()):
        line = line.strip()
        if line and not line.startswith("at ") and not re.match(r"Node\.js v\d", line):
            return line[:300]
    return ""


class PrewarmError(Exception):
    """The release did not answer /ready in its scratch start; msg says why, output is the end of what it printed."""

    def __init__(self, msg, output=""):
        super().__init__(msg)
        self.msg = msg
        self.output = output


NODE_FLAG = re.compile(r"--[A-Za-z0-9][A-Za-z0-9_-]*(=[^\s\x00-\x1f\x7f]*)?")


def gateway_entry(binary):
    """The release's gateway entry point, dist/index.js next to the package's openclaw.mjs that `binary` links to.

    The unit starts the gateway from dist/index.js, and Node keys its compile cache by the files it loads: a start
    through the CLI (openclaw.mjs) loads another set and writes OpenClaw's own cache directory besides."""
    return os.path.join(os.path.dirname(os.path.realpath(binary)), "dist", "index.js")


def node_command(exec_start, default_node):
    """(node, its flags) as the unit starts the gateway: ExecStart's first word and the options before the script.

    exec_start: the unit's ExecStart as a list (the facts' service.exec_start); empty: default_node, no flags.
    Raises ValueError for a first word that is not an absolute path or a flag that is not `--name[=value]`."""
    if not exec_start:
        return default_node, []
    node, flags = exec_start[0], []
    if not node.startswith("/"):
        raise ValueError("exec_start must start with an absolute path to node, got %r" % node[:80])
    for word in exec_start[1:]:
        if not word.startswith("-"):
            break
        if not NODE_FLAG.fullmatch(word):
            raise ValueError("exec_start holds a node option this module does not pass on: %r" % word[:80])
        flags.append(word)
    return node, flags


class Prewarm:
    """Starts the gateway of one release (dist/index.js, as the unit does) on a scratch state directory, waits for
    /ready, stops it.

    environment: the CLI client's environment (HOME, PATH with node, NODE_OPTIONS, NODE_COMPILE_CACHE);
    the scratch directory's variables are set on top of it. node, node_flags: how the unit starts Node."""

    def __init__(self, binary, environment, home, timeout, node, node_flags=()):
        self.binary = binary
        self.node = node
        self.node_flags = list(node_flags)
        self.environment = dict(environment)
        self.timeout = timeout
        self.scratch = os.path.join(home, SCRATCH_SUBDIR)
        self.cache = os.path.join(home, COMPILE_CACHE_SUBDIR)

    def prepare(self, port):
        """A fresh scratch directory (0700) holding the config; (argv, environment) of the start."""
        shutil.rmtree(self.scratch, ignore_errors=True)
        os.makedirs(os.path.join(self.scratch, "state"), mode=0o700)
        os.chmod(self.scratch, 0o700)
        config = os.path.join(self.scratch, "openclaw.json")
        with open(os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            json.dump(scratch_config(self.scratch, port), handle)
        env = dict(self.environment, OPENCLAW_STATE_DIR=os.path.join(self.scratch, "state"), OPENCLAW_CONFIG_PATH=config)
        # The timeout bounds the start even when this module dies first (it kills its own process group).
        argv = bounded([self.node] + self.node_flags + [gateway_entry(self.binary), "gateway", "--port", str(port), "--bind", "loopback"],
                       self.timeout + STOP_GRACE_S)
        return argv, env

    def run(self, port):
        """Seconds until /ready answered 200 in the scratch start, the compile cache files it added; raises PrewarmError."""
        argv, env = self.prepare(port)
        before = count_files(self.cache)
        output = os.path.join(self.scratch, "output.txt")
        started = time.time()
        with open(output, "wb") as out:
            # Its own session: the stop reaches `timeout`, the gateway and the worker processes it starts.
            process = subprocess.Popen(argv, env=env, cwd=self.scratch, stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        try:
            ready_s = self.wait_ready(process, port, started)
            ended, exited_rc = time.time(), process.poll()     # exited on its own, before the stop
        finally:
            self.stop(process)
        printed = output_tail(output) if ready_s is None else ""
        added = count_files(self.cache) - before
        shutil.rmtree(self.scratch, ignore_errors=True)
        if ready_s is None:
            if exited_rc is None:
                raise PrewarmError("%s did not answer /ready within %g s of a start on its own" % (self.binary, self.timeout), printed)
            said = last_words(printed)
            raise PrewarmError("%s exited with rc=%s %.1f s into a start on its own, before /ready answered%s"
                               % (self.binary, exited_rc, ended - started, "; it said last: " + said if said else ""), printed)
        return ready_s, max(added, 0)

    def wait_ready(self, process, port, started):
        url = "http://127.0.0.1:%d/ready" % port
        while time.time() - started < self.timeout:
            if process.poll() is not None:
                return None
            if http_probe(url, 1.0)["ok"]:
                return round(time.time() - started, 2)
            time.sleep(0.25)
        return None

    def stop(self, process):
        """SIGTERM to the start's process group (OpenClaw shuts down cleanly in well under a second), SIGKILL after
        STOP_GRACE_S."""
        for sig, grace in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, 5.0)):
            if process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
            except OSError:
                pass
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                continue
