# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from ansible.errors import AnsibleFilterError

from ansible_collections.clawops.openclaw.plugins.module_utils._inputs import ROLE_VALIDATORS, role_errors


def input_errors(values, role):
    """The role preflights' validation (module_utils/_inputs.py): a list of messages, empty when all is well."""
    if role not in ROLE_VALIDATORS:
        raise AnsibleFilterError("input_errors: unknown role %r" % (role,))
    if not isinstance(values, dict):
        raise AnsibleFilterError("input_errors expects a mapping of variable names to values")
    return role_errors(role, dict(values))


class FilterModule:
    def filters(self):
        return {"input_errors": input_errors}
