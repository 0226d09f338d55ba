"""Config restore trusts nothing on the node (issue 11 item 9), on the real gateway.

The service user (every agent it runs) can write the .bak/.last-good files next to the config, so a
restore comes from the root-only known-good copies the gateway role and remediate keep. Each test
leaves the node as it found it: healthy, the original config, OpenClaw's own backups back in place,
and remediate a no-op (the other test files of this scenario run on the same node afterwards).
"""

import json
import shlex

import pytest

from clawops_testlib import USER, UNIT, extra_vars, playbook, restart_and_wait_failed, user_systemctl, wait_failed, wait_ready

REMEDIATE = "clawops.openclaw.remediate"
HOME = "/home/%s" % USER
CONFIG_DIR = HOME + "/.openclaw"
CONFIG = CONFIG_DIR + "/openclaw.json"
STORE = "/var/lib/clawops-openclaw/configs/" + USER
ASIDE = "/root/clawops-known-good-test-aside"
ORIGINAL = "/root/clawops-known-good-test-config"


def digest(host, path=CONFIG):
    """SHA-256 of the file's bytes (check_output strips the trailing newline OpenClaw writes)."""
    return host.check_output("sha256sum %s" % shlex.quote(path)).split()[0]


def remediate(*extra):
    return playbook(*extra, path=REMEDIATE)


def read(host, path):
    return host.check_output("cat %s" % shlex.quote(path))


def write_as_user(host, path, text, age=0):
    """Write a file the way the service user (an agent) would: its own file, 0600."""
    host.run_expect([0], "runuser -u %s -- sh -c %s" % (USER, shlex.quote(
        "umask 077; printf '%%s' %s > %s%s" % (shlex.quote(text), path, " && touch -d '-%d seconds' %s" % (age, path) if age else ""))))


def store(host):
    """{sha256: mtime} of the known-good copies (root-only)."""
    out = host.check_output("find %s -maxdepth 1 -name '*.json' -printf '%%f %%T@\\n'" % STORE)
    return {line.split()[0][:-5]: float(line.split()[1]) for line in out.splitlines() if line.strip()}


def settled(host):
    """The node is healthy and remediate changes nothing (it records the config as known good first)."""
    assert wait_ready(host, timeout=120)
    rc, out, recap = remediate()
    assert rc == 0, out[-3000:]
    rc, out, recap = remediate()
    assert rc == 0 and recap["changed"] == 0, out[-3000:]


@pytest.fixture
def node(host):
    """OpenClaw's own backups moved aside (root only) for the test, the original config and backups back after it."""
    assert wait_ready(host, timeout=120), "the node was not healthy before the test"
    original = read(host, CONFIG)
    host.run_expect([0], "cp -p %s %s" % (CONFIG, ORIGINAL))
    broken_before = set(host.check_output("ls %s/ | grep -E '\\.(broken|clawops-quarantine)-' || true" % CONFIG_DIR).split())
    host.run_expect([0], "rm -rf %s && mkdir -m 700 %s && find %s -maxdepth 1 \\( -name 'openclaw.json.bak*' -o -name "
                         "'openclaw.json.last-good' \\) ! -name '*.clawops-quarantine-*' -exec mv -t %s {} +" % (ASIDE, ASIDE, CONFIG_DIR, ASIDE))
    yield original
    host.run_expect([0], "find %s -maxdepth 1 \\( -name 'openclaw.json.bak*' -o -name 'openclaw.json.last-good' \\) -delete" % CONFIG_DIR)
    host.run_expect([0], "if [ -d %s.moved ]; then rm -rf %s && mv %s.moved %s; fi" % (STORE, STORE, STORE, STORE))
    for name in set(host.check_output("ls %s/ | grep -E '\\.(broken|clawops-quarantine)-' || true" % CONFIG_DIR).split()) - broken_before:
        host.run_expect([0], "rm -f %s/%s" % (CONFIG_DIR, name))
    if digest(host) != digest(host, ORIGINAL):
        host.run_expect([0], "cat %s > %s" % (ORIGINAL, CONFIG))  # the same bytes, the user's file as it is
        user_systemctl(host, "restart", UNIT)
    host.run_expect([0], "rm -f %s" % ORIGINAL)
    host.run_expect([0], "find %s -mindepth 1 -maxdepth 1 -exec mv -t %s {} + ; rmdir %s" % (ASIDE, CONFIG_DIR, ASIDE))
    settled(host)


def test_the_converged_node_has_a_root_only_known_good_copy_of_its_config(host, node):
    assert digest(host) in store(host)
    assert host.check_output("stat -c '%%U %%a' %s %s" % (STORE, STORE + "/" + digest(host) + ".json")).split() == ["root", "700", "root", "600"]


