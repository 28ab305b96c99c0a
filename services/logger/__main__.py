"""Run the logger service: ``python -m services.logger`` (the same as ``ecominsight logger``; a
placeholder secret outside a local run ends it with the reason and exit status 2)."""

import sys

from services.logger.cli import register
from shared.command import run

if __name__ == "__main__":
    sys.exit(run(["logger", *sys.argv[1:]], [register]))
