"""Seed 002 on the real gateway: a stored-and-registered backup key makes rotation work."""

import json
import os
import shlex
import subprocess
import time

import pytest

from clawops_testlib import CONVERGE, INVENTORY, as_user, assert_refused, extra_vars, gather_facts, playbook

KEY_A = "sk-clawops-test-KEY-A-000000000000000000a1"
KEY_B = "sk-clawops-test-KEY-B-000000000000000000b2"
KEY_B2 = "sk-clawops-test-KEY-B-rotated-0000000000b3"
CONFIG = "/home/openclaw/.openclaw/openclaw.json"
PROFILE_A = {"id": "fake:a", "secret": KEY_A}
PROFILE_B = {"id": "fake:b", "secret": KEY_B}
ROTATE = "clawops.openclaw.rotate_auth"
CHAT = "agent:main:chat"      # a chat-style session: OpenClaw pins its auth profile automatically
MINE = "agent:main:mine"      # a session whose user chose a profile with /model ...@profile
BACKUPS = "/home/openclaw/clawops-backups"


def cli_json(host, command):
    out = as_user(host, command)
    assert out.rc == 0, out.stdout + out.stderr
    return json.loads(out.stdout[out.stdout.index("{"):])


def agent_turn(host):
    out = as_user(host, "openclaw agent --agent main --message ping --json --timeout 90")
    text = out.stdout[out.stdout.index("{"):] if "{" in out.stdout else "{}"
    return json.loads(text)


def chat_send(host, session, message):
    """What a chat channel does: chat.send (returns at once; the turn runs in the gateway)."""
    params = json.dumps({"sessionKey": session, "message": message, "idempotencyKey": "t%d" % time.time_ns()})
    assert cli_json(host, "openclaw gateway call chat.send --params %s --json" % shlex.quote(params))["status"] == "started"


def wait_for(probe, timeout=90):
    deadline = time.time() + timeout
    while True:
        value = probe()
        if value or time.time() > deadline:
            return value
        time.sleep(1)


def session_pins(host):
    """{session key: [profile, source]} read straight from OpenClaw's session store (read-only, as its owner)."""
    script = ("import json, sqlite3; c = sqlite3.connect('file:/home/openclaw/.openclaw/agents/main/agent/openclaw-agent.sqlite?mode=ro', uri=True); "
              "rows = [(k, json.loads(e)) for k, e in c.execute('select session_key, entry_json from session_nodes')]; "
              "print(json.dumps({k: [e.get('authProfileOverride'), e.get('authProfileOverrideSource')] for k, e in rows}))")
    return json.loads(host.check_output("runuser -u openclaw -- python3 -c %s" % shlex.quote(script)))


def stored_auth(host):
    """The stored profiles as OpenClaw keeps them (its state database, `authProfiles.store`, read-only as its owner):
    {"ids": sorted profile ids, "sha256": of the whole store, secrets and order included}. Cheaper than
    `openclaw models auth list` (a CLI start of ~9 CPU s), and it sees a changed secret, which the list does not."""
    script = ("import hashlib, json, sqlite3; c = sqlite3.connect('file:/home/openclaw/.openclaw/state/openclaw.sqlite?mode=ro', uri=True); "
              "v = [r[0] for r in c.execute(\"select value_json from config_machine_state where state_key = 'authProfiles.store'\")]; "
              "print(json.dumps({'ids': sorted(json.loads(v[0])['profiles']) if v else [], "
              "'sha256': hashlib.sha256(v[0].encode()).hexdigest() if v else None}))")
    return json.loads(host.check_output("runuser -u openclaw -- python3 -c %s" % shlex.quote(script)))


def config(host):
    return json.loads(host.check_output("cat %s" % CONFIG))


def provider_log(host):
    return [json.loads(line) for line in host.check_output("cat /var/log/fake-openai.jsonl 2>/dev/null || true").splitlines() if line]


def seen_while_a_cools_down(host, refuse, finding):
    """The facts after `refuse()` (a request A's provider refuses with a rate limit) and the finding among them.

    OpenClaw's first rate-limit cooldown lasts 30 s and each further one twice as long (60, 120, 240 s); a refusal
    inside an active window does not extend it. On a busy node the facts can start after the window closed: then A
    is refused again, which opens a window twice as long. Four misses fail the test."""
    for _attempt in range(4):
        refuse()
        auth, found = drift(host)
        if finding in found:
            break
    assert finding in found, auth
    return auth


WATCHDOG_STATE = "/var/lib/clawops-openclaw/watchdog/state.json"
METRICS = "/var/lib/prometheus/node-exporter/clawops_openclaw.prom"


