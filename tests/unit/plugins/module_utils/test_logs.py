# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The logs collect_logs.yml fetches: which files, which lines, every secret masked."""

import io
import json
import os
import pwd
import tarfile

import pytest

from ansible_collections.clawops.openclaw.plugins.module_utils import _logs
from ansible_collections.clawops.openclaw.plugins.module_utils._safefs import Dir
from ansible_collections.clawops.openclaw.plugins.modules.openclaw_logs import archive_bytes, write_archive

NOW = 1796526000.0          # 2026-12-06T03:00:00Z
SECRET = "sk-clawops-test-LOGS-0000000000000000"
USER = dict(name=pwd.getpwuid(os.getuid()).pw_name, uid=os.getuid(), home="/nonexistent", groups=[os.getgid()])


def line(iso, message, **extra):
    return json.dumps(dict(extra, time=iso, message=message))


@pytest.fixture
def log_dir(tmp_path, monkeypatch):
    directory = tmp_path / "openclaw"
    directory.mkdir(mode=0o700)
    monkeypatch.setattr(_logs, "LOG_DIR", str(directory))
    return directory


def test_the_journal_query_takes_the_units_output_and_its_managers_lines():
    argv = _logs.journal_argv(997, "openclaw-gateway.service", 6, 1000)
    assert argv[:8] == ["journalctl", "--no-pager", "--quiet", "-o", "short-iso", "--since=-6h", "-n", "1000"]
    assert argv[8:] == ["_UID=997", "_SYSTEMD_USER_UNIT=openclaw-gateway.service", "+", "_SYSTEMD_UNIT=user@997.service",
                        "USER_UNIT=openclaw-gateway.service"]


def test_the_dated_files_of_the_hours_asked_and_of_the_profile_only(log_dir):
    for name in ("openclaw-2026-12-01.log", "openclaw-2026-12-05.log", "openclaw-2026-12-06.log", "openclaw-work-2026-12-06.log",
                 "openclaw-notes.log"):
        (log_dir / name).write_text("{}\n")
    (log_dir / "openclaw-2026-12-04.log").symlink_to("/etc/shadow")          # a link the user planted: never read
    found = [os.path.basename(p) for p in _logs.log_files(USER, None, 6, NOW, str(log_dir))]
    assert found == ["openclaw-2026-12-05.log", "openclaw-2026-12-06.log"]
    assert [os.path.basename(p) for p in _logs.log_files(USER, "work", 6, NOW, str(log_dir))] == ["openclaw-work-2026-12-06.log"]
    assert len(_logs.log_files(USER, None, 24 * 6, NOW, str(log_dir))) == 3


def test_a_log_directory_that_is_a_link_is_not_read(tmp_path, log_dir):
    (log_dir / "openclaw-2026-12-06.log").write_text("{}\n")
    link = tmp_path / "link"
    link.symlink_to(log_dir)
    assert _logs.log_files(USER, None, 6, NOW, str(link)) == []


def test_only_the_lines_of_the_hours_asked_stay():
    text = "\n".join([line("2026-12-06T01:59:59.000+00:00", "old"), line("2026-12-06T02:30:00.000+00:00", "recent"),
                      "a line without a time", line("2026-12-06T04:30:00+02:00", "in another zone, 02:30Z")])
    kept = _logs.since_filter(text, NOW - 3600)
    assert "old" not in kept and "recent" in kept and "without a time" in kept and "another zone" in kept


def test_everything_collected_is_redacted(log_dir):
    (log_dir / "openclaw-2026-12-06.log").write_text("\n".join([
        line("2026-12-06T02:40:00.000+00:00", "provider config", provider={"apiKey": SECRET}),
        "request failed: Authorization: Bearer %s" % SECRET]) + "\n")

    class Commands:
        def run(self, argv, env=None, timeout=None):
            return 0, "2026-12-06T02:41:00+0000 gw node[2243]: calling with key=%s\n" % SECRET, ""

    files = _logs.collect(Commands(), USER, "openclaw-gateway.service", None, 6, 1000000, NOW)
    assert sorted(files) == ["journal.log", "openclaw-2026-12-06.log"]
    assert all(SECRET not in text for text in files.values())
    assert "provider config" in files["openclaw-2026-12-06.log"] and "calling with key=" in files["journal.log"]


def test_the_archive_holds_the_files_private_and_never_overwrites(tmp_path):
    data = archive_bytes({"journal.log": "a\n", "openclaw-2026-12-06.log": "b\n"}, NOW)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert sorted(members) == ["journal.log", "openclaw-2026-12-06.log"]
        assert all(m.mode == 0o600 for m in members.values())
        assert tar.extractfile("journal.log").read() == b"a\n"
    with Dir(str(tmp_path / "logs"), create=True) as directory:
        first = write_archive(directory, data, NOW)
        second = write_archive(directory, data, NOW)
    assert (first, second) == ("openclaw-logs-20261206T030000Z.tar.gz", "openclaw-logs-20261206T030000Z-1.tar.gz")
    assert oct(os.stat(str(tmp_path / "logs" / first)).st_mode & 0o777) == "0o600"
