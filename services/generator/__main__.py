"""Run the generator service: ``python -m services.generator`` (the same as ``ecominsight generator``)."""

import sys

from services.generator.cli import register
from shared.command import run

if __name__ == "__main__":
    sys.exit(run(["generator", *sys.argv[1:]], [register]))
