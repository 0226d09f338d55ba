# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation of role variables and module options before anything changes.

Every value that reaches a rendered file (systemd drop-ins, apt sources, Privoxy config, JSON) or a
command line is checked here: a full match (``\\Z``, never ``$``, which accepts a trailing newline),
no control characters, ASCII only where the consumer is ASCII (host names, ports: a Cyrillic "а" or
a fullwidth digit is refused, not normalised). Checkers return error messages that name the
variable; secrets are never echoed, other values are shown JSON-escaped so a newline stays visible.
"""

import ipaddress
import json
import math
import re

from ansible_collections.clawops.openclaw.plugins.module_utils._egress import privoxy_rule_problems, relay_problems

# C0, DEL, C1 and the Unicode line/paragraph separators: each ends a line for some parser.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# useradd's portable set, at most 32 characters; no leading dash (an option to every tool).
USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}\Z")
RELEASE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+(?:[-.][0-9A-Za-z.-]+)?\Z")
EXACT_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\Z")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_NAME = re.compile(r"%s(?:\.%s)*\Z" % (_LABEL, _LABEL))
DOMAIN_SUFFIX = re.compile(r"\.?%s(?:\.%s)*\Z" % (_LABEL, _LABEL))
PROFILE_ID = re.compile(r"[a-z0-9][a-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._@-]*\Z")
PROVIDER = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
AGENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")
CONFIG_PROFILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
NPM_PACKAGE = re.compile(r"(?:@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]*\Z")
CHECKSUM = {"sha1": 40, "sha224": 56, "sha256": 64, "sha384": 96, "sha512": 128}
HEX = re.compile(r"[0-9A-Fa-f]+\Z")
ASCII_INT = re.compile(r"-?[0-9]+\Z")
ASCII_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")

# URL pieces (RFC 3986), ASCII only; `%` only as a percent-encoding.
_PCT = r"%[0-9A-Fa-f]{2}"
_USERINFO = r"(?:[A-Za-z0-9._~!$&'()*+,;=:-]|%s)+@" % _PCT
_HOST = r"(?:%s(?:\.%s)*|\[[0-9A-Fa-f:.]+\])" % (_LABEL, _LABEL)
_PATH = r"(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%s)*)*" % _PCT
_URL_TAIL = r"://(%s)?(%s)(?::([0-9]{1,5}))?(%s)\Z" % (_USERINFO, _HOST, _PATH)

_BOOL_WORDS = ("yes", "no", "true", "false", "on", "off", "1", "0", "y", "n", "t", "f")
MAX_TEXT = 4096
SECRET_MIN = 16
NON_LOGIN_SHELLS = ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false")

# systemd resource directives the gateway's drop-in may set, with the shape of their values.
_SIZE = r"(?:infinity|[0-9]+[KMGTPE]?)"
_LIMIT = r"%s(?::%s)?" % (_SIZE, _SIZE)
_TIME = r"(?:infinity|[0-9]+(?:us|ms|s|min|h)?)"
_MEMORY = r"(?:infinity|[0-9]+[KMGTPE]?|[0-9]{1,2}(?:\.[0-9]+)?%|100%)"
_WEIGHT = r"(?:idle|[1-9][0-9]{0,4})"
SERVICE_LIMITS = {
    "LimitAS": _LIMIT, "LimitCORE": _LIMIT, "LimitDATA": _LIMIT, "LimitFSIZE": _LIMIT, "LimitLOCKS": r"(?:infinity|[0-9]+)",
    "LimitMEMLOCK": _LIMIT, "LimitMSGQUEUE": _LIMIT, "LimitNOFILE": r"(?:infinity|[0-9]+)(?::(?:infinity|[0-9]+))?",
    "LimitNPROC": r"(?:infinity|[0-9]+)(?::(?:infinity|[0-9]+))?", "LimitRSS": _LIMIT, "LimitSIGPENDING": r"(?:infinity|[0-9]+)",
    "LimitSTACK": _LIMIT, "LimitCPU": r"%s(?::%s)?" % (_TIME, _TIME), "LimitRTTIME": r"%s(?::%s)?" % (_TIME, _TIME),
    "LimitNICE": r"-?[0-9]{1,2}", "LimitRTPRIO": r"[0-9]{1,2}",
    "MemoryMin": _MEMORY, "MemoryLow": _MEMORY, "MemoryHigh": _MEMORY, "MemoryMax": _MEMORY, "MemorySwapMax": _MEMORY,
    "CPUQuota": r"[0-9]{1,5}%", "CPUWeight": _WEIGHT, "IOWeight": _WEIGHT, "TasksMax": r"(?:infinity|[0-9]+|[0-9]{1,2}%|100%)",
    "Nice": r"-?[0-9]{1,2}", "OOMScoreAdjust": r"-?[0-9]{1,4}",
}


def show(value):
    """A value for an error message: JSON-escaped (a newline shows as \\n) and cut short."""
    try:
        text = json.dumps(value, ensure_ascii=True, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def type_name(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "str"
    if isinstance(value, int):
        return "int"
    return type(value).__name__


def is_text(value):
    return isinstance(value, str)


def full(pattern, value):
    """True when `value` is a str and the whole of it matches `pattern` (a trailing newline does not)."""
    if not is_text(value):
        return False
    regex = pattern if hasattr(pattern, "match") else re.compile(r"(?:%s)\Z" % pattern)
    return regex.match(value) is not None


def has_control(value):
    return is_text(value) and CONTROL.search(value) is not None


def systemd_quote(value):
    """An Environment= assignment's value inside double quotes: `\\`, `"` escaped, `%` doubled (specifiers)."""
    if has_control(value):
        raise ValueError("a value with a control character cannot be written to a systemd file")
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")


