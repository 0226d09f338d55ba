#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_backup
short_description: Archive an OpenClaw state directory with OpenClaw's own backup, and put one back
version_added: 0.2.0
description:
  - O(state=present) writes a new archive of the state directory (config, credentials, sessions, state database and,
    by default, the workspaces) with C(openclaw backup create --verify), named after the release that wrote it
    (C(openclaw-<version>-<UTC time>.tar.gz)) in O(dest); archives beyond the newest O(keep) are removed.
  - O(state=restored) puts the state of O(archive) back in place of O(state_dir) (a rollback). OpenClaw restores only
    into a fresh directory (C(openclaw backup restore --target)); the module then swaps that tree in with two renames
    and keeps the replaced one next to it as C(<state_dir>.clawops-replaced-<time>) for a post-mortem (the newest
    O(keep) stay). With O(unless_marks), nothing is restored when the state still carries those marks (the release
    that ran since migrated neither the config nor the state database).
  - The gateway must be stopped for O(state=restored); the caller does that.
  - Runs as the service user (C(become_user)); refuses to run as root, because every file it reads or moves is that
    user's.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - clawops.openclaw.cli
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  state:
    description: C(present) writes a new archive (always a change); C(restored) puts one back.
    type: str
    choices: [present, restored]
    default: present
  state_dir:
    description: The gateway's state directory (C(~/.openclaw)); the archive's state asset must be this directory.
    type: path
    required: true
  dest:
    description: Directory of the archives (created 0700); not inside O(state_dir). Required with O(state=present).
    type: path
  version:
    description: The OpenClaw version of the CLI that writes the archive (O(openclaw_bin)); part of the archive's name.
    type: str
  include_workspace:
    description: Whether the agents' workspaces go into the archive (a rollback then restores them too).
    type: bool
    default: true
  keep:
    description: Archives kept in O(dest) (the newest), and replaced state directories kept after a restore.
    type: int
    default: 5
  archive:
    description: The archive to restore (O(state=restored)).
    type: path
  unless_marks:
    description:
      - RV(marks) of the state when the archive was written. When the state still carries them (and the state
        database has no unwritten log), nothing is restored.
    type: dict
seealso:
  - module: clawops.openclaw.openclaw_release
"""

EXAMPLES = r"""
- name: Archive config and state with the release that serves now
  become: true
  become_user: openclaw
  clawops.openclaw.openclaw_backup:
    state_dir: /home/openclaw/.openclaw
    dest: /home/openclaw/clawops-backups/upgrades
    version: "2026.9.5"
    openclaw_bin: /opt/openclaw/2026.9.5/bin/openclaw
  register: backup

- name: Roll the state back (gateway stopped) when the new release migrated it
  become: true
  become_user: openclaw
  clawops.openclaw.openclaw_backup:
    state: restored
    state_dir: /home/openclaw/.openclaw
    archive: "{{ backup.archive }}"
    unless_marks: "{{ backup.marks }}"
    openclaw_bin: /opt/openclaw/2026.9.5/bin/openclaw
"""

RETURN = r"""
archive:
  description: The archive written (O(state=present), null in check mode) or restored.
  returned: always
  type: str
  sample: /home/openclaw/clawops-backups/upgrades/openclaw-2026.9.5-20261205T233542Z.tar.gz
