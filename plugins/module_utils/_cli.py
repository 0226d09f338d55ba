# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one way the clawops.openclaw modules run the OpenClaw CLI and read its config (private API).

OpenClawCli finds the CLI where the gateway role installs it, runs every call (writes included) as
the right user with one environment, bounded by `timeout -k`, passes secrets on stdin only, reads
the JSON answer out of whatever Node prints around it, and reports failures as CliError with the
argv, rc and output redacted. read_config()/parse_config() are the one config reader.
"""

import json
import math
import os
import pwd
import re

from ansible_collections.clawops.openclaw.plugins.module_utils._common import REDACTED, redact_log, redact_value
from ansible_collections.clawops.openclaw.plugins.module_utils._json5 import JSON5DecodeError, loads as json5_loads

# The gateway role's default gateway_npm_prefix: npm puts the CLI in PREFIX/bin.
DEFAULT_NPM_PREFIX = "/usr/local"
# Where a CLI installed some other way may be, after the default prefix and PATH.
FALLBACK_BIN_DIRS = ("/usr/local/bin", "/usr/bin", "/bin")
# Where `node` is for the CLI's `#!/usr/bin/env node` (the node role links it into one of these).
NODE_BIN_DIRS = ("/usr/local/bin", "/usr/bin", "/bin")
# A bound against a hang: one CLI start costs ~10 CPU seconds, 30 s and more on a busy small host.
DEFAULT_CLI_TIMEOUT = 120.0
MAX_CLI_TIMEOUT = 3600.0
# SIGTERM first (a writer finishes its atomic rename), SIGKILL this many seconds later.
KILL_AFTER_SECONDS = 2
# coreutils timeout: 124 when the command timed out; after -k its SIGKILL goes to its own process
# group, timeout included, so the caller sees -9 (or 128+9 through a shell).
TIMED_OUT_RCS = (124, 137, -9)
# Node's module compile cache the gateway role sets up for the gateway (gateway_node_compile_cache), under the
# service user's home: a CLI call as that user uses it once it exists (about 10 % of a start's CPU).
COMPILE_CACHE_SUBDIR = ".cache/openclaw/node-compile-cache"
# OpenClaw's launcher starts a second Node process for every command only to add this flag when NODE_OPTIONS
# lacks it (dist/entry.respawn: buildCliRespawnPlan); with it there, a call is one Node start, not two.
NODE_NO_EXPERIMENTAL_WARNING = "--disable-warning=ExperimentalWarning"
# How much of the CLI's output an error carries.
ERROR_TAIL = 1500

# Options of every module that runs the OpenClaw CLI (doc fragment clawops.openclaw.cli).
CLI_ARGUMENT_SPEC = dict(
    config_path=dict(type="path"),
    openclaw_bin=dict(type="path"),
    npm_prefix=dict(type="path"),
    cli_timeout=dict(type="float", default=DEFAULT_CLI_TIMEOUT),
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def bounded(argv, seconds):
    """argv stopped after `seconds` (SIGTERM, then SIGKILL KILL_AFTER_SECONDS later): no call may hang a play."""
    return ["timeout", "-k", str(KILL_AFTER_SECONDS), "%g" % seconds] + list(argv)


def cli_option_errors(params):
    """Messages for bad values of the client options in params (absent keys are skipped)."""
    errors = []
    timeout = params.get("cli_timeout")
    if "cli_timeout" in params and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                    or math.isnan(timeout) or not 1 <= timeout <= MAX_CLI_TIMEOUT):
        errors.append("cli_timeout must be between 1 and %g, got %s" % (MAX_CLI_TIMEOUT, timeout))
    for name in ("npm_prefix", "openclaw_bin", "config_path"):
        value = params.get(name)
        if value is None:
            continue
        # Root runs what these name (as the service user): no relative, '..' or control-character tricks.
        if not value.startswith("/") or _CONTROL.search(value) or "/../" in value + "/" or "/./" in value + "/":
            errors.append("%s must be an absolute path without '.', '..' or control characters, got %r" % (name, value))
    return errors


def check_cli_options(module):
    """Fail the module, before it does anything, on a bad openclaw_bin, npm_prefix or cli_timeout."""
    errors = cli_option_errors(dict((k, module.params[k]) for k in ("openclaw_bin", "npm_prefix", "cli_timeout") if k in module.params))
    if errors:
        module.fail_json(msg="; ".join(errors))


def find_cli(openclaw_bin=None, npm_prefix=None, search_path=None):
    """(path of the openclaw CLI or None, the places looked at).

    openclaw_bin is taken as it is (a missing one fails at its first call). With npm_prefix only
    NPM_PREFIX/bin/openclaw counts: a CLI elsewhere is another install than the one the gateway role
    manages. Without either: the role's default prefix, then PATH, then FALLBACK_BIN_DIRS."""
    if openclaw_bin:
        return openclaw_bin, [openclaw_bin]
    if npm_prefix:
        places = [os.path.join(npm_prefix, "bin", "openclaw")]
    else:
        dirs = [os.path.join(DEFAULT_NPM_PREFIX, "bin")]
        dirs += [d for d in (os.environ.get("PATH", "") if search_path is None else search_path).split(os.pathsep) if d.startswith("/")]
        dirs += list(FALLBACK_BIN_DIRS)
        places = _unique(os.path.join(d, "openclaw") for d in dirs)
    for place in places:
        if os.path.isfile(place) and os.access(place, os.X_OK):
            return place, places
    return None, places