class Checker:
    """Collects the errors of one role's (or module's) inputs; each message names its variable."""

    def __init__(self):
        self.errors = []

    def error(self, name, text):
        self.errors.append("%s %s" % (name, text))
        return False

    # --- scalars ------------------------------------------------------------------------

    def text(self, name, value, secret=False, empty=True, max_len=MAX_TEXT, pattern=None, hint=None):
        """A string without control characters; `pattern` must match all of it."""
        if not is_text(value):
            return self.error(name, "must be a string, got %s." % type_name(value))
        shown = "" if secret else " (got %s)" % show(value)
        if not value:
            return True if empty else self.error(name, "must not be empty.")
        if has_control(value):
            return self.error(name, "contains a control character (newline, tab, carriage return...)%s." % shown)
        if len(value) > max_len:
            return self.error(name, "is longer than %d characters." % max_len)
        if pattern is not None and not full(pattern, value):
            return self.error(name, "must be %s%s." % (hint or "well-formed", shown))
        return True

    def integer(self, name, value, minimum=None, maximum=None):
        """An int, or a string of ASCII digits (inventories and -e give strings); never a bool or 'Ｘ'."""
        if isinstance(value, bool) or not (isinstance(value, int) or full(ASCII_INT, value)
                                           or (isinstance(value, float) and value.is_integer())):
            return self.error(name, "must be an integer, got %s." % show(value))
        number = int(value)
        if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            bounds = "%s-%s" % (minimum, maximum) if maximum is not None else "at least %s" % minimum
            return self.error(name, "must be %s, got %s." % (bounds, number))
        return True

    def port(self, name, value):
        return self.integer(name, value, 1, 65535)

    def number(self, name, value, minimum=0.0, maximum=None):
        """A finite number greater than `minimum` (timeouts, thresholds: 0, negatives, nan, inf refused)."""
        if isinstance(value, bool) or not (isinstance(value, (int, float)) or full(ASCII_NUMBER, value)):
            return self.error(name, "must be a number, got %s." % show(value))
        number = float(value)
        if math.isnan(number) or math.isinf(number) or number <= minimum or (maximum is not None and number > maximum):
            limit = "greater than %g" % minimum + (" and at most %g" % maximum if maximum is not None else "")
            return self.error(name, "must be %s, got %s." % (limit, show(value)))
        return True

    def boolean(self, name, value):
        # What ansible's own `bool` type accepts (-e gives strings).
        if not (isinstance(value, bool) or (is_text(value) and value.lower() in _BOOL_WORDS)):
            return self.error(name, "must be true or false, got %s." % show(value))
        return True

    def choice(self, name, value, choices):
        if not is_text(value) or value not in choices:
            return self.error(name, "must be one of %s, got %s." % (", ".join(choices), show(value)))
        return True

    def secret(self, name, value, min_len=SECRET_MIN, empty=True):
        """A secret: no control characters (a trailing \\r from a Windows editor), no surrounding spaces, long enough."""
        if not self.text(name, value, secret=True, empty=empty):
            return False
        if value and not value.strip():
            return self.error(name, "is empty or only white space.")
        if value and value != value.strip():
            return self.error(name, "starts or ends with white space.")
        if value and len(value) < min_len:
            return self.error(name, "is shorter than %d characters." % min_len)
        return True

    def user(self, name, value):
        if not self.text(name, value, empty=False, pattern=USER_NAME,
                         hint="a user name of lowercase letters, digits, '_' and '-' (not starting with '-'), at most 32 characters"):
            return False
        if value == "root":
            return self.error(name, "must not be root: the gateway runs AI agents with shell tools as this user.")
        return True

    def version(self, name, value, pattern=RELEASE, example="2026.9.6", empty=False):
        return self.text(name, value, empty=empty, max_len=64, pattern=pattern, hint="an exact version such as %s" % example)

    def abs_path(self, name, value, empty=False):
        """An absolute path without '.' or '..' segments (no control characters, no leading '-')."""
        if not self.text(name, value, empty=empty):
            return False
        if not value:
            return True
        if not value.startswith("/"):
            return self.error(name, "must be an absolute path, got %s." % show(value))
        if any(part in (".", "..") for part in value.split("/")):
            return self.error(name, "must not contain '.' or '..' segments, got %s." % show(value))
        if value.rstrip("/") == "":
            return self.error(name, "must not be /.")
        return True

    def host(self, name, value, empty=False):
        """A DNS name (ASCII letters, digits, inner hyphens) or an IP address; no port, no zone id."""
        if not self.text(name, value, empty=empty, max_len=253):
            return False
        if not value or full(HOST_NAME, value) or is_ip(value):
            return True
        return self.error(name, "must be a host name (ASCII letters, digits, '-' and '.') or an IP address, got %s." % show(value))

    def domain_suffix(self, name, value):
        return self.text(name, value, empty=False, max_len=254, pattern=DOMAIN_SUFFIX,
                         hint="a domain suffix (ASCII labels of letters, digits and inner hyphens, optional leading dot)")

    def url(self, name, value, schemes=("http", "https"), empty=True, userinfo=True):
        """An absolute http(s) URL with a host; percent-encodings allowed, nothing a file format could read as syntax."""
        # secret: a URL may carry a proxy or mirror password; only the redacted form is ever shown.
        if not self.text(name, value, secret=True, empty=empty, max_len=2048):
            return False
        if not value:
            return True
        match = re.match("(" + "|".join(schemes) + ")" + _URL_TAIL, value)
        if not match:
            return self.error(name, "must be a %s URL with a host (ASCII, no spaces), got %s."
                              % (" or ".join(s + "://" for s in schemes), show(redact_userinfo(value))))
        if match.group(2) and not userinfo:
            return self.error(name, "must not carry credentials.")
        host = match.group(3)
        if host.startswith("[") and not is_ip(host[1:-1]):
            return self.error(name, "has a malformed IPv6 address.")
        if match.group(4) is not None and not 1 <= int(match.group(4)) <= 65535:
            return self.error(name, "has a port outside 1-65535.")
        return True

    def str_list(self, name, value, each):
        """A list of strings, each checked by `each(label, item)`."""
        if not isinstance(value, list):
            return self.error(name, "must be a list, got %s." % type_name(value))
        ok = True
        for index, item in enumerate(value):
            ok = each("%s[%d]" % (name, index), item) and ok
        return ok

    # --- mappings ------------------------------------------------------------------------

    def environment(self, name, value):
        """Environment for a systemd drop-in: names by allowlist, values scalar without control characters."""
        if not isinstance(value, dict):
            return self.error(name, "must be a mapping of variable names to values, got %s." % type_name(value))
        ok = True
        for key, item in value.items():
            if not full(ENV_NAME, key):
                ok = self.error(name, "key %s is not a valid environment name ([A-Za-z_][A-Za-z0-9_]*)." % show(key))
                continue
            if isinstance(item, bool) or not (is_text(item) or isinstance(item, (int, float))):
                ok = self.error("%s.%s" % (name, key), "must be a string or a number, got %s." % type_name(item))
            elif is_text(item):
                ok = self.text("%s.%s" % (name, key), item, secret=True) and ok
        return ok

    def service_limits(self, name, value):
        if not isinstance(value, dict):
            return self.error(name, "must be a mapping of systemd resource directives, got %s." % type_name(value))
        ok = True
        for key, item in value.items():
            if not is_text(key) or key not in SERVICE_LIMITS:
                ok = self.error(name, "key %s is not an allowed systemd resource directive (one of %s)."
                                % (show(key), ", ".join(sorted(SERVICE_LIMITS))))
                continue
            text = str(item) if isinstance(item, int) and not isinstance(item, bool) else item
            if not self.text("%s.%s" % (name, key), text, empty=False, max_len=64, pattern=SERVICE_LIMITS[key],
                             hint="a valid %s value" % key):
                ok = False
        return ok

    def mapping_keys(self, name, value, _depth=0):
        """Keys of a nested settings mapping: non-empty strings without control characters."""
        if not isinstance(value, dict):
            return self.error(name, "must be a mapping, got %s." % type_name(value)) if _depth == 0 else True
        ok = True
        for key, item in value.items():
            if not is_text(key) or not key or has_control(key) or len(key) > 256:
                ok = self.error(name, "has a key %s that is empty, not a string or holds a control character." % show(key))
            elif isinstance(item, dict):
                ok = self.mapping_keys("%s.%s" % (name, key), item, _depth + 1) and ok
        return ok


