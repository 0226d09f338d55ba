# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The provisioning roles' tags (docs/roles.md "Tags"): every step of main.yml is tagged, with the role's
own tags or `always`, and an include hands its tags to the tasks it includes (`apply`)."""

import os

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TAGS = {
    "node": {"node", "node_install"},
    "gateway": {"gateway", "gateway_install", "gateway_configure", "gateway_service"},
    "egress": {"egress", "egress_install", "egress_configure", "egress_service"},
    "relay": {"relay"},
    "watchdog": {"watchdog"},
}
INCLUDES = ("ansible.builtin.include_tasks", "ansible.builtin.import_tasks")


def tasks_of(role, name):
    with open(os.path.join(ROOT, "roles", role, "tasks", name)) as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("role", sorted(TAGS))
def test_every_step_is_tagged(role):
    for task in tasks_of(role, "main.yml"):
        tags = set(task.get("tags") or ())
        assert tags and tags <= TAGS[role] | {"always"}, (role, task["name"], tags)
        include = next(task[key] for key in INCLUDES if key in task)
        if isinstance(include, dict) and "apply" in include:
            assert set(include["apply"]["tags"]) <= tags | {"always"}, (role, task["name"])
        elif tags != {"always"}:
            # A dynamic include's own tags only select the include, not what it includes.
            assert "ansible.builtin.import_tasks" in task, (role, task["name"], "needs apply")


def test_the_gateway_user_lookups_run_with_every_tag():
    """`--tags gateway_configure` needs the uid and home user.yml records; creating the user is gateway_install."""
    tags = dict((task["name"], set(task.get("tags") or ())) for task in tasks_of("gateway", "user.yml"))
    assert tags["Look up the service user"] == tags["Record uid and home"] == {"always"}
    assert tags["Create the service user"] == {"gateway", "gateway_install"}


def test_the_tags_are_documented():
    with open(os.path.join(ROOT, "docs", "roles.md")) as handle:
        text = handle.read()
    for tags in TAGS.values():
        for tag in tags:
            assert "`%s`" % tag in text, tag
