# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The finding registry: every problem id openclaw_facts can report, in one table.

Each entry says how bad the finding is, what it means to an operator, which remediate unit (fault
class, also its tag) fixes it, the fix as data (a playbook and its tags, or instructions for a
person), the docs/runbook.md section about it, whether remediate may act on it, which function
raises it (detection: MODULE.FUNCTION of plugins/module_utils/, an openclaw_facts collector or the
helper it calls) and which tests trigger it. The facts module attaches the operator-facing fields
to every problem it reports; doctor renders them and remediate selects its units from the fault
classes, so the two cannot disagree about a finding. docs/findings.md is generated from this
table (scripts/gen_findings_doc.py).

Standard library only: scripts and molecule tests load this file directly.
"""

import ast
import os
import re

SEVERITIES = ("warning", "error", "critical")
# remediate's units in the order main.yml runs them: the config first (a broken config makes every
# restart fail), the service last but one, the hung gateway last.
FAULT_CLASSES = ("config_restore", "config_policy", "proxy_env", "locks", "service", "port", "hung")
REMEDIATE = "playbooks/remediate.yml"
SITE = "playbooks/site.yml"
ROTATE_AUTH = "playbooks/rotate_auth.yml"
PLAYBOOKS = (REMEDIATE, SITE, ROTATE_AUTH)
FIELDS = ("severity", "meaning", "fault_class", "fix", "runbook", "remediate", "detection", "tests")
# Operator words only: no internal incident or issue numbering in what doctor prints.
INTERNAL_WORDING = re.compile(r"\bseeds?\b|\bissue \d+|\bfault class [a-z]\b", re.IGNORECASE)

# Test ids: pytest node ids from the collection root (a parametrized case as `test_x[case]`).
_FACTS = "tests/unit/plugins/modules/test_openclaw_facts.py::"
_FACTS_AUTH = "tests/unit/plugins/modules/test_openclaw_facts_auth.py::"
_FACTS_CONFINEMENT = "tests/unit/plugins/modules/test_openclaw_facts_confinement.py::"
_FACTS_OPTIONS = "tests/unit/plugins/modules/test_openclaw_facts_options.py::"
_FACTS_SECRETS = "tests/unit/plugins/modules/test_openclaw_facts_secrets.py::"
_FACTS_FINDINGS = "tests/unit/plugins/modules/test_openclaw_facts_findings.py::"
_FACTS_WATCHDOG = "tests/unit/plugins/modules/test_openclaw_facts_watchdog.py::"
_REMEDIATION = "extensions/molecule/remediation/tests/test_remediation.py::test_fault_is_detected_fixed_and_verified"

# Runbook sections (the anchors GitHub gives the headings of docs/runbook.md).
_RB_PROXY = "bot-offline-feishu-says-errorinfo-app-not-online"
_RB_OUTSIDE = "proxy-variables-outside-the-collections-drop-in"
_RB_EGRESS = "split-egress-provider-calls-fail-or-leave-directly"
_RB_MISSING = "missing-pieces-user-openclaw-nodejs-config"
_RB_SERVICE = "unit-openclawservice-could-not-be-found--the-gateway-runs-twice"
_RB_CRASH = "the-gateway-keeps-restarting-then-stays-down-crash-loop"
_RB_REFUSED = "gateway-start-blocked-set-gatewaymodelocal--refusing-to-bind-gateway--without-auth"
_RB_SYNTAX = "config-syntax-errors-trailing-commas-missing-quotes"
_RB_PATHS = "config-cli-vs-config-service-differ"
_RB_PORT = "eaddrinuse--another-gateway-instance-is-already-listening"
_RB_HUNG = "status-says-listening-but-every-request-times-out"
_RB_NOT_READY = "ready-answers-but-the-gateway-is-not-ready"
_RB_LOCKS = "gateway-is-already-running-pid-file-exists--stale-locks"
_RB_UNSAFE = "files-root-would-not-read"
_RB_AUTH = "auth-findings-cooldowns-unregistered-keys-legacy-files"
_RB_SKEW = "this-openclaw-binary-is-older-than-the-config-last-written-version-skew"
_RB_RELEASES = "the-gateway-runs-another-version-than-the-active-release-restart_pending"
_RB_WATCHDOG = "the-watchdog-restarted-the-gateway-or-gave-up"
_RB_BACKUP = "scheduled-backups-are-stale"


def _remediate(*tags, **note):
    return dict(playbook=REMEDIATE, tags=list(tags), note=note.get("note"))


def _playbook(playbook, note=None):
    return dict(playbook=playbook, tags=[], note=note)


def _manual(text):
    return dict(manual=text)


def _finding(severity, meaning, fault_class, fix, runbook, detection, tests):
    return dict(severity=severity, meaning=meaning, fault_class=fault_class, fix=fix, runbook=runbook,
                remediate=fault_class is not None, detection=detection, tests=list(tests))


FINDINGS = {
    # --- the node: user, install, Node.js ------------------------------------------------------------
    "user_missing": _finding(
        "error", "the service user does not exist", None, _playbook(SITE), _RB_MISSING, "_collect_service.collect_user",
        [_FACTS_FINDINGS + "test_a_node_without_the_service_user"]),
    "not_installed": _finding(
        "error", "OpenClaw is not installed", None, _playbook(SITE), _RB_MISSING, "_collect_install.collect_install",
        [_FACTS_FINDINGS + "test_a_node_without_openclaw_and_node"]),
    "node_missing": _finding(
        "error", "there is no Node.js for OpenClaw", None, _playbook(SITE, "node role"), _RB_MISSING, "_collect_install.collect_install",
        [_FACTS_FINDINGS + "test_a_node_without_openclaw_and_node"]),
    "version_skew": _finding(
        "error", "the installed OpenClaw is older than the config it runs: the gateway refuses to start (exit 78)", None,
        _manual("install the version the finding names or a newer one (gateway_version, then playbooks/site.yml), or "
                "put back the archive that older version wrote before the upgrade (~/clawops-backups/upgrades, "
                "module openclaw_backup state=restored) and keep it; a config restore does not help"),
        _RB_SKEW, "_collect_install.collect_version_skew",
        [_FACTS_FINDINGS + "test_a_binary_older_than_its_config_is_version_skew_not_an_invalid_config"]),
    "restart_pending": _finding(
        "warning", "the gateway still runs another OpenClaw version than the active release: it serves the old code until it restarts",
        None, _playbook(SITE, "the gateway role restarts it onto the active release, or rolls back when that one does not get ready"),
        _RB_RELEASES, "_collect_install.collect_release",
        [_FACTS_FINDINGS + "test_a_gateway_started_before_the_release_switch_is_restart_pending"]),
    "node_unsupported": _finding(
        "error", "Node.js is outside the range OpenClaw supports", None, _playbook(SITE, "node role"), _RB_MISSING, "_collect_install.collect_install",
        [_FACTS_FINDINGS + "test_an_unsupported_node_version"]),
    # --- the service --------------------------------------------------------------------------------
    "linger_off": _finding(
        "error", "linger is off: the user service stops at logout and does not start at boot", "service", _remediate("service"),
        _RB_SERVICE, "_collect_service.collect_user",
        [_FACTS_FINDINGS + "test_a_node_without_linger", _REMEDIATION + "[unit_missing_and_linger_off]"]),
    "user_manager_unreachable": _finding(
        "error", "the service user's systemd manager does not answer (often because linger is off)", "service",
        _remediate("service"), _RB_SERVICE, "_collect_service.ask_manager",
        [_FACTS_FINDINGS + "test_an_unreachable_user_manager"]),
    "system_unit_present": _finding(
        "error", "a system-wide OpenClaw unit competes with the user service", "service", _remediate("service"), _RB_SERVICE,
        "_collect_service.collect_service",
        [_FACTS_OPTIONS + "test_unrelated_system_units_are_not_flagged", _REMEDIATION + "[system_unit_and_service_stopped]"]),
    "unit_missing": _finding(
        "error", "the gateway's user unit is missing", "service", _remediate("service"), _RB_SERVICE, "_collect_service.collect_service",
        [_FACTS_FINDINGS + "test_a_missing_unit", _REMEDIATION + "[unit_missing_and_linger_off]"]),
    "service_inactive": _finding(
        "error", "the gateway service is stopped", "service", _remediate("service"), _RB_SERVICE, "_collect_service.state_problems",
        [_FACTS + "test_service_state_findings[stopped]", _REMEDIATION + "[system_unit_and_service_stopped]"]),
    "service_failed": _finding(
        "error", "the gateway service failed (exit status 78: it refuses its config)", "service",
        _remediate("config_restore", "config_policy", "service"), _RB_SERVICE, "_collect_service.state_problems",
        [_FACTS + "test_service_state_findings[failed]"]),
    "service_crash_loop": _finding(
        "error", "the gateway keeps crashing; systemd may have stopped restarting it", "service",
        _remediate("config_restore", "config_policy", "service"), _RB_CRASH, "_collect_service.state_problems",
        [_FACTS + "test_service_state_findings[gave-up-252]", _REMEDIATION + "[crash_loop]"]),
    "service_disabled": _finding(
        "warning", "the gateway service is not enabled: it will not start at boot", "service", _remediate("service"), _RB_SERVICE,
        "_collect_service.state_problems",
        [_FACTS_FINDINGS + "test_a_disabled_service"]),
    # --- the environment and its proxy variables -------------------------------------------------------
    "proxy_outside_dropin": _finding(
        "warning", "a proxy variable that reaches the gateway is set outside the collection's drop-in (the one place the "
        "gateway's environment is managed)", "proxy_env", _remediate("proxy_env"), _RB_OUTSIDE, "_collect_environment.proxy_findings",
        [_FACTS_FINDINGS + "test_proxy_variables_outside_the_dropin_are_findings", _REMEDIATION + "[proxy_env_and_stale_lock]"]),
    "proxy_all_proxy": _finding(
        "error", "ALL_PROXY reaches the gateway and drags chat-channel WebSockets through the proxy", "proxy_env",
        _remediate("proxy_env"), _RB_PROXY, "_collect_environment.proxy_findings",
        [_FACTS + "test_gather_environment_sources", _REMEDIATION + "[proxy_env_and_stale_lock]"]),
    "proxy_source_unsafe": _finding(
        "warning", "a proxy variable is set in a file remediation must not edit (outside the service user's home, reached "
        "through a link, or not a regular file)", None,
        _manual("remove the assignment from the file the finding names by hand"), _RB_UNSAFE, "_collect_environment.proxy_findings",
        [_FACTS_CONFINEMENT + "test_environment_file_escaping_the_home_with_dotdot_is_not_confined"]),
    "proxy_socks_url": _finding(
        "error", "a socks:// URL in HTTP(S)_PROXY reaches the gateway; Node's support is experimental and Feishu ignores it",
        "proxy_env", _remediate("proxy_env"), _RB_EGRESS, "_collect_egress.collect_egress",
        [_FACTS_FINDINGS + "test_egress_findings[socks-url]", _FACTS_SECRETS + "test_egress_and_messages_carry_no_proxy_password"]),
    "no_proxy_missing": _finding(
        "error", "NO_PROXY lacks chat-channel or loopback hosts, so their connections go through the proxy", None,
        _playbook(SITE, "gateway and egress roles; a proxy set elsewhere is proxy_outside_dropin"), _RB_EGRESS, "_collect_egress.collect_egress",
        [_FACTS_FINDINGS + "test_egress_findings[no-proxy-missing]"]),
    "proxy_not_local": _finding(
        "warning", "the gateway's proxy is not on this node", None,
        _manual("point gateway_proxy_url at the local Privoxy (egress role) and run playbooks/site.yml"), _RB_EGRESS,
        "_collect_egress.collect_egress",
        [_FACTS_FINDINGS + "test_egress_findings[proxy-not-local]"]),
    # --- split egress ----------------------------------------------------------------------------------
    "proxied_domain_direct": _finding(
        "error", "a model-provider domain leaves the node directly instead of through the relay", None,
        _playbook(SITE, "egress role"), _RB_EGRESS, "_collect_egress.route_of",
        [_FACTS_FINDINGS + "test_egress_findings[domain-direct]"]),
    "proxied_domain_bypassed": _finding(
        "error", "NO_PROXY exempts a domain that must go through the relay", None, _playbook(SITE, "egress role"), _RB_EGRESS,
        "_collect_egress.route_of",
        [_FACTS_FINDINGS + "test_egress_findings[domain-bypassed]"]),
    "privoxy_default_not_first": _finding(
        "error", "Privoxy's `forward / .` is not its first forward rule, so the rules before it are overridden", None,
        _playbook(SITE, "egress role"), _RB_EGRESS, "_collect_egress.check_privoxy",
        [_FACTS_FINDINGS + "test_egress_findings[privoxy-default-last]"]),
    "privoxy_inactive": _finding(
        "error", "Privoxy is down: proxied provider calls fail", None, _playbook(SITE, "egress role"), _RB_EGRESS, "_collect_egress.check_privoxy",
        [_FACTS_FINDINGS + "test_egress_findings[services-down]"]),
    "ss_local_inactive": _finding(
        "error", "the Shadowsocks client is down: proxied provider calls fail", None, _playbook(SITE, "egress role"), _RB_EGRESS,
        "_collect_egress.check_ss_local",
        [_FACTS_FINDINGS + "test_egress_findings[services-down]"]),
    "relay_unreachable": _finding(
        "error", "the relay server does not answer: proxied provider calls fail", None,
        _manual("check the relay server (playbooks/site.yml for group openclaw_relays), its firewall and the password"),
        _RB_EGRESS, "_collect_egress.check_ss_local",
        [_FACTS_FINDINGS + "test_egress_findings[services-down]"]),
    # --- the config ------------------------------------------------------------------------------------
    "config_missing": _finding(
        "error", "the config file does not exist", None, _playbook(SITE), _RB_MISSING, "_collect_config.collect_config",
        [_FACTS_FINDINGS + "test_config_file_findings[missing]"]),
    "config_unsafe": _finding(
        "error", "the config is a link or not a regular file: root did not read it, so it cannot be checked", None,
        _manual("replace the link or special file with the service user's regular config file"), _RB_UNSAFE, "_collect_config.read_config_file",
        [_FACTS_CONFINEMENT + "test_config_link_is_not_read"]),
    "config_permissions": _finding(
        "warning", "the config holds credentials and other users can read it", "config_policy", _remediate("config_policy"),
        _RB_REFUSED, "_collect_config.read_config_file",
        [_FACTS_FINDINGS + "test_config_file_findings[readable-by-others]"]),
    "config_unparsable": _finding(
        "error", "the config cannot be parsed: the gateway will not start", "config_restore", _remediate("config_restore"),
        _RB_SYNTAX, "_collect_config.collect_config",
        [_FACTS_SECRETS + "test_broken_config_parse_error_holds_no_secret", _REMEDIATION + "[config_unparsable]"]),
    "config_invalid": _finding(
        "error", "the config fails OpenClaw's schema: the gateway will not start", "config_restore", _remediate("config_restore"),
        _RB_SYNTAX, "_collect_validation.collect_validation",
        [_FACTS + "test_schema_issues_become_config_invalid", _REMEDIATION + "[config_schema_invalid]"]),
    "gateway_mode_missing": _finding(
        "error", "gateway.mode is not set: the gateway refuses to start (exit 78)", "config_policy", _remediate("config_policy"),
        _RB_REFUSED, "_common.startup_refusals",
        [_FACTS_FINDINGS + "test_config_file_findings[mode-missing]", _REMEDIATION + "[mode_missing_and_bind_without_auth]"]),
    "bind_without_auth": _finding(
        "error", "the gateway binds beyond loopback without auth: it refuses to start (exit 78)", "config_policy",
        _remediate("config_policy"), _RB_REFUSED, "_common.startup_refusals",
        [_FACTS_FINDINGS + "test_config_file_findings[lan-without-auth]", _REMEDIATION + "[mode_missing_and_bind_without_auth]"]),
    "config_path_mismatch": _finding(
        "error", "the CLI (a login shell of the service user) and the service use different config or state paths: CLI "
        "edits miss the gateway and auth writes refuse", None,
        _manual("make them agree: remove the OPENCLAW_* export from the shell start-up file the finding names, or set the "
                "same paths for the service through gateway_environment and run playbooks/site.yml"),
        _RB_PATHS, "_collect_config.compare_cli_paths",
        [_FACTS + "test_cli_state_dir_exported_in_a_shell_file_is_a_mismatch"]),
    "cli_root_config": _finding(
        "warning", "a config under /root/.openclaw is what openclaw run as root uses, not the service's", None,
        _manual("run the CLI as the service user (sudo -u openclaw -H openclaw ...); move the root copy aside once nothing "
                "needs it"),
        _RB_PATHS, "_collect_config.compare_cli_paths",
        [_FACTS + "test_a_root_config_is_a_warning"]),
    # --- the running gateway ---------------------------------------------------------------------------
    "port_conflict": _finding(
        "error", "another process holds the gateway port", "port",
        _remediate("port", note="a process that is not a gateway is only stopped with remediate_port_kill_foreign=true"),
        _RB_PORT, "_collect_procfs.collect_listeners",
        [_FACTS_FINDINGS + "test_readiness_findings[port-held]", _REMEDIATION + "[duplicate_gateway]"]),
    "gateway_hung": _finding(
        "critical", "the process is alive but /ready does not answer", "hung", _remediate("hung"), _RB_HUNG, "_collect_http.collect_probes",
        [_FACTS_FINDINGS + "test_readiness_findings[hung]", _REMEDIATION + "[hung]"]),
    "gateway_starting": _finding(
        "warning", "the service runs but nothing listens on the gateway port yet", None,
        _manual("wait a minute and run doctor again; if it still does not listen, read the log file (facts log_file)"),
        _RB_NOT_READY, "_collect_http.collect_probes",
        [_FACTS_FINDINGS + "test_readiness_findings[starting]"]),
    "not_ready": _finding(
        "error", "/ready answers but lists failing components (a channel or the agent database)", None,
        _manual("read `failing` in the facts and the log file; channel credentials are the usual cause"),
        _RB_NOT_READY, "_collect_http.collect_probes",
        [_FACTS_FINDINGS + "test_readiness_findings[failing-channel]"]),
    "event_loop_degraded": _finding(
        "error", "the event loop stalls requests: its p99 delay stays above the threshold in readings a second apart for 5 s",
        "hung", _remediate("hung"), _RB_HUNG, "_collect_http.event_loop_problems",
        [_FACTS + "test_event_loop_delay_counts_only_after_the_startup_grace[long-running]",
         _FACTS + "test_a_slow_event_loop_counts_only_when_it_lasts[stall]", _REMEDIATION + "[event_loop_degraded]"]),
    "event_loop_busy": _finding(
        "warning", "a busy event loop that does not last: the first minute after a start, a reload, a loaded host", None,
        _manual("nothing while it is a burst; a delay that lasts becomes event_loop_degraded, which playbooks/remediate.yml "
                "--tags hung fixes"),
        _RB_HUNG, "_collect_http.event_loop_problems",
        [_FACTS + "test_event_loop_delay_counts_only_after_the_startup_grace[just-started]",
         _FACTS + "test_a_slow_event_loop_counts_only_when_it_lasts[burst]"]),
    "watchdog_gave_up": _finding(
        "error", "the watchdog restarted the gateway as often as its budget allows and no longer acts: it keeps failing", None,
        _manual("read the newest bundles in /var/lib/clawops-openclaw/diagnostics/ and `journalctl -u clawops-openclaw-watchdog`, "
                "fix the cause; playbooks/remediate.yml --tags hung restarts the gateway now; the watchdog acts again once its "
                "oldest restart is older than watchdog_budget_window_s"),
        _RB_WATCHDOG, "_collect_watchdog.collect_watchdog",
        [_FACTS_WATCHDOG + "test_the_watchdog_fact[gave-up]"]),
    "watchdog_stale": _finding(
        "warning", "the watchdog is installed but has not checked the gateway lately: its timer is stopped or its check fails", None,
        _playbook(SITE, note="reinstalls the watchdog and starts its timer; `systemctl status clawops-openclaw-watchdog.timer` "
                             "and `journalctl -u clawops-openclaw-watchdog` say why it stopped"),
        _RB_WATCHDOG, "_collect_watchdog.collect_watchdog",
        [_FACTS_WATCHDOG + "test_the_watchdog_fact[stale]", _FACTS_WATCHDOG + "test_the_watchdog_fact[never-ran]",
         _FACTS_WATCHDOG + "test_the_watchdog_fact[bad-settings]"]),
    "backup_stale": _finding(
        "warning", "no scheduled backup of the gateway's state for two intervals: the backup timer is stopped or "
        "`openclaw backup create --verify` fails", None,
        _manual("`journalctl -u clawops-openclaw-backup` says why (disk full, a state OpenClaw cannot read); fix it, then "
                "`systemctl start clawops-openclaw-backup.service` and check `openclaw_facts` again; site.yml reinstalls the timer"),
        _RB_BACKUP, "_collect_backups.collect_backups",
        [_FACTS_WATCHDOG + "test_the_backup_fact[stale]", _FACTS_WATCHDOG + "test_the_backup_fact[never-written]"]),
    "service_oom_killed": _finding(
        "warning", "the kernel's OOM killer ended the gateway for memory (the memory guard's MemoryMax or the host's RAM); "
        "systemd started it again", None,
        _manual("see how RSS grew before (openclaw_resident_memory_bytes, alert OpenClawMemoryNearLimit): a leak is fixed by a "
                "restart until upgraded; a real need by a bigger gateway_memory_max or more RAM"),
        _RB_CRASH, "_collect_service.state_problems",
        [_FACTS_FINDINGS + "test_an_oom_kill_is_named_as_such[restarted]", _FACTS_FINDINGS + "test_an_oom_kill_is_named_as_such[auto-restart]"]),
    "stale_lock": _finding(
        "warning", "a gateway lock file whose owner is gone", "locks", _remediate("locks"), _RB_LOCKS, "_collect_locks.collect_locks",
        [_FACTS_CONFINEMENT + "test_regular_stale_lock_is_confined_and_stale", _REMEDIATION + "[proxy_env_and_stale_lock]"]),
    # --- files root refused to read --------------------------------------------------------------------
    "user_file_unsafe": _finding(
        "warning", "a file of the service user is a link or not a regular file: root did not read it", None,
        _manual("look at the file the finding names and replace it with a regular file (or remove it)"), _RB_UNSAFE,
        "_collect_base.unsafe_file",
        [_FACTS_CONFINEMENT + "test_unit_link_is_not_read"]),
    "lock_unsafe": _finding(
        "warning", "a lock file is a link, not a regular file of the service user, or in a linked directory: left alone", None,
        _manual("look at the lock the finding names and remove it by hand once no gateway runs"), _RB_UNSAFE, "_collect_locks.collect_locks",
        [_FACTS_CONFINEMENT + "test_linked_lock_is_left_alone"]),
    "log_file_unsafe": _finding(
        "warning", "the gateway's log file is a link or in a directory of another user: not read", None,
        _manual("remove the link or the foreign /tmp/openclaw directory; the gateway creates its log again"), _RB_UNSAFE,
        "_collect_logs.collect_log_file",
        [_FACTS_CONFINEMENT + "test_log_file_link_is_not_reported"]),
    # --- auth ------------------------------------------------------------------------------------------
    "auth_stored_not_registered": _finding(
        "error", "a stored key is not registered under auth.profiles: it never joins rotation", None, _playbook(ROTATE_AUTH),
        _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_AUTH + "test_auth_drift_is_reported_without_secrets"]),
    "auth_registered_not_stored": _finding(
        "error", "a registered auth profile has no stored credential", None, _playbook(ROTATE_AUTH), _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_AUTH + "test_auth_drift_is_reported_without_secrets"]),
    "auth_order_excludes_stored": _finding(
        "warning", "an explicit auth.order leaves stored keys out of rotation", None,
        _playbook(ROTATE_AUTH, "with auth_order: {PROVIDER: []}"), _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_AUTH + "test_auth_drift_is_reported_without_secrets"]),
    "auth_profile_unusable": _finding(
        "warning", "a key is in cooldown or disabled", None,
        _manual("nothing while a backup key serves; playbooks/rotate_auth.yml replaces the key"), _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_AUTH + "test_auth_drift_is_reported_without_secrets"]),
    "auth_session_pinned_to_unusable": _finding(
        "warning", "a session is automatically pinned to a key in cooldown", None, _playbook(ROTATE_AUTH), _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_AUTH + "test_automatic_pin_to_a_cooling_profile_is_drift_and_a_user_pin_is_not"]),
    "auth_legacy_not_imported": _finding(
        "warning", "a legacy auth-profiles.json holds keys OpenClaw no longer reads", None,
        _manual("run `openclaw doctor --fix` as the service user, or add the keys to auth_profiles"), _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_AUTH + "test_legacy_file_not_imported"]),
    "auth_legacy_migration_required": _finding(
        "error", "OpenClaw refuses every auth command until the legacy auth file is migrated", None,
        _manual("run `openclaw doctor --fix` as the service user, then playbooks/rotate_auth.yml"), _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_AUTH + "test_legacy_file_blocking_the_cli_is_an_error"]),
    "auth_unreadable": _finding(
        "warning", "the auth state could not be read, so auth drift is unknown", None,
        _manual("run `openclaw models status --json` as the service user and read its error"), _RB_AUTH, "_collect_auth.collect_auth",
        [_FACTS_FINDINGS + "test_unreadable_auth_state"]),
    "auth_pins_unreadable": _finding(
        "warning", "the sessions' auth pins could not be read", None,
        _manual("check the owner and permissions of the agent stores (agents/*/agent/openclaw-agent.sqlite)"), _RB_AUTH,
        "_collect_auth.collect_auth",
        [_FACTS_FINDINGS + "test_unreadable_auth_state"]),
}

# What an id the registry does not know gets (the unit tests refuse to raise one): loud, and manual.
UNKNOWN = dict(severity="error", meaning="not in the finding registry: see the message", fault_class=None,
               fix=_manual("see docs/runbook.md"), runbook="", remediate=False, detection=None, tests=[])


def entry(finding_id):
    """The registry entry of an id (KeyError for an unknown one)."""
    return FINDINGS[finding_id]


def fix_text(finding_id):
    """The fix as one line for people: `playbooks/remediate.yml --tags a,b (note)` or `manual: ...`."""
    fix = FINDINGS.get(finding_id, UNKNOWN)["fix"]
    if "manual" in fix:
        return "manual: " + fix["manual"]
    text = fix["playbook"] + (" --tags " + ",".join(fix["tags"]) if fix["tags"] else "")
    return text + (" (%s)" % fix["note"] if fix.get("note") else "")


def problem_fields(finding_id):
    """What the facts module attaches to each problem: the registry's operator-facing fields."""
    item = FINDINGS.get(finding_id, UNKNOWN)
    fix = dict(item["fix"])
    if "tags" in fix:
        fix["tags"] = list(fix["tags"])  # a copy: callers may change their problem, never the registry
    return dict(severity=item["severity"], meaning=item["meaning"], fault_class=item["fault_class"], remediate=item["remediate"],
                fix=fix, fix_text=fix_text(finding_id),
                manual="manual" in item["fix"], runbook="docs/runbook.md#" + item["runbook"] if item["runbook"] else None)


