# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hostile-input suite (issue 11, item 4).

Each case replaces one role variable (or module option) of a valid baseline with a malformed value and
checks that it is refused before any change, by a message naming the variable. A role refuses in two
steps, both reproduced here on the raw value: its meta/argument_specs.yml (ansible's
ArgumentSpecValidator, which e.g. turns "８０" into 80 or "A=1" into a dict but does not hand the
converted value to the role) and then its preflight (module_utils/_inputs.py, through the
input_errors filter). Modules refuse in main() before they call anything.
"""

import copy
import json
import os
from unittest import mock

import pytest
import yaml

from ansible.module_utils import basic
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.clawops.openclaw.plugins.module_utils._inputs import role_errors
from ansible_collections.clawops.openclaw.plugins.modules import openclaw_auth_profile, openclaw_config, openclaw_session_pins
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import set_module_args


ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
ROLES = ("gateway", "node", "egress", "auth", "remediate", "doctor")
TOKEN = "T0ken-0123456789abcdef"
SECRET = "Egr3ss-0123456789abcdef"
PROXY_PASSWORD = "Pr0xyPassw0rd"

# Defaults that are templates get the value they template to on a typical inventory.
BASELINE_OVERRIDES = {
    "node": {"node_archive_url": "https://nodejs.org/dist/v24.19.0/node-v24.19.0-linux-x64.tar.gz"},
    "egress": {"egress_relay_host": "relay.example.com", "egress_password": SECRET,
               "egress_forward_rules": [{"pattern": "/", "forward": "."},
                                        {"pattern": ".openai.com", "forward_socks5t": "127.0.0.1:1080", "forward": "."}]},
    "auth": {"auth_user": "openclaw", "auth_profiles": [{"id": "openai:a", "secret": "sk-aaaaaaaa"}, {"id": "openai:b", "secret": "sk-b"}],
             "auth_order": {"openai": ["openai:b", "openai:a"]}},
    "remediate": {"remediate_user": "openclaw", "remediate_port": 18789, "remediate_unit_copy_dir": "/var/lib/clawops-openclaw/units",
                  "remediate_config_known_good_dir": "/var/lib/clawops-openclaw/configs", "remediate_config_keep": 5,
                  "remediate_config_max_age_days": 90},
    "doctor": {"doctor_user": "openclaw", "doctor_report_dir": "/srv/ops/openclaw-doctor"},
}


_YAML = {}


def load_yaml(*parts):
    path = os.path.join(ROOT, *parts)
    if path not in _YAML:
        with open(path) as handle:
            _YAML[path] = yaml.safe_load(handle)
    return copy.deepcopy(_YAML[path])


def baseline(role):
    values = load_yaml("roles", role, "defaults", "main.yml")
    values.update(copy.deepcopy(BASELINE_OVERRIDES.get(role, {})))
    return values


def spec(role):
    def strip(options):
        out = {}
        for name, option in options.items():
            option = {k: v for k, v in option.items() if k not in ("description", "default")}
            if "options" in option:
                option["options"] = strip(option["options"])
            out[name] = option
        return out
    return strip(load_yaml("roles", role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"])


def refusals(role, values):
    """What the role says about `values`: argument_specs first (the role stops there), then its preflight."""
    result = ArgumentSpecValidator(spec(role)).validate(copy.deepcopy(values))
    if result.error_messages:
        return list(result.error_messages)
    return role_errors(role, values)


CYR_A = "\u0430"  # Cyrillic a, looks like Latin a
LONG = "a" * 5000

# (role, variable named in the message, value, other overrides)
CASES = []


def case(role, name, value, expect=None, **others):
    CASES.append((role, expect or name, {name: value} if name in baseline(role) else {}, others, value))


def add(role, name, values, expect=None, **others):
    for value in values:
        CASES.append((role, expect or name, {name: value}, others, value))


# --- gateway -------------------------------------------------------------------------------------
add("gateway", "gateway_user", ["root", "-oops", "open claw", "openclaw\n", "Openclaw", "a" * 40, "", "openclaw" + CYR_A,
                                5, "../x", "user%n", ["openclaw"]])
add("gateway", "gateway_user_create", ["maybe", [True]])
add("gateway", "gateway_user_allow_login_shell", ["sure"])
add("gateway", "gateway_version", ["2026.9.6\n", "latest", "2026.9.6 --registry=http://x", "-1.0.0", "2026.9", "\uff12026.9.6", "",
                                   "2026.9.6;rm -rf /", LONG])
add("gateway", "gateway_npm_prefix", ["usr/local", "/usr/../etc", "/usr/local\n", "", "~/.npm", "--prefix", "/"])
add("gateway", "gateway_npm_registry", ["ftp://registry.example.com", "https://reg\n.example.com", "https://ex%smple.com" % CYR_A,
                                        "https://ex ample.com", "registry.npmjs.org", "https://x.com:99999", "https://x.com/%zz",
                                        "https://x.com/\"quoted\""])
add("gateway", "gateway_npm_allow_scripts", [["openclaw,evil"], ["--ignore-scripts"], ["Open Claw"], "openclaw", ["a\n"], [5]])
add("gateway", "gateway_npm_fetch_timeout", [5, 3601, "120s", True, -1])
add("gateway", "gateway_ca_bundle", ["/etc/ssl/ca.pem\nExecStartPre=/bin/sh -c id", "certs/ca.pem", "/etc/../root/ca.pem", "/etc/ssl/ca.pem\r"])
add("gateway", "gateway_node_executable", ["node", "/usr/bin/node\n", "/usr/bin/../../tmp/node"])
add("gateway", "gateway_port", [0, 65536, -1, "\uff18\uff10\uff18\uff10", "80a", True, "18789\n", 1.5, "", [1]])
add("gateway", "gateway_bind", ["LAN", "lan\n", "0.0.0.0"])
add("gateway", "gateway_custom_bind_host", ["10.0.0.1\nExecStartPre=/bin/id", "host name", "fe80::1%eth0", "ex%smple.com" % CYR_A,
                                            "-h", "10.0.0.1:80"], gateway_bind="custom")
case("gateway", "gateway_bind", "custom", expect="gateway_custom_bind_host")
add("gateway", "gateway_auth_mode", ["NONE", "token\n"])
case("gateway", "gateway_auth_mode", "none", expect="gateway_auth_mode", gateway_bind="lan")
add("gateway", "gateway_auth_token", ["short", TOKEN + "\r", " " + TOKEN, TOKEN + "\n", 12345678901234567890, "\u2028" + TOKEN])
add("gateway", "gateway_auth_password", ["a", "pw1234567890"], gateway_bind="lan", gateway_auth_mode="password")
add("gateway", "gateway_auth_password", ["", "pass\rword1234567890"], gateway_auth_mode="password")
add("gateway", "gateway_config_settings", ["gateway.port=1", {"": 1}, {"a\nb": 1}, {"gateway": {"x\r": 1}}])
add("gateway", "gateway_proxy_url", ["http://127.0.0.1:8118\nExecStartPre=/bin/id", "socks5://127.0.0.1:1080", "http://127.0.0.1:8118 ",
                                     "127.0.0.1:8118", "http://127.0.0.1:99999", "http://ex%smple.com:8118" % CYR_A,
                                     "http://u:p%zz@127.0.0.1:8118", "http://127.0.0.1:8118/\"", "http://127.0.0.1:8118/%h",
                                     "http://127.0.0.1:8118\" \"EVIL=1", 8118,
                                     "http://user:%s@127.0.0.1:8118\n" % PROXY_PASSWORD, "http://user:%s@127.0.0.1:8118 x" % PROXY_PASSWORD])
add("gateway", "gateway_no_proxy", [["a.com,b.com"], ["a.com\nExecStartPre=/x"], ["a b"], ["%h"], "localhost", [""],
                                    [".ex%smple.com" % CYR_A], [1]], gateway_proxy_url="http://127.0.0.1:8118")
add("gateway", "gateway_no_proxy_extra", [["x\n"], ["*.com"], ["a.com\" \"X=1"]])
add("gateway", "gateway_proxied_domains", [["open ai.com"], ["-x.com"], ["x.com\n"]])
case("gateway", "gateway_proxied_domains", ["api.telegram.org"], gateway_proxy_url="http://127.0.0.1:8118")
add("gateway", "gateway_environment", [{"A B": "x"}, {"1A": "x"}, {"A": "x\nExecStartPre=/bin/id"}, {"A": "x\ry"}, {"A-B": "1"},
                                       {"ALL_PROXY": "http://x"}, {"all_proxy": "x"}, {"A": ["list"]}, {"A": None}, {"A": True},
                                       "A=1", {"A=B": "c"}, {"PATH\n": "x"}, {"\uff21": "x"}, {"A": "x\x85y"}])
add("gateway", "gateway_memory_max", ["85%\nExecStartPre=/bin/id", "85 %", "-1", "150%", "lots", "85%%", 85.5, ["85%"]])
add("gateway", "gateway_journal_max_use", ["500M\n[Journal]", "500 M", "-1", "lots"])
add("gateway", "gateway_journal_max_retention", ["14day\nStorage=none", "14 days", "forever"])
add("gateway", "gateway_memory_high", ["75%\n", "1.5G", "%h"])
add("gateway", "gateway_service_limits", [{"ExecStartPre": "/bin/id"}, {"LimitNOFILE": "65536\nExecStartPre=/bin/id"},
                                          {"LimitNOFILE": "lots"}, {"limitnofile": 1}, {"MemoryMax": "%h"}, {"LimitNOFILE": -1},
                                          {"CPUQuota": "50"}, {"User": "root"}, {"LimitNOFILE": True}, "LimitNOFILE=1",
                                          {"MemoryMax": "1G "}])
add("gateway", "gateway_ready_timeout", [-1, 0, "ten", "\uff11\uff12\uff10"])
add("gateway", "gateway_unit_copy_dir", ["relative", "/var/lib/../../tmp", "/var/lib/x\n", ""])
add("gateway", "gateway_config_known_good_dir", ["configs", "/var/lib/../../tmp", "/x\n"])
add("gateway", "gateway_config_known_good_keep", [0, -2])
add("gateway", "gateway_config_known_good_max_age_days", [0, "90 days"])

# --- node ----------------------------------------------------------------------------------------
add("node", "node_install_method", ["apt", "archive\n"])
add("node", "node_version", ["24.19.0\n", "24.19", "v24.19.0", "24.19.0-rc1", "\uff124.19.0", "24.19.0 --force-yes"])
add("node", "node_nodesource_major", [0, -24, "24\n", "\uff12\uff14", "x"])
add("node", "node_nodesource_key_url", ["https://deb.nodesource.com/key\nTrusted: yes", "file:///etc/passwd", "https://u:p@x.com/key", ""])
add("node", "node_nodesource_repo_url", ["https://deb.nodesource.com\nTrusted: yes", "https://deb.nodesource.com ",
                                         "https://deb.nodesour%se.com" % "\u0441", "deb.nodesource.com", "https://deb.nodesource.com\r",
                                         "https://deb.nodesource.com/#x"])
add("node", "node_archive_checksum", ["sha256:abc", "md5:" + "a" * 32, "sha256:" + "g" * 64, "sha256:" + "a" * 64 + "\n", ""],
    node_install_method="archive")
add("node", "node_archive_url", ["ftp://x.com/node.tar.gz", "https://x.com/y z.tar.gz", "https://x.com/node.tar.gz\n"],
    node_install_method="archive", node_archive_checksum="sha256:" + "a" * 64)
add("node", "node_archive_install_dir", ["opt/nodejs", "/opt/../etc", "/opt/nodejs\n"])
add("node", "node_archive_cache_dir", ["/var/cache/x\n", "", "cache"])

# --- egress --------------------------------------------------------------------------------------
add("egress", "egress_state", ["gone", "present\n"])
add("egress", "egress_relay_host", ["", "relay.example.com:8388", "relay\n", "relay.ex%smple.com" % CYR_A, "-oProxyCommand=x",
                                    "1.2.3.4/32", "fe80::1%eth0", "relay example"])
add("egress", "egress_password", ["short", SECRET + "\r", "", 12345, SECRET + "\n"])
add("egress", "egress_method", ["rc4-md5", "AES-256-GCM", "chacha20-ietf-poly1305\n"])
add("egress", "egress_relay_port", [0, 70000, "\uff18\uff13\uff18\uff18", "8388\n"])
case("egress", "egress_socks_port", 8118, egress_privoxy_port=8118)
add("egress", "egress_privoxy_port", [-1, "8118 "])
add("egress", "egress_privoxy_socket_timeout", [0, -5, "300s"])
add("egress", "egress_proxied_domains", [[".openai.com\nlisten-address 0.0.0.0:8118"], ["*.openai.com"], ["open ai.com"],
                                         ["openai.com:443"], [".\u043e\u0440enai.com"], ["a" * 300], ".openai.com"])
add("egress", "egress_proxied_domains_extra", [["x/y"], [""], ["x.com\r"]])
add("egress", "egress_forward_rules", [[{"pattern": "/\nlisten-address 0.0.0.0:8118", "forward": "."}],
                                       [{"pattern": "/", "forward": ". \n"}],
                                       [{"pattern": ".a.com", "forward_socks5t": "127.0.0.1:1080 ."}],
                                       [{"pattern": "a b"}], ["forward / ."], [{"pattern": "/", "extra": 1}], "forward / .",
                                       [{"pattern": ".a.com", "forward_socks5t": "127.0.0.1:1080\nforward / 10.0.0.1:3128"}]])

# --- auth ----------------------------------------------------------------------------------------
add("auth", "auth_user", ["root", "-x", "a\n"])
add("auth", "auth_backup_dir", ["backups", "/x/../../etc", "/x\n"])
add("auth", "auth_backup_keep", [0, -1, "\uff11\uff10"])
add("auth", "auth_backup_max_age_days", [-1, "30d", 1.5])
add("auth", "auth_profiles", [[{"id": "openai:a\n", "secret": "k"}], [{"id": "OpenAI:a", "secret": "k"}],
                              [{"id": "openai:a", "secret": "k\r"}], [{"id": "openai:a", "secret": ""}],
                              [{"id": "openai:a", "mode": "oauth"}], [{"id": "openai:a", "state": "gone"}],
                              [{"id": "openai:a", "update_secret": "never"}], [{"id": "openai:a", "extra": 1}], ["openai:a"],
                              [{"id": "openai:a"}, {"id": "openai:a"}], [{"id": "--yes:a"}], [{"id": "openai:-a"}], [{"secret": "x"}],
                              "openai:a"], auth_order={})
add("auth", "auth_order", [{"openai": ["openai:zzz"]}, {"openai\n": []}, {"OpenAI": []}, {"openai": "openai:a"},
                           {"openai": ["anthropic:a"]}, {"openai": ["openai:a\n"]}, ["openai:a"]])

# --- remediate -----------------------------------------------------------------------------------
add("remediate", "remediate_user", ["root", "a b"])
add("remediate", "remediate_port", [0, "\uff18\uff10"])
add("remediate", "remediate_probe_timeout", [0, -1, "nan", float("inf")])
add("remediate", "remediate_event_loop_delay_threshold_ms", [-5])
add("remediate", "remediate_stop_timeout", [-1, 0, "20s"])
add("remediate", "remediate_ready_timeout", [-1])
add("remediate", "remediate_backup_dir", ["backups", "/var/lib/../../etc/cron.d", "/x\n", ""])
add("remediate", "remediate_diagnostics_dir", ["diag", "/var/lib/clawops/.."])
add("remediate", "remediate_unit_copy_dir", ["units"])
add("remediate", "remediate_backup_keep", [0, -1, "ten"])
add("remediate", "remediate_diagnostics_keep", [0, -3])
add("remediate", "remediate_backup_max_age_days", [-1, "30d"])
add("remediate", "remediate_diagnostics_max_age_days", [-1])
add("remediate", "remediate_config_keep", [0, -1])
add("remediate", "remediate_config_max_age_days", [0, "90d"])
add("remediate", "remediate_config_known_good_dir", ["configs", "/var/lib/../etc", "/x\n"])
add("remediate", "remediate_config_restore_trust_user_backups", ["maybe"])

# --- doctor --------------------------------------------------------------------------------------
add("doctor", "doctor_user", ["root", "x y"])
add("doctor", "doctor_report_dir", ["reports", "/tmp/../etc", "/x\n"])
add("doctor", "doctor_probe_timeout", [0, -3, "fast"])
add("doctor", "doctor_event_loop_delay_threshold_ms", [0])
add("doctor", "doctor_fail_on_error", ["sometimes"])


def case_id(entry):
    role, name, override, others, value = entry
    return "%s-%s-%s" % (role, name, json.dumps(value, default=repr)[:40])


@pytest.mark.parametrize("role", ROLES)
def test_baseline_is_accepted(role):
    """No false positives: the defaults (and the documented examples) pass both steps."""
    assert refusals(role, baseline(role)) == []


@pytest.mark.parametrize("entry", CASES, ids=[case_id(c) for c in CASES])
def test_hostile_role_input_refused(entry):
    role, name, override, others, value = entry
    values = baseline(role)
    values.update(others)
    values.update(override)
    errors = refusals(role, values)
    assert errors, "%s accepted %s=%r" % (role, name, value)
    assert any(name in message for message in errors), errors
    # Secrets never appear in a refusal.
    for secret in (TOKEN, SECRET, PROXY_PASSWORD):
        assert not any(secret in message for message in errors), errors


# --- modules: refused in main() before the CLI is called --------------------------------------------

class Exited(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def run_main(module, args):
    def exit_json(self, **kwargs):
        raise Exited(dict(kwargs, failed=False))

    def fail_json(self, msg, **kwargs):
        raise Exited(dict(kwargs, failed=True, msg=msg))

    def forbidden(*_args, **_kwargs):
        raise AssertionError("the module acted before refusing its options")

    with set_module_args(dict(args, openclaw_bin="/nonexistent/openclaw")), \
            mock.patch.multiple(basic.AnsibleModule, exit_json=exit_json, fail_json=fail_json, run_command=forbidden), \
            mock.patch("os.open", forbidden), mock.patch("os.rename", forbidden), mock.patch("os.replace", forbidden):
        try:
            module.main()
        except Exited as exc:
            return exc.result
    raise AssertionError("the module neither exited nor failed")


MODULE_CASES = [
    (openclaw_auth_profile, {"profile_id": "openai:a\n", "secret": "sk-x"}, "profile_id"),
    (openclaw_auth_profile, {"profile_id": "openai:a ", "secret": "sk-x"}, "profile_id"),
    (openclaw_auth_profile, {"profile_id": "--yes:a", "secret": "sk-x"}, "profile_id"),
    (openclaw_auth_profile, {"profile_id": "openai:a", "secret": "sk-x\r"}, "secret"),
    (openclaw_auth_profile, {"profile_id": "openai:a", "secret": "sk-x\x00"}, "secret"),
    (openclaw_auth_profile, {"profile_id": "openai:a", "secret": "sk-x", "agent": "--yes"}, "agent"),
    (openclaw_auth_profile, {"profile_id": "openai:a", "secret": "sk-x", "agent": "main\n"}, "agent"),
    (openclaw_auth_profile, {"profile_id": "openai:a", "secret": "sk-x", "agent": "../x"}, "agent"),
    (openclaw_session_pins, {"timeout": -1}, "timeout"),
    (openclaw_session_pins, {"timeout": float("nan")}, "timeout"),
    (openclaw_session_pins, {"timeout": float("inf")}, "timeout"),
    (openclaw_session_pins, {"agent": "--all"}, "agent"),
    (openclaw_session_pins, {"agent": ""}, "agent"),
    (openclaw_session_pins, {"profile_ids": ["openai:a\n"]}, "profile_ids[0]"),
    (openclaw_session_pins, {"profile_ids": ["-x"]}, "profile_ids[0]"),
    (openclaw_config, {"profile": "../x"}, "profile"),
    (openclaw_config, {"profile": "x/y"}, "profile"),
    (openclaw_config, {"profile": "-x"}, "profile"),
    (openclaw_config, {"profile": "work\n"}, "profile"),
    (openclaw_config, {"settings": {"gateway\n": {"port": 1}}}, "settings"),
    (openclaw_config, {"remove": ["gateway.x\r"]}, "remove[0]"),
]


@pytest.mark.parametrize("module, args, name", MODULE_CASES, ids=["%s-%s" % (m.__name__.rsplit(".", 1)[-1], n) for m, a, n in MODULE_CASES])
def test_hostile_module_option_refused(module, args, name):
    result = run_main(module, args)
    assert result["failed"] and name in result["msg"], result
    assert "sk-x" not in result["msg"]


def test_suite_size():
    """Issue 11 asks for at least 150 malformed values, each refused (the parametrized tests above)."""
    total = len(CASES) + len(MODULE_CASES)
    print("hostile inputs: %d (roles %d, modules %d)" % (total, len(CASES), len(MODULE_CASES)))
    assert total >= 150
