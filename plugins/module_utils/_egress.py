# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split-egress reasoning shared by the facts module and its tests (private API).

Answers "which way does a request to HOST leave this node?" the way the real clients do:
the gateway's proxy variables and NO_PROXY first, then Privoxy's forward rules (last match wins).
"""

import ipaddress
import re

DEFAULT_CHANNEL_HOSTS = (
    "127.0.0.1", "localhost", "::1", ".feishu.cn", ".larksuite.com", "api.telegram.org", ".discord.com",
    ".discord.gg", ".discordapp.com", ".discordapp.net", ".slack.com", ".whatsapp.com", ".whatsapp.net",
)
_FORWARD_KINDS = ("forward", "forward-socks4", "forward-socks4a", "forward-socks5", "forward-socks5t", "forward-webserver")
# Arguments each forward-type directive takes (pattern, [socks proxy,] http parent); Privoxy refuses other counts.
_FORWARD_ARGS = {"forward": 2, "forward-webserver": 2}


def privoxy_directives(text):
    """Directives of a Privoxy config read the way Privoxy reads it (loaders.c edit_read_line + loadcfg.c):
    CR, LF and CRLF end a physical line; a line ending in a backslash continues on the next one; `#` starts
    a comment unless escaped as `\\#`; leading and trailing whitespace goes; the directive name is lower-cased
    and separated from its arguments by spaces or tabs. Returns [(first line number, name, [args])]."""
    directives = []
    data, start, number = "", None, 0
    for raw in re.split(r"\r\n|\r|\n|\x00", text or ""):
        number += 1
        cont = raw.endswith("\\")
        if cont:
            raw = raw[:-1]
        if not data:
            raw = raw.lstrip(" \t\n\v\f\r")
        # An unescaped `#` ends the data; `\#` is a literal `#`.
        line = re.split(r"(?<!\\)#", raw, 1)[0].replace("\\#", "#")
        if line:
            if start is None:
                start = number
            data += line
        if cont:
            continue
        data = data.strip(" \t\n\v\f\r")
        if data:
            name, _sep, rest = re.match(r"([^ \t]*)([ \t]*)(.*)\Z", data, re.S).groups()
            directives.append((start, name.lower(), [arg for arg in re.split(r"[ \t]+", rest) if arg]))
        data, start = "", None
    return directives


def parse_privoxy_forwards(text):
    """Forward rules of a Privoxy config, in file order: [{'kind', 'pattern', 'target', 'line'}]."""
    rules = []
    for number, name, args in privoxy_directives(text):
        if name in _FORWARD_KINDS and args:
            rules.append(dict(kind=name, pattern=args[0], target=" ".join(args[1:]), line=number))
    return rules


def privoxy_pattern_is_catch_all(pattern):
    """True when a forward pattern matches every host: no host part (`/`, `:443`, `/path`) or a host part
    made only of wildcards and dots (`*`, `.`, `*.`, `.*`)."""
    host = _pattern_host(pattern)
    return re.match(r"[.*?]*\Z", host) is not None


def privoxy_config_problems(text):
    """What the egress role refuses in a Privoxy config beyond `privoxy --config-test`: the first forward-type
    rule must be exactly `forward / .` (the last match wins, so a default anywhere else overrides the proxied
    domains); no other rule may match every host; forward rules with the wrong number of arguments; a
    listen-address other than 127.0.0.1:<port>; control characters (a lone CR is a line break to Privoxy)."""
    problems = []
    for number, line in enumerate((text or "").split("\n"), 1):
        if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line):
            problems.append("line %d: control character" % number)
    forwards = 0
    for number, name, args in privoxy_directives(text):
        if name in _FORWARD_KINDS:
            forwards += 1
            want = _FORWARD_ARGS.get(name, 3)
            if len(args) != want:
                problems.append("line %d: %s takes %d arguments, got %d" % (number, name, want, len(args)))
            if forwards == 1 and (name, args) != ("forward", ["/", "."]):
                problems.append("line %d: the first forward rule must be \"forward / .\", got \"%s\"" % (number, " ".join([name] + args)))
            elif forwards > 1 and args and privoxy_pattern_is_catch_all(args[0]):
                problems.append("line %d: only the first rule may match every host, got \"%s\"" % (number, " ".join([name] + args)))
        elif name == "listen-address":
            if len(args) != 1 or re.match(r"127\.0\.0\.1:[0-9]{1,5}\Z", args[0]) is None:
                problems.append("line %d: listen-address must be 127.0.0.1:<port>, got \"%s\"" % (number, " ".join(args)))
    if forwards == 0:
        problems.append("no forward rules: \"forward / .\" must come first")
    return problems


# A forward rule field: printable, no whitespace, no comment or continuation character.
_RULE_FIELD = re.compile(r"[!-~]+\Z")
_RULE_FIELD_BAD = re.compile(r"[#\\]")


def privoxy_rule_problems(rules, name="egress_forward_rules"):
    """Problems with forward rules given as data ({pattern, forward_socks5t, forward}) before they are rendered:
    each field one token of printable ASCII without `#` or `\\` (a newline or a space would add a rule)."""
    problems = []
    if not isinstance(rules, list):
        return ["%s must be a list of rules, got %s." % (name, type(rules).__name__)]
    for index, rule in enumerate(rules):
        where = "%s[%d]" % (name, index)
        if not isinstance(rule, dict):
            problems.append("%s must be a dict with pattern, forward_socks5t and forward." % where)
            continue
        unknown = sorted(str(key) for key in rule if key not in ("pattern", "forward_socks5t", "forward"))
        if unknown:
            problems.append("%s has unknown keys: %s." % (where, ", ".join(unknown)))
        for field in ("pattern", "forward_socks5t", "forward"):
            value = rule.get(field)
            if value is None or (value == "" and field != "pattern"):
                if field == "pattern":
                    problems.append("%s.pattern is required." % where)
                continue
            if not isinstance(value, str) or not _RULE_FIELD.match(value) or _RULE_FIELD_BAD.search(value):
                problems.append("%s.%s must be one token of printable ASCII without spaces, '#' or '\\', got %s."
                                % (where, field, _shown(value)))
    return problems


def _shown(value):
    """A value quoted for a message with control characters escaped, so it cannot forge lines."""
    return repr(value) if not isinstance(value, str) else '"%s"' % value.encode("unicode_escape").decode("ascii")


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
    if winner["kind"] == "forward" and winner["target"].split()[:1] not in ([], ["."]):
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
    return bool(rules) and rules[0]["kind"] == "forward" and _pattern_host(rules[0]["pattern"]) == "" and rules[0]["target"].split()[:1] == ["."]


def host_of(url):
    match = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/@]*@)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?", url or "")
    if not match:
        return None, None
    return match.group(1).strip("[]"), int(match.group(2)) if match.group(2) else None


# IANA IPv4 and IPv6 Special-Purpose Address Registries (plus the multicast blocks): the relay's clients
# have no business there, and several reach the relay host itself or its provider's network.
SPECIAL_PURPOSE_RANGES = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "255.255.255.255/32",
    "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64",
    "2001::/23", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7",
    "fe80::/10", "ff00::/8",
)
RELAY_AEAD_METHODS = ("chacha20-ietf-poly1305", "aes-256-gcm", "aes-128-gcm")
_ADDRESS_CHARS = re.compile(r"[0-9A-Fa-f:.]{2,45}\Z")
_NETWORK_CHARS = re.compile(r"[0-9A-Fa-f:.]{2,45}(/[0-9]{1,3})?\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def parse_address(value):
    """An IPv4 or IPv6 address written in ASCII with nothing around it (no scope, prefix or newline), or None."""
    if not isinstance(value, str) or not _ADDRESS_CHARS.match(value):
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def parse_network(value):
    """A CIDR or a bare address (host bits allowed, then cleared), or None."""
    if not isinstance(value, str) or not _NETWORK_CHARS.match(value):
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _integer(value):
    """An int, or a string of ASCII digits only (no sign, space or newline); None otherwise. Not a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r"[0-9]{1,10}\Z", value):
        return int(value)
    return None