def _unique(items):
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def extract_json(text, key=None):
    """The JSON object in CLI output, or None.

    Node and OpenClaw print banners, deprecation and plugin warnings around the answer, some holding
    braces themselves (`[plugins] loaded {feishu}`) or whole JSON log records: the answer is the first
    object that starts a line and decodes, preferring one followed by nothing but whitespace; else the
    first object anywhere. key: only an object with that top-level key is the answer (a log record
    printed around it is not)."""
    if not isinstance(text, str) or "{" not in text:
        return None
    decoder = json.JSONDecoder()

    def wanted(data):
        return isinstance(data, dict) and (key is None or key in data)

    line_starts = [m.start(1) for m in re.finditer(r"(?m)^[ \t]*(\{)", text)]
    anywhere = [m.start() for m in re.finditer(r"\{", text)]
    first = None
    for start in line_starts:
        data, end = _decode_at(decoder, text, start)
        if wanted(data):
            if not text[end:].strip():
                return data
            first = data if first is None else first
    if first is not None:
        return first
    for start in anywhere:
        data, dummy = _decode_at(decoder, text, start)
        if wanted(data):
            return data
    return None


def _decode_at(decoder, text, start):
    try:
        return decoder.raw_decode(text, start)
    except ValueError:
        return None, start


def redact_argv(argv):
    return [redact_value(word) for word in argv]


def describe(args):
    """`openclaw models auth list` for args ['models', 'auth', 'list', '--json', ...]: the command words."""
    words = []
    for word in args:
        if word.startswith("-") or len(words) == 4:
            break
        words.append(word)
    return " ".join(["openclaw"] + words)


class CliError(Exception):
    """An OpenClaw CLI call that failed, timed out or gave no answer; every field is redacted."""

    def __init__(self, what, argv, rc, stdout="", stderr="", reason=None, secrets=()):
        self.argv = redact_argv(argv)
        self.rc = rc
        self.stdout = _redact_output(stdout, secrets)
        self.stderr = _redact_output(stderr, secrets)
        self.timed_out = rc in TIMED_OUT_RCS
        self.detail = reason or (self.stderr or self.stdout).strip()[-ERROR_TAIL:] or "no output"
        if self.timed_out and reason is None:
            self.detail = "timed out and was stopped (rc=%s)" % rc
        self.msg = "%s was not run: %s" % (what, self.detail) if rc is None else "%s failed (rc=%s): %s" % (what, rc, self.detail)
        super().__init__(self.msg)

    def fail_kwargs(self, msg=None):
        """Keyword arguments for module.fail_json(): the message (msg, or the error's own), argv, rc and output, all redacted."""
        return dict(msg=msg or self.msg, argv=self.argv, rc=self.rc, stdout=self.stdout[-ERROR_TAIL:], stderr=self.stderr[-ERROR_TAIL:])


def _redact_output(text, secrets=()):
    text = text or ""
    for secret in secrets:
        if secret and len(secret.strip()) >= 4:
            text = text.replace(secret.strip(), REDACTED)
    return redact_log(text)


