"""Benchmark (not a test): time to recovery per fault class, against the gateway's own restart floor.

Converges a fresh systemd container with playbooks/site.yml, then for every fault class:
injects the fault, runs playbooks/remediate.yml and records the time from its start until it has
finished and /ready answers 200 (remediate waits for /ready and verifies before it exits). The
floor, measured in the same run, is the gateway's own restart -> /ready 200 (median of three).
Then the same fault is injected again and handed to `openclaw doctor --fix --non-interactive`
alone: recorded is whether the fault is gone and the gateway ready within 60 s, and how long that
took; remediate then restores the node for the next fault.

Prints one table and writes benchmarks/results/recovery-<timestamp>.json.
Run through `make bench BENCH=recovery` (it prepares the environment); `scripts/bench.sh recovery FAULT...`
measures only the named fault classes.
"""

import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import converge as base

NAME = base.NAME
USER = "openclaw"
HOME = "/home/openclaw"
UNIT = "openclaw-gateway.service"
UNIT_PATH = HOME + "/.config/systemd/user/" + UNIT
CONFIG = HOME + "/.openclaw/openclaw.json"
PROBE_TIMEOUT = 3  # remediate_probe_timeout: the hung-gateway detection timeout

USERCTL = "systemctl --user --machine=%s@ " % USER


def node(script, check=False):
    return base.sh("docker", "exec", NAME, "bash", "-c", script, check=check)


def ready():
    return node("curl -fsS -m 1 http://127.0.0.1:18789/ready").returncode == 0


def wait(predicate, timeout):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def edit_config(expression):
    """A hand edit of the config (not through OpenClaw)."""
    script = "import json; c = json.load(open('openclaw.json')); %s; open('openclaw.json', 'w').write(json.dumps(c, indent=2))" % expression
    node("cd %s/.openclaw && python3 -c %s" % (HOME, shlex.quote(script)), check=True)


def wait_failed():
    wait(lambda: node(USERCTL + "is-failed " + UNIT).returncode == 0 or "activating" in node(USERCTL + "is-active " + UNIT).stdout, 60)


def main_pid():
    return node(USERCTL + "show -p MainPID --value " + UNIT).stdout.strip()


def inject_degraded_loop():
    """Starve the process (0.2 s of every second) once it is past the facts' start-up grace."""
    wait(lambda: node("curl -fsS -m 2 http://127.0.0.1:18789/ready | python3 -c 'import json,sys; "
                      "sys.exit(json.load(sys.stdin)[\"uptimeMs\"] < 62000)'").returncode == 0, 120)
    pid = main_pid()
    node("setsid nohup sh -c 'while kill -STOP %s 2>/dev/null; do sleep 0.8; kill -CONT %s; sleep 0.2; done' "
         "> /dev/null 2>&1 < /dev/null &" % (pid, pid))
    time.sleep(4)


def inject_crash_loop():
    """SIGKILL the gateway whenever it comes up until systemd gives up (StartLimitBurst)."""
    def gave_up():
        state = dict(line.split("=", 1) for line in node(USERCTL + "show -p ActiveState,NRestarts " + UNIT).stdout.split())
        if state.get("ActiveState") == "failed" and state.get("NRestarts", "0") != "0":
            return True
        pid = main_pid()
        if pid not in ("", "0"):
            node("kill -KILL " + pid)
        return False
    wait(gave_up, 150)


FAULTS = {
    "proxy_env": lambda: (node("echo ALL_PROXY=socks5://127.0.0.1:1080 > %s/.openclaw/.env && chown %s: %s/.openclaw/.env && %s restart %s"
                               % (HOME, USER, HOME, USERCTL, UNIT)), wait(ready, 60)),
    "service_stopped": lambda: node(USERCTL + "stop " + UNIT),
    "linger_off": lambda: (node("loginctl disable-linger " + USER), wait(lambda: not ready(), 30)),
    "unit_missing": lambda: node("%s stop %s; %s disable %s; rm -f %s; %s daemon-reload" % (USERCTL, UNIT, USERCTL, UNIT, UNIT_PATH, USERCTL)),
    "system_unit": lambda: node("printf '%%s\\n' '[Service]' 'User=%s' 'Environment=HOME=%s' "
                                "'ExecStart=/usr/local/bin/openclaw gateway run --port 18789' 'Restart=always' "
                                "> /etc/systemd/system/openclaw-gateway.service && systemctl daemon-reload "
                                "&& systemctl start openclaw-gateway.service && %s restart %s" % (USER, HOME, USERCTL, UNIT)),
    "mode_missing": lambda: (edit_config("c['gateway'].pop('mode')"), wait_failed()),
    "bind_without_auth": lambda: (edit_config("c['gateway'].update(bind='lan', auth={'mode': 'none'})"),
                                  node(USERCTL + "restart " + UNIT), wait_failed()),
    "config_unparsable": lambda: (node("printf '{gateway: {mode: ' > " + CONFIG), node(USERCTL + "restart " + UNIT), wait_failed()),
    "config_schema_invalid": lambda: (edit_config("c['gateway'].update(port='x')"), node(USERCTL + "restart " + UNIT), wait_failed()),
    "duplicate_gateway": lambda: (node(USERCTL + "stop " + UNIT),
                                  node("runuser -u %s -- env HOME=%s setsid nohup /usr/local/bin/openclaw gateway run --port 18789 "
                                       "> /dev/null 2>&1 < /dev/null &" % (USER, HOME)),
                                  wait(ready, 60), node(USERCTL + "start " + UNIT), time.sleep(5)),
    "stale_lock": lambda: node("d=%s/.openclaw/tmp/openclaw-$(id -u %s); mkdir -p $d && echo '{\"pid\": 4000000, \"startTime\": 1}' "
                               "> $d/gateway.bench.lock && chown -R %s: $d" % (HOME, USER, USER)),
    "hung": lambda: node("kill -STOP $(%s show -p MainPID --value %s)" % (USERCTL, UNIT)),
    "event_loop_degraded": inject_degraded_loop,
    "crash_loop": inject_crash_loop,
}
# The facts' finding that must be gone for a fault to count as fixed.
FINDING = {"proxy_env": "proxy_all_proxy", "service_stopped": "service_inactive", "linger_off": "linger_off",
           "unit_missing": "unit_missing", "system_unit": "system_unit_present", "mode_missing": "gateway_mode_missing",
           "bind_without_auth": "bind_without_auth", "config_unparsable": "config_unparsable",
           "config_schema_invalid": "config_invalid", "duplicate_gateway": "port_conflict", "stale_lock": "stale_lock",
           "hung": "gateway_hung", "event_loop_degraded": "event_loop_degraded", "crash_loop": "service_crash_loop"}