def watchdog_auth_metrics(host):
    """One check of the watchdog (its timer's service) with its auth read made due (it reads the profiles every
    watchdog_auth_interval_s), begun after this call: the openclaw_auth_* samples it wrote, {name{labels}: value}.

    `systemctl start` joins a run of the timer already under way, which read the profiles before this call and
    writes its state last: such a run's samples are dropped (its openclaw_auth_checked_timestamp_seconds is older)."""
    since = float(host.check_output("date +%s.%N"))
    forget = ("import json; p = %r; s = json.load(open(p)); s['auth'] = None; open(p, 'w').write(json.dumps(s))" % WATCHDOG_STATE)
    samples = {}
    for _attempt in range(4):  # a read that failed says so (openclaw_auth_check_ok 0): the next check reads again
        host.run_expect([0], "python3 -c %s" % shlex.quote(forget))
        host.run_expect([0], "systemctl start clawops-openclaw-watchdog.service")
        text = host.check_output("cat %s" % METRICS)
        samples = {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("openclaw_auth")}
        if samples.get("openclaw_auth_check_ok") == 1 and samples.get("openclaw_auth_checked_timestamp_seconds", 0) >= since:
            break
    assert samples.get("openclaw_auth_checked_timestamp_seconds", 0) >= since, ("no watchdog check read the profiles", samples)
    return samples


def test_only_a_registered_and_the_turn_hits_the_rate_limit(host):
    stored = [p["id"] for p in cli_json(host, "openclaw models auth list --json")["profiles"]]
    assert stored == ["fake:a"] and stored_auth(host)["ids"] == stored  # the store the bad-input snapshots read
    assert config(host)["auth"]["profiles"] == {"fake:a": {"provider": "fake", "mode": "api_key"}}

    def refused_turn():
        result = agent_turn(host)
        assert result.get("ok") is False, result
        assert "API rate limit reached" in result["error"]["message"]
        assert provider_log(host)[-1]["limited"] is True

    # The facts see A cooling down after the refused turn, and so does the watchdog without a human, right after it:
    # every profile of the provider unusable (the alert OpenClawProviderUnusable's condition). Both inside the same
    # window: a further refusal would double A's later cooldowns, and the tests after this one count on them.
    samples = {}

    def refused_turn_seen_by_the_watchdog():
        refused_turn()
        samples.clear()
        samples.update(watchdog_auth_metrics(host))

    auth = seen_while_a_cools_down(host, refused_turn_seen_by_the_watchdog, ("profile_unusable", "fake:a"))
    assert [u for u in auth["unusable"] if u["profile_id"] == "fake:a"][0]["reason"] == "rate_limit"
    assert samples.get('openclaw_auth_profiles{provider="fake"}') == 1 and samples.get("openclaw_auth_check_ok") == 1, samples
    assert samples.get('openclaw_auth_profiles_unusable{provider="fake"}') == 1, samples


def test_a_chat_session_stays_pinned_to_the_limited_key(host):
    """Seed 002: the session keeps its automatic pin to A; the facts flag it. A user's own pin is a different thing."""
    chat_send(host, MINE, "/model fake/m1@fake:a")
    assert wait_for(lambda: session_pins(host).get(MINE) == ["fake:a", "user"]), session_pins(host)

    def refused_chat_turn():
        sent = len(provider_log(host))
        chat_send(host, CHAT, "ping")
        assert wait_for(lambda: len(provider_log(host)) > sent)
        assert provider_log(host)[-1]["limited"] is True
        # The pin is stored when the turn ends, after the provider answered: on a busy node that is later.
        assert wait_for(lambda: session_pins(host).get(CHAT) == ["fake:a", "auto"]), session_pins(host)

    auth = seen_while_a_cools_down(host, refused_chat_turn, ("session_pinned_to_unusable", "fake:a"))
    flagged = [d["session_key"] for d in auth["drift"] if d["kind"] == "session_pinned_to_unusable"]
    # The CLI's own agent turns (the test above) run in agent:main:main; whether OpenClaw pinned that session to A
    # before the facts ran depends on timing, so it may be flagged too. The user's choice never is.
    assert CHAT in flagged and MINE not in flagged, flagged
    pins = session_pins(host)
    assert all(pins.get(key) == ["fake:a", "auto"] for key in flagged), (flagged, pins)


