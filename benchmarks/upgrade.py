"""Benchmark (not a test): what an upgrade costs in downtime, and a rollback in time, against the restart floor.

Two containers from the cached converged node image (scripts/node-image.sh) are converged onto
openclaw@2026.9.5 (their state wiped first, as in the molecule `upgrade` scenario). Measured in the
same run:
- floor: the gateway's own restart -> /ready 200 on the canary (median of three);
- rollback: playbooks/upgrade.yml to 2026.9.6 with a hang injected into the canary's new release
  (extensions/molecule/upgrade/files/hang.js): the role's rollback time (gate verdict -> /ready on
  the previous release, config and state restored) and the outage a client of the canary saw;
- upgrade: the same without the fault, on nodes whose compile cache is emptied first (as on a node that never
  ran the new release; the image's ran it): per node the downtime a client saw (last /ready 200 before
  the switch -> first one after, polled every ~0.3 s from outside), and the whole rollout's time;
  then the restart -> /ready of the new release on its migrated state (median of three), for
  comparison: the switch's restart is the new release's first start, which migrates the state.
Goals (issue 13): downtime <= floor + 3 s, rollback <= floor + 5 s. BENCH_PREWARM=0 runs the upgrades without
the target's start on its own before the switch (upgrade_prewarm), for comparison.

Prints one table and writes benchmarks/results/upgrade-<timestamp>.json.
Run through `make bench BENCH=upgrade` (it prepares the environment); run it alone on the machine.
"""

import glob
import json
import os
import statistics
import subprocess
import tempfile
import threading
import time

import converge as base

REPO = base.REPO
NAMES = ("clawops-bench-up1", "clawops-bench-up2")
OLD, NEW = "2026.9.5", "2026.9.6"
SOAK_S = 20
INDEX = "/opt/openclaw/%s/lib/node_modules/openclaw/dist/index.js" % NEW
HANG = os.path.join(REPO, "extensions", "molecule", "upgrade", "files", "hang.js")
COMPILE_CACHE = "/home/openclaw/.cache/openclaw/node-compile-cache"
# BENCH_PREWARM=0: the upgrades without the target's start on its own before the switch (upgrade_prewarm), for comparison.
PREWARM = os.environ.get("BENCH_PREWARM", "1") != "0"
USERCTL = ["systemctl", "--user", "--machine=openclaw@"]


def node(name, *argv, check=False):
    return base.sh("docker", "exec", name, *argv, check=check)


def ready(name):
    return node(name, "curl", "-fsS", "-m", "1", "http://127.0.0.1:%d/ready" % base.PORT).returncode == 0


def start(name, image):
    base.sh("docker", "rm", "-f", name, check=False)
    base.sh("docker", "run", "-d", "--name", name, "--hostname", name, "--cap-add", "SYS_ADMIN",
            "--security-opt", "seccomp=unconfined", "--cgroupns=host", "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
            "--tmpfs", "/run", "--tmpfs", "/run/lock", image, "/lib/systemd/systemd")
    base.sh("docker", "cp", "/etc/ssl/certs/ca-certificates.crt", name + ":/usr/local/share/ca-certificates/clawops-controller-ca.crt")
    node(name, "systemctl", "is-system-running", "--wait")
    # The node image serves 2026.9.6 with its state: start from a node without it (as the molecule scenario).
    node(name, *USERCTL, "stop", "openclaw-gateway.service")
    node(name, "rm", "-rf", "/home/openclaw/.openclaw", "/home/openclaw/clawops-backups", "/var/lib/clawops-openclaw/configs/openclaw")


def inventory(path):
    hosts = {}
    for name in NAMES:
        hosts[name] = {
            "ansible_connection": "community.docker.docker", "ansible_python_interpreter": "/usr/bin/python3",
            "node_install_method": "archive", "node_version": os.environ["NODE_FIXTURE_VERSION"],
            "node_archive_src": os.environ["NODE_ARCHIVE"], "node_archive_checksum": "sha256:" + os.environ["NODE_ARCHIVE_SHA256"],
            "gateway_ca_bundle": "/usr/local/share/ca-certificates/clawops-controller-ca.crt", "gateway_version": OLD,
        }
    with open(path, "w") as handle:
        json.dump({"openclaw_gateways": {"hosts": hosts}}, handle)


