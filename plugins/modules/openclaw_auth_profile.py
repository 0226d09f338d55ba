#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_auth_profile
short_description: Store and register an OpenClaw auth profile (API key or token)
version_added: 0.1.0
description:
  - "Makes an auth profile C(provider:name) stored in OpenClaw's credential store AND registered under
    C(auth.profiles) in the config, so that it takes part in failover and rotation (a key that is
    stored but not registered never joins rotation)."
  - Drives OpenClaw's own contracts; it never edits OpenClaw's databases. Secrets go to
    C(openclaw models auth paste-api-key|paste-token) on standard input, never on a command line.
  - Secrets cannot be read back. O(update_secret=on_create) writes the secret only when the profile is not stored yet;
    O(update_secret=always) writes it when it differs from the one this module last wrote, which it knows from a
    salted SHA-256 fingerprint kept in C(~/.openclaw/.clawops-auth-fingerprints.json) (mode 0600).
  - Run it as the gateway's service user (C(become_user)).
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - clawops.openclaw.cli
attributes:
  diff_mode:
    support: full
    details: The diff shows whether the profile is stored and registered, and whether its secret would be written, never the secret.
options:
  profile_id:
    description: Profile id C(provider:name), for example C(openai:backup).
    type: str
    required: true
  mode:
    description: Credential kind.
    type: str
    choices: [api_key, token]
    default: api_key
  secret:
    description: The API key or token. Required to create a profile and with O(update_secret=always).
    type: str
  update_secret:
    description:
      - V(on_create) writes the secret only when the profile is not stored yet (the convention of M(ansible.builtin.user)).
      - V(always) writes it whenever it differs from the one this module last wrote.
    type: str
    choices: [on_create, always]
    default: on_create
  state:
    description: V(absent) logs the profile out (C(openclaw models auth logout)), which also scrubs C(auth.profiles) and C(auth.order).
    type: str
    choices: [present, absent]
    default: present
  agent:
    description: Agent id whose credentials to manage; default is OpenClaw's default agent.
    type: str
  stored_profile_ids:
    description:
      - The profile ids OpenClaw stores for the default agent, as M(clawops.openclaw.openclaw_facts) read them earlier in
        the play (C(ansible_facts.openclaw.auth.stored), gathered with its C(gather_auth) option).
      - Given, the module trusts them instead of starting the CLI to list the stored profiles (C(openclaw models auth list)
        costs about 10 CPU seconds per call). Ignored with O(agent).
    type: list
    elements: str
seealso:
  - module: clawops.openclaw.openclaw_config
  - module: clawops.openclaw.openclaw_facts
"""

EXAMPLES = r"""
- name: Primary and backup OpenAI keys, both in rotation
  clawops.openclaw.openclaw_auth_profile:
    profile_id: "{{ item.id }}"
    secret: "{{ item.key }}"
  loop:
    - {id: "openai:primary", key: "{{ vault_openai_primary }}"}
    - {id: "openai:backup", key: "{{ vault_openai_backup }}"}
  loop_control:
    label: "{{ item.id }}"
  no_log: true
  become: true
  become_user: openclaw

- name: Replace an expired key
  clawops.openclaw.openclaw_auth_profile:
    profile_id: google:manual
    secret: "{{ vault_google_key }}"
    update_secret: always
  become: true
  become_user: openclaw
"""

RETURN = r"""
profile_id:
  description: The profile managed.
  returned: always
  type: str
  sample: openai:primary
actions:
  description: What was done (or would be in check mode), in order; empty when nothing changes.
  returned: always
  type: list
  elements: str
  choices: [store_secret, register, logout, unregister]
  sample: [store_secret, register]
stored:
  description: Whether the profile is in OpenClaw's credential store after the run (or would be in check mode).
  returned: always
  type: bool
  sample: true
registered:
  description: Whether C(auth.profiles[profile_id]) is in the config after the run (or would be in check mode).
  returned: always
  type: bool
  sample: true
