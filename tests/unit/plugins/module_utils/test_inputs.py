# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import re

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._inputs import (
    ENV_NAME, RELEASE, SERVICE_LIMITS, Checker, full, has_control, is_ip, no_proxy_entry, role_errors, systemd_quote,
)


def test_full_match_refuses_a_trailing_newline_that_dollar_accepts():
    assert re.match(r"^[0-9]+\.[0-9]+\.[0-9]+$", "2026.9.6\n")  # the old patterns
    assert not full(RELEASE, "2026.9.6\n") and full(RELEASE, "2026.9.6")
    assert full(ENV_NAME, "_A1") and not full(ENV_NAME, "A\n") and not full(ENV_NAME, "\uff21")


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\tb", "a\x00b", "a\x7fb", "a\x85b", "a\u2028b"])
def test_control_characters(value):
    assert has_control(value)


def test_systemd_quote_escapes_quotes_backslashes_and_specifiers():
    assert systemd_quote('p%40ss "x" \\') == 'p%%40ss \\"x\\" \\\\'
    with pytest.raises(ValueError):
        systemd_quote("a\nb")


@pytest.mark.parametrize("value, ok", [
    ("127.0.0.1", True), ("::1", True), ("::ffff:127.0.0.1", True), ("fe80::1%eth0", False), ("\uff11.2.3.4", False), ("1.2.3", False),
])
def test_is_ip(value, ok):
    assert is_ip(value) is ok


@pytest.mark.parametrize("value", [8080, "8080", 8080.0])
def test_port_accepts_ascii_numbers(value):
    check = Checker()
    assert check.port("p", value) and check.errors == []


@pytest.mark.parametrize("value", ["\uff18\uff10", True, "80 ", 0, 65536, None])
def test_port_refuses(value):
    check = Checker()
    assert not check.port("p", value) and check.errors[0].startswith("p ")


@pytest.mark.parametrize("value, ok", [
    ("http://127.0.0.1:8118", True), ("http://u:p%40ss@proxy.example:3128/", True), ("https://[::1]:8443/x", True),
    ("http://h:8118/%h", False), ("http://h:0", False), ("http://[zz]:1", False), ("http://a_b.example", False),
])
def test_url(value, ok):
    check = Checker()
    assert check.url("u", value) is ok


@pytest.mark.parametrize("value, ok", [
    ("/var/lib/x", True), ("/var/lib/x/", True), ("var/lib", False), ("/var/../etc", False), ("/./x", False), ("/", False), ("", False),
])
def test_abs_path(value, ok):
    assert Checker().abs_path("d", value) is ok


@pytest.mark.parametrize("value, ok", [
    ("*", True), (".example.com", True), ("example.com:443", True), ("10.0.0.0/8", True), ("::1", True), ("[::1]:8080", True),
    ("a,b", False), ("a b", False), ("%h", False), ("", False),
])
def test_no_proxy_entry(value, ok):
    assert no_proxy_entry(Checker(), "n", value) is ok


def test_every_limit_value_shape_is_anchored():
    for name, pattern in SERVICE_LIMITS.items():
        assert not full(pattern, "1\nExecStartPre=/bin/id"), name


def test_a_secret_is_never_echoed():
    check = Checker()
    check.secret("s", "hunter2-but-longer\r")
    check.environment("env", {"KEY": "sk-live-123\n"})
    assert check.errors and not any("hunter2" in e or "sk-live" in e for e in check.errors)


def test_a_missing_variable_is_reported_not_raised():
    assert role_errors("doctor", {}) == ["doctor: the preflight did not pass variable 'doctor_user' to the validation."]
