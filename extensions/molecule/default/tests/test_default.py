"""The default scenario: a real OpenClaw gateway converged by playbooks/site.yml."""

import json

import pytest

from clawops_testlib import (PORT, UNIT, USER, as_user, assert_refused, gather_facts, main_pid, node_snapshot, playbook,
                             user_systemctl, wait_ready)

CONFIG = "/home/%s/.openclaw/openclaw.json" % USER
DROPIN_DIR = "/home/%s/.config/systemd/user/%s.d" % (USER, UNIT)


def test_user_service_active_with_linger(host):
    assert host.file("/var/lib/systemd/linger/%s" % USER).exists
    assert user_systemctl(host, "is-active", UNIT).stdout.strip() == "active"
    assert user_systemctl(host, "is-enabled", UNIT).stdout.strip() == "enabled"
    # A user unit, never a system one (seed 002).
    assert host.run("ls /etc/systemd/system/openclaw* /lib/systemd/system/openclaw*").rc != 0


def test_unit_is_openclaws_and_collection_owns_one_dropin(host):
    unit = host.file("/home/%s/.config/systemd/user/%s" % (USER, UNIT))
    assert "OPENCLAW_SERVICE_MARKER=openclaw" in unit.content_string
    assert "--port %d" % PORT in unit.content_string
    dropins = host.run("ls %s" % DROPIN_DIR).stdout.split()
    assert dropins == ["50-clawops-openclaw.conf"]
    dropin = host.file("%s/50-clawops-openclaw.conf" % DROPIN_DIR)
    assert dropin.user == USER and dropin.mode == 0o600
    assert "LimitNOFILE=65536" in dropin.content_string
    assert "MemoryHigh=75%" in dropin.content_string and "MemoryMax=85%" in dropin.content_string   # the memory guard
    assert "NODE_EXTRA_CA_CERTS=" in dropin.content_string
    limit = user_systemctl(host, "show", "-p", "LimitNOFILE", "--value", UNIT).stdout.strip()
    assert limit == "65536"


def test_pinned_release_and_supported_node(host):
    version = host.run("/usr/local/bin/openclaw --version").stdout
    assert "2026.9.6" in version
    node = host.run("node --version").stdout.strip()
    assert node.startswith("v24.")


RELEASES = "/opt/openclaw"
ENTRY = RELEASES + "/current/lib/node_modules/openclaw/dist/index.js"


def test_release_installed_side_by_side_and_active_through_current(host):
    releases = host.file(RELEASES)
    assert releases.is_directory and releases.user == "root" and releases.mode == 0o755
    assert host.check_output("readlink %s/current" % RELEASES) == "2026.9.6"
    assert host.check_output("readlink /usr/local/bin/openclaw") == RELEASES + "/current/bin/openclaw"
    assert host.run("test -e /usr/local/lib/node_modules/openclaw").rc != 0      # no global npm install
    # OpenClaw's installer kept the `current` path it was started with: the unit follows the active release.
    unit = host.file("/home/%s/.config/systemd/user/%s" % (USER, UNIT)).content_string
    exec_start = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert len(exec_start) == 1 and exec_start[0].startswith("ExecStart=/usr/local/bin/node ") and " %s gateway " % ENTRY in exec_start[0], unit
    release = gather_facts(host, user=USER, validate_config="false")["release"]
    assert {k: release[k] for k in ("active", "previous", "installed", "running", "restart_pending")} == dict(
        active="2026.9.6", previous=None, installed=["2026.9.6"], running="2026.9.6", restart_pending=False), release
    # OpenClaw reads its own unit as the service of this install (the status test below checks it runs and answers).
    out = as_user(host, "openclaw gateway status --json")
    status = json.loads(out.stdout[out.stdout.index("{"):])
    assert ENTRY in status["service"]["command"]["programArguments"], status["service"]


def test_gateway_status_reports_running_service_and_rpc_ok(host):
    out = as_user(host, "openclaw gateway status --json")
    assert out.rc == 0, out.stderr
    status = json.loads(out.stdout[out.stdout.index("{"):])
    assert status["service"]["runtime"]["status"] == "running"
    assert status["service"]["systemdInstallation"]["kind"] == "user"
    assert status["rpc"]["ok"] is True
    assert status["config"]["cli"]["path"] == status["config"]["daemon"]["path"] == CONFIG


