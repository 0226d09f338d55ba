"""Print a JSON snapshot {path: [type, uid, gid, mode, content]} of the trees named on the command line.

content: sha256 for regular files (size and mtime for files over 4 MB), the target for links.
--exclude PATH (repeatable) leaves a file or a subtree out. Never follows a link.
"""
import hashlib
import json
import os
import stat
import sys


def describe(path):
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        content = os.readlink(path)
    elif stat.S_ISREG(st.st_mode):
        if st.st_size > 4 * 1024 * 1024:
            content = "size=%d mtime=%d" % (st.st_size, st.st_mtime_ns)
        else:
            with open(path, "rb") as handle:
                content = hashlib.sha256(handle.read()).hexdigest()
    else:
        content = None
    return [stat.S_IFMT(st.st_mode), st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), content]


def excluded(path, excludes):
    """path is an excluded file or directory, or lies below an excluded directory."""
    return any(path == e or path.startswith(e + "/") for e in excludes)


def main(argv):
    roots, excludes = [], []
    args = iter(argv)
    for arg in args:
        if arg == "--exclude":
            excludes.append(next(args).rstrip("/"))
        else:
            roots.append(arg)
    snap = {}
    for root in roots:
        for top, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not excluded(os.path.join(top, d), excludes)]
            for name in [top] + [os.path.join(top, f) for f in files] + [os.path.join(top, d) for d in dirs]:
                if name not in snap and not excluded(name, excludes):
                    try:
                        snap[name] = describe(name)
                    except OSError as err:
                        snap[name] = ["error", str(err)]
    json.dump(snap, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
