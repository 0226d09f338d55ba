"""The service user is untrusted (issue 11, docs/security.md).

As that user, a prompt-injected agent plants links into root-owned places, an EnvironmentFile=
path whose `..` segments climb out of any directory it is concatenated to, and proxy variables in
files it owns. Then every root entry point runs, verbose and with diffs, with sentinel secrets in
every secret-bearing variable, file and config key. Asserted afterwards: nothing outside the
service user's home and the collection's root-only directories changed; the proxy variables in
the user's own files were neutralised and the unconfined one was reported and left alone; no
sentinel reached any play output, doctor report, diagnostics bundle, facts output, argv or
world-readable file.
"""

import json
import os
import shlex
import subprocess
import tempfile

from clawops_testlib import CONVERGE, INVENTORY, USER, UNIT, as_user, user_systemctl

HOME = "/home/%s" % USER
DROPIN_DIR = "%s/.config/systemd/user/%s.d" % (HOME, UNIT)
WORK = "/var/lib/clawops-boundary"           # the test's own root-only directory on the node
SENTINELS_FILE = WORK + "/sentinels"
ARGV_REPORT = WORK + "/argv-hits.jsonl"
ARGV_STOP = WORK + "/argv-stop"
ROOT_ONLY = "/root/clawops-root-only.env"    # root 0600: what a link planted by the user points at
ROOT_MARKER = "ROOTONLY-MARKER-7d1e"
DECOY_DIR = "/etc/clawops-decoy-dir"         # root-owned directories the user's links point at
DECOY_BACKUPS = "/etc/clawops-decoy-backups"
DECOY_LOCKS = "/etc/clawops-decoy-locks"
# Root-owned and world-readable, named by the user's drop-in: systemd loads it, so the facts report the
# proxy variable it sets, but it is outside the home and remediation must leave it alone.
DECOY_ENV = "/etc/clawops-decoy.env"
# Climbs out of any directory the path is appended to: the kernel resolves it through the link
# `l` into the user's home, a string concatenation lands in /etc/cron.d.
TRAVERSAL = HOME + "/l" + "/.." * 8 + "/etc/cron.d/clawops-evil"
TRAVERSAL_TARGET = HOME + "/d/etc/cron.d/clawops-evil"
SNAPSHOT_ROOTS = ["/etc", "/usr", "/var/lib", "/root"]
# The collection's own root-only directories and the test's; ansible's remote temp files;
# systemd's own bookkeeping that changes with every unit start.
SNAPSHOT_EXCLUDES = ["/var/lib/clawops-openclaw", "/var/lib/prometheus/node-exporter/clawops_openclaw.prom", WORK, "/root/.ansible",
                     "/var/lib/systemd/timers",
                     "/var/lib/systemd/random-seed", "/var/lib/systemd/catalog", "/var/lib/private"]

SENTINELS = {
    "gateway_auth_token": "SENTINEL-gateway-token-0001-boundary",
    "gateway_environment.OPENROUTER_KEY": "SENTINEL-environment-openrouter-0002",
    "gateway_environment.FEISHU_ENCRYPT_KEY": "SENTINEL-environment-feishu-0003",
    "auth_profiles[openai:ops]": "sk-SENTINEL-auth-profile-openai-0004",
    "auth_profiles[openai:ops] rotated": "sk-SENTINEL-auth-profile-rotated-0005",
    "gateway.env OPENROUTER_API_KEY": "SENTINEL-gateway-env-openrouter-0006",
    "gateway.env proxy password": "SENTINEL-gateway-env-proxy-password-0007",
    "gateway.env bearer": "SENTINEL-gateway-env-bearer-0008",
    "config models.providers.boundary.baseUrl ?key=": "SENTINEL-config-url-key-0009",
    "config models.providers.boundary.apiKey": "SENTINEL-config-apikey-0010",
    "config models.providers.boundary.headers.Authorization": "SENTINEL-config-header-0011",
}
ROTATE = "clawops.openclaw.rotate_auth"
DOCTOR = "clawops.openclaw.doctor"
REMEDIATE = "clawops.openclaw.remediate"

