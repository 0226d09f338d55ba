#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_prewarm
short_description: Start a staged OpenClaw release once on its own, before it serves
version_added: 0.2.0
description:
  - Starts the gateway of the release O(openclaw_bin) belongs to the way its unit starts the serving one (the node and
    node options of O(exec_start), the release's C(dist/index.js)), as a second gateway on a scratch state directory,
    config, log and loopback port; waits until it answers C(/ready) 200, stops it (SIGTERM to its process group,
    SIGKILL 10 s later) and removes the scratch directory (C(~/.cache/openclaw/clawops-prewarm)). The gateway that
    serves keeps its process, config, state, port and log.
  - What that buys before a switch to the release. Node's module compile cache (C(NODE_COMPILE_CACHE), the gateway's
    own under the service user's home, C(~/.cache/openclaw/node-compile-cache)) then holds the modules a gateway
    start of the release compiles, so that its first start as the gateway does not compile them while the node is
    down (2026.9.5 to 2026.9.6 on a test node whose compile cache held nothing of 2026.9.6, from restart to
    C(/ready) 21 to 25 s without, 18 to 19 s with; docs/performance.md). And the release has shown that it starts on
    this node's Node.js.
  - Skipped, not failed, when less than O(min_available_mb) of memory is available (C(MemAvailable)), because a second gateway
    next to the one that serves could drive a small host into the OOM killer.
  - Does nothing in check mode; never reports a change (it fills a cache and removes what it wrote).
  - Runs as the service user (C(become_user)); refuses to run as root.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  openclaw_bin:
    description:
      - The C(openclaw) CLI of the release to start (C(/opt/openclaw/<version>/bin/openclaw)); the gateway entry point is
        C(dist/index.js) of the package it links to.
    type: path
    required: true
  exec_start:
    description:
      - The serving gateway unit's C(ExecStart) as a list (the facts' C(service.exec_start)); the start uses its node
        and the node options before its script (C(--max-old-space-size=8192)), each C(--name) or C(--name=value).
      - Empty, O(node) without options.
    type: list
    elements: str
    default: []
  node:
    description: The C(node) executable when O(exec_start) is empty.
    type: path
    default: /usr/local/bin/node
  cli_timeout:
    description: Seconds the release may take from its start to C(/ready) 200 (from 1 to 3600); then it is stopped and the module fails.
    type: float
    default: 120
  port:
    description:
      - The scratch gateway's base port; its browser control port (base + 2) must be free too. OpenClaw's derived ports
        reach base + 110, so keep it at least 120 away from the serving gateway's.
      - C(0) picks a free one from 20789 up, 120 apart.
    type: int
    default: 0
  min_available_mb:
    description: Memory (C(MemAvailable), MB) the host must have for the start; below it the module skips it and says so.
    type: int
    default: 1024
notes:
  - The start gets the environment the collection's CLI calls get (the user's C(HOME), C(node) on C(PATH), C(NODE_OPTIONS),
    the compile cache), with C(OPENCLAW_STATE_DIR) and C(OPENCLAW_CONFIG_PATH) in the scratch directory; its config has
    no channel and no credential, so it connects to nothing. OpenClaw keeps three empty lock files per state directory
    in C(/tmp/openclaw-state-locks-<uid>); the fixed scratch path keeps them to one set.
seealso:
  - module: clawops.openclaw.openclaw_release
"""

EXAMPLES = r"""
- name: Start the staged release once, while the old one serves
  become: true
  become_user: openclaw
  clawops.openclaw.openclaw_prewarm:
    openclaw_bin: /opt/openclaw/2026.9.6/bin/openclaw
    exec_start: "{{ facts.ansible_facts.openclaw.service.exec_start }}"
  register: prewarm
"""

RETURN = r"""
started:
  description: Whether the release was started (false when skipped).
  returned: always
  type: bool
skipped:
  description: Why it was not started (check mode, too little memory), null when it was.
  returned: always
  type: str
  sample: only 610 MB of memory available (min_available_mb 1024)
