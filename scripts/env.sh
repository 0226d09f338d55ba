# Shared settings of the test and lab scripts (sourced, not executed).
# shellcheck shell=bash
: "${CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/clawops-openclaw}"
: "${VENV:=$CACHE_DIR/venv}"
: "${BASE_IMAGE:=clawops/debian-systemd:bookworm}"
: "${NODE_FIXTURE_VERSION:=24.19.0}"
: "${NODE_ARCHIVE:=$CACHE_DIR/node-v$NODE_FIXTURE_VERSION-linux-x64.tar.gz}"
export CACHE_DIR VENV BASE_IMAGE NODE_FIXTURE_VERSION NODE_ARCHIVE
export PATH="$VENV/bin:$PATH"
# Let ansible find this checkout as the collection clawops.openclaw.
_clawops_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$CACHE_DIR/collections/ansible_collections/clawops"
ln -sfn "$_clawops_repo" "$CACHE_DIR/collections/ansible_collections/clawops/openclaw"
export ANSIBLE_COLLECTIONS_PATH="$CACHE_DIR/collections:$VENV/lib/python3.11/site-packages"
if [ -s "$NODE_ARCHIVE" ]; then
  NODE_ARCHIVE_SHA256=$(sha256sum "$NODE_ARCHIVE" | cut -d' ' -f1)
  export NODE_ARCHIVE_SHA256
fi
