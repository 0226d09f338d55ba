#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_file_backup
short_description: Copy files from a directory another user controls into a root-only directory, safely, with retention
version_added: 0.2.0
description:
  - Made for root acting on the gateway's service user's files, which that user (and every agent it runs) can replace
    with links at any time. Each source is opened one path component at a time from C(/) with C(O_NOFOLLOW), so a
    symlink anywhere on the way, a C(..) component, a path outside O(confine), or anything but a regular file is
    refused (reported in RV(refused), with a warning) and left alone.
  - With O(layout=run), the files are copied into a new directory O(dest)/O(name) under flat names
    C(<nn>-<basename>) (never a path taken from the node) with a C(manifest.json) recording each original path,
    sha256, owner and mode. O(remove_src) then removes the sources (a quarantine). Afterwards the runs in O(dest)
    beyond the newest O(keep), or older than O(max_age_days), are removed; the newest run always stays.
    Without O(src), only the retention runs (for directories other tasks write, such as diagnostics bundles).
  - With O(layout=mirror), each source is kept as O(dest)/C(<basename>), replaced atomically when it differs.
  - File contents are never returned or shown in a diff (they may hold secrets).
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: partial
    details: The diff names the files that would be copied, removed or pruned, never their content.
  platform:
    platforms: posix