def _bad_networks(name, values):
    if not isinstance(values, list):
        return ["%s must be a list of CIDRs or addresses, got %s." % (name, type(values).__name__)]
    bad = [_shown(value) for value in values if parse_network(value) is None]
    return ["%s has entries that are not CIDRs or addresses: %s." % (name, ", ".join(bad))] if bad else []


def relay_problems(settings):
    """Every problem with the relay role's settings (a dict of the role variables), one message each, naming
    the variable. Secrets are never quoted."""
    problems = []
    password = settings.get("relay_password")
    if not isinstance(password, str):
        problems.append("relay_password must be a string.")
    elif password == "":
        problems.append("relay_password is empty; set it (vault it), at least 16 characters.")
    elif len(password) < 16:
        problems.append("relay_password is shorter than 16 characters (%d)." % len(password))
    elif _CONTROL.search(password):
        problems.append("relay_password contains control characters (a pasted newline or carriage return?).")
    method = settings.get("relay_method")
    if method not in RELAY_AEAD_METHODS:
        problems.append("relay_method %s is not an AEAD cipher; use one of %s." % (_shown(method), ", ".join(RELAY_AEAD_METHODS)))
    if parse_address(settings.get("relay_bind_address")) is None:
        problems.append("relay_bind_address must be an IPv4 or IPv6 address, got %s." % _shown(settings.get("relay_bind_address")))
    port = _integer(settings.get("relay_port"))
    if port is None or not 1 <= port <= 65535:
        problems.append("relay_port must be 1-65535, got %s." % _shown(settings.get("relay_port")))
    timeout = _integer(settings.get("relay_timeout"))
    if timeout is None or not 1 <= timeout <= 86400:
        problems.append("relay_timeout must be a positive number of seconds (at most 86400), got %s." % _shown(settings.get("relay_timeout")))
    if settings.get("relay_mode") not in ("tcp_only", "tcp_and_udp"):
        problems.append("relay_mode must be tcp_only or tcp_and_udp, got %s." % _shown(settings.get("relay_mode")))
    for name in ("relay_outbound_block_list", "relay_outbound_allow_list", "relay_allowed_clients"):
        problems.extend(_bad_networks(name, settings.get(name, [])))
    allow_empty = settings.get("relay_outbound_block_list_allow_empty", False)
    if not isinstance(allow_empty, bool):
        problems.append("relay_outbound_block_list_allow_empty must be a boolean, got %s." % _shown(allow_empty))
    elif not problems and not allow_empty:
        acl = relay_acl(settings.get("relay_outbound_block_list", []), settings.get("relay_outbound_allow_list", []), [])
        for family, key in (("IPv4", "ipv4"), ("IPv6", "ipv6")):
            if not acl[key]:
                problems.append("relay_outbound_allow_list leaves no %s destination blocked (only the relay's own addresses); "
                                "set relay_outbound_block_list_allow_empty: true if that is really meant." % family)
    return problems


