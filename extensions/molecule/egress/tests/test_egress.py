"""Split egress on the real gateway, proved by the source address the upstream sees."""

import ipaddress
import json
import os
import subprocess
import time

import pytest
import testinfra

from clawops_testlib import INVENTORY, assert_refused, assert_started_again, extra_vars, gather_facts, plant_start_fails_once, playbook

# Names and subnets are per checkout (scripts/env.sh, molecule.yml).
PREFIX = "clawops-%s-egress-" % os.environ.get("CLAWOPS_CHECKOUT_ID", "local")
GATEWAY, RELAY = PREFIX + "gw", PREFIX + "relay"
NET = os.environ.get("CLAWOPS_EGRESS_NET", "172.30")
LAN, WAN = ipaddress.ip_network(NET + ".10.0/24"), ipaddress.ip_network(NET + ".20.0/24")
testinfra_hosts = ["ansible://" + GATEWAY]

NODE_LAN = NET + ".10.10"
RELAY_WAN = NET + ".20.20"
UPSTREAM_WAN = NET + ".20.30"
PROXIED = "https://api.openai.com/v1/models"
CHANNEL = "https://open.feishu.cn/open-apis/ping"
CHANNEL_WS = "wss://msg-frontier.feishu.cn/ws"
PRIVOXY_CONFIG = "/etc/privoxy/config"
RELAY_ACL = "/etc/shadowsocks-libev/clawops-relay.acl"
RELAY_LAN = NET + ".10.20"
RELAY_UNIT = os.environ.get("CLAWOPS_RELAY_UNIT", "clawops-relay.service")
GUARDED_FILES = [PRIVOXY_CONFIG, "/etc/shadowsocks-libev/clawops-egress.json",
                 "/home/openclaw/.config/systemd/user/openclaw-gateway.service.d/50-clawops-openclaw.conf",
                 "/home/openclaw/.openclaw/openclaw.json"]


def relay_host():
    return testinfra.get_host("ansible://" + RELAY, ansible_inventory=INVENTORY)


def probe(host, *args):
    out = host.run("python3 /usr/local/lib/clawops-test/probe-as-gateway.py %s" % " ".join(args))
    assert out.rc == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def hashes(host):
    return {path: host.run("sha256sum %s" % path).stdout.split()[:1] for path in GUARDED_FILES}


@pytest.fixture(scope="module")
def isolated():
    """From here on the node and the relay reach nothing but the test networks."""
    for name in (GATEWAY, RELAY):
        subprocess.run(["docker", "network", "disconnect", "bridge", name], check=False, capture_output=True)
    time.sleep(1)


def test_check_mode_rerun_reports_no_change():
    rc, out, recap = playbook(check=True)
    assert rc == 0, out[-3000:]
    assert recap["changed"] == 0, out[-3000:]


@pytest.mark.parametrize("bad_vars, message", [
    ({"relay_method": "rc4-md5"}, "not an AEAD cipher"),
    ({"relay_password": ""}, "relay_password"),
    ({"egress_method": "rc4-md5"}, "rc4-md5"),
    ({"egress_password": ""}, "egress_password"),
    ({"gateway_no_proxy_extra": [".openai.com"]}, "is also in NO_PROXY"),
    ({"egress_proxied_domains_extra": ["bad domain"]}, "bad domain"),
    ({"egress_proxied_domains_extra": ["openai.com/v1"]}, "openai.com/v1"),
    ({"relay_port": 70000}, "70000"),
    # Every relay variable's refusals are unit-tested (tests/unit/.../test_egress_relay.py); one here end to end.
    ({"relay_bind_address": "0.0.0.0\nExecStartPre=/bin/true"}, "relay_bind_address must be an IPv4 or IPv6 address"),
    ({"egress_forward_rules": [{"pattern": "/", "forward": "."},
                               {"pattern": ".x.com 127.0.0.1:1080 .\nforward-socks5t .feishu.cn", "forward_socks5t": "127.0.0.1:1080"}]},
     "egress_forward_rules"),
    ({"egress_privoxy_backup_keep": 0}, "egress_privoxy_backup_keep"),
], ids=["relay-non-aead", "relay-empty-password", "egress-non-aead", "egress-empty-password",
        "proxied-domain-in-no-proxy", "malformed-domain", "domain-with-path", "relay-port-out-of-range",
        "relay-bind-newline", "privoxy-rule-newline", "privoxy-backup-keep-0"])
def test_bad_input_refused_before_any_change(host, bad_vars, message):
    assert_refused(bad_vars, message, lambda: hashes(host))