ready_s:
  description: Seconds from the start to C(/ready) 200, null when not started.
  returned: always
  type: float
  sample: 14.2
port:
  description: The scratch gateway's base port, null when not started.
  returned: always
  type: int
  sample: 20789
available_mb:
  description: C(MemAvailable) before the start, in MB (null when C(/proc/meminfo) does not say).
  returned: always
  type: int
  sample: 3120
cache_files_added:
  description: Files the start added to Node's compile cache (0 when it was warm already or there is none).
  returned: always
  type: int
  sample: 6249
output:
  description: The end of what the release printed, credentials masked; only when it failed.
  returned: failure
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import OpenClawCli, cli_option_errors
from ansible_collections.clawops.openclaw.plugins.module_utils._common import read_text
from ansible_collections.clawops.openclaw.plugins.module_utils._prewarm import (
    DERIVED_PORT_SPAN, Prewarm, PrewarmError, available_mb, choose_port, gateway_entry, node_command, port_free,
)

ARGUMENT_SPEC = dict(
    openclaw_bin=dict(type="path", required=True),
    exec_start=dict(type="list", elements="str", default=[]),
    node=dict(type="path", default="/usr/local/bin/node"),
    cli_timeout=dict(type="float", default=120.0),
    port=dict(type="int", default=0),
    min_available_mb=dict(type="int", default=1024),
)


def input_errors(params, euid):
    errors = []
    if euid == 0:
        errors.append("runs as the service user (become_user), not as root: the start and the cache are that user's")
    errors += cli_option_errors(dict(openclaw_bin=params["openclaw_bin"], cli_timeout=params["cli_timeout"]))
    if not (0 <= params["port"] <= 65535 - DERIVED_PORT_SPAN):
        errors.append("port must be 0 (pick one) or a port up to %d, got %d" % (65535 - DERIVED_PORT_SPAN, params["port"]))
    if params["min_available_mb"] < 0:
        errors.append("min_available_mb must be 0 or more, got %d" % params["min_available_mb"])
    return errors


def run(module, meminfo=None):
    params = module.params
    result = dict(changed=False, started=False, skipped=None, ready_s=None, port=None, available_mb=None, cache_files_added=0)
    errors = input_errors(params, os.geteuid())
    if errors:
        module.fail_json(msg="; ".join(errors), **result)
    binary = params["openclaw_bin"]
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        module.fail_json(msg="no OpenClaw CLI at %s" % binary, **result)
    if not os.path.isfile(gateway_entry(binary)):
        module.fail_json(msg="no gateway entry point %s in the release of %s" % (gateway_entry(binary), binary), **result)
    try:
        node, node_flags = node_command(params["exec_start"], params["node"])
    except ValueError as exc:
        module.fail_json(msg=str(exc), **result)
    result["available_mb"] = available_mb((read_text("/proc/meminfo") or "") if meminfo is None else meminfo)
    if module.check_mode:
        result["skipped"] = "check mode"
        module.exit_json(**result)
    if result["available_mb"] is not None and result["available_mb"] < params["min_available_mb"]:
        result["skipped"] = "only %s MB of memory available (min_available_mb %s)" % (result["available_mb"], params["min_available_mb"])
        module.exit_json(**result)
    if params["port"]:
        port = params["port"] if port_free(params["port"]) and port_free(params["port"] + 2) else None
    else:
        port = choose_port()
    if port is None:
        module.fail_json(msg="no free loopback port for the scratch gateway (a base port and base + 2 must be free: %s)" % (
            params["port"] or "none from 20789 up"), **result)
    cli = OpenClawCli(module, binary, timeout=params["cli_timeout"])
    dummy, home = cli.identity()
    prewarm = Prewarm(binary, cli.environment(), home, params["cli_timeout"], node, node_flags)
    result["port"] = port
    try:
        result["ready_s"], result["cache_files_added"] = prewarm.run(port)
    except PrewarmError as exc:
        module.fail_json(msg=exc.msg, output=exc.output, **result)
    result["started"] = True
    module.exit_json(**result)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
