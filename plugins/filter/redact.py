# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: redact
short_description: Mask every secret in a value before it is printed or written to a report
version_added: 0.2.0
description:
  - The redaction the modules use, for text and data the roles print or write themselves (reports, messages of OpenClaw's
    own tools, diagnostics).
  - Masks, as C(<redacted>), everything under a key whose name looks secret (token, secret, password, C(*Key), credentials,
    authorization, cookie, ...) at any depth, and every credential-shaped part of any string (URL credentials, C(Bearer) and
    C(Basic) values, C(key=)/C(token=)/C(sig=) query values, known token formats, private keys, long random words).
options:
  _input:
    description: A string, or a dict or list of any depth.
    type: raw
    required: true
  lines:
    description: The input is a log of lines, JSON or text (OpenClaw's log); each JSON line is redacted as data.
    type: bool
    default: false
author:
  - clawops.openclaw contributors (@clawops)
"""

EXAMPLES = r"""
- name: Print OpenClaw's own message without the credentials it may quote
  ansible.builtin.debug:
    msg: "{{ result.stderr | clawops.openclaw.redact }}"
"""

RETURN = r"""
_value:
  description: A copy of the input with the secrets masked.
  type: raw
"""

from ansible_collections.clawops.openclaw.plugins.module_utils._common import redact_log, redact_tree


def redact(value, lines=False):
    """lines=true: the value is a log of JSON lines (each line redacted as data when it parses)."""
    return redact_log(value) if lines else redact_tree(value)


class FilterModule:
    def filters(self):
        return {"redact": redact}