def test_egress_stack_listens_on_loopback_only(host):
    lines = host.check_output("ss -Hltnu").splitlines()
    addresses = [line.split()[4] for line in lines]
    assert any(a.endswith(":1080") for a in addresses) and any(a.endswith(":8118") for a in addresses), addresses
    assert all(a.startswith("127.") or a.startswith("[::1]") for a in addresses), addresses
    # The Debian package's own ss-server must not run on the gateway node.
    assert host.run("systemctl is-active shadowsocks-libev.service").stdout.strip() != "active"
    assert host.run("systemctl is-enabled shadowsocks-libev.service").stdout.strip() != "enabled"


def test_privoxy_rules_default_first(host):
    forwards = [line.split() for line in host.file(PRIVOXY_CONFIG).content_string.splitlines()
                if line.split()[:1] and line.split()[0] in ("forward", "forward-socks5", "forward-socks5t", "forward-socks4a")]
    assert forwards[0] == ["forward", "/", "."]
    assert all(f[0] == "forward-socks5t" and f[2] == "127.0.0.1:1080" for f in forwards[1:])


def test_gateway_environment_from_the_one_dropin(host):
    facts = gather_facts(host, user="openclaw", validate_config="false")
    proxy = facts["environment"]["proxy"]
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        assert proxy[var]["value"] == "http://127.0.0.1:8118"
        assert [s["source"] for s in proxy[var]["sources"]] == ["dropin"]
    assert "ALL_PROXY" not in proxy and "all_proxy" not in proxy
    no_proxy = proxy["NO_PROXY"]["value"].split(",")
    for entry in ("127.0.0.1", "localhost", ".feishu.cn", "api.telegram.org", ".discord.com"):
        assert entry in no_proxy
    egress = facts["egress"]
    assert egress["configured"] and egress["privoxy"]["default_first"]
    assert egress["ss_local"]["active_state"] == "active" and egress["privoxy"]["active_state"] == "active"
    assert {r["domain"]: r["route"] for r in egress["routes"]}[".openai.com"] == "relay"
    # event_loop_degraded measures this host's load (the suite's lanes share two cores; a run saw p99 over 500 ms
    # while three nodes converged beside this one); the remediation scenario triggers and fixes it on purpose.
    assert [p for p in facts["problems"] if p["id"] != "event_loop_degraded"] == [], facts["problems"]


def test_proxied_https_arrives_from_the_relay(host, isolated):
    (answer,) = probe(host, "https", PROXIED)
    assert answer["ok"] is True, answer
    assert answer["source"] == RELAY_WAN


def test_channel_https_and_websocket_arrive_directly(host, isolated):
    (answer,) = probe(host, "https", CHANNEL)
    assert answer["ok"] is True, answer
    assert answer["source"] == NODE_LAN
    answers = probe(host, "wss", CHANNEL_WS, "1")
    assert answers and all(a["ok"] and a["source"] == NODE_LAN for a in answers), answers


def test_relay_down_breaks_proxied_calls_but_not_open_channel_websocket(host, isolated):
    relay = relay_host()
    host.run("rm -f /tmp/ws-hold.out")
    host.run("nohup python3 /usr/local/lib/clawops-test/probe-as-gateway.py wss %s 12 > /tmp/ws-hold.out 2>&1 &" % CHANNEL_WS)
    deadline = time.time() + 20
    while time.time() < deadline and '"ok": true' not in host.run("cat /tmp/ws-hold.out").stdout.replace('":true', '": true'):
        time.sleep(0.5)
    relay.run_expect([0], "systemctl stop %s" % RELAY_UNIT)
    try:
        (answer,) = probe(host, "https", PROXIED)
        assert answer["ok"] is False, answer
        facts = gather_facts(host, user="openclaw", validate_config="false")
        assert "relay_unreachable" in [p["id"] for p in facts["problems"]]
        time.sleep(14)
        answers = [json.loads(l) for l in host.run("cat /tmp/ws-hold.out").stdout.splitlines() if l.startswith("{")]
        assert len(answers) >= 12 and all(a["ok"] and a["source"] == NODE_LAN for a in answers), answers
    finally:
        relay.run_expect([0], "systemctl start %s" % RELAY_UNIT)
    (answer,) = probe(host, "https", PROXIED)
    assert answer["ok"] is True and answer["source"] == RELAY_WAN, answer


