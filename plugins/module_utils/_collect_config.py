# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: the gateway's config file (read without following a link, parsed, never returned) and
where the service, a login shell's CLI and root's CLI look for config and state."""

import hashlib
import os
import pwd

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import ConfigReadError, parse_config
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems, read_user
from ansible_collections.clawops.openclaw.plugins.module_utils._common import config_path_for, shell_startup_paths, startup_refusals, state_dir_for
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import read_nofollow

ROOT_HOME = "/root"  # `sudo openclaw ...` reads root's own state dir
CONFIG_LIMIT = 16 * 1024 * 1024


def read_config_file(user, path, config, problems):
    """The config's text, its mode and owner into config; None when it is missing or refused."""
    # The user writes the file and, through the unit's environment, chooses its path: no link is followed.
    text, reason = read_user(user, path, limit=CONFIG_LIMIT)[:2] if user else read_nofollow(path, CONFIG_LIMIT)
    if reason == "missing":
        config["exists"] = False
        return None
    if reason:
        config["unsafe"] = reason
        problems.problem("config_unsafe", "config %s %s: not read as root; the gateway's config cannot be checked" % (path, reason),
                         path=path, reason=reason)
        return None
    st = os.lstat(path)
    config["file_mode"] = "%04o" % (st.st_mode & 0o7777)
    try:
        config["owner"] = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        config["owner"] = str(st.st_uid)
    if st.st_mode & 0o077:
        problems.problem("config_permissions", "%s is mode %s: it holds credentials and should be 0600" % (path, config["file_mode"]))
    return text or ""


def collect_config(user, user_name, profile, config_path, gateway_env, root_home=ROOT_HOME):
    """(config fact; paths fact or None; the parsed config, never returned; Problems).

    user: the service user or None; user_name: the user option; profile: the OpenClaw profile; config_path: the
    config_path option (None: where the service reads it); gateway_env: the gateway's environment (from
    collect_environment); root_home: where `sudo openclaw` keeps its state."""
    problems = Problems()
    home = user["home"] if user else None
    service_path = config_path_for(home, gateway_env, profile) if home else None  # what the service reads
    path = config_path or service_path
    config = dict(path=path, exists=bool(path) and os.path.lexists(path), parse_ok=None, parse_error=None, valid=None, issues=[],
                  sha256=None, mode=None, bind=None, port=None, auth_mode=None, auth_secret_set=False, file_mode=None, owner=None)
    data = None
    text = read_config_file(user, path, config, problems) if config["exists"] else None
    if text is not None:
        # What the schema verdict below is about: openclaw_config_restore reuses it for a content of this hash.
        config["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
        try:
            data = parse_config(text, path)
            config["parse_ok"] = True
        except ConfigReadError as exc:
            config["parse_ok"] = False
            config["parse_error"] = exc.fault
    if data is not None:
        gateway = data.get("gateway") if isinstance(data.get("gateway"), dict) else {}
        auth = gateway.get("auth") if isinstance(gateway.get("auth"), dict) else {}
        config.update(mode=gateway.get("mode"), bind=gateway.get("bind"), port=gateway.get("port"), auth_mode=auth.get("mode"),
                      custom_bind_host=gateway.get("customBindHost"))
        config["auth_secret_set"] = bool(auth.get("token") or auth.get("password"))
    if config["parse_ok"] is False:
        config["valid"] = False

    if path and not config["exists"]:
        problems.problem("config_missing", "config %s does not exist" % path)
    elif config["parse_ok"] is False:
        problems.problem("config_unparsable", "config %s cannot be parsed: %s" % (path, config["parse_error"]))
    if data is not None:
        for problem_id, message in startup_refusals(data):
            problems.problem(problem_id, message)
    paths = None
    if config_path and gateway_env and service_path and os.path.realpath(service_path) != os.path.realpath(path):
        problems.problem("config_path_mismatch", "the service reads %s but %s was inspected" % (service_path, path))
    elif home:
        paths = compare_cli_paths(home, user_name, profile, gateway_env or {}, path, root_home, problems)
    return config, paths, data, problems


def compare_cli_paths(home, user_name, profile, service_env, service_config, root_home, problems):
    """The paths fact: where `openclaw` in a login shell looks, against the service. Edits and auth writes made with the
    CLI must land in the state the gateway reads (OpenClaw's own auth writes refuse otherwise)."""
    cli_env, set_in = shell_startup_paths(home)
    service = dict(state_dir=state_dir_for(home, service_env, profile), config_path=service_config)
    cli = dict(state_dir=state_dir_for(home, cli_env, profile), config_path=config_path_for(home, cli_env, profile),
               set_in=sorted(set(set_in.values())))
    paths = dict(service=service, cli=cli, root_config=None)
    differs = ["%s (service %s, CLI %s)" % (what.replace("_", " "), service[what], cli[what])
               for what in ("state_dir", "config_path") if os.path.realpath(service[what]) != os.path.realpath(cli[what])]
    if differs:
        where = ("set in %s" % ", ".join(cli["set_in"])) if cli["set_in"] else "the CLI uses the default"
        problems.problem("config_path_mismatch",
                         "openclaw in a login shell of %s uses another %s (%s): config edits and auth writes miss the gateway; "
                         "make both the same: OPENCLAW_STATE_DIR=%s OPENCLAW_CONFIG_PATH=%s"
                         % (user_name, " and ".join(differs), where, service["state_dir"], service["config_path"]),
                         service=service, cli=cli)
    root_config = config_path_for(root_home, {}, profile)
    if user_name != "root" and os.path.exists(root_config) and os.path.realpath(root_config) != os.path.realpath(service_config):
        paths["root_config"] = root_config
        problems.problem("cli_root_config",
                         "%s exists: openclaw run as root reads and writes it, not the service's %s; run the CLI as the service user "
                         "(sudo -u %s -H openclaw ...)" % (root_config, service_config, user_name))
    return paths
