"""Run the generator service: python -m services.generator"""

from __future__ import annotations

import logging

from services.generator.cli import serve
from services.generator.settings import Settings

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)
    raise SystemExit(serve(Settings()))
