"""Test harness only: one AnsiballZ module cache for every ansible run of a `make test`.

ansible-core builds each module's payload (the module and every module_utils it imports, found by parsing
their ASTs) once per run, in a cache under the run's private temporary directory that is removed when the run
ends. The suite starts a few hundred runs (molecule's, the tests' playbooks and testinfra's ad-hoc module calls)
from the same, unchanged code: a no-op `site.yml` spent about 3 of its 10 controller CPU seconds rebuilding
payloads. This callback links the run's cache to a directory shared by the runs (scripts/test.sh sets
CLAWOPS_ANSIBALLZ_CACHE) and keyed by the code the payloads are built from, so a changed module or module_util,
or another ansible, never meets a payload built from the old one. ansible-core's own lock and atomic rename
keep concurrent runs from reading a half-written payload, as they do for its forked workers.

Without CLAWOPS_ANSIBALLZ_CACHE it does nothing. Not part of the collection's content: it is loaded from
ANSIBLE_CALLBACK_PLUGINS by the test harness only.
"""

import hashlib
import os

from ansible import constants as C
from ansible import release
from ansible.plugins.callback import CallbackBase

ENV = "CLAWOPS_ANSIBALLZ_CACHE"
# The collection checkout this file belongs to: its plugins/ are what the payloads are built from.
CHECKOUT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", ".."))


def code_key(checkout=CHECKOUT, ansible_version=release.__version__):
    """A digest of what a payload is built from: ansible-core's version, the pinned test requirements (which
    carry the other collections' versions) and every file under the checkout's plugins/."""
    digest = hashlib.sha256(("ansible-core %s\n" % ansible_version).encode())
    paths = [os.path.join(checkout, "requirements-test.txt")]
    for root, dirs, files in os.walk(os.path.join(checkout, "plugins")):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        paths += [os.path.join(root, name) for name in sorted(files) if not name.endswith(".pyc")]
    for path in paths:
        digest.update(os.path.relpath(path, checkout).encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()[:16]


def share_module_cache(local_tmp, shared_root, key):
    """Point local_tmp/ansiballz_cache at shared_root/key (created 0700) and return that directory; leave a
    cache this run already has alone. The key directory's mtime marks it as in use (scripts/test.sh prunes
    the ones unused for days)."""
    shared = os.path.join(shared_root, key)
    os.makedirs(shared, mode=0o700, exist_ok=True)
    os.utime(shared)
    link = os.path.join(local_tmp, "ansiballz_cache")
    if not os.path.lexists(link):
        os.symlink(shared, link)
    return shared


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "clawops_module_cache"
    # Loaded from the callback path without being enabled (also by ad-hoc `ansible --tree`, testinfra's calls).
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shared_root = os.environ.get(ENV)
        if shared_root:
            share_module_cache(C.DEFAULT_LOCAL_TMP, shared_root, code_key())
