"""Run the egress probe as the gateway service runs: its user and the environment of its live process."""
import os
import subprocess
import sys

pid = subprocess.check_output(["systemctl", "--user", "--machine=openclaw@", "show", "-p", "MainPID", "--value",
                               "openclaw-gateway.service"], text=True).strip()
if pid in ("", "0"):
    sys.exit("the gateway is not running")
with open("/proc/%s/environ" % pid, "rb") as handle:
    env = dict(item.split("=", 1) for item in handle.read().decode().split("\0") if "=" in item)
os.execve("/usr/sbin/runuser", ["runuser", "-u", "openclaw", "--", "/usr/local/bin/node", "/usr/local/lib/clawops-test/probe.mjs"] + sys.argv[1:], env)
