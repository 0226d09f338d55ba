# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The gateway's drop-in (and the egress drop-ins) rendered with ansible's own Templar, as the template
action renders them, then read back by systemd (systemd-analyze verify) and by the collection's own
unit parser: hostile-but-valid values (quotes, backslashes, `%` specifiers, `$`, a URL-encoded proxy
password) must come out as exactly one Environment= per variable with the value unchanged."""

import copy
import os
import re
import shutil
import subprocess

import pytest
import yaml

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import COMPILE_CACHE_SUBDIR
from ansible_collections.clawops.openclaw.plugins.module_utils._common import parse_unit_file, unit_environment
from ansible_collections.clawops.openclaw.plugins.module_utils._inputs import role_errors, systemd_quote

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")

HOSTILE_BUT_VALID = {
    "gateway_proxy_url": "http://user:p%40ss%25w0rd@127.0.0.1:8118",
    "gateway_ca_bundle": "/etc/ssl/private ca/%h-bundle.pem",
    "gateway_environment": {
        "QUOTES": 'say "hi" \\ back\\slash',
        "SPECIFIERS": "%h %n %% %",
        "SHELLISH": "$HOME ${PATH} `id` $(id) ; & | 'single'",
        "TRAILING_BACKSLASH": "ends with \\",
        "EMPTY": "",
        "NUMBER": 42,
        "UNICODE": "caf\u00e9 \u2603",
    },
    "gateway_service_limits": {"LimitNOFILE": "1024:65536", "MemoryMax": "50%", "CPUQuota": "150%", "TasksMax": 512,
                               "MemoryHigh": "1G", "Nice": 5},
    "gateway_no_proxy_extra": ["10.0.0.0/8", "[::1]:8080", ".internal.example", "*"],
}


def load(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def trusted(value):
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return dict((k, trusted(v)) for k, v in value.items())
    if isinstance(value, list):
        return [trusted(v) for v in value]
    return value


def render(role, template, overrides):
    variables = load("roles", role, "defaults", "main.yml")
    variables.update(load("roles", role, "vars", "main.yml"))
    variables.update(copy.deepcopy(overrides))
    variables.setdefault("__gateway_home", "/home/openclaw")   # set by the role's user.yml from getent
    variables["ansible_managed"] = "Ansible managed: do not edit"
    with open(os.path.join(ROOT, "roles", role, "templates", template)) as handle:
        source = handle.read()
    templar = Templar(loader=DataLoader(), variables=trusted(variables))
    # What ansible.builtin.template does: the file is not YAML, so its backslashes are its own.
    return templar.template(trust_as_template(source), escape_backslashes=False)


def systemd_environment(values):
    """Environment= values as systemd reads them: specifiers first (only %% is ours), then the quoting."""
    for value in values:
        assert "%" not in value.replace("%%", ""), "an unescaped %% specifier reaches systemd: %r" % value
    # The facts module's reading (unit_environment), which must agree with systemd's.
    return unit_environment([("Environment", value) for value in values])[0]


def verify(tmp_path, unit_name, dropin_name, dropin_text, unit_file=None):
    """systemd-analyze verify on a unit with the rendered drop-in: its diagnostics, except for programs this
    machine lacks (ss-local). Every problem in a drop-in names the drop-in and fails the test."""
    (tmp_path / (unit_file or unit_name)).write_text("[Unit]\nDescription=stand-in\n\n[Service]\nExecStart=/bin/true\n")
    dropin_dir = tmp_path / (unit_name + ".d")
    dropin_dir.mkdir()
    (dropin_dir / dropin_name).write_text(dropin_text)
    proc = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", "./" + unit_name], cwd=str(tmp_path),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if "is not executable: No such file" not in line]
    return 0 if proc.returncode == 0 or not lines else proc.returncode, lines


def test_hostile_but_valid_values_pass_the_preflight():
    values = load("roles", "gateway", "defaults", "main.yml")
    values.update(HOSTILE_BUT_VALID)
    assert role_errors("gateway", values) == []


def test_dropin_round_trips_every_value():
    text = render("gateway", "dropin.conf.j2", dict(HOSTILE_BUT_VALID, __gateway_home="/srv/open claw/%h"))
    directives = parse_unit_file(text)
    names = [name for name, _value in directives]
    assert sorted(set(names)) == sorted(["Environment"] + list(HOSTILE_BUT_VALID["gateway_service_limits"]))
    environment = [value for name, value in directives if name == "Environment"]
    env = systemd_environment(environment)
    expected = dict((k, str(v)) for k, v in HOSTILE_BUT_VALID["gateway_environment"].items())
    proxy = HOSTILE_BUT_VALID["gateway_proxy_url"]
    expected.update(HTTP_PROXY=proxy, HTTPS_PROXY=proxy, http_proxy=proxy, https_proxy=proxy,
                    NODE_EXTRA_CA_CERTS=HOSTILE_BUT_VALID["gateway_ca_bundle"],
                    NODE_COMPILE_CACHE="/srv/open claw/%h/.cache/openclaw/node-compile-cache")
    for name, value in expected.items():
        assert env[name] == value, name
    # One Environment= line per variable: nothing a value contains starts another assignment.
    assert len(environment) == len(env)
    assert env["NO_PROXY"].endswith(",10.0.0.0/8,[::1]:8080,.internal.example,*")


def test_the_compile_cache_is_where_the_cli_looks_for_it_and_can_be_off():
    env = systemd_environment([v for n, v in parse_unit_file(render("gateway", "dropin.conf.j2", {})) if n == "Environment"])
    assert env["NODE_COMPILE_CACHE"] == "/home/openclaw/" + COMPILE_CACHE_SUBDIR
    off = parse_unit_file(render("gateway", "dropin.conf.j2", {"gateway_node_compile_cache": False}))
    assert "NODE_COMPILE_CACHE" not in systemd_environment([v for n, v in off if n == "Environment"])


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze not installed")
def test_dropin_passes_systemd_analyze_verify(tmp_path):
    text = render("gateway", "dropin.conf.j2", HOSTILE_BUT_VALID)
    rc, diagnostics = verify(tmp_path, "openclaw-gateway.service", "50-clawops-openclaw.conf", text)
    # Before the fix systemd said here "Failed to resolve specifiers in HTTP_PROXY=...%40..., ignoring":
    # the proxy variables were silently dropped and split egress broke.
    assert rc == 0 and diagnostics == []


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze not installed")
def test_default_dropin_passes_systemd_analyze_verify(tmp_path):
    text = render("gateway", "dropin.conf.j2", {"gateway_proxy_url": "http://127.0.0.1:8118"})
    assert verify(tmp_path, "openclaw-gateway.service", "50-clawops-openclaw.conf", text) == (0, [])


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("template, unit, unit_file", [
    ("privoxy-dropin.conf.j2", "privoxy.service", None),
    ("sslocal-dropin.conf.j2", "shadowsocks-libev-local@clawops-egress.service", "shadowsocks-libev-local@.service"),
])
def test_egress_dropins_pass_systemd_analyze_verify(tmp_path, template, unit, unit_file):
    text = render("egress", template, {"egress_relay_host": "relay.example.com", "egress_password": "x" * 20})
    assert verify(tmp_path, unit, "50-clawops-egress.conf", text, unit_file) == (0, [])


@pytest.mark.parametrize("value", ["x\nExecStartPre=/bin/sh -c id", "x\rExecStartPre=/bin/id", "x\u2028y"])
def test_a_value_that_could_add_a_directive_is_refused(value):
    """The old preflight accepted these and the template wrote an ExecStartPre= line root's systemd runs."""
    values = load("roles", "gateway", "defaults", "main.yml")
    for name, override in (("gateway_environment", {"A": value}), ("gateway_proxy_url", "http://127.0.0.1:8118" + value),
                           ("gateway_ca_bundle", "/etc/ssl/ca.pem" + value), ("gateway_no_proxy_extra", ["a.example" + value])):
        trial = dict(values, **{name: override})
        if name == "gateway_no_proxy_extra":
            trial["gateway_proxy_url"] = "http://127.0.0.1:8118"
        errors = role_errors("gateway", trial)
        assert any(name in e and "control character" in e for e in errors), (name, errors)
    with pytest.raises(ValueError):
        systemd_quote(value)


