#!/usr/bin/env bash
# The cached converged node: a container converged once with playbooks/site.yml (the molecule
# `node-image` scenario: the shared prepare, converge and group_vars, nothing scenario-specific)
# and committed as an image. Scenarios that test something other than a fresh converge start from
# it (scripts/test.sh); `default` keeps proving the fresh converge and its check/idempotence.
#
# Prints the image's name on stdout (progress goes to stderr) and builds it when it is missing.
# Its tag is a hash of everything that converge depends on: the base image, the Node.js fixture
# and the collection files the play runs, so a change to a role, a module or the shared molecule
# files builds a new one. Lanes that ask at the same time wait for one build (a lock).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/env.sh
. "$here/scripts/env.sh"
cd "$here"

NODE_IMAGE_REPO=clawops/openclaw-node
NODE_IMAGE_KEEP=${NODE_IMAGE_KEEP:-3}   # newest images kept (one per checkout in use, plus one)
scenario=node-image
container="clawops-$CLAWOPS_CHECKOUT_ID-$scenario-gw"

log() { printf '[node-image] %s\n' "$*" >&2; }

cache_key() {
  {
    docker image inspect -f '{{.Id}}' "$BASE_IMAGE"
    echo "node $NODE_FIXTURE_VERSION ${NODE_ARCHIVE_SHA256:?the Node.js fixture is missing: run scripts/test-deps.sh}"
    find roles plugins playbooks meta galaxy.yml extensions/molecule/config.yml extensions/molecule/shared \
      "extensions/molecule/$scenario" -type f ! -name '*.pyc' ! -path '*/__pycache__/*' ! -path '*/tests/*' -print0 \
      | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
}

build() {
  local tag=$1 started=$SECONDS
  export MOLECULE_EPHEMERAL_DIRECTORY="$CACHE_DIR/molecule/$CLAWOPS_CHECKOUT_ID/$scenario"
  export CLAWOPS_SCENARIO_IMAGE="$BASE_IMAGE"
  log "building $tag: converge a fresh node (log: $CACHE_DIR/node-image.log)"
  trap 'molecule destroy -s "$scenario" >>"$CACHE_DIR/node-image.log" 2>&1 || true' EXIT
  # One chain: set -e does not apply inside a list whose status `||` tests, and a step that failed
  # must never lead to a commit (a half-converged node would be cached under the key for good).
  {
    molecule destroy -s "$scenario" &&
      molecule create -s "$scenario" &&
      molecule prepare -s "$scenario" &&
      molecule converge -s "$scenario" &&
      # A clean stop (the gateway closes its databases and removes its locks): the image then boots
      # like a node after a reboot. /tmp is not a tmpfs in these containers.
      docker exec "$container" bash -c 'systemctl stop "user@$(id -u openclaw).service" && rm -rf /tmp/openclaw* /root/.ansible/tmp' &&
      docker commit --change "LABEL clawops.node-image.key=${tag#*:}" "$container" "$tag"
  } >"$CACHE_DIR/node-image.log" 2>&1 || { tail -n 60 "$CACHE_DIR/node-image.log" >&2; log "build failed"; return 1; }
  log "built $tag in $((SECONDS - started)) s"
}

prune() {
  # Newest first; the one just built or used is among them.
  docker images "$NODE_IMAGE_REPO" --format '{{.CreatedAt}}|{{.Repository}}:{{.Tag}}' | sort -r \
    | tail -n +"$((NODE_IMAGE_KEEP + 1))" | cut -d'|' -f2 | xargs -r docker rmi >/dev/null 2>&1 || true
}

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/node-image.lock"
flock 9
tag="$NODE_IMAGE_REPO:$(cache_key)"
if ! docker image inspect "$tag" >/dev/null 2>&1; then
  build "$tag"
  prune
fi
echo "$tag"
