"""The secrets of one ``ecominsight up`` data folder, generated on its first start.

``DATA_DIR/secrets.json`` (mode 0600) holds the logger's admin and read tokens and the ask API's
admin key (``ecominsight keys create --admin``; only its hash is in the keys file). They are
random per data folder, printed once when they are made, and reused on every later start, so
nothing in a local run is a well-known string: a stranger on the machine who can reach the
ports still needs the file.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from services.ask.keys import KeyStore
from services.stack.errors import StackError
from shared.fs import atomic_write
from shared.local_secrets import SECRETS_FILE


@dataclass(frozen=True)
class StackSecrets:
    logger_admin_token: str  # POST /sql, /export, /review/{id} on the logger
    logger_read_token: str  # GET /stats, /queries/*, /review/*, /dashboard/data on the logger
    ask_admin_key: str  # the ask API's admin key: GET /understanding, MCP run_sql


def secrets_path(data_dir: Path) -> Path:
    return data_dir / SECRETS_FILE


def load_or_create(data_dir: Path, keys_file: Path) -> tuple[StackSecrets, bool]:
    """The folder's secrets, and whether they were made just now (then they are shown once)."""
    path = secrets_path(data_dir)
    store = KeyStore(keys_file)
    if path.exists():
        try:
            found = StackSecrets(**json.loads(path.read_text()))
        except (ValueError, TypeError) as exc:
            raise StackError(f"{path} is damaged ({exc}); delete it to make new secrets") from exc
        caller = store.identify(found.ask_admin_key)
        if caller is not None and caller.admin:
            return found, False
        # the admin key was revoked (or the keys file replaced): make a new key, keep the tokens
        made = StackSecrets(found.logger_admin_token, found.logger_read_token,
                            store.create(None, "ecominsight up", admin=True))
    else:
        made = StackSecrets(
            logger_admin_token=secrets.token_urlsafe(32),
            logger_read_token=secrets.token_urlsafe(32),
            ask_admin_key=store.create(None, "ecominsight up", admin=True),
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(asdict(made), indent=2), mode=0o600)
    return made, True
