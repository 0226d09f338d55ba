"""Benchmark (not a test): how long provisioning takes, against what it cannot avoid.

Creates a fresh systemd container from the local base image, converges it with
playbooks/site.yml, reruns it (no-op), then restarts the gateway and times start -> /ready.
The floor is measured in the same run: the irreducible steps' own durations, taken from
the converge's per-task timings (npm install of openclaw, unpacking Node.js, OpenClaw's
unit installer) plus the measured service start -> /ready.

Prints one table and writes benchmarks/results/converge-<timestamp>.json.
Run through `make bench` (it prepares the environment).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "clawops-bench"
PORT = 18789
# Task names (substrings) whose durations make up the floor, mapped to the label printed.
FLOOR_TASKS = {
    "Install openclaw@": "npm install openclaw",
    "Copy the Node.js archive from the controller": "transfer Node.js archive",
    "Download the Node.js archive": "download Node.js archive",
    "Extract the Node.js archive": "unpack Node.js archive",
    "Install the nodejs package": "apt install nodejs",
    "Install the gateway unit with OpenClaw's installer": "openclaw gateway install",
}


def sh(*argv, check=True, **kw):
    return subprocess.run(argv, check=check, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


def start_node():
    sh("docker", "rm", "-f", NAME, check=False)
    sh("docker", "run", "-d", "--name", NAME, "--hostname", NAME, "--cap-add", "SYS_ADMIN",
       "--security-opt", "seccomp=unconfined", "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
       "--tmpfs", "/run", "--tmpfs", "/run/lock", os.environ["BASE_IMAGE"], "/lib/systemd/systemd")
    sh("docker", "cp", "/etc/ssl/certs/ca-certificates.crt", NAME + ":/usr/local/share/ca-certificates/clawops-controller-ca.crt")
    sh("docker", "exec", NAME, "systemctl", "is-system-running", "--wait", check=False)


def inventory(path):
    with open(path, "w") as handle:
        json.dump({"openclaw_gateways": {"hosts": {NAME: {
            "ansible_connection": "community.docker.docker",
            "ansible_python_interpreter": "/usr/bin/python3",
            "node_install_method": "archive",
            "node_version": os.environ["NODE_FIXTURE_VERSION"],
            "node_archive_src": os.environ["NODE_ARCHIVE"],
            "node_archive_checksum": "sha256:" + os.environ["NODE_ARCHIVE_SHA256"],
            "gateway_ca_bundle": "/usr/local/share/ca-certificates/clawops-controller-ca.crt",
        }}}}, handle)


def converge(inv):
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_PIPELINING="1")
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", "-i", inv, os.path.join(REPO, "playbooks", "site.yml")],
                          env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-3000:])
        raise SystemExit("converge failed")
    report = json.loads(proc.stdout[proc.stdout.index("{"):])
    return elapsed, report


def task_seconds(report):
    """{task name: seconds} from the json callback's per-host start/end stamps."""
    out = {}
    for play in report["plays"]:
        for task in play["tasks"]:
            duration = task["task"].get("duration", {})
            if duration.get("start") and duration.get("end"):
                start = time.mktime(time.strptime(duration["start"][:19], "%Y-%m-%dT%H:%M:%S")) + float("0." + duration["start"][20:26])
                end = time.mktime(time.strptime(duration["end"][:19], "%Y-%m-%dT%H:%M:%S")) + float("0." + duration["end"][20:26])
                out[task["task"]["name"]] = out.get(task["task"]["name"], 0) + (end - start)
    return out


def start_to_ready():
    uid = sh("docker", "exec", NAME, "id", "-u", "openclaw").stdout.strip()
    sh("docker", "exec", NAME, "systemctl", "--user", "--machine=openclaw@", "stop", "openclaw-gateway.service")
    started = time.monotonic()
    sh("docker", "exec", NAME, "systemctl", "--user", "--machine=openclaw@", "start", "openclaw-gateway.service")
    del uid
    while time.monotonic() - started < 180:
        if sh("docker", "exec", NAME, "curl", "-fsS", "-m", "1", "http://127.0.0.1:%d/ready" % PORT, check=False).returncode == 0:
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit("gateway not ready 180 s after start")


def main():
    start_node()
    with tempfile.TemporaryDirectory() as tmp:
        inv = os.path.join(tmp, "inventory.json")
        inventory(inv)
        fresh, fresh_report = converge(inv)
        noop, noop_report = converge(inv)
    noop_changed = sum(h.get("changed", 0) for h in noop_report["stats"].values())
    ready = start_to_ready()
    tasks = task_seconds(fresh_report)
    floor_parts = {}
    for prefix, label in FLOOR_TASKS.items():
        seconds = sum(v for k, v in tasks.items() if prefix in k)
        if seconds:
            floor_parts[label] = seconds
    floor_parts["gateway start -> /ready"] = ready
    floor = sum(floor_parts.values())
    result = dict(fresh_converge_s=round(fresh, 1), noop_rerun_s=round(noop, 1), noop_changed=noop_changed,
                  start_to_ready_s=round(ready, 1), floor_s=round(floor, 1),
                  floor_parts={k: round(v, 1) for k, v in floor_parts.items()},
                  noop_over_fresh=round(noop / fresh, 3), fresh_over_floor=round(fresh / floor, 2))
    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    path = os.path.join(REPO, "benchmarks", "results", "converge-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2)
    print("fresh converge          %6.1f s" % fresh)
    print("no-op rerun             %6.1f s  (changed=%d, %.0f%% of fresh)" % (noop, noop_changed, 100 * noop / fresh))
    print("service start -> /ready %6.1f s" % ready)
    print("floor                   %6.1f s  (fresh converge = %.2f x floor)" % (floor, fresh / floor))
    for label, seconds in floor_parts.items():
        print("  %-28s %6.1f s" % (label, seconds))
    print("written to %s" % os.path.relpath(path, REPO))
    sh("docker", "rm", "-f", NAME, check=False)


if __name__ == "__main__":
    main()
