# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers shared by the clawops.openclaw modules (private: the API may change at any time).

Mostly data handling, unit-tested without a host: path and dict arithmetic for config edits,
secret redaction, systemd unit and environment parsing, OpenClaw's path precedence. A few helpers
touch the host: read_text() reads root-owned places such as /proc and /etc (following links),
shell_startup_paths() reads the shell start-up files (the user's through _safefs, never following
a link), and executing_user_config_path() looks at the executing user's environment.
"""

import copy
import glob
import json
import os
import pwd
import re
import shlex

from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import read_beneath

REDACTED = "<redacted>"

# Secrets are recognised by their key name AND by the shape of the value: a denylist of names alone
# let `encryptKey`, `credentials`, `headers.Authorization`, `OPENROUTER_KEY` and `?key=` through.
# Masking too much is harmless; printing one credential is not. OpenClaw itself prints such config
# values as __OPENCLAW_REDACTED__; we never print them at all.
#
# A name is compared lower-cased without separators (botToken, bot_token and BOT-TOKEN alike).
_SECRET_SUFFIXES = ("token", "tokens", "secret", "password", "passwd", "passphrase", "credential", "credentials",
                    "key", "authorization", "cookie", "cookies", "signature", "webhook", "webhookurl", "dsn", "privatekey")
_SECRET_WORDS = ("authorization", "cookie", "apikey", "privatekey", "bearer")
_SECRET_EXACT = ("sig", "pass", "pwd")
# A SecretRef ({source, provider, id}) names where a secret lives; it holds none and stays readable.
_SECRET_REF_KEYS = frozenset(("source", "provider", "id"))
_SECRET_ENV = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL|PRIVATE_?KEY)", re.IGNORECASE)

# Value shapes that are credentials whatever the key says.
_URL_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)?[^/?#\s]+@(?=[^@/?#\s]+(?:$|[/?#\s]))")
_URL_USERINFO_ANYWHERE = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\s]+@(?=[^@/?#\s]+(?:[/?#\s]|$))")
_QUERY_PARAM = re.compile(r"([?&;]([A-Za-z0-9_.\-\[\]]+)=)([^&#\s\"']*)")
_AUTH_SCHEME = re.compile(r"\b(Bearer|Basic|Digest|Negotiate)(\s+|=)[A-Za-z0-9._~+/=:-]{6,}", re.IGNORECASE)
_AUTH_SCHEME_LONG = re.compile(r"\b(Bot|Token)\s+[A-Za-z0-9._~+/=:-]{20,}")
_KNOWN_TOKENS = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)"
    r"|\b(?:sk|rk|pk)-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_-]{16,}"      # OpenAI, Anthropic (sk-ant-...), OpenRouter (sk-or-v1-...)
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bxapp-[A-Za-z0-9-]{10,}"  # Slack
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bglpat-[A-Za-z0-9_-]{20,}"
    r"|\bAIza[0-9A-Za-z_-]{30,}|\bya29\.[0-9A-Za-z_-]{20,}"      # Google
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bhf_[A-Za-z0-9]{30,}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JWT
    r"|\b\d{6,12}:[A-Za-z0-9_-]{30,}",                           # Telegram bot token
    re.DOTALL)
# Long random-looking words (upper, lower and digits mixed): API keys without a known prefix.
# Not '/' or '=': paths and KEY=value pairs must stay readable.
_HIGH_ENTROPY = re.compile(r"(?<![A-Za-z0-9_+-])(?=[A-Za-z0-9_+-]*[a-z])(?=[A-Za-z0-9_+-]*[A-Z])(?=[A-Za-z0-9_+-]*[0-9])"
                           r"[A-Za-z0-9_+-]{32,}(?![A-Za-z0-9_+-])")

PROXY_VARIABLES = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    "OPENCLAW_PROXY_URL", "NODE_USE_ENV_PROXY", "GLOBAL_AGENT_HTTP_PROXY",
)
# The only environment variables the facts report (values still redacted): the rest of a process
# environment is API keys and tokens the agents use, which no report needs.
REPORTED_ENV = frozenset(PROXY_VARIABLES + ("NODE_OPTIONS", "NODE_EXTRA_CA_CERTS"))
REPORTED_ENV_PREFIXES = ("OPENCLAW_",)


def _compact(name):
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def is_secret_key(name):
    """True when a config key, header, query parameter or variable name looks like it holds a credential."""
    if not isinstance(name, str):
        return False
    compact = _compact(name)
    return bool(compact) and (compact.endswith(_SECRET_SUFFIXES) or any(word in compact for word in _SECRET_WORDS)
                              or compact in _SECRET_EXACT)


def is_secret_env(name):
    return is_secret_key(name) or bool(_SECRET_ENV.search(str(name))) or any(
        part in ("KEY", "TOKEN", "SECRET", "PASS", "PWD", "AUTH", "COOKIE", "SIG", "SIGNATURE") for part in str(name).upper().split("_"))


def redact_url(value):
    """Hide user:password in a proxy URL, keep the rest readable."""
    if not isinstance(value, str):
        return value
    return _URL_USERINFO.sub(lambda m: (m.group(1) or "") + REDACTED + "@", value)


def _redact_query(match):
    return match.group(1) + REDACTED if is_secret_key(match.group(2)) and match.group(3) else match.group(0)


def redact_value(value):
    """A string with every credential-shaped part masked: URL userinfo, secret query parameters,
    authorization schemes (Bearer/Basic ...), known token formats, private keys, long random words."""
    if not isinstance(value, str) or not value:
        return value
    value = redact_url(value)
    value = _URL_USERINFO_ANYWHERE.sub(lambda m: m.group(1) + REDACTED + "@", value)
    value = _QUERY_PARAM.sub(_redact_query, value)
    value = _AUTH_SCHEME.sub(lambda m: m.group(1) + m.group(2) + REDACTED, value)
    value = _AUTH_SCHEME_LONG.sub(lambda m: m.group(1) + " " + REDACTED, value)
    value = _KNOWN_TOKENS.sub(REDACTED, value)
    return _HIGH_ENTROPY.sub(REDACTED, value)


def reported_env(name):
    return name in REPORTED_ENV or str(name).startswith(REPORTED_ENV_PREFIXES)


def redact_env(env, allowlist=False):
    """Values of secret-named variables masked, every other value masked by shape.
    With allowlist, only the variables the facts may report (REPORTED_ENV, OPENCLAW_*) are kept."""
    out = {}
    for key, value in env.items():
        if allowlist and not reported_env(key):
            continue
        out[key] = REDACTED if is_secret_env(key) else redact_value(value)
    return out


def _is_secret_ref(value):
    return isinstance(value, dict) and bool(value) and set(value) <= _SECRET_REF_KEYS and all(isinstance(v, str) for v in value.values())


def redact_tree(data, secret_paths=(), _prefix=()):
    """Return a deep copy of data with every secret value replaced by REDACTED.

    Secret: everything under a key whose name looks like a credential (at any depth, whole
    subtrees; a SecretRef object is kept, it only names where the secret lives), everything under a
    dotted path listed in secret_paths (passed as secrets, whatever their names), and every
    credential-shaped part of any other string (redact_value).
    """
    secret_paths = set(secret_paths)
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            path = _prefix + (str(key),)
            if ".".join(path) in secret_paths:
                out[key] = REDACTED
            elif is_secret_key(key):
                out[key] = copy.deepcopy(value) if _is_secret_ref(value) else _redact_all(value)
            else:
                out[key] = redact_tree(value, secret_paths, path)
        return out
    if isinstance(data, list):
        return [redact_tree(item, secret_paths, _prefix) for item in data]
    if isinstance(data, str):
        return redact_value(data)
    return copy.deepcopy(data)


def redact_log(text):
    """A log (OpenClaw writes JSON lines) with every secret masked: a line that is JSON through
    redact_tree (secret-named keys at any depth, credential-shaped strings), any other line by shape."""
    if not isinstance(text, str):
        return text
    out = []
    for line in text.split("\n"):
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        out.append(json.dumps(redact_tree(data), sort_keys=True) if isinstance(data, (dict, list)) else redact_value(line))
    return "\n".join(out)


def _redact_all(value):
    """Every leaf masked, the shape kept (so a diff still shows that a list grew)."""
    if isinstance(value, dict):
        return dict((key, _redact_all(item)) for key, item in value.items())
    if isinstance(value, list):
        return [_redact_all(item) for item in value]
    if value is None or isinstance(value, bool):
        return value
    return REDACTED


def leaf_strings(data):
    """Every leaf of data as Ansible's no_log handling stringifies it (strings, numbers; not bools or None)."""
    if isinstance(data, dict):
        return set().union(*[leaf_strings(value) for value in data.values()]) if data else set()
    if isinstance(data, list):
        return set().union(*[leaf_strings(item) for item in data]) if data else set()
    if data is None or isinstance(data, bool) or data == "":
        return set()
    return {str(data)}


