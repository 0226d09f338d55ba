# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Secret redaction by key name AND value shape (issue 11, rule 2d)."""

import json

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    REDACTED, is_secret_env, is_secret_key, redact_env, redact_tree, redact_value, secret_leaves,
)

S = "SENTINEL-7d1e"  # every secret below contains it


@pytest.mark.parametrize("name", [
    "encryptKey", "encrypt_key", "verificationToken", "appSecret", "credentials", "Authorization", "authorization",
    "Proxy-Authorization", "cookie", "Set-Cookie", "X-Api-Key", "x-goog-api-key", "refreshToken", "accessTokens",
    "webhookUrl", "webhook", "sig", "signature", "privateKey", "passphrase", "dsn", "key", "OPENROUTER_KEY",
    "FEISHU_ENCRYPT_KEY", "signingKey", "botToken", "clientSecret",
])
def test_secret_names(name):
    assert is_secret_key(name) is True


@pytest.mark.parametrize("name", ["mode", "port", "tokenFile", "secrets", "passwordHint", "keys", "bind", "baseUrl",
                                  "allowedOrigins", "name", "auth", "headers", "url", "id", "source", 7, None])
def test_not_secret_names(name):
    assert is_secret_key(name) is False


@pytest.mark.parametrize("name", ["OPENROUTER_KEY", "FEISHU_ENCRYPT_KEY", "OPENCLAW_GATEWAY_TOKEN", "GH_TOKEN_2", "DB_PASS",
                                  "SESSION_COOKIE", "AWS_SECRET_ACCESS_KEY", "OPENCLAW_AUTH", "MY_API_KEY"])
def test_secret_env_names(name):
    assert is_secret_env(name) is True


@pytest.mark.parametrize("name", ["PATH", "HOME", "NO_PROXY", "HTTPS_PROXY", "NODE_OPTIONS", "NODE_EXTRA_CA_CERTS", "OPENCLAW_STATE_DIR"])
def test_not_secret_env_names(name):
    assert is_secret_env(name) is False


SECRET_VALUES = [
    "Bearer %s-abcdef" % S,
    "bearer %sabcdef" % S,
    "Authorization: Basic dXNlcjp%s" % S,
    "https://generativelanguage.googleapis.com/v1?key=%s&alt=json" % S,
    "wss://gw.example/socket?token=%s" % S,
    "https://x.example/cb?sig=%s#frag" % S,
    "https://x.example/cb?a=1&access_token=%s" % S,
    "https://x.example/cb?client_secret=%s" % S,
    "http://user:%s@proxy:3128" % S,
    "http://user:p@ss%s@proxy:3128/" % S,
    "fetch via https://bob:%s@api.example/v1 failed" % S,
    "socks5h://%s@127.0.0.1:1080" % S,
    "sk-ant-api03-%s-0123456789abcdef" % S,
    "sk-or-v1-%s0123456789abcdef" % S,
    "xoxb-1234-%s-abcd" % S,
    "ghp_%s0123456789abcdefABCDEF" % S.replace("-", ""),
    "AIza%s0123456789abcdefghijklmnopq" % S.replace("-", ""),
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIi%s.c2lnbmF0dXJlMTIz" % S.replace("-", ""),
    "123456789:AA%s0123456789abcdefghijklmnop" % S.replace("-", ""),
    # PEM armour around the sentinel only (no key material), assembled so that no line reads as a committed key.
    "-----BEGIN " + "PRIVATE KEY-----\nMIIE%s\n-----END " % S + "PRIVATE KEY-----",
    "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3Blb%s" % S,
    "prefix Q9x%s7Kp2mZ4vN8wR1tY6uI3oP5aS0dFgHjK tail" % S.replace("-", ""),
]


@pytest.mark.parametrize("value", SECRET_VALUES)
def test_redact_value_masks_secret_shapes(value):
    out = redact_value(value)
    assert S not in out and S.replace("-", "") not in out
    assert REDACTED in out


@pytest.mark.parametrize("value", [
    "http://127.0.0.1:8118", "http://proxy.example:3128/", "localhost,127.0.0.1,::1,.feishu.cn,api.telegram.org",
    "/home/openclaw/.openclaw/openclaw.json", "--max-old-space-size=4096 --enable-source-maps", "openai:default",
    "2026.9.6", "123e4567-e89b-12d3-a456-426614174000", "loopback", "https://api.example/v1?model=gpt&stream=true",
    "Token expired for profile openai:default", "gateway.auth.token", "",
    "OPENCLAW_STATE_DIR=/tmp/pytest-of-root/pytest-48/Test_cli_state_dir_exported_in0/home/openclaw/.openclaw",
])
def test_redact_value_keeps_ordinary_values(value):
    assert redact_value(value) == value


