#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: openclaw_config_restore
short_description: Restore a broken OpenClaw config from its newest valid backup
version_added: 0.1.0
description:
  - When the config cannot be parsed or fails OpenClaw's schema (C(openclaw config validate --json)), restores the
    newest backup that parses, validates and that the gateway would start with (C(gateway.mode) set, no non-loopback
    bind without auth), or whose only start refusals are listed in O(accept_refusals).
  - Candidates are OpenClaw's last-known-good copy C(openclaw.json.last-good) and its rotated backups
    C(openclaw.json.bak), C(.bak.1) ..., newest first by modification time (when the content was last live).
    OpenClaw promotes C(.last-good) whenever it reads a schema-valid config, so it can lack C(gateway.mode); and each
    fix rotates the broken version into C(.bak). After a series of incidents every backup may be refused at start.
  - The broken file is never lost; it is kept aside as C(<config>.broken-<UTC timestamp>) (same owner, 0600).
    The restored file is written atomically with mode 0600 and the broken file's owner.
  - A config that parses and validates is left alone (changed=false). With no valid backup the module fails and
    changes nothing.
  - Run it as the gateway's service user (C(become_user)) or as root with O(config_path).
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - clawops.openclaw.cli
attributes:
  diff_mode:
    support: full
    details: The diff names the backup that would be restored and where the broken file goes; it never shows config content (it holds secrets).
options:
  validate:
    description: Also require OpenClaw's schema validation to pass (for the current file and for candidates), not only parsing.
    type: bool
    default: true
  accept_refusals:
    description:
      - Start refusals (exit 78) a candidate may have, because the caller fixes them right after the restore by its
        documented policy (M(clawops.openclaw.openclaw_config)). The restored file's refusals are returned in RV(refusals).
      - Also applies to the current file, so a config whose only problems are accepted refusals is left alone.
    type: list
    elements: str
    choices: [gateway_mode_missing, bind_without_auth]
    default: []
  timeout:
    description: Seconds allowed for each C(openclaw config validate) call.
    type: float
    default: 60
seealso:
  - module: clawops.openclaw.openclaw_config
  - module: clawops.openclaw.openclaw_facts
"""

EXAMPLES = r"""
- name: Bring back the newest valid config
  clawops.openclaw.openclaw_config_restore:
  become: true
  become_user: openclaw
"""

RETURN = r"""
state:
  description: C(valid) when nothing had to be done, C(restored) otherwise (also in check mode).
  returned: always
  type: str
problem:
  description: What was wrong with the config (parse error or schema issues), when it was broken.
  returned: when broken
  type: str
restored_from:
  description: The backup that was (or would be) restored.
  returned: when broken
  type: str
broken_kept_at:
  description: Where the broken file was (or would be) kept.
  returned: when broken
  type: str
refusals:
  description: Accepted start refusals (O(accept_refusals)) of the restored file, or of the current file when it was kept.
  returned: always
  type: list
  elements: str
  sample: [gateway_mode_missing]
rejected:
  description: Backups that were considered and why they were not used.
  returned: always
  type: list
  elements: dict
"""

import glob
import json
import os
import shutil
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.clawops.openclaw.plugins.module_utils._common import CLI_ARGUMENT_SPEC, executing_user_config_path, openclaw_cli, startup_refusals
from ansible_collections.clawops.openclaw.plugins.module_utils._json5 import JSON5DecodeError, loads as json5_loads


def backup_candidates(config_path):
    """OpenClaw's backups of config_path, newest first by modification time (the last-good copy first on a tie)."""
    paths = glob.glob(config_path + ".last-good") + glob.glob(config_path + ".bak") + glob.glob(config_path + ".bak.[0-9]*")
    paths = [p for p in paths if os.path.isfile(p)]
    return sorted(paths, key=lambda p: (os.path.getmtime(p), p.endswith(".last-good"), p), reverse=True)