# Findings no unit can fix that make every start of the gateway fail the same way: while one is present, remediate
# runs no unit (each would end in a restart that fails again, e.g. a crash loop caused by a version skew).
BLOCKS_REMEDIATION = ("version_skew",)


def fault_classes(problems):
    """The fault classes (remediate units) of the present problems, in the order remediate runs them: the fault class
    the facts attached to each problem, else the registry's. None while a finding of BLOCKS_REMEDIATION is present."""
    if any(p.get("id") in BLOCKS_REMEDIATION for p in problems or []):
        return []
    present = set(p["fault_class"] if "fault_class" in p else FINDINGS.get(p.get("id"), UNKNOWN)["fault_class"] for p in problems or [])
    return [name for name in FAULT_CLASSES if name in present]


def fault_class_ids(classes):
    """The finding ids the given fault classes fix (`all` stands for every class)."""
    wanted = set(FAULT_CLASSES) if "all" in (classes or []) else set(classes or [])
    return sorted(fid for fid, item in FINDINGS.items() if item["fault_class"] in wanted)


def runbook_anchors(markdown):
    """GitHub's anchors of the headings in a Markdown text."""
    anchors = set()
    for line in markdown.splitlines():
        match = re.match(r"#{1,6}\s+(.*?)\s*$", line)
        if match:
            anchors.add(re.sub(r"[^\w\- ]", "", match.group(1).lower(), flags=re.UNICODE).replace(" ", "-"))
    return anchors


