"""scripts/node-image.sh caches a converged node only when every step of its build succeeded."""

import os
import stat
import subprocess

import pytest

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCRIPT = os.path.join(REPO, "scripts", "node-image.sh")

# Stand-ins for the two commands the build drives: each logs its argv; molecule fails the step named in
# FAIL_STEP; docker knows the base image and no node image yet.
MOLECULE = """#!/bin/sh
echo "$*" >> "$CALLS/molecule"
[ "$1" != "$FAIL_STEP" ]
"""
DOCKER = """#!/bin/sh
echo "$*" >> "$CALLS/docker"
case "$1 $2 $3" in
  "image inspect -f") echo sha256:base ;;
  "image inspect "*) exit 1 ;;
esac
exit 0
"""


@pytest.fixture
def build(tmp_path):
    fake = tmp_path / "venv" / "bin"
    fake.mkdir(parents=True)
    for name, text in (("molecule", MOLECULE), ("docker", DOCKER)):
        (fake / name).write_text(text)
        (fake / name).chmod(stat.S_IRWXU)
    archive = tmp_path / "node.tar.gz"
    archive.write_bytes(b"fixture")
    calls = tmp_path / "calls"
    calls.mkdir()

    def run(fail_step=""):
        env = dict(os.environ, VENV=str(tmp_path / "venv"), CACHE_DIR=str(tmp_path / "cache"), NODE_ARCHIVE=str(archive),
                   CALLS=str(calls), FAIL_STEP=fail_step, CLAWOPS_CHECKOUT_ID="t3st")
        proc = subprocess.run(["bash", SCRIPT], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
        logged = {name: (calls / name).read_text().splitlines() if (calls / name).exists() else [] for name in ("molecule", "docker")}
        return proc, logged
    return run


@pytest.mark.parametrize("step", ["create", "prepare", "converge"])
def test_a_failed_step_is_never_committed(build, step):
    proc, calls = build(fail_step=step)
    assert proc.returncode != 0 and "build failed" in proc.stderr, proc.stderr
    assert not [c for c in calls["docker"] if c.startswith("commit")], calls["docker"]
    # Nothing after the failed step; the container goes either way.
    steps = ["destroy", "create", "prepare", "converge"]
    assert [c.split()[0] for c in calls["molecule"]] == steps[:steps.index(step) + 1] + ["destroy"], calls["molecule"]


def test_a_build_whose_steps_all_succeed_is_committed_under_its_key(build):
    proc, calls = build()
    assert proc.returncode == 0, proc.stderr
    tag = proc.stdout.strip().splitlines()[-1]
    assert tag.startswith("clawops/openclaw-node:") and len(tag.split(":")[1]) == 16
    commits = [c for c in calls["docker"] if c.startswith("commit")]
    assert commits == ["commit --change LABEL clawops.node-image.key=%s clawops-t3st-node-image-gw %s" % (tag.split(":")[1], tag)]
    assert [c.split()[0] for c in calls["molecule"]] == ["destroy", "create", "prepare", "converge", "destroy"]