class Restorer(object):
    def __init__(self, module):
        self.module = module
        p = module.params
        self.config_path = executing_user_config_path(p["config_path"])
        self.bin = None
        if p["validate"]:
            self.bin = openclaw_cli(module, p["openclaw_bin"])

    def problem(self, path):
        """(None, accepted refusal ids) when the file parses, validates and starts, else (what is wrong, [])."""
        try:
            with open(path) as handle:
                text = handle.read()
        except (IOError, OSError) as exc:
            return "unreadable: %s" % to_native(exc), []
        try:
            data = json5_loads(text) if text.strip() else None
        except JSON5DecodeError as exc:
            return "unparsable: %s" % to_native(exc), []
        if not isinstance(data, dict):
            return "unparsable: not a JSON object", []
        refusals = startup_refusals(data)
        refused = [message for ident, message in refusals if ident not in self.module.params["accept_refusals"]]
        if refused:
            return "refused at start: %s" % "; ".join(refused), []
        accepted = [ident for ident, dummy in refusals]
        if not self.bin:
            return None, accepted
        rc, out, err = self.module.run_command(
            ["timeout", "-k", "2", "%g" % self.module.params["timeout"], self.bin, "config", "validate", "--json"],
            environ_update={"OPENCLAW_CONFIG_PATH": path, "LC_ALL": "C", "NO_COLOR": "1"})
        try:
            verdict = json.loads(out[out.index("{"):])
        except ValueError:
            verdict = {}
        if verdict.get("valid") is True:
            return None, accepted
        if verdict.get("valid") is False:
            issues = ["%s: %s" % (i.get("path"), i.get("message")) for i in verdict.get("issues", []) if isinstance(i, dict)]
            return "schema-invalid: %s" % ("; ".join(issues) or "see openclaw config validate"), []
        self.module.fail_json(msg="openclaw config validate gave no verdict for %s (rc=%s): %s" % (path, rc, (err or out).strip()[-800:]))

    def run(self):
        result = dict(changed=False, state="valid", rejected=[], refusals=[])
        if not os.path.exists(self.config_path):
            self.module.fail_json(msg="%s does not exist; nothing to restore over (create it with the gateway role)" % self.config_path)
        problem, result["refusals"] = self.problem(self.config_path)
        if problem is None:
            return result
        for candidate in backup_candidates(self.config_path):
            why, refusals = self.problem(candidate)
            if why is None:
                result["refusals"] = refusals
                break
            result["rejected"].append(dict(path=candidate, problem=why))
        else:
            self.module.fail_json(msg="%s is broken (%s) and no backup is valid; nothing was changed" % (self.config_path, problem),
                                  problem=problem, rejected=result["rejected"])
        kept = "%s.broken-%s" % (self.config_path, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
        result.update(changed=True, state="restored", problem=problem, restored_from=candidate, broken_kept_at=kept)
        if self.module._diff:
            result["diff"] = dict(before="%s: %s\n" % (self.config_path, problem),
                                  after="%s: restored from %s (broken file kept at %s)%s\n" % (
                                      self.config_path, candidate, kept,
                                      "; to be fixed by policy: %s" % ", ".join(result["refusals"]) if result["refusals"] else ""))
        if self.module.check_mode:
            return result
        stat = os.stat(self.config_path)
        shutil.copy2(self.config_path, kept)
        os.chmod(kept, 0o600)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.config_path), prefix=".clawops-restore-")
        os.close(fd)
        shutil.copyfile(candidate, tmp)
        os.chmod(tmp, 0o600)
        if os.geteuid() == 0:
            os.chown(kept, stat.st_uid, stat.st_gid)
            os.chown(tmp, stat.st_uid, stat.st_gid)
        self.module.atomic_move(tmp, self.config_path)
        os.chmod(self.config_path, 0o600)  # atomic_move keeps the old file's mode; the config holds secrets
        return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            validate=dict(type="bool", default=True),
            accept_refusals=dict(type="list", elements="str", default=[], choices=["gateway_mode_missing", "bind_without_auth"]),
            timeout=dict(type="float", default=60),
            **CLI_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    module.exit_json(**Restorer(module).run())


if __name__ == "__main__":
    main()
