#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_session_pins
short_description: Reset automatic auth-profile pins of OpenClaw sessions, keeping user pins
version_added: 0.1.0
description:
  - "OpenClaw pins the auth profile it picked automatically to each session to keep provider caches warm
    (so a session can keep using a rate-limited key). This module resets those automatic pins through the
    running gateway's RPC C(sessions.reset), the same as C(/reset) in a chat; pins a user chose
    (C(/model ...@profile)) survive a reset and are never touched."
  - Pins are read read-only from the per-agent SQLite store because no RPC exposes them; nothing is ever
    written to OpenClaw's databases by this module.
  - The gateway must be running when there is a pin to reset; otherwise the module fails without changing anything.
  - Run it as the gateway's service user (C(become_user)).
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - clawops.openclaw.cli
attributes:
  diff_mode:
    support: full
    details: Before and after, one line per pinned session (session key, profile, source).
options:
  agent:
    description: Only sessions of this agent id; default all agents.
    type: str
  profile_ids:
    description: Only automatic pins to these profiles; default pins to any profile.
    type: list
    elements: str
    default: []
  unusable_only:
    description: Only automatic pins to profiles OpenClaw reports in cooldown or disabled (C(openclaw models status --json)).
    type: bool
    default: false
seealso:
  - module: clawops.openclaw.openclaw_auth_profile
  - module: clawops.openclaw.openclaw_facts
"""

EXAMPLES = r"""
- name: Let every session pick a profile afresh after a key rotation
  clawops.openclaw.openclaw_session_pins:
  become: true
  become_user: openclaw

- name: Only sessions stuck on a profile that is cooling down
  clawops.openclaw.openclaw_session_pins:
    unusable_only: true
  become: true
  become_user: openclaw
"""

RETURN = r"""
reset:
  description: Automatic pins that were reset (or would be in check mode) among those matching O(profile_ids) and O(agent).
  returned: always
  type: list
  elements: dict
  sample: [{agent: main, session_key: "agent:main:telegram:direct:42", profile_id: "openai:primary", source: auto}]
  contains:
    agent:
      description: The agent whose session store holds the session.
      returned: always
      type: str
      sample: main
    session_key:
      description: The session's key.
      returned: always
      type: str
      sample: "agent:main:telegram:direct:42"
    profile_id:
      description: The auth profile the session was pinned to.
      returned: always
      type: str
      sample: openai:primary
    source:
      description: Who set the pin; always V(auto) here.
      returned: always
      type: str
      sample: auto
kept:
  description: User pins that match the filters and were left alone; same keys as RV(reset).
  returned: always
  type: list
  elements: dict
  sample: [{agent: main, session_key: "agent:main:mine", profile_id: "openai:primary", source: user}]
  contains:
    agent:
      description: The agent whose session store holds the session.
      returned: always
      type: str
    session_key:
      description: The session's key.
      returned: always
      type: str
    profile_id:
      description: The auth profile the session is pinned to.
      returned: always
      type: str
    source:
      description: OpenClaw's source of the pin, anything but V(auto) (V(user), V(user-link)).
      returned: always
      type: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import CLI_ARGUMENT_SPEC, CliError, OpenClawCli, check_cli_options
from ansible_collections.clawops.openclaw.plugins.module_utils._common import executing_user_config_path
from ansible_collections.clawops.openclaw.plugins.module_utils._inputs import AGENT_ID, PROFILE_ID, Checker
from ansible_collections.clawops.openclaw.plugins.module_utils._sessions import read_pins, unusable_profiles


def reset_args(session_key, timeout):
    """The RPC call resetting one session; the key travels as JSON so that no key can inject options.
    OpenClaw's own RPC timeout is the call's: an RPC that outlives it is reported by OpenClaw, not killed."""
    return ["gateway", "call", "sessions.reset", "--params", json.dumps({"key": session_key}),
            "--json", "--timeout", str(int(timeout * 1000))]


def pin_lines(pins):
    return "".join("%s  %s  (%s)\n" % (p["session_key"], p["profile_id"], p["source"]) for p in pins)


class SessionPins:
    def __init__(self, module):
        self.module = module
        p = module.params
        self.config_path = executing_user_config_path(p["config_path"])
        self.state_dir = os.path.dirname(self.config_path)
        self.cli = OpenClawCli.from_params(module, self.config_path)

    def pins(self):
        pins, errors = read_pins(self.state_dir, self.module.params["agent"])
        if errors:
            self.module.fail_json(msg="cannot read the session store: %s" % "; ".join(errors))
        return pins

    def matching(self, pins):
        wanted = set(self.module.params["profile_ids"])
        return [p for p in pins if not wanted or p["profile_id"] in wanted]

    def run(self):
        p = self.module.params
        before = self.pins()
        candidates = self.matching(before)
        kept = [pin for pin in candidates if pin["source"] != "auto"]
        targets = [pin for pin in candidates if pin["source"] == "auto"]
        if targets and p["unusable_only"]:
            unusable = set()
            for agent in sorted(set(pin["agent"] for pin in targets)):
                status = self.cli.json(["models", "status", "--json", "--agent", agent], key="auth")
                unusable.update("%s/%s" % (agent, u["profile_id"]) for u in unusable_profiles(status))
            targets = [pin for pin in targets if "%s/%s" % (pin["agent"], pin["profile_id"]) in unusable]

        result = dict(changed=bool(targets), reset=targets, kept=kept)
        if self.module._diff:
            after = [pin for pin in before if pin not in targets]
            result["diff"] = dict(before=pin_lines(before), after=pin_lines(after),
                                  before_header="session auth pins", after_header="session auth pins")
        if self.module.check_mode or not targets:
            return result

        for pin in targets:
            self.cli.json(reset_args(pin["session_key"], p["cli_timeout"]), "sessions.reset of %s" % pin["session_key"])
        still = [pin for pin in self.pins() if pin in targets]
        if still:
            self.module.fail_json(msg="the gateway kept the automatic pin of %s" % ", ".join(pin["session_key"] for pin in still),
                                  reset=[pin for pin in targets if pin not in still], kept=kept)
        return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            agent=dict(type="str"),
            profile_ids=dict(type="list", elements="str", default=[]),
            unusable_only=dict(type="bool", default=False),
            **CLI_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    p = module.params
    check_cli_options(module)
    check = Checker()
    if p["agent"] is not None:
        check.text("agent", p["agent"], empty=False, max_len=128, pattern=AGENT_ID, hint="an agent id (letters, digits, '.', '_', '-')")
    check.str_list("profile_ids", p["profile_ids"],
                   lambda n, i: check.text(n, i, empty=False, max_len=256, pattern=PROFILE_ID, hint="provider:name"))
    if check.errors:
        module.fail_json(msg=" ".join(check.errors))
    try:
        module.exit_json(**SessionPins(module).run())
    except CliError as exc:
        module.fail_json(**exc.fail_kwargs())


if __name__ == "__main__":
    main()