def is_ip(value):
    if not is_text(value) or "%" in value:
        return False
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def redact_userinfo(url):
    return re.sub(r"(://)[^/@]*@", r"\1***@", url) if is_text(url) else url


def no_proxy_entry(check, name, value):
    """NO_PROXY entry: `*`, a host or domain suffix (optional :port), an IP address or a CIDR block."""
    if not check.text(name, value, empty=False, max_len=260):
        return False
    if value == "*" or full(r"\.?%s(?::[0-9]{1,5})?" % HOST_NAME.pattern[:-2], value) or is_ip(value):
        return True
    bracketed = re.match(r"\[([0-9A-Fa-f:.]+)\](?::[0-9]{1,5})?\Z", value)
    if bracketed and is_ip(bracketed.group(1)):
        return True
    if "/" in value and "%" not in value:
        try:
            ipaddress.ip_network(str(value), strict=False)
            return True
        except ValueError:
            pass
    return check.error(name, "must be a host, a domain suffix such as .example.com, an IP address or a CIDR block (no spaces or commas), got %s."
                       % show(value))


# --- one function per role ---------------------------------------------------------------

def gateway_errors(v):
    c = Checker()
    c.user("gateway_user", v["gateway_user"])
    c.boolean("gateway_user_create", v["gateway_user_create"])
    c.boolean("gateway_user_allow_login_shell", v["gateway_user_allow_login_shell"])
    c.version("gateway_version", v["gateway_version"])
    c.abs_path("gateway_npm_prefix", v["gateway_npm_prefix"])
    c.url("gateway_npm_registry", v["gateway_npm_registry"])
    c.str_list("gateway_npm_allow_scripts", v["gateway_npm_allow_scripts"],
               lambda n, i: c.text(n, i, empty=False, max_len=214, pattern=NPM_PACKAGE, hint="an npm package name"))
    c.integer("gateway_npm_fetch_timeout", v["gateway_npm_fetch_timeout"], 10, 3600)
    c.abs_path("gateway_ca_bundle", v["gateway_ca_bundle"], empty=True)
    c.abs_path("gateway_node_executable", v["gateway_node_executable"], empty=True)
    c.port("gateway_port", v["gateway_port"])
    bind, mode = v["gateway_bind"], v["gateway_auth_mode"]
    c.choice("gateway_bind", bind, ["loopback", "lan", "auto", "custom", "tailnet"])
    c.choice("gateway_auth_mode", mode, ["token", "password", "none"])
    c.host("gateway_custom_bind_host", v["gateway_custom_bind_host"], empty=True)
    if bind == "custom" and not v["gateway_custom_bind_host"]:
        c.error("gateway_bind=custom", "needs gateway_custom_bind_host.")
    if bind != "loopback" and mode == "none":
        c.error("gateway_bind=%s" % show(bind), "exposes the gateway beyond loopback, so gateway_auth_mode must not be none"
                " (OpenClaw would refuse to start: exit 78).")
    c.secret("gateway_auth_token", v["gateway_auth_token"])
    # A password guards a bind beyond loopback as much as a token does.
    c.secret("gateway_auth_password", v["gateway_auth_password"], min_len=SECRET_MIN if bind != "loopback" else 8)
    if mode == "password" and not v["gateway_auth_password"]:
        c.error("gateway_auth_mode=password", "needs gateway_auth_password (vault it).")
    c.mapping_keys("gateway_config_settings", v["gateway_config_settings"])
    proxy = v["gateway_proxy_url"]
    if c.url("gateway_proxy_url", proxy) and proxy and not proxy.startswith(("http://", "https://")):
        c.error("gateway_proxy_url", "must be an http:// or https:// URL.")

    def entry(label, item):
        return no_proxy_entry(c, label, item)

    no_proxy_ok = c.str_list("gateway_no_proxy", v["gateway_no_proxy"], entry)
    no_proxy_ok = c.str_list("gateway_no_proxy_extra", v["gateway_no_proxy_extra"], entry) and no_proxy_ok
    proxied_ok = c.str_list("gateway_proxied_domains", v["gateway_proxied_domains"], c.domain_suffix)
    if c.environment("gateway_environment", v["gateway_environment"]):
        overriding = sorted(k for k in v["gateway_environment"] if k.lower() == "all_proxy")
        if overriding:
            c.error("gateway_environment", "must not set %s: it overrides the split routing and drags channel WebSockets"
                    " through the proxy." % ", ".join(overriding))
    c.service_limits("gateway_service_limits", v["gateway_service_limits"])
    for name in ("gateway_memory_high", "gateway_memory_max"):
        if v[name] != "":
            c.text(name, v[name], empty=False, max_len=32, pattern=SERVICE_LIMITS["MemoryMax"],
                   hint="a share of the host's RAM such as 85%, a size such as 1500M, infinity, or empty")
    if v["gateway_journal_max_use"] != "":
        c.text("gateway_journal_max_use", v["gateway_journal_max_use"], empty=False, max_len=16, pattern=r"[0-9]{1,6}[KMGT]?",
               hint="a journald size such as 500M, or empty")
    if v["gateway_journal_max_retention"] != "":
        c.text("gateway_journal_max_retention", v["gateway_journal_max_retention"], empty=False, max_len=16,
               pattern=r"[0-9]{1,6}(s|min|h|day|week|month|year)?", hint="a journald time span such as 14day, or empty")
    c.integer("gateway_ready_timeout", v["gateway_ready_timeout"], 1, 86400)
    c.abs_path("gateway_unit_copy_dir", v["gateway_unit_copy_dir"])
    c.abs_path("gateway_config_known_good_dir", v["gateway_config_known_good_dir"])
    c.integer("gateway_config_known_good_keep", v["gateway_config_known_good_keep"], 1, 10000)
    c.integer("gateway_config_known_good_max_age_days", v["gateway_config_known_good_max_age_days"], 1, 36500)
    if proxy and no_proxy_ok and proxied_ok:
        for proxied in v["gateway_proxied_domains"]:
            for direct in list(v["gateway_no_proxy"]) + list(v["gateway_no_proxy_extra"]):
                p, d = proxied.lower().lstrip("."), direct.lower().lstrip(".")
                if p == d or p.endswith("." + d) or d.endswith("." + p):
                    c.error("gateway_proxied_domains", "entry %s is also in NO_PROXY (entry %s), so it would never use the relay."
                            % (proxied, direct))
    return c.errors


