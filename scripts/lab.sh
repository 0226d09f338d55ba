#!/usr/bin/env bash
# A disposable local lab node: a Debian 12 systemd container converged with playbooks/site.yml.
#   scripts/lab.sh up      create (or reuse) the container, converge, print status and how to reach it
#   scripts/lab.sh down    remove it
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
NAME=${LAB_NAME:-clawops-lab}

if [ "${1:-up}" = down ]; then
  docker rm -f "$NAME" >/dev/null 2>&1 && echo "lab $NAME removed" || echo "no lab $NAME"
  exit 0
fi

"$here/scripts/test-deps.sh"
. "$here/scripts/env.sh"

if ! docker inspect "$NAME" >/dev/null 2>&1; then
  # systemd as PID 1 without --privileged (refused on these hosts); see docs/testing.md.
  docker run -d --name "$NAME" --hostname "$NAME" \
    --cap-add SYS_ADMIN --security-opt seccomp=unconfined --cgroupns=host \
    -v /sys/fs/cgroup:/sys/fs/cgroup:rw --tmpfs /run --tmpfs /run/lock \
    "$BASE_IMAGE" /lib/systemd/systemd >/dev/null
fi
docker start "$NAME" >/dev/null
# The registries are reached through a TLS-intercepting proxy: the node must trust the controller's CAs.
docker cp /etc/ssl/certs/ca-certificates.crt "$NAME":/usr/local/share/ca-certificates/clawops-controller-ca.crt

inventory=$(mktemp "${TMPDIR:-/tmp}/clawops-lab-inventory.XXXXXX.yml")
trap 'rm -f "$inventory"' EXIT
cat >"$inventory" <<YAML
openclaw_gateways:
  hosts:
    $NAME:
      ansible_connection: community.docker.docker
      ansible_python_interpreter: /usr/bin/python3
      node_install_method: archive
      node_version: "$NODE_FIXTURE_VERSION"
      node_archive_src: "$NODE_ARCHIVE"
      node_archive_checksum: "sha256:$NODE_ARCHIVE_SHA256"
      gateway_ca_bundle: /usr/local/share/ca-certificates/clawops-controller-ca.crt
      # Reachable from this machine: bind to the container's address, token auth required.
      gateway_bind: lan
YAML
ANSIBLE_PIPELINING=1 ansible-playbook -i "$inventory" "$here/playbooks/site.yml"

ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$NAME")
port=18789
echo
echo "== openclaw gateway status (lab node $NAME) =="
docker exec "$NAME" runuser -u openclaw -- env HOME=/home/openclaw XDG_RUNTIME_DIR=/run/user/"$(docker exec "$NAME" id -u openclaw)" \
  openclaw gateway status --no-probe 2>/dev/null | sed -n '1,25p' || true
echo
echo "Health:   curl http://$ip:$port/ready"
curl -fsS -m 5 "http://$ip:$port/ready" | head -c 300; echo
echo "Control UI / WebSocket: http://$ip:$port/  (ws://$ip:$port)"
echo "Token:    docker exec $NAME python3 -c \"import json; print(json.load(open('/home/openclaw/.openclaw/openclaw.json'))['gateway']['auth']['token'])\""
echo "Shell:    docker exec -it $NAME bash        Remove: make lab-destroy"
