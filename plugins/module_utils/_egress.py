# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split-egress reasoning shared by the facts module and its tests (private API).

Answers "which way does a request to HOST leave this node?" the way the real clients do:
the gateway's proxy variables and NO_PROXY first, then Privoxy's forward rules (last match wins).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

DEFAULT_CHANNEL_HOSTS = (
    "127.0.0.1", "localhost", "::1", ".feishu.cn", ".larksuite.com", "api.telegram.org", ".discord.com",
    ".discord.gg", ".discordapp.com", ".discordapp.net", ".slack.com", ".whatsapp.com", ".whatsapp.net",
)
_FORWARD = re.compile(r"^\s*(forward|forward-socks4|forward-socks4a|forward-socks5|forward-socks5t|forward-webserver)\s+(\S+)\s+(.*?)\s*$")


def parse_privoxy_forwards(text):
    """Forward rules of a Privoxy config, in file order: [{'kind', 'pattern', 'target', 'line'}]."""
    rules = []
    for number, raw in enumerate((text or "").splitlines(), 1):
        line = raw.split("#", 1)[0]
        match = _FORWARD.match(line)
        if match:
            rules.append(dict(kind=match.group(1), pattern=match.group(2), target=match.group(3), line=number))
    return rules


def _pattern_host(pattern):
    return pattern.split("/", 1)[0].split(":", 1)[0].lower()


def privoxy_pattern_matches(pattern, host):
    """Privoxy host patterns as used in forward rules: '/' matches all; '.example.com' the domain
    and every subdomain; 'example.com' that host only; a trailing '.' anchors nothing here."""
    host = host.lower().rstrip(".")
    patt = _pattern_host(pattern)
    if patt == "":
        return True
    if patt.startswith("."):
        suffix = patt[1:]
        return host == suffix or host.endswith("." + suffix)
    return host == patt


def privoxy_route(rules, host):
    """'relay' when the last matching rule forwards to a SOCKS proxy, 'direct' otherwise."""
    winner = None
    for rule in rules:
        if privoxy_pattern_matches(rule["pattern"], host):
            winner = rule
    if winner is None:
        return "direct", None
    if winner["kind"].startswith("forward-socks"):
        return "relay", winner
    if winner["kind"] == "forward" and winner["target"].split()[0] != ".":
        return "http-parent", winner
    return "direct", winner


def no_proxy_entries(value):
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def no_proxy_matches(entries, host):
    """The leading-dot suffix form and exact hosts, the forms every client agrees on."""
    host = host.lower().rstrip(".")
    for entry in entries:
        entry = entry.lower()
        if entry == "*":
            return entry
        bare = entry.lstrip(".").lstrip("*.") if entry.startswith("*.") else entry.lstrip(".")
        if host == bare or (entry.startswith(".") or entry.startswith("*.")) and host.endswith("." + bare):
            return entry
    return None


def first_forward_is_default(rules):
    """Privoxy's last-match-wins needs `forward / .` FIRST; anywhere else it overrides the rules before it."""
    return bool(rules) and rules[0]["kind"] == "forward" and _pattern_host(rules[0]["pattern"]) == "" and rules[0]["target"].split()[0] == "."


def host_of(url):
    match = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/@]*@)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?", url or "")
    if not match:
        return None, None
    return match.group(1).strip("[]"), int(match.group(2)) if match.group(2) else None
