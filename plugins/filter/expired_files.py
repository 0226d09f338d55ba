# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: expired_files
short_description: The files a retention removes, from the result of ansible.builtin.find
version_added: 0.2.0
description:
  - The collection's one retention rule, the one its modules apply. The files beyond the newest O(keep), and those
    older than O(max_age_days), are expired; the newest file always stays.
  - Returns the expired entries of O(_input), newest first.
options:
  _input:
    description: The C(files) list of M(ansible.builtin.find) (each with C(path) and C(mtime)).
    type: list
    elements: dict
    required: true
  keep:
    description: How many of the newest files to keep; at least 1.
    type: int
    required: true
  max_age_days:
    description: Files older than this many days expire too; 0 for no age limit.
    type: int
    default: 0
author:
  - clawops.openclaw contributors (@clawops)
"""

EXAMPLES = r"""
- name: Remove the backups beyond the newest 5 or older than 90 days
  ansible.builtin.file:
    path: "{{ item.path }}"
    state: absent
  loop: "{{ found.files | clawops.openclaw.expired_files(5, 90) }}"
"""

RETURN = r"""
_value:
  description: The expired entries of the input, newest first.
  type: list
  elements: dict
"""

import time

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import expired


class _Stat:
    def __init__(self, mtime):
        self.st_mtime = mtime


def expired_files(files, keep, max_age_days=0, now=None):
    keep, max_age_days = int(keep), int(max_age_days)
    if keep < 1 or max_age_days < 0:
        raise AnsibleFilterError("expired_files: keep must be at least 1 and max_age_days at least 0 (got %d, %d)" % (keep, max_age_days))
    newest_first = sorted(files, key=lambda f: float(f["mtime"]), reverse=True)
    by_path = dict((f["path"], f) for f in newest_first)
    entries = [(f["path"], _Stat(float(f["mtime"]))) for f in newest_first]
    return [by_path[path] for path in expired(entries, keep, max_age_days, time.time() if now is None else now)]


class FilterModule:
    def filters(self):
        return {"expired_files": expired_files}