RUNS = {}      # name -> (rc, output) of every root entry point, filled by the first test
STATE = {}


def root(host, command):
    return host.run_expect([0], command)


def snapshot(host):
    args = " ".join(SNAPSHOT_ROOTS) + "".join(" --exclude %s" % e for e in SNAPSHOT_EXCLUDES)
    return json.loads(host.check_output("python3 /usr/local/lib/boundary_snapshot.py %s" % args))


def run(name, path, *extra, check=False):
    argv = ["ansible-playbook", "-vvv", "--diff", "-i", INVENTORY, path] + list(extra) + (["--check"] if check else [])
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900, check=False)
    RUNS[name] = (proc.returncode, proc.stdout)
    return proc.returncode, proc.stdout


def plant_dropin_dir_link(host):
    """The drop-in directory replaced by a link to a root-owned directory."""
    as_user(host, "mv %s %s.saved && ln -s %s %s" % (DROPIN_DIR, DROPIN_DIR, DECOY_DIR, DROPIN_DIR))
    assert host.file(DROPIN_DIR).is_symlink


def restore_dropin_dir(host):
    out = as_user(host, "rm %s && mv %s.saved %s" % (DROPIN_DIR, DROPIN_DIR, DROPIN_DIR))
    assert out.rc == 0, out.stderr


def stage_gateway_env(host):
    """The user's own gateway.env with secrets and a proxy carrying a password, staged before the argv
    watch starts (its content is on this command line) and moved into place later."""
    gateway_env = ("OPENROUTER_API_KEY=%s\nHTTPS_PROXY=http://ops:%s@127.0.0.1:9\nAPI_AUTH=Bearer %s\n"
                   % (SENTINELS["gateway.env OPENROUTER_API_KEY"], SENTINELS["gateway.env proxy password"],
                      SENTINELS["gateway.env bearer"]))
    out = as_user(host, "umask 077 && printf %%s %s > ~/gateway.env.staged" % shlex.quote(gateway_env))
    assert out.rc == 0, out.stderr


def plant_files(host):
    """Planted into files only: the running gateway keeps its environment (a dead proxy in it would
    stall its start-up), so the planted variables become live at the next restart, remediate's."""
    uid = host.user(USER).uid
    evil_dropin = ("[Service]\nEnvironment=ALL_PROXY=socks5://127.0.0.1:9\nEnvironmentFile=-%s\nEnvironmentFile=-%s\n"
                   % (TRAVERSAL, DECOY_ENV))
    script = "\n".join([
        "set -e",
        # .env is a link to a root-only file that sets ALL_PROXY: root must neither read nor edit it.
        "mkdir -p ~/.openclaw && rm -f ~/.openclaw/.env && ln -s %s ~/.openclaw/.env" % ROOT_ONLY,
        "mkdir -p ~/.config/openclaw && mv ~/gateway.env.staged ~/.config/openclaw/gateway.env",
        # A drop-in of the user's: ALL_PROXY, an EnvironmentFile= that climbs out of any prefix (systemd
        # and the facts ignore a path that is not normalised; a string concatenation does not), and one
        # outside the home.
        "mkdir -p ~/d/1/2/3/4/5/6/7/8 ~/d/etc/cron.d && ln -sfn ~/d/1/2/3/4/5/6/7/8 ~/l",
        "printf 'ALL_PROXY=socks5://127.0.0.1:9\\n* * * * * root touch /tmp/pwned\\n' > %s" % TRAVERSAL_TARGET,
        "printf %%s %s > %s/10-evil.conf" % (shlex.quote(evil_dropin), DROPIN_DIR),
        # The unit's .bak: a link to the root-only file.
        "ln -sfn %s ~/.config/systemd/user/%s.bak" % (ROOT_ONLY, UNIT),
        # The state dir's lock directory and the auth backup directory: links to root-owned
        # directories (not /tmp/openclaw-<uid>: the gateway itself must still be able to start).
        "mkdir -p ~/.openclaw/tmp && rm -rf ~/.openclaw/tmp/openclaw-%d && ln -s %s ~/.openclaw/tmp/openclaw-%d" % (uid, DECOY_LOCKS, uid),
        "rm -rf ~/clawops-backups && ln -s %s ~/clawops-backups" % DECOY_BACKUPS,
    ])
    out = as_user(host, script)
    assert out.rc == 0, out.stdout + out.stderr
    assert host.file(TRAVERSAL).exists  # the kernel resolves it into the user's home
    user_systemctl(host, "daemon-reload")


