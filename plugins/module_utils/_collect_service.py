# -*- coding: utf-8 -*-
# Copyright (c) 2026, clawops.openclaw contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""openclaw_facts collectors: the service user (linger) and the gateway's systemd user service (unit, drop-ins,
its backup, competing system units, the user manager's view and environment)."""

import glob
import os
import pwd
import re

from ansible_collections.clawops.openclaw.plugins.module_utils._collect_base import Problems, read_reported, show_properties
from ansible_collections.clawops.openclaw.plugins.module_utils._common import (
    exec_start_args, option_value, parse_environment_assignments, parse_unit_file,
)

# openclaw-gateway.service and the profile variants openclaw-gateway-PROFILE.service.
GATEWAY_UNIT = re.compile(r"openclaw-gateway(-[A-Za-z0-9][A-Za-z0-9_-]*)?\.service\Z")
SYSTEM_UNIT_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
SHOW_PROPERTIES = ("LoadState", "ActiveState", "SubState", "UnitFileState", "MainPID", "NRestarts", "Result",
                   "ExecMainStatus", "FragmentPath", "DropInPaths", "ActiveEnterTimestampMonotonic", "MemoryMax")
LINGER_DIR = "/var/lib/systemd/linger"
# The names root derives unit names, paths and argv from: full matches, no control characters.
USER_NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}\Z")
PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")


def collect_user(name):
    """(user for the other collectors: dict(name, uid, home, groups) or None; the user fact; Problems)."""
    problems = Problems()
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        problems.problem("user_missing", "service user %s does not exist" % name)
        return None, dict(name=name, exists=False, uid=None, home=None, linger=False), problems
    try:
        groups = os.getgrouplist(name, entry.pw_gid)
    except (AttributeError, OSError):
        groups = [entry.pw_gid]
    linger = os.path.exists("%s/%s" % (LINGER_DIR, name))
    if not linger:
        problems.problem("linger_off", "linger is off for %s: the user service stops at logout and does not start at boot" % name)
    return (dict(name=name, uid=entry.pw_uid, home=entry.pw_dir, groups=groups),
            dict(name=name, exists=True, uid=entry.pw_uid, home=entry.pw_dir, linger=linger), problems)


def unit_name_for(profile):
    return "openclaw-gateway%s.service" % ("-" + profile if profile else "")


def read_units(user, unit_dir, unit_name, service, problems):
    """{key: (path, directives)} of the user unit ('unit'), its drop-ins ('dropin:PATH') and its .bak ('unit_backup'):
    every place systemd (or a restore of the .bak) takes the gateway's settings from. Fills the service facts the unit
    file gives (exec_start, runtime_path, exec_port, dropins)."""
    directives = {}
    unit_path = service["unit_path"]
    if service["unit_exists"]:
        text, dummy = read_reported(user, unit_path, problems)
        directives["unit"] = (unit_path, parse_unit_file(text or ""))
        argv = exec_start_args(directives["unit"][1])
        port = option_value(argv, "--port")
        service.update(exec_start=argv, runtime_path=argv[0] if argv else None, exec_port=int(port) if port and port.isdigit() else None)
    if unit_dir:
        for dropin in sorted(glob.glob(os.path.join(unit_dir, unit_name + ".d", "*.conf"))):
            service["dropins"].append(dropin)
            text, dummy = read_reported(user, dropin, problems)
            directives["dropin:" + dropin] = (dropin, parse_unit_file(text or ""))
    if service["backup_unit"]:
        text, dummy = read_reported(user, service["backup_unit"], problems)
        directives["unit_backup"] = (service["backup_unit"], parse_unit_file(text or ""))
    return directives


def ask_manager(commands, user, unit_name, service, problems):
    """The user manager's view of the unit (into service) and its environment (returned)."""
    manager_env = {}
    rc, out, err = commands.systemctl_user(user, "show", unit_name, "--property=" + ",".join(SHOW_PROPERTIES))
    if rc == 0:
        props = show_properties(out)
        service.update(load_state=props.get("LoadState"), active_state=props.get("ActiveState"), sub_state=props.get("SubState"),
                       unit_file_state=props.get("UnitFileState"), result=props.get("Result"))
        service["pid"] = int(props.get("MainPID") or 0) or None
        service["restarts"] = int(props.get("NRestarts") or 0)
        service["exec_main_status"] = int(props.get("ExecMainStatus") or 0)
        service["active_since_monotonic_us"] = int(props.get("ActiveEnterTimestampMonotonic") or 0)
        service["memory_max"] = props.get("MemoryMax") if props.get("MemoryMax") not in (None, "", "infinity") else None
        service["oom_kills"], service["last_oom_kill"] = oom_kills(commands, user, unit_name)
    else:
        service["manager_error"] = (err or out).strip()
        problems.problem("user_manager_unreachable", "cannot reach the user manager of %s: %s" % (user["name"], service["manager_error"]))
    rc, out, dummy = commands.systemctl_user(user, "show-environment")
    if rc == 0:
        for line in out.splitlines():
            manager_env.update(parse_environment_assignments(line) if "=" in line else {})
    return manager_env


