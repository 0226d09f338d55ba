# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

class ModuleDocFragment:
    """Options of every module that runs the OpenClaw CLI or reads its config (module_utils/_cli.py, CLI_ARGUMENT_SPEC)."""

    DOCUMENTATION = r"""
options:
  config_path:
    description:
      - The OpenClaw config file; every CLI call gets it as C(OPENCLAW_CONFIG_PATH).
      - Default is the file OpenClaw itself uses for the user the CLI runs as, C($OPENCLAW_CONFIG_PATH), else
        C($OPENCLAW_STATE_DIR/openclaw.json), else C(~/.openclaw/openclaw.json).
      - Run the module as the gateway's service user (C(become_user)) so that the CLI and the service agree.
    type: path
  npm_prefix:
    description:
      - The npm global prefix OpenClaw is installed under, the gateway role's C(gateway_npm_prefix); the CLI is then
        C(NPM_PREFIX/bin/openclaw) and no other.
      - Default is C(/usr/local/bin/openclaw) (the role's default prefix), else the first C(openclaw) on C(PATH),
        in C(/usr/bin) or in C(/bin).
    type: path
  openclaw_bin:
    description: The C(openclaw) CLI itself, instead of the one found through O(npm_prefix) (it wins when both are set).
    type: path
  cli_timeout:
    description:
      - Seconds allowed for each OpenClaw CLI call, writes included, from 1 to 3600. A call still running then is stopped
        (C(timeout -k 2)) and the module fails saying so.
      - Generous on purpose, a bound against a hang rather than a performance target. One CLI start of OpenClaw 2026.9.6
        costs 2 to 6 CPU seconds (C(openclaw models auth list) the most), 30 s and more on a busy one-core host.
    type: float
    default: 120
notes:
  - The CLI runs with the user's C(HOME) and C(XDG_RUNTIME_DIR), C(NO_COLOR=1), C(LC_ALL=C) and C(node) on C(PATH).
    Secrets reach it on standard input only, never on a command line; errors carry the command line, exit code and
    output with credentials masked.
attributes:
  check_mode:
    support: full
  platform:
    platforms: posix
"""
