# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: auth-profile drift, what OpenClaw stores against what the config registers and orders,
profiles in cooldown, legacy auth-profiles.json files and the sessions pinned to an unusable profile. Never a secret."""

import glob
import json
import os

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems, read_reported
from ansible_collections.clawops.openclaw.plugins.module_utils._common import redact_value
from ansible_collections.clawops.openclaw.plugins.module_utils._sessions import automatic, read_pins, stored_profile_ids, unusable_profiles

LEGACY_LIMIT = 16 * 1024 * 1024


def cli_json(cli, argv):
    """(parsed JSON, None) or (None, OpenClaw's error message) of a CLI call. cli: the OpenClawCli."""
    result = cli.call(argv)
    data = result.json()
    if result.rc == 0 and data is not None:
        return data, None
    error = data.get("error") if data else None
    message = error.get("message") if isinstance(error, dict) else None
    return None, redact_value(message) if isinstance(message, str) and message else cli.error(result).detail[-500:]


def legacy_profile_ids(user, state_dir, problems):
    """{path: profile ids} of the agents' legacy auth-profiles.json files."""
    legacy_ids = {}
    for legacy in sorted(glob.glob(os.path.join(state_dir, "agents", "*", "agent", "auth-profiles.json"))):
        text, dummy = read_reported(user, legacy, problems, limit=LEGACY_LIMIT)
        try:
            legacy_ids[legacy] = sorted((json.loads(text or "{}").get("profiles") or {}).keys())
        except (ValueError, AttributeError):
            legacy_ids[legacy] = []
    return legacy_ids


def collect_auth(user, installed, config, config_data, cli_json_call):
    """(auth fact; Problems).

    user: the service user or None; installed: whether OpenClaw is installed; config: the config fact (its path and
    parse_ok); config_data: the parsed config (auth.profiles, auth.order); cli_json_call: argv -> (JSON, error), the
    CLI run as the service user (cli_json)."""
    problems = Problems()
    # read: whether OpenClaw answered; without it `stored` is empty for want of an answer, not because nothing is stored.
    auth = dict(read=False, stored=[], registered=[], order={}, unusable=[], legacy_files=[], pins=[], drift=[])
    if not (installed and user and config["parse_ok"]):
        return auth, problems

    def drift(kind, message, **extra):
        auth["drift"].append(dict(kind=kind, **extra))
        problems.problem("auth_" + kind, message, **extra)

    # Legacy files first: while one is present OpenClaw refuses every auth command.
    state_dir = os.path.dirname(config["path"])
    legacy_ids = legacy_profile_ids(user, state_dir, problems)
    # One CLI start: `models status` lists every stored profile and the unusable ones. (`models auth list` says the
    # same about the store and costs three times the CPU: it starts a SQLite worker.)
    status, error = cli_json_call(["models", "status", "--json"])
    if error and "legacy credential migration" in error:
        drift("legacy_migration_required", "OpenClaw refuses auth commands until the legacy auth-profiles.json is migrated "
              "(`openclaw doctor --fix`): %s" % error)
    elif error:
        problems.problem("auth_unreadable", "openclaw models status failed, auth drift unknown: %s" % error)
    stored = stored_profile_ids(status)
    for legacy, ids in legacy_ids.items():
        missing = [profile_id for profile_id in ids if profile_id not in stored]
        auth["legacy_files"].append(dict(path=legacy, profile_ids=ids, not_imported=missing))
        if missing:
            drift("legacy_not_imported", "%s holds %s, never imported (OpenClaw no longer reads this file; "
                  "run `openclaw doctor --fix` or re-add them with the auth role)" % (legacy, ", ".join(missing)), path=legacy)
    if status is None:
        return auth, problems
    data = config_data or {}
    config_auth = data.get("auth") if isinstance(data.get("auth"), dict) else {}
    registered = sorted((config_auth.get("profiles") or {}).keys()) if isinstance(config_auth.get("profiles"), dict) else []
    order = config_auth.get("order") if isinstance(config_auth.get("order"), dict) else {}
    unusable = unusable_profiles(status)
    auth.update(read=True, stored=stored, registered=registered, order=order, unusable=unusable)
    for profile_id in sorted(set(stored) - set(registered)):
        drift("stored_not_registered", "auth profile %s is stored but not registered under auth.profiles: it never joins rotation"
              % profile_id, profile_id=profile_id)
    for profile_id in sorted(set(registered) - set(stored)):
        drift("registered_not_stored", "auth profile %s is registered but has no stored credential" % profile_id, profile_id=profile_id)
    for provider, ids in sorted(order.items()):
        left_out = sorted(profile_id for profile_id in stored if profile_id.split(":", 1)[0] == provider and profile_id not in (ids or []))
        if left_out:
            drift("order_excludes_stored", "auth.order.%s leaves out %s: they never rotate (remove the order for round robin)"
                  % (provider, ", ".join(left_out)), provider=provider, profile_ids=left_out)
    for item in unusable:
        drift("profile_unusable", "auth profile %s is in %s (%s) for another %s s"
              % (item["profile_id"], item["kind"], item["reason"], int((item["remaining_ms"] or 0) / 1000)), profile_id=item["profile_id"])
    pins, pin_errors = read_pins(state_dir)
    auth["pins"] = pins
    for error in pin_errors:
        problems.problem("auth_pins_unreadable", "session auth pins unknown: %s" % error)
    cooling = set(item["profile_id"] for item in unusable)
    for pin in automatic(pins):
        if pin["profile_id"] in cooling:
            drift("session_pinned_to_unusable", "session %s is automatically pinned to %s, which is in cooldown or disabled "
                  "(playbooks/rotate_auth.yml resets automatic pins)" % (pin["session_key"], pin["profile_id"]),
                  profile_id=pin["profile_id"], session_key=pin["session_key"])
    return auth, problems
