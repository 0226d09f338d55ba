# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._egress import (
    first_forward_is_default, host_of, no_proxy_entries, no_proxy_matches, parse_privoxy_forwards, privoxy_route,
)

GOOD = """
confdir /etc/privoxy
listen-address 127.0.0.1:8118
forward / .
forward-socks5t .openai.com 127.0.0.1:1080 .   # model provider
forward-socks5t .github.com 127.0.0.1:1080 .
"""
DEFAULT_LAST = """
forward-socks5t .openai.com 127.0.0.1:1080 .
forward-socks5t .github.com 127.0.0.1:1080 .
forward / .
"""


def test_parse_keeps_order_and_strips_comments():
    rules = parse_privoxy_forwards(GOOD)
    assert [(r["kind"], r["pattern"], r["target"]) for r in rules] == [
        ("forward", "/", "."), ("forward-socks5t", ".openai.com", "127.0.0.1:1080 ."), ("forward-socks5t", ".github.com", "127.0.0.1:1080 .")]
    assert rules[1]["line"] == 5


@pytest.mark.parametrize("host, route", [
    ("api.openai.com", "relay"), ("openai.com", "relay"), ("raw.github.com", "relay"),
    ("open.feishu.cn", "direct"), ("notopenai.com", "direct"),
])
def test_route_with_default_first(host, route):
    assert privoxy_route(parse_privoxy_forwards(GOOD), host)[0] == route


def test_default_last_sends_everything_direct():
    rules = parse_privoxy_forwards(DEFAULT_LAST)
    assert privoxy_route(rules, "api.openai.com")[0] == "direct"
    assert not first_forward_is_default(rules)
    assert first_forward_is_default(parse_privoxy_forwards(GOOD))
    assert not first_forward_is_default([])


def test_http_parent_is_reported_as_such():
    rules = parse_privoxy_forwards("forward / .\nforward .corp.example proxy.corp:3128\n")
    assert privoxy_route(rules, "x.corp.example")[0] == "http-parent"


@pytest.mark.parametrize("entries, host, expected", [
    ([".feishu.cn"], "open.feishu.cn", ".feishu.cn"),
    ([".feishu.cn"], "feishu.cn", ".feishu.cn"),
    (["feishu.cn"], "feishu.cn", "feishu.cn"),
    (["api.telegram.org"], "api.telegram.org", "api.telegram.org"),
    (["api.telegram.org"], "x.api.telegram.org", None),
    ([".openai.com"], "api.openai.com", ".openai.com"),
    (["127.0.0.1"], "127.0.0.1", "127.0.0.1"),
    (["*"], "anything.example", "*"),
    ([".feishu.cn"], "evilfeishu.cn", None),
])
def test_no_proxy_matches(entries, host, expected):
    assert no_proxy_matches(entries, host) == expected


def test_no_proxy_entries_and_host_of():
    assert no_proxy_entries(" 127.0.0.1, .feishu.cn,,localhost ") == ["127.0.0.1", ".feishu.cn", "localhost"]
    assert no_proxy_entries(None) == []
    assert host_of("http://127.0.0.1:8118") == ("127.0.0.1", 8118)
    assert host_of("http://<redacted>@proxy.example:3128/") == ("proxy.example", 3128)
    assert host_of("http://[::1]:8118") == ("::1", 8118)
    assert host_of("not a url") == (None, None)


# --- Privoxy's own reading rules (loaders.c/loadcfg.c): the parser and the role's check follow them ---

from ansible_collections.clawops.openclaw.plugins.module_utils._egress import (  # noqa: E402
    privoxy_config_problems, privoxy_directives, privoxy_rule_problems,
)


def test_directive_names_are_case_insensitive_as_in_privoxy():
    rules = parse_privoxy_forwards("forward / .\nFORWARD-SOCKS5T / 127.0.0.1:1080 .\n")
    assert [r["kind"] for r in rules] == ["forward", "forward-socks5t"]
    # Privoxy applies that catch-all rule to the chat channels too: so does the facts' routing.
    assert privoxy_route(rules, "open.feishu.cn")[0] == "relay"