def test_systemd_quote():
    assert systemd_quote('a"b\\c%d') == 'a\\"b\\\\c%%d'
    assert re.sub("%%", "", systemd_quote("%40%h")) == "40h"


def test_the_watchdog_timer_fires_every_default_interval():
    """The operator default of watchdog_interval_s, through the role's own settings check (validate.yml's values and
    the watchdog_settings filter), is what the timer fires at; the molecule scenarios run other intervals."""
    from ansible_collections.clawops.openclaw.plugins.filter.watchdog_settings import watchdog_settings
    defaults = load("roles", "watchdog", "defaults", "main.yml")
    wanted = load("roles", "watchdog", "tasks", "validate.yml")[0]["vars"]["__watchdog_wanted"]
    variables = dict(defaults, **load("roles", "watchdog", "vars", "main.yml"))
    variables.setdefault("gateway_user", "openclaw")
    settings = watchdog_settings(Templar(loader=DataLoader(), variables=trusted(variables)).template(trusted(wanted)))
    timer = render("watchdog", "clawops-openclaw-watchdog.timer.j2", {"__watchdog_settings": settings})
    interval = "%ds" % defaults["watchdog_interval_s"]
    assert defaults["watchdog_interval_s"] == 15
    fires = re.findall(r"^(OnBootSec|OnUnitActiveSec)=(.*)$", timer, re.MULTILINE)
    assert fires == [("OnBootSec", interval), ("OnUnitActiveSec", interval)]
