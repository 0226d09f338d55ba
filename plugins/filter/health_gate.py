# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: health_gate
short_description: The verdict of an upgrade's health gate on openclaw_facts readings
version_added: 0.2.0
description:
  - A release passes when every reading says ready (no failing check, channels included), the gateway's process
    stayed the one that became ready (no crash, no restart by systemd) and its event-loop p99 was not above
    O(p99_max_ms) in two readings in a row (a freshly started gateway has CPU bursts that are not stalls).
  - Returns C(ok), C(reasons) (each cause once, at the first reading that showed it), C(readings), C(not_ready)
    and C(worst_p99_ms).
options:
  _input:
    description: The C(openclaw) facts of each reading, oldest first.
    type: list
    elements: dict
    required: true
  pid:
    description: The service's main process when the window opened.
    type: int
    required: true
  restarts:
    description: systemd's restart count of the service when the window opened.
    type: int
    required: true
  p99_max_ms:
    description: The event-loop p99 (ms) the gateway may not stay above.
    type: float
    required: true
author:
  - clawops.openclaw contributors (@clawops)
"""

EXAMPLES = r"""
- name: Judge the observation window
  vars:
    verdict: "{{ readings.results | map(attribute='ansible_facts.openclaw') | clawops.openclaw.health_gate(pid, 0, 500) }}"
  ansible.builtin.assert:
    that: verdict.ok
    fail_msg: "{{ verdict.reasons | join('; ') }}"
"""

RETURN = r"""
_value:
  description: dict(ok, reasons, readings, not_ready, worst_p99_ms).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.module_utils._health_gate import judge


def health_gate(readings, pid, restarts, p99_max_ms):
    if not isinstance(readings, list):
        raise AnsibleFilterError("health_gate: the input must be a list of openclaw facts, got %s" % type(readings).__name__)
    try:
        return judge(readings, int(pid) if pid else None, int(restarts or 0), float(p99_max_ms))
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("health_gate: pid, restarts and p99_max_ms must be numbers: %s" % exc)


class FilterModule:
    def filters(self):
        return {"health_gate": health_gate}
