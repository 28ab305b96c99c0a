#!/usr/bin/env bash
# Make a Debian bookworm base image (python3.11 with venv) without an image registry:
# debootstrap builds the root file system from the Debian mirror, podman imports it.
#   deploy/podman/base-image.sh [IMAGE]     default IMAGE: localhost/ecominsight-base:bookworm
# Does nothing when the image exists. Needs root, debootstrap and podman.
set -euo pipefail
IMAGE=${1:-localhost/ecominsight-base:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if podman image exists "$IMAGE"; then
  echo "$IMAGE exists"
  exit 0
fi
root=$(mktemp -d /var/tmp/ecominsight-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$root" "$MIRROR" >"$root.log" 2>&1 \
  || { tail -20 "$root.log"; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
# Trust the certificate authorities this host added (a TLS-inspecting proxy's, say), and make pip
# use the system bundle (a venv's pip otherwise reads only its own copy of certifi).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$root/etc/pip.conf"
tar -C "$root" -c . | podman import -q --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "built $IMAGE"
