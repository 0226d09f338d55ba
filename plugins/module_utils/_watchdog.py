# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The node-side watchdog (role watchdog): one check of the gateway, the decision, the restart and the metrics.

A systemd timer runs `clawops-openclaw-watchdog` (the role installs it with these module_utils) as root every
interval. Standard library only: no Ansible on the node. What root reads here comes from the kernel (/proc of the
gateway's main process), from systemd (the user manager's view of the unit) and from the gateway over the probe
address the inventory set; no file of the service user steers it (docs/security.md). What it writes is root's:
its state, the diagnostics bundle (the log tail is read as the service user) and the metrics file.

decide() is the whole decision table, a pure function of the previous state and one observation.
"""

import fcntl
import json
import os
import pwd
import re
import subprocess
import sys
import time

from ansible_collections.clawops.openclaw.plugins.module_utils._backup import CREATE_TIMEOUT_S, BackupError, write_archive
from ansible_collections.clawops.openclaw.plugins.module_utils._cli import CliError, OpenClawCli
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_backups import collect_backups, settings_written_at
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Commands, Problems, show_properties
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_egress import check_privoxy, check_ss_local
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_http import EVENT_LOOP_CONFIRM_S, EVENT_LOOP_REREAD_S, collect_probes
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_install import collect_release
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_logs import collect_log_file
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_procfs import collect_listeners, process_start_time
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_service import (
    PROFILE_NAME, USER_NAME, collect_user, state_problems, unit_name_for,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._common import read_text, redact_log
from ansible_collections.clawops.openclaw.plugins.module_utils._egress import parse_privoxy_forwards
from ansible_collections.clawops.openclaw.plugins.module_utils._hold import reason as read_hold
from ansible_collections.clawops.openclaw.plugins.module_utils._releases import CLI, read_layout
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Dir, Refused, prune, run_as, stamp
from ansible_collections.clawops.openclaw.plugins.module_utils._sessions import stored_profile_ids, unusable_profiles

STATE_VERSION = 1
SETTINGS_FILE = "/etc/clawops-openclaw/watchdog.json"
WATCH_PROPERTIES = ("LoadState", "ActiveState", "SubState", "UnitFileState", "MainPID", "NRestarts", "Result",
                    "ExecMainStatus", "MemoryCurrent", "MemoryHigh", "MemoryMax")
BUNDLE_NAME = re.compile(r"[0-9]{8}T[0-9]{6}Z(-[0-9]+)?\Z")
LOG_TAIL_LINES = 500
# The egress role's Shadowsocks client and Privoxy (root's files): checked when that config exists.
SS_LOCAL_UNIT = "shadowsocks-libev-local@clawops-egress.service"
SS_LOCAL_CONFIG = "/etc/shadowsocks-libev/clawops-egress.json"
PRIVOXY_CONFIG = "/etc/privoxy/config"

# verdicts of decide(); RESTART is the only one that acts.
HELD, STOPPED, REFUSED, UNKNOWN, STARTING, HEALTHY, FAILING, RESTART, GAVE_UP = (
    "held", "stopped", "refused", "unknown", "starting", "healthy", "failing", "restart", "gave_up")
# OpenClaw's exit status for a config it refuses to start with: a restart cannot help (remediate's domain).
EXIT_CONFIG_REFUSED = 78
# Why a check failed: the finding ids it reads, in order of precedence.
REASONS = (("hung", ("gateway_hung",)), ("failed", ("service_crash_loop", "service_failed")),
           ("not_ready", ("not_ready", "gateway_starting")), ("event_loop", ("event_loop_degraded",)))

_HOST = re.compile(r"[0-9.]{7,15}\Z|\[[0-9A-Fa-f:.]{2,45}\]\Z")
_PATH = re.compile(r"/[A-Za-z0-9._/-]{1,254}\Z")

# name: (type, minimum, maximum or pattern, default)
SETTINGS = {
    "user": (str, None, USER_NAME, "openclaw"),
    "profile": (str, None, PROFILE_NAME, None),
    "probe_host": (str, None, _HOST, "127.0.0.1"),
    "port": (int, 1, 65535, 18789),
    "interval_s": (float, 5, 3600, 15),
    "failures": (int, 1, 100, 2),
    "startup_grace_s": (float, 0, 3600, 180),
    "probe_timeout_s": (float, 0.5, 60, 3),
    "event_loop_delay_threshold_ms": (float, 1, 600000, 500),
    "budget": (int, 0, 100, 3),
    "budget_window_s": (float, 60, 86400 * 7, 1800),
    "stop_timeout_s": (float, 1, 600, 10),
    "releases_dir": (str, None, _PATH, "/opt/openclaw"),
    "hold_file": (str, None, _PATH, "/run/clawops-openclaw/hold"),
    "state_file": (str, None, _PATH, "/var/lib/clawops-openclaw/watchdog/state.json"),
    "textfile": (str, None, _PATH, "/var/lib/prometheus/node-exporter/clawops_openclaw.prom"),
    "diagnostics_dir": (str, None, _PATH, "/var/lib/clawops-openclaw/diagnostics"),
    "diagnostics_keep": (int, 1, 1000, 10),
    "diagnostics_max_age_days": (int, 0, 3650, 30),
    # Scheduled backups (clawops-openclaw-backup, run as the service user): null backup_dir means none.
    "backup_dir": (str, None, _PATH, None),
    "backup_interval_h": (int, 1, 168, 24),
    "backup_keep": (int, 1, 1000, 7),
    "backup_include_workspace": (bool, None, None, True),
    # Auth profiles by provider (`openclaw models status` as the service user, one CLI start): 0 means never.
    "auth_interval_s": (float, 0, 86400, 300),
}
# How long `openclaw models status` may take before the watchdog gives up on it (it never blocks a restart: it runs
# only from a gateway that answers ready).
AUTH_CHECK_TIMEOUT_S = 30


class SettingsError(ValueError):
    pass


def load_settings(data):
    """The watchdog's settings from the role's JSON (a dict): every key known, typed and in range; missing keys
    take their defaults; null is allowed where the default is null (profile) and for textfile (no metrics)."""
    if not isinstance(data, dict):
        raise SettingsError("the settings are not a JSON object")
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        raise SettingsError("unknown settings: %s" % ", ".join(unknown))
    out = {}
    for name, (kind, low, check, default) in SETTINGS.items():
        value = data.get(name, default)
        if value is None and (default is None or name == "textfile"):
            out[name] = None
            continue
        if kind is bool:
            if not isinstance(value, bool):
                raise SettingsError("%s: %r is not true or false" % (name, value))
        elif kind is str:
            if not isinstance(value, str) or not check.match(value) or "/../" in value + "/" or "/./" in value + "/":
                raise SettingsError("%s: %r is not valid" % (name, value))
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
                raise SettingsError("%s: %r is not a number of the right kind" % (name, value))
            if not low <= value <= check:
                raise SettingsError("%s: %r is not between %s and %s" % (name, value, low, check))
            value = kind(value)
        out[name] = value
    return out


# --- state ---------------------------------------------------------------------------------------------

def new_state():
    return dict(version=STATE_VERSION, failures=0, actions=[], totals={}, gave_up=False, gave_up_since=None,
                last_check=None, last_verdict=None, last_reason=None, auth=None)


def parse_state(text):
    """The saved state, or a new one when the file is missing, unreadable or of another version."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    state = new_state()
    if isinstance(data, dict) and data.get("version") == STATE_VERSION:
        state.update({key: data[key] for key in state if key in data})
    return state


