# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The watchdog's decision table, settings, state, metrics and one run against a fake node."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import _watchdog
from ansible_collections.clawops.openclaw.plugins.module_utils._watchdog import (
    GAVE_UP, FAILING, HEALTHY, HELD, REFUSED, RESTART, STARTING, STOPPED, UNKNOWN, SettingsError, decide, load_settings,
    new_state, parse_state, render_metrics,
)

SETTINGS = load_settings({})
ROOT = os.geteuid() == 0


def obs(now=10000.0, active="active", uptime=3600.0, problems=(), held=None, status=0):
    return dict(time=now, held=held, service=dict(active_state=active, pid=4242 if active == "active" else None, exec_main_status=status),
                uptime_s=uptime, problems=[dict(id=p, message=p) for p in problems])


@pytest.mark.parametrize("observation, verdict, reason", [
    (obs(held="site.yml until 03:00:00Z", problems=["gateway_hung"]), HELD, None),
    (obs(active="inactive", problems=["service_inactive"]), STOPPED, None),        # stopped on purpose: left alone
    (obs(active=None), UNKNOWN, None),                                              # the manager did not answer
    (obs(active="activating"), STARTING, None),
    (obs(uptime=60.0, problems=["gateway_hung"]), STARTING, None),                 # a slow start inside the grace
    (obs(uptime=None, problems=["not_ready"]), STARTING, None),                    # no start time: never acted on
    (obs(), HEALTHY, None),
    (obs(problems=["event_loop_busy"]), HEALTHY, None),                            # a burst is not a failure
    (obs(problems=["gateway_hung"]), FAILING, "hung"),
    (obs(problems=["not_ready"]), FAILING, "not_ready"),
    (obs(problems=["event_loop_degraded"]), FAILING, "event_loop"),
    (obs(active="failed", problems=["service_crash_loop"]), FAILING, "failed"),
    (obs(active="failed", problems=["service_failed"], status=1), FAILING, "failed"),
    (obs(active="inactive", problems=["service_failed"], status=78), REFUSED, None),  # its config refused: remediate's
], ids=["held", "stopped", "unknown", "activating", "grace", "no-start-time", "healthy", "burst", "hung", "not-ready",
        "event-loop", "crash-loop", "failed", "refused"])
def test_one_check(observation, verdict, reason):
    got, why, state = decide(new_state(), observation, SETTINGS)
    assert (got, why) == (verdict, reason)
    assert state["failures"] == (1 if verdict == FAILING else 0) and state["actions"] == []


def run(checks, settings=None, state=None, step=15.0):
    """The verdicts of successive checks, `step` seconds apart."""
    settings = settings or SETTINGS
    state = state or new_state()
    verdicts = []
    for index, observation in enumerate(checks):
        observation = dict(observation, time=10000.0 + index * step)
        verdict, dummy, state = decide(state, observation, settings)
        verdicts.append(verdict)
    return verdicts, state


def test_failures_in_a_row_restart_and_a_good_check_in_between_resets_the_count():
    hung = obs(problems=["gateway_hung"])
    verdicts, state = run([hung, obs(), hung, hung, obs(uptime=5.0), obs()])
    assert verdicts == [FAILING, HEALTHY, FAILING, RESTART, STARTING, HEALTHY]
    assert [a["reason"] for a in state["actions"]] == ["hung"] and state["totals"] == {"hung": 1}


def test_the_budget_is_spent_then_it_gives_up_and_acts_again_once_the_window_frees():
    settings = load_settings(dict(budget=3, budget_window_s=1800, failures=2))
    hung = obs(problems=["gateway_hung"])
    verdicts, state = run([hung] * 10, settings)
    assert verdicts == [FAILING, RESTART] * 3 + [FAILING, GAVE_UP, GAVE_UP, GAVE_UP]
    assert state["gave_up"] and state["gave_up_since"] == 10000.0 + 7 * 15 and len(state["actions"]) == 3
    # Healthy, but the three restarts are still within the window: still given up.
    verdict, dummy, state = decide(state, obs(now=10000.0 + 600), settings)
    assert verdict == HEALTHY and state["gave_up"]
    # Half an hour after the first restart it may act again.
    verdict, dummy, state = decide(state, obs(now=10000.0 + 15 + 1800), settings)
    assert verdict == HEALTHY and not state["gave_up"] and len(state["actions"]) == 2


