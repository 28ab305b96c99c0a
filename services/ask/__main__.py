"""Run the ask service: ``python -m services.ask`` (the same as ``ecominsight ask``; host and port
from ECOMINSIGHT_ASK_*)."""

import sys

from services.ask.cli import register
from shared.command import run

if __name__ == "__main__":
    sys.exit(run(["ask", *sys.argv[1:]], [register]))