def test_rotate_auth_registers_b_resets_automatic_pins_and_backs_up_first(host):
    rc, out, recap = playbook(*extra_vars(auth_profiles=[PROFILE_A, PROFILE_B]), path=ROTATE)
    assert rc == 0, out[-3000:]
    assert recap["changed"] >= 1 and "Rotation ready: stored fake:a, fake:b; registered fake:a, fake:b" in out, out[-3000:]
    assert config(host)["auth"]["profiles"]["fake:b"] == {"provider": "fake", "mode": "api_key"}
    pins = session_pins(host)
    assert pins[CHAT] == [None, None]                 # automatic pin reset through sessions.reset
    assert pins[MINE] == ["fake:a", "user"]           # the user's choice kept
    archives = host.check_output("find %s -name '*-openclaw-backup.tar.gz' -printf '%%m %%u\\n'" % BACKUPS).splitlines()
    assert archives == ["600 openclaw"], archives
    assert host.file(BACKUPS).mode == 0o700 and host.file(BACKUPS).user == "openclaw"
    # The archive is OpenClaw's own and verifies; it holds the credential store taken before B was added.
    assert as_user(host, "openclaw backup verify %s/*-openclaw-backup.tar.gz" % BACKUPS).rc == 0
    sent = len(provider_log(host))
    chat_send(host, CHAT, "ping again")
    answered = {"path": "/v1/chat/completions", "key_suffix": KEY_B[-4:], "limited": False}
    assert wait_for(lambda: len(provider_log(host)) > sent and provider_log(host)[-1] == answered), provider_log(host)[sent:]


def test_the_same_agent_turn_now_succeeds_from_b(host):
    sent = len(provider_log(host))
    result = agent_turn(host)
    assert result.get("status") == "ok", result
    assert result["result"]["payloads"][0]["text"] == "pong from key ...%s" % KEY_B[-4:]
    new = provider_log(host)[sent:]
    # At most one attempt on A (when its cooldown already ran out), then B answers.
    assert new[-1]["key_suffix"] == KEY_B[-4:] and not new[-1]["limited"] and len(new) <= 2, new
    # With B usable the provider has a way out: the watchdog counts two profiles, not all of them unusable.
    samples = watchdog_auth_metrics(host)
    assert samples.get('openclaw_auth_profiles{provider="fake"}') == 2, samples
    assert samples.get('openclaw_auth_profiles_unusable{provider="fake"}', 0) < 2, samples


def test_rerun_is_a_no_op_and_check_mode_reports_nothing(host):
    # Traffic since the last run may have pinned a session to the key that is cooling down again
    # (rotate_auth resets such pins): one run settles that, then nothing is left to do.
    rc, out, recap = playbook(*extra_vars(auth_profiles=[PROFILE_A, PROFILE_B]), path=ROTATE)
    assert rc == 0, out[-3000:]
    archives = host.check_output("ls %s" % BACKUPS)
    for path in (ROTATE, CONVERGE):
        for check in (False, True):
            rc, out, recap = playbook(*extra_vars(auth_profiles=[PROFILE_A, PROFILE_B]), check=check, path=path)
            assert rc == 0 and recap["changed"] == 0, "%s%s: %s" % (os.path.basename(path), " --check" if check else "", out[-3000:])
    assert host.check_output("ls %s" % BACKUPS) == archives  # no backup when nothing changes


def test_changed_key_applies_with_always_and_not_with_on_create(host):
    rotated = dict(PROFILE_B, secret=KEY_B2)
    rc, out, recap = playbook(*extra_vars(auth_profiles=[PROFILE_A, rotated]))
    assert rc == 0 and recap["changed"] == 0, out[-3000:]
    assert agent_turn(host)["result"]["payloads"][0]["text"].endswith(KEY_B[-4:])
    rc, out, recap = playbook(*extra_vars(auth_profiles=[PROFILE_A, dict(rotated, update_secret="always")]))
    assert rc == 0 and recap["changed"] == 1, out[-3000:]
    assert agent_turn(host)["result"]["payloads"][0]["text"].endswith(KEY_B2[-4:])


def test_order_is_set_and_cleared_for_round_robin(host):
    profiles = [PROFILE_A, dict(PROFILE_B, secret=KEY_B2)]
    rc, out, recap = playbook(*extra_vars(auth_profiles=profiles, auth_order={"fake": ["fake:b", "fake:a"]}))
    assert rc == 0, out[-3000:]
    assert config(host)["auth"]["order"]["fake"] == ["fake:b", "fake:a"]
    rc, out, recap = playbook(*extra_vars(auth_profiles=profiles, auth_order={"fake": []}))
    assert rc == 0, out[-3000:]
    assert "fake" not in config(host).get("auth", {}).get("order", {})


def drift(host):
    facts = gather_facts(host, user="openclaw", validate_config="false", gather_auth="true")
    return facts["auth"], {(d["kind"], d.get("profile_id") or d.get("provider") or d.get("path")) for d in facts["auth"]["drift"]}


