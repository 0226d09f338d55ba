#!/usr/bin/env bash
# Make this machine able to run the test suite and the lab, from nothing:
# Python tooling (pinned, in .venv), docker.io + debootstrap, a running dockerd,
# the local systemd base image and the Node.js archive fixture. Every step is
# skipped when its result is already there, so a second call takes seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/env.sh
. "$here/scripts/env.sh"

log() { printf '[test-deps] %s\n' "$*"; }

# --- Python tooling -----------------------------------------------------------
if [ ! -x "$VENV/bin/molecule" ] || ! cmp -s "$here/requirements-test.txt" "$VENV/.requirements-test.txt"; then
  log "installing pinned Python test requirements into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null 2>&1 || true
  "$VENV/bin/pip" install -q -r "$here/requirements-test.txt" 2>&1 | grep -v "is ignored: it is neither" || true
  "$VENV/bin/python" -c 'import molecule, testinfra, ansible' # fail loudly if the install did not work
  cp "$here/requirements-test.txt" "$VENV/.requirements-test.txt"
fi

# --- Debian packages ----------------------------------------------------------
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v xz >/dev/null || missing+=(xz-utils)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- promtool -----------------------------------------------------------------
# The alert rules' checks and unit tests: the binary of Debian's prometheus package, unpacked into
# the venv (installing the package would start a Prometheus server on this machine).
if [ ! -x "$VENV/bin/promtool" ]; then
  log "promtool from Debian's prometheus package"
  tmp=$(mktemp -d)
  (cd "$tmp" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus >/dev/null; }; })
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
  install -m 0755 "$tmp/x/usr/bin/promtool" "$VENV/bin/promtool"
  rm -rf "$tmp"
  "$VENV/bin/promtool" --version >/dev/null
fi

# --- dockerd ------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $CACHE_DIR/dockerd.log)"
  mkdir -p "$CACHE_DIR"
  nohup dockerd >"$CACHE_DIR/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$CACHE_DIR/dockerd.log"; echo "dockerd did not start" >&2; exit 1; }
fi

# --- fixtures -----------------------------------------------------------------
"$here/scripts/build-base-image.sh"
"$here/scripts/build-node-archive.sh"
log "ready"