def test_every_root_entry_point_runs_on_a_node_the_service_user_prepared(host):
    # The test's own places, decoys and sentinels (root only, written before the argv watch starts).
    root(host, "install -d -m 0700 %s && install -d -m 0755 %s %s %s" % (WORK, DECOY_DIR, DECOY_BACKUPS, DECOY_LOCKS))
    root(host, "echo keep > %s/keep.conf && echo keep > %s/keep.tar.gz" % (DECOY_DIR, DECOY_BACKUPS))
    root(host, "echo '{\"pid\": 4000000, \"startTime\": 1}' > %s/gateway.decoy.lock" % DECOY_LOCKS)
    root(host, "echo NODE_USE_ENV_PROXY=1 > %s && chmod 0644 %s" % (DECOY_ENV, DECOY_ENV))
    root(host, "umask 077 && printf 'ALL_PROXY=socks5://127.0.0.1:9\\nMARKER=%s\\n' > %s" % (ROOT_MARKER, ROOT_ONLY))
    root(host, "umask 077 && printf '%%s\\n' %s > %s" % (" ".join(shlex.quote(s) for s in SENTINELS.values()), SENTINELS_FILE))
    stage_gateway_env(host)
    root(host, "rm -f %s %s && setsid nohup python3 /usr/local/lib/boundary_argv_watch.py %s %s %s >/dev/null 2>&1 &"
         % (ARGV_STOP, ARGV_REPORT, SENTINELS_FILE, ARGV_REPORT, ARGV_STOP))
    STATE["before"] = snapshot(host)
    STATE["reports"] = tempfile.mkdtemp(prefix="clawops-boundary-doctor-")
    reports = ["-e", json.dumps({"doctor_report_dir": STATE["reports"]})]
    rotated_profile = {"id": "openai:ops", "update_secret": "always", "secret": SENTINELS["auth_profiles[openai:ops] rotated"]}
    rotated = ["-e", json.dumps({"auth_profiles": [rotated_profile]})]

    # 1. The drop-in directory is a link to a root-owned directory: the gateway role writes there.
    plant_dropin_dir_link(host)
    run("site (drop-in dir linked), check", CONVERGE, check=True)
    run("site (drop-in dir linked)", CONVERGE)
    restore_dropin_dir(host)

    # 2. Everything else planted at once.
    plant_files(host)
    STATE["traversal_target"] = host.check_output("sha256sum %s" % TRAVERSAL_TARGET)
    run("doctor", DOCTOR, *reports)
    run("doctor, check", DOCTOR, *reports, check=True)
    run("remediate, check", REMEDIATE, check=True)
    run("remediate", REMEDIATE)
    run("rotate_auth, check", ROTATE, *rotated, check=True)
    run("rotate_auth", ROTATE, *rotated)
    run("site, check", CONVERGE, check=True)
    run("site", CONVERGE)
    facts = subprocess.run(["ansible", "-vvv", "-i", INVENTORY, "all", "-b", "-m", "clawops.openclaw.openclaw_facts",
                            "-a", "user=%s gather_auth=true" % USER],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300, check=False)
    RUNS["facts"] = (facts.returncode, facts.stdout)
    root(host, "touch %s && sleep 1" % ARGV_STOP)
    STATE["after"] = snapshot(host)
    # Every entry point really ran (a play that died at its first task would prove nothing).
    for name in ("doctor", "remediate, check", "remediate", "rotate_auth", "site"):
        assert "PLAY RECAP" in RUNS[name][1], name + RUNS[name][1][-2000:]


def test_nothing_outside_the_home_and_the_collection_directories_changed():
    before, after = STATE["before"], STATE["after"]
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    assert changed == [], "\n".join("%s: %s -> %s" % (p, before.get(p), after.get(p)) for p in changed[:40])