def test_continuation_lines_escaped_hash_and_tabs():
    text = "forward / .\nforward-socks5t\t.openai.com \\\n   127.0.0.1:1080 .  # proxied\nforward .a\\#b.example .\n"
    assert privoxy_directives(text) == [
        (1, "forward", ["/", "."]), (2, "forward-socks5t", [".openai.com", "127.0.0.1:1080", "."]), (4, "forward", [".a#b.example", "."])]
    assert privoxy_route(parse_privoxy_forwards(text), "api.openai.com")[0] == "relay"


def test_a_lone_carriage_return_ends_a_line_for_privoxy():
    rules = parse_privoxy_forwards("forward / .\nforward-socks5t .openai.com 127.0.0.1:1080 .\rforward-socks5t / 127.0.0.1:1080 .\n")
    assert [r["pattern"] for r in rules] == ["/", ".openai.com", "/"]


def test_the_rendered_config_passes():
    assert privoxy_config_problems("listen-address 127.0.0.1:8118\n" + GOOD) == []


@pytest.mark.parametrize("text, problem", [
    ("forward / .\nFORWARD-SOCKS5T / 127.0.0.1:1080 .\n", "line 2: only the first rule may match every host"),
    ("forward / .\nforward-socks5t :443 127.0.0.1:1080 .\n", "only the first rule may match every host"),
    ("forward / .\nforward-socks5t * 127.0.0.1:1080 .\n", "only the first rule may match every host"),
    ("forward / .\nforward-socks5t \\\n/ 127.0.0.1:1080 .\n", "line 2: only the first rule may match every host"),
    ("forward / .\nListen-Address 0.0.0.0:8118\n", "line 2: listen-address must be 127.0.0.1:<port>"),
    ("forward / .\n  LISTEN-ADDRESS\t[::]:8118\n", "listen-address must be 127.0.0.1:<port>"),
    ("forward / .\nlisten-address 127.0.0.1:8118\\\n0.0.0.0:8119\n", "listen-address must be 127.0.0.1:<port>"),
    ("Forward-Socks5t .openai.com 127.0.0.1:1080 .\nforward / .\n", "line 1: the first forward rule must be"),
    ("forward / .\nforward-socks5t .x.com 127.0.0.1:1080\n", "forward-socks5t takes 3 arguments, got 2"),
    ("forward / .\nforward-socks5t .x.com 127.0.0.1:1080 .\rforward-socks5t .feishu.cn 127.0.0.1:1080 .\n", "control character"),
    ("confdir /etc/privoxy\n", "no forward rules"),
])
def test_config_problems(text, problem):
    assert any(problem in found for found in privoxy_config_problems(text)), privoxy_config_problems(text)


@pytest.mark.parametrize("rules, problem", [
    ([{"pattern": ".x.com\nforward-socks5t .feishu.cn", "forward_socks5t": "127.0.0.1:1080"}], 'egress_forward_rules[0].pattern'),
    ([{"pattern": "/", "forward": "."}, {"pattern": ".x.com", "forward_socks5t": "127.0.0.1:1080 .\nlisten-address 0.0.0.0:1"}],
     "egress_forward_rules[1].forward_socks5t"),
    ([{"pattern": ".x.com #", "forward": "."}], "egress_forward_rules[0].pattern"),
    ([{"pattern": ".x.com", "forward": ".\\"}], "egress_forward_rules[0].forward"),
    ([{"pattern": ".x.com", "forward": 3}], "egress_forward_rules[0].forward"),
    ([{"pattern": ".x\u2028.com"}], "egress_forward_rules[0].pattern"),
    ([{"forward": "."}], "egress_forward_rules[0].pattern is required"),
    ([{"pattern": ".x.com", "forward_socks4": "1.2.3.4:1"}], "unknown keys: forward_socks4"),
    (["forward / ."], "egress_forward_rules[0] must be a dict"),
    ("forward / .", "must be a list"),
])
def test_rule_problems_name_the_field(rules, problem):
    found = privoxy_rule_problems(rules)
    assert any(problem in item for item in found), found
    assert all("\n" not in item for item in found)


def test_default_rules_pass():
    assert privoxy_rule_problems([{"pattern": "/", "forward": "."},
                                  {"pattern": ".openai.com", "forward_socks5t": "127.0.0.1:1080", "forward": "."}]) == []
