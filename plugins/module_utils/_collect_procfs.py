# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collector: processes and listeners from /proc (what `ss -ltnp` and `ps` would say, without them)."""

import errno
import glob
import os
import pwd
import re
import time

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems
from ansible_collections.clawops.openclaw.plugins.module_utils._common import read_text, redact_value


def _socket_inodes(port):
    """{inode: ('address:port', uid)} of TCP sockets listening on port, from /proc/net/tcp{,6}."""
    found = {}
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        text = read_text(table) or ""
        for line in text.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 10 or fields[3] != "0A":
                continue
            address, hexport = fields[1].split(":")
            if int(hexport, 16) != port:
                continue
            found[fields[9]] = ("%s:%d" % (_decode_address(address, v6), port), int(fields[7]))
    return found


def _decode_address(hexaddr, v6):
    raw = bytes(bytearray.fromhex(hexaddr))
    if not v6:
        return ".".join(str(b) for b in reversed(raw))
    # Four little-endian 32-bit words.
    words = [raw[i:i + 4][::-1] for i in range(0, 16, 4)]
    full = b"".join(words)
    groups = ["%x" % ((full[i] << 8) | full[i + 1]) for i in range(0, 16, 2)]
    text = ":".join(groups)
    text = re.sub(r"(^|:)0(:0)+(:|$)", "::", text, count=1)
    return "[%s]" % text


def _scan_fds(pid_dirs, wanted):
    """{inode: pid} for the sockets in `wanted` held by the given /proc/PID dirs; also the dirs we may not read."""
    found, denied = {}, []
    for pid_dir in pid_dirs:
        try:
            fds = os.listdir(pid_dir + "/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink("%s/fd/%s" % (pid_dir, fd))
            except OSError as exc:
                if exc.errno == errno.EACCES:
                    denied.append(pid_dir)
                    break
                continue
            if target in wanted:
                pid = int(pid_dir[6:])
                inode = target[8:-1]
                found[inode] = min(pid, found.get(inode, pid))
    return found, denied


def list_listeners(port):
    inodes = _socket_inodes(port)
    if not inodes:
        return []
    wanted = set("socket:[%s]" % inode for inode in inodes)
    owners, denied = _scan_fds(glob.glob("/proc/[0-9]*"), wanted)
    # Root without CAP_SYS_PTRACE (containers) may not read other users' fds, but the owner
    # may: look again with the effective uid of each such process, then switch back.
    if denied and os.geteuid() == 0:
        by_uid = {}
        for pid_dir in denied:
            try:
                st = os.stat(pid_dir)
                by_uid.setdefault((st.st_uid, st.st_gid), []).append(pid_dir)
            except OSError:
                continue
        for (uid, gid), pid_dirs in by_uid.items():
            try:
                os.setegid(gid)  # the kernel compares both uid and gid with the target's
                os.seteuid(uid)
                found, dummy = _scan_fds(pid_dirs, wanted)
            except OSError:
                found = {}
            finally:
                os.seteuid(0)
                os.setegid(0)
            for inode, pid in found.items():
                owners[inode] = min(pid, owners.get(inode, pid))
    listeners = []
    for inode, (address, uid) in sorted(inodes.items(), key=lambda kv: kv[1]):
        pid = owners.get(inode)
        entry = dict(address=address, pid=pid, command=None, cmdline=None, user=None)
        try:
            entry["user"] = pwd.getpwuid(uid).pw_name
        except KeyError:
            entry["user"] = str(uid)
        if pid:
            entry["command"] = (read_text("/proc/%d/comm" % pid) or "").strip()
            entry["cmdline"] = redact_value((read_text("/proc/%d/cmdline" % pid) or "").replace("\0", " ").strip()[:300])
        listeners.append(entry)
    return listeners


def descendants(pid):
    """pid and all its descendants (a gateway may listen from a child process)."""
    children = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        text = read_text(stat)
        if not text:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def process_start_ticks(pid):
    text = read_text("/proc/%d/stat" % pid)
    if not text:
        return None
    fields = text.rsplit(")", 1)[-1].split()
    try:
        return int(fields[19])  # field 22 of stat: start time in clock ticks since boot
    except (IndexError, ValueError):
        return None


def process_start_time(pid, now=None):
    """Epoch seconds at which a process started, to a clock tick (1/100 s), None when unknown.

    Counted back from now by the process's age (uptime minus its start ticks): /proc/stat's btime is whole seconds,
    too coarse to tell whether a process started before or after a file written in the same second."""
    ticks = process_start_ticks(pid)
    uptime = re.match(r"(\d+(?:\.\d+)?)\s", read_text("/proc/uptime") or "")
    if ticks is None or not uptime:
        return None
    age = float(uptime.group(1)) - ticks / float(os.sysconf("SC_CLK_TCK"))
    return (time.time() if now is None else now) - max(age, 0.0)


def collect_listeners(port, service_pid):
    """(listeners on port; Problems): port_conflict when a listener is not the service's main process or a descendant.

    port: the gateway port; service_pid: the service's main process (None when it does not run)."""
    problems = Problems()
    listeners = list_listeners(port)
    family = set(descendants(service_pid)) if service_pid else set()
    foreign = [listener for listener in listeners if listener.get("pid") is None or listener["pid"] not in family]
    if foreign:
        owners = ", ".join("%s (pid %s, %s)" % (item["address"], item.get("pid"), item.get("command")) for item in foreign)
        holders = [dict(pid=item.get("pid"), command=item.get("command"), user=item.get("user"),
                        gateway=bool(re.search(r"openclaw|\bgateway\b", item.get("cmdline") or "")))
                   for item in foreign]
        problems.problem("port_conflict", "port %d is held by a process that is not the service: %s" % (port, owners),
                         foreign_is_gateway=any(h["gateway"] for h in holders), holders=holders)
    return listeners, problems
