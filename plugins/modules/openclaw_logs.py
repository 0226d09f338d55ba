#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_logs
short_description: Archive the gateway's logs of the last hours, every line redacted, for collection to the controller
version_added: 0.2.0
description:
  - Writes C(<dest>/openclaw-logs-<UTC time>.tar.gz) (0600, in a directory made 0700) with C(journal.log) (what the gateway
    printed and what its user manager said about its unit, from the journal) and OpenClaw's dated log files of the last
    O(hours) (C(/tmp/openclaw/openclaw-<date>.log), their lines of those hours). Every line is redacted as the facts
    redact (secret-named keys at any depth, credential-shaped values).
  - The log files are the service user's; they are looked for by the facts' rules (a regular file directly in a real
    C(/tmp/openclaw) of that user or root, no link) and read in a child process running as that user.
  - Archives beyond the newest O(keep) in O(dest) are removed. playbooks/collect_logs.yml fetches the archive and removes
    it from the node.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: In check mode nothing is written; RV(files) says what would be archived.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  user:
    description: The gateway's service user.
    type: str
    default: openclaw
  profile:
    description: The OpenClaw profile (its unit is C(openclaw-gateway-<profile>.service), its logs C(openclaw-<profile>-<date>.log)).
    type: str
  hours:
    description: How far back, in hours (1 to 720).
    type: int
    default: 24
  max_bytes:
    description: At most this many bytes per file (the newest end).
    type: int
    default: 20000000
  dest:
    description: Root-only directory of the archives on the node.
    type: path
    default: /var/lib/clawops-openclaw/logs
  keep:
    description: Archives kept in O(dest) (the newest).
    type: int
    default: 3
"""

EXAMPLES = r"""
- name: The last six hours of the gateway's logs
  clawops.openclaw.openclaw_logs:
    hours: 6
  register: logs
"""

RETURN = r"""
archive:
  description: The archive written, null in check mode.
  returned: always
  type: str
  sample: /var/lib/clawops-openclaw/logs/openclaw-logs-20261206T031500Z.tar.gz
files:
  description: What the archive holds (name, size in bytes after redaction).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: C(journal.log) or the log file's name.
      returned: always
      type: str
    bytes:
      description: Its size.
      returned: always
      type: int
removed:
  description: Older archives removed by the retention.
  returned: always
  type: list
  elements: str
"""

import io
import re
import tarfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Commands
from ansible_collections.clawops.openclaw.plugins.module_utils._collect_service import PROFILE_NAME, USER_NAME, collect_user, unit_name_for
from ansible_collections.clawops.openclaw.plugins.module_utils._logs import collect
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Dir, Refused, components, prune, stamp

ARCHIVE = re.compile(r"openclaw-logs-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?\.tar\.gz\Z")


def archive_bytes(files, now):
    """A gzipped tar of {name: text}, every member 0600 with the given time."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in sorted(files.items()):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o600, int(now)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def write_archive(directory, data, now):
    """`openclaw-logs-<stamp>.tar.gz` (`-N` before the suffix when taken), never over an existing name."""
    base = "openclaw-logs-" + stamp(now)
    for index in range(100):
        name = (base if index == 0 else "%s-%d" % (base, index)) + ".tar.gz"
        if directory.lstat(name) is None:
            directory.write_new(name, data, 0o600)
            return name
    raise Refused("has no free name for %s" % base)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            user=dict(type="str", default="openclaw"),
            profile=dict(type="str"),
            hours=dict(type="int", default=24),
            max_bytes=dict(type="int", default=20000000),
            dest=dict(type="path", default="/var/lib/clawops-openclaw/logs"),
            keep=dict(type="int", default=3),
        ),
        supports_check_mode=True,
    )
    p = module.params
    errors = []
    if not USER_NAME.match(p["user"]):
        errors.append("user must be a system user name")
    if p["profile"] is not None and not PROFILE_NAME.match(p["profile"]):
        errors.append("profile must be letters, digits, '_' or '-'")
    if not 1 <= p["hours"] <= 720:
        errors.append("hours must be between 1 and 720 (got %d)" % p["hours"])
    if not 1024 <= p["max_bytes"] <= 1024 ** 3:
        errors.append("max_bytes must be between 1024 and 1 GiB")
    if p["keep"] < 1:
        errors.append("keep must be at least 1 (the archive just written would be deleted)")
    try:
        components(p["dest"])
    except Refused as exc:
        errors.append("dest %r: %s" % (p["dest"], exc))
    if errors:
        module.fail_json(msg="openclaw_logs refuses these options (nothing was written): " + "; ".join(errors))
    user, dummy, dummy = collect_user(p["user"])
    if user is None:
        module.fail_json(msg="the service user %s does not exist" % p["user"])
    now = time.time()
    files = collect(Commands(module, 30), user, unit_name_for(p["profile"]), p["profile"], p["hours"], p["max_bytes"], now)
    result = dict(changed=False, archive=None, removed=[], files=[dict(name=name, bytes=len(text.encode("utf-8")))
                                                                  for name, text in sorted(files.items())])
    if not module.check_mode:
        with Dir(p["dest"], create=True) as directory:
            name = write_archive(directory, archive_bytes(files, now), now)
            result["archive"] = directory.join(name)
            result["removed"] = prune(directory, p["keep"], 0, now, False, ARCHIVE, spare=name)
        result["changed"] = True
    module.exit_json(**result)


if __name__ == "__main__":
    main()
