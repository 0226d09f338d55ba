#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_hold
short_description: Hold the node for a collection play (the watchdog does not act meanwhile), or release it
version_added: 0.2.0
description:
  - O(state=present) writes the hold file (root's, mode 0644, in a root-owned directory made 0755 when missing)
    with who holds it and for how long; O(state=absent) removes it.
  - The watchdog does not act and the scheduled backup does not run while a hold is there; it expires O(ttl_s) after it
    was written, so a play that dies holds the node for that long at most.
  - One module run (the directory, the file written beside and renamed over the old one, a link there replaced and never
    followed); no directory on the way is a link.
  - The hold is the play's runtime state, not configuration; the roles' tasks report it as no change.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what it would do and writes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  path:
    description: The hold file.
    type: path
    default: /run/clawops-openclaw/hold
  state:
    description: V(present) takes the hold, V(absent) releases it.
    type: str
    choices: [present, absent]
    default: present
  by:
    description: Who holds the node (shown in the watchdog's log and metrics); at most 100 characters are shown.
    type: str
    default: a collection play
  ttl_s:
    description: Seconds after which the hold expires by itself.
    type: int
    default: 3600
"""

EXAMPLES = r"""
- name: Hold the node while this play may restart the gateway
  clawops.openclaw.openclaw_hold:
    by: "{{ ansible_play_name }}"
    ttl_s: 3600
  changed_when: false

- name: Release it
  clawops.openclaw.openclaw_hold:
    state: absent
  changed_when: false
"""

RETURN = r"""
held:
  description: Whether the node is (or would be) held after the run.
  returned: always
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.clawops.openclaw.plugins.module_utils._hold import HoldError, release, take


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/run/clawops-openclaw/hold"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            by=dict(type="str", default="a collection play"),
            ttl_s=dict(type="int", default=3600),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params["ttl_s"] < 1:
        module.fail_json(msg="ttl_s must be 1 or more, not %d" % params["ttl_s"])
    if any(ord(c) < 32 or ord(c) == 127 for c in params["by"]):
        module.fail_json(msg="by must not contain control characters")
    present = params["state"] == "present"
    try:
        if module.check_mode:
            changed = True
        elif present:
            take(params["path"], params["by"], params["ttl_s"])
            changed = True
        else:
            changed = release(params["path"])
    except (HoldError, OSError) as exc:
        module.fail_json(msg="hold %s: %s" % (params["path"], exc))
    module.exit_json(changed=changed, held=present)


if __name__ == "__main__":
    main()
