"""Watch every process's argv and environment-free command line until STOPFILE exists.

Usage: boundary_argv_watch.py SENTINELS_FILE OUT_FILE STOPFILE
Writes one JSON line per process whose argv holds a sentinel; the sentinels come from a root-only
file, so this watcher's own argv holds none of them.
"""
import glob
import json
import os
import sys
import time


def main(sentinels_file, out_file, stop_file):
    os.umask(0o077)  # the report names sentinel numbers only, and stays root-only anyway
    with open(sentinels_file, "rb") as handle:
        sentinels = [line.strip() for line in handle if line.strip()]
    seen = 0
    with open(out_file, "w") as out:
        while not os.path.exists(stop_file):
            for path in glob.glob("/proc/[0-9]*/cmdline"):
                try:
                    with open(path, "rb") as handle:
                        argv = handle.read()
                except OSError:
                    continue
                hits = [number for number, s in enumerate(sentinels) if s in argv]
                if hits:
                    for number in hits:
                        argv = argv.replace(sentinels[number], b"<sentinel %d>" % number)
                    out.write(json.dumps({"pid": path.split("/")[2], "sentinels": hits,
                                          "argv": argv.replace(b"\0", b" ")[:300].decode("utf-8", "replace")}) + "\n")
                    out.flush()
            seen += 1
            time.sleep(0.02)
        out.write(json.dumps({"scans": seen}) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
