# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: watchdog_settings
short_description: The node-side watchdog's settings, checked as the watchdog itself checks them
version_added: 0.2.0
description:
  - Takes the settings the watchdog role renders into C(/etc/clawops-openclaw/watchdog.json) and returns them typed,
    with every key known and every value in range; the same code the watchdog runs at each check on the node, so
    a value the role accepts is one the watchdog accepts.
  - Fails naming the setting when a value is not valid.
options:
  _input:
    description: The settings (see the watchdog role's variables for their meaning).
    type: dict
    required: true
author:
  - clawops.openclaw contributors (@clawops)
"""

EXAMPLES = r"""
- name: Check the watchdog settings
  ansible.builtin.set_fact:
    settings: "{{ {'user': 'openclaw', 'port': 18789, 'interval_s': 15} | clawops.openclaw.watchdog_settings }}"
"""

RETURN = r"""
_value:
  description: The settings with their defaults, typed.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError
from ansible_collections.clawops.openclaw.plugins.module_utils._watchdog import SETTINGS, SettingsError, load_settings


_NUMBER = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,6})?\Z")


def watchdog_settings(data):
    if isinstance(data, dict):
        # Inventory and -e values may arrive as strings: a number written as one is that number.
        data = {key: (float(value) if "." in value else int(value)) if isinstance(value, str) and SETTINGS.get(key, (str,))[0] is not str
                and _NUMBER.match(value) else value for key, value in data.items()}
    try:
        return load_settings(data)
    except SettingsError as exc:
        raise AnsibleFilterError("watchdog settings: %s" % exc)


class FilterModule:
    def filters(self):
        return {"watchdog_settings": watchdog_settings}
