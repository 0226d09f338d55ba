# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: the OpenClaw install (the CLI where the gateway role puts it, its package, the side-by-side
releases and the one the gateway process runs) and Node.js."""

import json
import os
import re

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import find_cli
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_procfs import process_start_time
from ansible_collections.clawops.openclaw.plugins.module_utils._common import read_text
from ansible_collections.clawops.openclaw.plugins.module_utils._releases import VERSION_TEXT, read_layout, running_release

# Same range as roles/node/vars/main.yml (_node_supported_ranges): keep the two in step.
ENGINES = "node >=24.16.0 <25 || >=26.1.0"
BIN_DIRS = ("/usr/local/bin", "/usr/bin", "/bin")


def version_tuple(text):
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(x) for x in match.groups()) if match else None


def node_engines_ok(version):
    if version is None:
        return None
    return (24, 16, 0) <= version < (25, 0, 0) or version >= (26, 1, 0)


def package_of(cli):
    """(package root, version) of the openclaw package a CLI belongs to; (None, None) when it is not OpenClaw's."""
    root = os.path.dirname(os.path.realpath(cli))  # .../node_modules/openclaw/openclaw.mjs
    while root != "/" and not os.path.exists(os.path.join(root, "package.json")):
        root = os.path.dirname(root)
    try:
        with open(os.path.join(root, "package.json")) as handle:
            meta = json.load(handle)
    except (OSError, ValueError):
        return None, None
    return (root, meta.get("version")) if meta.get("name") == "openclaw" else (None, None)


def collect_install(commands, openclaw_bin, npm_prefix, bin_dirs=BIN_DIRS):
    """(facts installed, version, cli_path, package_root and node; Problems).

    commands: _collect_base.Commands (runs `node --version`); openclaw_bin, npm_prefix: the CLI options;
    bin_dirs: where node is looked for."""
    problems = Problems()
    # Where the gateway role installs it (npm_prefix): a CLI elsewhere is not the install the role manages.
    cli, places = find_cli(openclaw_bin, npm_prefix)
    package_root, version = package_of(cli) if cli else (None, None)
    facts = dict(installed=version is not None, version=version, cli_path=cli, package_root=package_root)
    if version is None:
        problems.problem("not_installed", "the openclaw package is not installed (no openclaw CLI in %s)" % ", ".join(places))

    node = next((os.path.join(directory, "node") for directory in bin_dirs if os.path.exists(os.path.join(directory, "node"))), None)
    node_version = None
    if node:
        rc, out, dummy = commands.run([node, "--version"])
        node_version = out.strip() if rc == 0 else None
    ok = node_engines_ok(version_tuple(node_version))
    facts["node"] = dict(path=node, version=node_version.lstrip("v") if node_version else None, engines_ok=ok, engines=ENGINES)
    if node is None:
        problems.problem("node_missing", "no node executable in %s" % ", ".join(bin_dirs))
    elif ok is False:
        problems.problem("node_unsupported", "Node.js %s does not satisfy OpenClaw's engines range %s" % (node_version, ENGINES))
    return facts, problems


def collect_version_skew(installed_version, config_data):
    """(the config's meta.lastTouchedVersion or None; Problems): version_skew when the installed OpenClaw is older.

    installed_version: the package's version (collect_install); config_data: the parsed config (None when unread).
    OpenClaw refuses to start (exit 78) a binary older than the config it last wrote, and its older CLI refuses the
    newer state: the config is not broken, the binary is too old (restoring a config backup does not help)."""
    problems = Problems()
    meta = (config_data or {}).get("meta")
    touched = meta.get("lastTouchedVersion") if isinstance(meta, dict) else None
    # The service user writes this file: only a whole version string reaches the facts and the reports.
    if not isinstance(touched, str) or not VERSION_TEXT.fullmatch(touched):
        return None, problems
    installed = version_tuple(installed_version)
    if installed is not None and installed < version_tuple(touched):
        problems.problem("version_skew", "the installed OpenClaw %s is older than the config it runs, last written by OpenClaw %s: "
                         "the gateway refuses to start (exit 78) and the CLI refuses the newer state" % (installed_version, touched),
                         installed=installed_version, config_written_by=touched)
    return touched, problems


def entry_script(cmdline_args):
    """The OpenClaw script a process runs, from its command line (arguments), or None."""
    for arg in cmdline_args[1:]:
        if arg.endswith((".js", ".mjs")) and "openclaw" in arg:
            return arg
    return None


def collect_release(releases_dir, service_pid, installed_version, global_package):
    """(release fact; Problems): the side-by-side releases, the version the gateway process runs and restart_pending.

    releases_dir: where openclaw_release keeps them; service_pid: the service's main process (None when it does not
    run); installed_version: the version of the CLI on PATH (collect_install); global_package: where a global npm install
    of the prefix the gateway role uses keeps the package (npm_prefix/lib/node_modules/openclaw)."""
    problems = Problems()
    layout = read_layout(releases_dir)
    release = dict(dir=releases_dir, active=layout["active"], previous=layout["previous"], installed=layout["releases"],
                   running=None, running_known_by=None, restart_pending=False)
    args = (read_text("/proc/%d/cmdline" % service_pid) or "").split("\0") if service_pid else []
    entry = entry_script(args)
    if entry is None:
        return release, problems
    release["running"], release["running_known_by"] = running_release(
        releases_dir, entry, process_start_time(service_pid), global_package)
    want = layout["active"] or installed_version
    if want and release["running"] != want:
        release["restart_pending"] = True
        problems.problem("restart_pending", "the gateway runs %s while %s is installed: it serves the old code until it restarts (%s)"
                         % (release["running"] or "an unknown version", want, release["running_known_by"]),
                         running=release["running"], installed=want)
    return release, problems