def test_a_budget_of_zero_only_watches():
    verdicts, state = run([obs(problems=["gateway_hung"])] * 3, load_settings(dict(budget=0)))
    assert verdicts == [FAILING, GAVE_UP, GAVE_UP] and state["actions"] == []


def test_a_hold_or_a_stop_in_between_resets_the_count():
    hung = obs(problems=["gateway_hung"])
    verdicts, dummy = run([hung, obs(held="upgrade.yml"), hung, obs(active="inactive"), hung])
    assert verdicts == [FAILING, HELD, FAILING, STOPPED, FAILING]


@pytest.mark.parametrize("data, message", [
    (dict(user="root; rm"), "user"), (dict(port=0), "port"), (dict(port=True), "port"), (dict(failures=1.5), "failures"),
    (dict(interval_s=1), "interval_s"), (dict(textfile="relative.prom"), "textfile"), (dict(hold_file="/run/../etc/x"), "hold_file"),
    (dict(probe_host="example.com"), "probe_host"), (dict(bogus=1), "unknown settings"), ([], "not a JSON object"),
])
def test_bad_settings_are_refused_by_name(data, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(data)


def test_settings_defaults_and_nulls():
    assert SETTINGS["interval_s"] == 15.0 and SETTINGS["failures"] == 2 and SETTINGS["profile"] is None
    assert load_settings(dict(textfile=None, profile="work", probe_host="[::1]"))["textfile"] is None


def test_a_state_of_another_version_or_garbage_starts_afresh():
    assert parse_state("{not json") == new_state()
    assert parse_state(json.dumps(dict(version=99, failures=7))) == new_state()
    kept = parse_state(json.dumps(dict(new_state(), failures=1, gave_up=True, extra="x")))
    assert kept["failures"] == 1 and kept["gave_up"] and "extra" not in kept


def test_metrics_are_prometheus_text_with_what_the_check_saw():
    observation = obs(problems=["event_loop_busy"])
    observation["service"].update(restarts=2, memory_max=2 ** 31, memory_current=300 * 2 ** 20, memory_high=None)
    observation.update(process=dict(rss_bytes=250 * 2 ** 20, open_fds=40, max_fds=65536),
                       ready=dict(ok=True, elapsed_ms=12.0, event_loop=dict(delay_p99_ms=21.5, delay_max_ms=40.0, utilization=0.12)))
    state = dict(new_state(), totals={"hung": 2})
    text = render_metrics(observation, state, SETTINGS, HEALTHY, "2026.9.6")
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"# (HELP|TYPE) openclaw_\w+ .+\Z", line), line
            continue
        match = re.match(r'(openclaw_\w+)(\{[^}]*\})? (\S+)\Z', line)
        assert match, line
        samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    assert samples["openclaw_up"] == 1 and samples["openclaw_ready"] == 1
    assert samples["openclaw_event_loop_delay_p99_seconds"] == 0.0215 and samples["openclaw_probe_duration_seconds"] == 0.012
    assert samples["openclaw_memory_max_bytes"] == 2 ** 31 and "openclaw_memory_high_bytes" not in samples
    assert samples['openclaw_watchdog_restarts_total{reason="hung"}'] == 2 and samples['openclaw_watchdog_restarts_total{reason="not_ready"}'] == 0
    assert samples['openclaw_info{version="2026.9.6"}'] == 1 and samples['openclaw_finding{id="event_loop_busy"}'] == 1
    assert samples["openclaw_watchdog_gave_up"] == 0 and samples["openclaw_watchdog_last_check_timestamp_seconds"] == 10000.0
    assert text.count("# TYPE openclaw_watchdog_restarts_total counter") == 1


