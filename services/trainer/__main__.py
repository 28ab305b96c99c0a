"""Run the trainer worker: python -m services.trainer (the same as ``ecominsight trainer``)."""

from __future__ import annotations

import sys

from shared.cli import main

if __name__ == "__main__":
    sys.exit(main(["trainer", *sys.argv[1:]]))