marks:
  description:
    - What a release migrates, as the state shows it now (after a restore, the restored state's).
    - C(config_written_by) is the config's C(meta.lastTouchedVersion); C(state_schema) the state database's schema
      version (SQLite C(user_version) as last checkpointed); C(wal_pending) whether its write-ahead log holds pages
      not yet checkpointed (the schema may be newer than C(state_schema) says).
  returned: always
  type: dict
  sample: {"config_written_by": "2026.9.5", "state_schema": 17, "wal_pending": false}
restored:
  description: Whether the state directory was replaced by the archive's (or would be, in check mode).
  returned: always
  type: bool
replaced:
  description: Where the replaced state directory was kept, null when nothing was restored.
  returned: always
  type: str
  sample: /home/openclaw/.openclaw.clawops-replaced-20261205T233700Z
pruned:
  description: Archives (O(state=present)) or replaced state directories (O(state=restored)) removed by O(keep).
  returned: always
  type: list
  elements: str
"""

import errno
import os
import re
import shutil
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.clawops.openclaw.plugins.module_utils._backup import (
    BackupError, beyond_keep, inside, state_marks, utc_stamp, write_archive,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._cli import CLI_ARGUMENT_SPEC, CliError, OpenClawCli
from ansible_collections.clawops.openclaw.plugins.module_utils._releases import VERSION_TEXT

REPLACED_SUFFIX = re.compile(r"\.clawops-replaced-(?P<stamp>\d{8}T\d{6}Z)\Z")
# What OpenClaw names an archive's top directory (`backup restore` answers with it); nothing else is joined to a path.
ARCHIVE_ROOT = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,120}-openclaw-backup\Z")


def move_aside(state_dir, replaced):
    """Rename STATE_DIR to REPLACED. Where the filesystem cannot rename that directory (EXDEV: overlayfs refuses to
    rename a directory of a lower layer, as in a container image), copy it there (links as links), then remove it;
    when that fails half-way the state is put back from the copy. OSError when STATE_DIR is still in place."""
    try:
        os.rename(state_dir, replaced)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    try:
        shutil.copytree(state_dir, replaced, symlinks=True)
    except (OSError, shutil.Error) as exc:
        shutil.rmtree(replaced, ignore_errors=True)
        raise OSError(errno.EXDEV, "cannot rename it here and copying it failed: %s" % exc)
    try:
        shutil.rmtree(state_dir)
    except OSError as exc:
        shutil.rmtree(state_dir, ignore_errors=True)
        if os.path.lexists(state_dir):
            raise OSError(exc.errno, "cannot rename it here and could not remove it after copying (%s); the copy is %s" % (exc, replaced))
        os.rename(replaced, state_dir)  # the copy is new, so renaming it works: the state is back as it was
        raise OSError(exc.errno, "cannot rename it here and removing it failed half-way (%s); put back from its copy" % exc)


class Backup:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.state_dir = os.path.normpath(self.params["state_dir"])
        self.result = dict(changed=False, archive=None, marks=None, restored=False, replaced=None, pruned=[])

    def fail(self, msg, **extra):
        result = dict(self.result)
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    def check_input(self):
        p = self.params
        errors = []
        if os.geteuid() == 0:
            errors.append("runs as the service user (become_user), not as root: the state it archives or replaces is that user's")
        if not os.path.isabs(p["state_dir"]) or self.state_dir == "/":
            errors.append("state_dir must be an absolute path below /, got %r" % p["state_dir"])
        if p["keep"] < 1:
            errors.append("keep must be 1 or more, got %d" % p["keep"])
        if p["state"] == "present":
            if not p["dest"]:
                errors.append("dest is required with state=present")
            elif inside(p["dest"], self.state_dir):
                errors.append("dest %s is inside the state directory %s (OpenClaw refuses to archive into its source)" % (p["dest"], self.state_dir))
            if not isinstance(p["version"], str) or not VERSION_TEXT.fullmatch(p["version"]):
                errors.append("version must be a whole OpenClaw version (2026.9.5), got %r" % p["version"])
        else:
            if not p["archive"]:
                errors.append("archive is required with state=restored")
            elif not os.path.isfile(p["archive"]):
                errors.append("archive %s is not a file" % p["archive"])
        if not os.path.isdir(self.state_dir) or os.path.islink(self.state_dir):
            errors.append("state_dir %s is not a directory" % self.state_dir)
        if errors:
            self.fail("; ".join(errors) + "; nothing was changed")

    # --- present -------------------------------------------------------------------------------------
    def create(self, cli):
        p = self.params
        self.result["marks"] = state_marks(self.state_dir, p["config_path"])
        if self.module.check_mode:
            self.result["changed"] = True
            return
        try:
            archive, pruned = write_archive(cli, self.state_dir, p["dest"], p["version"], p["include_workspace"], p["keep"])
        except BackupError as exc:
            if exc.cli_error is not None:
                self.fail(**exc.cli_error.fail_kwargs("%s; nothing was changed" % exc.msg))
            self.fail("%s; nothing was changed" % exc.msg)
        self.result.update(changed=True, archive=archive, pruned=pruned)

    # --- restored ------------------------------------------------------------------------------------
    def restore(self, cli):
        p = self.params
        marks = state_marks(self.state_dir, p["config_path"])
        self.result.update(archive=p["archive"], marks=marks)
        wanted = p["unless_marks"]
        if wanted is not None and not marks["wal_pending"] and all(marks.get(k) == wanted.get(k) for k in ("config_written_by", "state_schema")):
            return
        self.result.update(changed=True, restored=True)
        if self.module.check_mode:
            return
        parent, name = os.path.split(self.state_dir)
        stamp = utc_stamp()
        stage = "%s.clawops-restore-%s" % (self.state_dir, stamp)
        replaced = "%s.clawops-replaced-%s" % (self.state_dir, stamp)
        if os.path.lexists(stage) or os.path.lexists(replaced):
            self.fail("%s or %s exists already (a restore in this second?); nothing was changed" % (stage, replaced), changed=False, restored=False)
        try:
            try:
                answer = cli.json(["backup", "restore", p["archive"], "--target", stage, "--json"], what="openclaw backup restore")
            except CliError as exc:
                self.fail(changed=False, restored=False,
                          **exc.fail_kwargs("OpenClaw could not restore %s; the state was not touched" % p["archive"]))
            root = answer.get("archiveRoot")
            if answer.get("ok") is not True or not isinstance(root, str) or not ARCHIVE_ROOT.fullmatch(root):
                self.fail("openclaw backup restore did not answer ok with an archive root (%r); the state was not touched" % root,
                          changed=False, restored=False)
            payload = os.path.join(stage, root, "payload", "posix" + self.state_dir)
            info = os.lstat(payload) if os.path.lexists(payload) else None
            if info is None or not stat.S_ISDIR(info.st_mode) or not inside(payload, stage):
                self.fail("%s holds no state directory for %s; the state was not touched" % (p["archive"], self.state_dir),
                          changed=False, restored=False)
            try:
                move_aside(self.state_dir, replaced)
            except OSError as exc:
                self.fail("could not move %s aside (%s); the state was not touched" % (self.state_dir, exc), changed=False, restored=False)
            try:
                os.rename(payload, self.state_dir)
            except OSError as exc:
                os.rename(replaced, self.state_dir)
                self.fail("could not move the restored state into place (%s); the state was put back" % exc, changed=False, restored=False)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        self.result.update(replaced=replaced, marks=state_marks(self.state_dir, p["config_path"]))
        # The directory just replaced always stays; only directories the module made (no links, no files) go.
        older = [os.path.join(parent, n) for n in os.listdir(parent) if n.startswith(name + ".clawops-replaced-")]
        older = [path for path in older if path != replaced and os.path.isdir(path) and not os.path.islink(path)]
        for path in beyond_keep(replaced, older, REPLACED_SUFFIX, p["keep"]):
            shutil.rmtree(path)
            self.result["pruned"].append(path)

    def run(self):
        self.check_input()
        cli = OpenClawCli.from_params(self.module, self.params["config_path"])
        (self.create if self.params["state"] == "present" else self.restore)(cli)
        self.module.exit_json(**self.result)


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "restored"], default="present"),
        state_dir=dict(type="path", required=True),
        dest=dict(type="path"),
        version=dict(type="str"),
        include_workspace=dict(type="bool", default=True),
        keep=dict(type="int", default=5),
        archive=dict(type="path"),
        unless_marks=dict(type="dict"),
    )
    argument_spec.update(CLI_ARGUMENT_SPEC)
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    Backup(module).run()


if __name__ == "__main__":
    main()