def test_relay_acl_blocks_special_ranges_and_the_relay_itself():
    """Every special-purpose range except the scenario's carved-out upstream network, and the relay's own addresses."""
    text = relay_host().file(RELAY_ACL).content_string
    nets = [ipaddress.ip_network(line) for line in text.split("[outbound_block_list]", 1)[1].splitlines()
            if line and not line.startswith("#")]

    def covered(cidr):
        target = ipaddress.ip_network(cidr) if isinstance(cidr, str) else cidr
        return any(net.version == target.version and net.supernet_of(target) for net in nets)

    special = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
               "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "fc00::/7",
               "fe80::/10"]
    for cidr in special:
        parts = [ipaddress.ip_network(cidr)]
        if parts[0].version == 4 and parts[0].supernet_of(WAN):  # all of it but the carved-out upstream network
            parts = list(parts[0].address_exclude(WAN))
        for part in parts:
            assert covered(part), (str(part), text)
    for cidr in [str(LAN), RELAY_LAN + "/32", RELAY_WAN + "/32"]:
        assert covered(cidr), (cidr, text)
    assert not covered(UPSTREAM_WAN + "/32")


def test_privoxy_that_cannot_start_gets_the_previous_config_back(host, isolated):
    """Passes --config-test, fails on start (the gateway holds the port): the backup goes back, Privoxy runs on it."""
    before = host.check_output("sha256sum %s" % PRIVOXY_CONFIG)
    rc, out, recap = playbook(*extra_vars(egress_privoxy_port=18789))
    assert rc != 0, out[-3000:]
    assert "Privoxy did not start" in out and "the previous config is back" in out, out[-3000:]
    assert host.check_output("sha256sum %s" % PRIVOXY_CONFIG) == before
    backups = host.check_output("ls /etc/privoxy/ | grep -c '^config\\..*~$'")
    assert 1 <= int(backups) <= 5
    assert host.service("privoxy").is_running
    (answer,) = probe(host, "https", PROXIED)
    assert answer["ok"] is True and answer["source"] == RELAY_WAN, answer


def test_privoxy_config_with_default_last_never_lands(host, isolated):
    before = host.check_output("sha256sum %s" % PRIVOXY_CONFIG)
    rules = [{"pattern": ".openai.com", "forward_socks5t": "127.0.0.1:1080", "forward": "."}, {"pattern": "/", "forward": "."}]
    rc, out, recap = playbook(*extra_vars(egress_forward_rules=rules))
    assert rc != 0, out[-3000:]
    assert host.check_output("sha256sum %s" % PRIVOXY_CONFIG) == before
    assert host.service("privoxy").is_running
    (answer,) = probe(host, "https", PROXIED)
    assert answer["ok"] is True and answer["source"] == RELAY_WAN, answer


def test_replaced_privoxy_configs_older_than_the_age_limit_expire(host, isolated):
    """None older than egress_privoxy_backup_max_age_days (the count limit: see the test above, at most 5)."""
    root = "/etc/privoxy/config"
    listing = "ls /etc/privoxy/ | grep '^config\\..*~$' || true"
    host.run_expect([0], "touch -d '200 days ago' %s.1.2020-01-01@00:00:00~ && touch -d '10 days ago' %s.2.2026-01-01@00:00:00~"
                    % (root, root))
    before = set(host.check_output(listing).split())
    rc, out, recap = playbook(*extra_vars(egress_privoxy_backup_keep=50, egress_privoxy_backup_max_age_days=90))
    assert rc == 0 and recap["changed"] >= 1, out[-3000:]
    assert set(host.check_output(listing).split()) == before - {"config.1.2020-01-01@00:00:00~"}


def test_disabling_egress_removes_the_proxy_environment_cleanly(host, isolated):
    # The restart that applies the new environment fails once, as a start on a starved node can (exit 78, which the
    # unit does not restart): the gateway role starts it once more.
    plant_start_fails_once(host)
    rc, out, recap = playbook(*extra_vars(egress_enabled=False))
    assert rc == 0, out[-3000:]
    assert_started_again(host)
    assert recap["changed"] > 0
    dropin = host.file(GUARDED_FILES[2]).content_string
    assert "PROXY" not in dropin.upper().replace("NODE_EXTRA_CA_CERTS", "")
    facts = gather_facts(host, user="openclaw", validate_config="false")
    assert facts["environment"]["effective_from"] == "process"
    assert facts["environment"]["proxy"] == {}, facts["environment"]["proxy"]
    assert facts["ready"]["ok"] is True
    (answer,) = probe(host, "https", CHANNEL)
    assert answer["ok"] is True and answer["source"] == NODE_LAN, answer
    # Proxied names exist only behind the relay: direct, they do not even resolve.
    (answer,) = probe(host, "https", PROXIED)
    assert answer["ok"] is False, answer
    rc, out, recap = playbook(*extra_vars(egress_enabled=False))
    assert rc == 0 and recap["changed"] == 0, out[-3000:]
