#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_release
short_description: Install OpenClaw releases side by side and choose the active one
version_added: 0.2.0
description:
  - Each OpenClaw version lives in its own npm prefix, O(releases_dir)/C(<version>), installed into a staging directory
    and renamed into place once C(openclaw --version) answers, so that a half-written release never exists and
    installing one never touches the files of another (a running gateway keeps its code until it restarts).
  - The active release is the link O(releases_dir)/C(current); O(releases_dir)/C(previous) names the one active before
    the last switch, so that a rollback is a switch back, without npm. O(cli_link) (the C(openclaw) on C(PATH)) and the
    gateway unit's entry point go through C(current); switching does not restart anything (the caller does, and the
    facts report C(restart_pending) until then).
  - A global npm install of C(openclaw) under O(cli_link)'s prefix (how the gateway role installed OpenClaw before) is
    left in place for the gateway that may still run from it; RV(global_package) names it, for removal after the restart.
  - Inactive releases beyond the newest O(keep) (by activation) are removed; C(previous) is always kept.
  - Runs as root. O(releases_dir) must be root's and writable by nobody else; nothing under it is the service user's.
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  version:
    description: The OpenClaw version (C(2026.9.6)); a whole version string, nothing else.
    type: str
    required: true
  state:
    description:
      - C(present) installs the release when it is missing and leaves the active one as it is (pre-staging).
      - C(active) also makes it the active one (C(current)), the one active before becoming C(previous).
    type: str
    choices: [present, active]
    default: active
  releases_dir:
    description: Root-owned directory of the releases.
    type: path
    default: /opt/openclaw
  cli_link:
    description:
      - The C(openclaw) command to point at C(current) (with O(state=active)); an npm link there is replaced, a regular
        file is refused.
      - Omit to leave the command alone.
    type: path
  keep:
    description: Inactive releases kept besides the active one (the newest activated first); C(previous) always stays.
    type: int
    default: 2
  node:
    description: The C(node) executable; the C(npm) next to it installs, and it runs the C(--version) check.
    type: path
    default: /usr/local/bin/node
  registry:
    description: npm registry URL; empty for npm's default.
    type: str
    default: ""
  allow_scripts:
    description: Packages whose install scripts npm may run.
    type: list
    elements: str
    default: []
  ca_bundle:
    description: PEM bundle for C(NODE_EXTRA_CA_CERTS) (TLS-intercepting proxies).
    type: path
  install_timeout:
    description: Seconds allowed for C(npm install) (stopped with SIGTERM, SIGKILL two seconds later).
    type: int
    default: 900
  fetch_timeout:
    description:
      - Seconds one registry request may take, its download included (npm's C(fetch-timeout)); a request that
        stalls is retried up to four times. npm's own default, 300, lets one stalled connection use up
        O(install_timeout). Raise it on a link too slow to download the largest dependency in time.
    type: int
    default: 120
seealso:
  - module: clawops.openclaw.openclaw_facts
"""

EXAMPLES = r"""
- name: Pre-stage the next release while the gateway serves
  clawops.openclaw.openclaw_release:
    version: "2026.9.6"
    state: present

- name: Activate it (the gateway runs it after its next restart)
  clawops.openclaw.openclaw_release:
    version: "2026.9.6"
    cli_link: /usr/local/bin/openclaw
  register: release
  notify: restart the gateway
"""

RETURN = r"""
version:
  description: The release this call was about.
  returned: always
  type: str
  sample: "2026.9.6"
installed:
  description: Whether the release had to be installed (npm ran, or would in check mode).
  returned: always
  type: bool
switched:
  description: Whether the active release changed (or would, in check mode).
  returned: always
  type: bool
active:
  description: The active release after the call.
  returned: always
  type: str
  sample: "2026.9.6"
previous:
  description: The release C(previous) names after the call (what a rollback activates), null when none.
  returned: always
  type: str
  sample: "2026.9.5"
releases:
  description: The complete releases in O(releases_dir) after the call, oldest version first.
  returned: always
  type: list
  elements: str
  sample: ["2026.9.5", "2026.9.6"]
pruned:
  description: Releases removed by the retention (O(keep)).
  returned: always
  type: list
  elements: str
  sample: ["2026.9.1"]
global_package:
  description:
    - A global npm install of C(openclaw) under O(cli_link)'s prefix, from before side-by-side releases; null when none.
    - Remove it once the gateway was restarted onto the release.
  returned: always
  type: str
  sample: /usr/local/lib/node_modules/openclaw
"""

import fcntl
import os
import shutil
import stat
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.clawops.openclaw.plugins.module_utils._releases import (
    CLI, CURRENT, ENTRYPOINT, PACKAGE, PREVIOUS, is_version, read_layout, release_complete, version_key,
)

STAGE_PREFIX = ".stage-"
LOCK = ".lock"
FETCH_RETRIES = 4  # npm's default is 2; a retried request waits 10 s, then up to 60 s (fetch-retry-*timeout)
NPM_HOME = "/root"
NPM_LOGS = NPM_HOME + "/.npm/_logs"  # where npm writes its debug logs


class Releases:
    """One call: validate, lock the directory, install, switch, prune. Every change is a rename, so an interrupted
    call leaves either the old state or the new one (a leftover staging directory is removed by the next call)."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.dir = self.params["releases_dir"]
        self.version = self.params["version"]
        self.result = dict(changed=False, version=self.version, installed=False, switched=False, pruned=[], global_package=None)

    # --- checks ------------------------------------------------------------------------------------
    def ensure_root_dir(self):
        """The releases directory: created 0755 when missing; refused unless a real directory of root that nobody else
        may write (the service user must not choose the code root activates)."""
        try:
            info = os.lstat(self.dir)
        except FileNotFoundError:
            if self.module.check_mode:
                return False
            os.makedirs(self.dir, 0o755)
            info = os.lstat(self.dir)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
            self.module.fail_json(msg="%s must be a directory of root that only root may write (not a link): nothing was changed" % self.dir)
        return True

    def cli_link_state(self):
        """(whether cli_link must change, the global npm package next to it or None). Refuses a regular file."""
        link = self.params["cli_link"]
        if not link:
            return False, None
        want = os.path.join(self.dir, CURRENT, CLI)
        prefix = os.path.dirname(os.path.dirname(link))
        package = os.path.join(prefix, PACKAGE)
        global_package = package if os.path.isdir(package) and not os.path.islink(package) else None
        try:
            info = os.lstat(link)
        except FileNotFoundError:
            return True, global_package
        if not stat.S_ISLNK(info.st_mode):
            self.module.fail_json(msg="%s is not a link (a copy of openclaw?): move it away, then rerun; nothing was changed" % link)
        return os.readlink(link) != want, global_package

    # --- changes -----------------------------------------------------------------------------------
    def install(self):
        """npm install into a staging directory, check the CLI answers with the version, rename into place."""
        p = self.params
        node_dir = os.path.dirname(p["node"])
        npm = os.path.join(node_dir, "npm")
        stage = tempfile.mkdtemp(prefix=STAGE_PREFIX + self.version + "-", dir=self.dir)
        try:
            os.chmod(stage, 0o755)
            argv = ["timeout", "-k", "2", str(p["install_timeout"]), npm, "install", "--global", "--prefix", stage,
                    "--no-fund", "--no-audit", "--loglevel=error", "--fetch-timeout=%d" % (p["fetch_timeout"] * 1000),
                    "--fetch-retries=%d" % FETCH_RETRIES, "openclaw@" + self.version]
            if p["registry"]:
                argv += ["--registry", p["registry"]]
            if p["allow_scripts"]:
                argv += ["--allow-scripts=" + ",".join(p["allow_scripts"])]
            env = dict(PATH="%s:/usr/local/bin:/usr/bin:/bin" % node_dir, HOME=NPM_HOME, LC_ALL="C", NO_COLOR="1")
            if p["ca_bundle"]:
                env["NODE_EXTRA_CA_CERTS"] = p["ca_bundle"]
            started = time.time()
            rc, out, err = self.module.run_command(argv, environ_update=env, cwd=self.dir)
            if rc != 0:
                # timeout(1) exits 124; when npm ignores SIGTERM its SIGKILL to the process group ends timeout too (-9).
                timed_out = ", timed out after %d s" % p["install_timeout"] if rc in (124, -9, 137) else ""
                log = npm_log_since(started)
                self.fail_in(stage, "npm could not install openclaw@%s (rc=%d%s)%s%s" % (
                    self.version, rc, timed_out, ": " + (err or out).strip()[-800:] if (err or out).strip() else "",
                    "; npm's log: " + log if log else ""))
            rc, out, err = self.module.run_command([p["node"], os.path.join(stage, PACKAGE, "openclaw.mjs"), "--version"],
                                                   environ_update=env, cwd=self.dir)
            if rc != 0 or self.version not in out:
                self.fail_in(stage, "the installed openclaw@%s does not answer --version (rc=%d): %s" % (
                    self.version, rc, (err or out).strip()[-400:]))
            if not os.path.isfile(os.path.join(stage, ENTRYPOINT)):
                self.fail_in(stage, "openclaw@%s has no %s" % (self.version, ENTRYPOINT))
            target = os.path.join(self.dir, self.version)
            if os.path.lexists(target):  # an incomplete release: never the active one (checked before)
                shutil.rmtree(target) if os.path.isdir(target) and not os.path.islink(target) else os.unlink(target)
            os.rename(stage, target)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise

    def fail_in(self, stage, msg):
        shutil.rmtree(stage, ignore_errors=True)
        self.module.fail_json(msg=msg + "; nothing else was changed", **self.result)

    def point(self, name, target):
        """Replace link DIR/NAME by one to TARGET atomically (a new link, renamed over the old one)."""
        tmp = os.path.join(self.dir, ".%s.%d" % (name, os.getpid()))
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(target, tmp)
        os.rename(tmp, os.path.join(self.dir, name))

    def switch(self, active):
        if active and active != self.version:
            self.point(PREVIOUS, active)
        self.point(CURRENT, self.version)
        now = time.time()
        os.utime(os.path.join(self.dir, self.version), (now, now))  # activation order, for the retention

    def link_cli(self):
        link = self.params["cli_link"]
        tmp = os.path.join(os.path.dirname(link), ".openclaw.%d" % os.getpid())
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.makedirs(os.path.dirname(link), 0o755, exist_ok=True)
        os.symlink(os.path.join(self.dir, CURRENT, CLI), tmp)
        os.rename(tmp, link)

    def to_prune(self, active, previous, releases):
        inactive = [v for v in releases if v not in (active, previous)]
        inactive.sort(key=lambda v: os.lstat(os.path.join(self.dir, v)).st_mtime, reverse=True)
        room = max(self.params["keep"] - (1 if previous else 0), 0)
        return sorted(inactive[room:])

    def stale_stages(self):
        try:
            return [name for name in os.listdir(self.dir) if name.startswith(STAGE_PREFIX)]
        except OSError:
            return []

    # --- the call ------------------------------------------------------------------------------------
    def run(self):
        exists = self.ensure_root_dir()
        if not exists:  # check mode on a node without the directory: everything would be done
            before = dict(active=None, previous=None, releases=[])
            return self.report(before, installed=True, switched=self.params["state"] == "active", pruned=[], cli_change=True, global_package=None)
        with open(os.path.join(self.dir, LOCK), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one writer: two plays on one node, or a play and a person
            before = read_layout(self.dir)
            active, previous = before["active"], before["previous"]
            install = not release_complete(self.dir, self.version)
            if install and active == self.version:
                self.module.fail_json(msg="the active release %s is incomplete: install it again under another name first" % self.version)
            activate = self.params["state"] == "active"
            switched = activate and active != self.version
            cli_change, global_package = self.cli_link_state() if activate else (False, None)
            after_active, after_previous = (self.version, active if switched and active else previous) if activate else (active, previous)
            pruned = self.to_prune(after_active, after_previous, [v for v in before["releases"] if v != self.version])
            if not self.module.check_mode:
                for name in self.stale_stages():
                    shutil.rmtree(os.path.join(self.dir, name), ignore_errors=True)
                if install:
                    self.install()
                if switched:
                    self.switch(active)
                if cli_change:
                    self.link_cli()
                for version in pruned:
                    shutil.rmtree(os.path.join(self.dir, version))
            return self.report(before, install, switched, pruned, cli_change, global_package)

    def report(self, before, installed, switched, pruned, cli_change, global_package):
        after = read_layout(self.dir) if not self.module.check_mode else None
        if after is None:
            active = self.version if switched else before["active"]
            previous = before["active"] if switched and before["active"] else before["previous"]
            releases = sorted(set(before["releases"]) - set(pruned) | {self.version}, key=version_key)
            after = dict(active=active, previous=previous, releases=releases)
        self.result.update(changed=bool(installed or switched or pruned or cli_change), installed=installed, switched=switched,
                           pruned=pruned, active=after["active"], previous=after["previous"], releases=after["releases"],
                           global_package=global_package)
        if self.module._diff:
            keys = ("active", "previous", "releases")
            self.result["diff"] = dict(before="".join("%s: %s\n" % (k, before[k]) for k in keys),
                                       after="".join("%s: %s\n" % (k, after[k]) for k in keys),
                                       before_header=self.dir, after_header=self.dir)
        return self.result


def npm_log_since(started):
    """The path of the debug log npm wrote during this install (the newest one written since `started`), or None."""
    logs_dir = NPM_LOGS
    try:
        names = os.listdir(logs_dir)
    except OSError:
        return None
    found = []
    for name in names:
        path = os.path.join(logs_dir, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and name.endswith(".log") and info.st_mtime >= started - 1:
            found.append((info.st_mtime, path))
    return max(found)[1] if found else None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            version=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "active"], default="active"),
            releases_dir=dict(type="path", default="/opt/openclaw"),
            cli_link=dict(type="path"),
            keep=dict(type="int", default=2),
            node=dict(type="path", default="/usr/local/bin/node"),
            registry=dict(type="str", default=""),
            allow_scripts=dict(type="list", elements="str", default=[]),
            ca_bundle=dict(type="path"),
            install_timeout=dict(type="int", default=900),
            fetch_timeout=dict(type="int", default=120),
        ),
        supports_check_mode=True,
    )
    errors = option_errors(module.params)
    if errors:
        module.fail_json(msg="openclaw_release refuses these options (nothing was changed): " + "; ".join(errors))
    module.exit_json(**Releases(module).run())