def node_errors(v):
    c = Checker()
    method = v["node_install_method"]
    c.choice("node_install_method", method, ["nodesource", "archive", "system"])
    version = v["node_version"]
    if method == "archive" or (method == "nodesource" and version != ""):
        c.version("node_version", version, pattern=EXACT_VERSION, example="24.19.0")
    elif method == "nodesource" and c.text("node_version", version):
        pass
    c.integer("node_nodesource_major", v["node_nodesource_major"], 1, 999)
    c.url("node_nodesource_key_url", v["node_nodesource_key_url"], empty=False, userinfo=False)
    # Written into a deb822 sources file: a newline would add fields such as `Trusted: yes`.
    c.url("node_nodesource_repo_url", v["node_nodesource_repo_url"], empty=False)
    if method == "archive":
        c.url("node_archive_url", v["node_archive_url"], empty=True)
        c.text("node_archive_src", v["node_archive_src"], max_len=4096)
        checksum = v["node_archive_checksum"]
        if c.text("node_archive_checksum", checksum, empty=False, max_len=140):
            algo, _sep, digest = checksum.partition(":")
            if algo not in CHECKSUM or len(digest) != CHECKSUM[algo] or not full(HEX, digest):
                c.error("node_archive_checksum", "must be <algorithm>:<hex> with one of %s and a digest of the right length, got %s."
                        % (", ".join(sorted(CHECKSUM)), show(checksum)))
    c.abs_path("node_archive_install_dir", v["node_archive_install_dir"])
    c.abs_path("node_archive_cache_dir", v["node_archive_cache_dir"])
    return c.errors


