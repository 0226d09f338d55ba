# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The egress role's on-node Privoxy check, laid out as the role installs it (script + clawops_egress.py)."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
GOOD = "listen-address 127.0.0.1:8118\nforward / .\nforward-socks5t .openai.com 127.0.0.1:1080 .\n"


@pytest.fixture
def installed(tmp_path):
    """The lib directory as the role fills it, and a privoxy that passes (or logs an error for 'BROKEN')."""
    shutil.copy(os.path.join(ROOT, "roles", "egress", "files", "egress-privoxy-check"), str(tmp_path / "egress-privoxy-check"))
    shutil.copy(os.path.join(ROOT, "plugins", "module_utils", "_egress.py"), str(tmp_path / "clawops_egress.py"))
    fake = tmp_path / "privoxy"
    fake.write_text("#!/bin/sh\nif grep -q BROKEN \"$2\"; then echo 'Error: unrecognized directive'; fi\nexit 0\n")
    fake.chmod(0o755)
    return tmp_path


def run(installed, text):
    conf = installed / "candidate"
    conf.write_text(text)
    script = str(installed / "egress-privoxy-check")
    code = "import runpy, sys; g = runpy.run_path(%r); p = g['check'](%r, privoxy=%r); " \
           "sys.stderr.write('\\n'.join(p)); sys.exit(1 if p else 0)" % (script, str(conf), str(installed / "privoxy"))
    return subprocess.run([sys.executable, "-I", "-B", "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)


def test_the_rendered_config_passes(installed):
    proc = run(installed, GOOD)
    assert proc.returncode == 0, proc.stderr
    assert not (installed / "__pycache__").exists()


@pytest.mark.parametrize("text, reason", [
    (GOOD + "FORWARD-SOCKS5T / 127.0.0.1:1080 .\n", "only the first rule may match every host"),
    (GOOD.replace("listen-address 127.0.0.1:8118", "Listen-Address 0.0.0.0:8118"), "listen-address must be 127.0.0.1"),
    (GOOD + "forward-socks5t \\\n  / 127.0.0.1:1080 .\n", "only the first rule may match every host"),
    ("forward-socks5t .openai.com 127.0.0.1:1080 .\nforward / .\n", "the first forward rule must be"),
    (GOOD + "BROKEN\n", "privoxy --config-test rejected"),
])
def test_refused(installed, text, reason):
    proc = run(installed, text)
    assert proc.returncode == 1
    assert reason in proc.stderr


def test_main_usage():
    script = os.path.join(ROOT, "roles", "egress", "files", "egress-privoxy-check")
    proc = subprocess.run([sys.executable, "-I", "-B", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    assert proc.returncode == 2 and "usage" in proc.stderr