def actions_in_window(state, now, window):
    return [a for a in state["actions"] if isinstance(a, dict) and now - a.get("time", 0) < window]


# --- the decision table ----------------------------------------------------------------------------------

def failure_reason(problems):
    """The reason a running gateway failed its check (REASONS), None when it passed."""
    ids = {p["id"] for p in problems}
    for reason, finding_ids in REASONS:
        if ids & set(finding_ids):
            return reason
    return None


def decide(state, obs, settings):
    """(verdict, reason, new state) for one observation.

    obs: dict(time, held (a reason or None), service (active_state, ...), uptime_s (of the main process or None),
    problems [{id}]). The table:
      - a collection play holds the node                      -> held (nothing counts)
      - the unit is inactive and not failed (stopped on purpose) -> stopped
      - it exited refusing its config (status 78)              -> refused (a restart cannot help)
      - the user manager or the unit cannot be read            -> unknown (the count is kept)
      - activating / deactivating, or inside the start-up grace -> starting (counted from the process start)
      - active, ready, event loop fine                          -> healthy (the count is reset)
      - not ready, hung, event loop degraded, or failed         -> failing, the count grows; at `failures`
        in a row -> restart, unless `budget` restarts happened within `budget_window_s` -> gave_up.
    """
    now = obs["time"]
    state = json.loads(json.dumps(state))
    state["actions"] = actions_in_window(state, now, settings["budget_window_s"])
    state["last_check"] = now
    service = obs.get("service") or {}
    active = service.get("active_state")
    reason = None
    if obs.get("held"):
        verdict = HELD
        state["failures"] = 0
    elif active in ("inactive",) and not failure_reason(obs["problems"]):
        verdict = STOPPED
        state["failures"] = 0
    elif active in ("inactive", "failed") and service.get("exec_main_status") == EXIT_CONFIG_REFUSED:
        verdict = REFUSED
        state["failures"] = 0
    elif active is None:
        verdict = UNKNOWN
    elif active in ("activating", "deactivating", "reloading") or (
            active == "active" and (obs.get("uptime_s") is None or obs["uptime_s"] < settings["startup_grace_s"])):
        verdict = STARTING
        state["failures"] = 0
    else:
        reason = failure_reason(obs["problems"])
        if reason is None:
            verdict = HEALTHY
            state["failures"] = 0
        else:
            state["failures"] += 1
            verdict = FAILING
            if state["failures"] >= settings["failures"]:
                verdict = RESTART if len(state["actions"]) < settings["budget"] else GAVE_UP
    if verdict == GAVE_UP and not state["gave_up"]:
        state["gave_up"], state["gave_up_since"] = True, now
    elif verdict in (HEALTHY, RESTART) and state["gave_up"] and len(state["actions"]) < settings["budget"]:
        state["gave_up"], state["gave_up_since"] = False, None
    if verdict == RESTART:
        state["actions"].append(dict(time=now, reason=reason))
        state["totals"][reason] = state["totals"].get(reason, 0) + 1
        state["failures"] = 0
    state["last_verdict"], state["last_reason"] = verdict, reason
    return verdict, reason, state