def egress_errors(v):
    c = Checker()
    c.choice("egress_state", v["egress_state"], ["present", "absent"])
    if v["egress_state"] != "present":
        return c.errors
    if not v["egress_relay_host"]:
        c.error("egress_relay_host", "is required (address of the Shadowsocks relay).")
    else:
        c.host("egress_relay_host", v["egress_relay_host"])
    c.secret("egress_password", v["egress_password"], empty=False)
    aead = ["chacha20-ietf-poly1305", "aes-256-gcm", "aes-128-gcm"]
    if v["egress_method"] not in aead:
        c.error("egress_method", "%s is not an AEAD cipher; use one of %s." % (show(v["egress_method"]), ", ".join(aead)))
    for name in ("egress_relay_port", "egress_socks_port", "egress_privoxy_port"):
        c.port(name, v[name])
    if str(v["egress_socks_port"]) == str(v["egress_privoxy_port"]):
        c.error("egress_socks_port", "and egress_privoxy_port must differ.")
    c.integer("egress_privoxy_socket_timeout", v["egress_privoxy_socket_timeout"], 1, 86400)
    c.str_list("egress_proxied_domains", v["egress_proxied_domains"], c.domain_suffix)
    c.str_list("egress_proxied_domains_extra", v["egress_proxied_domains_extra"], c.domain_suffix)
    # Privoxy's own reading of a rule (one token per field) lives with the Privoxy parser.
    c.errors.extend(privoxy_rule_problems(v["egress_forward_rules"]))
    c.integer("egress_privoxy_backup_keep", v["egress_privoxy_backup_keep"], 1, 999)
    c.integer("egress_privoxy_backup_max_age_days", v["egress_privoxy_backup_max_age_days"], 0, 36500)
    return c.errors


