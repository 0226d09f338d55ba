#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_facts
short_description: Gather the state and health of an OpenClaw gateway as facts
version_added: 0.1.0
description:
  - Collects, under C(ansible_facts.openclaw), everything the roles, C(verify) and remediation decide on
    installation, config, the systemd service, the service environment and where each proxy
    variable comes from, listeners on the gateway port, C(/health) and C(/ready) (with the
    event-loop figures), lock files, and the log file.
  - Also returns C(problems), a list of findings with an id, severity and message, so that callers
    act on one diagnosis instead of re-deriving it.
  - Works when the gateway is stopped, not installed or hung; it changes nothing, and every probe is
    bounded by O(timeout).
  - Reads files and C(/proc) directly and calls C(systemctl) and the HTTP endpoints; the only OpenClaw
    CLI calls are the optional schema validation (O(validate_config)), which costs about a second, and the one of
    O(gather_auth). They run as O(user), bounded by O(cli_timeout).
  - The CLI is looked for where the gateway role installs it (O(npm_prefix)), so that C(installed) and C(version)
    describe that install.
  - Run it as root (C(become)) so it can see every listener's owner and the service's process environment;
    run as the service user it still reports everything it may read.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.facts
  - clawops.openclaw.cli
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
  platform:
    platforms: posix