def play(inv, playbook, *extra):
    env = dict(os.environ, ANSIBLE_PIPELINING="1")
    started = time.monotonic()
    proc = subprocess.run(["ansible-playbook", "-i", inv, os.path.join(REPO, "playbooks", playbook)] + list(extra),
                          env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    return time.monotonic() - started, proc


def restart_to_ready(name):
    started = time.monotonic()
    node(name, *USERCTL, "restart", "openclaw-gateway.service", check=True)
    while time.monotonic() - started < 300:
        if ready(name):
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit("gateway not ready 300 s after a restart")


class Poller(threading.Thread):
    """/ready from outside, as a client sees it: [(monotonic time, answered 200)]."""

    def __init__(self, name):
        super().__init__(daemon=True)
        self.name_, self.samples, self.stop = name, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            ok = ready(self.name_)
            self.samples.append((time.monotonic(), ok))
            time.sleep(0.1)

    def longest_outage(self):
        """Seconds from the last 200 before the longest run of failures to the first 200 after it."""
        worst, last_ok = 0.0, None
        for when, ok in self.samples:
            if ok:
                if last_ok is not None:
                    worst = max(worst, when - last_ok)
                last_ok = when
        return worst


def last_reports(report_dir):
    run = sorted(glob.glob(os.path.join(report_dir, "*")))[-1]
    out = {}
    for path in glob.glob(os.path.join(run, "*.json")):
        with open(path) as handle:
            report = json.load(handle)
        out[report["host"]] = report
    return out


def upgrade(inv, report_dir, pollers):
    for poller in pollers:
        poller.start()
    try:
        values = dict(openclaw_upgrade_to=NEW, openclaw_upgrade_soak_s=SOAK_S, upgrade_report_dir=report_dir, upgrade_prewarm=PREWARM)
        return play(inv, "upgrade.yml", "-e", json.dumps(values))
    finally:
        for poller in pollers:
            poller.stop.set()
            poller.join()


def main():
    image = base.sh(os.path.join(REPO, "scripts", "node-image.sh")).stdout.strip().splitlines()[-1]
    canary, second = NAMES
    for name in NAMES:
        start(name, image)
    with tempfile.TemporaryDirectory() as tmp:
        inv, reports = os.path.join(tmp, "inventory.json"), os.path.join(tmp, "reports")
        inventory(inv)
        seconds, proc = play(inv, "site.yml")
        if proc.returncode != 0:
            raise SystemExit("converge onto %s failed:\n%s" % (OLD, proc.stdout[-4000:]))
        floors = [restart_to_ready(canary) for dummy in range(3)]
        floor = statistics.median(floors)

        # Rollback: the canary's new release hangs ten seconds after its first /ready 200.
        base.sh("docker", "cp", HANG, canary + ":/root/hang.js")
        inject = "cp -p %s /root/index.js.orig && { head -1 /root/index.js.orig; cat /root/hang.js; tail -n +2 /root/index.js.orig; } > %s"
        node(canary, "sh", "-c", inject % (INDEX, INDEX), check=True)
        pollers = [Poller(canary)]
        failed_run_s, proc = upgrade(inv, reports, pollers)
        if proc.returncode == 0:
            raise SystemExit("the upgrade with the injected hang did not fail:\n" + proc.stdout[-4000:])
        rolled = last_reports(reports)[canary]
        if rolled["result"] != "rolled back":
            raise SystemExit("no rollback: %s" % rolled)
        rollback_outage = pollers[0].longest_outage()
        node(canary, "cp", "-p", "/root/index.js.orig", INDEX, check=True)

        # The upgrade without the fault, on nodes whose compile cache holds nothing of the new release (as on a
        # node that never ran it; the image's did).
        for name in NAMES:
            node(name, "runuser", "-u", "openclaw", "--", "find", COMPILE_CACHE, "-mindepth", "1", "-delete", check=True)
        pollers = [Poller(name) for name in NAMES]
        rollout_s, proc = upgrade(inv, reports, pollers)
        if proc.returncode != 0:
            raise SystemExit("the upgrade failed:\n" + proc.stdout[-4000:])
        done = last_reports(reports)
        downtime = {name: poller.longest_outage() for name, poller in zip(NAMES, pollers)}
        # The same restart on the new release, whose state is migrated by now: what a switch cannot beat.
        new_floors = [restart_to_ready(canary) for dummy in range(3)]
        new_floor = statistics.median(new_floors)

    result = dict(
        floor_s=round(floor, 1), floors_s=[round(f, 1) for f in floors], soak_s=SOAK_S, converge_to_old_s=round(seconds, 1),
        floor_new_release_s=round(new_floor, 1), floors_new_release_s=[round(f, 1) for f in new_floors],
        downtime_s={n: round(d, 1) for n, d in downtime.items()},
        downtime_reported_s={n: done[n]["downtime_s"] for n in NAMES},
        downtime_steps_s={n: done[n]["downtime_steps_s"] for n in NAMES},
        downtime_goal_s=round(floor + 3, 1),
        prewarm_enabled=PREWARM, prewarm={n: done[n].get("prewarm") for n in NAMES},
        rollout_two_nodes_s=round(rollout_s, 1),
        rollback_s=rolled["rollback_s"], rollback_goal_s=round(floor + 5, 1), rollback_reason=rolled["rollback_reason"],
        rollback_steps_s=rolled["rollback_steps_s"],
        rollback_state_restored=rolled["state_restored"], rollback_outage_seen_s=round(rollback_outage, 1),
        failed_run_s=round(failed_run_s, 1))
    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    path = os.path.join(REPO, "benchmarks", "results", "upgrade-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2)
    print("restart -> /ready floor        %6.1f s  (median of %s)" % (floor, ", ".join("%.1f" % f for f in floors)))
    print("  the same on %s afterwards  %6.1f s  (median of %s)" % (NEW, new_floor, ", ".join("%.1f" % f for f in new_floors)))
    for name in NAMES:
        print("downtime %-21s %6.1f s  (goal <= %.1f s; the role reported %s s)"
              % (name, downtime[name], floor + 3, done[name]["downtime_s"]))
    print("rollout of two nodes           %6.1f s  (soak %d s per node)" % (rollout_s, SOAK_S))
    for name in NAMES:
        print("  downtime steps of %s: %s" % (name, ", ".join("%s %.1f s" % kv for kv in sorted(done[name]["downtime_steps_s"].items()))))
        print("  start on its own before the switch (compile cache emptied first): %s" % (done[name].get("prewarm") if PREWARM else "off"))
    print("rollback (verdict -> /ready)   %6.1f s  (goal <= %.1f s; state restored: %s)" % (rolled["rollback_s"], floor + 5, rolled["state_restored"]))
    print("  rollback steps: %s" % ", ".join("%s %.1f s" % kv for kv in sorted(rolled["rollback_steps_s"].items())))
    print("  outage the canary's clients saw %6.1f s (hang + detection + rollback)" % rollback_outage)
    print("written to %s" % os.path.relpath(path, REPO))
    for name in NAMES:
        base.sh("docker", "rm", "-f", name, check=False)


if __name__ == "__main__":
    main()
