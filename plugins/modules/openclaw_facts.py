#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

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
    CLI calls are the optional schema validation (O(validate_config)), which costs about a second, and the two of
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
    description: Event-loop p99 delay above which the gateway is reported as degraded, whatever OpenClaw says (positive).
    type: float
    default: 500
  gather_auth:
    description:
      - Also report auth-profile drift under C(auth) (two OpenClaw CLI calls, a few seconds), see RETURN.
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
          sample: /usr/local/lib/node_modules/openclaw
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
              sample: [/usr/local/bin/node, /usr/local/lib/node_modules/openclaw/dist/index.js, gateway, --port, "18789"]
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
                  description: p99 event-loop delay; above O(event_loop_delay_threshold_ms) it is C(event_loop_degraded).
                  returned: always
                  type: float
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
          description: Auth-profile drift (seed 002); never a secret or key prefix.
          returned: with O(gather_auth)
          type: dict
          contains:
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

import errno
import glob
import json
import os
import pwd
import re
import socket
import stat
import threading
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.six.moves.urllib.request import ProxyHandler, build_opener
from ansible.module_utils.six.moves.urllib.error import HTTPError

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import (
    CLI_ARGUMENT_SPEC, ConfigReadError, OpenClawCli, bounded, cli_option_errors, find_cli, parse_config,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    PROXY_VARIABLES, compose_unit_environment, config_path_for, exec_start_args, option_value, parse_env_file, parse_environment_assignments,
    parse_unit_file, read_text, redact_env, redact_tree, redact_value, shell_startup_paths, startup_refusals, state_dir_for, unit_environment,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._egress import (
    DEFAULT_CHANNEL_HOSTS, first_forward_is_default, host_of, no_proxy_entries, no_proxy_matches, parse_privoxy_forwards, privoxy_route,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._findings import problem_fields
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import confined, is_inside, normalise_path, read_beneath, read_nofollow
from ansible_collections.clawops.openclaw.plugins.module_utils._sessions import automatic, read_pins, unusable_profiles

DEFAULT_PORT = 18789
# openclaw-gateway.service and the profile variants openclaw-gateway-PROFILE.service.
GATEWAY_UNIT = re.compile(r"openclaw-gateway(-[A-Za-z0-9][A-Za-z0-9_-]*)?\.service\Z")
# Option patterns: full matches (\Z, not $, which accepts a trailing newline).
USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}\Z")
PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
UNIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9:_.@\\-]{0,250}\.service\Z")
HOST_NAME = re.compile(r"\.?[A-Za-z0-9*\[:](?:[A-Za-z0-9.:*_\[\]-]{0,252})\Z")
# Same range as roles/node/vars/main.yml (_node_supported_ranges): keep the two in step.
ENGINES = "node >=24.16.0 <25 || >=26.1.0"
SYSTEM_UNIT_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
BIN_DIRS = ("/usr/local/bin", "/usr/bin", "/bin")
SHOW_PROPERTIES = ("LoadState", "ActiveState", "SubState", "UnitFileState", "MainPID", "NRestarts", "Result",
                   "ExecMainStatus", "FragmentPath", "DropInPaths", "ActiveEnterTimestampMonotonic")


VALIDATE_ARGS = ("config", "validate", "--json")
# The first minute after a start does not count towards a degraded event loop.
STARTUP_GRACE_MS = 60000
ROOT_HOME = "/root"  # `sudo openclaw ...` reads root's own state dir
LOG_DIR = "/tmp/openclaw"  # OpenClaw's default log directory (any local user may create it first)
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


def version_tuple(text):
    match = re.search(r"(\d+)\.(\d+)\.(\d+)", text or "")
    return tuple(int(x) for x in match.groups()) if match else None


def node_engines_ok(version):
    if version is None:
        return None
    return (24, 16, 0) <= version < (25, 0, 0) or version >= (26, 1, 0)