def _test_names(path):
    """{test function name: set of literal parametrize ids} of a test file."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            ids = set()
            for decorator in node.decorator_list:
                for keyword in getattr(decorator, "keywords", []):
                    if keyword.arg == "ids" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                        ids.update(e.value for e in keyword.value.elts if isinstance(e, ast.Constant))
            names[node.name] = ids
    return names


def molecule_fault_table(path):
    """{fault name: set of expected finding ids} from a molecule suite's FAULTS table (read, not run)."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    table = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "FAULTS" for t in node.targets):
            for row in node.value.elts:
                name, expected = row.elts[0], row.elts[2]
                table[name.value] = set(e.value for e in expected.elts)
    return table


def function_strings(path):
    """{function name: set of the string literals in its body} of a Python file (nested functions included)."""
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    return dict((node.name, set(n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)))
                for node in ast.walk(tree) if isinstance(node, ast.FunctionDef))


def _detection_errors(root, fid, detection, sources):
    """detection is MODULE.FUNCTION of plugins/module_utils/ (a collector, or the helper a collector raises the finding
    from): the function must exist and name the id (auth drift kinds are named without their auth_ prefix)."""
    module, dummy, function = detection.partition(".")
    path = os.path.join(root, "plugins", "module_utils", module + ".py")
    if path not in sources:
        sources[path] = function_strings(path) if re.match(r"_[a-z_]+\Z", module) and os.path.isfile(path) else {}
    strings = sources[path].get(function)
    if strings is None:
        return ["%s: detection %s is not a function of plugins/module_utils/" % (fid, detection)]
    if fid not in strings and not (fid.startswith("auth_") and fid[len("auth_"):] in strings):
        return ["%s: detection %s does not raise it" % (fid, detection)]
    return []


