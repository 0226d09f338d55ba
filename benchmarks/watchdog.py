"""Benchmark (not a test): unattended time to recovery by the node-side watchdog, against the restart floor.

Converges a fresh systemd container with playbooks/site.yml (the watchdog at its operator defaults: a check every
15 s, 2 failures in a row; only the start-up grace is 60 s instead of 180 s so that the samples do not wait three
minutes each). The floor, measured in the same run, is the gateway's own restart -> /ready 200 (median of three).
Then, SAMPLES times per fault, once the gateway is past the grace: the fault is injected at a random point of the
timer's period and the time until /ready answers 200 from a new process is recorded, with no Ansible run and no
human. Faults: the hung gateway (SIGSTOP) and the starved event loop (the process runs 0.2 s of every second).
Goal: <= 2 x interval + floor + 5 s.

Prints one table and writes benchmarks/results/watchdog-<timestamp>.json.
Run through `make bench BENCH=watchdog`, alone on the machine.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time

import converge as base
import recovery

NAME = base.NAME
INTERVAL, GRACE = 15, 60
SAMPLES = int(os.environ.get("WATCHDOG_BENCH_SAMPLES", "3"))
node, ready, wait, main_pid = recovery.node, recovery.ready, recovery.wait, recovery.main_pid


def hang(pid):
    node("kill -STOP %s" % pid, check=True)


def starve(pid):
    node("setsid nohup sh -c 'while kill -STOP %s 2>/dev/null; do sleep 0.8; kill -CONT %s; sleep 0.2; done' "
         "> /dev/null 2>&1 < /dev/null &" % (pid, pid), check=True)


FAULTS = {"hung": hang, "event_loop": starve}


def uptime(pid):
    return float(node("ps -o etimes= -p %s" % pid).stdout.strip() or 0)


def sample(inject):
    """Seconds from the fault to /ready 200 from a new process, and the watchdog's reason."""
    assert wait(ready, 180) is not None, "not ready before the fault"
    pid = main_pid()
    time.sleep(max(0.0, GRACE + 2 - uptime(pid)) + random.uniform(0, INTERVAL))   # anywhere in the timer's period
    started = time.monotonic()
    inject(pid)
    recovered = wait(lambda: main_pid() not in ("0", "", pid) and ready(), 4 * INTERVAL + 120)
    node("pkill -f 'while kill -STOP' || true")
    state = json.loads(node("cat /var/lib/clawops-openclaw/watchdog/state.json").stdout or "{}")
    reason = (state.get("actions") or [{}])[-1].get("reason")
    return (time.monotonic() - started if recovered is not None else None), reason


def main():
    base.start_node()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        inv = os.path.join(tmp, "inventory.json")
        base.inventory(inv)
        with open(inv) as handle:
            data = json.load(handle)
        data["openclaw_gateways"]["hosts"][NAME].update(watchdog_startup_grace_s=GRACE, watchdog_budget=2 * SAMPLES * len(FAULTS))
        with open(inv, "w") as handle:
            json.dump(data, handle)
        base.converge(inv)
        floor, floor_samples = recovery.restart_floor()
        goal = 2 * INTERVAL + floor + 5
        for fault in sys.argv[1:] or list(FAULTS):
            times, reasons = [], []
            for dummy in range(SAMPLES):
                seconds, reason = sample(FAULTS[fault])
                times.append(seconds)
                reasons.append(reason)
            measured = [t for t in times if t is not None]
            rows[fault] = dict(samples_s=[round(t, 1) if t is not None else None for t in times], reasons=reasons,
                               median_s=round(statistics.median(measured), 1) if measured else None,
                               max_s=round(max(measured), 1) if measured else None, goal_s=round(goal, 1),
                               within_goal=len(measured) == len(times) and max(measured) <= goal)
            print("%-11s recovery median %s s, max %s s (goal %.1f s: %s), reasons %s" % (
                fault, rows[fault]["median_s"], rows[fault]["max_s"], goal, "met" if rows[fault]["within_goal"] else "NOT MET",
                ",".join(str(r) for r in reasons)))
    result = dict(interval_s=INTERVAL, restart_floor_s=round(floor, 1), restart_samples_s=[round(s, 1) for s in floor_samples],
                  goal_s=round(goal, 1), faults=rows)
    os.makedirs(os.path.join(base.REPO, "benchmarks", "results"), exist_ok=True)
    path = os.path.join(base.REPO, "benchmarks", "results", "watchdog-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2)
    print("restart -> /ready floor %.1f s (samples %s); goal 2 x %d + floor + 5 = %.1f s"
          % (floor, ", ".join("%.1f" % s for s in floor_samples), INTERVAL, goal))
    print("written to %s" % os.path.relpath(path, base.REPO))
    base.sh("docker", "rm", "-f", NAME, check=False)


if __name__ == "__main__":
    main()
