"""Run the logger service: python -m services.logger"""

import logging
import sys

from services.logger.app import serve
from shared.errors import ConfigError

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    try:
        serve()
    except ConfigError as exc:  # a placeholder secret outside a local run: say so, no traceback
        print(f"logger: {exc}", file=sys.stderr)
        sys.exit(2)
