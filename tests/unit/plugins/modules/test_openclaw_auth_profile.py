# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import stat

import pytest

from ansible_collections.clawops.openclaw.plugins.modules import openclaw_auth_profile
from ansible_collections.clawops.openclaw.tests.unit.plugins.modules.utils import (
    merge_patch, openclaw_argv, run_main,
)

KEY_A = "sk-KEY-A-0000000000000000000001"
KEY_B = "sk-KEY-B-0000000000000000000002"


class FakeOpenClaw:
    """Just enough of the CLI's auth contracts: list/paste/logout/config patch, recording every call."""

    def __init__(self, config_path, stored=(), registered=None):
        self.config_path = config_path
        self.stored = dict((pid, None) for pid in stored)
        self.calls = []
        config = {"auth": {"profiles": registered}} if registered else {}
        with open(config_path, "w") as handle:
            json.dump(config, handle)

    def config(self):
        with open(self.config_path) as handle:
            return json.load(handle)

    def __call__(self, argv, data=None, **kwargs):
        self.calls.append(dict(argv=openclaw_argv(argv), data=data, full=list(argv)))
        argv = openclaw_argv(argv)
        sub = argv[1:4]
        if sub == ["models", "auth", "list"]:
            profiles = [{"id": pid, "provider": pid.split(":")[0], "type": "api_key"} for pid in self.stored]
            return 0, json.dumps({"profiles": profiles}), ""
        if sub[:2] == ["models", "auth"] and sub[2] in ("paste-api-key", "paste-token"):
            pid = argv[argv.index("--profile-id") + 1]
            self.stored[pid] = data.strip()
            config = self.config()
            config.setdefault("auth", {}).setdefault("profiles", {})[pid] = {
                "provider": pid.split(":")[0], "mode": "api_key" if sub[2] == "paste-api-key" else "token"}
            self._write(config)
            return 0, "Auth profile: %s" % pid, ""
        if sub == ["models", "auth", "logout"]:
            pid = argv[4]
            self.stored.pop(pid, None)
            config = self.config()
            config.get("auth", {}).get("profiles", {}).pop(pid, None)
            self._write(config)
            return 0, "", ""
        if argv[1:3] == ["config", "patch"]:
            self._write(merge_patch(self.config(), json.loads(data)))
            return 0, "Applied", ""
        raise AssertionError("unexpected call %r" % (argv,))

    def _write(self, config):
        with open(self.config_path, "w") as handle:
            json.dump(config, handle)


def run(tmp_path, fake, check=False, diff=False, **args):
    return run_main(openclaw_auth_profile.main, fake, tmp_path, check=check, diff=diff, **args)


def test_paste_args_never_carry_the_secret():
    args = openclaw_auth_profile.paste_args("api_key", "openai", "openai:backup", agent="main")
    assert args == ["models", "auth", "paste-api-key", "--provider", "openai", "--profile-id", "openai:backup", "--agent", "main"]
    assert openclaw_auth_profile.paste_args("token", "anthropic", "anthropic:ops")[2] == "paste-token"


def test_every_call_is_bounded_the_writes_too(tmp_path):
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"))
    run(tmp_path, fake, profile_id="google:manual", secret=KEY_A, cli_timeout=7)
    assert [c["full"][:4] for c in fake.calls] == [["timeout", "-k", "2", "7"]] * 2
    assert [c["argv"][1:4] for c in fake.calls] == [["models", "auth", "list"], ["models", "auth", "paste-api-key"]]


def test_create_stores_on_stdin_and_registers(tmp_path):
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"))
    result = run(tmp_path, fake, profile_id="google:manual", secret=KEY_A)
    assert result["changed"] is True and result["actions"] == ["store_secret", "register"]
    paste = [c for c in fake.calls if "paste-api-key" in c["argv"]]
    assert len(paste) == 1 and paste[0]["data"] == KEY_A + "\n"
    assert all(KEY_A not in " ".join(c["argv"]) for c in fake.calls)
    assert fake.config()["auth"]["profiles"]["google:manual"] == {"provider": "google", "mode": "api_key"}
    assert KEY_A not in json.dumps(result)
    fp = tmp_path / ".clawops-auth-fingerprints.json"
    assert stat.S_IMODE(os.stat(str(fp)).st_mode) == 0o600
    assert KEY_A not in fp.read_text()


def test_stored_but_not_registered_gets_registered_without_touching_the_secret(tmp_path):
    """Seed 002: the backup key sat in the store but never joined rotation."""
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"), stored=["google:manual"])
    result = run(tmp_path, fake, profile_id="google:manual", secret=KEY_B)
    assert result["actions"] == ["register"]
    assert not [c for c in fake.calls if "paste-api-key" in c["argv"]]
    assert fake.config()["auth"]["profiles"]["google:manual"]["provider"] == "google"


