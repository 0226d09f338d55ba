#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_config
short_description: Merge settings into an OpenClaw gateway configuration
version_added: 0.1.0
description:
  - Reads the active OpenClaw config (JSON5), computes a deep diff against the desired O(settings),
    O(secret_settings) and O(remove), and writes only when something differs.
  - "Writes go through OpenClaw's own validated write path, C(openclaw config patch --stdin): the
    installed OpenClaw validates the result against its schema before anything lands, writes
    atomically with mode 0600 and rotates C(openclaw.json.bak). A patch that does not validate
    leaves the file untouched and the module fails with OpenClaw's message."
  - The patch document travels on standard input, so secrets never reach a command line.
  - An existing config that cannot be parsed is never touched; the module fails with the path and
    the parse error.
  - Run it as the user that owns the config (the gateway's service user), for example with
    C(become_user).
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - clawops.openclaw.cli
attributes:
  diff_mode:
    support: full
    details:
      - Secret values are shown as C(<redacted>) in diffs and results, in the file's current content too. These are the values of
        O(secret_settings), values under secret-looking keys at any depth (token, secret, password, C(*Key), credentials,
        authorization, cookie, ...), and credential-shaped parts of any string (URL credentials, C(Bearer) values,
        C(key=)/C(token=) query values, known token formats).
options:
  config_path:
    description:
      - Config file to manage; the CLI gets it as C(OPENCLAW_CONFIG_PATH).
      - Default is what OpenClaw itself would use for the executing user, C($OPENCLAW_CONFIG_PATH), else
        C($OPENCLAW_STATE_DIR/openclaw.json), else C(~/.openclaw/openclaw.json) (C(~/.openclaw-PROFILE/) with O(profile)).
      - Run the module as the user that owns the config (C(become_user)).
    type: path
    aliases: [path]
  profile:
    description: OpenClaw profile (C(--profile)); selects C(~/.openclaw-PROFILE/openclaw.json) when O(config_path) is not set.
    type: str
  settings:
    description:
      - Nested dict of desired values. Objects merge recursively into the config; lists and scalars replace.
      - Keys not mentioned are left as they are.
      - Not logged on the node; in results and with C(-vvv), values that look secret (by key name or shape) are masked.
        Put credentials in O(secret_settings) all the same.
    type: dict
    default: {}
  secret_settings:
    description:
      - Like O(settings), for values that must never be shown (tokens, passwords, API keys).
      - They are merged after O(settings) and redacted in diffs, results and logs.
    type: dict
    default: {}
  remove:
    description: Dot paths to delete from the config, for example C(gateway.customBindHost).
    type: list
    elements: str
    default: []
notes:
  - "Why the CLI and not a direct atomic write: OpenClaw's schema is large and version-specific
    (C(additionalProperties: false) almost everywhere); the installed release is the only
    authority on what it will accept, and its writer keeps its own bookkeeping (C(meta), backups)
    consistent. The diff is computed here, so an unchanged config costs no CLI call at all."
  - JSON5 comments in a hand-edited file are dropped when OpenClaw rewrites it as plain JSON.
seealso:
  - module: clawops.openclaw.openclaw_facts
"""

EXAMPLES = r"""
- name: Gateway listens on loopback with token auth
  clawops.openclaw.openclaw_config:
    settings:
      gateway:
        mode: local
        port: 18789
        bind: loopback
        auth:
          mode: token
    secret_settings:
      gateway:
        auth:
          token: "{{ vault_gateway_token }}"
  become: true
  become_user: openclaw

- name: Drop a custom bind host
  clawops.openclaw.openclaw_config:
    remove:
      - gateway.customBindHost
  become: true
  become_user: openclaw
"""

RETURN = r"""
path:
  description: The config file managed.
  returned: always
  type: str
  sample: /home/openclaw/.openclaw/openclaw.json
changes:
  description: What changed (or would change in check mode), one entry per dot path; empty when nothing changes.
  returned: always
  type: list
  elements: dict
  sample: [{"path": "gateway.port", "action": "set"}, {"path": "gateway.customBindHost", "action": "remove"}]
  contains:
    path:
      description: The dot path of the setting, as in O(settings) or O(remove).
      returned: always
      type: str
      sample: gateway.port
    action:
      description: V(set) for a value added or changed, V(remove) for a key deleted.
      returned: always
      type: str
      choices: [set, remove]
      sample: set
backup_file:
  description: The backup OpenClaw rotated before writing.
  returned: changed and not check mode, when OpenClaw left a backup
  type: str
  sample: /home/openclaw/.openclaw/openclaw.json.bak
created:
  description: Whether the config file did not exist before (and was, or would be, created).
  returned: always
  type: bool
  sample: false
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import (
    CLI_ARGUMENT_SPEC, CliError, ConfigReadError, OpenClawCli, check_cli_options, read_config,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    config_changes, executing_user_config_path, deep_merge, flatten, leaf_strings, redact_tree, remove_path, secret_leaves,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._inputs import CONFIG_PROFILE, Checker


def load_config(module, path):
    """(data, existed). Fails, touching nothing, when the file cannot be read or parsed."""
    try:
        return read_config(path)
    except ConfigReadError as exc:
        module.fail_json(msg=to_native(exc), path=path, parse_error=to_native(exc))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            profile=dict(type="str"),
            # no_log: the module logs its arguments to the node's journal at start, and settings may hold channel
            # tokens (-vvv printed them). The result is then masked by what looks secret, not by every value.
            settings=dict(type="dict", default={}, no_log=True),
            secret_settings=dict(type="dict", default={}, no_log=True),
            remove=dict(type="list", elements="str", default=[]),
            **dict(CLI_ARGUMENT_SPEC, config_path=dict(type="path", aliases=["path"]))
        ),
        supports_check_mode=True,
    )
    params = module.params
    check_cli_options(module)
    # A profile names a directory (~/.openclaw-PROFILE): `../x` would leave the state directory.
    check = Checker()
    if params["profile"] is not None:
        check.text("profile", params["profile"], empty=False, pattern=CONFIG_PROFILE, hint="letters, digits, '_' and '-'")
    check.mapping_keys("settings", params["settings"])
    check.str_list("remove", params["remove"], lambda n, i: check.text(n, i, empty=False, max_len=1024))
    if check.errors:
        module.fail_json(msg=" ".join(check.errors))
    path = executing_user_config_path(params["config_path"], params["profile"])
    desired = deep_merge(params["settings"], params["secret_settings"])
    secret_paths = set(flatten(params["secret_settings"]))
    # Ansible masks every leaf of a no_log option wherever it appears in the result: a port or `local` in
    # settings would turn the diff and the change list into asterisks. Keep masking the settings' secret-looking
    # values (by key name and value shape, as the diff does) and every value of secret_settings.
    module.no_log_values.difference_update(leaf_strings(params["settings"]) - leaf_strings(params["secret_settings"]))
    module.no_log_values.update(secret_leaves(params["settings"]))

    current, existed = load_config(module, path)
    try:
        changes, patch = config_changes(current, desired, params["remove"])
    except ValueError as exc:
        module.fail_json(msg=to_native(exc))

    result = dict(changed=bool(changes), path=path, changes=changes, created=bool(changes) and not existed)
    if changes and module._diff:
        after = deep_merge(current, desired)
        for item in params["remove"]:
            remove_path(after, item)
        result["diff"] = dict(
            before_header=path, after_header=path,
            before=json.dumps(redact_tree(current, secret_paths), indent=2, sort_keys=True) + "\n" if existed else "",
            after=json.dumps(redact_tree(after, secret_paths), indent=2, sort_keys=True) + "\n",
        )
    if changes and not module.check_mode:
        try:
            OpenClawCli.from_params(module, path).patch_config(patch)
        except CliError as exc:
            # OpenClaw names the offending paths in its message but never echoes values.
            module.fail_json(path=path, **exc.fail_kwargs("OpenClaw refused the config change, %s is unchanged: %s" % (path, exc.detail)))
        if os.path.exists(path + ".bak"):
            result["backup_file"] = path + ".bak"
    module.exit_json(**result)


if __name__ == "__main__":
    main()
