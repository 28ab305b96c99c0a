#!/usr/bin/env bash
# Create .venv and install the project: the CPU build of torch first (an unpinned torch
# would pull gigabytes of CUDA), then the project with its dev tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0"
# Every other package at the version in requirements.lock (scripts/lock.sh makes it; it says how to upgrade).
.venv/bin/python -m pip install -q --disable-pip-version-check -c requirements.lock -e ".[dev]"
