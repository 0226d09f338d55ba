# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: upgrade_plan
short_description: What an upgrade does on one node, from its openclaw facts
version_added: 0.2.0
description:
  - Returns C(action) (C(nothing), C(upgrade), C(downgrade), C(downgrade_restore) or C(refuse)), C(from_version),
    C(to), C(reason) and C(archive) (the backup a C(downgrade_restore) restores).
  - The release the gateway runs counts, not the one on disk. A gateway that is not ready is not upgraded. Going
    back to a release older than the one that last wrote the config is refused unless O(restore_backup) is true
    and an archive that release wrote is in O(archives).
options:
  _input:
    description: The node's C(openclaw) facts (M(clawops.openclaw.openclaw_facts)).
    type: dict
    required: true
  to:
    description: The target OpenClaw version.
    type: str
    required: true
  restore_backup:
    description: Consent to restore, on such a downgrade, the archive the target release wrote before the upgrade.
    type: bool
    default: false
  archives:
    description: File names in the node's upgrade backup directory.
    type: list
    elements: str
    default: []
author:
  - clawops.openclaw contributors (@clawops)
"""

EXAMPLES = r"""
- name: Plan
  ansible.builtin.set_fact:
    plan: "{{ ansible_facts.openclaw | clawops.openclaw.upgrade_plan('2026.9.6') }}"
"""

RETURN = r"""
_value:
  description: dict(action, from_version, to, reason, archive).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.module_utils._upgrade import plan


def upgrade_plan(facts, to, restore_backup=False, archives=None):
    if not isinstance(facts, dict):
        raise AnsibleFilterError("upgrade_plan: the input must be the openclaw facts (a dict), got %s" % type(facts).__name__)
    return plan(facts, to, bool(restore_backup), list(archives or []))


class FilterModule:
    def filters(self):
        return {"upgrade_plan": upgrade_plan}