def test_links_were_not_followed(host):
    assert host.file(DECOY_DIR).user == "root" and host.file(DECOY_DIR).mode == 0o755
    assert host.file(DECOY_BACKUPS).user == "root" and host.file(DECOY_BACKUPS).mode == 0o755
    assert host.run("ls -A %s" % DECOY_BACKUPS).stdout.split() == ["keep.tar.gz"]
    assert host.file(DECOY_LOCKS + "/gateway.decoy.lock").exists
    assert not host.file("/etc/cron.d/clawops-evil").exists
    assert host.file(ROOT_ONLY).user == "root" and host.file(ROOT_ONLY).mode == 0o600
    assert ROOT_MARKER in host.check_output("cat %s" % ROOT_ONLY)
    # Nothing the service user can read holds the root-only file's content.
    found = host.run("runuser -u %s -- grep -rlF -- %s %s /tmp /var/tmp" % (USER, ROOT_MARKER, HOME))
    assert found.stdout.strip() == "", found.stdout
    for name, (dummy, output) in RUNS.items():
        assert ROOT_MARKER not in output, name


def test_a_planted_link_that_stops_a_run_is_named():
    """The drop-in directory and the auth backup directory as links: the run stops, naming the link."""
    for name, link in (("site (drop-in dir linked)", DECOY_DIR), ("rotate_auth", DECOY_BACKUPS)):
        rc, output = RUNS[name]
        assert rc != 0, name
        assert "Symbolic links on the way" in output and "-> %s" % link in output, output[-3000:]


def test_proxy_variables_neutralised_or_reported_and_left_alone(host):
    """The user's own files lose their proxy variables; the EnvironmentFile= outside the home is reported and
    left alone (the snapshot covers it); the traversal path, which systemd ignores, is left alone too."""
    dropin = host.run("cat %s/10-evil.conf" % DROPIN_DIR).stdout
    assert "ALL_PROXY" not in dropin
    assert "HTTPS_PROXY" not in host.check_output("cat %s/.config/openclaw/gateway.env" % HOME)
    # Everything else in the user's files is kept.
    assert SENTINELS["gateway.env OPENROUTER_API_KEY"] in host.check_output("cat %s/.config/openclaw/gateway.env" % HOME)
    assert host.check_output("sha256sum %s" % TRAVERSAL_TARGET) == STATE["traversal_target"]
    assert "NODE_USE_ENV_PROXY=1" in host.check_output("cat %s" % DECOY_ENV)
    rc, output = RUNS["remediate"]
    assert "proxy_source_unsafe" in output and DECOY_ENV in output, output[-3000:]


def test_no_sentinel_in_any_output_report_or_bundle():
    for name, (dummy, output) in RUNS.items():
        for label, sentinel in SENTINELS.items():
            assert sentinel not in output, "%s leaked into the output of %s" % (label, name)
    reports = [os.path.join(STATE["reports"], f) for f in os.listdir(STATE["reports"])]
    assert reports, "doctor wrote no report"
    for path in reports:
        with open(path) as handle:
            text = handle.read()
        for label, sentinel in SENTINELS.items():
            assert sentinel not in text, "%s leaked into %s" % (label, path)


def test_no_sentinel_in_bundles_argv_or_world_readable_files(host):
    bundles = host.run("grep -rlF -f %s /var/lib/clawops-openclaw/diagnostics" % SENTINELS_FILE)
    assert bundles.stdout.strip() == "", bundles.stdout
    hits = [json.loads(line) for line in host.check_output("cat %s" % ARGV_REPORT).splitlines()]
    assert hits[-1].get("scans", 0) > 100, hits[-1]  # the watcher really watched the runs
    assert hits[:-1] == []
    found = host.run("find / -xdev \\( -path /proc -o -path /sys \\) -prune -o -type f -perm -o+r -size -50M -print0 "
                     "| xargs -0 grep -lF -f %s" % SENTINELS_FILE)
    assert found.stdout.strip() == "", found.stdout
