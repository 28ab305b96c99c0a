"""The secrets ``ecominsight up`` made for a data folder (``DATA_DIR/secrets.json``, mode 0600),
read by the command-line tools of the same checkout when no token is set in the environment, so
``ecominsight review ...`` or ``ecominsight logs ...`` work against a local ``up`` without
copying tokens around. Deployments set their tokens explicitly; this file is only ever local."""

from __future__ import annotations

import json
from pathlib import Path

SECRETS_FILE = "secrets.json"


def local_secret(data_dir: Path, name: str) -> str | None:
    """``name`` (``logger_admin_token``, ``logger_read_token``, ``ask_admin_key``) from the
    folder's secrets file; None when there is none or it cannot be read."""
    try:
        value = json.loads((data_dir / SECRETS_FILE).read_text()).get(name)
    except (OSError, ValueError, AttributeError):
        return None
    return str(value) if value else None
