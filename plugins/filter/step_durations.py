# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: step_durations
short_description: Where a timed operation's seconds went, from the time marks between its steps
version_added: 0.2.0
description:
  - The upgrade role's report splits a switch's downtime and a rollback's time into their steps with it.
  - Returns C(total) (last mark minus first) and C(steps) (each step's seconds), rounded to 0.1 s.
options:
  _input:
    description: The timestamps (seconds) before the first step, between the steps and after the last, in order.
    type: list
    elements: raw
    required: true
  names:
    description: The steps' names, one fewer than the marks.
    type: list
    elements: str
    required: true
author:
  - clawops.openclaw contributors (@clawops)
"""

EXAMPLES = r"""
- name: Note the rollback's time and its steps
  vars:
    took: "{{ [started_at, stopped_at, now(utc=true).timestamp()] | clawops.openclaw.step_durations(['stop', 'start']) }}"
  ansible.builtin.set_fact:
    rollback_s: "{{ took.total }}"
    rollback_steps_s: "{{ took.steps }}"
"""

RETURN = r"""
_value:
  description: C(total) and C(steps) (each step's name and its seconds).
  type: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.module_utils._upgrade import step_durations as _step_durations


def step_durations(marks, names):
    try:
        return _step_durations(marks, names)
    except ValueError as error:
        raise AnsibleFilterError(str(error))


class FilterModule:
    def filters(self):
        return {"step_durations": step_durations}
