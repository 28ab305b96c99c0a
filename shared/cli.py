"""The old home of the ``ecominsight`` command, now ``services/cli.py``: kept only while a caller
still runs ``python -m shared.cli`` or imports ``main`` from here (issue 15). It imports upwards
(``shared/`` must not import a service), so delete it when the last caller has moved."""

import sys

from services.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
