# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""doctor's controller-side reports (issue 11): an existing report directory is never chmod'ed (with --check
doctor turned a report dir of /tmp into 0700 and reported nothing), reports have a retention, and they hold no
secret. Runs the role's report tasks with ansible-playbook --check on localhost: only the test's own temporary
directory is written."""

import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(shutil.which("ansible-playbook") is None, reason="needs ansible-playbook")

S = "SENTINEL-d0c7"
PLAY = """
- hosts: localhost
  gather_facts: false
  connection: local
  tasks:
    - ansible.builtin.set_fact:
        __doctor_stamp: "20261205T120000Z"
        __doctor_results:
          - host: node1
            verdict: error
            version: 2026.9.6
            service: active
            ready: true
            event_loop_p99_ms: 12
            findings: "{{ findings | clawops.openclaw.redact }}"
    - ansible.builtin.include_role:
        name: clawops.openclaw.doctor
        tasks_from: report
"""


def run(tmp_path, report_dir, check=True, **extra):
    play = tmp_path / "play.yml"
    play.write_text(PLAY)
    findings = [{"source": "openclaw doctor", "id": "x", "severity": "error", "meaning": "", "fix": "", "manual": True,
                 "message": "channel token rejected: Bearer %s, url https://u:%s@h/?key=%s" % (S, S, S)}]
    variables = dict(dict(doctor_report_dir=str(report_dir), findings=findings, ansible_python_interpreter=sys.executable), **extra)
    argv = ["ansible-playbook", "-i", "localhost,", str(play), "-e", json.dumps(variables)] + (["--check"] if check else [])
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0")
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=300, check=False)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def test_existing_shared_report_dir_keeps_its_mode_in_check_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(str(shared), 0o1777)
    rc, out = run(tmp_path, shared)
    assert rc == 0, out
    assert stat.S_IMODE(os.stat(str(shared)).st_mode) == 0o1777
    written = sorted(os.listdir(str(shared)))
    assert written == ["openclaw-doctor-20261205T120000Z.json", "openclaw-doctor-20261205T120000Z.md"]
    for name in written:
        text = (shared / name).read_text()
        assert S not in text
        assert stat.S_IMODE(os.stat(str(shared / name)).st_mode) == 0o600
    assert S not in out


def test_missing_report_dir_is_created_private(tmp_path):
    rc, out = run(tmp_path, tmp_path / "new" / "reports")
    assert rc == 0, out
    assert stat.S_IMODE(os.stat(str(tmp_path / "new" / "reports")).st_mode) == 0o700


def test_retention_keeps_the_newest_and_drops_the_old(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    old = time.time() - 200 * 86400
    for day in range(1, 8):
        for ext in ("json", "md"):
            path = reports / ("openclaw-doctor-202612%02dT000000Z.%s" % (day, ext))
            path.write_text("{}")
            if day == 1:
                os.utime(str(path), (old, old))
    (reports / "notes.md").write_text("the operator's own file")
    (reports / "openclaw-doctor-20261201T000000Z.json.keep").write_text("not ours")
    rc, out = run(tmp_path, reports, doctor_report_keep=3, doctor_report_max_age_days=90)
    assert rc == 0, out
    assert sorted(os.listdir(str(reports))) == [
        "notes.md", "openclaw-doctor-20261201T000000Z.json.keep",
        "openclaw-doctor-20261205T120000Z.json", "openclaw-doctor-20261205T120000Z.md",
        "openclaw-doctor-20261206T000000Z.json", "openclaw-doctor-20261206T000000Z.md",
        "openclaw-doctor-20261207T000000Z.json", "openclaw-doctor-20261207T000000Z.md",
    ]


def test_retention_never_removes_the_report_just_written(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in ("openclaw-doctor-20991231T000000Z.json", "openclaw-doctor-20991231T000000Z.md"):  # a clock that ran ahead
        (reports / name).write_text("{}")
    rc, out = run(tmp_path, reports, doctor_report_keep=1)
    assert rc == 0, out
    assert "openclaw-doctor-20261205T120000Z.json" in os.listdir(str(reports))


@pytest.mark.parametrize("extra", [dict(doctor_report_keep=0), dict(doctor_report_keep=-1), dict(doctor_report_max_age_days=-1),
                                   dict(doctor_report_dir="relative/dir")])
def test_bad_retention_settings_are_refused_before_writing(tmp_path, extra):
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "openclaw-doctor-20261201T000000Z.json").write_text("{}")
    rc, out = run(tmp_path, reports, **extra)
    assert rc != 0
    assert "doctor_report_keep must be" in out or "doctor_report_dir must be" in out
    assert os.listdir(str(reports)) == ["openclaw-doctor-20261201T000000Z.json"]