class CliResult:
    def __init__(self, argv, rc, stdout, stderr):
        self.argv, self.rc, self.stdout, self.stderr = argv, rc, stdout or "", stderr or ""

    def json(self, key=None):
        return extract_json(self.stdout, key)


def node_options(current):
    """The play's NODE_OPTIONS with the flag that spares the CLI its respawn (already there: unchanged)."""
    # Appended, never re-split: NODE_OPTIONS may quote a value that holds spaces.
    current = current.strip()
    words = current.split()
    if NODE_NO_EXPERIMENTAL_WARNING in words or "--no-warnings" in words:
        return current
    return (current + " " + NODE_NO_EXPERIMENTAL_WARNING).strip()


class OpenClawCli:
    """Runs `openclaw ...` for a module.

    run_as: the service user as {name, uid, home} when the module runs as root (facts, config restore):
    the CLI then runs as that user (runuser), never as root on the user's files. None: the executing
    user (the modules run with become_user)."""

    def __init__(self, module, binary, config_path=None, timeout=DEFAULT_CLI_TIMEOUT, run_as=None):
        self.module = module
        self.binary = binary
        self.config_path = config_path
        self.timeout = timeout
        self.run_as = run_as

    @classmethod
    def from_params(cls, module, config_path=None, run_as=None):
        """The client for the module's openclaw_bin, npm_prefix and cli_timeout; fails the module on a bad value
        or when there is no CLI."""
        params = module.params
        check_cli_options(module)
        binary, places = find_cli(params.get("openclaw_bin"), params.get("npm_prefix"))
        if binary is None:
            module.fail_json(msg="no OpenClaw CLI at %s (set npm_prefix to the gateway role's gateway_npm_prefix, or openclaw_bin)"
                             % ", ".join(places))
        return cls(module, binary, config_path, params.get("cli_timeout") or DEFAULT_CLI_TIMEOUT, run_as)

    # --- the process ----------------------------------------------------------------------
    def switches_user(self):
        return bool(self.run_as) and os.geteuid() == 0 and self.run_as["uid"] != 0

    def identity(self):
        """(uid, home) the CLI runs with."""
        if self.switches_user():
            return self.run_as["uid"], self.run_as["home"]
        uid = os.geteuid()
        return uid, os.environ.get("HOME") or pwd.getpwuid(uid).pw_dir

    def environment(self):
        """Everything the CLI needs, whoever runs it: the user's HOME and user manager (systemctl --user behind
        `gateway status` and the auth commands' service check), node on PATH, the config, no colours."""
        uid, home = self.identity()
        # The play's PATH (an `environment:` may name another node) before the places the node role links node into.
        path = _unique([os.path.dirname(self.binary)] + [d for d in os.environ.get("PATH", "").split(os.pathsep) if d.startswith("/")]
                       + list(NODE_BIN_DIRS))
        env = dict(HOME=home, XDG_RUNTIME_DIR="/run/user/%d" % uid, PATH=os.pathsep.join(path), LC_ALL="C", NO_COLOR="1")
        if self.config_path:
            env["OPENCLAW_CONFIG_PATH"] = self.config_path
        env["NODE_OPTIONS"] = node_options(os.environ.get("NODE_OPTIONS", ""))
        cache = os.path.join(home, COMPILE_CACHE_SUBDIR)
        # Never for root: the cache is the service user's to write, and compiled code from it would run as root.
        if uid != 0 and os.path.isdir(cache):
            env["NODE_COMPILE_CACHE"] = cache
        return env

    def command(self, args):
        """(argv, environment) of `openclaw ARGS`: bounded, as the service user when root runs the module."""
        env = self.environment()
        argv = [self.binary] + list(args)
        if self.switches_user():
            # runuser resets HOME and keeps root's variables: `env` sets the user's own on the far side.
            argv = ["runuser", "-u", self.run_as["name"], "--", "env"] + ["%s=%s" % kv for kv in sorted(env.items())] + argv
        return bounded(argv, self.timeout), env

    def refusal(self, args):
        """Why the call must not run: root about to run the CLI itself on a config another user owns."""
        if os.geteuid() != 0 or self.switches_user() or not self.config_path:
            return None
        place = os.path.dirname(os.path.abspath(self.config_path))
        while place != "/" and not os.path.lexists(place):
            place = os.path.dirname(place)
        try:
            owner = os.lstat(place).st_uid
        except OSError:
            return None
        if owner != 0:
            return ("refusing to run %s as root on %s, which belongs to uid %d: run the module as that user (become_user)"
                    % (describe(args), self.config_path, owner))
        return None

    def call(self, args, stdin=None):
        """CliResult of `openclaw ARGS`; stdin is the only way in for a secret. Never raises for a failed command."""
        argv, env = self.command(args)
        refused = self.refusal(args)
        if refused:
            return CliResult(argv, None, "", refused)
        try:
            if stdin is None:
                rc, out, err = self.module.run_command(argv, environ_update=env, cwd="/")
            else:
                rc, out, err = self.module.run_command(argv, data=stdin, binary_data=True, environ_update=env, cwd="/")
        except Exception as exc:  # pylint: disable=broad-except
            rc, out, err = 127, "", str(exc)
        return CliResult(argv, rc, out, err)

    def error(self, result, what=None, reason=None, secrets=()):
        """CliError for a CliResult (rc None: the call was refused, stderr says why)."""
        if reason is None and result.rc in TIMED_OUT_RCS:
            reason = "timed out after %g s (cli_timeout) and was stopped" % self.timeout
        return CliError(what or describe(result.argv[result.argv.index(self.binary) + 1:]), result.argv, result.rc,
                        result.stdout, result.stderr, reason=reason, secrets=secrets)

    def run(self, args, stdin=None, what=None, secrets=()):
        """stdout of a call that must succeed (raises CliError). secrets: strings masked in any error, e.g. what went on stdin."""
        result = self.call(args, stdin)
        if result.rc != 0:
            raise self.error(result, what, secrets=tuple(secrets) + ((stdin,) if stdin else ()))
        return result.stdout

    def json(self, args, what=None, any_rc=False, key=None):
        """The JSON object a call answers with (raises CliError). any_rc: a verdict comes with rc 1 too (config validate).
        key: the answer is an object with that top-level key; an output without one is an error."""
        result = self.call(args)
        data = result.json(key)
        if result.rc != 0 and not any_rc:
            raise self.error(result, what)
        if data is None:
            reason = ("no JSON object%s in its output" % (" with %r" % key if key else "")) if result.rc == 0 else None
            raise self.error(result, what, reason=reason)
        return data

    def with_config(self, config_path):
        """The same client for another config file (a staged copy to validate, say)."""
        return OpenClawCli(self.module, self.binary, config_path, self.timeout, self.run_as)

    def patch_config(self, patch):
        """`openclaw config patch --stdin`: OpenClaw validates the result before it lands, writes atomically (0600)
        and rotates openclaw.json.bak. The patch, secrets included, travels on stdin only."""
        return self.run(["config", "patch", "--stdin"], stdin=json.dumps(patch))