def test_config_validates(host):
    out = as_user(host, "openclaw config validate --json")
    assert out.rc == 0, out.stdout + out.stderr
    assert json.loads(out.stdout[out.stdout.index("{"):])["valid"] is True


def test_ready_and_health(host):
    ready = json.loads(host.check_output("curl -fsS -m 5 http://127.0.0.1:%d/ready" % PORT))
    assert ready["ready"] is True and ready["failing"] == []
    health = json.loads(host.check_output("curl -fsS -m 5 http://127.0.0.1:%d/health" % PORT))
    assert health["ok"] is True


def test_listens_on_loopback_only(host):
    listeners = host.check_output("ss -Hltn 'sport = :%d'" % PORT).splitlines()
    addresses = [line.split()[3] for line in listeners]
    assert addresses, "nothing listens on %d" % PORT
    assert all(a.startswith("127.0.0.1:") or a.startswith("[::1]:") for a in addresses), addresses


def test_config_private_and_token_auth(host):
    config = host.file(CONFIG)
    assert config.user == USER and config.mode == 0o600
    data = json.loads(host.check_output("cat %s" % CONFIG))
    assert data["gateway"]["mode"] == "local"
    assert data["gateway"]["bind"] == "loopback"
    assert data["gateway"]["port"] == PORT
    assert data["gateway"]["auth"]["mode"] == "token"
    assert len(data["gateway"]["auth"]["token"]) >= 32


def test_no_secret_in_world_readable_files(host):
    token = json.loads(host.check_output("cat %s" % CONFIG))["gateway"]["auth"]["token"]
    cmd = ("find / -xdev \\( -path /proc -o -path /sys \\) -prune -o -type f -perm -o+r -size -20M -print0 "
           "| xargs -0 grep -lF -- %s" % token)
    found = host.run(cmd)
    assert found.stdout.strip() == "", "token found in world-readable files: %s" % found.stdout


def test_facts_on_healthy_gateway(host):
    facts = gather_facts(host, user=USER)
    assert facts["healthy"] is True, facts["problems"]
    assert facts["problems"] == []
    assert facts["version"] == "2026.9.6"
    assert facts["node"]["engines_ok"] is True
    assert facts["config"]["valid"] is True and facts["config"]["path"] == CONFIG
    assert facts["config"]["bind"] == "loopback" and facts["config"]["auth_mode"] == "token"
    assert facts["config"]["auth_secret_set"] is True
    token = json.loads(host.check_output("cat %s" % CONFIG))["gateway"]["auth"]["token"]
    assert token not in json.dumps(facts)
    service = facts["service"]
    assert service["scope"] == "user" and service["active_state"] == "active" and service["pid"]
    assert service["dropins"] == ["%s/50-clawops-openclaw.conf" % DROPIN_DIR]
    assert service["exec_port"] == PORT
    assert [l["pid"] for l in facts["listeners"]] == [service["pid"]]
    assert facts["ready"]["ok"] is True and facts["ready"]["event_loop"]["delay_p99_ms"] is not None
    assert facts["health"]["ok"] is True
    assert facts["environment"]["effective_from"] == "process"
    assert "ALL_PROXY" not in facts["environment"]["proxy"]
    assert facts["locks"] and all(lock["owner_alive"] and not lock["stale"] for lock in facts["locks"])
    assert facts["log_file"].startswith("/tmp/openclaw/openclaw-")


def test_check_mode_rerun_reports_no_change():
    rc, out, recap = playbook(check=True)
    assert rc == 0, out[-3000:]
    assert recap["changed"] == 0, out[-3000:]
    assert recap["failed"] == 0


@pytest.mark.parametrize("bad_vars, message", [
    ({"gateway_bind": "lan", "gateway_auth_mode": "none"}, "exposes the gateway beyond loopback"),
    ({"gateway_port": 70000}, "gateway_port must be 1-65535"),
    ({"node_version": "22.12.0"}, "does not satisfy OpenClaw's engines range"),
    # 2026.9.5 refuses (exit 78) the config 2026.9.6 wrote: a switch would leave the node down.
    ({"gateway_version": "2026.9.5"}, "the config was last written by OpenClaw 2026.9.6, which 2026.9.5 refuses to run"),
    # Under a serving gateway a release change goes through upgrade.yml (docs/upgrades.md).
    ({"gateway_version": "2026.9.7"}, "the gateway serves openclaw@2026.9.6; change the release of a serving gateway with "
                                      "playbooks/upgrade.yml (backup, health gate, automatic rollback): ansible-playbook "
                                      "playbooks/upgrade.yml -e openclaw_upgrade_to=2026.9.7"),
], ids=["lan-without-auth", "invalid-port", "node-22", "downgrade-below-config", "release-change-under-serving-gateway"])
def test_bad_input_refused_before_any_change(host, bad_vars, message):
    assert_refused(bad_vars, message, lambda: node_snapshot(host))


