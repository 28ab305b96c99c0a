#!/usr/bin/env bash
# Set up and run every check: ruff, mypy, then the whole pytest suite (the end-to-end test too).
# The tests start their own Kafka-protocol broker (Tansu) unless KAFKA_BOOTSTRAP_SERVERS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# docker-compose (Debian's package) parses docker-compose.yml without a Docker engine; CI runs as root.
if ! command -v docker-compose >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing docker-compose (to check docker-compose.yml)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null 2>&1 \
    || echo "warning: could not install docker-compose; the compose parse check will say so"
fi
# Debian's chromium for the dashboard's browser test (Playwright drives /usr/bin/chromium; it never
# downloads a browser); the test skips, saying so, only where chromium cannot be installed.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium (for the dashboard test)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
    || echo "warning: could not install chromium; the dashboard browser test will say so"
fi
# podman, runc and debootstrap run docker-compose.yml for real in containers (tests/deploy, marked
# deploy); the test skips only where they cannot be installed (not root, no apt-get).
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  bash deploy/podman/install.sh || echo "warning: could not install podman; the deploy test will say so"
fi
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy shared services evaluation
echo "== pytest"; .venv/bin/python -m pytest "$@"