def secret_leaves(data, secret_paths=(), _prefix=(), _secret=False):
    """The string forms of the secret leaves of data (redact_tree's notion), for AnsibleModule.no_log_values."""
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            path = _prefix + (str(key),)
            secret = _secret or ".".join(path) in secret_paths or (is_secret_key(key) and not _is_secret_ref(value))
            found |= secret_leaves(value, secret_paths, path, secret)
    elif isinstance(data, list):
        for item in data:
            found |= secret_leaves(item, secret_paths, _prefix, _secret)
    elif data is None or isinstance(data, bool):
        pass
    elif _secret:
        if str(data):
            found.add(str(data))
    elif isinstance(data, str) and redact_value(data) != data:
        found.add(data)
    return found


def flatten(data, _prefix=()):
    """{'a': {'b': 1}} -> {'a.b': 1}. Lists, scalars and empty dicts are leaves."""
    out = {}
    for key, value in data.items():
        path = _prefix + (str(key),)
        if isinstance(value, dict) and value:
            out.update(flatten(value, path))
        else:
            out[".".join(path)] = value
    return out


def split_path(path):
    parts = str(path).split(".")
    if not path or any(p == "" for p in parts):
        raise ValueError("invalid config path %r: use dot notation such as gateway.auth.token" % (path,))
    return parts