def test_promtool_accepts_the_metrics():
    promtool = shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool is not installed (scripts/test-deps.sh installs it)")
    observation = obs(problems=["gateway_hung"])
    observation.update(ready=dict(ok=False, elapsed_ms=5000.0, event_loop={}))
    text = render_metrics(observation, new_state(), SETTINGS, FAILING)
    proc = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "error" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


@pytest.mark.skipif(not ROOT, reason="the hold counts only as a file of root")
def test_only_an_unexpired_hold_of_root_counts(tmp_path):
    hold = tmp_path / "hold"
    assert _watchdog.hold_reason(str(hold), 100.0) is None
    hold.write_text(json.dumps(dict(by="upgrade.yml", ttl_s=100)))
    os.utime(str(hold), (50, 50))
    assert _watchdog.hold_reason(str(hold), 100.0) == "upgrade.yml until 00:02:30Z"
    assert _watchdog.hold_reason(str(hold), 151.0) is None              # expired: a play that died holds nothing
    os.chown(str(hold), 65534, 65534)
    assert _watchdog.hold_reason(str(hold), 100.0) is None              # not root's
    hold.unlink()
    (tmp_path / "target").write_text(json.dumps(dict(ttl_s=100)))
    hold.symlink_to(tmp_path / "target")
    assert _watchdog.hold_reason(str(hold), 100.0) is None              # a link


def test_the_textfile_is_replaced_atomically(tmp_path):
    path = tmp_path / "clawops_openclaw.prom"
    _watchdog.write_textfile(str(path), "a 1\n")
    _watchdog.write_textfile(str(path), "a 2\n")
    assert path.read_text() == "a 2\n" and oct(path.stat().st_mode & 0o777) == "0o644" and os.listdir(str(tmp_path)) == [path.name]


class FakeCommands:
    """systemctl answers by verb; records every command."""

    def __init__(self, stop_rc=0):
        self.calls, self.stop_rc = [], stop_rc

    def run(self, argv, env=None, timeout=None):
        self.calls.append(list(argv))
        if "stop" in argv:
            return self.stop_rc, "", ""
        return 0, "top output\n", ""

    def systemctl_user(self, user, *args):
        return self.run(["systemctl", "--user"] + list(args))


def acting_obs(tmp_path, active="active"):
    observation = obs(problems=["gateway_hung"], active=active)
    observation["user"] = dict(name="nobody", uid=65534, home="/nonexistent", groups=[65534])
    observation["service"].update(unit_name="openclaw-gateway.service", pid=os.getpid())
    return observation


@pytest.mark.parametrize("reason, active, stop_rc, verbs", [
    ("hung", "active", 0, ["status", "kill", "stop", "reset-failed", "start"]),        # answers nothing: killed at once
    ("not_ready", "active", 0, ["status", "stop", "reset-failed", "start"]),           # graceful stop first
    ("event_loop", "active", 124, ["status", "stop", "kill", "stop", "reset-failed", "start"]),  # the stop ran out
    ("failed", "failed", 0, ["status", "reset-failed", "start"]),                       # nothing to stop
])
def test_a_restart_writes_the_bundle_first_then_stops_kills_and_starts(tmp_path, reason, active, stop_rc, verbs):
    settings = load_settings(dict(diagnostics_dir=str(tmp_path / "diagnostics"), diagnostics_keep=2))
    commands = FakeCommands(stop_rc)
    steps = _watchdog.restart(settings, commands, acting_obs(tmp_path, active), reason, 1767225600.0)
    systemctl = [next(a for a in argv[1:] if not a.startswith("-")) for argv in commands.calls if argv[0] == "systemctl"]
    assert systemctl == verbs, commands.calls
    assert steps[0].startswith("bundle " + str(tmp_path / "diagnostics" / "20260101T000000Z"))
    bundle = tmp_path / "diagnostics" / "20260101T000000Z"
    assert sorted(os.listdir(str(bundle))) == ["facts.json", "gateway-log-tail.jsonl", "proc-limits.txt", "proc-stack.txt",
                                               "proc-stat.txt", "proc-status.txt", "proc-wchan.txt", "status.txt", "threads.txt", "top.txt"]
    assert oct(bundle.stat().st_mode & 0o777) == "0o700"
    assert json.loads((bundle / "facts.json").read_text())["problems"][0]["id"] == "gateway_hung"