options:
  user:
    description: The gateway's service user (a system user name, lower-case letters, digits, C(_) or C(-), at most 32).
    type: str
    default: openclaw
  profile:
    description:
      - OpenClaw profile; selects unit C(openclaw-gateway-PROFILE.service) and state dir C(~/.openclaw-PROFILE).
      - Letters, digits, C(_) and C(-), at most 64, not starting with C(-).
    type: str
  config_path:
    description:
      - Config file, when it is not where the service reads it (OpenClaw's default for O(user) and the unit's environment).
        Absolute, without C(..). The CLI calls get it as C(OPENCLAW_CONFIG_PATH).
    type: path
  port:
    description: Gateway port. Default is the one in the unit's C(--port), else C(gateway.port) in the config, else 18789.
    type: int
  timeout:
    description: Seconds allowed for each probe (HTTP request, command), from 0.1 to 3600.
    type: float
    default: 3
  validate_config:
    description: Validate the config against the installed OpenClaw schema (C(openclaw config validate --json)).
    type: bool
    default: true
  validate_loaded_config:
    description:
      - With V(false), skip the validation of O(validate_config) when the service's gateway is ready and the config file
        has not changed since its process started, because the gateway validated that very file when it loaded it. Saves a
        CLI start when the gateway is healthy; C(config.validated_by) says which check was used.
    type: bool
    default: true
  wait_ready:
    description:
      - Seconds to wait for C(/ready) to answer 200 before the facts are gathered (polled every quarter second); V(0) does
        not wait. Waiting ends early when the unit fails (for example exit 78, or its start limit). The facts describe
        the state after the wait; C(ready.waited_s) says how long it took. From 0 to 86400.
      - One module run instead of a retried task, so the time to ready is measured at a quarter second, not at the
        retry delay plus a module start per try.
    type: float
    default: 0
  event_loop_delay_threshold_ms:
    description:
      - Event-loop p99 delay above which the gateway is reported as degraded, whatever OpenClaw says (positive).
      - The delay has to stay above it for 5 s of readings a second apart; one slow window is C(event_loop_busy).
    type: float
    default: 500
  gather_auth:
    description:
      - Also report auth-profile drift under C(auth) (one OpenClaw CLI call, C(openclaw models status --json)), see RETURN.
      - Stored vs registered profiles, an explicit C(auth.order) that leaves stored profiles out, profiles in cooldown or
        disabled, legacy C(auth-profiles.json) files whose profiles were never imported, and sessions automatically pinned
        to a profile in cooldown (pins are read read-only from the per-agent SQLite store). Never any secret or key prefix.
    type: bool
    default: false
  egress_proxied_domains:
    description:
      - Domains that must leave through the relay; their routes are reported under C(egress.routes).
      - Default is the domains Privoxy forwards to a SOCKS proxy.
    type: list
    elements: str
    default: []
  egress_channel_hosts:
    description: Hosts that must connect directly (chat channels, loopback); each must be covered by NO_PROXY when a proxy is set.
    type: list
    elements: str
    default: [127.0.0.1, localhost, "::1", .feishu.cn, .larksuite.com, api.telegram.org, .discord.com, .discord.gg,
              .discordapp.com, .discordapp.net, .slack.com, .whatsapp.com, .whatsapp.net]
  egress_ss_local_unit:
    description: System unit of the Shadowsocks client (the egress role's instance), a C(NAME.service).
    type: str
    default: shadowsocks-libev-local@clawops-egress.service
  egress_ss_local_config:
    description: Its JSON config, read for the relay address (the password is never returned).
    type: path
    default: /etc/shadowsocks-libev/clawops-egress.json
  egress_privoxy_config:
    description: Privoxy's config file, read for its forward rules.
    type: path
    default: /etc/privoxy/config
  releases_dir:
    description: Where the side-by-side OpenClaw releases are (the gateway role's C(gateway_releases_dir)).
    type: path
    default: /opt/openclaw
notes:
  - Secret values (config credentials, tokens in environment variables, proxy passwords) are never returned; config parse
    errors give the line and column, never the text.
  - The service user (and every agent it runs) can write its home and C(/tmp/openclaw*); as root the module reads those
    files without following links and never returns a path from them that is not normalised, see C(confined).
seealso:
  - module: clawops.openclaw.openclaw_config
"""

EXAMPLES = r"""
- name: Gather OpenClaw facts
  clawops.openclaw.openclaw_facts:
    user: openclaw
  become: true

- name: Fail when the gateway is not ready
  ansible.builtin.assert:
    that: ansible_facts.openclaw.ready.ok
    fail_msg: "{{ ansible_facts.openclaw.problems | map(attribute='message') | list }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts to add to ansible_facts.
  returned: always
  type: complex
  contains:
    openclaw:
      description:
        - The gateway as found. Secret values are never returned; see each key.
        - Files in the user's reach (C(.env), C(gateway.env), C(EnvironmentFile=), the unit, its backup and drop-ins, the
          config, legacy auth files, shell start-up files) are read as root without following links and only when they are
          regular files (outside the home, only when the user may read them, as systemd would); a refused file gives the
          warning C(user_file_unsafe) (C(path), C(reason)), or the error C(config_unsafe) for the config (RV(ansible_facts.openclaw.config.unsafe)).
      returned: always
      type: dict
      contains:
        user:
          description: The service user O(user).
          returned: always
          type: dict
          contains:
            name:
              description: Its name.
              returned: always
              type: str
              sample: openclaw
            exists:
              description: Whether the user exists.
              returned: always
              type: bool
            uid:
              description: Its uid, null when it does not exist.
              returned: always
              type: int
              sample: 999
            home:
              description: Its home, null when it does not exist.
              returned: always
              type: str
              sample: /home/openclaw
            linger:
              description: Whether linger is on (the user manager runs without a login).
              returned: always
              type: bool
        installed:
          description: Whether the C(openclaw) npm package is installed (its CLI found in C(/usr/local/bin), C(/usr/bin) or C(/bin)).
          returned: always
          type: bool
        version:
          description: The installed OpenClaw version, null when not installed.
          returned: always
          type: str
          sample: 2026.1.29
        cli_path:
          description: The C(openclaw) CLI found, null when none.
          returned: always
          type: str
          sample: /usr/local/bin/openclaw
        package_root:
          description: The package directory the CLI belongs to.
          returned: always
          type: str
          sample: /opt/openclaw/2026.9.6/lib/node_modules/openclaw
        release:
          description:
            - The side-by-side releases under O(releases_dir) (module M(clawops.openclaw.openclaw_release)) and the one the
              gateway process runs.
          returned: always
          type: dict
          contains:
            dir:
              description: The releases directory looked at.
              returned: always
              type: str
              sample: /opt/openclaw
            active:
              description: The release its C(current) link names, null when none.
              returned: always
              type: str
              sample: 2026.9.6
            previous:
              description: The release its C(previous) link names (what a rollback activates), null when none.
              returned: always
              type: str
              sample: 2026.9.5
            installed:
              description: The complete releases there, oldest version first.
              returned: always
              type: list
              elements: str
              sample: ["2026.9.5", "2026.9.6"]
            running:
              description:
                - The version the gateway's process runs, from its entry script and start time (a process started through
                  C(current) before the link last changed runs the release C(previous) names); null when no gateway runs
                  or it cannot be told (its package was rewritten after it started).
              returned: always
              type: str
              sample: 2026.9.6
            running_known_by:
              description: How RV(ansible_facts.openclaw.release.running) was told, null when no gateway runs.
              returned: always
              type: str
              sample: started after 2026.9.6 was activated
            restart_pending:
              description: Whether the gateway runs another version than the active one (finding C(restart_pending)).
              returned: always
              type: bool
        node:
          description: The Node.js found next to the CLI.
          returned: always
          type: dict
          contains:
            path:
              description: The C(node) executable, null when none.
              returned: always
              type: str
              sample: /usr/local/bin/node
            version:
              description: Its version, without C(v); null when unknown.
              returned: always
              type: str
              sample: 24.19.0
            engines_ok:
              description: Whether the version satisfies RV(ansible_facts.openclaw.node.engines); null when unknown.
              returned: always
              type: bool
            engines:
              description: OpenClaw's C(engines) range.
              returned: always
              type: str
              sample: node >=24.16.0 <25 || >=26.1.0
        service:
          description: The gateway's systemd unit.
          returned: always
          type: dict
          contains:
            scope:
              description: V(user) (the user unit exists), V(system) (only a system unit does) or V(none).
              returned: always
              type: str
              choices: [user, system, none]
            unit_name:
              description: The unit's name (C(openclaw-gateway-PROFILE.service) with O(profile)).
              returned: always
              type: str
              sample: openclaw-gateway.service
            unit_path:
              description: The user unit file, null when the user does not exist.
              returned: always
              type: str
              sample: /home/openclaw/.config/systemd/user/openclaw-gateway.service
            unit_exists:
              description: Whether the user unit file exists.
              returned: always
              type: bool
            dropins:
              description: The unit's drop-in files.
              returned: always
              type: list
              elements: str
              sample: [/home/openclaw/.config/systemd/user/openclaw-gateway.service.d/10-clawops.conf]
            load_state:
              description: systemd's C(LoadState); null when the user manager was not asked.
              returned: always
              type: str
              sample: loaded
            active_state:
              description: systemd's C(ActiveState); null when the user manager was not asked.
              returned: always
              type: str
              sample: active
            sub_state:
              description: systemd's C(SubState).
              returned: always
              type: str
              sample: running
            unit_file_state:
              description: systemd's C(UnitFileState).
              returned: always
              type: str
              sample: enabled
            result:
              description: systemd's C(Result) of the last run.
              returned: always
              type: str
              sample: success
            pid:
              description: The main process, null when none.
              returned: always
              type: int
              sample: 4242
            restarts:
              description: systemd's restart count (C(NRestarts)), null when the user manager was not asked.
              returned: always
              type: int
              sample: 0
            memory_max:
              description: The unit's C(MemoryMax) in bytes as systemd computed it (the gateway role's memory guard), null when unlimited.
              returned: always
              type: str
              sample: "7301224857"
            oom_kills:
              description: How often the kernel's OOM killer ended the gateway in the last 24 hours (what its user manager logged).
              returned: always
              type: int
              sample: 0
            last_oom_kill:
              description: When the last of those was logged (ISO 8601), null without one.
              returned: always
              type: str
            exec_main_status:
              description: Exit status of the last main process (78 is OpenClaw refusing to start).
              returned: when the user manager answered
              type: int
              sample: 0
            active_since_monotonic_us:
              description: systemd's C(ActiveEnterTimestampMonotonic).
              returned: when the user manager answered
              type: int
            manager_error:
              description: Why the user manager could not be asked.
              returned: when the user manager did not answer
              type: str
            exec_start:
              description: The unit's C(ExecStart=) as arguments.
              returned: always
              type: list
              elements: str
              sample: [/usr/local/bin/node, /opt/openclaw/current/lib/node_modules/openclaw/dist/index.js, gateway, --port, "18789"]
            exec_port:
              description: The C(--port) of RV(ansible_facts.openclaw.service.exec_start), null when none.
              returned: always
              type: int
              sample: 18789
            runtime_path:
              description: The executable of RV(ansible_facts.openclaw.service.exec_start).
              returned: always
              type: str
              sample: /usr/local/bin/node
            backup_unit:
              description: The C(.bak) copy OpenClaw's installer left next to the unit, null when none.
              returned: always
              type: str
            system_units:
              description:
                - System units of a gateway (files named C(openclaw-gateway.service) or C(openclaw-gateway-PROFILE.service) in
                  the system unit directories); each one is the error C(system_unit_present).
              returned: always
              type: list
              elements: str
        environment:
          description: The gateway's environment and where each proxy variable comes from.
          returned: always
          type: dict
          contains:
            effective:
              description:
                - Variable name to value, the environment of the running process (else the one systemd would give the next
                  start) plus OpenClaw's own C(.env) and C(gateway.env).
                - Only an allowlist (the proxy variables in both cases, C(NO_PROXY), C(NODE_OPTIONS), C(NODE_EXTRA_CA_CERTS),
                  C(OPENCLAW_*)), never the whole environment; values of secret-named variables are C(<redacted>), every other
                  value is masked by shape (URL credentials, C(Bearer)/C(Basic) values, C(key=)/C(token=)/C(sig=) query values,
                  known token formats, long random words).
              returned: always
              type: dict
              sample: {HTTPS_PROXY: "http://127.0.0.1:8118", NO_PROXY: "127.0.0.1,localhost,.feishu.cn"}
            effective_from:
              description: V(process) (read from C(/proc)), V(unit) (composed from the unit files and the user manager) or null.
              returned: always
              type: str
              sample: process
            proxy:
              description:
                - Each proxy-related variable set anywhere, mapped to C(value) (its effective value, masked) and C(sources),
                  the places that set it, each with C(source) (V(unit), V(dropin), V(unit_backup), V(environment_file),
                  V(manager), V(dotenv), V(gateway_env)), C(path), C(value), C(active) and C(confined).
                - Every C(path) is absolute and normalised (no C(..), no C(//)); a relative C(EnvironmentFile=) is ignored,
                  as systemd does. C(confined) is true when the path lies inside the service user's home, no component from
                  the home down is a symbolic link and the file is a regular file; the C(manager) source (no path, reached
                  through C(systemctl --user)) is confined. Remediation acts only on confined sources; every other source
                  gives the warning C(proxy_source_unsafe) (C(path), C(variables)).
              returned: always
              type: dict
              sample:
                HTTPS_PROXY:
                  value: http://127.0.0.1:8118
                  sources: [{source: dropin, path: /home/openclaw/.config/systemd/user/openclaw-gateway.service.d/10-clawops.conf,
                             value: "http://127.0.0.1:8118", active: true, confined: true}]
            proxy_outside_dropin:
              description:
                - The proxy assignments outside the collection's drop-in that reach the gateway (or would, once a C(.bak) unit
                  came back); one the drop-in overrides by systemd's precedence is left out. Each confined one gives the warning
                  C(proxy_outside_dropin), which remediation removes; every other one gives C(proxy_source_unsafe).
              returned: always
              type: list
              elements: dict
              contains:
                variable:
                  description: The variable set.
                  returned: always
                  type: str
                source:
                  description: Where, as in RV(ansible_facts.openclaw.environment.proxy) C(sources).
                  returned: always
                  type: str
                path:
                  description: The file, absolute and normalised; null for the user manager.
                  returned: always
                  type: str
                confined:
                  description: Inside the service user's home, reached through no link, a regular file.
                  returned: always
                  type: bool
                active:
                  description: Whether the running gateway's environment holds it now.
                  returned: always
                  type: bool
        config:
          description: The config file (O(config_path), else the one the service reads).
          returned: always
          type: dict
          contains:
            path:
              description: The file.
              returned: always
              type: str
              sample: /home/openclaw/.openclaw/openclaw.json
            exists:
              description: Whether it exists.
              returned: always
              type: bool
            parse_ok:
              description: Whether it parses as a JSON5 object; null when not read.
              returned: always
              type: bool
            parse_error:
              description: Why it does not parse, with line and column, never the text.
              returned: always
              type: str
              sample: invalid character at line 3 column 5
            valid:
              description: Whether it passes OpenClaw's schema (O(validate_config)); null when not validated.
              returned: always
              type: bool
            sha256:
              description:
                - SHA-256 of the content read (as UTF-8); null when the file was not read. The content that
                  RV(ansible_facts.openclaw.config.valid) is about, for O(clawops.openclaw.openclaw_config_restore#module:known_verdict).
              returned: always
              type: str
            last_touched_version:
              description:
                - The OpenClaw version that last wrote it (its C(meta.lastTouchedVersion)); null when unknown.
                - An installed OpenClaw older than this refuses to start (finding C(version_skew)); the config is then not
                  validated (RV(ansible_facts.openclaw.config.valid) null).
              returned: always
              type: str
              sample: 2026.9.6
            validated_by:
              description: What decided RV(ansible_facts.openclaw.config.valid).
              returned: when validated
              type: str
              choices: [openclaw config validate, running gateway]
            validate_error:
              description: The CLI's error when the validation gave no verdict (masked).
              returned: when the validation gave no verdict
              type: str
            issues:
              description: OpenClaw's schema issues.
              returned: always
              type: list
              elements: dict
              contains:
                path:
                  description: The dot path of the setting.
                  returned: always
                  type: str
                  sample: gateway.bind
                message:
                  description: OpenClaw's message, masked.
                  returned: always
                  type: str
            mode:
              description: C(gateway.mode).
              returned: always
              type: str
              sample: local
            bind:
              description: C(gateway.bind).
              returned: always
              type: str
              sample: loopback
            port:
              description: C(gateway.port).
              returned: always
              type: int
              sample: 18789
            custom_bind_host:
              description: C(gateway.customBindHost).
              returned: when the config parsed
              type: str
            auth_mode:
              description: C(gateway.auth.mode).
              returned: always
              type: str
              sample: token
            auth_secret_set:
              description: Whether C(gateway.auth.token) or C(gateway.auth.password) is set (never the value).
              returned: always
              type: bool
            file_mode:
              description: Permission bits, octal.
              returned: always
              type: str
              sample: "0600"
            owner:
              description: Owner's name.
              returned: always
              type: str
              sample: openclaw
            unsafe:
              description: Why root did not read it (a link, not a regular file...); the error C(config_unsafe).
              returned: when the file was refused
              type: str
        paths:
          description: Where the service and C(openclaw) in a login shell of the user look; they must agree (C(config_path_mismatch)).
          returned: when the user exists and the inspected config is the service's
          type: dict
          contains:
            service:
              description: The service's.
              returned: always
              type: dict
              contains:
                state_dir:
                  description: C(OPENCLAW_STATE_DIR) or the default.
                  returned: always
                  type: str
                  sample: /home/openclaw/.openclaw
                config_path:
                  description: C(OPENCLAW_CONFIG_PATH) or the default.
                  returned: always
                  type: str
                  sample: /home/openclaw/.openclaw/openclaw.json
            cli:
              description: The login shell's.
              returned: always
              type: dict
              contains:
                state_dir:
                  description: C(OPENCLAW_STATE_DIR) or the default.
                  returned: always
                  type: str
                config_path:
                  description: C(OPENCLAW_CONFIG_PATH) or the default.
                  returned: always
                  type: str
                set_in:
                  description: The shell start-up files that set OpenClaw path variables.
                  returned: always
                  type: list
                  elements: str
                  sample: [/home/openclaw/.profile]
            root_config:
              description: C(/root/.openclaw/openclaw.json) when it exists (C(sudo openclaw) uses it; warning C(cli_root_config)).
              returned: always
              type: str
        port:
          description: The gateway port probed (O(port), else the unit's C(--port), else C(gateway.port), else 18789).
          returned: always
          type: int
          sample: 18789
        listeners:
          description: TCP listeners on RV(ansible_facts.openclaw.port), as in C(ss -ltnp).
          returned: always
          type: list
          elements: dict
          contains:
            address:
              description: Address and port.
              returned: always
              type: str
              sample: "127.0.0.1:18789"
            pid:
              description: The process holding the socket, null when it cannot be seen.
              returned: always
              type: int
            command:
              description: Its C(comm).
              returned: always
              type: str
              sample: openclaw-gateway
            cmdline:
              description: Its command line, cut at 300 characters, masked.
              returned: always
              type: str
            user:
              description: The socket's owner.
              returned: always
              type: str
              sample: openclaw
        health:
          description: C(GET /health), without any proxy.
          returned: always
          type: dict
          contains:
            url:
              description: The URL probed.
              returned: always
              type: str
              sample: http://127.0.0.1:18789/health
            status:
              description: HTTP status, null when there was no answer.
              returned: always
              type: int
              sample: 200
            ok:
              description: Whether the status is 200.
              returned: always
              type: bool
            error:
              description: Why there was no answer (C(timed out ...) when the gateway hangs).
              returned: always
              type: str
              sample: "[Errno 111] Connection refused"
            elapsed_ms:
              description: Time taken.
              returned: always
              type: float
        ready:
          description: C(GET /ready), without any proxy, and its body.
          returned: always
          type: dict
          contains:
            url:
              description: The URL probed.
              returned: always
              type: str
              sample: http://127.0.0.1:18789/ready
            status:
              description: HTTP status, null when there was no answer.
              returned: always
              type: int
              sample: 200
            ok:
              description: Whether the status is 200 and the body says C(ready).
              returned: always
              type: bool
            error:
              description: Why there was no answer.
              returned: always
              type: str
            elapsed_ms:
              description: Time taken.
              returned: always
              type: float
            ready:
              description: The body's C(ready).
              returned: always
              type: bool
            failing:
              description: The body's C(failing) checks.
              returned: always
              type: list
              elements: str
            uptime_ms:
              description: The body's C(uptimeMs).
              returned: always
              type: int
            event_loop:
              description: The body's C(eventLoop).
              returned: always
              type: dict
              contains:
                degraded:
                  description: OpenClaw's verdict.
                  returned: always
                  type: bool
                delay_p99_ms:
                  description:
                    - p99 event-loop delay over OpenClaw's last window (about a second).
                    - Above O(event_loop_delay_threshold_ms), C(/ready) is read again a second apart for up to 5 s; the
                      delay must stay above in every reading to be C(event_loop_degraded), else it is C(event_loop_busy).
                  returned: always
                  type: float
                readings_ms:
                  description: The p99 figures read, the first one included (one when it was not above the threshold).
                  returned: always
                  type: list
                  elements: float
                delay_max_ms:
                  description: Maximum event-loop delay.
                  returned: always
                  type: float
                utilization:
                  description: Event-loop utilisation.
                  returned: always
                  type: float
                reasons:
                  description: OpenClaw's reasons.
                  returned: always
                  type: list
                  elements: str
            waited_s:
              description: Seconds until C(/ready) answered 200, null when it did not within O(wait_ready).
              returned: when O(wait_ready) is above 0
              type: float
        locks:
          description: Gateway locks in C(/tmp/openclaw-UID/) and in the state dir's C(tmp/openclaw-UID/).
          returned: always
          type: list
          elements: dict
          contains:
            path:
              description: The lock file, normalised.
              returned: always
              type: str
            confined:
              description:
                - Whether it is a regular file owned by the user reached without a link; an unconfined lock is not read, never
                  stale, and gives the warning C(lock_unsafe).
              returned: always
              type: bool
            pid:
              description: The owner's pid, null when unknown.
              returned: always
              type: int
            owner_alive:
              description: Whether that pid is alive and the same process (start time); null when unknown.
              returned: always
              type: bool
            stale:
              description: Whether the lock is confined and its owner gone (the warning C(stale_lock)).
              returned: always
              type: bool
            port:
              description: The port in the lock.
              returned: always
              type: int
            config_path:
              description: The config the owner ran with.
              returned: always
              type: str
            created_at:
              description: When the lock was taken.
              returned: when the lock could be read
              type: str
            unreadable:
              description: True when the lock is not the JSON OpenClaw writes.
              returned: when the lock was read and is not OpenClaw's JSON
              type: bool
        log_file:
          description:
            - The newest gateway log in C(/tmp/openclaw). Null when there is none, or when it is a link, not a regular file, or in a
              C(/tmp/openclaw) that is a link or belongs to another user (warning C(log_file_unsafe)).
          returned: always
          type: str
          sample: /tmp/openclaw/openclaw-2026-01-01.log
        egress:
          description: Split egress as the gateway experiences it (proxy variables, C(NO_PROXY), Privoxy's rules, the relay).
          returned: always
          type: dict
          contains:
            configured:
              description: Whether the gateway has a proxy or the Shadowsocks client is configured.
              returned: always
              type: bool
            proxy_url:
              description: The gateway's HTTPS (else HTTP) proxy, masked; null when none.
              returned: always
              type: str
              sample: http://127.0.0.1:8118
            no_proxy:
              description: The entries of C(NO_PROXY).
              returned: always
              type: list
              elements: str
              sample: [127.0.0.1, localhost, .feishu.cn]
            privoxy:
              description: Privoxy's unit and forward rules; null when its config (O(egress_privoxy_config)) is absent or nothing is configured.
              returned: always
              type: dict
              contains:
                unit:
                  description: The unit.
                  returned: always
                  type: str
                  sample: privoxy.service
                load_state:
                  description: systemd's C(LoadState).
                  returned: always
                  type: str
                active_state:
                  description: systemd's C(ActiveState) (not V(active) is the error C(privoxy_inactive)).
                  returned: always
                  type: str
                sub_state:
                  description: systemd's C(SubState).
                  returned: always
                  type: str
                unit_file_state:
                  description: systemd's C(UnitFileState).
                  returned: always
                  type: str
                config:
                  description: The config read.
                  returned: always
                  type: str
                  sample: /etc/privoxy/config
                default_first:
                  description: Whether C(forward / .) is the first forward rule (Privoxy's last match wins).
                  returned: always
                  type: bool
                rules:
                  description: The forward rules in order (credentials in targets masked).
                  returned: always
                  type: list
                  elements: dict
                  contains:
                    kind:
                      description: The directive.
                      returned: always
                      type: str
                      sample: forward-socks5t
                    pattern:
                      description: The URL pattern.
                      returned: always
                      type: str
                      sample: .openai.com
                    target:
                      description: Where it forwards to.
                      returned: always
                      type: str
                      sample: 127.0.0.1:1080 .
                    line:
                      description: Line number in the config.
                      returned: always
                      type: int
            ss_local:
              description: The Shadowsocks client's unit (O(egress_ss_local_unit)); null when its config is absent.
              returned: always
              type: dict
              contains:
                unit:
                  description: The unit.
                  returned: always
                  type: str
                load_state:
                  description: systemd's C(LoadState).
                  returned: always
                  type: str
                active_state:
                  description: systemd's C(ActiveState) (not V(active) is the error C(ss_local_inactive)).
                  returned: always
                  type: str
                sub_state:
                  description: systemd's C(SubState).
                  returned: always
                  type: str
                unit_file_state:
                  description: systemd's C(UnitFileState).
                  returned: always
                  type: str
                local:
                  description: Its SOCKS listener.
                  returned: always
                  type: str
                  sample: "127.0.0.1:1080"
                method:
                  description: Its cipher (the password is never returned).
                  returned: always
                  type: str
                  sample: chacha20-ietf-poly1305
            relay:
              description: A TCP connection to the relay named in the client's config; null when none is named.
              returned: always
              type: dict
              contains:
                host:
                  description: The relay.
                  returned: always
                  type: str
                port:
                  description: Its port.
                  returned: always
                  type: int
                reachable:
                  description: Whether it connected (else the error C(relay_unreachable)).
                  returned: always
                  type: bool
                error:
                  description: Why it did not.
                  returned: always
                  type: str
                elapsed_ms:
                  description: Time taken.
                  returned: always
                  type: float
            routes:
              description: How each proxied domain (O(egress_proxied_domains)) leaves.
              returned: always
              type: list
              elements: dict
              contains:
                domain:
                  description: The domain as given.
                  returned: always
                  type: str
                  sample: .openai.com
                host:
                  description: The host checked.
                  returned: always
                  type: str
                  sample: openai.com
                route:
                  description: V(proxy) or V(direct).
                  returned: always
                  type: str
                  choices: [proxy, direct]
                reason:
                  description: Why (the Privoxy rule, the C(NO_PROXY) entry...).
                  returned: always
                  type: str
            channels:
              description: How each channel host (O(egress_channel_hosts)) connects; it must be direct.
              returned: always
              type: list
              elements: dict
              contains:
                host:
                  description: The host as given.
                  returned: always
                  type: str
                  sample: .feishu.cn
                route:
                  description: V(direct) or V(proxy).
                  returned: always
                  type: str
                  choices: [proxy, direct]
        auth:
          description: Auth-profile drift (keys outside rotation, pins to unusable keys); never a secret or key prefix.
          returned: with O(gather_auth)
          type: dict
          contains:
            read:
              description:
                - Whether OpenClaw answered C(openclaw models status). V(false) (not installed, no config, or the CLI failed,
                  C(auth_unreadable)) leaves C(stored) empty for want of an answer; never take that as "nothing stored".
              returned: always
              type: bool
            stored:
              description: Profile ids in OpenClaw's credential store.
              returned: always
              type: list
              elements: str
              sample: ["openai:primary"]
            registered:
              description: Profile ids under C(auth.profiles) in the config.
              returned: always
              type: list
              elements: str
            order:
              description: C(auth.order) of the config, provider to profile ids.
              returned: always
              type: dict
              sample: {openai: ["openai:primary", "openai:backup"]}
            unusable:
              description: Profiles in cooldown or disabled, from C(openclaw models status).
              returned: always
              type: list
              elements: dict
              contains:
                profile_id:
                  description: The profile.
                  returned: always
                  type: str
                provider:
                  description: Its provider.
                  returned: always
                  type: str
                kind:
                  description: C(cooldown) or C(disabled).
                  returned: always
                  type: str
                reason:
                  description: OpenClaw's reason.
                  returned: always
                  type: str
                  sample: rate_limit
                remaining_ms:
                  description: Time left.
                  returned: always
                  type: int
                until:
                  description: When it ends, epoch milliseconds.
                  returned: always
                  type: int
            legacy_files:
              description: Legacy per-agent C(auth-profiles.json) files.
              returned: always
              type: list
              elements: dict
              contains:
                path:
                  description: The file.
                  returned: always
                  type: str
                profile_ids:
                  description: The profiles it holds.
                  returned: always
                  type: list
                  elements: str
                not_imported:
                  description: Those not in the store.
                  returned: always
                  type: list
                  elements: str
            pins:
              description: Every session's auth pin, read only from the per-agent SQLite store.
              returned: always
              type: list
              elements: dict
              contains:
                agent:
                  description: The agent.
                  returned: always
                  type: str
                  sample: main
                session_key:
                  description: The session.
                  returned: always
                  type: str
                profile_id:
                  description: The profile it is pinned to.
                  returned: always
                  type: str
                source:
                  description: V(auto) (OpenClaw's, reset by rotation) or the user's (V(user), V(user-link)).
                  returned: always
                  type: str
            drift:
              description: The drift found; each is also a problem C(auth_<kind>).
              returned: always
              type: list
              elements: dict
              contains:
                kind:
                  description: What drifted.
                  returned: always
                  type: str
                  choices: [legacy_migration_required, legacy_not_imported, stored_not_registered, registered_not_stored,
                            order_excludes_stored, profile_unusable, session_pinned_to_unusable]
                profile_id:
                  description: The profile concerned.
                  returned: for the kinds about one profile
                  type: str
                provider:
                  description: The provider whose order leaves profiles out.
                  returned: for C(order_excludes_stored)
                  type: str
                profile_ids:
                  description: The profiles left out.
                  returned: for C(order_excludes_stored)
                  type: list
                  elements: str
                path:
                  description: The legacy file.
                  returned: for C(legacy_not_imported)
                  type: str
                session_key:
                  description: The pinned session.
                  returned: for C(session_pinned_to_unusable)
                  type: str
        watchdog:
          description:
            - The node-side watchdog (role watchdog), from its root-only settings (C(/etc/clawops-openclaw/watchdog.json))
              and state; C(watchdog_gave_up) and C(watchdog_stale) are reported from it.
          returned: always
          type: dict
          contains:
            installed:
              description: Whether the watchdog's settings are on the node.
              returned: always
              type: bool
            last_check:
              description: Epoch seconds of its last check, null when it never checked.
              returned: always
              type: float
            last_verdict:
              description: What it decided then (C(healthy), C(failing), C(restart), C(gave_up), C(held), C(starting), ...).
              returned: always
              type: str
            last_reason:
              description: Why that check failed (C(hung), C(not_ready), C(event_loop), C(failed)), null when it passed.
              returned: always
              type: str
            gave_up:
              description: Whether its restart budget is spent (it no longer acts).
              returned: always
              type: bool
            gave_up_since:
              description: Epoch seconds since when.
              returned: always
              type: float
            restarts_in_window:
              description: Restarts it made within its budget window.
              returned: always
              type: int
            restarts_total:
              description: Restarts it made, by reason, since it was installed.
              returned: always
              type: dict
            backups:
              description:
                - The scheduled backups (the watchdog role's C(clawops-openclaw-backup.timer)) as root sees their directory
                  (names and sizes only, no link followed); null when the node has none.
              returned: always
              type: dict
              contains:
                directory: {description: "Where the archives go (C(watchdog_backup_dir))", returned: always, type: str}
                archives: {description: "Archives there (regular files of the service user named like one)", returned: always, type: int}
                newest: {description: "The newest archive's name, null when there is none", returned: always, type: str}
                newest_time: {description: "Its mtime (epoch seconds)", returned: always, type: float}
                newest_age_s: {description: "Its age in seconds", returned: always, type: float}
                newest_bytes: {description: "Its size", returned: always, type: int}
                total_bytes: {description: "Size of all the archives", returned: always, type: int}
                interval_h: {description: "Hours between backups", returned: always, type: int}
                keep: {description: "Archives kept", returned: always, type: int}
                error: {description: "Why the directory could not be read (missing, a link, another owner)", returned: always, type: str}
        problems:
          description: The findings, in the order found; callers act on these instead of re-deriving them.
          returned: always
          type: list
          elements: dict
          sample: [{id: linger_off, severity: error, message: "linger is off for openclaw: ..."}]
          contains:
            id:
              description: What was found, a stable identifier.
              returned: always
              type: str
              sample: linger_off
            severity:
              description: How bad.
              returned: always
              type: str
              choices: [critical, error, warning]
            message:
              description: A sentence for humans; values found on the node are masked by shape.
              returned: always
              type: str
            meaning:
              description: What the finding means, in operator words (the finding registry, docs/findings.md).
              returned: always
              type: str
            fault_class:
              description: The remediate unit (tag) that fixes it; null when remediate does not act on it.
              returned: always
              type: str
            remediate:
              description: Whether remediate.yml may act on it.
              returned: always
              type: bool
            fix:
              description: The fix as data.
              returned: always
              type: dict
              contains:
                playbook:
                  description: The playbook that fixes it.
                  returned: unless the fix is manual
                  type: str
                tags:
                  description: The tags to run it with.
                  returned: when the playbook takes tags for it
                  type: list
                  elements: str
                note:
                  description: What else to know.
                  returned: when there is more to say
                  type: str
                manual:
                  description: What the operator does by hand.
                  returned: when the fix is manual
                  type: str
            fix_text:
              description: The fix as one line (what doctor prints).
              returned: always
              type: str
            manual:
              description: Whether an operator must act (the collection will not change it on its own).
              returned: always
              type: bool
            runbook:
              description: The runbook section, as C(docs/runbook.md#anchor); null when there is none.
              returned: always
              type: str
            source:
              description: Where the assignment is, as in RV(ansible_facts.openclaw.environment.proxy_outside_dropin).
              returned: for C(proxy_outside_dropin)
              type: str
            path:
              description: The file concerned.
              returned: >-
                for C(user_file_unsafe), C(config_unsafe), C(proxy_source_unsafe), C(lock_unsafe), C(stale_lock), C(log_file_unsafe),
                C(auth_legacy_not_imported)
              type: str
            reason:
              description: Why root did not read the file.
              returned: for C(user_file_unsafe) and C(config_unsafe)
              type: str
            variables:
              description: The proxy variables an unsafe source sets.
              returned: for C(proxy_source_unsafe)
              type: list
              elements: str
            variable:
              description: The variable concerned.
              returned: for C(proxy_all_proxy) and C(proxy_socks_url)
              type: str
            sources:
              description: Where the variable is set, as in RV(ansible_facts.openclaw.environment.proxy).
              returned: for C(proxy_socks_url)
              type: list
              elements: dict
              contains:
                source:
                  description: The kind of place.
                  returned: always
                  type: str
                path:
                  description: The file, null for the user manager.
                  returned: always
                  type: str
                value:
                  description: The value there, masked.
                  returned: always
                  type: str
                active:
                  description: Whether systemd uses it (not the unit's backup).
                  returned: always
                  type: bool
                confined:
                  description: Whether remediation may edit it.
                  returned: always
                  type: bool
            hosts:
              description: The channel hosts C(NO_PROXY) lacks.
              returned: for C(no_proxy_missing)
              type: list
              elements: str
            holders:
              description: The processes holding the port.
              returned: for C(port_conflict)
              type: list
              elements: dict
              contains:
                pid:
                  description: The process.
                  returned: always
                  type: int
                command:
                  description: Its C(comm).
                  returned: always
                  type: str
                user:
                  description: The socket's owner.
                  returned: always
                  type: str
                gateway:
                  description: Whether its command line looks like an OpenClaw gateway.
                  returned: always
                  type: bool
            foreign_is_gateway:
              description: Whether one of RV(ansible_facts.openclaw.problems[].holders) is a gateway.
              returned: for C(port_conflict)
              type: bool
            service:
              description: The service's paths, as RV(ansible_facts.openclaw.paths.service).
              returned: for C(config_path_mismatch) between the service and the CLI
              type: dict
              contains:
                state_dir:
                  description: State directory.
                  returned: always
                  type: str
                config_path:
                  description: Config file.
                  returned: always
                  type: str
            cli:
              description: The login shell's paths, as RV(ansible_facts.openclaw.paths.cli).
              returned: for C(config_path_mismatch) between the service and the CLI
              type: dict
              contains:
                state_dir:
                  description: State directory.
                  returned: always
                  type: str
                config_path:
                  description: Config file.
                  returned: always
                  type: str
                set_in:
                  description: The shell start-up files that set them.
                  returned: always
                  type: list
                  elements: str
            profile_id:
              description: The auth profile concerned.
              returned: for the C(auth_*) findings about one profile
              type: str
            provider:
              description: The provider concerned.
              returned: for C(auth_order_excludes_stored)
              type: str
            profile_ids:
              description: The auth profiles concerned.
              returned: for C(auth_order_excludes_stored)
              type: list
              elements: str
            session_key:
              description: The session concerned.
              returned: for C(auth_session_pinned_to_unusable)
              type: str
        healthy:
          description: Whether no problem is an error or critical.
          returned: always
          type: bool
        gather_seconds:
          description: Time the gathering took (after any O(wait_ready)).
          returned: always
          type: float
          sample: 0.412
"""

import os
import re
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import CLI_ARGUMENT_SPEC, OpenClawCli, cli_option_errors
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_auth import cli_json, collect_auth
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Commands
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_config import ROOT_HOME, collect_config
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_egress import collect_egress
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_environment import collect_environment
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_http import base_url, collect_probes, gateway_port, wait_ready
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_install import (
    BIN_DIRS, collect_install, collect_release, collect_version_skew,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_locks import collect_locks
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_logs import LOG_DIR, collect_log_file
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_procfs import collect_listeners
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_service import (
    PROFILE_NAME, SYSTEM_UNIT_DIRS, USER_NAME, collect_service, collect_user,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_validation import (
    collect_validation, start_early_validation, validation_needed,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_watchdog import SETTINGS_FILE as WATCHDOG_SETTINGS_FILE, collect_watchdog
from ansible_collections.clawops.openclaw.plugins.module_utils._common import redact_value
from ansible_collections.clawops.openclaw.plugins.module_utils._egress import DEFAULT_CHANNEL_HOSTS
from ansible_collections.clawops.openclaw.plugins.module_utils._findings import problem_fields
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import normalise_path

# Option patterns: full matches (\Z, not $, which accepts a trailing newline).
UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_.@\\-]{0,250}\.service\Z")
HOST_NAME = re.compile(r"\.?[A-Za-z0-9*\[:](?:[A-Za-z0-9.:*_\[\]-]{0,252})\Z")
# BIN_DIRS, SYSTEM_UNIT_DIRS, ROOT_HOME and LOG_DIR (imported above) are the host layout the Gatherer hands its
# collectors; the unit tests point them at a temporary tree.


class Gatherer:
    """Runs the collectors (plugins/module_utils/_collect_*.py) in order, each on its declared inputs, and reports
    their problems through problem(), the one problem path (the unit tests' finding recorder wraps it).

    What one collector hands a later one without returning it (the service user, the unit files, the raw
    environments, the parsed config) is kept here; every attribute is set in __init__."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.timeout = max(float(self.params["timeout"]), 0.1)
        self.commands = Commands(module, self.timeout)
        self.facts = {}
        self.problems = []
        self.user = None          # the service user: dict(name, uid, home, groups), None when missing
        self.directives = {}      # {key: (path, parsed directives)} of the user unit, its drop-ins and its .bak
        self.manager_env = {}     # the user manager's environment
        self.gateway_env = {}     # the gateway's environment, unredacted: never returned
        self.config_data = None   # the parsed config, credentials included: never returned
        self.validation = None    # the schema check started early (_collect_validation.EarlyValidation)

    def problem(self, problem_id, message, **extra):
        """Report finding problem_id; its severity, meaning, fault class and fix come from the finding registry."""
        fields = problem_fields(problem_id)
        # Messages quote values found on the node (OpenClaw's errors, URLs): credentials masked by shape.
        item = dict(id=problem_id, severity=fields.pop("severity"), message=redact_value(message))
        item.update(extra)
        item.update(fields)
        self.problems.append(item)

    def report(self, problems):
        for problem_id, message, extra in problems:
            self.problem(problem_id, message, **extra)

    def cli(self):
        """The OpenClaw CLI the install collector found, run as the service user on the config the config collector found."""
        return OpenClawCli(self.module, self.facts["cli_path"], self.facts["config"]["path"], self.params["cli_timeout"], run_as=self.user)

    def cli_json(self, argv):
        return cli_json(self.cli(), argv)

    def systemctl_user(self, *args):
        return self.commands.systemctl_user(self.user, *args)

    # --- one method per collector, in the order gather() runs them -------------------------------------
    def gather_user(self):
        self.user, self.facts["user"], problems = collect_user(self.params["user"])
        self.report(problems)

    def gather_install(self):
        facts, problems = collect_install(self.commands, self.params.get("openclaw_bin"), self.params.get("npm_prefix"), BIN_DIRS)
        self.facts.update(facts)
        self.report(problems)

    def gather_service(self):
        self.facts["service"], self.directives, self.manager_env, problems = collect_service(
            self.commands, self.user, self.params["user"], self.params["profile"], SYSTEM_UNIT_DIRS)
        self.report(problems)

    def gather_release(self):
        prefix = self.params.get("npm_prefix") or "/usr/local"
        self.facts["release"], problems = collect_release(self.params["releases_dir"], self.facts["service"]["pid"],
                                                          self.facts.get("version"), os.path.join(prefix, "lib", "node_modules", "openclaw"))
        self.report(problems)

    def gather_environment(self):
        self.facts["environment"], self.gateway_env, problems = collect_environment(
            self.user, self.params["user"], self.directives, self.manager_env, self.facts["service"]["pid"])
        self.report(problems)

    def gather_config(self):
        self.facts["config"], paths, self.config_data, problems = collect_config(
            self.user, self.params["user"], self.params["profile"], self.params["config_path"], self.gateway_env, ROOT_HOME)
        if paths is not None:
            self.facts["paths"] = paths
        self.report(problems)
        self.facts["config"]["last_touched_version"], problems = collect_version_skew(self.facts.get("version"), self.config_data)
        self.report(problems)

    def wait_for_ready(self):
        """Seconds until /ready answered 200 (None: it did not within wait_ready, or the unit failed meanwhile).

        Reads only what locates /ready (user, unit, environment, config) and forgets it afterwards: gather() then
        describes the state after the wait."""
        self.gather_user()
        self.gather_service()
        self.gather_environment()
        self.gather_config()
        service, config = self.facts["service"], self.facts["config"]
        url = base_url(config, gateway_port(self.params["port"], service, config)) + "/ready"
        self.facts, self.problems, self.config_data = {}, [], None
        unit_failed = (lambda: self.unit_failed(service["unit_name"])) if self.user else None
        return wait_ready(url, self.params["wait_ready"], self.timeout, unit_failed)

    def unit_failed(self, unit):
        rc, out, dummy = self.systemctl_user("show", "-p", "ActiveState", "--value", unit)
        return rc == 0 and out.strip() == "failed"

    def gather_network(self):
        service, config = self.facts["service"], self.facts["config"]
        port = self.facts["port"] = gateway_port(self.params["port"], service, config)
        self.facts["listeners"], problems = collect_listeners(port, service.get("pid"))
        self.report(problems)
        self.facts["health"], self.facts["ready"], problems = collect_probes(
            base_url(config, port), self.timeout, service, port, self.facts["listeners"], self.params["event_loop_delay_threshold_ms"])
        self.report(problems)

    def validation_needed(self):
        # An older CLI than the config's writer refuses it whatever it holds: no verdict on the config (version_skew).
        skew = any(p["id"] == "version_skew" for p in self.problems)
        return not skew and validation_needed(self.params["validate_config"], self.facts["config"], self.facts.get("cli_path"))

    def start_validation(self):
        self.validation = start_early_validation(self.validation_needed(), self.facts["service"].get("active_state"), self.cli)

    def validate_config(self):
        if not self.validation_needed():
            return
        changes, problems = collect_validation(self.facts["config"], self.cli, self.validation, not self.params["validate_loaded_config"],
                                               self.facts["service"].get("pid"), self.facts.get("ready", {}).get("ok"))
        self.facts["config"].update(changes)
        self.report(problems)

    def gather_locks(self):
        self.facts["locks"], problems = collect_locks(self.user, self.facts["config"]["path"])
        self.report(problems)

    def gather_logs(self):
        self.facts["log_file"], problems = collect_log_file(self.user, self.params["profile"], LOG_DIR)
        self.report(problems)

    def gather_egress(self):
        p = self.params
        self.facts["egress"], problems = collect_egress(
            self.commands, self.gateway_env, self.facts["environment"]["proxy"], self.timeout, p["egress_privoxy_config"],
            p["egress_ss_local_unit"], p["egress_ss_local_config"], p["egress_proxied_domains"], p["egress_channel_hosts"])
        self.report(problems)

    def gather_auth(self):
        self.facts["auth"], problems = collect_auth(self.user, self.facts.get("installed"), self.facts["config"], self.config_data,
                                                    self.cli_json)
        self.report(problems)

    def gather_watchdog(self):
        self.facts["watchdog"], problems = collect_watchdog(time.time(), WATCHDOG_SETTINGS_FILE)
        self.report(problems)

    def gather(self):
        waited = self.wait_for_ready() if self.params["wait_ready"] > 0 else None
        started = time.time()
        self.gather_user()
        self.gather_install()
        self.gather_service()
        self.gather_release()
        self.gather_environment()
        self.gather_config()
        self.start_validation()
        self.gather_network()
        self.validate_config()
        self.gather_locks()
        self.gather_logs()
        self.gather_egress()
        self.gather_watchdog()
        if self.params["gather_auth"]:
            self.gather_auth()
        if self.params["wait_ready"] > 0:
            self.facts["ready"]["waited_s"] = waited
        self.facts["problems"] = self.problems
        self.facts["healthy"] = not any(p["severity"] in ("error", "critical") for p in self.problems)
        self.facts["gather_seconds"] = round(time.time() - started, 3)
        return self.facts


def option_errors(params):
    """Messages naming each option with a bad value (nothing is gathered then). The module runs as root on
    paths and names derived from these, so every pattern is a full match and no value holds a control character."""
    errors = []

    def bad(name, why):
        errors.append("%s %s" % (name, why))

    if not USER_NAME.match(params["user"] or ""):
        bad("user", "must be a system user name (lower-case letters, digits, '_' or '-', at most 32)")
    if params["profile"] is not None and not PROFILE_NAME.match(params["profile"]):
        bad("profile", "must be letters, digits, '_' or '-' (at most 64, not starting with '-'): it names a unit and a state directory")
    for name in ("config_path", "egress_ss_local_config", "egress_privoxy_config", "releases_dir"):
        value = params[name]
        if value is not None and (not value.startswith("/") or normalise_path(value) is None or "/../" in value + "/"):
            bad(name, "must be an absolute path without '..' or control characters")
    if params["port"] is not None and not 1 <= params["port"] <= 65535:
        bad("port", "must be between 1 and 65535, got %s" % params["port"])
    errors += cli_option_errors(dict((name, params[name]) for name in ("openclaw_bin", "npm_prefix", "cli_timeout") if name in params))
    for name, low, high in (("timeout", 0.1, 3600), ("wait_ready", 0, 86400),
                            ("event_loop_delay_threshold_ms", 1, 3600000)):
        value = params[name]
        # 'not low <= value' also refuses nan.
        if value is None or not low <= value <= high:
            bad(name, "must be between %g and %g, got %s" % (low, high, value))
    if not UNIT_NAME.match(params["egress_ss_local_unit"] or ""):
        bad("egress_ss_local_unit", "must be a systemd service name (NAME.service)")
    for name in ("egress_proxied_domains", "egress_channel_hosts"):
        wrong = [item for item in params[name] if not HOST_NAME.match(item or "")]
        if wrong:
            bad(name, "must hold host names, domain suffixes (.example.com) or addresses; refused %d entries" % len(wrong))
    return errors


def check_options(module):
    errors = option_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            CLI_ARGUMENT_SPEC,
            user=dict(type="str", default="openclaw"),
            profile=dict(type="str"),
            port=dict(type="int"),
            timeout=dict(type="float", default=3),
            validate_config=dict(type="bool", default=True),
            validate_loaded_config=dict(type="bool", default=True),
            wait_ready=dict(type="float", default=0),
            gather_auth=dict(type="bool", default=False),
            event_loop_delay_threshold_ms=dict(type="float", default=500),
            egress_proxied_domains=dict(type="list", elements="str", default=[]),
            egress_channel_hosts=dict(type="list", elements="str", default=list(DEFAULT_CHANNEL_HOSTS)),
            egress_ss_local_unit=dict(type="str", default="shadowsocks-libev-local@clawops-egress.service"),
            egress_ss_local_config=dict(type="path", default="/etc/shadowsocks-libev/clawops-egress.json"),
            egress_privoxy_config=dict(type="path", default="/etc/privoxy/config"),
            releases_dir=dict(type="path", default="/opt/openclaw"),
        ),
        supports_check_mode=True,
    )
    check_options(module)
    facts = Gatherer(module).gather()
    module.exit_json(changed=False, ansible_facts=dict(openclaw=facts))


if __name__ == "__main__":
    main()