def relay_acl(block_list, allow_list, own_addresses):
    """The relay's outbound block list: the special-purpose ranges and block_list, minus allow_list (the
    operator's explicit exceptions); then the relay's own addresses, which no exception removes (listed when no
    blocked range covers them). Returns {'ipv4': [cidr], 'ipv6': [cidr], 'own': [cidr]}, each sorted; entries
    that do not parse are skipped (relay_problems reports them)."""
    blocked = [net for net in (parse_network(value) for value in list(SPECIAL_PURPOSE_RANGES) + list(block_list or [])) if net]
    for hole in (net for net in (parse_network(value) for value in allow_list or []) if net):
        kept = []
        for net in blocked:
            if net.version != hole.version or not net.overlaps(hole):
                kept.append(net)
            elif not hole.supernet_of(net):
                kept.extend(net.address_exclude(hole))
        blocked = kept
    own = set()
    for value in own_addresses or []:
        address = parse_address(value.split("%", 1)[0]) if isinstance(value, str) else None
        if address is not None:
            own.add(ipaddress.ip_network(address))
    # Not collapsed, so each special-purpose range stays recognisable in the file; entries inside another go.
    unique = []
    for net in blocked:
        if net not in unique:
            unique.append(net)
    blocked = [net for net in unique if not any(other != net and other.version == net.version and other.supernet_of(net) for other in unique)]
    return dict(
        ipv4=[str(net) for net in sorted(net for net in blocked if net.version == 4)],
        ipv6=[str(net) for net in sorted(net for net in blocked if net.version == 6)],
        # Only those no range above covers: the file then does not change when, say, a private interface comes or goes.
        own=[str(net) for net in sorted(own, key=lambda net: (net.version, net))
             if not any(other.version == net.version and other.supernet_of(net) for other in blocked)],
    )


def split_networks(values):
    """CIDRs or addresses normalised (host bits cleared), per family: {'ipv4': [...], 'ipv6': [...]}."""
    nets = [net for net in (parse_network(value) for value in values or []) if net]
    return dict(ipv4=[str(net) for net in nets if net.version == 4], ipv6=[str(net) for net in nets if net.version == 6])
