"""A rolling upgrade of two real gateways, 2026.9.5 -> 2026.9.6 (docs/upgrades.md).

The tests run in file order and build on each other, like a rollout does: --check, a canary whose new
release cannot start (the rollout stops before anything is switched), a canary whose new release hangs
during its soak (rolled back with config and state, the rollout stops before gw2), the rollout without
the fault, a rerun, and the way back down with the backup taken before the upgrade.
"""

import glob
import json
import os
import tempfile

import pytest
import testinfra

from clawops_testlib import INVENTORY, USER, as_user, extra_vars, gather_facts, main_pid, playbook

PREFIX = "clawops-%s-upgrade-" % os.environ.get("CLAWOPS_CHECKOUT_ID", "local")
CANARY, SECOND = PREFIX + "gw1", PREFIX + "gw2"
testinfra_hosts = ["ansible://" + CANARY]

UPGRADE = "clawops.openclaw.upgrade"
OLD, NEW = "2026.9.5", "2026.9.6"
STATE = "/home/%s/.openclaw" % USER
INDEX = "/opt/openclaw/%s/lib/node_modules/openclaw/dist/index.js" % NEW
HANG = os.path.join(os.path.dirname(os.path.dirname(__file__)), "files", "hang.js")
CRASH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "files", "crash.js")
SEEN = {}
REPORTS = tempfile.mkdtemp(prefix="clawops-upgrade-reports-")
SOAK_S = 20
COMPILE_CACHE = "/home/%s/.cache/openclaw/node-compile-cache" % USER
SCHEMA = ("python3 -c \"import struct; b = open('%s/state/openclaw.sqlite', 'rb').read(100); "
          "print(struct.unpack('>I', b[60:64])[0])\"" % STATE)


@pytest.fixture(scope="module")
def nodes():
    return [testinfra.get_host("ansible://" + name, ansible_inventory=INVENTORY) for name in (CANARY, SECOND)]


def upgrade(*extra, to=NEW, check=False):
    values = dict(openclaw_upgrade_to=to, openclaw_upgrade_soak_s=SOAK_S, upgrade_report_dir=REPORTS)
    return playbook(*(list(extra_vars(**values)) + list(extra)), check=check, path=UPGRADE)


def plant(host, fault):
    """The fault's code at the top of the new release's dist/index.js (below its first line), the original kept aside."""
    host.ansible("copy", "src=%s dest=/root/fault.js mode=0600" % fault, become=True, check=False)
    host.run_expect([0], "test -e /root/index.js.orig || cp -p %s /root/index.js.orig" % INDEX)
    host.run_expect([0], "{ head -1 /root/index.js.orig; cat /root/fault.js; tail -n +2 /root/index.js.orig; } > %s" % INDEX)


def unplant(host):
    host.run_expect([0], "cp -p /root/index.js.orig %s" % INDEX)


def snapshot(host):
    """What an upgrade may change on a node: the release it runs and activates, config, credentials, state schema."""
    facts = gather_facts(host, validate_config="false", validate_loaded_config="false")
    digests = host.check_output("cd %s && sha256sum openclaw.json agents/main/agent/auth-profiles.json 2>/dev/null || true" % STATE)
    return dict(running=facts["release"]["running"], active=facts["release"]["active"], ready=facts["ready"]["ok"],
                config_written_by=facts["config"]["last_touched_version"], digests=digests,
                schema=int(host.check_output(SCHEMA)))


def last_run():
    """(per-host reports, summary text) of the newest run in REPORTS."""
    run = sorted(glob.glob(os.path.join(REPORTS, "*")))[-1]
    reports = {}
    for path in glob.glob(os.path.join(run, "*.json")):
        with open(path) as handle:
            report = json.load(handle)
        reports[report["host"]] = report
    with open(os.path.join(run, "summary.md")) as handle:
        return reports, handle.read()


def test_both_nodes_start_on_the_old_release(nodes):
    for host in nodes:
        assert snapshot(host) | {"digests": None} == dict(running=OLD, active=OLD, ready=True, config_written_by=OLD, digests=None, schema=17)