def test_unparsable_config_refused_and_left_untouched(host):
    original = host.check_output("base64 -w0 %s" % CONFIG)
    broken = '{ gateway: { mode: "local", port: 18789,, } '
    host.run_expect([0], "printf '%%s' '%s' > %s" % (broken, CONFIG))
    try:
        before = node_snapshot(host)
        rc, out, recap = playbook()
        assert rc != 0
        assert "cannot be parsed" in out and CONFIG in out, out[-3000:]
        assert recap.get("changed", 0) == 0
        assert host.file(CONFIG).content_string == broken
        assert node_snapshot(host) == before
    finally:
        host.run_expect([0], "echo %s | base64 -d > %s" % (original, CONFIG))


def test_facts_on_stopped_gateway(host):
    user_systemctl(host, "stop", UNIT)
    try:
        facts = gather_facts(host, user=USER, timeout=2)
        assert facts["healthy"] is False
        ids = [p["id"] for p in facts["problems"]]
        assert "service_inactive" in ids
        assert facts["service"]["active_state"] == "inactive" and facts["service"]["pid"] is None
        assert facts["ready"]["ok"] is False and facts["health"]["ok"] is False
        assert facts["listeners"] == []
        assert facts["environment"]["effective_from"] == "unit"
        assert facts["installed"] is True and facts["config"]["valid"] is True
    finally:
        user_systemctl(host, "start", UNIT)
        assert wait_ready(host)


GLOBAL = "/usr/local/lib/node_modules/openclaw"


def test_a_global_npm_install_is_migrated_to_a_release_by_site_yml(host):
    """A node converged before side-by-side releases: `npm install -g` under /usr/local, the unit starting it there."""
    host.run_expect([0], "mkdir -p /usr/local/lib/node_modules && cp -a %s/2026.9.6/lib/node_modules/openclaw %s && rm -rf %s && "
                         "ln -sfn ../lib/node_modules/openclaw/openclaw.mjs /usr/local/bin/openclaw" % (RELEASES, GLOBAL, RELEASES))
    out = as_user(host, "openclaw gateway install --force --json --port %d --runtime-path /usr/local/bin/node" % PORT)
    assert out.rc == 0, out.stdout + out.stderr
    assert wait_ready(host)
    unit_path = "/home/%s/.config/systemd/user/%s" % (USER, UNIT)
    assert " %s/dist/index.js gateway " % GLOBAL in host.file(unit_path).content_string
    # What npm did to such nodes on a version change: the package rewritten under the running gateway. The facts no
    # longer report the version on disk as the one that runs.
    host.run_expect([0], "touch %s/package.json" % GLOBAL)
    facts = gather_facts(host, user=USER, validate_config="false")   # the release facts; no schema check (a CLI start)
    assert facts["release"]["running"] is None and facts["release"]["restart_pending"] is True, facts["release"]
    # event_loop_busy: a warning, usual in the first minute after the start just above.
    ids = set(p["id"] for p in facts["problems"])
    assert "restart_pending" in ids and ids <= {"restart_pending", "event_loop_busy"}, facts["problems"]
    pid = main_pid(host)

    rc, out, recap = playbook()
    assert rc == 0, out[-3000:]
    assert host.check_output("readlink %s/current" % RELEASES) == "2026.9.6"
    assert host.check_output("readlink /usr/local/bin/openclaw") == RELEASES + "/current/bin/openclaw"
    assert " %s gateway " % ENTRY in host.file(unit_path).content_string
    assert host.run("test -e %s" % GLOBAL).rc != 0
    assert main_pid(host) != pid
    facts = gather_facts(host, user=USER, validate_config="false")
    assert [p for p in facts["problems"] if p["id"] != "event_loop_busy"] == [], facts["problems"]
    assert facts["release"]["running"] == "2026.9.6" and not facts["release"]["restart_pending"], facts["release"]
    # Converged: the next run changes nothing.
    rc, out, recap = playbook()
    assert rc == 0 and recap["changed"] == 0, out[-3000:]
