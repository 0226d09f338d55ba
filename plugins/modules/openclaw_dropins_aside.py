#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_dropins_aside
short_description: Move a unit's drop-in directory aside for OpenClaw's installer, and everything in it back afterwards
version_added: 0.2.0
description:
  - OpenClaw's installer refuses to publish a unit next to existing drop-ins, so they step aside to
    C(<path>.clawops-aside) while it runs and come back afterwards.
  - Nothing is ever stranded or deleted. Every entry comes back, not only C(*.conf). A leftover aside directory (a
    run that failed in between) is merged back before anything else, so a directory is never moved into a leftover
    one. When a name exists on both sides with a different content, the one set aside comes back as
    C(<name>.clawops-conflict[-N]) (systemd ignores it) and is reported; identical copies are merged.
  - The names in O(rewrite) are the caller's own files, written again right after, so they are dropped instead of
    restored.
  - Where the directory cannot be renamed (an overlay filesystem whose lower layer holds it, as on a node started
    from an image, fails with EXDEV), the entries move one by one and the emptied directory is removed.
  - Run it as the unit's owner (C(become_user)), whose directory it is.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  path:
    description: The drop-in directory, C(<unit>.d).
    type: path
    required: true
  state:
    description: C(aside) (merge a leftover back, then move the directory aside when it has entries) or C(back).
    type: str
    choices: [aside, back]
    required: true
  rewrite:
    description: Names of files the caller writes again right after (dropped, not restored).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Out of the installer's way
  clawops.openclaw.openclaw_dropins_aside:
    path: /home/openclaw/.config/systemd/user/openclaw-gateway.service.d
    state: aside
  become: true
  become_user: openclaw
"""

RETURN = r"""
moved_aside:
  description: Whether the directory was (or would be) moved aside.
  returned: always
  type: bool
  sample: false
restored:
  description: Names brought back into O(path).
  returned: always
  type: list
  elements: str
  sample: [50-operator.conf]
dropped:
  description: Names in O(rewrite) found aside and removed (the caller writes them again).
  returned: always
  type: list
  elements: str
  sample: [10-clawops.conf]
conflicts:
  description:
    - Names that existed on both sides with different content; the file from aside is brought back under a new name
      (which systemd does not read, as it does not end in C(.conf)).
  returned: always
  type: list
  elements: dict
  sample: [{name: 50-operator.conf, new_name: 50-operator.conf.clawops-conflict}]
  contains:
    name:
      description: The name on both sides.
      returned: always
      type: str
    new_name:
      description: The name the aside copy was brought back as.
      returned: always
      type: str
"""

import errno
import filecmp
import os
import stat

from ansible.module_utils.basic import AnsibleModule

SUFFIX = ".clawops-aside"


def free_name(directory, name):
    candidate, n = name + ".clawops-conflict", 1
    while os.path.lexists(os.path.join(directory, candidate)):
        n += 1
        candidate = "%s.clawops-conflict-%d" % (name, n)
    return candidate


def same_file(a, b):
    return os.path.isfile(a) and not os.path.islink(a) and os.path.isfile(b) and not os.path.islink(b) and filecmp.cmp(a, b, shallow=False)


def move(src, dst):
    """Rename src to dst (dst does not exist). On an overlay filesystem a directory of a lower layer cannot be
    renamed (EXDEV, e.g. a node started from an image): then dst is created and every entry moves on its own
    (files are copied up), and src is removed once empty. Stopped half way, both halves are kept: the next
    run merges a leftover aside directory back first."""
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        if os.path.islink(src) or not os.path.isdir(src):
            raise
        os.mkdir(dst, stat.S_IMODE(os.lstat(src).st_mode))
        for name in sorted(os.listdir(src)):
            move(os.path.join(src, name), os.path.join(dst, name))
        os.rmdir(src)


def merge_back(path, aside, rewrite, check, result):
    """Everything in aside back into path (created when missing), then aside removed."""
    if not os.path.lexists(aside):
        return
    if os.path.islink(aside) or not os.path.isdir(aside):
        raise ValueError("%s is not a directory: move it away by hand" % aside)
    if os.path.lexists(path) and (os.path.islink(path) or not os.path.isdir(path)):
        raise ValueError("%s is not a directory: cannot bring %s back into it" % (path, aside))
    result["changed"] = True
    if not check and not os.path.isdir(path):
        os.mkdir(path, 0o700)
    for name in sorted(os.listdir(aside)):
        src, dst = os.path.join(aside, name), os.path.join(path, name)
        if name in rewrite and not os.path.isdir(src):
            result["dropped"].append(name)
            if not check:
                os.unlink(src)
        elif not os.path.lexists(dst):
            result["restored"].append(name)
            if not check:
                move(src, dst)
        elif same_file(src, dst):
            result["restored"].append(name)
            if not check:
                os.unlink(src)
        else:
            new = free_name(path, name)
            result["conflicts"].append(dict(name=name, new_name=new))
            if not check:
                move(src, os.path.join(path, new))
    if not check:
        os.rmdir(aside)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            state=dict(type="str", choices=["aside", "back"], required=True),
            rewrite=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"].rstrip("/")
    aside = path + SUFFIX
    result = dict(changed=False, moved_aside=False, restored=[], conflicts=[], dropped=[])
    try:
        merge_back(path, aside, module.params["rewrite"], module.check_mode, result)
        if module.params["state"] == "aside" and os.path.isdir(path) and not os.path.islink(path):
            entries = os.listdir(path) if not (module.check_mode and result["changed"]) else ["(merged)"]
            if entries:
                result.update(changed=True, moved_aside=True)
                if not module.check_mode:
                    move(path, aside)  # aside does not exist: merged and removed above
    except (OSError, ValueError) as exc:
        module.fail_json(msg="drop-ins of %s: %s (nothing is lost: see %s)" % (path, exc, aside), **result)
    if result["conflicts"]:
        module.warn("drop-ins set aside earlier conflicted with newer ones and came back renamed: %s"
                    % ", ".join("%s -> %s" % (c["name"], c["new_name"]) for c in result["conflicts"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