def validate(root):
    """Problems of the registry against the collection checkout at root (the unit tests require none)."""
    with open(os.path.join(root, "docs", "runbook.md")) as handle:
        anchors = runbook_anchors(handle.read())
    errors = []
    files = {}
    sources = {}
    for fid, item in sorted(FINDINGS.items()):
        missing = [name for name in FIELDS if name not in item or item[name] in (None, "", []) and name != "fault_class"]
        if missing or set(item) != set(FIELDS):
            errors.append("%s: fields %s missing or unknown" % (fid, missing or sorted(set(item) ^ set(FIELDS))))
            continue
        if not re.match(r"[a-z][a-z0-9_]*\Z", fid):
            errors.append("%s: ids are lower-case words joined by _" % fid)
        if item["severity"] not in SEVERITIES:
            errors.append("%s: severity %s is not one of %s" % (fid, item["severity"], ", ".join(SEVERITIES)))
        if INTERNAL_WORDING.search(item["meaning"] + fix_text(fid)):
            errors.append("%s: meaning and fix are for operators (no seed, issue or fault class numbering)" % fid)
        if item["fault_class"] is not None and item["fault_class"] not in FAULT_CLASSES:
            errors.append("%s: fault class %s is not a remediate unit" % (fid, item["fault_class"]))
        if item["remediate"] != (item["fault_class"] is not None):
            errors.append("%s: remediate acts exactly on the findings of its fault classes" % fid)
        fix = item["fix"]
        if "manual" in fix:
            if set(fix) != {"manual"} or not fix["manual"]:
                errors.append("%s: a manual fix is instructions only" % fid)
            if item["fault_class"] is not None:
                errors.append("%s: remediate fixes it, so its fix is not manual" % fid)
        elif fix.get("playbook") not in PLAYBOOKS or set(fix) != {"playbook", "tags", "note"}:
            errors.append("%s: fix must name one of %s, with tags and note" % (fid, ", ".join(PLAYBOOKS)))
        elif fix["playbook"] == REMEDIATE and (item["fault_class"] not in fix["tags"] or not set(fix["tags"]) <= set(FAULT_CLASSES)):
            errors.append("%s: a remediate fix runs the finding's own fault class among known tags" % fid)
        elif fix["playbook"] != REMEDIATE and item["fault_class"] is not None:
            errors.append("%s: remediate fixes it, so its fix is playbooks/remediate.yml" % fid)
        if item["runbook"] not in anchors:
            errors.append("%s: docs/runbook.md has no section #%s" % (fid, item["runbook"]))
        errors += _detection_errors(root, fid, item["detection"], sources)
        for test in item["tests"]:
            path, dummy, name = test.partition("::")
            function, dummy, case = name.partition("[")
            if path not in files:
                full = os.path.join(root, path)
                files[path] = _test_names(full) if os.path.isfile(full) else {}
            if function not in files[path]:
                errors.append("%s: test %s does not exist" % (fid, test))
            elif case and path.startswith("extensions/molecule/"):
                if fid not in molecule_fault_table(os.path.join(root, path)).get(case.rstrip("]"), set()):
                    errors.append("%s: the FAULTS row %s of %s does not expect it" % (fid, case.rstrip("]"), path))
            elif case and files[path][function] and case.rstrip("]") not in files[path][function]:
                errors.append("%s: test %s has no case %s" % (fid, function, case.rstrip("]")))
    return errors