def test_check_mode_reports_the_plan_and_changes_nothing(nodes):
    before = [snapshot(host) for host in nodes]
    pids = [main_pid(host) for host in nodes]
    rc, out, recap = upgrade(check=True)
    assert rc == 0, out[-3000:]
    assert out.count("upgrade: openclaw@%s -> openclaw@%s (check mode: nothing is changed)" % (OLD, NEW)) == 2, out[-3000:]
    assert [snapshot(host) for host in nodes] == before and [main_pid(host) for host in nodes] == pids
    reports, summary = last_run()
    assert {r["result"] for r in reports.values()} == {"would switch"} and all(r["backup"] is None for r in reports.values())
    assert all(r["prewarm"]["skipped"] == "check mode" and not r["prewarm"]["started"] for r in reports.values()), reports
    assert not any(host.run("ls /home/%s/clawops-backups/upgrades/*.tar.gz" % USER).rc == 0 for host in nodes)


def test_a_target_that_cannot_start_stops_the_rollout_before_anything_is_switched(nodes):
    canary, second = nodes
    plant(canary, CRASH)
    try:
        before, pids = [snapshot(host) for host in nodes], [main_pid(host) for host in nodes]
        rc, out, recap = upgrade()
    finally:
        unplant(canary)
    assert rc != 0 and "%s stays on openclaw@%s, nothing was switched" % (CANARY, OLD) in out, out[-4000:]
    reports, summary = last_run()
    assert list(reports) == [CANARY], "the rollout went on past the failed canary: %s" % list(reports)
    report = reports[CANARY]
    assert report["result"] == "failed before the switch" and report["backup"] is None, report
    # The report says which step failed, how, and what the release printed.
    reason = report["rollback_reason"]
    assert "start once on its own" in reason and "exited with rc=1" in reason and "cannot start its gateway" in reason, report
    # The gateways that serve were never stopped: same processes, release, config and state; no archive taken.
    assert [snapshot(host) for host in nodes] == before and [main_pid(host) for host in nodes] == pids
    assert not any(host.run("ls /home/%s/clawops-backups/upgrades/*.tar.gz" % USER).rc == 0 for host in nodes)
    # Nothing of the start on its own is left behind: no scratch directory, no process.
    assert not canary.file("/home/%s/.cache/openclaw/clawops-prewarm" % USER).exists
    assert canary.run("pgrep -u %s -f 'gateway --port 2[0-9]{4}'" % USER).rc == 1


def test_a_canary_that_hangs_during_its_soak_is_rolled_back_and_the_rollout_stops(nodes):
    canary, second = nodes
    plant(canary, HANG)
    before, before_second, second_pid = snapshot(canary), snapshot(second), main_pid(second)

    rc, out, recap = upgrade()

    assert rc != 0, out[-3000:]
    assert "rolled back to openclaw@%s (config and state restored from" % OLD in out, out[-4000:]
    reports, summary = last_run()
    assert list(reports) == [CANARY], "the rollout went on past the failed canary: %s" % list(reports)
    report = reports[CANARY]
    assert report["result"] == "rolled back" and report["state_restored"] is True, report
    assert "health gate" in report["rollback_reason"] and "not ready" in report["rollback_reason"], report
    assert report["downtime_s"] > 0 and report["rollback_s"] > 0 and report["backup"].startswith("/home/%s/clawops-backups/upgrades/openclaw-%s-" % (USER, OLD))
    # Where the rollback's time went: its steps add up to it.
    steps = report["rollback_steps_s"]
    assert set(steps) == {"stop", "activate", "restore", "start_to_ready"} and min(steps.values()) >= 0, report
    assert abs(sum(steps.values()) - report["rollback_s"]) <= 0.3 and steps["start_to_ready"] > 0, report
    assert "| %s | %s | %s | rolled back |" % (CANARY, OLD, NEW) in summary
    # The canary is back on the old release with the config, credentials and state it had, and ready.
    assert snapshot(canary) == before
    # What the new release had migrated is kept aside for a post-mortem.
    kept = canary.check_output("ls -d %s.clawops-replaced-* | tail -1" % STATE)
    assert canary.check_output("python3 -c \"import struct; print(struct.unpack('>I', open('%s/state/openclaw.sqlite', 'rb').read(100)[60:64])[0])\""
                               % kept) == "18"
    # The second node was not touched: same process, same release, nothing staged for it.
    assert snapshot(second) == before_second and main_pid(second) == second_pid