# --- the config ------------------------------------------------------------------------------

_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


class ConfigReadError(Exception):
    """The config exists but cannot be used. fault says what is wrong and where, never the file's text (it holds
    credentials); reason is `cannot be parsed: FAULT` (or `cannot be read: ...`), the wording every module uses."""

    def __init__(self, path, fault, action="cannot be parsed"):
        self.path, self.fault = path, fault
        self.reason = "%s: %s" % (action, fault)
        super().__init__(
            "OpenClaw config %s %s; it was left untouched. Fix it by hand or restore a backup "
            "(openclaw.json.bak*, openclaw.json.last-good)." % (path, self.reason))


def parse_config(raw, path):
    """The config object from the file's bytes (or text); empty is {}. Raises ConfigReadError."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigReadError(path, "not UTF-8")
    if not raw.strip():
        return {}
    try:
        data = json5_loads(raw)
    except JSON5DecodeError as exc:
        # JSON5DecodeError names the fault and its line and column, never the text.
        raise ConfigReadError(path, str(exc))
    except ValueError:
        raise ConfigReadError(path, "not JSON5")
    if not isinstance(data, dict):
        raise ConfigReadError(path, "it holds a JSON %s, not an object" % _JSON_KINDS.get(type(data), "value"))
    return data


def read_config(path):
    """(data, existed) of the config, read as the executing user (the modules that run with become_user). Never writes."""
    if not os.path.exists(path):
        return {}, False
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ConfigReadError(path, str(exc), action="cannot be read")
    return parse_config(raw, path), True