# --- observing -------------------------------------------------------------------------------------------

class Runner:
    """The run_command of an AnsibleModule, for _collect_base.Commands on a node without Ansible."""

    @staticmethod
    def run_command(argv, environ_update=None, cwd=None, data=None, binary_data=False):
        env = dict(os.environ)
        env.update(environ_update or {})
        stdin = None if data is None else (data if isinstance(data, bytes) else data.encode("utf-8"))
        if stdin is not None and not binary_data and not stdin.endswith(b"\n"):
            stdin += b"\n"  # as AnsibleModule.run_command
        proc = subprocess.run(argv, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, cwd=cwd, check=False)
        return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def hold_reason(path, now):
    """What holds the node, None when nothing does (the hold's format: _hold)."""
    return read_hold(path, now)


def _number(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return None if number >= 2 ** 63 - 1 else number  # systemd's "infinity"


def process_figures(pid):
    """RSS, open fds and the fd limit of the gateway's main process (kernel-provided; None when gone)."""
    figures = dict(rss_bytes=None, open_fds=None, max_fds=None)
    status = read_text("/proc/%d/status" % pid) or ""
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    figures["rss_bytes"] = int(match.group(1)) * 1024 if match else None
    try:
        figures["open_fds"] = len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        pass
    match = re.search(r"^Max open files\s+(\d+)", read_text("/proc/%d/limits" % pid) or "", re.MULTILINE)
    figures["max_fds"] = int(match.group(1)) if match else None
    return figures


def observe_egress(commands, timeout, problems, ss_local_config=SS_LOCAL_CONFIG, privoxy_config=PRIVOXY_CONFIG):
    """Split egress (the egress role's units and the relay's TCP reach), None when the node has none."""
    ss_text = read_text(ss_local_config)
    if ss_text is None:
        return None
    ss_local, relay = check_ss_local(commands, ss_text, SS_LOCAL_UNIT, timeout, problems)
    privoxy = check_privoxy(commands, privoxy_config, parse_privoxy_forwards(read_text(privoxy_config) or ""), problems)
    return dict(ss_local=ss_local["active_state"] == "active", privoxy=privoxy["active_state"] == "active",
                relay_reachable=None if relay is None else relay["reachable"],
                relay_connect_s=None if relay is None or not relay["reachable"] else relay["elapsed_ms"] / 1000.0)


def confirm_time(state):
    """How long an event-loop delay above the threshold must last in this check's re-readings: the full
    EVENT_LOOP_CONFIRM_S, but one re-reading when the previous check already confirmed a stall (the same process,
    a check interval ago): the second failing check then costs a second, not five."""
    return EVENT_LOOP_REREAD_S if state.get("failures") and state.get("last_reason") == "event_loop" else EVENT_LOOP_CONFIRM_S


def observe(settings, commands, now, scheduled_since=None, confirm_s=EVENT_LOOP_CONFIRM_S):
    """One observation of the gateway (see decide()); its problems as dicts (id, message, extra fields).
    scheduled_since: when the settings were written (the backup schedule's start); confirm_s: confirm_time()."""
    problems = Problems()
    obs = _observe(settings, commands, now, problems, confirm_s)
    if obs["user"] is not None:
        obs["backups"] = collect_backups(settings, obs["user"]["uid"], now, scheduled_since, problems)
    obs["problems"] = [dict(extra, id=problem_id, message=message) for problem_id, message, extra in problems]
    return obs


def _observe(settings, commands, now, problems, confirm_s=EVENT_LOOP_CONFIRM_S):
    obs = dict(time=now, held=hold_reason(settings["hold_file"], now), user=None, service={}, uptime_s=None,
               process={}, ready={}, backups=None, egress=observe_egress(commands, settings["probe_timeout_s"], problems))
    user, dummy, user_problems = collect_user(settings["user"])
    problems.extend(p for p in user_problems if p[0] == "user_missing")
    if user is None:
        return obs
    obs["user"] = user
    unit = unit_name_for(settings["profile"])
    rc, out, err = commands.systemctl_user(user, "show", unit, "--property=" + ",".join(WATCH_PROPERTIES))
    props = show_properties(out) if rc == 0 else {}
    if rc != 0 or props.get("LoadState") in (None, "not-found"):
        obs["service"] = dict(unit_name=unit, active_state=None, error=(err or out).strip()[:300] or props.get("LoadState"))
        return obs
    service = obs["service"] = dict(
        unit_name=unit, load_state=props.get("LoadState"), active_state=props.get("ActiveState"), sub_state=props.get("SubState"),
        unit_file_state=props.get("UnitFileState"), result=props.get("Result"), pid=_number(props.get("MainPID")) or None,
        restarts=_number(props.get("NRestarts")) or 0, exec_main_status=_number(props.get("ExecMainStatus")) or 0,
        memory_current=_number(props.get("MemoryCurrent")), memory_high=_number(props.get("MemoryHigh")),
        memory_max=_number(props.get("MemoryMax")))
    state_problems(service, problems)
    if service["pid"]:
        started = process_start_time(service["pid"], now)
        obs["uptime_s"] = None if started is None else round(now - started, 2)
        obs["process"] = process_figures(service["pid"])
        # The release it runs (restart_pending when the active one is another): root's release directories only.
        release, release_problems = collect_release(settings["releases_dir"], service["pid"], None, None)
        obs["process"]["release"] = release["running"]
        problems.extend(release_problems)
    if service["active_state"] == "active" and service["pid"]:
        listeners, listener_problems = collect_listeners(settings["port"], service["pid"])
        problems.extend(listener_problems)
        url = "http://%s:%d" % (settings["probe_host"], settings["port"])
        dummy, obs["ready"], probe_problems = collect_probes(
            url, settings["probe_timeout_s"], service, settings["port"], listeners, settings["event_loop_delay_threshold_ms"],
            confirm_s)
        problems.extend(probe_problems)
    return obs


def state_dir_of(home, profile):
    """The gateway's state directory: OpenClaw's default for the profile (the gateway role sets no other)."""
    return os.path.join(home, ".openclaw" + ("-%s" % profile if profile else ""))


def auth_by_provider(status):
    """{provider: {"profiles": stored, "unusable": in cooldown or disabled}} of `openclaw models status --json`."""
    providers = {}
    for profile_id in stored_profile_ids(status):
        providers.setdefault(profile_id.split(":", 1)[0], dict(profiles=0, unusable=0))["profiles"] += 1
    for item in unusable_profiles(status):
        provider = item["provider"] if isinstance(item["provider"], str) and item["provider"] else item["profile_id"].split(":", 1)[0]
        providers.setdefault(provider, dict(profiles=0, unusable=0))["unusable"] += 1
    return providers


def active_cli(settings, home, timeout, runner=None, run_as=None):
    """(version, OpenClawCli) of the release root's `current` link names, on the gateway's config under HOME;
    (None, None) when there is none. The binary is in root's release directories, never a path a user file names."""
    version = read_layout(settings["releases_dir"])["active"]
    if version is None:
        return None, None
    return version, OpenClawCli(runner or Runner(), os.path.join(settings["releases_dir"], version, CLI),
                                config_path=os.path.join(state_dir_of(home, settings["profile"]), "openclaw.json"),
                                timeout=timeout, run_as=run_as)


def check_auth(settings, user, now, runner=None):
    """The auth part of the state: which providers have how many profiles, how many unusable. The CLI runs as the
    service user (runuser, its HOME and manager), the active release's, bounded; root only parses its JSON."""
    version, cli = active_cli(settings, user["home"], AUTH_CHECK_TIMEOUT_S, runner, run_as=user)
    if version is None:
        return dict(checked_at=now, providers={}, error="no active release in %s" % settings["releases_dir"])
    try:
        # key: a JSON log record OpenClaw prints around its answer is not the answer (it read as "no profiles").
        status = cli.json(["models", "status", "--json"], what="openclaw models status", key="auth")
    except CliError as exc:
        return dict(checked_at=now, providers={}, error=exc.msg[:300])
    return dict(checked_at=now, providers=auth_by_provider(status), error=None)


# --- acting ------------------------------------------------------------------------------------------------

def _log_tail(path, lines):
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        handle.seek(max(0, handle.tell() - 1024 * 1024))
        return b"".join(handle.readlines()[-lines:]).decode("utf-8", "replace")


def write_bundle(settings, commands, obs, now):
    """The diagnostics bundle remediate writes for a hung gateway, before anything is restarted: the unit's status,
    /proc figures of the main process, threads, top, the observation and the log tail (read as the service user,
    redacted). Older bundles beyond the retention are pruned. Returns the bundle's path."""
    user, service = obs["user"], obs["service"]
    pid = service.get("pid") or 0
    with Dir(settings["diagnostics_dir"], create=True) as top:
        name = stamp(now)
        counter = 1
        while top.lstat(name) is not None:
            counter += 1
            name = "%s-%d" % (stamp(now), counter)
        with Dir(top.join(name), create=True) as bundle:
            dummy, status, err = commands.systemctl_user(user, "status", service["unit_name"], "--no-pager", "--lines=0")
            bundle.write_new("status.txt", (status + err).encode())
            for part in ("status", "stat", "wchan", "stack", "limits"):
                bundle.write_new("proc-%s.txt" % part, (read_text("/proc/%d/%s" % (pid, part)) or "").encode())
            try:
                threads = "\n".join(sorted(os.listdir("/proc/%d/task" % pid), key=int)) + "\n"
            except OSError as exc:
                threads = "%s\n" % exc
            bundle.write_new("threads.txt", threads.encode())
            dummy, top_out, dummy = commands.run(["top", "-b", "-n", "1", "-H", "-p", str(pid)],
                                                 env={"HOME": "/nonexistent", "XDG_CONFIG_HOME": "/nonexistent"})
            bundle.write_new("top.txt", top_out.encode())
            bundle.write_new("facts.json", (json.dumps(obs, indent=2, sort_keys=True, default=str) + "\n").encode())
            log_file, dummy = collect_log_file(user, settings["profile"])
            tail = ""
            if log_file:
                try:
                    tail = run_as(user["uid"], pwd.getpwnam(user["name"]).pw_gid, _log_tail, log_file, LOG_TAIL_LINES)
                except Refused as exc:
                    tail = "log not read: %s\n" % exc
            bundle.write_new("gateway-log-tail.jsonl", redact_log(tail).encode())
        prune(top, settings["diagnostics_keep"], settings["diagnostics_max_age_days"], now, False, BUNDLE_NAME, kind="dir", spare=name)
        return top.join(name)


def restart(settings, commands, obs, reason, now):
    """Bundle, then stop (a gateway that answers nothing is killed at once: a graceful stop would wait out
    OpenClaw's 330 s stop timeout), kill when the stop runs out of time, clear a failed state, start.
    Returns what was done, step by step."""
    user, unit = obs["user"], obs["service"]["unit_name"]
    steps = []
    try:
        steps.append("bundle %s" % write_bundle(settings, commands, obs, now))
    except (OSError, Refused) as exc:  # evidence is worth a lot, the restart more
        steps.append("bundle failed: %s" % exc)
    if obs["service"].get("active_state") == "active":
        stopped = False
        if reason != "hung":
            rc, dummy, dummy = commands.run(["systemctl", "--user", "--machine=%s@" % user["name"], "stop", unit],
                                            timeout=settings["stop_timeout_s"])
            stopped = rc == 0
            steps.append("stop rc=%d" % rc)
        if not stopped:
            rc, dummy, err = commands.systemctl_user(user, "kill", "--signal=SIGKILL", unit)
            steps.append("kill rc=%d" % rc)
            rc, dummy, dummy = commands.run(["systemctl", "--user", "--machine=%s@" % user["name"], "stop", unit], timeout=30)
            steps.append("stop after kill rc=%d" % rc)
    commands.systemctl_user(user, "reset-failed", unit)
    rc, dummy, err = commands.systemctl_user(user, "start", unit)
    steps.append("start rc=%d%s" % (rc, (": " + err.strip()[:200]) if rc else ""))
    return steps


# --- metrics -----------------------------------------------------------------------------------------------

def _label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _line(out, name, value, labels=None, help_text=None, kind="gauge"):
    if value is None:
        return
    if help_text:
        out.append("# HELP %s %s" % (name, help_text))
        out.append("# TYPE %s %s" % (name, kind))
    rendered = ",".join('%s="%s"' % (k, _label(v)) for k, v in sorted((labels or {}).items()))
    out.append("%s%s %s" % (name, "{%s}" % rendered if rendered else "", repr(round(value, 6)) if isinstance(value, float) else value))


def render_metrics(obs, state, settings, verdict, version=None):
    """The node_exporter textfile: what one check saw, in Prometheus' text format (no gateway token needed)."""
    out = []
    service, ready, process = obs.get("service") or {}, obs.get("ready") or {}, obs.get("process") or {}
    loop = ready.get("event_loop") or {}
    _line(out, "openclaw_up", int(service.get("active_state") == "active" and bool(service.get("pid"))),
          help_text="1 when the gateway's unit is active with a main process.")
    _line(out, "openclaw_ready", int(bool(ready.get("ok"))), help_text="1 when /ready answered 200 with ready true.")
    elapsed = ready.get("elapsed_ms")
    _line(out, "openclaw_probe_duration_seconds", None if elapsed is None else elapsed / 1000.0,
          help_text="How long /ready took to answer.")
    for key, name, scale, text in (("delay_p99_ms", "openclaw_event_loop_delay_p99_seconds", 1000.0, "p99 event-loop delay, OpenClaw's last window."),
                                   ("delay_max_ms", "openclaw_event_loop_delay_max_seconds", 1000.0, "Maximum event-loop delay, OpenClaw's last window."),
                                   ("utilization", "openclaw_event_loop_utilization", 1.0, "Event-loop utilisation, OpenClaw's last window.")):
        value = loop.get(key)
        _line(out, name, value / scale if isinstance(value, (int, float)) and not isinstance(value, bool) else None, help_text=text)
    _line(out, "openclaw_resident_memory_bytes", process.get("rss_bytes"), help_text="RSS of the gateway's main process.")
    _line(out, "openclaw_memory_current_bytes", service.get("memory_current"), help_text="Memory of the gateway's unit (cgroup).")
    _line(out, "openclaw_memory_max_bytes", service.get("memory_max"), help_text="MemoryMax of the unit (absent when unlimited).")
    _line(out, "openclaw_memory_high_bytes", service.get("memory_high"), help_text="MemoryHigh of the unit (absent when unlimited).")
    _line(out, "openclaw_open_fds", process.get("open_fds"), help_text="Open file descriptors of the main process.")
    _line(out, "openclaw_max_fds", process.get("max_fds"), help_text="Its open-files limit.")
    _line(out, "openclaw_systemd_restarts", service.get("restarts"), help_text="NRestarts of the unit (systemd's automatic restarts).")
    if version:
        _line(out, "openclaw_info", 1, dict(version=version), help_text="The OpenClaw release the gateway runs.")
    egress = obs.get("egress")
    if egress:
        _line(out, "openclaw_egress_up", int(egress["ss_local"]), dict(component="ss_local"),
              help_text="1 when the split-egress unit is active (the Shadowsocks client, Privoxy).")
        _line(out, "openclaw_egress_up", int(egress["privoxy"]), dict(component="privoxy"))
        if egress["relay_reachable"] is not None:
            _line(out, "openclaw_egress_relay_reachable", int(egress["relay_reachable"]),
                  help_text="1 when the relay's Shadowsocks port accepted a TCP connection.")
        _line(out, "openclaw_egress_relay_connect_seconds", egress["relay_connect_s"], help_text="How long that connection took.")
    backups = obs.get("backups")
    if backups:
        _line(out, "openclaw_backup_archives", backups["archives"], help_text="Scheduled backup archives kept on the node.")
        _line(out, "openclaw_backup_last_timestamp_seconds", backups["newest_time"],
              help_text="When the newest scheduled backup was written (absent when there is none).")
        _line(out, "openclaw_backup_last_size_bytes", backups["newest_bytes"], help_text="Size of the newest scheduled backup.")
        _line(out, "openclaw_backup_max_age_seconds", settings["backup_interval_h"] * 3600 * 2,
              help_text="Age beyond which the scheduled backups are stale (two intervals).")
    auth = state.get("auth") if isinstance(state.get("auth"), dict) else {}
    providers = auth.get("providers") if isinstance(auth.get("providers"), dict) else {}
    for index, (provider, counts) in enumerate(sorted(providers.items())):
        _line(out, "openclaw_auth_profiles", counts.get("profiles", 0), dict(provider=provider),
              help_text="Stored auth profiles of a provider (openclaw models status)." if index == 0 else None)
    for index, (provider, counts) in enumerate(sorted(providers.items())):
        _line(out, "openclaw_auth_profiles_unusable", counts.get("unusable", 0), dict(provider=provider),
              help_text="Those in cooldown or disabled: all of them means no model call of that provider succeeds." if index == 0 else None)
    if auth.get("checked_at") is not None:
        _line(out, "openclaw_auth_checked_timestamp_seconds", round(auth["checked_at"], 3),
              help_text="When the auth profiles were last read.")
        _line(out, "openclaw_auth_check_ok", int(auth.get("error") is None), help_text="1 when openclaw models status answered.")
    reasons = sorted(set(r for r, dummy in REASONS) | set(state.get("totals", {})))
    for index, reason in enumerate(reasons):
        _line(out, "openclaw_watchdog_restarts_total", state.get("totals", {}).get(reason, 0), dict(reason=reason),
              help_text="Restarts the watchdog made, by reason." if index == 0 else None, kind="counter")
    _line(out, "openclaw_watchdog_gave_up", int(bool(state.get("gave_up"))),
          help_text="1 when the restart budget is spent and the watchdog no longer acts.")
    _line(out, "openclaw_watchdog_held", int(verdict == HELD), help_text="1 while a collection play holds the node.")
    _line(out, "openclaw_watchdog_consecutive_failures", state.get("failures", 0), help_text="Failed checks in a row.")
    for index, problem in enumerate(sorted(obs.get("problems") or [], key=lambda p: p["id"])):
        _line(out, "openclaw_finding", 1, dict(id=problem["id"]),
              help_text="A finding of the last check (the finding registry's id)." if index == 0 else None)
    _line(out, "openclaw_watchdog_last_check_timestamp_seconds", round(obs["time"], 3),
          help_text="When the watchdog last checked the gateway.")
    return "\n".join(out) + "\n"


def write_textfile(path, text):
    """Atomically: a temporary file beside it (never an existing name), then a rename."""
    directory, name = os.path.split(path)
    temporary = os.path.join(directory, ".%s.%d.tmp" % (name, os.getpid()))
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# --- one run -------------------------------------------------------------------------------------------------

def log(priority, message):
    """A journal line with its syslog priority (2 crit, 3 err, 4 warning, 5 notice; the unit drops info)."""
    sys.stdout.write("<%d>%s\n" % (priority, message))
    sys.stdout.flush()


def auth_due(state, settings, now):
    """Whether the auth profiles are to be read again (every auth_interval_s; a clock set back reads them at once)."""
    checked = (state.get("auth") or {}).get("checked_at")
    return bool(settings["auth_interval_s"]) and (not isinstance(checked, (int, float)) or not 0 <= now - checked < settings["auth_interval_s"])


def check_once(settings, commands=None, now=None, settings_file=SETTINGS_FILE):
    """One timer run: observe, decide, act, save the state, write the metrics. Returns (verdict, reason, state)."""
    commands = commands or Commands(Runner(), settings["probe_timeout_s"] + 10)
    now = time.time() if now is None else now
    state_dir, state_name = os.path.split(settings["state_file"])
    with Dir(state_dir, create=True) as directory:
        state = parse_state((directory.read(state_name, 1024 * 1024) if directory.owned_file(state_name) else b"").decode("utf-8", "replace"))
        obs = observe(settings, commands, now, settings_written_at(settings_file), confirm_time(state))
        was_gave_up = state["gave_up"]
        verdict, reason, state = decide(state, obs, settings)
        if verdict == RESTART:
            log(4, "gateway failed %d checks in a row (%s: %s): restarting it (%d of %d within %d s)"
                % (settings["failures"], reason, "; ".join(p["message"] for p in obs["problems"])[:500],
                   len(state["actions"]), settings["budget"], settings["budget_window_s"]))
            state["actions"][-1]["steps"] = restart(settings, commands, obs, reason, now)
            log(4, "restart: %s" % ", ".join(state["actions"][-1]["steps"]))
        elif verdict == GAVE_UP and not was_gave_up:
            log(2, "gateway failed again (%s) after %d restarts within %d s: the watchdog gave up and no longer acts; "
                "an operator is needed (watchdog_gave_up)" % (reason, len(state["actions"]), settings["budget_window_s"]))
        elif verdict in (FAILING, GAVE_UP):
            log(4, "check failed (%s, %d in a row): %s" % (reason, state["failures"], "; ".join(p["message"] for p in obs["problems"])[:500]))
        elif verdict == HEALTHY and was_gave_up and not state["gave_up"]:
            log(5, "gateway healthy and the restart budget free again: the watchdog acts again")
        # Only a gateway that answers ready is asked (inside the start-up grace too); never while held or failing.
        if verdict in (HEALTHY, STARTING) and (obs.get("ready") or {}).get("ok") and auth_due(state, settings, now):
            state["auth"] = check_auth(settings, obs["user"], now)
        directory.replace(state_name, (json.dumps(state, sort_keys=True) + "\n").encode())
    if settings["textfile"]:
        write_textfile(settings["textfile"], render_metrics(obs, state, settings, verdict, (obs.get("process") or {}).get("release")))
    return verdict, reason, state


def settings_of(argv, program):
    """The settings of `PROGRAM --settings FILE` (load_settings); None once it said why not (usage, refused)."""
    if len(argv) != 2 or argv[0] != "--settings":
        sys.stderr.write("usage: %s --settings FILE\n" % program)
        return None
    try:
        return load_settings(json.loads(read_text(argv[1], limit=65536) or "null"))
    except (SettingsError, ValueError) as exc:
        log(3, "settings %s refused: %s" % (argv[1], exc))
        return None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    settings = settings_of(argv, "clawops-openclaw-watchdog")
    if settings is None:
        return 2
    # One check at a time (a slow check must not overlap the next timer run).
    os.makedirs(os.path.dirname(settings["state_file"]), 0o700, exist_ok=True)
    with open(settings["state_file"] + ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log(4, "the previous check still runs: skipped")
            return 0
        check_once(settings, settings_file=argv[1])
    return 0


# --- scheduled backups (clawops-openclaw-backup) ---------------------------------------------------------------

def run_backup(settings, now=None, runner=None):
    """One scheduled backup, run as the service user (the root-owned unit's User=): OpenClaw's verified archive of
    the gateway's state with the active release's CLI, into backup_dir, the newest backup_keep kept.
    Returns (exit status, priority, message)."""
    now = time.time() if now is None else now
    if not settings["backup_dir"]:
        return 0, 5, "scheduled backups are off (no backup_dir)"
    me = pwd.getpwuid(os.geteuid())
    if os.geteuid() == 0 or me.pw_name != settings["user"]:
        return 2, 3, "runs as the service user %s (the unit's User=), not as %s" % (settings["user"], me.pw_name)
    held = hold_reason(settings["hold_file"], now)
    if held:
        # A play that replaces the state (an upgrade, a restore) takes its own archive first.
        return 0, 5, "the node is held by %s: this backup is skipped" % held
    version, cli = active_cli(settings, me.pw_dir, CREATE_TIMEOUT_S, runner)
    if version is None:
        return 1, 3, "no active OpenClaw release in %s: nothing to archive with" % settings["releases_dir"]
    state_dir = state_dir_of(me.pw_dir, settings["profile"])
    started = time.time()
    try:
        archive, pruned = write_archive(cli, state_dir, settings["backup_dir"], version, settings["backup_include_workspace"],
                                        settings["backup_keep"])
    except BackupError as exc:
        # The CLI's own words (redacted by CliError) say why: a full disk, a state it cannot read.
        return 1, 3, "backup of %s failed, nothing was written: %s%s" % (
            state_dir, exc.msg, "" if exc.cli_error is None else " (%s)" % exc.cli_error.msg)
    except OSError as exc:
        return 1, 3, "backup of %s failed: %s" % (state_dir, exc)
    return 0, 5, "verified backup %s (%d bytes, %.0f s)%s" % (
        archive, os.lstat(archive).st_size, time.time() - started, "; removed %s" % ", ".join(pruned) if pruned else "")


def backup_main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    settings = settings_of(argv, "clawops-openclaw-backup")
    if settings is None:
        return 2
    rc, priority, message = run_backup(settings)
    log(priority, message)
    return rc