def test_without_the_fault_the_rollout_upgrades_the_canary_first_then_the_rest(nodes):
    canary, second = nodes
    unplant(canary)
    SEEN["before_upgrade"] = [snapshot(host)["digests"] for host in nodes]
    # As on a node that never ran the new release: nothing of it in Node's compile cache.
    for host in nodes:
        out = as_user(host, "find %s -mindepth 1 -delete" % COMPILE_CACHE)
        assert out.rc == 0, out.stderr

    rc, out, recap = upgrade()

    assert rc == 0, out[-4000:]
    reports, summary = last_run()
    assert {h: r["result"] for h, r in reports.items()} == {CANARY: "upgraded", SECOND: "upgraded"}, reports
    assert reports[CANARY]["finished_at"] <= reports[SECOND]["started_at"], "the second node started before the canary passed"
    for host in nodes:
        now = snapshot(host)
        # The new release migrated the state database; it rewrites the config only when something changes it.
        assert (now["running"], now["active"], now["ready"], now["schema"]) == (NEW, NEW, True, 18)
    assert all(r["gate"]["ok"] and r["gate"]["readings"] == SOAK_S // 5 for r in reports.values())
    # Before each switch the new release started once on its own and filled the compile cache its first start read.
    for report in reports.values():
        prewarm = report["prewarm"]
        assert prewarm["started"] and prewarm["skipped"] is None and prewarm["ready_s"] > 0, report
        assert prewarm["cache_files_added"] > 500, report
    # The downtime in two: until the new release's process runs (the old one stopping), then its start-up to /ready.
    for report in reports.values():
        steps = report["downtime_steps_s"]
        assert set(steps) == {"until_new_process", "new_process_to_ready"} and min(steps.values()) >= 0, report
        assert abs(sum(steps.values()) - report["downtime_s"]) <= 0.3 and steps["new_process_to_ready"] > 0, report


def test_a_second_run_changes_nothing(nodes):
    rc, out, recap = upgrade()
    assert rc == 0 and recap["changed"] == 0, out[-3000:]
    reports, summary = last_run()
    assert {r["result"] for r in reports.values()} == {"unchanged"}


def test_going_back_down_needs_the_operator_to_restore_the_backup(nodes):
    canary, second = nodes
    before = [snapshot(host) for host in nodes]
    # 2026.9.5's own check of the live state refuses schema 18 before anything is switched; the rollout stops at the canary.
    rc, out, recap = upgrade(to=OLD)
    assert rc != 0 and "cannot read the state a newer release migrated: rerun with -e openclaw_upgrade_restore_backup=true" in out, out[-3000:]
    assert recap["changed"] == 0, out[-3000:]
    assert [snapshot(host) for host in nodes] == before
    assert last_run()[0][CANARY]["result"] == "failed before the switch" and SECOND not in last_run()[0]

    rc, out, recap = upgrade(*extra_vars(openclaw_upgrade_restore_backup=True), to=OLD)

    assert rc == 0, out[-4000:]
    reports, summary = last_run()
    assert {r["action"] for r in reports.values()} == {"downgrade_restore"} and {r["result"] for r in reports.values()} == {"upgraded"}
    for host in nodes:
        now = snapshot(host)
        assert (now["running"], now["active"], now["ready"], now["config_written_by"], now["schema"]) == (OLD, OLD, True, OLD, 17)
        # The config and credentials are byte for byte those of before the upgrade (the backup 2026.9.5 took then).
        assert now["digests"] == SEEN["before_upgrade"][nodes.index(host)]
    assert all("with the config and state of openclaw-%s-" % OLD in r["plan"] for r in reports.values()), reports
    # Never OpenClaw's destructive override for older binaries.
    environ = canary.check_output("tr '\\0' '\\n' < /proc/$(pgrep -u %s -f 'gateway --port' | head -1)/environ" % USER)
    assert "OPENCLAW_ALLOW_OLDER_BINARY_DESTRUCTIVE_ACTIONS" not in environ and environ
