# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the test suite's CPU goes, by command: the kernel's process accounting (acct(2)) while it runs.

    python scripts/cpu-profile.py start FILE     every process that ends from now on is recorded in FILE (root: CAP_SYS_PACCT)
    python scripts/cpu-profile.py stop           recording off
    python scripts/cpu-profile.py report FILE    CPU seconds by command and uid, most first

The kernel writes one acct_v3 record (linux/acct.h) per process when it ends, containers' included (one
kernel), so the report covers the controller, the nodes and docker alike, which the suite's summary (the
controller's rusage, the containers' cgroups) cannot split. Accounting is one switch for the whole machine:
profile one run at a time. A process still running at `stop` (a gateway that serves to the end) is not in it.
"""

import collections
import ctypes
import os
import struct
import sys

# acct_v3: ac_flag, ac_version, ac_tty, ac_exitcode, ac_uid, ac_gid, ac_pid, ac_ppid, ac_btime, ac_etime (float),
# ac_utime, ac_stime, ac_mem, ac_io, ac_rw, ac_minflt, ac_majflt, ac_swaps (comp_t), ac_comm[16]
RECORD = struct.Struct("<BBHIIIIIIfHHHHHHHH16s")
ACCT_VERSION = 3
# The kernel names a process's record after the thread that ended last; for Node.js that is one of its own
# threads, so these names mean "a node process" (OpenClaw's gateway and CLI, npm).
NODE_THREADS = frozenset(("node", "MainThread", "SignalInspector", "V8Worker", "WorkerThread", "DelayedTaskSche", "libuv-worker"))


def comp_t(value):
    """The kernel's comp_t: a 13-bit mantissa and a 3-bit base-8 exponent, in clock ticks."""
    return (value & 0x1FFF) << (((value >> 13) & 0x7) * 3)


def records(data, hz):
    """(command, uid, CPU seconds) of each acct_v3 record in data; records of another version are skipped."""
    for offset in range(0, len(data) - RECORD.size + 1, RECORD.size):
        fields = RECORD.unpack_from(data, offset)
        if fields[1] != ACCT_VERSION:
            continue
        command = fields[18].split(b"\0", 1)[0].decode("ascii", "replace")
        yield command, fields[4], (comp_t(fields[10]) + comp_t(fields[11])) / float(hz)


def report(data, hz, top=40):
    """The report's lines: total, node processes by user, then the top commands by CPU."""
    cpu, count = collections.Counter(), collections.Counter()
    for command, uid, seconds in records(data, hz):
        cpu[(command, uid)] += seconds
        count[(command, uid)] += 1
    total = sum(cpu.values())
    lines = ["%.0f CPU s in %d processes that ended while recording" % (total, sum(count.values()))]
    node = collections.Counter()
    for (command, uid), seconds in cpu.items():
        if command in NODE_THREADS or command.startswith("openclaw"):
            node[uid] += seconds
    for uid, seconds in node.most_common():
        lines.append("  node processes of uid %d: %.0f CPU s (%.0f %%)" % (uid, seconds, 100.0 * seconds / total))
    # Numbers, not names: a container's users are not the controller's (uid 997 is the node image's service user).
    lines.append("%10s %9s %6s  %s" % ("CPU s", "processes", "share", "command (uid)"))
    for (command, uid), seconds in cpu.most_common(top):
        share = 100.0 * seconds / total if total else 0.0
        lines.append("%10.1f %9d %5.1f%%  %s (%d)" % (seconds, count[(command, uid)], share, command, uid))
    return lines


def set_accounting(path):
    """acct(2): path (bytes) or None to stop."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.acct.argtypes = [ctypes.c_char_p]
    if libc.acct(path) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def main(argv):
    if len(argv) == 3 and argv[1] == "start":
        # A fresh file the kernel appends to; never one that exists (it might be someone else's).
        fd = os.open(argv[2], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.close(fd)
        set_accounting(os.fsencode(argv[2]))
    elif len(argv) == 2 and argv[1] == "stop":
        set_accounting(None)
    elif len(argv) in (3, 4) and argv[1] == "report":
        with open(argv[2], "rb") as handle:
            data = handle.read()
        print("\n".join(report(data, os.sysconf("SC_CLK_TCK"), int(argv[3]) if len(argv) == 4 else 40)))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as exc:
        sys.stderr.write("cpu-profile: %s\n" % exc)
        sys.exit(1)
