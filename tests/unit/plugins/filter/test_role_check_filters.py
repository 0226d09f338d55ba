# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filters the roles call by name (egress_checks.py, input_errors.py): each name reaches its check, with the
argument order the roles' templates use, and bad calls fail as filter errors."""

import os

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.openclaw.plugins.filter.egress_checks import FilterModule as EgressFilters
from ansible_collections.clawops.openclaw.plugins.filter.input_errors import FilterModule as InputFilters

EGRESS = EgressFilters().filters()
INPUT = InputFilters().filters()


def test_every_filter_has_a_documentation_file_named_after_it():
    here = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "filter")
    for name in list(EGRESS) + list(INPUT):
        assert os.path.isfile(os.path.join(here, name + ".yml")), name


def test_relay_acl_takes_block_allow_and_own_addresses_in_the_roles_order():
    acl = EGRESS["relay_acl"](["198.51.100.7"], ["10.1.0.0/16"], ["203.0.113.5", "2001:db8::5"])
    assert "198.51.100.0/24" in acl["ipv4"]                      # special-purpose ranges stay blocked
    assert "10.1.0.0/16" not in acl["ipv4"] and "10.0.0.0/16" in acl["ipv4"]  # the allowed hole is carved out
    assert "10.0.0.0/8" not in acl["ipv4"]
    assert sorted(acl) == ["ipv4", "ipv6", "own"]


def test_split_networks_clears_host_bits_and_skips_garbage():
    assert EGRESS["split_networks"](["203.0.113.10/24", "2001:db8::1", "not-an-address"]) == {
        "ipv4": ["203.0.113.0/24"], "ipv6": ["2001:db8::1/128"]}


def test_privoxy_rule_problems_refuses_a_rule_that_would_add_another():
    assert EGRESS["privoxy_rule_problems"]([{"pattern": "/", "forward": "."}]) == []
    problems = EGRESS["privoxy_rule_problems"]([{"pattern": ".openai.com\nforward / 10.0.0.1:8080", "forward": "."}], "my_rules")
    assert problems and problems[0].startswith("my_rules[0]")


def test_relay_problems_names_the_variable_and_never_the_password():
    problems = EGRESS["relay_problems"]({"relay_password": "short-secret", "relay_method": "rc4-md5"})
    assert any(p.startswith("relay_password is shorter") for p in problems)
    assert any("relay_method" in p for p in problems)
    assert not any("short-secret" in p for p in problems)


def test_input_errors_checks_the_named_role():
    assert INPUT["input_errors"]({"doctor_user": "open claw"}, "doctor") != []
    with pytest.raises(AnsibleFilterError, match="unknown role"):
        INPUT["input_errors"]({}, "nope")
    with pytest.raises(AnsibleFilterError, match="mapping"):
        INPUT["input_errors"](["doctor_user"], "doctor")