def get_path(data, path, default=None):
    node = data
    for part in split_path(path):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def has_path(data, path):
    sentinel = object()
    return get_path(data, path, sentinel) is not sentinel


def deep_merge(base, overlay):
    """Recursive merge, the semantics of `openclaw config patch`: objects merge, the rest replaces."""
    result = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def remove_path(data, path):
    parts = split_path(path)
    node = data
    for part in parts[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return False
    if isinstance(node, dict) and parts[-1] in node:
        del node[parts[-1]]
        return True
    return False


def config_changes(current, desired, remove=()):
    """Compute what has to change for `current` to hold `desired` and lack the `remove` paths.

    Returns (changes, patch): changes is a sorted list of {'path', 'action'} (set/remove) and
    patch is the minimal `openclaw config patch` document (null deletes a path).
    """
    changes = []
    patch = {}

    def put(path_parts, value):
        node = patch
        for part in path_parts[:-1]:
            node = node.setdefault(part, {})
        node[path_parts[-1]] = value

    def walk(cur, want, prefix):
        for key, value in want.items():
            parts = prefix + [key]
            if value is None:
                # null deletes in a patch: say so instead of never converging.
                raise ValueError("config path %s is null: list it in remove to delete it" % ".".join(parts))
            here = cur.get(key) if isinstance(cur, dict) else None
            present = isinstance(cur, dict) and key in cur
            if isinstance(value, dict) and isinstance(here, dict):
                walk(here, value, parts)
            elif not present or here != value or type(here) is not type(value):
                changes.append({"path": ".".join(parts), "action": "set"})
                put(parts, copy.deepcopy(value))

    walk(current, desired, [])
    desired_flat = flatten(desired)
    for path in remove:
        parts = split_path(path)
        if (path in desired_flat or any(p.startswith(path + ".") for p in desired_flat)
                or any(path.startswith(p + ".") and not isinstance(v, dict) for p, v in desired_flat.items())):
            raise ValueError("config path %s is both set and removed" % path)
        if has_path(current, path):
            changes.append({"path": path, "action": "remove"})
            put(parts, None)
    changes.sort(key=lambda c: c["path"])
    return changes, patch


# --- systemd ------------------------------------------------------------------------------

def parse_environment_assignments(value):
    """Parse the value of one `Environment=` line (systemd quoting) into a dict."""
    env = {}
    try:
        words = shlex.split(value, posix=True)
    except ValueError:
        words = value.split()
    for word in words:
        if "=" in word:
            key, val = word.split("=", 1)
            env[key] = val
    return env


def parse_unit_file(text):
    """Return the [Service] directives of a unit file as a list of (key, value), in order.

    Continuation lines are joined; comments are dropped. Only [Service] matters to us.
    """
    directives = []
    section = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            directives.append((key.strip(), value.strip()))
    return directives


def unit_environment(directives):
    """Environment set by a unit or drop-in: (inline env dict, [EnvironmentFile paths]).

    An empty `Environment=` resets the list, as systemd does.
    """
    env = {}
    files = []
    for key, value in directives:
        if key == "Environment":
            if value == "":
                env = {}
            else:
                # systemd resolves specifiers before unquoting: `%%` is a literal `%` (the gateway drop-in escapes them).
                env.update(parse_environment_assignments(value.replace("%%", "%")))
        elif key == "EnvironmentFile":
            if value == "":
                files = []
            else:
                files.append(value)
    return env, files


def compose_unit_environment(base, directives, read_file):
    """The environment systemd hands a service: base (the manager's), then Environment=,
    then each EnvironmentFile= in order (files win), then UnsetEnvironment= removals.

    directives: the unit's then its drop-ins' [Service] directives, in load order.
    read_file(path) returns the file's text or None.
    """
    env = dict(base)
    inline, files = unit_environment(directives)
    env.update(inline)
    for path in files:
        text = read_file(path.lstrip("-"))
        if text is not None:
            env.update(parse_env_file(text))
    unset = []
    for key, value in directives:
        if key == "UnsetEnvironment":
            if value == "":
                unset = []
            else:
                try:
                    unset.extend(shlex.split(value))
                except ValueError:
                    unset.extend(value.split())
    for item in unset:
        if "=" in item:
            name, val = item.split("=", 1)
            if env.get(name) == val:
                del env[name]
        else:
            env.pop(item, None)
    return env


def parse_env_file(text):
    """KEY=VALUE lines as read by systemd EnvironmentFile= and dotenv (quotes stripped)."""
    env = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        if "=" not in line:
            continue
        key, value = line.split("=", 1)
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[key] = value
    return env


# What an operator's login shell (ssh, `sudo -iu USER`) reads before `openclaw` runs, in order.
SHELL_STARTUP_FILES = ("/etc/environment", "/etc/profile", "/etc/profile.d/*.sh", "/etc/bash.bashrc",
                       "~/.profile", "~/.bash_profile", "~/.bash_login", "~/.bashrc", "~/.zshenv", "~/.zprofile", "~/.zshrc")
CLI_PATH_VARIABLES = ("OPENCLAW_HOME", "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH")
_SHELL_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?(%s)=(.*)$" % "|".join(CLI_PATH_VARIABLES))
_SHELL_UNSET = re.compile(r"^\s*unset\s+(.*)$")


def shell_startup_paths(home, files=SHELL_STARTUP_FILES):
    """OpenClaw path variables a login shell of the user would export, and the files setting them.

    A plain reading of the assignments (`[export] VAR=value`, `unset VAR`, $HOME/~ expanded), not a
    shell: enough to see that an operator's CLI reads another state dir than the service.
    """
    env, set_in = {}, {}
    for pattern in files:
        in_home = pattern.startswith("~")
        for path in sorted(glob.glob(pattern.replace("~", home, 1) if in_home else pattern)):
            # The user's own files are read without following links (root reads them).
            text = read_beneath(path, home)[0] if in_home else read_text(path)
            for line in (text or "").splitlines():
                unset = _SHELL_UNSET.match(line)
                if unset:
                    for name in unset.group(1).split():
                        env.pop(name, None)
                        set_in.pop(name, None)
                    continue
                match = _SHELL_ASSIGNMENT.match(line)
                if not match:
                    continue
                value = match.group(2).split(" #", 1)[0].strip().rstrip(";").strip()
                literal = len(value) >= 2 and value[0] == value[-1] == "'"
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                    value = value[1:-1]
                if not literal:
                    value = value.replace("${HOME}", home).replace("$HOME", home)
                    value = os.path.join(home, value[2:]) if value.startswith("~/") else value
                env[match.group(1)] = value
                set_in[match.group(1)] = path
    return env, set_in


def read_text(path, limit=1024 * 1024):
    """Read a small text file; None when it does not exist or cannot be read.

    Follows links: only for root-owned places (/proc, /etc). Files the service user can write go
    through _safefs (read_beneath(), read_nofollow())."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except OSError:
        return None


def exec_start_args(directives):
    """argv of the last ExecStart= (prefixes like '-' or '@' removed)."""
    argv = None
    for key, value in directives:
        if key == "ExecStart":
            argv = None if value == "" else value
    if not argv:
        return []
    try:
        words = shlex.split(argv)
    except ValueError:
        words = argv.split()
    if words:
        words[0] = words[0].lstrip("-@:+!")
    return words


def option_value(argv, option):
    """Value of `--option N` or `--option=N` in argv, else None."""
    for index, word in enumerate(argv):
        if word == option and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
    return None


def _home_relative(value, home):
    return os.path.join(home, value[2:]) if value == "~" or value.startswith("~/") else value


def state_dir_for(home, env=None, profile=None):
    """OpenClaw's state directory for a user: OPENCLAW_STATE_DIR, else (OPENCLAW_HOME or HOME)/.openclaw[-PROFILE]."""
    env = env or {}
    home = (env.get("OPENCLAW_HOME") or "").strip() or home
    if (env.get("OPENCLAW_STATE_DIR") or "").strip():
        return _home_relative(env["OPENCLAW_STATE_DIR"].strip(), home)
    return os.path.join(home, ".openclaw" + ("-" + profile if profile else ""))


def config_path_for(home, env=None, profile=None):
    """Where OpenClaw reads its config for a user, following its own precedence."""
    env = env or {}
    if (env.get("OPENCLAW_CONFIG_PATH") or "").strip():
        return _home_relative(env["OPENCLAW_CONFIG_PATH"].strip(), (env.get("OPENCLAW_HOME") or "").strip() or home)
    return os.path.join(state_dir_for(home, env, profile), "openclaw.json")


def executing_user_config_path(path=None, profile=None):
    """`path`, or the config OpenClaw uses for the user this module runs as (become_user)."""
    if path:
        return path
    home = os.environ.get("HOME") or pwd.getpwuid(os.geteuid()).pw_dir
    return config_path_for(home, os.environ, profile)


def startup_refusals(data):
    """[(problem id, message)] for settings OpenClaw refuses to start with (exit 78)."""
    gateway = data.get("gateway") if isinstance(data.get("gateway"), dict) else {}
    auth = gateway.get("auth") if isinstance(gateway.get("auth"), dict) else {}
    refusals = []
    if not gateway.get("mode"):
        refusals.append(("gateway_mode_missing", "gateway.mode is not set: the gateway refuses to start (exit 78)"))
    if gateway.get("bind") not in (None, "loopback") and auth.get("mode") in (None, "none"):
        refusals.append(("bind_without_auth", "gateway.bind=%s without auth: the gateway refuses to start (exit 78)" % gateway.get("bind")))
    return refusals
