#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: openclaw_config_restore
short_description: Keep root-only known-good copies of an OpenClaw config and restore a broken config from them
version_added: 0.1.0
description:
  - O(state=restored) (default) - when the config cannot be parsed, fails OpenClaw's schema (C(openclaw config validate --json))
    or holds a start refusal not listed in O(accept_refusals), restores the newest candidate that parses, validates and that
    the gateway would start with (C(gateway.mode) set, no non-loopback bind without auth).
  - Candidates are first the root-only known-good copies in O(known_good_dir) (newest first), then the user-side backups in the
    config directory (OpenClaw's C(openclaw.json.last-good) and C(openclaw.json.bak[.N]), newest first by modification time).
    The service user (and every agent it runs) can write those, so a user-side backup is used only when its content equals a
    known-good copy or when O(trust_user_backups=true); the diff then shows its content with secrets masked.
  - The broken file is never lost; it is kept aside as C(<config>.broken-<UTC timestamp>) (the service user's, 0600), with
    retention O(keep) and O(max_age_days). The restored file is written atomically with mode 0600 and the service user as owner.
  - O(state=known_good) - records the current config (which the caller has just seen a ready gateway load) as a known-good copy,
    named by its SHA-256, 0600 root in a 0700 directory, with retention O(keep) and O(max_age_days). An unchanged config makes
    no new copy. With O(quarantine=true) it also moves aside the user-side backups the gateway would refuse (unparsable,
    schema-invalid, C(gateway.mode) missing, non-loopback bind without auth) as C(<backup>.clawops-quarantine-<UTC timestamp>),
    so that neither OpenClaw's own start-time restore nor a later restore brings such a fault back.
  - Root never follows a link in the config directory - it is opened component by component with C(O_NOFOLLOW), must be owned
    by O(user), and every file read from it must be a regular file owned by O(user). Files are opened, written, renamed and
    deleted relative to that verified directory. Anything else is refused and nothing is changed. OpenClaw's CLI validates
    a private copy, run as O(user).
  - Run it as root with O(user) (needed for O(known_good_dir)), or as the service user (C(become_user)).
author:
  - clawops.openclaw contributors (@clawops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - clawops.openclaw.cli
attributes:
  diff_mode:
    support: full
    details:
      - The diff names the candidate that would be restored and where the broken file goes; it shows no config content,
        except for a user-side backup restored with O(trust_user_backups=true), shown with every secret masked.
options:
  state:
    description: C(restored) heals a broken config; C(known_good) records the current config as known good.
    type: str
    choices: [restored, known_good]
    default: restored
  user:
    description:
      - The gateway's service user, who owns the config directory and its files. Default is the executing user.
      - Needed when the module runs as root; OpenClaw's CLI is then run as this user (C(runuser)).
    type: str
  known_good_dir:
    description:
      - Root-only directory of the known-good copies; the copies of O(user) live in its subdirectory named after the user.
      - Without it only user-side backups are candidates (and only with O(trust_user_backups=true)).
    type: path
  trust_user_backups:
    description:
      - Also restore a user-side backup whose content is not a known-good copy. The service user can plant such a file.
    type: bool
    default: false
  quarantine:
    description: With O(state=known_good), move aside the user-side backups the gateway would refuse at start.
    type: bool
    default: false
  keep:
    description: How many known-good copies, broken files and quarantined backups (each) are kept at least; at least 1.
    type: int
    default: 5
  max_age_days:
    description: Older ones beyond the newest are deleted; at least 1.
    type: int
    default: 30
  validate:
    description:
      - Also require OpenClaw's schema validation to pass, not only parsing - for the current file and the candidates of a
        restore, and for the backups O(quarantine) considers. Each distinct content is validated once per run (a CLI start).
      - The current file of O(state=known_good) is never schema-checked again, only parsed and checked for start
        refusals; the caller has just seen a ready gateway load it, which OpenClaw does only after its own validation.
    type: bool
    default: true
  known_verdict:
    description:
      - OpenClaw's schema verdict on one content, as the caller's M(clawops.openclaw.openclaw_facts) of this run found it, that
        is its RV(clawops.openclaw.openclaw_facts#module:ansible_facts.openclaw.config) (keys C(sha256), C(valid), C(issues); others are ignored).
      - Used for the current file instead of a CLI start when its content still has that SHA-256 and C(valid) is a
        verdict (not null); candidates are always validated here. Remediation thus validates the broken file once, not twice.
      - Whatever the verdict says, the content is still parsed and checked for start refusals here.
    type: dict
  accept_refusals:
    description:
      - Start refusals (exit 78) a candidate may have, because the caller fixes them right after the restore by its
        documented policy (M(clawops.openclaw.openclaw_config)). The restored file's refusals are returned in RV(refusals).
      - Also applies to the current file, so a config whose only problems are accepted refusals is left alone.
    type: list
    elements: str
    choices: [gateway_mode_missing, bind_without_auth]
    default: []
seealso:
  - module: clawops.openclaw.openclaw_config
  - module: clawops.openclaw.openclaw_facts
"""

EXAMPLES = r"""
- name: Keep the config the gateway just loaded as known good
  clawops.openclaw.openclaw_config_restore:
    state: known_good
    user: openclaw
    known_good_dir: /var/lib/clawops-openclaw/configs
    validate: false
  become: true

- name: Bring back the newest known-good config
  clawops.openclaw.openclaw_config_restore:
    user: openclaw
    known_good_dir: /var/lib/clawops-openclaw/configs
  become: true
"""

RETURN = r"""
state:
  description:
    - V(valid) when nothing had to be done, V(restored) otherwise (also in check mode), V(broken) (in a failed result) when nothing
      could be restored; V(known_good) for O(state=known_good).
  returned: always
  type: str
  choices: [valid, restored, broken, known_good]
  sample: restored
problem:
  description: What was wrong with the config (parse error position or schema issues).
  returned: when the config was broken (restored, or in the failed result)
  type: str
  sample: unparsable at line 3 column 5
restored_from:
  description: The candidate that was (or would be) restored.
  returned: when restored
  type: str
  sample: /var/lib/clawops-openclaw/configs/openclaw/0f3c...e1.json
source:
  description: Where RV(restored_from) comes from.
  returned: when restored
  type: str
  choices: [known_good, user_backup]
broken_kept_at:
  description: Where the broken file was (or would be) kept.
  returned: when restored
  type: str
  sample: /home/openclaw/.openclaw/openclaw.json.broken-20260101T120000Z
known_good:
  description: The known-good copy of the current config.
  returned: with O(state=known_good), when the config could be recorded
  type: str
  sample: /var/lib/clawops-openclaw/configs/openclaw/0f3c...e1.json
quarantined:
  description: User-side backups moved (or to be moved) aside because the gateway would refuse them.
  returned: with O(state=known_good)
  type: list
  elements: dict
  contains:
    path:
      description: The backup.
      returned: always
      type: str
      sample: /home/openclaw/.openclaw/openclaw.json.bak.1
    problem:
      description: Why the gateway would refuse it.
      returned: always
      type: str
    kept_at:
      description: Where it was (or would be) moved.
      returned: always
      type: str
      sample: /home/openclaw/.openclaw/openclaw.json.bak.1.clawops-quarantine-20260101T120000Z
pruned:
  description: Files deleted (or that would be) by the retention (O(keep), O(max_age_days)).
  returned: always
  type: list
  elements: str
refusals:
  description: Accepted start refusals (O(accept_refusals)) of the restored file, or of the current file when it was kept.
  returned: always
  type: list
  elements: str
  sample: [gateway_mode_missing]
rejected:
  description: Candidates that were considered and not used.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The candidate.
      returned: always
      type: str
    problem:
      description: Why it was not used (its parse or schema problem, untrusted, or refused as a link or a file of another user).
      returned: always
      type: str
      sample: "untrusted: not a known-good copy (the service user can write it)"
"""

import hashlib
import json
import os
import pwd
import re
import shutil
import stat
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.clawops.openclaw.plugins.module_utils._cli import (
    CLI_ARGUMENT_SPEC, CliError, ConfigReadError, OpenClawCli, check_cli_options, parse_config,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    config_path_for, executing_user_config_path, redact_tree, startup_refusals,
)
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Dir, Refused, prune, stamp

MAX_CONFIG_BYTES = 16 * 1024 * 1024
_KNOWN_GOOD_NAME = re.compile(r"[0-9a-f]{64}\.json\Z")


def pretty_redacted(data):
    return json.dumps(redact_tree(data), indent=2, sort_keys=True, default=str) + "\n"


class Restorer:
    def __init__(self, module):
        self.module = module
        p = module.params
        for option in ("keep", "max_age_days"):
            if p[option] < 1:
                module.fail_json(msg="%s must be at least 1, got %d" % (option, p[option]))
        for option in ("config_path", "known_good_dir", "user"):
            if p[option] and re.search(r"[\x00-\x1f\x7f]", p[option]):
                module.fail_json(msg="%s must not contain control characters" % option)
        if p["quarantine"] and p["state"] != "known_good":
            module.fail_json(msg="quarantine is only done with state=known_good (after the gateway was seen ready)")
        try:
            self.pw = pwd.getpwnam(p["user"]) if p["user"] else pwd.getpwuid(os.geteuid())
        except KeyError:
            module.fail_json(msg="user %r does not exist" % p["user"])
        if p["config_path"]:
            self.config_path = p["config_path"]
        elif p["user"] and self.pw.pw_uid != os.geteuid():
            self.config_path = config_path_for(self.pw.pw_dir)
        else:
            self.config_path = executing_user_config_path()
        self.config_path = os.path.normpath(self.config_path) if os.path.isabs(self.config_path) else self.config_path
        if p["config_path"] and self.config_path != p["config_path"].rstrip("/"):
            module.fail_json(msg="config_path %r is not normalised (no '.', '..' or '//' segments)" % p["config_path"])
        self.name = os.path.basename(self.config_path)
        self.backup_pattern = re.compile(re.escape(self.name) + r"\.(?:last-good|bak|bak\.[0-9]+)\Z")
        self.broken_pattern = re.compile(re.escape(self.name) + r"\.broken-[0-9]{8}T[0-9]{6}Z(?:-[0-9]+)?\Z")
        self.quarantine_pattern = re.compile(re.escape(self.name) + r"\.(?:last-good|bak|bak\.[0-9]+)\.clawops-quarantine-[0-9]{8}T[0-9]{6}Z(?:-[0-9]+)?\Z")
        # OpenClaw's schema check runs as the service user on a private copy (schema_problem), never as root.
        self.cli = (OpenClawCli.from_params(module, run_as=dict(name=self.pw.pw_name, uid=self.pw.pw_uid, home=self.pw.pw_dir))
                    if p["validate"] else None)
        self.now = time.time()
        self.stage_dir = None
        self.verdicts = {}  # SHA-256 of a content -> OpenClaw's verdict on it (one CLI start per distinct content)
        self.result = dict(changed=False, rejected=[], refusals=[], pruned=[])

    # -- checks ---------------------------------------------------------------------------------
    def problem(self, data, accept=None, schema=True):
        """(None, accepted refusal ids) when the content parses, validates and starts, else (what is wrong, []).
        schema=False: parsing and start refusals only (a content a ready gateway has just loaded)."""
        accept = self.module.params["accept_refusals"] if accept is None else accept
        if not data.strip():
            return "cannot be parsed: the file is empty", []
        try:
            parsed = parse_config(data, self.config_path)
        except ConfigReadError as exc:
            return exc.reason, []  # where the text is wrong, never the text (it may hold a secret)
        refusals = startup_refusals(parsed)
        refused = [message for ident, message in refusals if ident not in accept]
        if refused:
            return "refused at start: %s" % "; ".join(refused), []
        accepted = [ident for ident, dummy in refusals]
        if not self.cli or not schema:
            return None, accepted
        digest = hashlib.sha256(data).hexdigest()
        if digest not in self.verdicts:
            self.verdicts[digest] = self.schema_problem(data)
        return self.verdicts[digest], accepted

    def schema_problem(self, data):
        """OpenClaw's verdict on a private copy of `data`, run as the service user (never on a path the user controls)."""
        if self.stage_dir is None:
            # In /tmp, not the module's temporary directory: that one is under root's home, closed to the service user.
            self.stage_dir = tempfile.mkdtemp(prefix="clawops-config-check-", dir="/tmp")
            if os.geteuid() == 0 and self.pw.pw_uid != 0:
                os.chown(self.stage_dir, self.pw.pw_uid, self.pw.pw_gid)
        stage = Dir(self.stage_dir, os.stat(self.stage_dir).st_uid, self.pw.pw_gid)
        try:
            name = stage.write_unique("openclaw-", data, self.now)
        finally:
            stage.close()
        staged = os.path.join(self.stage_dir, name)
        try:
            verdict = self.cli.with_config(staged).json(["config", "validate", "--json"], any_rc=True)  # rc 1 with a verdict: invalid
        except CliError as exc:
            self.fail(**exc.fail_kwargs("openclaw config validate gave no verdict (rc=%s): %s" % (exc.rc, exc.detail)))
        if verdict.get("valid") is True:
            return None
        if verdict.get("valid") is False:
            return schema_invalid(verdict.get("issues"))
        self.fail("openclaw config validate gave no verdict: its answer has no 'valid'")

    # -- places -----------------------------------------------------------------------------------
    def fail(self, msg, **kwargs):
        self.cleanup()
        self.module.fail_json(msg=msg, **dict(self.result, **kwargs))

    def cleanup(self):
        if self.stage_dir:
            shutil.rmtree(self.stage_dir, ignore_errors=True)  # fd-based: safe against links planted inside
            self.stage_dir = None

    def user_dir(self):
        try:
            return Dir(os.path.dirname(self.config_path), self.pw.pw_uid, self.pw.pw_gid)
        except Refused as exc:
            self.fail("refused to touch the config directory %s: %s; nothing was changed" % (os.path.dirname(self.config_path), exc))
        except OSError as exc:
            self.fail("cannot open the config directory of %s: %s" % (self.config_path, to_native(exc)))

    def store(self, create):
        """The known-good directory of the user (root's, 0700), or None when there is none (yet)."""
        base = self.module.params["known_good_dir"]
        if not base:
            return None
        if not os.path.isabs(base) or os.path.normpath(base) != base.rstrip("/"):
            self.fail("known_good_dir %r must be an absolute, normalised path" % base)
        path = os.path.join(base, self.pw.pw_name)
        if not create and not os.path.isdir(path):
            return None
        try:
            if create and not os.path.isdir(base):
                os.makedirs(base, 0o700)
            store = Dir(path, os.geteuid(), os.getegid(), create=create)
        except Refused as exc:
            self.fail("refused to use known_good_dir %s: %s" % (path, exc))
        for fd in (store.fd,):
            if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
                os.fchmod(fd, 0o700)  # ours: copies of a config hold secrets
        return store

    def known_good(self, store):
        """[(path, content)] of the known-good copies, newest first."""
        if store is None:
            return []
        return [(store.join(name), store.read(name, MAX_CONFIG_BYTES)) for name, dummy in store.entries(_KNOWN_GOOD_NAME)]

    # -- state=restored ---------------------------------------------------------------------------
    def read_config(self, udir):
        if udir.lstat(self.name) is None:
            self.fail("%s does not exist; nothing to restore over (create it with the gateway role)" % self.config_path)
        try:
            return udir.read(self.name, MAX_CONFIG_BYTES)
        except Refused as exc:
            self.fail("refused to touch the config %s: %s; nothing was changed" % (self.config_path, exc))

    def restore(self):
        p = self.module.params
        result = self.result
        result["state"] = "valid"
        udir = self.user_dir()
        current = self.read_config(udir)
        self.verdicts.update(known_verdict(p["known_verdict"], hashlib.sha256(current).hexdigest()))
        problem, result["refusals"] = self.problem(current)
        if problem is None:
            return result
        store = self.store(create=False)
        known = self.known_good(store)
        known_hashes = set(hashlib.sha256(data).hexdigest() for dummy, data in known)
        candidates = [(path, data, "known_good") for path, data in known]
        untrusted, others = 0, []
        backups = udir.entries(self.backup_pattern, others=others)
        for name in others:
            result["rejected"].append(dict(path=udir.join(name), problem="refused: a link, not a regular file or not the service user's"))
        for name, dummy in backups:
            path = udir.join(name)
            try:
                data = udir.read(name, MAX_CONFIG_BYTES)
            except Refused as exc:
                result["rejected"].append(dict(path=path, problem="refused: %s" % exc))
                continue
            if hashlib.sha256(data).hexdigest() in known_hashes or p["trust_user_backups"]:
                candidates.append((path, data, "user_backup"))
            else:
                untrusted += 1
                result["rejected"].append(dict(path=path, problem="untrusted: not a known-good copy (the service user can write it)"))
        for path, data, source in candidates:
            why, refusals = self.problem(data)
            if why is None:
                result["refusals"] = refusals
                break
            result["rejected"].append(dict(path=path, problem=why))
        else:
            hint = (" (%d user-side backup(s) were not considered: the service user can write them; review them and set"
                    " trust_user_backups, role variable remediate_config_restore_trust_user_backups, to use them)" % untrusted
                    if untrusted else "")
            result["state"] = "broken"
            self.fail("%s is broken (%s) and no backup is valid%s; nothing was changed" % (self.config_path, problem, hint), problem=problem)
        kept = "%s.broken-%s" % (self.config_path, stamp(self.now))
        result.update(changed=True, state="restored", problem=problem, restored_from=path, source=source, broken_kept_at=kept)
        if source == "user_backup" and hashlib.sha256(data).hexdigest() not in known_hashes:
            self.module.warn("%s restored from %s, a file the service user can write (trust_user_backups); review the diff" % (self.config_path, path))
        if self.module._diff:
            result["diff"] = self.restore_diff(current, data, problem, path, kept, source, known_hashes)
        if not self.module.check_mode:
            result["broken_kept_at"] = udir.join(udir.write_unique(self.name + ".broken-", current, self.now))
            udir.replace(self.name, data)
        result["pruned"] = prune(udir, p["keep"], p["max_age_days"], self.now, self.module.check_mode, self.broken_pattern)
        return result

    def restore_diff(self, current, data, problem, path, kept, source, known_hashes):
        after = "%s: restored from %s (broken file kept at %s)%s\n" % (
            self.config_path, path, kept,
            "; to be fixed by policy: %s" % ", ".join(self.result["refusals"]) if self.result["refusals"] else "")
        diff = dict(before="%s: %s\n" % (self.config_path, problem), after=after,
                    before_header=self.config_path, after_header=path)
        if source == "user_backup" and hashlib.sha256(data).hexdigest() not in known_hashes:
            # The operator opted in to a file the service user can write: show what it holds, secrets masked.
            try:
                diff["before"] += pretty_redacted(parse_config(current, self.config_path))
            except ConfigReadError:
                pass
            diff["after"] += pretty_redacted(parse_config(data, path))
        return diff

    # -- state=known_good -------------------------------------------------------------------------
    def record(self):
        p = self.module.params
        result = self.result
        result.update(state="known_good", quarantined=[])
        udir = self.user_dir()
        current = self.read_config(udir)
        problem, dummy = self.problem(current, accept=[], schema=False)  # a ready gateway has just loaded it
        if problem is not None:
            self.module.warn("%s is not recorded as known good: %s" % (self.config_path, problem))
        else:
            digest = hashlib.sha256(current).hexdigest()
            name = digest + ".json"
            store = self.store(create=not self.module.check_mode)
            if self.module.check_mode and store is None:
                result["changed"] = True
                result["known_good"] = os.path.join(p["known_good_dir"] or "", self.pw.pw_name, name)
            elif store is not None:
                result["known_good"] = store.join(name)
                copies = store.entries(_KNOWN_GOOD_NAME)
                if not copies or copies[0][0] != name:
                    result["changed"] = True
                    if not self.module.check_mode:
                        if store.lstat(name) is None:
                            store.replace(name, current)
                        else:
                            # The same content is the newest again (later than the newest copy even if the clock went back).
                            newest = max(self.now, copies[0][1].st_mtime + 1)
                            os.utime(name, (newest, newest), dir_fd=store.fd, follow_symlinks=False)
                    if self.module._diff:
                        result["diff"] = dict(before="", after="known-good copy of %s: %s\n" % (self.config_path, store.join(name)))
                result["pruned"] += prune(store, p["keep"], p["max_age_days"], self.now, self.module.check_mode, _KNOWN_GOOD_NAME)
            else:
                self.fail("known_good_dir is not set: there is nowhere to keep the copy")
        if p["quarantine"]:
            self.quarantine(udir, current)
        result["pruned"] += prune(udir, p["keep"], p["max_age_days"], self.now, self.module.check_mode, self.broken_pattern)
        result["pruned"] += prune(udir, p["keep"], p["max_age_days"], self.now, self.module.check_mode, self.quarantine_pattern)
        result["changed"] = result["changed"] or bool(result["pruned"])
        return result

    def quarantine(self, udir, current):
        """Move aside the backups the gateway would refuse, so that no restore (OpenClaw's or ours) brings them back."""
        good = hashlib.sha256(current).hexdigest()
        for name, dummy in udir.entries(self.backup_pattern):
            try:
                data = udir.read(name, MAX_CONFIG_BYTES)
            except Refused:
                continue
            if hashlib.sha256(data).hexdigest() == good:
                continue
            why, dummy = self.problem(data, accept=[])
            if why is None:
                continue
            dest = "%s.clawops-quarantine-%s" % (name, stamp(self.now))
            n = 0
            while udir.lstat(dest) is not None:
                n += 1
                dest = "%s.clawops-quarantine-%s-%d" % (name, stamp(self.now), n)
            if not self.module.check_mode:
                udir.rename(name, dest)
            self.result["quarantined"].append(dict(path=udir.join(name), problem=why, kept_at=udir.join(dest)))
            self.result["changed"] = True

    def run(self):
        try:
            return self.record() if self.module.params["state"] == "known_good" else self.restore()
        except Refused as exc:
            self.fail("refused: %s; nothing more was changed" % exc)
        finally:
            self.cleanup()


def schema_invalid(issues):
    """The problem text of a content OpenClaw's schema refuses; issues: its [{path, message}]."""
    issues = ["%s: %s" % (i.get("path"), i.get("message")) for i in issues or [] if isinstance(i, dict)]
    return "schema-invalid: %s" % ("; ".join(issues) or "see openclaw config validate")


def known_verdict(facts_config, digest):
    """{digest: problem or None} when openclaw_facts' config fact holds a schema verdict on the content with that
    SHA-256 (the current file, unchanged since the facts read it), else {}."""
    facts_config = facts_config or {}
    if facts_config.get("sha256") != digest or not isinstance(facts_config.get("valid"), bool):
        return {}
    return {digest: None if facts_config["valid"] else schema_invalid(facts_config.get("issues"))}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="restored", choices=["restored", "known_good"]),
            user=dict(type="str"),
            known_good_dir=dict(type="path"),
            trust_user_backups=dict(type="bool", default=False),
            quarantine=dict(type="bool", default=False),
            keep=dict(type="int", default=5),
            max_age_days=dict(type="int", default=30),
            validate=dict(type="bool", default=True),
            accept_refusals=dict(type="list", elements="str", default=[], choices=["gateway_mode_missing", "bind_without_auth"]),
            known_verdict=dict(type="dict"),
            **CLI_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    check_cli_options(module)
    module.exit_json(**Restorer(module).run())


if __name__ == "__main__":
    main()
