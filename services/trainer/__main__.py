"""Run the trainer worker: ``python -m services.trainer`` (the same as ``ecominsight trainer``)."""

import sys

from services.trainer.cli import register
from shared.command import run

if __name__ == "__main__":
    sys.exit(run(["trainer", *sys.argv[1:]], [register]))
