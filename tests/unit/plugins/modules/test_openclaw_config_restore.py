# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import os
import stat

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_config_restore
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.test_openclaw_config import (
    run_main,
)

GOOD = '{gateway: {mode: "local", port: 18789}}\n'
SCHEMA_BAD = '{gateway: {mode: "local", port: "not-a-port"}}\n'


class Validate(object):
    """`openclaw config validate --json` on OPENCLAW_CONFIG_PATH: a string port is a schema error."""

    def __call__(self, argv, environ_update=None, **kwargs):
        return validate(argv, environ_update)


def validate(argv, environ_update):
    assert argv[-3:] == ["config", "validate", "--json"]
    with open(environ_update["OPENCLAW_CONFIG_PATH"]) as handle:
        bad = "not-a-port" in handle.read()
    verdict = {"valid": False, "issues": [{"path": "gateway.port", "message": "Expected number"}]} if bad else {"valid": True, "issues": []}
    return 0, json.dumps(verdict), ""


def write(path, text, age=0):
    path.write_text(text)
    if age:
        os.utime(str(path), (1795000000 - age, 1795000000 - age))
    return path


def run(tmp_path, check=False, diff=False, **args):
    return run_main(openclaw_config_restore.main, Validate(), tmp_path, check=check, diff=diff, **args)


def test_valid_config_is_left_alone(tmp_path):
    write(tmp_path / "openclaw.json", GOOD)
    write(tmp_path / "openclaw.json.bak", '{"other": 1}')
    result = run(tmp_path)
    assert result["changed"] is False and result["state"] == "valid"
    assert (tmp_path / "openclaw.json").read_text() == GOOD


def test_unparsable_config_restored_from_newest_valid_backup_and_kept_aside(tmp_path):
    write(tmp_path / "openclaw.json", "{gateway: {mode: ")
    write(tmp_path / "openclaw.json.last-good", SCHEMA_BAD, age=5)           # tried first, but schema-invalid
    write(tmp_path / "openclaw.json.bak", "{nope", age=10)                   # newest rotated, unparsable
    write(tmp_path / "openclaw.json.bak.2", GOOD, age=30)
    write(tmp_path / "openclaw.json.bak.1", GOOD.replace("18789", "18790"), age=20)
    result = run(tmp_path, diff=True)
    assert result["changed"] is True and result["restored_from"].endswith("openclaw.json.bak.1")
    assert result["problem"].startswith("unparsable")
    assert [r["path"].rsplit("/", 1)[1] for r in result["rejected"]] == ["openclaw.json.last-good", "openclaw.json.bak"]
    assert "schema-invalid: gateway.port: Expected number" in result["rejected"][0]["problem"]
    assert (tmp_path / "openclaw.json").read_text() == GOOD.replace("18789", "18790")
    assert stat.S_IMODE(os.stat(str(tmp_path / "openclaw.json")).st_mode) == 0o600
    kept = tmp_path / result["broken_kept_at"].rsplit("/", 1)[1]
    assert kept.read_text() == "{gateway: {mode: " and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "port" not in result["diff"]["after"]  # names files, never content
    assert run(tmp_path)["changed"] is False   # second run: nothing to do


def test_candidates_are_tried_newest_first_last_good_included(tmp_path):
    """OpenClaw promotes .last-good when it reads a valid config; .bak is the content its last write replaced.

    The modification time says when each content was last live, whichever file holds it."""
    write(tmp_path / "openclaw.json", "{broken")
    write(tmp_path / "openclaw.json.bak", GOOD.replace("18789", "18790"), age=1)
    write(tmp_path / "openclaw.json.last-good", GOOD, age=50)
    assert run(tmp_path)["restored_from"].endswith(".bak")
    write(tmp_path / "openclaw.json", "{broken")
    write(tmp_path / "openclaw.json.last-good", GOOD, age=1)
    write(tmp_path / "openclaw.json.bak", GOOD.replace("18789", "18790"), age=1)  # same second: .last-good first
    assert run(tmp_path)["restored_from"].endswith(".last-good")
    assert (tmp_path / "openclaw.json").read_text() == GOOD


def test_schema_invalid_config_is_broken_too(tmp_path):
    write(tmp_path / "openclaw.json", SCHEMA_BAD)
    write(tmp_path / "openclaw.json.bak", GOOD, age=5)
    result = run(tmp_path)
    assert result["changed"] is True and result["problem"].startswith("schema-invalid")
    assert (tmp_path / "openclaw.json").read_text() == GOOD


