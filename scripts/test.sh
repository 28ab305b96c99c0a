#!/usr/bin/env bash
# Set up and run every check: ruff, mypy, then the whole pytest suite (the end-to-end test too).
# The tests start their own Kafka-protocol broker (Tansu) unless KAFKA_BOOTSTRAP_SERVERS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy shared services
echo "== pytest"; .venv/bin/python -m pytest "$@"
