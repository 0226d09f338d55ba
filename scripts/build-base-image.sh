#!/usr/bin/env bash
# Build the local Debian 12 systemd image the lab and molecule run on.
# No image registry is reachable from these machines, so the image is made with
# debootstrap from the Debian mirror the host already uses, then `docker import`ed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/scripts/env.sh"

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  exit 0
fi
mirror=$( { awk '/^URIs:/ {print $2}' /etc/apt/sources.list.d/*.sources 2>/dev/null
           awk '/^deb / {print $2}' /etc/apt/sources.list 2>/dev/null; } | grep -v -e security -e nodesource | head -n1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
rootfs=$(mktemp -d "${TMPDIR:-/tmp}/clawops-rootfs.XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
echo "[base-image] debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,dbus-user-session,python3,python3-apt,sudo,ca-certificates,iproute2,procps,xz-utils,curl \
  bookworm "$rootfs" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 \
  || { tail -20 "$CACHE_DIR/debootstrap.log"; exit 1; }
# A container has no console or udev to wait for; these units only slow boot down.
for unit in getty@tty1.service systemd-udevd.service systemd-udev-trigger.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
rm -f "$rootfs/etc/machine-id" && touch "$rootfs/etc/machine-id"
tar -C "$rootfs" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' - "$BASE_IMAGE" >/dev/null
echo "[base-image] built $BASE_IMAGE"