def test_facts_report_auth_drift_and_the_role_repairs_it(host):
    profiles = [PROFILE_A, dict(PROFILE_B, secret=KEY_B2)]
    auth, found = drift(host)
    assert auth["stored"] == ["fake:a", "fake:b"] and auth["registered"] == ["fake:a", "fake:b"]
    assert not [d for d in found if d[0] in ("stored_not_registered", "registered_not_stored", "order_excludes_stored")]
    # Seed 002: the backup key is stored but its registration is gone.
    as_user(host, "echo '{auth: {profiles: {\"fake:b\": null}}}' | openclaw config patch --stdin")
    auth, found = drift(host)
    assert ("stored_not_registered", "fake:b") in found
    # An explicit order that leaves a stored profile out of rotation.
    rc, out, recap = playbook(*extra_vars(auth_profiles=profiles, auth_order={"fake": ["fake:b"]}))
    assert rc == 0, out[-3000:]
    auth, found = drift(host)
    assert ("stored_not_registered", "fake:b") not in found  # the role registered it again
    assert ("order_excludes_stored", "fake") in found
    # A legacy auth-profiles.json: OpenClaw 2026.9.6 refuses every auth command until it is migrated.
    legacy = "/home/openclaw/.openclaw/agents/main/agent/auth-profiles.json"
    host.run_expect([0], "echo '{\"profiles\": {\"fake:legacy\": {\"type\": \"api_key\"}}}' > %s && chown openclaw: %s" % (legacy, legacy))
    try:
        auth, found = drift(host)
        assert ("legacy_not_imported", legacy) in found
        assert ("legacy_migration_required", None) in found
    finally:
        host.run_expect([0], "rm -f %s" % legacy)
    rc, out, recap = playbook(*extra_vars(auth_profiles=profiles, auth_order={"fake": []}))
    assert rc == 0, out[-3000:]
    auth, found = drift(host)
    # What is left is A's cooldown, when the turns of the tests before ran into it again: A unusable, and a session
    # OpenClaw pinned to A meanwhile (rotate_auth resets such pins; site.yml leaves sessions alone). No drift.
    assert not [d for d in found if d[0] not in ("profile_unusable", "session_pinned_to_unusable")], found
    assert {d[1] for d in found} <= {"fake:a"}, found
    assert "sk-" not in json.dumps(auth)


@pytest.mark.parametrize("bad_vars, message", [
    ({"auth_profiles": [PROFILE_A, PROFILE_A]}, "listed more than once"),
    ({"auth_profiles": [{"id": "Fake-A", "secret": KEY_A}]}, "is not provider:name"),
    ({"auth_profiles": [PROFILE_A], "auth_order": {"fake": ["fake:a", "fake:zz"]}}, "fake:zz, which is not a present profile"),
], ids=["duplicate-id", "malformed-id", "order-names-unknown-profile"])
@pytest.mark.parametrize("path", [ROTATE, None], ids=["rotate_auth", "site"])
def test_bad_input_refused_before_any_change(host, bad_vars, message, path):
    def snapshot():
        stored = stored_auth(host)
        assert stored["ids"] == ["fake:a", "fake:b"], stored  # what the tests before this one registered
        return host.check_output("sha256sum %s; ls %s" % (CONFIG, BACKUPS)), stored, session_pins(host)
    assert_refused(bad_vars, message, snapshot, path=path or CONVERGE)


def test_secrets_absent_from_verbose_output_and_world_readable_files(host):
    """-vvv of a run that writes a secret, and every world-readable file on the node."""
    output = ""
    for path in (CONVERGE, ROTATE):  # each writes a secret (always) and rotate_auth also backs up and resets pins
        rotated = dict(PROFILE_B, secret=KEY_B2 if path == ROTATE else KEY_B, update_secret="always")
        proc = subprocess.run(["ansible-playbook", "-vvv", "-i", INVENTORY, path, "-e", json.dumps({"auth_profiles": [PROFILE_A, rotated]})],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900, check=False)
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert "openclaw_session_pins" in proc.stdout or path == CONVERGE
        output += proc.stdout
    for key in (KEY_A, KEY_B, KEY_B2):
        assert key not in output
        found = host.run("find / -xdev \\( -path /proc -o -path /sys \\) -prune -o -type f -perm -o+r -size -50M -print0 "
                         "| xargs -0 grep -lF -- %s" % key)
        assert found.stdout.strip() == "", "%s... found in %s" % (key[:12], found.stdout)
        # The key goes in two halves so that this probe's own command line cannot match it.
        half = len(key) // 2
        probe = host.run("python3 -c 'import glob, sys; k = sys.argv[1] + sys.argv[2]; "
                         "print([p for p in glob.glob(\"/proc/[0-9]*/cmdline\") if k.encode() in open(p, \"rb\").read()])' %s %s"
                         % (key[:half], key[half:]))
        assert probe.rc == 0 and probe.stdout.strip() == "[]", probe.stdout + probe.stderr