def auth_errors(v):
    c = Checker()
    c.user("auth_user", v["auth_user"])
    c.boolean("auth_backup", v["auth_backup"])
    c.abs_path("auth_backup_dir", v["auth_backup_dir"], empty=True)
    c.integer("auth_backup_keep", v["auth_backup_keep"], 1, 10000)
    c.integer("auth_backup_max_age_days", v["auth_backup_max_age_days"], 0, 36500)
    profiles = v["auth_profiles"]
    ids, present = [], set()
    if not isinstance(profiles, list):
        c.error("auth_profiles", "must be a list, got %s." % type_name(profiles))
        profiles = []
    for index, item in enumerate(profiles):
        label = "auth_profiles[%d]" % index
        if not isinstance(item, dict):
            c.error(label, "must be a mapping, got %s." % type_name(item))
            continue
        unknown = sorted(str(k) for k in item if k not in ("id", "secret", "mode", "update_secret", "state"))
        if unknown:
            c.error(label, "has unknown keys %s." % ", ".join(unknown))
        pid = item.get("id")
        if not c.text(label + ".id", pid, empty=False, max_len=256):
            continue
        if not full(PROFILE_ID, pid):
            c.error(label + ".id", "%s is not provider:name (lowercase provider, e.g. openai:backup)." % show(pid))
            continue
        ids.append(pid)
        label = "auth_profiles[%s]" % pid
        if "secret" in item:
            c.secret(label + ".secret", item["secret"], min_len=1, empty=False)
        c.choice(label + ".mode", item.get("mode", "api_key"), ["api_key", "token"])
        c.choice(label + ".update_secret", item.get("update_secret", "on_create"), ["on_create", "always"])
        if c.choice(label + ".state", item.get("state", "present"), ["present", "absent"]) and item.get("state", "present") == "present":
            present.add(pid)
    for pid in sorted(set(i for i in ids if ids.count(i) > 1)):
        c.error("auth_profiles", "profile id %s is listed more than once." % pid)
    order = v["auth_order"]
    if not isinstance(order, dict):
        c.error("auth_order", "must be a mapping of provider to profile ids, got %s." % type_name(order))
        return c.errors
    for provider, names in order.items():
        label = "auth_order.%s" % provider if is_text(provider) and not has_control(provider) else "auth_order"
        if not c.text(label, provider, empty=False, max_len=128, pattern=PROVIDER, hint="a lowercase provider name"):
            continue
        if not isinstance(names, list):
            c.error(label, "must be a list of profile ids, got %s." % type_name(names))
            continue
        for pid in names:
            if not c.text(label, pid, empty=False, max_len=256, pattern=PROFILE_ID, hint="a list of provider:name ids"):
                continue
            if pid not in present:
                c.error(label, "names %s, which is not a present profile in auth_profiles." % pid)
            if not pid.startswith(provider + ":"):
                c.error(label, "names %s, a profile of another provider." % pid)
    return c.errors


