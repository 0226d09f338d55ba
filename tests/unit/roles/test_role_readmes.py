# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every role's README carries its variables as generated from meta/argument_specs.yml, up to date
(scripts/gen-role-readmes.py); Galaxy's importer refuses a role without a README."""

import importlib.util
import os

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
ROLES = sorted(os.listdir(os.path.join(ROOT, "roles")))


def generator():
    spec = importlib.util.spec_from_file_location("gen_role_readmes", os.path.join(ROOT, "scripts", "gen-role-readmes.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = generator()


@pytest.mark.parametrize("role", ROLES)
def test_readme_is_generated_from_the_current_argument_specs(role):
    path, wanted, current = GEN.expected_readme(os.path.join(ROOT, "roles", role))
    assert current is not None, "%s is missing: run scripts/gen-role-readmes.py" % path
    assert current == wanted, "%s is out of date: run scripts/gen-role-readmes.py" % path


@pytest.mark.parametrize("role", ROLES)
def test_readme_names_every_variable_of_every_entry_point(role):
    with open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")) as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    with open(os.path.join(ROOT, "roles", role, "README.md")) as handle:
        readme = handle.read()
    generated = readme.split(GEN.BEGIN, 1)[1].split(GEN.END, 1)[0]
    for entry_point, spec in specs.items():
        assert "## Entry point `%s`" % entry_point in generated
        for name in spec.get("options") or {}:
            assert "| `%s` |" % name in generated, "%s: %s of %s is not in the README" % (role, name, entry_point)


def make_role(tmp_path, options, readme=None):
    role = tmp_path / "roles" / "demo"
    (role / "meta").mkdir(parents=True)
    (role / "meta" / "argument_specs.yml").write_text(yaml.safe_dump({"argument_specs": {"main": {
        "short_description": "Demo role", "description": ["Uses O(demo_port) and C(x | y)."], "options": options}}}))
    if readme is not None:
        (role / "README.md").write_text(readme)
    return str(role)


def test_hand_written_text_outside_the_markers_is_kept_and_the_part_between_replaced(tmp_path):
    readme = "# demo\n\nHand-written intro.\n\n%s\nstale table\n%s\n\n## Notes\n\nHand-written notes.\n" % (GEN.BEGIN, GEN.END)
    role = make_role(tmp_path, {"demo_port": {"type": "int", "default": 8080, "description": "The port, V(80) | V(8080)."}}, readme)
    dummy, wanted, current = GEN.expected_readme(role)
    assert current == readme and wanted != readme
    assert wanted.startswith("# demo\n\nHand-written intro.\n\n" + GEN.BEGIN)
    assert wanted.endswith(GEN.END + "\n\n## Notes\n\nHand-written notes.\n")
    assert "stale table" not in wanted
    # Markup becomes Markdown; a '|' inside a table cell cannot end the cell.
    assert "| `demo_port` | int | `8080` | The port, `80` \\| `8080`. |" in wanted
    assert "\nUses `demo_port` and `x | y`.\n" in wanted


def test_a_role_without_readme_gets_one_and_nested_options_are_listed(tmp_path):
    role = make_role(tmp_path, {"demo_items": {"type": "list", "elements": "dict", "required": True, "description": "Items.",
                                               "options": {"name": {"type": "str", "choices": ["a", "b"], "description": "Name."}}}})
    dummy, wanted, current = GEN.expected_readme(role)
    assert current is None
    assert wanted.startswith("# clawops.openclaw.demo\n\n" + GEN.BEGIN)
    assert "| `demo_items` | list of dict |  | **Required.** Items. |" in wanted
    assert "| `demo_items.name` | str: `a`, `b` |  | Name. |" in wanted