class Gatherer(object):
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.timeout = max(float(self.params["timeout"]), 0.1)
        self.problems = []
        self.facts = {}
        self._config_data = None
        self._validation = None
        self.env = {}  # the gateway's environment, unredacted: never returned

    # --- helpers ------------------------------------------------------------------------
    def problem(self, pid, message, **extra):
        """Report finding pid; its severity, meaning, fault class and fix come from the finding registry."""
        fields = problem_fields(pid)
        # Messages quote values found on the node (OpenClaw's errors, URLs): credentials masked by shape.
        item = dict(id=pid, severity=fields.pop("severity"), message=redact_value(message))
        item.update(extra)
        item.update(fields)
        self.problems.append(item)

    def read_user(self, path, limit=1024 * 1024):
        """(text, reason, confined) of a file whose path the service user controls, read as root.

        Inside the user's home: opened with no link followed from the home down, regular files only
        (confined). Elsewhere (a path named in a unit, say): the final component must not be a link, the
        file must be regular and readable by the user as systemd would read it, and it is never confined.
        reason is None, 'missing' or why the file was refused."""
        normal = normalise_path(path)
        if normal is None:
            return None, "is not an absolute path", False
        home = self.user["home"] if self.user else None
        if home and is_inside(normal, home):
            text, reason = read_beneath(normal, home, limit)
            return text, reason, reason is None
        text, reason = read_nofollow(normal, limit)
        if reason is None and self.user and not self.user_may_read(normal):
            text, reason = None, "is not readable by %s" % self.user["name"]
        return text, reason, False

    def user_may_read(self, path):
        """The permission bits as the kernel checks them for the service user (no ACLs)."""
        try:
            st = os.lstat(path)
        except OSError:
            return False
        uid = self.user["uid"]
        if uid == 0:
            return True
        if st.st_uid == uid:
            return bool(st.st_mode & stat.S_IRUSR)
        if st.st_gid in self.user.get("groups", ()):
            return bool(st.st_mode & stat.S_IRGRP)
        return bool(st.st_mode & stat.S_IROTH)

    def unsafe_file(self, path, reason):
        """A file the service user controls that root refused to read; it is reported, never touched."""
        if reason and reason != "missing":
            self.problem("user_file_unsafe", "%s %s: not read as root and left alone" % (path, reason), path=path, reason=reason)

    def command(self, argv, env=None, timeout=None):
        """(argv, environment) of a command (systemctl, node) bounded by `timeout`. The OpenClaw CLI goes through cli()."""
        environ = {"LC_ALL": "C", "NO_COLOR": "1", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
        environ.update(env or {})
        return bounded(argv, timeout or self.timeout), environ

    def run(self, argv, env=None, timeout=None):
        """Run a command bounded by `timeout` (coreutils)."""
        return self.execute(*self.command(argv, env, timeout))

    def cli(self):
        """The OpenClaw CLI found by gather_install, run as the service user on the config gather_config found."""
        return OpenClawCli(self.module, self.facts["cli_path"], self.facts["config"]["path"], self.params["cli_timeout"], run_as=self.user)

    def execute(self, argv, environ):
        try:
            return self.module.run_command(argv, environ_update=environ)
        except Exception as exc:  # pylint: disable=broad-except
            return 127, "", to_native(exc)

    def systemctl_user(self, *args):
        if os.geteuid() == 0 and self.user["uid"] != 0:
            return self.run(["systemctl", "--user", "--machine=%s@" % self.user["name"]] + list(args))
        return self.run(["systemctl", "--user"] + list(args), env={"XDG_RUNTIME_DIR": "/run/user/%d" % self.user["uid"]})

    # --- gatherers ----------------------------------------------------------------------
    def gather_user(self):
        name = self.params["user"]
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            self.user = None
            self.facts["user"] = dict(name=name, exists=False, uid=None, home=None, linger=False)
            self.problem("user_missing", "service user %s does not exist" % name)
            return
        try:
            groups = os.getgrouplist(name, entry.pw_gid)
        except (AttributeError, OSError):
            groups = [entry.pw_gid]
        self.user = dict(name=name, uid=entry.pw_uid, home=entry.pw_dir, groups=groups)
        linger = os.path.exists("/var/lib/systemd/linger/%s" % name)
        self.facts["user"] = dict(name=name, exists=True, uid=entry.pw_uid, home=entry.pw_dir, linger=linger)
        if not linger:
            self.problem("linger_off", "linger is off for %s: the user service stops at logout and does not start at boot" % name)

    def gather_install(self):
        # Where the gateway role installs it (npm_prefix): a CLI elsewhere is not the install the role manages.
        cli, places = find_cli(self.params.get("openclaw_bin"), self.params.get("npm_prefix"))
        package_root = None
        version = None
        if cli:
            real = os.path.realpath(cli)  # .../node_modules/openclaw/openclaw.mjs
            root = os.path.dirname(real)
            while root != "/" and not os.path.exists(os.path.join(root, "package.json")):
                root = os.path.dirname(root)
            try:
                with open(os.path.join(root, "package.json")) as handle:
                    meta = json.load(handle)
                if meta.get("name") == "openclaw":
                    package_root, version = root, meta.get("version")
            except (IOError, OSError, ValueError):
                pass
        self.facts.update(installed=version is not None, version=version, cli_path=cli, package_root=package_root)
        if version is None:
            self.problem("not_installed", "the openclaw package is not installed (no openclaw CLI in %s)" % ", ".join(places))

        node = None
        for directory in BIN_DIRS:
            if os.path.exists(os.path.join(directory, "node")):
                node = os.path.join(directory, "node")
                break
        node_version = None
        if node:
            rc, out, dummy = self.run([node, "--version"])
            node_version = out.strip() if rc == 0 else None
        parsed = version_tuple(node_version)
        ok = node_engines_ok(parsed)
        self.facts["node"] = dict(path=node, version=node_version.lstrip("v") if node_version else None, engines_ok=ok, engines=ENGINES)
        if node is None:
            self.problem("node_missing", "no node executable in %s" % ", ".join(BIN_DIRS))
        elif ok is False:
            self.problem("node_unsupported", "Node.js %s does not satisfy OpenClaw's engines range %s" % (node_version, ENGINES))

    def gather_service(self):
        profile = self.params["profile"]
        unit_name = "openclaw-gateway%s.service" % ("-" + profile if profile else "")
        home = self.user["home"] if self.user else None
        unit_dir = os.path.join(home, ".config/systemd/user") if home else None
        unit_path = os.path.join(unit_dir, unit_name) if unit_dir else None
        service = dict(unit_name=unit_name, unit_path=unit_path, unit_exists=bool(unit_path and os.path.exists(unit_path)),
                       dropins=[], scope="none", pid=None, restarts=None, active_state=None, sub_state=None,
                       load_state=None, unit_file_state=None, result=None, exec_start=[], exec_port=None,
                       runtime_path=None, backup_unit=None, system_units=[])
        for directory in SYSTEM_UNIT_DIRS:
            # Only the names OpenClaw's installer gives a gateway unit: openclaw-backup.service is somebody else's.
            service["system_units"].extend(sorted(path for path in glob.glob(os.path.join(directory, "openclaw-gateway*.service"))
                                                  if GATEWAY_UNIT.match(os.path.basename(path))))
        if unit_path and os.path.exists(unit_path + ".bak"):
            service["backup_unit"] = unit_path + ".bak"
        self.directives = {}
        if service["unit_exists"]:
            service["scope"] = "user"
            text, reason, dummy = self.read_user(unit_path)
            self.unsafe_file(unit_path, reason)
            self.directives["unit"] = (unit_path, parse_unit_file(text or ""))
            argv = exec_start_args(self.directives["unit"][1])
            service["exec_start"] = argv
            service["runtime_path"] = argv[0] if argv else None
            port = option_value(argv, "--port")
            service["exec_port"] = int(port) if port and port.isdigit() else None
        elif service["system_units"]:
            service["scope"] = "system"
        if unit_dir:
            for dropin in sorted(glob.glob(os.path.join(unit_dir, unit_name + ".d", "*.conf"))):
                service["dropins"].append(dropin)
                text, reason, dummy = self.read_user(dropin)
                self.unsafe_file(dropin, reason)
                self.directives["dropin:" + dropin] = (dropin, parse_unit_file(text or ""))
        if service["backup_unit"]:
            text, reason, dummy = self.read_user(service["backup_unit"])
            self.unsafe_file(service["backup_unit"], reason)
            self.directives["unit_backup"] = (service["backup_unit"], parse_unit_file(text or ""))

        self.manager_env = {}
        if self.user and service["unit_exists"]:
            rc, out, err = self.systemctl_user("show", unit_name, "--property=" + ",".join(SHOW_PROPERTIES))
            if rc == 0:
                props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
                service.update(load_state=props.get("LoadState"), active_state=props.get("ActiveState"), sub_state=props.get("SubState"),
                               unit_file_state=props.get("UnitFileState"), result=props.get("Result"))
                service["pid"] = int(props.get("MainPID") or 0) or None
                service["restarts"] = int(props.get("NRestarts") or 0)
                service["exec_main_status"] = int(props.get("ExecMainStatus") or 0)
                service["active_since_monotonic_us"] = int(props.get("ActiveEnterTimestampMonotonic") or 0)
            else:
                service["manager_error"] = (err or out).strip()
                self.problem("user_manager_unreachable", "cannot reach the user manager of %s: %s" % (self.user["name"], service["manager_error"]))
            rc, out, dummy = self.systemctl_user("show-environment")
            if rc == 0:
                for line in out.splitlines():
                    self.manager_env.update(parse_environment_assignments(line) if "=" in line else {})
        self.facts["service"] = service

        if service["system_units"]:
            self.problem("system_unit_present",
                         "OpenClaw is installed as a system unit (%s); the gateway must run as one user service of %s"
                         % (", ".join(service["system_units"]), self.params["user"]))
        if not service["unit_exists"]:
            if self.user:
                self.problem("unit_missing", "user unit %s is missing" % (unit_path,))
            return
        refused = service["active_state"] not in (None, "active") and service["exec_main_status"] == 78
        if not refused and service["active_state"] == "failed" and (service["restarts"] or service["result"] == "start-limit-hit"):
            # It crashed StartLimitBurst times in a row and systemd gave up (systemd 252 keeps the
            # last crash's Result, newer ones say start-limit-hit): it stays down, even once the
            # cause is gone, until the unit is reset.
            self.problem("service_crash_loop", "%s crashed %s times in a row and systemd stopped restarting it (result %s)"
                         % (unit_name, service["restarts"] or "too many", service["result"]))
        elif service["active_state"] == "failed" or refused:
            self.problem("service_failed", "%s is %s (exit status %s)" % (unit_name, service["active_state"], service.get("exec_main_status")))
        elif service["active_state"] in ("activating",) and service["restarts"]:
            self.problem("service_crash_loop", "%s is restarting (restart count %s)" % (unit_name, service["restarts"]))
        elif service["active_state"] not in (None, "active"):
            self.problem("service_inactive", "%s is %s" % (unit_name, service["active_state"]))
        if service["unit_file_state"] not in (None, "enabled", "linked", "enabled-runtime"):
            self.problem("service_disabled", "%s is %s: it will not start at boot" % (unit_name, service["unit_file_state"]))

    def gather_environment(self):
        """Every place the gateway's environment can come from, and what the process really has."""
        home = self.user["home"] if self.user else None
        # (source, path, env, active, confined). confined: remediation may act on the path (inside the
        # home, no link on the way, a regular file); the user manager is reached through systemctl, no path.
        sources = []
        if home:
            for name, path in (("dotenv", os.path.join(home, ".openclaw", ".env")),
                               ("gateway_env", os.path.join(home, ".config", "openclaw", "gateway.env"))):
                text, reason, inside = self.read_user(path)
                self.unsafe_file(path, reason)
                if text is not None:
                    sources.append((name, normalise_path(path), parse_env_file(text), True, inside))
        if self.manager_env:
            sources.append(("manager", None, self.manager_env, True, True))
        for key, (path, directives) in sorted(self.directives.items(), key=lambda kv: (kv[0] != "unit", kv[0])):
            kind = key.split(":", 1)[0]
            env, files = unit_environment(directives)
            active = kind != "unit_backup"
            sources.append((kind, normalise_path(path), env, active, bool(home) and confined(path, home)))
            for env_file in files:
                # A path from a file the user writes: normalised ('..' gone), and only what it names inside
                # the home without a link is ever edited. systemd ignores relative paths, so do we.
                normal = normalise_path(env_file.lstrip("-"))
                if normal is None:
                    continue
                text, reason, inside = self.read_user(normal)
                self.unsafe_file(normal, reason)
                if text is not None:
                    sources.append(("environment_file", normal, parse_env_file(text), active, inside))

        pid = self.facts["service"]["pid"]
        effective, effective_from = None, None
        if pid:
            raw = None
            try:
                with open("/proc/%d/environ" % pid, "rb") as handle:
                    raw = handle.read()
            except (IOError, OSError):
                pass
            if raw is not None:
                effective = dict(item.split("=", 1) for item in raw.decode("utf-8", "replace").split("\0") if "=" in item)
                effective_from = "process"
        if effective is None:
            # Not running (or not ours to read): what systemd would hand the next start.
            directives = []
            for key, (dummy, items) in sorted(self.directives.items(), key=lambda kv: (kv[0] != "unit", kv[0])):
                if key != "unit_backup":
                    directives.extend(items)
            effective = compose_unit_environment(self.manager_env, directives, lambda path: self.read_user(path)[0])
            effective_from = "unit" if self.directives else None
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
        self.env = loaded
        outside = proxy_outside_dropin(proxy)
        self.facts["environment"] = dict(effective=redact_env(loaded, allowlist=True), effective_from=effective_from, proxy=proxy,
                                         proxy_outside_dropin=outside)
        # One finding per place: remediation edits a confined one and must leave any other alone.
        places = {}
        for item in outside:
            places.setdefault((item["source"], item["path"] or "", item["confined"]), []).append(item["variable"])
        for (kind, path, inside), variables in sorted(places.items()):
            if not inside:
                self.problem("proxy_source_unsafe",
                             "%s sets %s but lies outside %s's home or is reached through a link: remediation leaves it alone, "
                             "remove the assignment by hand" % (path, ", ".join(variables), self.params["user"]), path=path, variables=variables)
                continue
            where = "the user manager's environment" if kind == "manager" else "%s %s" % (kind.replace("_", " "), path)
            self.problem("proxy_outside_dropin", "%s sets %s outside the collection's drop-in %s%s"
                         % (where, ", ".join(variables), COLLECTION_DROPIN,
                            " (inactive now; a reinstall or restore of that unit would bring it back)" if kind == "unit_backup" else ""),
                         source=kind, path=path or None, variables=variables)
        for var in ("ALL_PROXY", "all_proxy"):
            if proxy.get(var, {}).get("value"):
                where = ", ".join("%s %s" % (s["source"], s["path"] or "") for s in proxy[var]["sources"] if s["active"]) or "process environment"
                self.problem("proxy_all_proxy",
                             "%s is set for the gateway (from %s): it overrides the split routing and can drag channel WebSockets through a proxy"
                             % (var, where.strip()), variable=var)

    def gather_config(self):
        env = self.env
        home = self.user["home"] if self.user else None
        service_path = config_path_for(home, env, self.params["profile"]) if home else None  # what the service reads
        path = self.params["config_path"] or service_path
        config = dict(path=path, exists=bool(path) and os.path.lexists(path), parse_ok=None, parse_error=None, valid=None, issues=[],
                      mode=None, bind=None, port=None, auth_mode=None, auth_secret_set=False, file_mode=None, owner=None)
        data = None
        text, reason = None, None
        if config["exists"]:
            # The user writes the file and, through the unit's environment, chooses its path: no link is followed.
            text, reason, dummy = self.read_user(path, limit=16 * 1024 * 1024) if self.user else read_nofollow(path, 16 * 1024 * 1024) + (False,)
            if reason == "missing":
                config["exists"] = False
            elif reason:
                config["unsafe"] = reason
                self.problem("config_unsafe", "config %s %s: not read as root; the gateway's config cannot be checked" % (path, reason),
                             path=path, reason=reason)
        if config["exists"] and not reason:
            st = os.lstat(path)
            config["file_mode"] = "%04o" % (st.st_mode & 0o7777)
            try:
                config["owner"] = pwd.getpwuid(st.st_uid).pw_name
            except KeyError:
                config["owner"] = str(st.st_uid)
            try:
                data = parse_config(text or "", path)
                config["parse_ok"] = True
            except ConfigReadError as exc:
                config["parse_ok"] = False
                config["parse_error"] = exc.fault
            if st.st_mode & 0o077:
                self.problem("config_permissions", "%s is mode %s: it holds credentials and should be 0600" % (path, config["file_mode"]))
        self._config_data = data
        if data is not None:
            gateway = data.get("gateway") if isinstance(data.get("gateway"), dict) else {}
            auth = gateway.get("auth") if isinstance(gateway.get("auth"), dict) else {}
            config.update(mode=gateway.get("mode"), bind=gateway.get("bind"), port=gateway.get("port"), auth_mode=auth.get("mode"),
                          custom_bind_host=gateway.get("customBindHost"))
            config["auth_secret_set"] = bool(auth.get("token") or auth.get("password"))
        if config["parse_ok"] is False:
            config["valid"] = False
        self.facts["config"] = config

        if path and not config["exists"]:
            self.problem("config_missing", "config %s does not exist" % path)
        elif config["parse_ok"] is False:
            self.problem("config_unparsable", "config %s cannot be parsed: %s" % (path, config["parse_error"]))
        if data is not None:
            for pid, message in startup_refusals(data):
                self.problem(pid, message)
        if self.params["config_path"] and env and service_path and os.path.realpath(service_path) != os.path.realpath(path):
            self.problem("config_path_mismatch", "the service reads %s but %s was inspected" % (service_path, path))
        elif home:
            self.compare_cli_paths(home, env if env else {}, path)

    def compare_cli_paths(self, home, service_env, service_config):
        """Where `openclaw` in a login shell looks, against the service: edits and auth writes made with
        the CLI must land in the state the gateway reads (OpenClaw's own auth writes refuse otherwise)."""
        profile = self.params["profile"]
        cli_env, set_in = shell_startup_paths(home)
        service = dict(state_dir=state_dir_for(home, service_env, profile), config_path=service_config)
        cli = dict(state_dir=state_dir_for(home, cli_env, profile), config_path=config_path_for(home, cli_env, profile),
                   set_in=sorted(set(set_in.values())))
        self.facts["paths"] = dict(service=service, cli=cli, root_config=None)
        differs = ["%s (service %s, CLI %s)" % (what.replace("_", " "), service[what], cli[what])
                   for what in ("state_dir", "config_path") if os.path.realpath(service[what]) != os.path.realpath(cli[what])]
        if differs:
            where = ("set in %s" % ", ".join(cli["set_in"])) if cli["set_in"] else "the CLI uses the default"
            self.problem("config_path_mismatch",
                         "openclaw in a login shell of %s uses another %s (%s): config edits and auth writes miss the gateway; "
                         "make both the same: OPENCLAW_STATE_DIR=%s OPENCLAW_CONFIG_PATH=%s"
                         % (self.params["user"], " and ".join(differs), where, service["state_dir"], service["config_path"]),
                         service=service, cli=cli)
        root_config = config_path_for(ROOT_HOME, {}, profile)
        if self.params["user"] != "root" and os.path.exists(root_config) and os.path.realpath(root_config) != os.path.realpath(service_config):
            self.facts["paths"]["root_config"] = root_config
            self.problem("cli_root_config",
                         "%s exists: openclaw run as root reads and writes it, not the service's %s; run the CLI as the service user "
                         "(sudo -u %s -H openclaw ...)" % (root_config, service_config, self.params["user"]))

    def gateway_port(self):
        service, config = self.facts["service"], self.facts["config"]
        return self.params["port"] or service.get("exec_port") or (config["port"] if isinstance(config.get("port"), int) else None) or DEFAULT_PORT

    def base_url(self):
        config = self.facts["config"]
        host = "127.0.0.1"
        if config.get("bind") == "custom" and config.get("custom_bind_host") not in (None, "", "0.0.0.0"):
            host = config["custom_bind_host"]
        return "http://%s:%d" % ("[%s]" % host if ":" in host else host, self.gateway_port())

    def wait_for_ready(self):
        """Seconds until /ready answered 200 (None: it did not within wait_ready, or the unit failed meanwhile).

        Reads only what locates /ready (user, unit, environment, config) and forgets it afterwards: gather() then
        describes the state after the wait."""
        self.gather_user()
        self.gather_service()
        self.gather_environment()
        self.gather_config()
        url = self.base_url() + "/ready"
        unit = self.facts["service"]["unit_name"]
        self.facts, self.problems, self._config_data = {}, [], None
        started = time.time()
        deadline = started + self.params["wait_ready"]
        checked_unit = started
        while True:
            if http_probe(url, min(self.timeout, 1.0))["ok"]:
                return round(time.time() - started, 2)
            now = time.time()
            if now >= deadline:
                return None
            if self.user and now - checked_unit >= 1:
                checked_unit = now
                rc, out, dummy = self.systemctl_user("show", "-p", "ActiveState", "--value", unit)
                if rc == 0 and out.strip() == "failed":
                    return None
            time.sleep(min(0.25, max(deadline - now, 0)))

    def gather_network(self):
        service = self.facts["service"]
        port = self.gateway_port()
        self.port = port
        self.facts["port"] = port
        listeners = list_listeners(port)
        self.facts["listeners"] = listeners
        main_pid = service.get("pid")
        family = set(descendants(main_pid)) if main_pid else set()
        foreign = [l for l in listeners if l.get("pid") is None or l["pid"] not in family]
        if foreign:
            owners = ", ".join("%s (pid %s, %s)" % (l["address"], l.get("pid"), l.get("command")) for l in foreign)
            holders = [dict(pid=l.get("pid"), command=l.get("command"), user=l.get("user"),
                            gateway=bool(re.search(r"openclaw|\bgateway\b", l.get("cmdline") or "")))
                       for l in foreign]
            self.problem("port_conflict", "port %d is held by a process that is not the service: %s" % (port, owners),
                         foreign_is_gateway=any(h["gateway"] for h in holders), holders=holders)

        base = self.base_url()
        # Both at once: a hung gateway lets each run into the timeout.
        probes = {}
        threads = [threading.Thread(target=lambda path: probes.__setitem__(path, http_probe(base + path, self.timeout)), args=(path,))
                   for path in ("/health", "/ready")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.facts["health"] = probes["/health"]
        ready = probes["/ready"]
        body = ready.pop("json", None) or {}
        loop = body.get("eventLoop") if isinstance(body.get("eventLoop"), dict) else {}
        ready.update(ready=body.get("ready"), failing=body.get("failing", []), uptime_ms=body.get("uptimeMs"),
                     event_loop=dict(degraded=loop.get("degraded"), delay_p99_ms=loop.get("delayP99Ms"),
                                     delay_max_ms=loop.get("delayMaxMs"), utilization=loop.get("utilization"), reasons=loop.get("reasons", [])))
        ready["ok"] = ready.get("status") == 200 and body.get("ready") is True
        self.facts["health"].pop("json", None)
        self.facts["ready"] = ready

        running = service.get("active_state") == "active"
        if running and not ready["ok"]:
            if ready.get("error") and "timed out" in ready["error"]:
                self.problem("gateway_hung", "the process is alive but /ready timed out after %gs" % self.timeout)
            elif service.get("pid") and not listeners:
                self.problem("gateway_starting", "the service runs but nothing listens on port %d yet" % port)
            else:
                self.problem("not_ready", "/ready answered %s: failing %s" % (ready.get("status") or ready.get("error"), ready.get("failing")))
        delay = ready["event_loop"].get("delay_p99_ms")
        threshold = self.params["event_loop_delay_threshold_ms"]
        starting = isinstance(ready.get("uptime_ms"), (int, float)) and ready["uptime_ms"] < STARTUP_GRACE_MS
        if isinstance(delay, (int, float)) and delay > threshold and starting:
            # A freshly started Node process compiles and loads plugins: a CPU burst, not a stall.
            self.problem("event_loop_busy", "event loop p99 delay %s ms %.0f s after start (reasons %s)"
                         % (delay, ready["uptime_ms"] / 1000.0, ready["event_loop"].get("reasons")))
        elif isinstance(delay, (int, float)) and delay > threshold:
            self.problem("event_loop_degraded", "event loop p99 delay %s ms is above %s ms: requests stall (reasons %s)"
                         % (delay, threshold, ready["event_loop"].get("reasons")))
        elif ready["event_loop"].get("degraded"):
            # OpenClaw flags short CPU bursts (e.g. right after start) too: worth seeing, not an outage.
            self.problem("event_loop_busy", "OpenClaw reports its event loop degraded (p99 %s ms, reasons %s)"
                         % (delay, ready["event_loop"].get("reasons")))

    def validation_needed(self):
        config = self.facts["config"]
        return bool(self.params["validate_config"] and config["exists"] and config["parse_ok"] and self.facts.get("cli_path"))

    def start_validation(self):
        """Start the CLI's schema check now, when it will be needed whatever the probes say (the service is not up,
        so no gateway can vouch for the file): its ~2-3 s then overlap the rest of the gathering."""
        if not self.validation_needed() or self.facts["service"].get("active_state") in ("active", "reloading"):
            return
        result = []
        self._validation = threading.Thread(target=lambda: result.append(self.cli().call(VALIDATE_ARGS)))
        self._validation.result = result
        self._validation.start()

    def validate_config(self):
        """OpenClaw's own schema check: `openclaw config validate --json`, a CLI start (~3 s)."""
        config = self.facts["config"]
        if not self.validation_needed():
            return
        if self._validation is not None:
            self._validation.join()
            result = self._validation.result[0] if self._validation.result else None
        elif not self.params["validate_loaded_config"] and self.loaded_by_ready_gateway(config["path"]):
            # The gateway validated this very file when it loaded it, and it serves.
            config.update(valid=True, validated_by="running gateway")
            return
        else:
            result = self.cli().call(VALIDATE_ARGS)
        verdict = (result.json() if result else None) or {}
        if "valid" in verdict:
            config.update(valid=bool(verdict["valid"]), validated_by="openclaw config validate",
                          issues=[dict(path=i.get("path"), message=redact_value(i.get("message")))
                                  for i in verdict.get("issues", []) if isinstance(i, dict)])
        else:
            config["validate_error"] = self.cli().error(result).detail[-500:] if result else "the validation did not run"
        if config["valid"] is False:
            self.problem("config_invalid", "config %s fails OpenClaw's schema: %s" % (
                config["path"], "; ".join("%s: %s" % (i["path"], i["message"]) for i in config["issues"]) or "see openclaw config validate"))

    def loaded_by_ready_gateway(self, path):
        """True when the service's process is ready and started after the config file last changed."""
        pid = self.facts["service"].get("pid")
        started = process_start_time(pid) if pid and self.facts.get("ready", {}).get("ok") else None
        try:
            return started is not None and os.stat(path).st_mtime < started
        except OSError:
            return False

    def gather_locks(self):
        """Gateway locks. Only a confined lock (a regular file of the user, in /tmp/openclaw-UID/ or in the state dir's
        tmp/openclaw-UID/ when the state dir is in the home, no link on the way) is read; only one may be called stale."""
        locks = []
        if self.user:
            uid, home = self.user["uid"], self.user["home"]
            state_dir = os.path.dirname(self.facts["config"]["path"] or os.path.join(home, ".openclaw", "x"))
            tmp_dir = "/tmp/openclaw-%d" % uid
            # (lock directory, directory checked from, whether that one may itself be a link)
            places = [(os.path.join(state_dir, "tmp", "openclaw-%d" % uid), home, True), (tmp_dir, tmp_dir, False)]
            for lock_dir, base, trusted in places:
                for path in sorted(glob.glob(os.path.join(lock_dir, "*.lock"))):
                    normal = normalise_path(path)
                    ok = (normal is not None and is_inside(normal, lock_dir) and is_inside(normal, base)
                          and confined(normal, base, uids=(uid,), trust_directory=trusted))
                    if not ok:
                        locks.append(dict(path=normal or path, pid=None, owner_alive=None, stale=False, port=None, config_path=None,
                                          confined=False))
                        self.problem("lock_unsafe", "lock %s is not a regular file of %s in %s reached without a link: "
                                     "left alone" % (path, self.user["name"], lock_dir), path=path)
                        continue
                    text, reason = read_beneath(normal, base, uids=(uid,), trust_directory=trusted)
                    lock = inspect_lock(normal, text)
                    lock["confined"] = reason is None
                    lock["stale"] = lock["stale"] and lock["confined"]
                    locks.append(lock)
        self.facts["locks"] = locks
        for lock in locks:
            if lock["stale"]:
                self.problem("stale_lock", "lock %s belongs to pid %s, which is gone" % (lock["path"], lock["pid"]), path=lock["path"])

    def gather_logs(self):
        """The newest gateway log, only when it is a regular file (of the user or root) directly in a real /tmp/openclaw
        owned by the user or root: the hung bundle tails it as root."""
        profile = self.params["profile"]
        log_dir = LOG_DIR
        pattern = log_dir + "/openclaw-%s[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].log" % (profile + "-" if profile else "")
        files = sorted(glob.glob(pattern))
        newest = files[-1] if files else None
        owners = (0, self.user["uid"]) if self.user else (0,)
        if newest:
            try:
                st = os.lstat(log_dir)
                dir_ok = stat.S_ISDIR(st.st_mode) and st.st_uid in owners
            except OSError:
                dir_ok = False
            if not (dir_ok and confined(newest, log_dir, uids=owners, trust_directory=False)):
                self.problem("log_file_unsafe", "log %s is a link, not a regular file, or in a directory of another user: "
                             "not read" % newest, path=newest)
                newest = None
        self.facts["log_file"] = newest

    def system_unit(self, unit):
        rc, out, dummy = self.run(["systemctl", "show", unit, "--property=LoadState,ActiveState,SubState,UnitFileState"])
        props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line) if rc == 0 else {}
        return dict(unit=unit, load_state=props.get("LoadState"), active_state=props.get("ActiveState"),
                    sub_state=props.get("SubState"), unit_file_state=props.get("UnitFileState"))

    def gather_egress(self):
        """Split egress as the gateway experiences it: proxy variables, NO_PROXY, Privoxy's rules, the relay."""
        p = self.params
        env = self.env
        proxy_url = env.get("https_proxy") or env.get("HTTPS_PROXY") or env.get("http_proxy") or env.get("HTTP_PROXY")
        shown_url = redact_value(proxy_url)
        no_proxy = no_proxy_entries(env.get("no_proxy") or env.get("NO_PROXY"))
        privoxy_text = read_text(p["egress_privoxy_config"])
        ss_text = read_text(p["egress_ss_local_config"])
        egress = dict(configured=bool(proxy_url or ss_text), proxy_url=shown_url, no_proxy=no_proxy,
                      privoxy=None, ss_local=None, relay=None, routes=[], channels=[])
        self.facts["egress"] = egress
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            value = env.get(var) or ""
            if value and not re.match(r"^https?://", value):
                self.problem("proxy_socks_url", "%s=%s is not an http(s) URL: Node and the channel clients cannot use it" % (var, value),
                             variable=var, sources=self.facts["environment"]["proxy"].get(var, {}).get("sources", []))
        if not egress["configured"]:
            return

        rules = parse_privoxy_forwards(privoxy_text) if privoxy_text is not None else []
        proxy_host, proxy_port = host_of(proxy_url)
        if privoxy_text is not None:
            egress["privoxy"] = self.system_unit("privoxy.service")
            # A forward-socks5 target may carry user:password@ (Privoxy supports it): masked in the facts only.
            egress["privoxy"].update(config=p["egress_privoxy_config"], rules=redact_tree(rules), default_first=first_forward_is_default(rules))
            if egress["privoxy"]["active_state"] != "active":
                self.problem("privoxy_inactive", "privoxy.service is %s: every proxied request fails" % egress["privoxy"]["active_state"])
            if rules and not egress["privoxy"]["default_first"]:
                self.problem("privoxy_default_not_first", "%s: `forward / .` is not the first forward rule; Privoxy's last match wins, "
                             "so the rules before it are overridden" % p["egress_privoxy_config"])
        if ss_text is not None:
            try:
                ss_conf = json.loads(ss_text)
            except ValueError:
                ss_conf = {}
            egress["ss_local"] = self.system_unit(p["egress_ss_local_unit"])
            egress["ss_local"].update(local="%s:%s" % (ss_conf.get("local_address"), ss_conf.get("local_port")), method=ss_conf.get("method"))
            if egress["ss_local"]["active_state"] != "active":
                self.problem("ss_local_inactive", "%s is %s: proxied domains cannot reach the relay"
                             % (p["egress_ss_local_unit"], egress["ss_local"]["active_state"]))
            host, port = ss_conf.get("server"), ss_conf.get("server_port")
            if isinstance(host, list):
                host = host[0] if host else None
            if host and port:
                egress["relay"] = tcp_probe(host, int(port), self.timeout)
                if not egress["relay"]["reachable"]:
                    self.problem("relay_unreachable", "relay %s:%s is unreachable: %s" % (host, port, egress["relay"]["error"]))

        proxied = p["egress_proxied_domains"] or [r["pattern"] for r in rules if r["kind"].startswith("forward-socks")]
        for domain in proxied:
            host = domain.lstrip(".")
            bypass = no_proxy_matches(no_proxy, host) if proxy_url else None
            if not proxy_url:
                route, reason = "direct", "the gateway has no HTTP(S)_PROXY"
            elif bypass:
                route, reason = "direct", "NO_PROXY entry %s" % bypass
                self.problem("proxied_domain_bypassed", "%s should use the relay but NO_PROXY entry %s sends it direct" % (domain, bypass))
            elif privoxy_text is None:
                route, reason = "proxy", "via %s" % shown_url
            else:
                route, rule = privoxy_route(rules, host)
                reason = ("Privoxy line %s: %s %s %s" % (rule["line"], rule["kind"], rule["pattern"], redact_value(rule["target"]))
                          if rule else "no Privoxy rule")
            egress["routes"].append(dict(domain=domain, host=host, route=route, reason=reason))
            if proxy_url and route == "direct" and not bypass:
                self.problem("proxied_domain_direct", "%s goes direct: %s" % (domain, reason))

        missing = []
        for channel in p["egress_channel_hosts"]:
            host = channel.lstrip(".")
            if proxy_url and not no_proxy_matches(no_proxy, host):
                missing.append(channel)
            egress["channels"].append(dict(host=channel, route="direct" if not proxy_url or channel not in missing else "proxy"))
        if missing:
            self.problem("no_proxy_missing", "NO_PROXY lacks %s: those connections (chat WebSockets, the CLI's calls to the local gateway) "
                         "would go through the proxy" % ", ".join(missing), hosts=missing)
        if proxy_host and proxy_host not in ("127.0.0.1", "::1", "localhost"):
            self.problem("proxy_not_local", "the gateway's proxy %s is not on this node" % shown_url)

    def cli_json(self, argv):
        """(parsed JSON, None) or (None, OpenClaw's error message)."""
        cli = self.cli()
        result = cli.call(argv)
        data = result.json()
        if result.rc == 0 and data is not None:
            return data, None
        error = data.get("error") if data else None
        message = error.get("message") if isinstance(error, dict) else None
        return None, redact_value(message) if isinstance(message, str) and message else cli.error(result).detail[-500:]

    def gather_auth(self):
        """Seed 002 drift: what OpenClaw stores vs what the config registers and orders."""
        auth = dict(stored=[], registered=[], order={}, unusable=[], legacy_files=[], pins=[], drift=[])
        self.facts["auth"] = auth
        if not (self.facts.get("installed") and self.user and self.facts["config"]["parse_ok"]):
            return

        def drift(kind, message, **extra):
            auth["drift"].append(dict(kind=kind, **extra))
            self.problem("auth_" + kind, message, **extra)

        # Legacy files first: while one is present OpenClaw refuses every auth command.
        state_dir = os.path.dirname(self.facts["config"]["path"])
        legacy_ids = {}
        for legacy in sorted(glob.glob(os.path.join(state_dir, "agents", "*", "agent", "auth-profiles.json"))):
            text, reason, dummy = self.read_user(legacy, limit=16 * 1024 * 1024)
            self.unsafe_file(legacy, reason)
            try:
                legacy_ids[legacy] = sorted((json.loads(text or "{}").get("profiles") or {}).keys())
            except (ValueError, AttributeError):
                legacy_ids[legacy] = []
        listing, list_error = self.cli_json(["models", "auth", "list", "--json"])
        status, status_error = self.cli_json(["models", "status", "--json"]) if listing is not None else (None, None)
        error = list_error or status_error
        if error and "legacy credential migration" in error:
            drift("legacy_migration_required", "OpenClaw refuses auth commands until the legacy auth-profiles.json is migrated "
                  "(`openclaw doctor --fix`): %s" % error)
        elif error:
            self.problem("auth_unreadable", "openclaw models auth list/status failed, auth drift unknown: %s" % error)
        stored = sorted(p["id"] for p in (listing or {}).get("profiles", []) if isinstance(p, dict) and p.get("id"))
        for legacy, ids in legacy_ids.items():
            missing = [pid for pid in ids if pid not in stored]
            auth["legacy_files"].append(dict(path=legacy, profile_ids=ids, not_imported=missing))
            if missing:
                drift("legacy_not_imported", "%s holds %s, never imported (OpenClaw no longer reads this file; "
                      "run `openclaw doctor --fix` or re-add them with the auth role)" % (legacy, ", ".join(missing)), path=legacy)
        if listing is None or status is None:
            return
        data = self._config_data or {}
        config_auth = data.get("auth") if isinstance(data.get("auth"), dict) else {}
        registered = sorted((config_auth.get("profiles") or {}).keys()) if isinstance(config_auth.get("profiles"), dict) else []
        order = config_auth.get("order") if isinstance(config_auth.get("order"), dict) else {}
        unusable = unusable_profiles(status)
        auth.update(stored=stored, registered=registered, order=order, unusable=unusable)
        for pid in sorted(set(stored) - set(registered)):
            drift("stored_not_registered", "auth profile %s is stored but not registered under auth.profiles: it never joins rotation" % pid,
                  profile_id=pid)
        for pid in sorted(set(registered) - set(stored)):
            drift("registered_not_stored", "auth profile %s is registered but has no stored credential" % pid, profile_id=pid)
        for provider, ids in sorted(order.items()):
            left_out = sorted(pid for pid in stored if pid.split(":", 1)[0] == provider and pid not in (ids or []))
            if left_out:
                drift("order_excludes_stored", "auth.order.%s leaves out %s: they never rotate (remove the order for round robin)"
                      % (provider, ", ".join(left_out)), provider=provider, profile_ids=left_out)
        for item in unusable:
            drift("profile_unusable", "auth profile %s is in %s (%s) for another %s s"
                  % (item["profile_id"], item["kind"], item["reason"], int((item["remaining_ms"] or 0) / 1000)), profile_id=item["profile_id"])
        pins, pin_errors = read_pins(state_dir)
        auth["pins"] = pins
        for error in pin_errors:
            self.problem("auth_pins_unreadable", "session auth pins unknown: %s" % error)
        cooling = set(item["profile_id"] for item in unusable)
        for pin in automatic(pins):
            if pin["profile_id"] in cooling:
                drift("session_pinned_to_unusable", "session %s is automatically pinned to %s, which is in cooldown or disabled "
                      "(playbooks/rotate_auth.yml resets automatic pins)" % (pin["session_key"], pin["profile_id"]),
                      profile_id=pin["profile_id"], session_key=pin["session_key"])

    def gather(self):
        waited = self.wait_for_ready() if self.params["wait_ready"] > 0 else None
        started = time.time()
        self.gather_user()
        self.gather_install()
        self.gather_service()
        self.gather_environment()
        self.gather_config()
        self.start_validation()
        self.gather_network()
        self.validate_config()
        self.gather_locks()
        self.gather_logs()
        self.gather_egress()
        if self.params["gather_auth"]:
            self.gather_auth()
        if self.params["wait_ready"] > 0:
            self.facts["ready"]["waited_s"] = waited
        self.facts["problems"] = self.problems
        self.facts["healthy"] = not any(p["severity"] in ("error", "critical") for p in self.problems)
        self.facts["gather_seconds"] = round(time.time() - started, 3)
        return self.facts


def http_probe(url, timeout):
    """GET url without any proxy (env proxies would send a loopback probe elsewhere)."""
    opener = build_opener(ProxyHandler({}))
    started = time.time()
    result = dict(url=url, status=None, ok=False, error=None)
    try:
        response = opener.open(url, timeout=timeout)
        result["status"] = response.getcode()
        body = response.read(65536)
    except HTTPError as exc:
        result["status"] = exc.code
        body = exc.read(65536)
    except Exception as exc:  # pylint: disable=broad-except
        result["error"] = to_native(getattr(exc, "reason", exc))
        if "timed out" not in result["error"] and time.time() - started >= timeout * 0.95:
            result["error"] = "timed out: %s" % result["error"]
        body = b""
    result["elapsed_ms"] = round((time.time() - started) * 1000, 1)
    try:
        result["json"] = json.loads(body.decode("utf-8")) if body else None
    except ValueError:
        result["json"] = None
    result["ok"] = result["status"] == 200
    return result


def tcp_probe(host, port, timeout):
    started = time.time()
    result = dict(host=host, port=port, reachable=False, error=None)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.close()
        result["reachable"] = True
    except Exception as exc:  # pylint: disable=broad-except
        result["error"] = to_native(exc)
    result["elapsed_ms"] = round((time.time() - started) * 1000, 1)
    return result


def _socket_inodes(port):
    """{inode: ('address:port', uid)} of TCP sockets listening on port, from /proc/net/tcp{,6}."""
    found = {}
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        text = read_text(table) or ""
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 10 or fields[3] != "0A":
                continue
            address, hexport = fields[1].split(":")
            if int(hexport, 16) != port:
                continue
            found[fields[9]] = ("%s:%d" % (_decode_address(address, v6), port), int(fields[7]))
    return found


def _decode_address(hexaddr, v6):
    raw = bytes(bytearray.fromhex(hexaddr))
    if not v6:
        return ".".join(str(b) for b in reversed(raw))
    # Four little-endian 32-bit words.
    words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
    full = b"".join(words)
    groups = ["%x" % ((full[i] << 8) | full[i + 1]) for i in range(0, 16, 2)]
    text = ":".join(groups)
    text = re.sub(r"(^|:)0(:0)+(:|$)", "::", text, count=1)
    return "[%s]" % text


def _scan_fds(pid_dirs, wanted):
    """{inode: pid} for the sockets in `wanted` held by the given /proc/PID dirs; also the dirs we may not read."""
    found, denied = {}, []
    for pid_dir in pid_dirs:
        try:
            fds = os.listdir(pid_dir + "/fd")
        except (IOError, OSError):
            continue
        for fd in fds:
            try:
                target = os.readlink("%s/fd/%s" % (pid_dir, fd))
            except (IOError, OSError) as exc:
                if exc.errno == errno.EACCES:
                    denied.append(pid_dir)
                    break
                continue
            if target in wanted:
                pid = int(pid_dir[6:])
                inode = target[8:-1]
                found[inode] = min(pid, found.get(inode, pid))
    return found, denied


def list_listeners(port):
    inodes = _socket_inodes(port)
    if not inodes:
        return []
    wanted = set("socket:[%s]" % inode for inode in inodes)
    owners, denied = _scan_fds(glob.glob("/proc/[0-9]*"), wanted)
    # Root without CAP_SYS_PTRACE (containers) may not read other users' fds, but the owner
    # may: look again with the effective uid of each such process, then switch back.
    if denied and os.geteuid() == 0:
        by_uid = {}
        for pid_dir in denied:
            try:
                st = os.stat(pid_dir)
                by_uid.setdefault((st.st_uid, st.st_gid), []).append(pid_dir)
            except OSError:
                continue
        for (uid, gid), pid_dirs in by_uid.items():
            try:
                os.setegid(gid)  # the kernel compares both uid and gid with the target's
                os.seteuid(uid)
                found, dummy = _scan_fds(pid_dirs, wanted)
            except OSError:
                found = {}
            finally:
                os.seteuid(0)
                os.setegid(0)
            for inode, pid in found.items():
                owners[inode] = min(pid, owners.get(inode, pid))
    listeners = []
    for inode, (address, uid) in sorted(inodes.items(), key=lambda kv: kv[1]):
        pid = owners.get(inode)
        entry = dict(address=address, pid=pid, command=None, cmdline=None, user=None)
        try:
            entry["user"] = pwd.getpwuid(uid).pw_name
        except KeyError:
            entry["user"] = str(uid)
        if pid:
            entry["command"] = (read_text("/proc/%d/comm" % pid) or "").strip()
            entry["cmdline"] = redact_value((read_text("/proc/%d/cmdline" % pid) or "").replace("\0", " ").strip()[:300])
        listeners.append(entry)
    return listeners


def descendants(pid):
    """pid and all its descendants (a gateway may listen from a child process)."""
    children = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        text = read_text(stat)
        if not text:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def process_start_ticks(pid):
    text = read_text("/proc/%d/stat" % pid)
    if not text:
        return None
    fields = text.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])  # field 22 of stat: start time in clock ticks since boot
    except (IndexError, ValueError):
        return None