def test_bundles_are_pruned_to_the_retention(tmp_path):
    settings = load_settings(dict(diagnostics_dir=str(tmp_path), diagnostics_keep=2))
    for second in range(4):
        os.utime(_watchdog.write_bundle(settings, FakeCommands(), acting_obs(tmp_path), 1767225600.0 + second),
                 (1767225600 + second,) * 2)
    assert sorted(os.listdir(str(tmp_path))) == ["20260101T000002Z", "20260101T000003Z"]


def test_one_run_saves_the_state_and_writes_the_metrics(tmp_path, monkeypatch):
    settings = load_settings(dict(state_file=str(tmp_path / "state" / "state.json"), textfile=str(tmp_path / "metrics.prom"),
                                  diagnostics_dir=str(tmp_path / "diagnostics")))
    observations = iter([acting_obs(tmp_path), acting_obs(tmp_path)])
    monkeypatch.setattr(_watchdog, "observe", lambda s, c, now, *rest: dict(next(observations), time=now))
    commands = FakeCommands()
    assert _watchdog.check_once(settings, commands, now=1767225600.0)[0] == FAILING
    assert commands.calls == []
    verdict, reason, state = _watchdog.check_once(settings, commands, now=1767225615.0)
    assert (verdict, reason) == (RESTART, "hung") and any("start" in argv for argv in commands.calls)
    saved = json.loads((tmp_path / "state" / "state.json").read_text())
    assert saved["totals"] == {"hung": 1} and saved["actions"][0]["steps"][-1] == "start rc=0"
    assert 'openclaw_watchdog_restarts_total{reason="hung"} 1' in (tmp_path / "metrics.prom").read_text()


def test_the_watchdog_imports_nothing_but_the_standard_library_and_its_module_utils(tmp_path):
    """The node has no Ansible: the role installs these module_utils and runs them with the system Python."""
    source = os.path.dirname(_watchdog.__file__)
    package = tmp_path / "ansible_collections" / "clawops" / "openclaw" / "plugins" / "module_utils"
    shutil.copytree(source, str(package), ignore=shutil.ignore_patterns("__pycache__"))
    for level in (package.parent.parent.parent.parent, package.parent.parent.parent, package.parent.parent, package.parent, package):
        (level / "__init__.py").touch()
    code = ("import sys; sys.modules['ansible'] = None; "
            "from ansible_collections.clawops.openclaw.plugins.module_utils import _watchdog; print(_watchdog.STATE_VERSION)")
    proc = subprocess.run([sys.executable, "-S", "-c", code], cwd=str(tmp_path), capture_output=True, text=True,
                          env=dict(PYTHONPATH=str(tmp_path)), check=False)
    assert proc.returncode == 0 and proc.stdout.strip() == "1", proc.stderr[-2000:]


def test_the_role_installs_exactly_the_module_utils_the_watchdog_imports():
    import ast
    import yaml
    source = os.path.dirname(_watchdog.__file__)
    prefix = "ansible_collections.clawops.openclaw.plugins.module_utils."
    needed, todo = set(), ["_watchdog"]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        with open(os.path.join(source, name + ".py")) as handle:
            for node in ast.walk(ast.parse(handle.read())):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(prefix):
                    todo.append(node.module[len(prefix):])
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
    with open(os.path.join(root, "roles", "watchdog", "vars", "main.yml")) as handle:
        installed = yaml.safe_load(handle)["_watchdog_module_utils"]
    assert sorted(installed) == sorted(name + ".py" for name in needed)


