# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers the module tests share: module arguments, exit_json/fail_json as exceptions, a module's main() run
against a fake CLI, and a stand-in for `openclaw config patch`."""

import contextlib
import copy
import json
import os

from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.clawops.openclaw.plugins.module_utils._common import parse_unit_file

REFUSAL = "Config validation failed: gateway.port: Invalid input"


@contextlib.contextmanager
def set_module_args(args):
    """Expose args to the AnsibleModule created inside the block (community.general style)."""
    with patch_module_args(args):
        yield


class AnsibleExitJson(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


class AnsibleFailJson(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def exit_json(self, **kwargs):  # pylint: disable=unused-argument
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def fail_json(self, msg, **kwargs):  # pylint: disable=unused-argument
    kwargs["failed"] = True
    kwargs["msg"] = msg
    raise AnsibleFailJson(kwargs)


def merge_patch(target, patch):
    """What `openclaw config patch` does with the document: objects merge, null deletes, the rest replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def openclaw_argv(argv):
    """The `openclaw ...` part of what the CLI client runs: without `timeout -k K N` and `runuser -u U -- env K=V ...`."""
    argv = list(argv)
    if argv[:2] == ["timeout", "-k"]:
        argv = argv[4:]
    if argv[:1] == ["runuser"]:
        argv = argv[argv.index("env") + 1:]
        while argv and "=" in argv[0] and not argv[0].startswith("/"):
            argv = argv[1:]
    return argv


class FakeOpenClaw:
    """Stands in for AnsibleModule.run_command: records each call and acts like `openclaw config patch --stdin`."""

    def __init__(self):
        self.calls = []
        self.rc = 0

    def __call__(self, args, **kwargs):
        self.calls.append(dict(args=list(args), **kwargs))
        if self.rc != 0:
            return self.rc, "", REFUSAL + "\n"
        path = kwargs["environ_update"]["OPENCLAW_CONFIG_PATH"]
        current = {}
        if os.path.exists(path):
            with open(path, "rb") as handle:
                raw = handle.read()
            with open(path + ".bak", "wb") as handle:
                handle.write(raw)
            current = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        after = merge_patch(current, json.loads(kwargs["data"]))
        with open(path, "w") as handle:
            json.dump(after, handle, indent=2)
        os.chmod(path, 0o600)
        return 0, "", ""


def run_module(main, check=False, diff=False, run_command=None, **args):
    """Run a module's main() with args (check and diff mode as asked); returns its result, exit or fail.
    run_command: a fake for AnsibleModule.run_command, when the module runs commands."""
    if check:
        args["_ansible_check_mode"] = True
    if diff:
        args["_ansible_diff"] = True
    patches = dict(exit_json=exit_json, fail_json=fail_json)
    if run_command is not None:
        patches["run_command"] = run_command
    with set_module_args(args):
        with mock.patch.multiple(basic.AnsibleModule, **patches):
            with pytest.raises((AnsibleExitJson, AnsibleFailJson)) as caught:
                main()
    return caught.value.result


def run_main(main, run_command, tmp_path, check=False, diff=False, **args):
    """Run a module's main() with a fake CLI (run_command) and default paths under tmp_path; returns its result."""
    args.setdefault("openclaw_bin", "/usr/local/bin/openclaw")
    args.setdefault("config_path", str(tmp_path / "openclaw.json"))
    return run_module(main, check=check, diff=diff, run_command=run_command, **args)


def unit_directives(unit, dropin_dir):
    """What the service collector reads from a unit directory: {source: (path, parsed)} for the unit, each
    drop-in (`dropin:<path>`) and the unit's `.bak` (pathlib paths)."""
    directives = {}
    if unit.exists():
        directives["unit"] = (str(unit), parse_unit_file(unit.read_text()))
    for dropin in sorted(dropin_dir.glob("*.conf")):
        directives["dropin:" + str(dropin)] = (str(dropin), parse_unit_file(dropin.read_text()))
    backup = unit.parent / (unit.name + ".bak")
    if backup.exists():
        directives["unit_backup"] = (str(backup), parse_unit_file(backup.read_text()))
    return directives
