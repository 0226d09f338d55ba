# Shared settings of the test and lab scripts (sourced, not executed).
# shellcheck shell=bash
: "${CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/clawops-openclaw}"
: "${VENV:=$CACHE_DIR/venv}"
: "${BASE_IMAGE:=clawops/debian-systemd:bookworm}"
: "${NODE_FIXTURE_VERSION:=24.19.0}"
: "${NODE_ARCHIVE:=$CACHE_DIR/node-v$NODE_FIXTURE_VERSION-linux-x64.tar.gz}"
export CACHE_DIR VENV BASE_IMAGE NODE_FIXTURE_VERSION NODE_ARCHIVE
export PATH="$VENV/bin:$PATH"
_clawops_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# One checkout, one namespace: its own collection link, container names and test subnets, so two
# checkouts on one machine never run each other's code or touch each other's containers (one shared
# link once crashed a play mid-run with ansible-core's role-cache KeyError when another checkout
# repointed it).
: "${CLAWOPS_CHECKOUT_ID:=$(printf %s "$_clawops_repo" | sha256sum | cut -c1-8)}"
# Second octet of the egress scenario's two private subnets (10.N.10.0/24 and 10.N.20.0/24).
: "${CLAWOPS_EGRESS_NET:=10.$((16#${CLAWOPS_CHECKOUT_ID:0:4} % 200 + 20))}"
export CLAWOPS_CHECKOUT_ID CLAWOPS_EGRESS_NET
# Let ansible find this checkout as the collection clawops.openclaw.
_clawops_collections="$CACHE_DIR/collections/$CLAWOPS_CHECKOUT_ID"
mkdir -p "$_clawops_collections/ansible_collections/clawops"
ln -sfn "$_clawops_repo" "$_clawops_collections/ansible_collections/clawops/openclaw"
export ANSIBLE_COLLECTIONS_PATH="$_clawops_collections:$VENV/lib/python3.11/site-packages"
if [ -s "$NODE_ARCHIVE" ]; then
  NODE_ARCHIVE_SHA256=$(sha256sum "$NODE_ARCHIVE" | cut -d' ' -f1)
  export NODE_ARCHIVE_SHA256
fi
