# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: OpenClaw's own schema check of the config (`openclaw config validate --json`, a CLI start of
~2-3 s), started early when it will be needed anyway, or vouched for by a ready gateway that loaded the very file."""

import os
import re
import threading

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_procfs import process_start_time
from ansible_collections.clawops.openclaw.plugins.module_utils._common import redact_value

VALIDATE_ARGS = ("config", "validate", "--json")
# What an OpenClaw CLI says, and then refuses to run, on a state database a newer release migrated.
SCHEMA_REFUSAL = re.compile(r"uses newer schema version (\d{1,6}); this build supports (\d{1,6})")


def validation_needed(validate, config, cli_path):
    """validate: the validate_config option; config: the config fact; cli_path: the CLI found (None: not installed)."""
    return bool(validate and config["exists"] and config["parse_ok"] and cli_path)


class EarlyValidation:
    """The CLI's schema check running in a thread, so that its seconds overlap the rest of the gathering."""

    def __init__(self, cli):
        self.results = []
        self.thread = threading.Thread(target=lambda: self.results.append(cli.call(VALIDATE_ARGS)))
        self.thread.start()

    def result(self):
        self.thread.join()
        return self.results[0] if self.results else None


def start_early_validation(needed, active_state, cli):
    """An EarlyValidation when the check will be needed whatever the probes say (the service is not up, so no gateway can
    vouch for the file), else None. cli: a zero-argument callable giving the OpenClawCli."""
    if not needed or active_state in ("active", "reloading"):
        return None
    return EarlyValidation(cli())


def loaded_by_ready_gateway(path, service_pid, ready_ok):
    """True when the service's process is ready and started after the config file last changed."""
    started = process_start_time(service_pid) if service_pid and ready_ok else None
    try:
        return started is not None and os.stat(path).st_mtime < started
    except OSError:
        return False


def collect_validation(config, cli, early, trust_loaded, service_pid, ready_ok):
    """(changes to the config fact: valid, validated_by, issues or validate_error; Problems). Call it only when
    validation_needed.

    config: the config fact; cli: a zero-argument callable giving the OpenClawCli; early: the EarlyValidation or None;
    trust_loaded: not validate_loaded_config (a ready gateway that loaded the file vouches for it); service_pid and
    ready_ok: the service's main process and whether /ready said ready."""
    problems = Problems()
    if early is not None:
        result = early.result()
    elif trust_loaded and loaded_by_ready_gateway(config["path"], service_pid, ready_ok):
        # The gateway validated this very file when it loaded it, and it serves.
        return dict(valid=True, validated_by="running gateway"), problems
    else:
        result = cli().call(VALIDATE_ARGS)
    verdict = (result.json() if result else None) or {}
    changes = {}
    if "valid" in verdict:
        changes.update(valid=bool(verdict["valid"]), validated_by="openclaw config validate",
                       issues=[dict(path=i.get("path"), message=redact_value(i.get("message")))
                               for i in verdict.get("issues", []) if isinstance(i, dict)])
    else:
        changes["validate_error"] = cli().error(result).detail[-500:] if result else "the validation did not run"
        refused = SCHEMA_REFUSAL.search("%s\n%s" % (result.stdout, result.stderr)) if result else None
        if refused:
            # Not a config fault: the binary is older than the state (a code-only rollback, a lowered gateway_version).
            problems.problem("version_skew", "the state database has schema %s, which the installed OpenClaw (schema %s) refuses: "
                             "a newer release migrated it; the gateway and the CLI refuse to start" % refused.groups())
    merged = dict(config, **changes)
    if merged["valid"] is False:
        problems.problem("config_invalid", "config %s fails OpenClaw's schema: %s" % (
            config["path"], "; ".join("%s: %s" % (i["path"], i["message"]) for i in merged["issues"]) or "see openclaw config validate"))
    return changes, problems