def slowest_tasks(output, count=5):
    """The profile_tasks summary: [(task, seconds)], slowest first."""
    rows = re.findall(r"^(.+?) -{3,} (\d+\.\d+)s$", output, re.M)
    return sorted(((name.strip(), float(sec)) for name, sec in rows), key=lambda r: -r[1])[:count]


def playbook(inv, name, *extra):
    # Pipelining as in the converge benchmark and docs/performance.md (a module start less per task).
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", ANSIBLE_PIPELINING="1")
    proc = subprocess.run(["ansible-playbook", "-i", inv, os.path.join(base.REPO, "playbooks", name)] + list(extra),
                          env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    return proc.returncode, proc.stdout


def findings(inv):
    proc = subprocess.run(["ansible", "-i", inv, NAME, "-b", "-m", "clawops.openclaw.openclaw_facts", "-a", "validate_config=true"],
                          text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    text = proc.stdout
    data = json.loads(text[text.index("{"):])
    return {p["id"] for p in data["ansible_facts"]["openclaw"]["problems"]}


def restart_floor():
    samples = []
    for dummy in range(3):
        started = time.monotonic()
        node(USERCTL + "restart " + UNIT, check=True)
        elapsed = wait(ready, 180)
        samples.append(time.monotonic() - started if elapsed is not None else float("inf"))
    return statistics.median(samples), samples


def doctor_fix(inv, fault):
    """Hand the fault to OpenClaw's own repair: `openclaw doctor --fix --non-interactive`, then give it 60 s."""
    started = time.monotonic()
    node("runuser -u %s -- env HOME=%s XDG_RUNTIME_DIR=/run/user/$(id -u %s) timeout 300 /usr/local/bin/openclaw doctor --fix "
         "--non-interactive > /tmp/doctor-fix-%s.log 2>&1" % (USER, HOME, USER, fault))
    fixed_at = wait(lambda: ready() and FINDING[fault] not in findings(inv), 60)
    return dict(fixed=fixed_at is not None, seconds=round(time.monotonic() - started, 1) if fixed_at is not None else None)


def main():
    base.start_node()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        inv = os.path.join(tmp, "inventory.json")
        base.inventory(inv)
        base.converge(inv)
        floor, samples = restart_floor()
        for fault in sys.argv[1:] or list(FAULTS):
            inject = FAULTS[fault]
            inject()
            detected = FINDING[fault] in findings(inv)
            started = time.monotonic()
            rc, out = playbook(inv, "remediate.yml")
            ready_after = wait(ready, 60)
            recovery = time.monotonic() - started
            limit = 1.5 * floor + 10 + (PROBE_TIMEOUT if fault in ("hung", "event_loop_degraded") else 0)
            row = dict(detected=detected, remediate_rc=rc, recovery_s=round(recovery, 1), limit_s=round(limit, 1),
                       within_limit=rc == 0 and ready_after is not None and recovery <= limit)
            row["slowest_tasks"] = slowest_tasks(out)
            if rc != 0:
                row["remediate_tail"] = out[-1500:]
            inject()
            row["doctor_fix"] = doctor_fix(inv, fault)
            playbook(inv, "remediate.yml")  # back to healthy for the next fault
            node("pkill -u %s -f 'gateway run' || true" % USER)
            rows[fault] = row
            print("%-22s recovery %5.1f s (limit %5.1f) %s | doctor --fix: %s" % (
                fault, recovery, limit, "ok" if row["within_limit"] else "OVER/FAILED",
                ("fixed in %.1f s" % row["doctor_fix"]["seconds"]) if row["doctor_fix"]["fixed"] else "not fixed"))
    result = dict(restart_floor_s=round(floor, 1), restart_samples_s=[round(s, 1) for s in samples], faults=rows)
    os.makedirs(os.path.join(base.REPO, "benchmarks", "results"), exist_ok=True)
    path = os.path.join(base.REPO, "benchmarks", "results", "recovery-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    with open(path, "w") as handle:
        json.dump(result, handle, indent=2)
    print("restart -> /ready floor %.1f s (samples %s)" % (floor, ", ".join("%.1f" % s for s in samples)))
    print("written to %s" % os.path.relpath(path, base.REPO))
    base.sh("docker", "rm", "-f", NAME, check=False)


if __name__ == "__main__":
    main()
