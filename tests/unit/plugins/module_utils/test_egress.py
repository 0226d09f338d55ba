# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

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
