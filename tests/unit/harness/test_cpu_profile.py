"""scripts/cpu-profile.py: the kernel's process accounting read back as CPU seconds by command."""

import importlib.util
import os
import subprocess
import sys

import pytest

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SCRIPT = os.path.join(REPO, "scripts", "cpu-profile.py")
_SPEC = importlib.util.spec_from_file_location("cpu_profile", SCRIPT)
profile = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(profile)


def record(command, uid, utime, stime=0, version=3):
    """An acct_v3 record as the kernel writes it (times already comp_t encoded)."""
    return profile.RECORD.pack(0, version, 0, 0, uid, uid, 4242, 1, 1796666186, 1.5, utime, stime, 0, 0, 0, 0, 0, 0,
                               command.encode()[:16])


def test_comp_t_is_decoded_with_its_base_8_exponent():
    assert profile.comp_t(0) == 0 and profile.comp_t(100) == 100 and profile.comp_t(0x1FFF) == 8191
    assert profile.comp_t((1 << 13) | 5) == 40 and profile.comp_t((2 << 13) | 3) == 192


def test_the_report_sums_by_command_and_uid_and_counts_node_processes_per_user():
    assert profile.RECORD.size == 64          # sizeof(struct acct_v3), linux/acct.h
    data = b"".join([record("SignalInspector", 997, 150), record("MainThread", 997, 40, 10), record("ansible-playboo", 0, 80, 20),
                     record("python3", 0, 20), record("ansible-playboo", 0, 0, (1 << 13) | 5),
                     record("bogus", 0, 9999, version=2)])    # another record version: skipped
    lines = profile.report(data, hz=100)
    assert lines[0] == "4 CPU s in 5 processes that ended while recording"
    assert lines[1] == "  node processes of uid 997: 2 CPU s (56 %)", lines
    rows = [line.split() for line in lines[3:]]
    expected = [("1.5", "1", "SignalInspector"), ("1.4", "2", "ansible-playboo"), ("0.5", "1", "MainThread"), ("0.2", "1", "python3")]
    assert [(r[0], r[1], r[3]) for r in rows] == expected
    assert "bogus" not in "\n".join(lines)


def test_start_never_takes_a_file_that_exists(tmp_path):
    existing = tmp_path / "acct.bin"
    existing.write_bytes(b"someone else's")
    proc = subprocess.run([sys.executable, SCRIPT, "start", str(existing)], capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "File exists" in proc.stderr
    assert existing.read_bytes() == b"someone else's"


@pytest.mark.skipif(bool(os.environ.get("CLAWOPS_CPU_PROFILE")),
                    reason="the suite is being profiled: accounting is one switch for the machine, this test would take it over")
def test_a_process_that_ends_while_recording_is_in_the_report(tmp_path):
    burn = tmp_path / "clawops-burn"       # the command name the kernel records is the name executed
    burn.symlink_to(sys.executable)
    acct = tmp_path / "acct.bin"
    start = subprocess.run([sys.executable, SCRIPT, "start", str(acct)], capture_output=True, text=True, check=False)
    if start.returncode != 0 and "not permitted" in start.stderr:
        pytest.skip("process accounting needs CAP_SYS_PACCT: " + start.stderr.strip())
    assert start.returncode == 0, start.stderr
    try:
        subprocess.run([str(burn), "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"], check=True)
    finally:
        assert subprocess.run([sys.executable, SCRIPT, "stop"], check=False).returncode == 0
    out = subprocess.run([sys.executable, SCRIPT, "report", str(acct)], capture_output=True, text=True, check=True).stdout
    row = [line.split() for line in out.splitlines() if "clawops-burn" in line]
    assert row and float(row[0][0]) >= 0.25 and row[0][1] == "1", out
    assert os.stat(acct).st_mode & 0o777 == 0o600