"""

import hashlib
import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import (
    CLI_ARGUMENT_SPEC, CliError, ConfigReadError, OpenClawCli, check_cli_options, read_config,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._common import executing_user_config_path
from ansible_collections.clawops.openclaw.plugins.module_utils._inputs import AGENT_ID, PROFILE_ID, Checker
FINGERPRINTS = ".clawops-auth-fingerprints.json"


def paste_args(mode, provider, profile_id, agent=None):
    """The CLI call that stores a secret. The secret itself is NOT in it: it goes on stdin."""
    command = "paste-api-key" if mode == "api_key" else "paste-token"
    argv = ["models", "auth", command, "--provider", provider, "--profile-id", profile_id]
    if agent:
        argv += ["--agent", agent]
    return argv


def fingerprint(salt, secret):
    return hashlib.sha256((salt + "\0" + secret).encode("utf-8")).hexdigest()


class AuthProfile:
    def __init__(self, module):
        self.module = module
        p = module.params
        self.profile_id = p["profile_id"]
        self.provider = self.profile_id.split(":", 1)[0]
        self.config_path = executing_user_config_path(p["config_path"])
        self.state_dir = os.path.dirname(self.config_path)
        self.cli = OpenClawCli.from_params(module, self.config_path)

    def stored_ids(self):
        known = self.module.params["stored_profile_ids"]
        if known is not None and not self.module.params["agent"]:
            return set(known)
        args = ["models", "auth", "list", "--json", "--provider", self.provider]
        if self.module.params["agent"]:
            args += ["--agent", self.module.params["agent"]]
        listing = self.cli.json(args)
        return set(p.get("id") for p in listing.get("profiles", []) if isinstance(p, dict))

    def registered(self):
        try:
            data, dummy = read_config(self.config_path)
        except ConfigReadError as exc:
            self.module.fail_json(msg=to_native(exc))
        profiles = ((data.get("auth") or {}).get("profiles") or {}) if isinstance(data.get("auth"), dict) else {}
        return profiles.get(self.profile_id) if isinstance(profiles, dict) else None

    # --- fingerprints of secrets this module wrote (salted; 0600; never the secret) ---------
    def _fp_path(self):
        return os.path.join(self.state_dir, FINGERPRINTS)

    def load_fingerprints(self):
        try:
            with open(self._fp_path()) as handle:
                data = json.load(handle)
            if isinstance(data, dict) and isinstance(data.get("salt"), str):
                return data
        except (OSError, ValueError):
            pass
        return {"salt": hashlib.sha256(os.urandom(32)).hexdigest(), "profiles": {}}

    def save_fingerprints(self, data):
        path = self._fp_path()
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, sort_keys=True)
        self.module.atomic_move(tmp, path)
        os.chmod(path, 0o600)

    def run(self):
        p = self.module.params
        stored = self.profile_id in self.stored_ids()
        registration = self.registered()
        want_registration = {"provider": self.provider, "mode": p["mode"]}
        actions = []
        fps = self.load_fingerprints()

        if p["state"] == "present":
            if not stored or (p["update_secret"] == "always"
                              and fps["profiles"].get(self.profile_id) != fingerprint(fps["salt"], p["secret"])):
                actions.append("store_secret")
            if registration != want_registration:
                actions.append("register")
        else:
            if stored:
                actions.append("logout")
            if registration is not None:
                actions.append("unregister")

        present = p["state"] == "present"
        result = dict(changed=bool(actions), profile_id=self.profile_id, actions=actions, stored=present, registered=present)
        if self.module._diff:
            result["diff"] = dict(
                before=json.dumps({"stored": stored, "registered": registration}, indent=2, sort_keys=True) + "\n",
                after=json.dumps({"stored": present, "registered": want_registration if present else None,
                                  "secret": "<written>" if "store_secret" in actions else "<unchanged>"}, indent=2, sort_keys=True) + "\n",
                before_header=self.profile_id, after_header=self.profile_id)
        if self.module.check_mode or not actions:
            return result

        if "store_secret" in actions:
            self.cli.run(paste_args(p["mode"], self.provider, self.profile_id, p["agent"]), stdin=p["secret"] + "\n")
            fps["profiles"][self.profile_id] = fingerprint(fps["salt"], p["secret"])
            self.save_fingerprints(fps)
        # paste-* registers the profile itself; register explicitly when only that is missing.
        if present and self.registered() != want_registration:
            self.cli.patch_config({"auth": {"profiles": {self.profile_id: want_registration}}})
        if "logout" in actions:
            args = ["models", "auth", "logout", self.profile_id, "--yes"]
            if p["agent"]:
                args += ["--agent", p["agent"]]
            self.cli.run(args)
        if p["state"] == "absent":
            if self.registered() is not None:
                self.cli.patch_config({"auth": {"profiles": {self.profile_id: None}}})
            if self.profile_id in fps["profiles"]:
                del fps["profiles"][self.profile_id]
                self.save_fingerprints(fps)
        return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            profile_id=dict(type="str", required=True),
            mode=dict(type="str", choices=["api_key", "token"], default="api_key"),
            secret=dict(type="str", no_log=True),
            update_secret=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            agent=dict(type="str"),
            stored_profile_ids=dict(type="list", elements="str"),
            **CLI_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    p = module.params
    check_cli_options(module)
    # Full matches: a trailing newline or an option-like agent (`--yes`) would reach the CLI's argv.
    check = Checker()
    check.text("profile_id", p["profile_id"], empty=False, max_len=256, pattern=PROFILE_ID,
               hint="of the form provider:name (lowercase provider, e.g. openai:backup)")
    if p["agent"] is not None:
        check.text("agent", p["agent"], empty=False, max_len=128, pattern=AGENT_ID, hint="an agent id (letters, digits, '.', '_', '-')")
    if p["state"] == "present" and p["secret"] is not None:
        check.secret("secret", p["secret"], min_len=1, empty=False)
    for index, known in enumerate(p["stored_profile_ids"] or []):
        check.text("stored_profile_ids[%d]" % index, known, empty=False, max_len=256, pattern=PROFILE_ID, hint="of the form provider:name")
    if check.errors:
        module.fail_json(msg=" ".join(check.errors))
    profile = AuthProfile(module)
    try:
        if p["state"] == "present" and p["secret"] is None:
            stored = p["profile_id"] in profile.stored_ids()
            if not stored or p["update_secret"] == "always":
                module.fail_json(msg="secret is required to %s profile %s" % ("create" if not stored else "update (update_secret=always)", p["profile_id"]))
        module.exit_json(**profile.run())
    except CliError as exc:
        module.fail_json(**exc.fail_kwargs())


if __name__ == "__main__":
    main()