class _ReadyHandler(__import__("http.server").server.BaseHTTPRequestHandler):
    body = {"ready": True, "failing": [], "uptimeMs": 3600000,
            "eventLoop": {"degraded": False, "delayP99Ms": 12.0, "delayMaxMs": 30.0, "utilization": 0.1, "reasons": []}}

    def do_GET(self):  # noqa: N802 (http.server's name)
        data = json.dumps(self.body if self.path == "/ready" else {"ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


def test_an_observation_of_a_live_process_and_a_real_http_endpoint():
    """observe() on this test process as the 'gateway' (the kernel's /proc figures) behind a real HTTP /ready."""
    import http.server
    import pwd
    import threading
    server = http.server.HTTPServer(("127.0.0.1", 0), _ReadyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        show = ("LoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\nMainPID=%d\nNRestarts=1\n"
                "Result=success\nExecMainStatus=0\nMemoryCurrent=123456789\nMemoryHigh=infinity\nMemoryMax=2147483648\n" % os.getpid())

        class Commands(FakeCommands):
            def systemctl_user(self, user, *args):
                self.calls.append(list(args))
                return (0, show, "") if args[0] == "show" else (0, "", "")

        settings = load_settings(dict(user=pwd.getpwuid(os.getuid()).pw_name, port=server.server_address[1]))
        observation = _watchdog.observe(settings, Commands(), time.time())
    finally:
        server.shutdown()
    service = observation["service"]
    assert (service["active_state"], service["pid"], service["restarts"]) == ("active", os.getpid(), 1)
    assert service["memory_max"] == 2 ** 31 and service["memory_high"] is None and service["memory_current"] == 123456789
    assert observation["ready"]["ok"] and observation["ready"]["event_loop"]["delay_p99_ms"] == 12.0
    assert observation["process"]["rss_bytes"] > 0 and observation["process"]["open_fds"] > 0 and observation["process"]["max_fds"] > 0
    assert observation["uptime_s"] is not None and observation["uptime_s"] >= 0
    # This process is not listening on the port: the listener collector says the port belongs to another process.
    assert decide(new_state(), observation, settings)[0] in (HEALTHY, STARTING)


def test_the_entry_point_refuses_bad_usage_and_bad_settings(tmp_path, capsys):
    assert _watchdog.main([]) == 2
    settings = tmp_path / "watchdog.json"
    settings.write_text(json.dumps(dict(interval_s=1)))
    assert _watchdog.main(["--settings", str(settings)]) == 2
    assert "interval_s" in capsys.readouterr().out


@pytest.mark.parametrize("ss_state, privoxy_state, relay_up, expected", [
    ("active", "active", True, set()),
    ("failed", "active", True, {"ss_local_inactive"}),
    ("active", "inactive", False, {"privoxy_inactive", "relay_unreachable"}),
], ids=["healthy", "ss-local-down", "privoxy-down-relay-unreachable"])
def test_split_egress_is_observed_and_exported(tmp_path, ss_state, privoxy_state, relay_up, expected):
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    if relay_up:
        listener.listen(1)
    else:
        listener.close()
    ss_config = tmp_path / "ss.json"
    ss_config.write_text(json.dumps(dict(server="127.0.0.1", server_port=port, local_address="127.0.0.1", local_port=1080,
                                         method="chacha20-ietf-poly1305", password="never-shown")))
    privoxy_config = tmp_path / "privoxy"
    privoxy_config.write_text("forward / .\nforward-socks5t .openai.com 127.0.0.1:1080 .\n")

    class Commands(FakeCommands):
        def system_unit(self, unit):
            return dict(unit=unit, active_state=ss_state if "shadowsocks" in unit else privoxy_state)

    from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
    problems = Problems()
    try:
        egress = _watchdog.observe_egress(Commands(), 1.0, problems, str(ss_config), str(privoxy_config))
    finally:
        listener.close()
    assert {p[0] for p in problems} == expected
    assert egress["ss_local"] is (ss_state == "active") and egress["relay_reachable"] is relay_up
    text = render_metrics(dict(obs(), egress=egress), new_state(), SETTINGS, HEALTHY)
    assert 'openclaw_egress_up{component="ss_local"} %d' % (ss_state == "active") in text
    assert 'openclaw_egress_up{component="privoxy"} %d' % (privoxy_state == "active") in text
    assert "openclaw_egress_relay_reachable %d" % relay_up in text and "never-shown" not in text
    assert _watchdog.observe_egress(Commands(), 1.0, problems, str(tmp_path / "absent.json")) is None


MODELS_STATUS = {"auth": {"oauth": {"profiles": [{"profileId": "openai:a"}, {"profileId": "openai:b"}, {"profileId": "anthropic:main"}]},
                          "unusableProfiles": [{"profileId": "openai:a", "provider": "openai", "kind": "cooldown", "reason": "rate_limit"},
                                               {"profileId": "openai:b", "provider": "openai", "kind": "disabled", "reason": "billing"}]}}


class FakeCli:
    """run_command of a node whose `openclaw models status --json` answers ANSWER (rc RC); records argv."""

    def __init__(self, answer, rc=0):
        self.answer, self.rc, self.argv = answer, rc, []

    def run_command(self, argv, environ_update=None, cwd=None, data=None, binary_data=False):
        self.argv.append(argv)
        return self.rc, "Config warnings...\n" + json.dumps(self.answer), "boom" if self.rc else ""


def test_auth_profiles_are_counted_by_provider_from_one_models_status_run_as_the_user(tmp_path):
    releases = tmp_path / "releases"
    (releases / "2026.9.6" / "lib" / "node_modules" / "openclaw" / "dist").mkdir(parents=True)
    (releases / "2026.9.6" / "lib" / "node_modules" / "openclaw" / "package.json").write_text('{"version": "2026.9.6"}')
    (releases / "2026.9.6" / "lib" / "node_modules" / "openclaw" / "dist" / "index.js").write_text("")
    (releases / "2026.9.6" / "bin").mkdir()
    (releases / "2026.9.6" / "bin" / "openclaw").write_text("")
    os.symlink("2026.9.6", str(releases / "current"))
    settings = load_settings(dict(releases_dir=str(releases)))
    user = dict(name="openclaw", uid=1000, home="/home/openclaw", groups=[1000])
    runner = FakeCli(MODELS_STATUS)
    auth = _watchdog.check_auth(settings, user, 500.0, runner)
    providers = {"openai": dict(profiles=2, unusable=2), "anthropic": dict(profiles=1, unusable=0)}
    assert auth == dict(checked_at=500.0, error=None, providers=providers)
    argv = runner.argv[0]
    assert argv[-3:] == ["models", "status", "--json"] and str(releases / "2026.9.6" / "bin" / "openclaw") in argv
    if ROOT:
        assert argv[argv.index("runuser"):argv.index("runuser") + 3] == ["runuser", "-u", "openclaw"]
        assert "HOME=/home/openclaw" in argv and "OPENCLAW_CONFIG_PATH=/home/openclaw/.openclaw/openclaw.json" in argv
    failed = _watchdog.check_auth(settings, user, 500.0, FakeCli({}, rc=1))
    assert failed["providers"] == {} and "openclaw models status failed" in failed["error"]
    # A JSON log record around the answer is not the answer: counted from the answer, or an error, never "no profiles".
    logged = FakeCli(MODELS_STATUS)
    logged.run_command = lambda argv, **kw: (0, '{"level":"warn","msg":"cooldown"}\n%s\nwarning\n' % json.dumps(MODELS_STATUS), "")
    assert _watchdog.check_auth(settings, user, 500.0, logged)["providers"] == providers
    only_log = FakeCli({"level": "warn", "msg": "cooldown"})
    assert "no JSON object with 'auth'" in _watchdog.check_auth(settings, user, 500.0, only_log)["error"]
    assert "no active release" in _watchdog.check_auth(load_settings(dict(releases_dir=str(tmp_path))), user, 1.0)["error"]


def test_auth_metrics_name_each_provider():
    state = dict(new_state(), auth=dict(checked_at=500.0, error=None, providers={"openai": dict(profiles=2, unusable=2)}))
    text = render_metrics(obs(), state, SETTINGS, HEALTHY)
    assert 'openclaw_auth_profiles{provider="openai"} 2\n' in text and 'openclaw_auth_profiles_unusable{provider="openai"} 2\n' in text
    assert "openclaw_auth_checked_timestamp_seconds 500.0\n" in text and "openclaw_auth_check_ok 1\n" in text
    assert "openclaw_auth" not in render_metrics(obs(), new_state(), SETTINGS, HEALTHY)


def test_the_auth_profiles_are_read_after_a_healthy_check_every_interval_only(tmp_path, monkeypatch):
    settings = load_settings(dict(state_file=str(tmp_path / "state" / "state.json"), textfile=None, auth_interval_s=300))
    healthy = dict(obs(), user=dict(name="openclaw", uid=1000, home="/home/openclaw", groups=[1000]), ready=dict(ok=True))
    observations = iter([healthy, healthy, acting_obs(tmp_path), healthy])
    monkeypatch.setattr(_watchdog, "observe", lambda s, c, now, *rest: dict(next(observations), time=now))
    reads = []
    monkeypatch.setattr(_watchdog, "check_auth", lambda s, user, now: reads.append(now) or dict(checked_at=now, providers={}, error=None))
    for now in (1000.0, 1015.0, 1400.0):   # healthy, healthy within the interval, failing when due
        _watchdog.check_once(settings, FakeCommands(), now=now)
    assert reads == [1000.0]
    _watchdog.check_once(settings, FakeCommands(), now=1415.0)    # healthy again and due
    assert reads == [1000.0, 1415.0]
    assert json.loads((tmp_path / "state" / "state.json").read_text())["auth"]["checked_at"] == 1415.0


def test_a_stall_confirmed_by_the_previous_check_is_confirmed_again_with_one_reading(tmp_path, monkeypatch):
    """The starved event loop: the first failing check reads for EVENT_LOOP_CONFIRM_S (a burst must not count), the
    next one, a check interval later on the same stall, one re-reading; any other reason or a reset reads in full."""
    settings = load_settings(dict(state_file=str(tmp_path / "state.json"), textfile=None, auth_interval_s=0, failures=10))
    stalled = dict(obs(problems=["event_loop_degraded"]), user=dict(name="openclaw", uid=1000, home="/h", groups=[1000]))
    hung = dict(stalled, problems=[dict(id="gateway_hung", message="x")])
    observations = iter([stalled, stalled, hung, stalled, obs()])
    confirm = []
    monkeypatch.setattr(_watchdog, "observe", lambda s, c, now, since, confirm_s: confirm.append(confirm_s) or dict(next(observations), time=now))
    for index in range(5):
        _watchdog.check_once(settings, FakeCommands(), now=1000.0 + 15 * index)
    assert confirm == [_watchdog.EVENT_LOOP_CONFIRM_S, _watchdog.EVENT_LOOP_REREAD_S, _watchdog.EVENT_LOOP_REREAD_S,
                       _watchdog.EVENT_LOOP_CONFIRM_S, _watchdog.EVENT_LOOP_REREAD_S]


@pytest.mark.parametrize("uptime, ready, held, read", [
    (60.0, True, None, True),            # ready inside the start-up grace: asked
    (60.0, False, None, False),          # still starting: not asked
    (3600.0, True, "site.yml", False),   # a play holds the node: left alone
], ids=["ready-in-grace", "starting", "held"])
def test_the_auth_profiles_are_read_only_from_a_ready_gateway_that_nobody_holds(tmp_path, monkeypatch, uptime, ready, held, read):
    settings = load_settings(dict(state_file=str(tmp_path / "state.json"), textfile=None))
    observation = dict(obs(uptime=uptime, held=held), user=dict(name="openclaw", uid=1000, home="/h", groups=[1000]), ready=dict(ok=ready))
    monkeypatch.setattr(_watchdog, "observe", lambda s, c, now, *rest: dict(observation, time=now))
    reads = []
    monkeypatch.setattr(_watchdog, "check_auth", lambda s, user, now: reads.append(now) or dict(checked_at=now, providers={}, error=None))
    _watchdog.check_once(settings, FakeCommands(), now=1000.0)
    assert reads == ([1000.0] if read else [])
