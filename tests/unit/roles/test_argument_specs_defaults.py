# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/argument_specs.yml and defaults/main.yml describe the same variables, 1:1, for every entry point of
every role: ansible never applies a default from argument_specs (defaults/main.yml does), so a documented
default that differs from the real one is a lie that ansible-doc and the README repeat."""

import os

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ROLES = sorted(os.listdir(os.path.join(ROOT, "roles")))


def load(role, *parts):
    with open(os.path.join(ROOT, "roles", role, *parts)) as handle:
        return yaml.safe_load(handle)


def entry_points():
    for role in ROLES:
        for entry_point, spec in sorted(load(role, "meta", "argument_specs.yml")["argument_specs"].items()):
            yield pytest.param(role, entry_point, spec.get("options") or {}, id="%s:%s" % (role, entry_point))


ENTRY_POINTS = list(entry_points())


def test_every_role_has_argument_specs_and_defaults():
    for role in ROLES:
        assert os.path.isfile(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")), role
        assert os.path.isfile(os.path.join(ROOT, "roles", role, "defaults", "main.yml")), role
    assert len(ENTRY_POINTS) > len(ROLES)  # the gateway's `unit` entry point is checked too


@pytest.mark.parametrize("role, entry_point, options", ENTRY_POINTS)
def test_documented_variables_are_the_defaults(role, entry_point, options):
    defaults = load(role, "defaults", "main.yml") or {}
    assert sorted(set(defaults) - set(options)) == [], "in defaults/main.yml, not documented for %s" % entry_point
    assert sorted(set(options) - set(defaults)) == [], "documented for %s, no default in defaults/main.yml" % entry_point


@pytest.mark.parametrize("role, entry_point, options", ENTRY_POINTS)
def test_documented_defaults_are_the_real_ones(role, entry_point, options):
    defaults = load(role, "defaults", "main.yml") or {}
    wrong = {}
    for name, option in options.items():
        if name not in defaults:
            continue
        if option.get("required"):
            wrong[name] = "required, yet defaults/main.yml sets it"
        elif "default" not in option:
            wrong[name] = "no documented default; defaults/main.yml has %r" % (defaults[name],)
        elif option["default"] != defaults[name]:
            wrong[name] = "documented %r, defaults/main.yml has %r" % (option["default"], defaults[name])
    assert wrong == {}


def _without_templates(options, values):
    """The options and values whose default is not a Jinja expression (those are resolved at run time)."""
    kept = dict((name, value) for name, value in values.items() if not (isinstance(value, str) and "{{" in value))
    spec = {}
    for name, option in options.items():
        if name in kept:
            spec[name] = dict((key, value) for key, value in option.items() if key not in ("description", "default"))
    return spec, kept


@pytest.mark.parametrize("role, entry_point, options", ENTRY_POINTS)
def test_every_literal_default_passes_its_own_argument_spec(role, entry_point, options):
    spec, values = _without_templates(options, load(role, "defaults", "main.yml") or {})
    assert values, "no literal default in %s" % role
    result = ArgumentSpecValidator(spec).validate(values)
    assert list(result.error_messages) == []


def test_a_wrong_documented_default_is_reported():
    """The check above can fail: a spec whose default differs from defaults/main.yml is caught."""
    role, dummy, options = ENTRY_POINTS[0].values
    defaults = load(role, "defaults", "main.yml")
    name = sorted(defaults)[0]
    tampered = dict(options)
    tampered[name] = dict(options[name], default="not-%r" % (defaults[name],))
    with pytest.raises(AssertionError):
        test_documented_defaults_are_the_real_ones(role, "main", tampered)
