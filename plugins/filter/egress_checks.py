# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters the egress and relay roles validate and render with (the logic lives in module_utils/_egress.py)."""

from ansible_collections.clawops.openclaw.plugins.module_utils._egress import (
    privoxy_rule_problems, relay_acl, relay_problems, split_networks,
)


def _relay_acl(block_list, allow_list, own_addresses):
    return relay_acl(block_list, allow_list, own_addresses)


class FilterModule:
    def filters(self):
        return {
            "privoxy_rule_problems": privoxy_rule_problems,
            "relay_problems": relay_problems,
            "relay_acl": _relay_acl,
            "split_networks": split_networks,
        }
