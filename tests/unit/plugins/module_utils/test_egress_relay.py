# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The relay role's checks and outbound ACL (module_utils/_egress.py, through the role's template)."""

import ipaddress
import os

import jinja2
import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._egress import (
    SPECIAL_PURPOSE_RANGES, relay_acl, relay_problems, split_networks,
)

ROLE = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "relay")
GOOD = dict(relay_password="0123456789abcdef", relay_method="chacha20-ietf-poly1305", relay_bind_address="0.0.0.0",
            relay_port=8388, relay_timeout=300, relay_mode="tcp_only", relay_outbound_block_list=[],
            relay_outbound_allow_list=[], relay_outbound_block_list_allow_empty=False, relay_allowed_clients=[])
# Every range the issue names, which the old default list missed in part.
REQUIRED = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32", "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96",
            "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "ff00::/8"]


def render_acl(block_list=(), allow_list=(), own=()):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(ROLE, "templates")), trim_blocks=True)
    env.filters["comment"] = lambda text: "# " + text
    acl = relay_acl(list(block_list), list(allow_list), list(own))
    return env.get_template("relay.acl.j2").render(ansible_managed="managed", _relay_acl=acl)


def blocked(text):
    body = text.split("[outbound_block_list]", 1)[1]
    return [ipaddress.ip_network(line) for line in body.splitlines() if line and not line.startswith("#")]


def covered(nets, target):
    target = ipaddress.ip_network(target)
    return any(net.version == target.version and net.supernet_of(target) for net in nets)


def test_the_good_settings_pass():
    assert relay_problems(GOOD) == []


def test_acl_blocks_every_special_purpose_range_and_the_relay_itself():
    nets = blocked(render_acl(own=["203.0.113.7", "198.51.100.20", "2a01:4f8::10", "fe80::1%eth0"]))
    missing = [cidr for cidr in REQUIRED + list(SPECIAL_PURPOSE_RANGES) if not covered(nets, cidr)]
    assert missing == []
    assert covered(nets, "2a01:4f8::10/128")


def test_own_addresses_survive_an_exception_that_covers_them():
    text = render_acl(allow_list=["172.30.20.0/24"], own=["172.30.20.20"])
    nets = blocked(text)
    assert covered(nets, "172.30.20.20/32")
    assert not covered(nets, "172.30.20.30/32")
    # The rest of 172.16.0.0/12 stays blocked.
    assert covered(nets, "172.30.21.0/24") and covered(nets, "172.17.0.1/32") and covered(nets, "172.31.255.255/32")


def test_own_addresses_already_covered_are_not_repeated():
    acl = relay_acl([], ["172.30.20.0/24"], ["172.17.0.2", "172.30.20.20", "fe80::1", "2a01:4f8::10"])
    assert acl["own"] == ["172.30.20.20/32", "2a01:4f8::10/128"]


def test_extra_block_entries_are_added_and_normalised():
    nets = blocked(render_acl(block_list=["8.8.8.8", "2001:4860::1/32"]))
    assert covered(nets, "8.8.8.8/32") and covered(nets, "2001:4860::/32")


def test_an_acl_left_empty_needs_the_opt_in():
    wide = dict(GOOD, relay_outbound_allow_list=["0.0.0.0/0"])
    assert any("relay_outbound_allow_list leaves no IPv4 destination blocked" in p for p in relay_problems(wide))
    assert relay_problems(dict(wide, relay_outbound_block_list_allow_empty=True)) == []


@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "127.0.0.1", "::", "2001:db8::1", "0.0.0.0"])
def test_bind_addresses_accepted(address):
    assert relay_problems(dict(GOOD, relay_bind_address=address)) == []


@pytest.mark.parametrize("name, value", [
    ("relay_bind_address", "0.0.0.0\n"), ("relay_bind_address", "127.0.0.1/8"), ("relay_bind_address", "fe80::1%eth0"),
    ("relay_bind_address", "localhost"), ("relay_bind_address", "1.2.3.4\nExecStartPre=/bin/sh"),
    ("relay_bind_address", "\uff11.2.3.4"), ("relay_bind_address", "01.2.3.4"), ("relay_bind_address", ""), ("relay_bind_address", 7),
    ("relay_port", "8388\n"), ("relay_port", "8388 drop"), ("relay_port", 0), ("relay_port", 70000), ("relay_port", True),
    ("relay_port", "-1"), ("relay_port", "\u0668\u0663"), ("relay_timeout", -5), ("relay_timeout", "300\n"), ("relay_timeout", 0),
    ("relay_method", "rc4-md5"), ("relay_method", "aes-256-gcm\n"), ("relay_method", "AES-256-GCM"), ("relay_method", None),
    ("relay_mode", "tcp_only\n"), ("relay_mode", "udp_only"),
    ("relay_password", ""), ("relay_password", "Xq9zWk"), ("relay_password", "0123456789abcdef\r"), ("relay_password", 1234567890123456),
    ("relay_outbound_block_list", ["10.0.0.0/8\n"]), ("relay_outbound_block_list", ["10.0.0.0/33"]),
    ("relay_outbound_block_list", "10.0.0.0/8"), ("relay_outbound_block_list", ["10.0.0.0/8 #"]),
    ("relay_outbound_allow_list", ["172.30.20.0/24\n[proxy_all]"]), ("relay_outbound_allow_list", ["-1.0.0.0/8"]),
    ("relay_allowed_clients", ["1.2.3.4\n"]), ("relay_allowed_clients", ["1.2.3.4 }"]), ("relay_allowed_clients", [None]),
    ("relay_allowed_clients", ["::1/129"]), ("relay_outbound_block_list_allow_empty", "yes please"),
])
def test_bad_values_are_refused_naming_the_variable(name, value):
    problems = relay_problems(dict(GOOD, **{name: value}))
    assert any(problem.startswith(name) for problem in problems), problems
    # Messages are one line each, and never quote the password.
    assert all("\n" not in problem and "\r" not in problem for problem in problems)
    if name == "relay_password" and isinstance(value, str) and value:
        assert all(value.strip() not in problem for problem in problems)


def test_split_networks_normalises_per_family():
    assert split_networks(["10.0.0.1/8", "::1", "bad"]) == dict(ipv4=["10.0.0.0/8"], ipv6=["::1/128"])