def test_redact_value_non_strings():
    assert redact_value(None) is None and redact_value(5) == 5


CONFIG = {
    "gateway": {"mode": "local", "auth": {"mode": "token", "token": "t-" + S}},
    "channels": {"feishu": {"appId": "cli_a1", "appSecret": "a-" + S, "encryptKey": "e-" + S, "verificationToken": "v-" + S}},
    "models": {"providers": {
        "google": {"baseUrl": "https://generativelanguage.googleapis.com/v1?key=%s" % S, "api": "google"},
        "custom": {"baseUrl": "https://llm.example", "headers": {"Authorization": "Bearer " + S, "X-Trace": "on"}},
        "vertex": {"credentials": {"client_email": "x@y", "private_key_id": "k-" + S, "nested": [{"refresh": "r-" + S}]}},
    }},
    "hooks": {"mappings": [{"url": "https://u:%s@hooks.example/x" % S}]},
    "secretsRef": {"apiKey": {"source": "env", "provider": "default", "id": "OPENAI_API_KEY"}},
}


def test_redact_tree_config_sentinels():
    """The variants issue 11 found leaking: encryptKey, credentials, headers.Authorization, ?key= in URLs."""
    out = redact_tree(CONFIG)
    dumped = json.dumps(out)
    assert S not in dumped
    assert out["gateway"]["mode"] == "local" and out["gateway"]["auth"]["mode"] == "token"
    assert out["channels"]["feishu"]["appId"] == "cli_a1"
    assert out["models"]["providers"]["custom"]["headers"]["X-Trace"] == "on"
    assert out["models"]["providers"]["google"]["baseUrl"] == "https://generativelanguage.googleapis.com/v1?key=" + REDACTED
    assert out["models"]["providers"]["vertex"]["credentials"]["client_email"] == REDACTED
    assert out["secretsRef"]["apiKey"] == {"source": "env", "provider": "default", "id": "OPENAI_API_KEY"}


def test_secret_leaves_are_every_value_redact_tree_hides():
    leaves = secret_leaves(CONFIG)
    assert "local" not in leaves and "token" not in leaves and "cli_a1" not in leaves
    hidden = [leaf for leaf in leaves if S in leaf]
    assert len(hidden) == 9
    assert "OPENAI_API_KEY" not in leaves  # a SecretRef names, it holds nothing


def test_secret_leaves_of_secret_paths():
    assert secret_leaves({"hooks": {"url": "https://public", "port": 80}}, {"hooks.url"}) == {"https://public"}


def test_redact_env_allowlist():
    env = {
        "PATH": "/usr/bin", "HOME": "/home/openclaw", "OPENROUTER_KEY": "or-" + S, "FEISHU_ENCRYPT_KEY": "fe-" + S,
        "SOME_HEADER": "Bearer " + S, "ANTHROPIC_API_KEY": "sk-ant-" + S, "MY_SERVICE_URL": "https://u:%s@x" % S,
        "HTTPS_PROXY": "http://bob:%s@proxy:3128" % S, "NO_PROXY": "localhost", "NODE_OPTIONS": "--max-old-space-size=1024",
        "NODE_EXTRA_CA_CERTS": "/etc/ssl/ca.pem", "OPENCLAW_GATEWAY_TOKEN": "gw-" + S, "OPENCLAW_STATE_DIR": "/srv/oc",
        "OPENCLAW_FEISHU_ENCRYPT_KEY": "x-" + S, "OPENCLAW_EXTRA": "Bearer " + S,
    }
    out = redact_env(env, allowlist=True)
    assert sorted(out) == ["HTTPS_PROXY", "NODE_EXTRA_CA_CERTS", "NODE_OPTIONS", "NO_PROXY", "OPENCLAW_EXTRA",
                           "OPENCLAW_FEISHU_ENCRYPT_KEY", "OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_STATE_DIR"]
    assert S not in json.dumps(out)
    assert out["OPENCLAW_STATE_DIR"] == "/srv/oc" and out["HTTPS_PROXY"] == "http://%s@proxy:3128" % REDACTED
    # Without the allowlist every value is still masked by name or shape.
    assert S not in json.dumps(redact_env(env))