def test_on_create_is_idempotent_and_always_rewrites_only_a_different_secret(tmp_path):
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"))
    run(tmp_path, fake, profile_id="google:manual", secret=KEY_A)
    assert run(tmp_path, fake, profile_id="google:manual", secret=KEY_B)["changed"] is False  # on_create
    assert fake.stored["google:manual"] == KEY_A
    assert run(tmp_path, fake, profile_id="google:manual", secret=KEY_A, update_secret="always")["changed"] is False
    result = run(tmp_path, fake, profile_id="google:manual", secret=KEY_B, update_secret="always")
    assert result["changed"] is True and result["actions"] == ["store_secret"]
    assert fake.stored["google:manual"] == KEY_B
    assert run(tmp_path, fake, profile_id="google:manual", secret=KEY_B, update_secret="always")["changed"] is False


def test_check_and_diff_mode_write_nothing_and_show_no_secret(tmp_path):
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"))
    result = run(tmp_path, fake, check=True, diff=True, profile_id="google:manual", secret=KEY_A)
    assert result["changed"] is True
    assert [c["argv"][1:4] for c in fake.calls] == [["models", "auth", "list"]]
    assert "<written>" in result["diff"]["after"] and KEY_A not in json.dumps(result)
    assert not (tmp_path / ".clawops-auth-fingerprints.json").exists()


def test_absent_logs_out_and_scrubs(tmp_path):
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"))
    run(tmp_path, fake, profile_id="google:manual", secret=KEY_A)
    result = run(tmp_path, fake, profile_id="google:manual", state="absent")
    assert result["actions"] == ["logout", "unregister"] and "google:manual" not in fake.stored
    assert "google:manual" not in fake.config()["auth"]["profiles"]
    assert run(tmp_path, fake, profile_id="google:manual", state="absent")["changed"] is False


@pytest.mark.parametrize("args, message", [
    ({"profile_id": "nocolon", "secret": KEY_A}, "provider:name"),
    ({"profile_id": "Google:x", "secret": KEY_A}, "provider:name"),
    ({"profile_id": "google:x", "secret": "  "}, "empty"),
    ({"profile_id": "google:x", "secret": "a\nb"}, "control character"),
    ({"profile_id": "google:x", "secret": KEY_A + "\r"}, "secret contains a control character"),
    ({"profile_id": "google:x\n", "secret": KEY_A}, "profile_id contains a control character"),
    ({"profile_id": "google:x", "secret": KEY_A, "agent": "--yes"}, "agent must be an agent id"),
    ({"profile_id": "google:x"}, "secret is required to create"),
])
def test_bad_input_fails_before_any_call(tmp_path, args, message):
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"))
    result = run(tmp_path, fake, **args)
    assert result.get("failed") and message in result["msg"]
    assert not [c for c in fake.calls if c["argv"][1:3] != ["models", "auth"] or c["argv"][3] != "list"]


def test_stored_ids_from_the_facts_spare_the_cli_listing(tmp_path):
    """The auth role passes what openclaw_facts read: a no-op run starts no CLI (each start costs ~10 CPU s)."""
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"), stored=["google:manual"],
                        registered={"google:manual": {"provider": "google", "mode": "api_key"}})
    result = run(tmp_path, fake, profile_id="google:manual", secret=KEY_A, stored_profile_ids=["google:manual", "openai:x"])
    assert result["changed"] is False and fake.calls == []
    # Not among them: stored (one CLI call, the paste), no listing.
    result = run(tmp_path, fake, profile_id="google:other", secret=KEY_B, stored_profile_ids=["google:manual"])
    assert result["actions"] == ["store_secret", "register"]
    assert [c["argv"][1:4] for c in fake.calls] == [["models", "auth", "paste-api-key"]]
    # Another agent's store is not what the facts read: listed as before.
    fake.calls[:] = []
    run(tmp_path, fake, profile_id="google:manual", secret=KEY_A, agent="ops", stored_profile_ids=["google:manual"])
    assert [c["argv"][1:4] for c in fake.calls][:1] == [["models", "auth", "list"]]


def test_malformed_stored_ids_are_refused_before_any_call(tmp_path):
    fake = FakeOpenClaw(str(tmp_path / "openclaw.json"))
    result = run(tmp_path, fake, profile_id="google:manual", secret=KEY_A, stored_profile_ids=["google:manual\n--yes"])
    assert result.get("failed") and "stored_profile_ids[0]" in result["msg"] and fake.calls == []
