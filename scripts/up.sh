#!/usr/bin/env bash
# Set up and run the whole system locally: broker, logger, generator, trainer, ask (port 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/ecominsight up "$@"
