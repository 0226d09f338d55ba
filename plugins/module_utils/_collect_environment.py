# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: every place the gateway's environment can come from, what the process really has, and
where each proxy variable is set (the collection's drop-in is the one place it should be)."""

import os

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems, read_reported, read_user
from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    PROXY_VARIABLES, compose_unit_environment, parse_env_file, redact_env, unit_environment,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import confined, normalise_path

# The gateway role's drop-in (_gateway_dropin_name in roles/gateway/vars/main.yml): the one place the collection
# sets the gateway's environment.
COLLECTION_DROPIN = "50-clawops-openclaw.conf"


def is_collection_dropin(source):
    return source["source"] == "dropin" and os.path.basename(source["path"] or "") == COLLECTION_DROPIN


def overridden_by_collection_dropin(source):
    """Whether an Environment= of the collection's drop-in wins over this source's assignment of the same variable.

    systemd (systemd.exec(5), systemd.unit(5)): drop-ins apply after the unit file and in the order of their
    file names, so the drop-in beats the unit (and its .bak, were it restored) and every drop-in named before it;
    any Environment= beats the user manager's environment; EnvironmentFile= values beat every Environment=.
    OpenClaw loads .env and gateway.env only into variables systemd left unset."""
    kind = source["source"]
    if kind == "dropin":
        return os.path.basename(source["path"] or "") < COLLECTION_DROPIN
    return kind in ("unit", "unit_backup", "manager", "dotenv", "gateway_env")


def proxy_outside_dropin(proxy):
    """[{variable, source, path, confined, active}]: proxy assignments outside the collection's drop-in that reach the
    gateway, or would once the .bak unit came back. One the collection's drop-in overrides is not effective: it is no
    finding, for doctor or remediate. One overridden by another foreign source is: removing that one exposes it.
    proxy: the environment.proxy fact (every variable with its sources)."""
    found = []
    for variable, info in sorted(proxy.items()):
        managed = any(is_collection_dropin(source) for source in info["sources"])
        for source in info["sources"]:
            if is_collection_dropin(source) or (managed and overridden_by_collection_dropin(source)):
                continue
            found.append(dict(variable=variable, source=source["source"], path=source["path"], confined=source["confined"],
                              active=source["active"]))
    return found


def _unit_first(directives):
    return sorted(directives.items(), key=lambda kv: (kv[0] != "unit", kv[0]))


def environment_sources(user, directives, manager_env, problems):
    """[(source, path, env, active, confined)]. confined: remediation may act on the path (inside the home, no link on
    the way, a regular file); the user manager is reached through systemctl, no path."""
    home = user["home"] if user else None
    sources = []
    if home:
        for name, path in (("dotenv", os.path.join(home, ".openclaw", ".env")),
                           ("gateway_env", os.path.join(home, ".config", "openclaw", "gateway.env"))):
            text, inside = read_reported(user, path, problems)
            if text is not None:
                sources.append((name, normalise_path(path), parse_env_file(text), True, inside))
    if manager_env:
        sources.append(("manager", None, manager_env, True, True))
    for key, (path, items) in _unit_first(directives):
        kind = key.split(":", 1)[0]
        env, files = unit_environment(items)
        active = kind != "unit_backup"
        sources.append((kind, normalise_path(path), env, active, bool(home) and confined(path, home)))
        for env_file in files:
            # A path from a file the user writes: normalised ('..' gone), and only what it names inside
            # the home without a link is ever edited. systemd ignores relative paths, so do we.
            normal = normalise_path(env_file.lstrip("-"))
            if normal is None:
                continue
            text, inside = read_reported(user, normal, problems)
            if text is not None:
                sources.append(("environment_file", normal, parse_env_file(text), active, inside))
    return sources


def process_environment(pid):
    """The environment of a running process, None when it cannot be read."""
    try:
        with open("/proc/%d/environ" % pid, "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    return dict(item.split("=", 1) for item in raw.decode("utf-8", "replace").split("\0") if "=" in item)


def proxy_findings(proxy, outside, user_name, problems):
    # One finding per place: remediation edits a confined one and must leave any other alone.
    places = {}
    for item in outside:
        places.setdefault((item["source"], item["path"] or "", item["confined"]), []).append(item["variable"])
    for (kind, path, inside), variables in sorted(places.items()):
        if not inside:
            problems.problem("proxy_source_unsafe",
                             "%s sets %s but lies outside %s's home or is reached through a link: remediation leaves it alone, "
                             "remove the assignment by hand" % (path, ", ".join(variables), user_name), path=path, variables=variables)
            continue
        where = "the user manager's environment" if kind == "manager" else "%s %s" % (kind.replace("_", " "), path)
        problems.problem("proxy_outside_dropin", "%s sets %s outside the collection's drop-in %s%s"
                         % (where, ", ".join(variables), COLLECTION_DROPIN,
                            " (inactive now; a reinstall or restore of that unit would bring it back)" if kind == "unit_backup" else ""),
                         source=kind, path=path or None, variables=variables)
    for var in ("ALL_PROXY", "all_proxy"):
        if proxy.get(var, {}).get("value"):
            where = ", ".join("%s %s" % (s["source"], s["path"] or "") for s in proxy[var]["sources"] if s["active"]) or "process environment"
            problems.problem("proxy_all_proxy",
                             "%s is set for the gateway (from %s): it overrides the split routing and can drag channel WebSockets through a proxy"
                             % (var, where.strip()), variable=var)


def collect_environment(user, user_name, directives, manager_env, service_pid):
    """(environment fact; the gateway's environment unredacted, never returned; Problems).

    user: the service user or None; user_name: the user option; directives, manager_env: from collect_service;
    service_pid: the service's main process (its /proc environment wins over what the units say)."""
    problems = Problems()
    sources = environment_sources(user, directives, manager_env, problems)
    effective = process_environment(service_pid) if service_pid else None
    effective_from = "process" if effective is not None else None
    if effective is None:
        # Not running (or not ours to read): what systemd would hand the next start.
        items = []
        for key, (dummy, parsed) in _unit_first(directives):
            if key != "unit_backup":
                items.extend(parsed)
        effective = compose_unit_environment(manager_env, items, lambda path: read_user(user, path)[0])
        effective_from = "unit" if directives else None
    # OpenClaw loads these two files itself at start, on top of what systemd gives it.
    loaded = dict(effective)
    for kind, dummy, env, active, dummy in sources:
        if kind in ("dotenv", "gateway_env"):
            for key, value in env.items():
                loaded.setdefault(key, value)

    proxy = {}
    for var in PROXY_VARIABLES:
        setters = [dict(source=kind, path=path, value=redact_env({var: env[var]})[var], active=active, confined=inside)
                   for kind, path, env, active, inside in sources if var in env]
        if setters or var in loaded:
            proxy[var] = dict(value=redact_env({var: loaded[var]})[var] if var in loaded else None, sources=setters)
    # The raw environment stays in the module (paths and the proxy URL are derived from it); the facts
    # carry only the allowlisted variables, every value redacted by name and by shape.
    outside = proxy_outside_dropin(proxy)
    facts = dict(effective=redact_env(loaded, allowlist=True), effective_from=effective_from, proxy=proxy, proxy_outside_dropin=outside)
    proxy_findings(proxy, outside, user_name, problems)
    return facts, loaded, problems