options:
  src:
    description:
      - Absolute, normalised paths of the files to copy. Each must lie inside O(confine).
      - Duplicates are copied once.
    type: list
    elements: str
    default: []
  confine:
    description: The directory every O(src) must lie in (for example the service user's home). Required with O(src).
    type: path
  dest:
    description: Root-only directory of the copies (created with mode 0700 when missing; a symlink is refused).
    type: path
    required: true
  layout:
    description: C(run) (one new directory per call, flat names, manifest, retention) or C(mirror) (C(<basename>), replaced).
    type: str
    choices: [run, mirror]
    default: run
  name:
    description:
      - Name of the run directory (O(layout=run)); letters, digits, C(.), C(_) and C(-). Default the UTC time.
      - When it exists already, C(-2), C(-3) ... is appended.
    type: str
  remove_src:
    description: Remove each source once copied (O(layout=run) only), a quarantine that keeps the content in O(dest).
    type: bool
    default: false
  keep:
    description: How many runs to keep in O(dest) (O(layout=run)); at least 1.
    type: int
    default: 10
  max_age_days:
    description: Runs older than this are removed too (the newest always stays); 0 for no age limit.
    type: int
    default: 30
  max_size:
    description: Sources larger than this many bytes are refused (a user-writable file must not fill the root disk).
    type: int
    default: 16777216
seealso:
  - module: clawops.openclaw.openclaw_facts
"""

EXAMPLES = r"""
- name: Back up the files about to be edited
  clawops.openclaw.openclaw_file_backup:
    src: [/home/openclaw/.openclaw/.env, /home/openclaw/.config/systemd/user/openclaw-gateway.service]
    confine: /home/openclaw
    dest: /var/lib/clawops-openclaw/backups
    keep: 10
    max_age_days: 30

- name: Retention only (bundles written by other tasks)
  clawops.openclaw.openclaw_file_backup:
    dest: /var/lib/clawops-openclaw/diagnostics
    keep: 10
"""

RETURN = r"""
run_dir:
  description: The run directory written (or that would be), with O(layout=run) and at least one file copied.
  returned: when a file was copied with O(layout=run)
  type: str
  sample: /var/lib/clawops-openclaw/bundles/20260101T120000Z
files:
  description: The files copied (or that would be), in the order of O(src).
  returned: always
  type: list
  elements: dict
  sample: [{path: /home/openclaw/.openclaw/.env, name: 01-.env, sha256: "9f86d0...", size: 42, uid: 1001, gid: 1001, mode: "0600",
            mtime: 1767268800, removed: true}]
  contains:
    path:
      description: The source file.
      returned: always
      type: str
    name:
      description: Its name in the run directory (numbered, flattened) or in O(dest) (O(layout=mirror)).
      returned: always
      type: str
    sha256:
      description: SHA-256 of the content copied.
      returned: always
      type: str
    size:
      description: Bytes copied.
      returned: always
      type: int
    uid:
      description: Owner of the source.
      returned: always
      type: int
    gid:
      description: Group of the source.
      returned: always
      type: int
    mode:
      description: Permission bits of the source, octal.
      returned: always
      type: str
      sample: "0600"
    mtime:
      description: Modification time of the source, epoch seconds.
      returned: always
      type: int
    removed:
      description: Whether the source was (or would be) removed after the copy (O(remove_src)).
      returned: always
      type: bool
refused:
  description: Sources left alone.
  returned: always
  type: list
  elements: dict
  sample: [{path: /home/openclaw/.openclaw/.env, reason: "is a symbolic link"}]
  contains:
    path:
      description: The source as given in O(src).
      returned: always
      type: str
    reason:
      description: Why it was left alone (a link on the way, outside O(confine), not a regular file, larger than O(max_size), missing...).
      returned: always
      type: str
pruned:
  description: Runs removed (or that would be) by the retention (O(keep), O(max_age_days)); always empty with O(layout=mirror).
  returned: always
  type: list
  elements: str
  sample: [/var/lib/clawops-openclaw/bundles/20251201T120000Z]
"""

import json
import os
import re
import stat
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import ConfinedFile, Dir, Refused, components, flat_name, prune, safe_basename, sha256

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")


def prepare_dest(module, dest):
    """Create dest (0700) when missing; refuse a symlink on the way or a directory root does not own."""
    try:
        Dir(dest, uid=os.geteuid(), create=True).close()
    except (Refused, OSError) as exc:
        module.fail_json(msg="%s must be a directory owned by uid %d, not a link (%s): nothing was written" % (dest, os.geteuid(), exc))


def dest_dir(dest):
    """The Dir of dest, None when it does not exist or is not a directory reached without a link (nothing to prune)."""
    try:
        return Dir(dest)
    except (Refused, OSError):
        return None


def read_sources(module, p):
    files, refused, seen = [], [], set()
    for path in p["src"]:
        if path in seen:
            continue
        seen.add(path)
        try:
            with ConfinedFile(p["confine"], path) as handle:
                data = handle.read(p["max_size"] + 1)
                if handle.st.st_size > p["max_size"] or len(data) > p["max_size"]:
                    raise Refused("is larger than max_size (%d bytes)" % p["max_size"])
                files.append(dict(path=path, data=data, handle_args=(p["confine"], path), size=len(data), sha256=sha256(data),
                                  uid=handle.st.st_uid, gid=handle.st.st_gid, mode="%04o" % stat.S_IMODE(handle.st.st_mode),
                                  mtime=int(handle.st.st_mtime), removed=False))
        except Refused as exc:
            refused.append(dict(path=path, reason=to_native(exc)))
            module.warn("left alone (not copied%s): %s: %s" % (", not removed" if p["remove_src"] else "", path, exc))
        except OSError as exc:
            refused.append(dict(path=path, reason=os.strerror(exc.errno) if exc.errno else to_native(exc)))
            module.warn("left alone: %s: %s" % (path, refused[-1]["reason"]))
    return files, refused


def run_layout(module, p, files, result):
    dest = p["dest"]
    if files:
        base = p["name"] or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        name, n = base, 1
        while os.path.lexists(os.path.join(dest, name)):
            n += 1
            name = "%s-%d" % (base, n)
        result["run_dir"] = os.path.join(dest, name)
        for index, item in enumerate(files, 1):
            item["name"] = flat_name(index, item["path"])
            item["removed"] = p["remove_src"]
        result["changed"] = True
        if not module.check_mode:
            prepare_dest(module, dest)
            os.mkdir(result["run_dir"], 0o700)
            with Dir(result["run_dir"]) as run_dir:
                for item in files:
                    run_dir.write_new(item["name"], item["data"])
                manifest = dict(created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), removed_sources=p["remove_src"],
                                files=[public(item) for item in files])
                run_dir.write_new("manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
            for item in files if p["remove_src"] else []:
                try:
                    with ConfinedFile(*item["handle_args"]) as handle:
                        if sha256(handle.read()) != item["sha256"]:
                            raise Refused("changed while it was being copied")
                        handle.unlink()
                except (Refused, OSError) as exc:
                    item["removed"] = False
                    module.warn("copied but not removed: %s: %s" % (item["path"], exc))
    spare = os.path.basename(result["run_dir"]) if "run_dir" in result else None
    directory = dest_dir(dest)
    result["pruned"] = []
    if directory is not None:
        with directory:
            result["pruned"] = prune(directory, p["keep"], p["max_age_days"], time.time(), module.check_mode, kind="dir", spare=spare)
    if result["pruned"]:
        result["changed"] = True


def mirror_layout(module, p, files, result):
    dest = p["dest"]
    for item in files:
        item["name"] = safe_basename(item["path"])
        target = os.path.join(dest, item["name"])
        try:
            with ConfinedFile("/", target) as current:
                same = current.read() == item["data"] and stat.S_IMODE(current.st.st_mode) == 0o600
        except (Refused, OSError):
            same = False
        if same:
            continue
        result["changed"] = True
        if module.check_mode:
            continue
        prepare_dest(module, dest)
        with Dir(dest) as directory:
            directory.replace(item["name"], item["data"])
    result["pruned"] = []


def public(item):
    return dict((k, v) for k, v in item.items() if k not in ("data", "handle_args"))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="list", elements="str", default=[]),
            confine=dict(type="path"),
            dest=dict(type="path", required=True),
            layout=dict(type="str", choices=["run", "mirror"], default="run"),
            name=dict(type="str"),
            remove_src=dict(type="bool", default=False),
            keep=dict(type="int", default=10),
            max_age_days=dict(type="int", default=30),
            max_size=dict(type="int", default=16 * 1024 * 1024),
        ),
        supports_check_mode=True,
    )
    p = module.params
    errors = []
    for option in ("dest", "confine"):
        if p[option] is not None:
            try:
                components(p[option])
            except Refused as exc:
                errors.append("%s %r: %s" % (option, p[option], exc))
    if p["src"] and not p["confine"]:
        errors.append("confine is required with src")
    if p["keep"] < 1:
        errors.append("keep must be at least 1 (got %d): the backup just written would be deleted" % p["keep"])
    if p["max_age_days"] < 0:
        errors.append("max_age_days must be 0 (no limit) or more (got %d)" % p["max_age_days"])
    if p["name"] is not None and not _NAME.match(p["name"]):
        errors.append("name %r: only letters, digits, '.', '_' and '-', starting with a letter or digit" % p["name"])
    if p["remove_src"] and p["layout"] != "run":
        errors.append("remove_src needs layout=run (a quarantine keeps every version)")
    if p["max_size"] < 1:
        errors.append("max_size must be positive")
    if errors:
        module.fail_json(msg="openclaw_file_backup refuses these options (nothing was changed): " + "; ".join(errors))

    result = dict(changed=False)
    files, result["refused"] = read_sources(module, p)
    (run_layout if p["layout"] == "run" else mirror_layout)(module, p, files, result)
    result["files"] = [public(item) for item in files]
    if module._diff and result["changed"]:
        lines = ["%s -> %s%s" % (f["path"], os.path.join(result.get("run_dir", p["dest"]), f["name"]), " (source removed)" if f["removed"] else "")
                 for f in result["files"]] + ["pruned %s" % path for path in result["pruned"]]
        result["diff"] = dict(before="", after="\n".join(lines) + "\n")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
