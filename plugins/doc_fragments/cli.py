# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the modules that work through the OpenClaw CLI as the executing user (CLI_ARGUMENT_SPEC)."""

    DOCUMENTATION = r"""
options:
  config_path:
    description:
      - Config file; default C(~/.openclaw/openclaw.json) of the executing user (or C($OPENCLAW_CONFIG_PATH)).
      - Run the module as the gateway's service user (C(become_user)) so that the CLI and the service agree.
    type: path
  openclaw_bin:
    description: The C(openclaw) CLI; default is the one on C(PATH), C(/usr/local/bin) or C(/usr/bin).
    type: path
attributes:
  check_mode:
    support: full
  platform:
    platforms: posix
"""