def process_start_time(pid):
    """Epoch seconds at which a process started (boot time + its start ticks), None when unknown."""
    ticks = process_start_ticks(pid)
    boot = re.search(r"^btime (\d+)$", read_text("/proc/stat") or "", re.M)
    if ticks is None or not boot:
        return None
    return int(boot.group(1)) + ticks / float(os.sysconf("SC_CLK_TCK"))


def inspect_lock(path, text=None):
    """A gateway lock is JSON {pid, startTime, ...}; it is stale when the pid is gone or reused.

    text: the lock's content, read safely by the caller; without it the file is read without following a link."""
    lock = dict(path=path, pid=None, owner_alive=None, stale=False, port=None, config_path=None)
    if text is None:
        text = read_nofollow(path)[0]
    try:
        data = json.loads(text.strip()) if text and text.strip() else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int):
        lock["unreadable"] = True
        return lock
    lock.update(pid=data["pid"], port=data.get("port"), config_path=data.get("configPath"), created_at=data.get("createdAt"))
    ticks = process_start_ticks(data["pid"])
    alive = ticks is not None and (not isinstance(data.get("startTime"), int) or data["startTime"] == ticks)
    lock["owner_alive"] = alive
    lock["stale"] = not alive
    return lock


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
    for name in ("config_path", "egress_ss_local_config", "egress_privoxy_config"):
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
        ),
        supports_check_mode=True,
    )
    check_options(module)
    facts = Gatherer(module).gather()
    module.exit_json(changed=False, ansible_facts=dict(openclaw=facts))


if __name__ == "__main__":
    main()
