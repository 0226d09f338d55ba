"""The test harness's shared AnsiballZ cache (extensions/molecule/shared/callback_plugins/clawops_module_cache.py)."""

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLUGIN_DIR = os.path.join(REPO, "extensions", "molecule", "shared", "callback_plugins")
_SPEC = importlib.util.spec_from_file_location("clawops_module_cache", os.path.join(PLUGIN_DIR, "clawops_module_cache.py"))
cache = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(cache)


@pytest.fixture
def checkout(tmp_path):
    """A checkout with the files the key reads."""
    (tmp_path / "requirements-test.txt").write_text("ansible==12.0.0\n")
    (tmp_path / "plugins" / "module_utils").mkdir(parents=True)
    (tmp_path / "plugins" / "modules").mkdir()
    (tmp_path / "plugins" / "module_utils" / "_common.py").write_text("A = 1\n")
    (tmp_path / "plugins" / "modules" / "thing.py").write_text("import x\n")
    return tmp_path


def test_the_key_is_the_code_payloads_are_built_from(checkout):
    key = cache.code_key(str(checkout), "2.19.14")
    assert key == cache.code_key(str(checkout), "2.19.14")
    # Bytecode is not what a payload is built from.
    (checkout / "plugins" / "modules" / "__pycache__").mkdir()
    (checkout / "plugins" / "modules" / "__pycache__" / "thing.cpython-311.pyc").write_bytes(b"\0")
    assert cache.code_key(str(checkout), "2.19.14") == key
    assert cache.code_key(str(checkout), "2.19.15") != key
    (checkout / "plugins" / "module_utils" / "_common.py").write_text("A = 2\n")
    changed_util = cache.code_key(str(checkout), "2.19.14")
    assert changed_util != key
    (checkout / "plugins" / "modules" / "other.py").write_text("")
    assert cache.code_key(str(checkout), "2.19.14") not in (key, changed_util)
    (checkout / "requirements-test.txt").write_text("ansible==12.1.0\n")
    assert cache.code_key(str(checkout), "2.19.14") not in (key, changed_util)


def test_a_run_shares_the_keyed_directory_and_keeps_a_cache_it_already_has(tmp_path):
    local_tmp, shared_root = tmp_path / "ansible-local-1", tmp_path / "shared"
    local_tmp.mkdir()
    shared = cache.share_module_cache(str(local_tmp), str(shared_root), "k1")
    assert shared == str(shared_root / "k1")
    assert os.readlink(local_tmp / "ansiballz_cache") == shared
    assert os.stat(shared).st_mode & 0o777 == 0o700
    cache.share_module_cache(str(local_tmp), str(shared_root), "k1")            # a second callback instance
    assert os.readlink(local_tmp / "ansiballz_cache") == shared
    own = tmp_path / "ansible-local-2"
    (own / "ansiballz_cache").mkdir(parents=True)                              # built before the callback loaded
    cache.share_module_cache(str(own), str(shared_root), "k1")
    assert not os.path.islink(own / "ansiballz_cache")


@pytest.mark.parametrize("command", [
    ["ansible", "localhost", "-m", "ansible.builtin.ping"],        # testinfra's module calls
    ["ansible-playbook", "PLAYBOOK"],                              # molecule's and the tests' playbooks
])
def test_ansible_runs_build_their_payloads_into_the_shared_cache_and_leave_it_behind(tmp_path, command):
    if not shutil.which(command[0]):
        pytest.skip("%s is not installed" % command[0])
    playbook = tmp_path / "play.yml"
    playbook.write_text("- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n")
    command = [str(playbook) if arg == "PLAYBOOK" else arg for arg in command]
    if command[0] == "ansible":
        command += ["--tree", str(tmp_path / "tree")]
    # What scripts/test.sh exports (ad-hoc runs load callbacks only with ANSIBLE_LOAD_CALLBACK_PLUGINS).
    env = dict(os.environ, ANSIBLE_CALLBACK_PLUGINS=PLUGIN_DIR, CLAWOPS_ANSIBALLZ_CACHE=str(tmp_path / "shared"),
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_LOCAL_TEMP=str(tmp_path / "local"),
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    for dummy in range(2):
        proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        assert proc.returncode == 0, proc.stdout
        payloads = os.listdir(tmp_path / "shared" / cache.code_key())
        assert "ansible.modules.ping-ZIP_DEFLATED-none" in payloads, payloads
    # The runs' own temporary directories are gone; the shared cache stays for the next run.
    assert os.listdir(tmp_path / "local") == []