def test_check_mode_reports_and_changes_nothing(tmp_path):
    write(tmp_path / "openclaw.json", "garbage")
    write(tmp_path / "openclaw.json.bak", GOOD, age=5)
    result = run(tmp_path, check=True)
    assert result["changed"] is True and result["state"] == "restored"
    assert (tmp_path / "openclaw.json").read_text() == "garbage"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["openclaw.json", "openclaw.json.bak"]


def test_no_valid_backup_fails_and_changes_nothing(tmp_path):
    write(tmp_path / "openclaw.json", "garbage")
    write(tmp_path / "openclaw.json.bak", "also garbage", age=5)
    result = run(tmp_path)
    assert result["failed"] is True and "no backup is valid; nothing was changed" in result["msg"]
    assert (tmp_path / "openclaw.json").read_text() == "garbage"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["openclaw.json", "openclaw.json.bak"]


def test_parse_only_mode_needs_no_cli(tmp_path):
    write(tmp_path / "openclaw.json", SCHEMA_BAD)
    assert run(tmp_path, validate=False, openclaw_bin=None)["changed"] is False


def test_backups_the_gateway_would_refuse_are_skipped(tmp_path):
    """OpenClaw's own last-good copy can lack gateway.mode, a .bak can bind lan without auth: both exit 78."""
    write(tmp_path / "openclaw.json", "{broken")
    write(tmp_path / "openclaw.json.last-good", '{gateway: {port: 18789}}', age=1)
    write(tmp_path / "openclaw.json.bak", '{gateway: {mode: "local", bind: "lan", auth: {mode: "none"}}}', age=2)
    write(tmp_path / "openclaw.json.bak.1", GOOD, age=3)
    result = run(tmp_path)
    assert result["restored_from"].endswith(".bak.1")
    assert [r["problem"].split(":")[0] for r in result["rejected"]] == ["refused at start", "refused at start"]
    assert "gateway.mode is not set" in result["rejected"][0]["problem"] and "without auth" in result["rejected"][1]["problem"]


def test_refusals_the_caller_fixes_by_policy_are_accepted_and_returned(tmp_path):
    """After a missing gateway.mode and a lan bind without auth were fixed, every backup holds one of those faults
    (each fix rotated the faulty version into .bak and OpenClaw promoted the mode-less file to .last-good)."""
    write(tmp_path / "openclaw.json", "{gateway: {mode: ")
    write(tmp_path / "openclaw.json.bak", '{gateway: {mode: "local", bind: "lan", auth: {mode: "none"}}}', age=10)
    write(tmp_path / "openclaw.json.bak.1", '{gateway: {bind: "loopback"}}', age=20)
    write(tmp_path / "openclaw.json.last-good", '{gateway: {port: 18789}}', age=30)
    refused = run(tmp_path)
    assert refused["failed"] is True and len(refused["rejected"]) == 3
    only_mode = run(tmp_path, accept_refusals=["gateway_mode_missing"])
    assert only_mode["restored_from"].endswith(".bak.1") and only_mode["refusals"] == ["gateway_mode_missing"]
    assert "without auth" in only_mode["rejected"][0]["problem"]
    write(tmp_path / "openclaw.json", "{gateway: {mode: ")
    both = run(tmp_path, diff=True, accept_refusals=["gateway_mode_missing", "bind_without_auth"])
    assert both["restored_from"].endswith(".bak") and both["refusals"] == ["bind_without_auth"] and both["rejected"] == []
    assert "to be fixed by policy: bind_without_auth" in both["diff"]["after"]
    kept = run(tmp_path, accept_refusals=["bind_without_auth"])  # the restored file itself is left to the policy
    assert kept["changed"] is False and kept["refusals"] == ["bind_without_auth"]


def test_unknown_refusal_is_refused_before_anything_changes(tmp_path):
    write(tmp_path / "openclaw.json", "{broken")
    write(tmp_path / "openclaw.json.bak", GOOD, age=5)
    result = run(tmp_path, accept_refusals=["port_conflict"])
    assert result["failed"] is True and "accept_refusals" in result["msg"]
    assert (tmp_path / "openclaw.json").read_text() == "{broken"
