"""Helpers shared by the molecule scenarios' testinfra suites."""

import hashlib
import json
import os
import re
import shlex
import subprocess
import time

SCENARIO_DIR = os.environ.get("MOLECULE_SCENARIO_DIRECTORY", os.path.dirname(os.path.dirname(__file__)))
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE")
CONVERGE = os.path.join(os.path.dirname(SCENARIO_DIR), "shared", "converge.yml")
USER = "openclaw"
UNIT = "openclaw-gateway.service"
PORT = 18789
HOME = "/home/%s" % USER
DROPIN_DIR = HOME + "/.config/systemd/user/" + UNIT + ".d"


def user_systemctl(host, *args):
    return host.run("systemctl --user --machine=%s@ %s" % (USER, " ".join(args)))


def as_user(host, command):
    """Run a shell command as the service user, with its user manager reachable."""
    uid = host.user(USER).uid
    return host.run("runuser -u %s -- env HOME=/home/%s XDG_RUNTIME_DIR=/run/user/%d sh -c %s"
                    % (USER, USER, uid, _quote(command)))


def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def main_pid(host):
    return int(user_systemctl(host, "show", "-p", "MainPID", "--value", UNIT).stdout.strip() or 0)


FAIL_ONCE = HOME + "/.clawops-test-fail-once.cjs"
FAIL_ONCE_DROPIN = DROPIN_DIR + "/30-clawops-test-fail-once.conf"
FAILED_ONCE = HOME + "/.clawops-test-failed-once"


def plant_start_fails_once(host):
    """The next start of the gateway (after a daemon-reload) exits 78 and the one after it works: what OpenClaw does
    on a starved node when its start-up state lease times out ("startup migrations did not complete cleanly"). The
    unit does not restart an exit 78. The first process removes the drop-in that loaded it, so a start after a
    daemon-reload is a clean one."""
    script = ("const fs = require('fs'); if (!fs.existsSync(%r)) { fs.writeFileSync(%r, String(process.pid)); "
              "fs.rmSync(%r, {force: true}); process.exit(78); }" % (FAILED_ONCE, FAILED_ONCE, FAIL_ONCE_DROPIN))
    out = as_user(host, "printf '%%s\\n' %s > %s && printf '[Service]\\nEnvironment=NODE_OPTIONS=--require=%s\\n' > %s"
                  % (shlex.quote(script), FAIL_ONCE, FAIL_ONCE, FAIL_ONCE_DROPIN))
    assert out.rc == 0, out.stderr


def assert_started_again(host):
    """The planted start failed (its marker), the gateway was started once more, and it runs without the drop-in."""
    assert host.file(FAILED_ONCE).exists, "the start that fails once never ran"
    assert not host.file(FAIL_ONCE_DROPIN).exists
    assert "clawops-test-fail-once" not in host.check_output("tr '\\0' '\\n' < /proc/%d/environ" % main_pid(host))
    host.run_expect([0], "rm -f %s %s" % (FAIL_ONCE, FAILED_ONCE))


def gather_facts(host, **args):
    result = host.ansible("clawops.openclaw.openclaw_facts", " ".join("%s=%s" % kv for kv in args.items()),
                          become=True, check=False)
    return result["ansible_facts"]["openclaw"]


def restart_and_wait_failed(host):
    user_systemctl(host, "restart", UNIT)
    wait_failed(host)


def unit_state(host, *properties):
    """{property: value} (systemctl prints properties in its own order, not the order asked for)."""
    out = user_systemctl(host, "show", "-p", ",".join(properties), UNIT).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def wait_failed(host):
    """Until the gateway has exited with an error (failed, or waiting to be restarted). Bounded by a start under
    load (two cores shared by five scenarios: a start that takes 13 s alone took over 60 s), not by the fault."""
    deadline = time.time() + 180
    while time.time() < deadline:
        state = unit_state(host, "ActiveState", "ExecMainStatus")
        if state.get("ActiveState") in ("failed", "activating") and state.get("ExecMainStatus", "0") != "0":
            return
        time.sleep(1)
    raise AssertionError("the gateway did not fail: %s" % state)


def wait_ready(host, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if host.run("curl -fsS -m 2 http://127.0.0.1:%d/ready" % PORT).rc == 0:
            return True
        time.sleep(1)
    return False


# The playbook runs of the running test (clawops_failure puts their failed tasks into a failure report: the tests'
# assertion messages carry only the end of an output, where a failed task's message may not be).
RUNS = []


def playbook(*extra, check=False, path=CONVERGE):
    """Run a playbook (default: converge) against the scenario's instances; returns (rc, output, recap)."""
    argv = ["ansible-playbook", "-i", INVENTORY, path] + list(extra)
    if check:
        argv += ["--check", "--diff"]
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900, check=False)
    RUNS.append((os.path.basename(path) + (" --check" if check else ""), proc.returncode, proc.stdout))
    return proc.returncode, proc.stdout, parse_recap(proc.stdout)


def failed_tasks(output):
    """The task name and result line of every task that failed in a playbook output (each cut to 1,500 characters)."""
    lines, task, found = output.splitlines(), "", []
    for line in lines:
        if line.startswith("TASK ["):
            task = line.rstrip("* ")
        elif re.match(r"(fatal|failed): \[", line) or line.startswith("FAILED!"):
            found.append("%s\n  %s" % (task, line[:1500]))
    return found


def parse_recap(output):
    """PLAY RECAP counters summed over all hosts: {'ok': N, 'changed': N, 'failed': N, ...}."""
    recap = {}
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)  # colours would glue escape codes to the counter names
    for match in re.finditer(r"^\S+\s+:\s+(.*)$", plain.split("PLAY RECAP")[-1], re.MULTILINE):
        for key, value in re.findall(r"(\w+)=(\d+)", match.group(1)):
            recap[key] = recap.get(key, 0) + int(value)
    return recap


def extra_vars(**values):
    return ["-e", json.dumps(values)]


def assert_refused(bad_vars, message, snapshot, path=CONVERGE):
    """Running the playbook with bad_vars fails with message, reports no change, and snapshot() stays the same."""
    before = snapshot()
    rc, out, recap = playbook(*extra_vars(**bad_vars), path=path)
    assert rc != 0, out[-3000:]
    assert message in out, out[-3000:]
    assert recap.get("changed", 0) == 0, out[-3000:]
    assert snapshot() == before


def node_snapshot(host):
    """Hashes of everything a refused run must leave alone."""
    paths = [HOME + "/.openclaw/openclaw.json",
             HOME + "/.config/systemd/user/" + UNIT,
             DROPIN_DIR + "/50-clawops-openclaw.conf",
             "/opt/openclaw/current/lib/node_modules/openclaw/package.json"]
    snap = {}
    for path in paths:
        out = host.run("sha256sum %s" % path)
        snap[path] = out.stdout.split()[0] if out.rc == 0 else None
    # The releases and which one is active (a refused run installs and switches nothing).
    snap["releases"] = host.run("ls -la --time-style=+%s /opt/openclaw/ /usr/local/bin/openclaw").stdout
    snap["main_pid"] = main_pid(host)
    snap["node"] = host.run("readlink -f /usr/local/bin/node").stdout.strip()
    return snap


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()