def remediate_errors(v):
    c = Checker()
    c.user("remediate_user", v["remediate_user"])
    c.port("remediate_port", v["remediate_port"])
    c.number("remediate_probe_timeout", v["remediate_probe_timeout"], maximum=600)
    c.number("remediate_event_loop_delay_threshold_ms", v["remediate_event_loop_delay_threshold_ms"], maximum=600000)
    # A negative stop timeout makes `timeout` exit 125 and the gateway is killed at once.
    c.integer("remediate_stop_timeout", v["remediate_stop_timeout"], 1, 3600)
    c.integer("remediate_ready_timeout", v["remediate_ready_timeout"], 1, 86400)
    for name in ("remediate_unit_copy_dir", "remediate_backup_dir", "remediate_diagnostics_dir"):
        c.abs_path(name, v[name])
    c.abs_path("remediate_config_known_good_dir", v["remediate_config_known_good_dir"])
    c.boolean("remediate_config_restore_trust_user_backups", v["remediate_config_restore_trust_user_backups"])
    c.integer("remediate_config_max_age_days", v["remediate_config_max_age_days"], 1, 36500)
    # keep 0 or -1 would delete the backup, bundle or copy just written.
    for name in ("remediate_backup_keep", "remediate_diagnostics_keep", "remediate_config_keep"):
        c.integer(name, v[name], 1, 10000)
    for name in ("remediate_backup_max_age_days", "remediate_diagnostics_max_age_days"):
        c.integer(name, v[name], 0, 36500)
    return c.errors


def doctor_errors(v):
    c = Checker()
    c.user("doctor_user", v["doctor_user"])
    c.abs_path("doctor_report_dir", v["doctor_report_dir"])
    c.number("doctor_probe_timeout", v["doctor_probe_timeout"], maximum=600)
    c.number("doctor_event_loop_delay_threshold_ms", v["doctor_event_loop_delay_threshold_ms"], maximum=600000)
    for name in ("doctor_openclaw_doctor", "doctor_validate_config", "doctor_gather_auth", "doctor_fail_on_error"):
        c.boolean(name, v[name])
    return c.errors


ROLE_VALIDATORS = dict(gateway=gateway_errors, node=node_errors, egress=egress_errors, auth=auth_errors,
                       remediate=remediate_errors, doctor=doctor_errors, relay=relay_problems)


def role_errors(role, values):
    """Errors of a role's variables; a variable the caller forgot to pass is an error of the caller."""
    try:
        return ROLE_VALIDATORS[role](values)
    except KeyError as exc:
        return ["%s: the preflight did not pass variable %s to the validation." % (role, exc)]