OOM_RESULT = "Failed with result 'oom-kill'"


def oom_kills(commands, user, unit_name, since="-24h"):
    """(count, ISO time of the last) of the unit's OOM kills, from what its user manager logged (the unit's own Result
    is reset by the automatic restart that follows)."""
    rc, out, dummy = commands.run(["journalctl", "--no-pager", "--quiet", "-o", "short-iso", "--since=%s" % since, "-n", "5000",
                                   "_SYSTEMD_UNIT=user@%d.service" % user["uid"], "USER_UNIT=%s" % unit_name])
    kills = [line for line in out.splitlines() if OOM_RESULT in line] if rc == 0 else []
    return len(kills), (kills[-1].split()[0] if kills else None)


def state_problems(service, problems):
    """Findings of the unit's state as the user manager reports it."""
    unit_name = service["unit_name"]
    refused = service["active_state"] not in (None, "active") and service["exec_main_status"] == 78
    if not refused and service["active_state"] == "failed" and (service["restarts"] or service["result"] == "start-limit-hit"):
        # It crashed StartLimitBurst times in a row and systemd gave up (systemd 252 keeps the
        # last crash's Result, newer ones say start-limit-hit): it stays down, even once the
        # cause is gone, until the unit is reset.
        problems.problem("service_crash_loop", "%s crashed %s times in a row and systemd stopped restarting it (result %s)"
                         % (unit_name, service["restarts"] or "too many", service["result"]))
    elif service["active_state"] == "failed" or refused:
        problems.problem("service_failed", "%s is %s (exit status %s)" % (unit_name, service["active_state"], service.get("exec_main_status")))
    elif service["active_state"] in ("activating",) and service["restarts"]:
        problems.problem("service_crash_loop", "%s is restarting (restart count %s)" % (unit_name, service["restarts"]))
    elif service["active_state"] not in (None, "active"):
        problems.problem("service_inactive", "%s is %s" % (unit_name, service["active_state"]))
    if service.get("oom_kills") or service["result"] == "oom-kill":
        problems.problem("service_oom_killed", "the kernel's OOM killer ended %s %s time(s) in the last 24 h (last at %s; MemoryMax %s): "
                         "systemd started it again, what it was doing was lost"
                         % (unit_name, service.get("oom_kills") or 1, service.get("last_oom_kill") or "now", service.get("memory_max") or "unset"))
    if service["unit_file_state"] not in (None, "enabled", "linked", "enabled-runtime"):
        problems.problem("service_disabled", "%s is %s: it will not start at boot" % (unit_name, service["unit_file_state"]))


def collect_service(commands, user, user_name, profile, system_unit_dirs=SYSTEM_UNIT_DIRS):
    """(service fact; directives {key: (path, parsed directives)} of unit, drop-ins and .bak; the user manager's
    environment; Problems).

    commands: _collect_base.Commands; user: the service user or None; user_name: the user option (named in findings
    when the user is missing); profile: the OpenClaw profile; system_unit_dirs: where system units are looked for."""
    problems = Problems()
    unit_name = unit_name_for(profile)
    home = user["home"] if user else None
    unit_dir = os.path.join(home, ".config/systemd/user") if home else None
    unit_path = os.path.join(unit_dir, unit_name) if unit_dir else None
    service = dict(unit_name=unit_name, unit_path=unit_path, unit_exists=bool(unit_path and os.path.exists(unit_path)),
                   dropins=[], scope="none", pid=None, restarts=None, active_state=None, sub_state=None,
                   load_state=None, unit_file_state=None, result=None, exec_start=[], exec_port=None,
                   runtime_path=None, backup_unit=None, system_units=[], memory_max=None, oom_kills=0, last_oom_kill=None)
    for directory in system_unit_dirs:
        # Only the names OpenClaw's installer gives a gateway unit: openclaw-backup.service is somebody else's.
        service["system_units"].extend(sorted(path for path in glob.glob(os.path.join(directory, "openclaw-gateway*.service"))
                                              if GATEWAY_UNIT.match(os.path.basename(path))))
    if unit_path and os.path.exists(unit_path + ".bak"):
        service["backup_unit"] = unit_path + ".bak"
    service["scope"] = "user" if service["unit_exists"] else "system" if service["system_units"] else "none"
    directives = read_units(user, unit_dir, unit_name, service, problems)
    manager_env = ask_manager(commands, user, unit_name, service, problems) if user and service["unit_exists"] else {}

    if service["system_units"]:
        problems.problem("system_unit_present",
                         "OpenClaw is installed as a system unit (%s); the gateway must run as one user service of %s"
                         % (", ".join(service["system_units"]), user_name))
    if not service["unit_exists"]:
        if user:
            problems.problem("unit_missing", "user unit %s is missing" % (unit_path,))
    else:
        state_problems(service, problems)
    return service, directives, manager_env, problems
