#!/usr/bin/env bash
# Install what running the compose stack without Docker needs (Debian/Ubuntu, as root): podman
# and runc (the engine), debootstrap (the base image without a registry), docker-compose (the
# compose file through podman's Docker API). Exits 0 when they are there or now installed.
set -euo pipefail
missing=()
for tool in podman runc debootstrap docker-compose; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install ${missing[*]}: needs root and apt-get" >&2
  exit 3
fi
echo "== installing ${missing[*]}"
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