def test_truncated_config_on_a_node_without_backups_is_healed_from_the_known_good_copy(host, node):
    """A node converged once has no .bak (OpenClaw writes one only when it rewrites a file): before 0.2.0 remediate
    stopped with "no backup is valid" and left the gateway down after a half-written config (disk full)."""
    assert host.run("ls %s/openclaw.json.bak* %s/openclaw.json.last-good" % (CONFIG_DIR, CONFIG_DIR)).rc != 0
    host.run_expect([0], "truncate -s 40 %s" % CONFIG)
    restart_and_wait_failed(host)
    rc, out, recap = remediate("--tags", "config_restore")
    assert rc == 0 and "Healthy: fixed" in out, out[-4000:]
    assert read(host, CONFIG) == node and digest(host) in store(host)  # byte for byte the copy the ready gateway had loaded
    assert host.check_output("stat -c '%%U %%a' %s" % CONFIG).split() == [USER, "600"]
    kept = host.check_output("ls -t %s.broken-* | head -1" % CONFIG)
    assert host.check_output("stat -c '%%U %%a %%s' %s" % kept).split() == [USER, "600", "40"]


def test_a_planted_user_backup_is_not_restored_without_the_opt_in(host, node):
    """An agent writes a newer, valid .bak holding a gateway token it knows, then breaks the config."""
    planted = json.loads(node)
    planted["gateway"]["auth"] = {"mode": "token", "token": "attacker-known-token-0123456789"}
    write_as_user(host, CONFIG + ".bak", json.dumps(planted, indent=2))
    host.run_expect([0], "truncate -s 40 %s" % CONFIG)
    restart_and_wait_failed(host)

    # With the known-good copy: that one is restored, the planted backup is left alone.
    rc, out, recap = remediate("--tags", "config_restore")
    assert rc == 0 and "Healthy: fixed" in out, out[-4000:]
    assert read(host, CONFIG) == node and "attacker-known-token" not in read(host, CONFIG)

    # Without any known-good copy (a node converged before 0.2.0): nothing is restored unless the operator opts in.
    host.run_expect([0], "mv %s %s.moved" % (STORE, STORE))
    host.run_expect([0], "truncate -s 40 %s" % CONFIG)
    restart_and_wait_failed(host)
    # The gateway may have promoted the restored file to .last-good (newer than the planted .bak) once it loaded it;
    # the agent plants its backup again now, with the gateway down, so that the planted one is the newest backup.
    write_as_user(host, CONFIG + ".bak", json.dumps(planted, indent=2))
    rc, out, recap = remediate("--tags", "config_restore")
    assert rc != 0 and "trust_user_backups" in out, out[-4000:]
    assert host.check_output("stat -c %%s %s" % CONFIG) == "40"
    rc, out, recap = remediate("--tags", "config_restore", "--diff", *extra_vars(remediate_config_restore_trust_user_backups=True))
    assert rc == 0 and "Healthy: fixed" in out, out[-4000:]
    assert "attacker-known-token" in read(host, CONFIG)  # the operator chose it
    assert "attacker-known-token-0123456789" not in out  # the diff masks the secrets it shows


def test_after_a_lan_without_auth_incident_a_missing_mode_needs_one_remediate_run(host, node):
    """Before 0.2.0 the lan-without-auth version stayed in .bak after its fix; the next incident's fix restarted
    the gateway, whose start-time restore brought that version back: a second remediate run was needed."""
    lan = json.loads(node)
    lan["gateway"].update(bind="lan", auth={"mode": "none"})
    write_as_user(host, CONFIG, json.dumps(lan, indent=2))
    restart_and_wait_failed(host)
    rc, out, recap = remediate("--tags", "config_policy")
    assert rc == 0 and "Healthy: fixed" in out, out[-4000:]
    assert host.run("ls %s/openclaw.json*.clawops-quarantine-*" % CONFIG_DIR).rc == 0, "the refused backup was not quarantined"

    modeless = json.loads(read(host, CONFIG))
    modeless["gateway"].pop("mode")
    write_as_user(host, CONFIG, json.dumps(modeless, indent=2))
    wait_failed(host)  # the running gateway's reload restarts it (a cold start would restore .last-good by itself)
    rc, out, recap = remediate("--tags", "config_policy")
    assert rc == 0 and "Healthy: fixed" in out, out[-4000:]
    assert wait_ready(host, timeout=5)
    data = json.loads(read(host, CONFIG))
    assert data["gateway"]["mode"] == "local" and data["gateway"].get("bind", "loopback") == "loopback"
    rc, out, recap = remediate()
    assert rc == 0 and recap["changed"] == 0 and "Healthy" in out, out[-3000:]
