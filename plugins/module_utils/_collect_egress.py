# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: split egress as the gateway experiences it (its proxy variables and NO_PROXY, Privoxy's
forward rules, the Shadowsocks client and its relay), and the route of each proxied domain and chat channel."""

import json
import re
import socket
import time

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
from ansible_collections.clawops.openclaw.plugins.module_utils._common import read_text, redact_tree, redact_value
from ansible_collections.clawops.openclaw.plugins.module_utils._egress import (
    first_forward_is_default, host_of, no_proxy_entries, no_proxy_matches, parse_privoxy_forwards, privoxy_route,
)


def tcp_probe(host, port, timeout):
    started = time.time()
    result = dict(host=host, port=port, reachable=False, error=None)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.close()
        result["reachable"] = True
    except Exception as exc:  # pylint: disable=broad-except
        result["error"] = str(exc)
    result["elapsed_ms"] = round((time.time() - started) * 1000, 1)
    return result


def check_privoxy(commands, privoxy_config, rules, problems):
    """The privoxy fact: its unit, rules (a forward-socks5 target may carry user:password@, masked) and their order."""
    privoxy = commands.system_unit("privoxy.service")
    privoxy.update(config=privoxy_config, rules=redact_tree(rules), default_first=first_forward_is_default(rules))
    if privoxy["active_state"] != "active":
        problems.problem("privoxy_inactive", "privoxy.service is %s: every proxied request fails" % privoxy["active_state"])
    if rules and not privoxy["default_first"]:
        problems.problem("privoxy_default_not_first", "%s: `forward / .` is not the first forward rule; Privoxy's last match wins, "
                         "so the rules before it are overridden" % privoxy_config)
    return privoxy


def check_ss_local(commands, ss_text, ss_local_unit, timeout, problems):
    """(ss_local fact, relay fact or None): the Shadowsocks client's unit and config (never its password), the relay's reach."""
    try:
        ss_conf = json.loads(ss_text)
    except ValueError:
        ss_conf = {}
    ss_local = commands.system_unit(ss_local_unit)
    ss_local.update(local="%s:%s" % (ss_conf.get("local_address"), ss_conf.get("local_port")), method=ss_conf.get("method"))
    if ss_local["active_state"] != "active":
        problems.problem("ss_local_inactive", "%s is %s: proxied domains cannot reach the relay" % (ss_local_unit, ss_local["active_state"]))
    relay = None
    host, port = ss_conf.get("server"), ss_conf.get("server_port")
    if isinstance(host, list):
        host = host[0] if host else None
    if host and port:
        relay = tcp_probe(host, int(port), timeout)
        if not relay["reachable"]:
            problems.problem("relay_unreachable", "relay %s:%s is unreachable: %s" % (host, port, relay["error"]))
    return ss_local, relay


def route_of(domain, proxy_url, shown_url, no_proxy, privoxy_known, rules, problems):
    """The route fact of one domain that must leave through the relay."""
    host = domain.lstrip(".")
    bypass = no_proxy_matches(no_proxy, host) if proxy_url else None
    if not proxy_url:
        route, reason = "direct", "the gateway has no HTTP(S)_PROXY"
    elif bypass:
        route, reason = "direct", "NO_PROXY entry %s" % bypass
        problems.problem("proxied_domain_bypassed", "%s should use the relay but NO_PROXY entry %s sends it direct" % (domain, bypass))
    elif not privoxy_known:
        route, reason = "proxy", "via %s" % shown_url
    else:
        route, rule = privoxy_route(rules, host)
        reason = ("Privoxy line %s: %s %s %s" % (rule["line"], rule["kind"], rule["pattern"], redact_value(rule["target"]))
                  if rule else "no Privoxy rule")
    if proxy_url and route == "direct" and not bypass:
        problems.problem("proxied_domain_direct", "%s goes direct: %s" % (domain, reason))
    return dict(domain=domain, host=host, route=route, reason=reason)


def collect_egress(commands, gateway_env, proxy, timeout, privoxy_config, ss_local_unit, ss_local_config, proxied_domains, channel_hosts):
    """(egress fact; Problems).

    commands: _collect_base.Commands (systemctl show of the system units); gateway_env: the gateway's environment
    (unredacted, from collect_environment); proxy: the environment.proxy fact (where each variable is set);
    timeout: seconds for the relay probe; the rest: the egress_* options."""
    problems = Problems()
    env = gateway_env
    proxy_url = env.get("https_proxy") or env.get("HTTPS_PROXY") or env.get("http_proxy") or env.get("HTTP_PROXY")
    shown_url = redact_value(proxy_url)
    no_proxy = no_proxy_entries(env.get("no_proxy") or env.get("NO_PROXY"))
    privoxy_text = read_text(privoxy_config)
    ss_text = read_text(ss_local_config)
    egress = dict(configured=bool(proxy_url or ss_text), proxy_url=shown_url, no_proxy=no_proxy,
                  privoxy=None, ss_local=None, relay=None, routes=[], channels=[])
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        value = env.get(var) or ""
        if value and not re.match(r"^https?://", value):
            problems.problem("proxy_socks_url", "%s=%s is not an http(s) URL: Node and the channel clients cannot use it" % (var, value),
                             variable=var, sources=proxy.get(var, {}).get("sources", []))
    if not egress["configured"]:
        return egress, problems

    rules = parse_privoxy_forwards(privoxy_text) if privoxy_text is not None else []
    proxy_host, dummy = host_of(proxy_url)
    if privoxy_text is not None:
        egress["privoxy"] = check_privoxy(commands, privoxy_config, rules, problems)
    if ss_text is not None:
        egress["ss_local"], egress["relay"] = check_ss_local(commands, ss_text, ss_local_unit, timeout, problems)

    for domain in proxied_domains or [r["pattern"] for r in rules if r["kind"].startswith("forward-socks")]:
        egress["routes"].append(route_of(domain, proxy_url, shown_url, no_proxy, privoxy_text is not None, rules, problems))

    missing = []
    for channel in channel_hosts:
        if proxy_url and not no_proxy_matches(no_proxy, channel.lstrip(".")):
            missing.append(channel)
        egress["channels"].append(dict(host=channel, route="direct" if not proxy_url or channel not in missing else "proxy"))
    if missing:
        problems.problem("no_proxy_missing", "NO_PROXY lacks %s: those connections (chat WebSockets, the CLI's calls to the local gateway) "
                         "would go through the proxy" % ", ".join(missing), hosts=missing)
    if proxy_host and proxy_host not in ("127.0.0.1", "::1", "localhost"):
        problems.problem("proxy_not_local", "the gateway's proxy %s is not on this node" % shown_url)
    return egress, problems