def option_errors(params):
    errors = []
    if not is_version(params["version"]):
        errors.append("version must be a whole version such as 2026.9.6")
    for name in ("releases_dir", "cli_link", "node", "ca_bundle"):
        value = params[name]
        if value is not None and (not value.startswith("/") or os.path.normpath(value) != value or any(ord(c) < 32 for c in value)):
            errors.append("%s must be an absolute, normalised path without control characters" % name)
    if params["releases_dir"] in ("/", "/usr", "/usr/local", "/opt"):
        errors.append("releases_dir must be a directory of its own, not %s" % params["releases_dir"])
    if not 0 <= params["keep"] <= 100:
        errors.append("keep must be between 0 and 100")
    if not 10 <= params["install_timeout"] <= 7200:
        errors.append("install_timeout must be between 10 and 7200 seconds")
    if not 10 <= params["fetch_timeout"] <= 3600:
        errors.append("fetch_timeout must be between 10 and 3600 seconds")
    if any(c in params["registry"] for c in "\n\r\t ") or (params["registry"] and not params["registry"].startswith(("https://", "http://"))):
        errors.append("registry must be an http(s) URL")
    for name in params["allow_scripts"]:
        if not name or any(c in name for c in ", \n\t"):
            errors.append("allow_scripts entries must be package names")
    return errors


if __name__ == "__main__":
    main()
