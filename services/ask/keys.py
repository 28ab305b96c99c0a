"""Per-shop API keys: the key decides which shop a request reads.

A key looks like ``eik_<key id>_<secret>`` and is shown once, by ``ecominsight keys create
--shop 10`` (a shop key: it reads that shop and nothing else) or ``ecominsight keys create --admin``
(an admin key: it reads no shop's answers, but sees every shop's learned lexicon and may run the
logger's sandboxed SQL over MCP). The keys file (``DATA_DIR/api_keys.json``, mode 0600) holds only the key id, the
shop, and the SHA-256 of the whole key, compared in constant time. Clients send it as
``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.

Framework-free on purpose: ``resolve_shop`` raises ``AuthError`` with the HTTP status to answer.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.ask.errors import AuthError
from shared.fs import atomic_write
from shared.settings import PathSettings, SecuritySettings

KEY_PREFIX = "eik_"
KEY_RE = re.compile(r"eik_([0-9a-f]{12})_([A-Za-z0-9_-]{32,128})")
SHOP_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
KEYS_FILE = "api_keys.json"
HEADER_HELP = "send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"


class KeySettings(BaseSettings):
    """Key and rate-limit settings of the ask service (``ECOMINSIGHT_ASK_*``)."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_ASK_", extra="ignore", use_attribute_docstrings=True)

    require_api_keys: bool | None = None
    """Require a shop's API key on every request; unset: required unless ECOMINSIGHT_LOCAL_DEV=1 (``ecominsight up``)."""
    api_keys_file: Path | None = None
    """The API keys (hashed), written by ``ecominsight keys``; unset: ``api_keys.json`` in the data folder."""
    rate_limit_per_s: float = Field(default=10.0, gt=0)
    """Token bucket per shop: sustained requests per second ..."""
    rate_limit_burst: int = Field(default=30, ge=1)
    """... and the burst above it."""
    auth_fail_per_s: float = Field(default=0.2, gt=0)
    """Failed authentications (no key where one is required, an unknown or revoked key, another shop's id) per
    client address: one per ``1 / auth_fail_per_s`` seconds after the burst; beyond that a 429 with Retry-After."""
    auth_fail_burst: int = Field(default=20, ge=1)
    """Failed authentications per client address allowed at once before the rate above applies."""

    def required(self, security: SecuritySettings) -> bool:
        return self.require_api_keys if self.require_api_keys is not None else not security.local_dev

    def path(self, paths: PathSettings) -> Path:
        return self.api_keys_file or paths.data_dir / KEYS_FILE


ADMIN = "admin"
SHOP = "shop"


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    shop_id: str | None  # None for an admin key
    created_at: str
    label: str | None = None
    revoked_at: str | None = None
    kind: str = SHOP


@dataclass(frozen=True)
class Caller:
    """Who a valid key belongs to: one shop, or an admin (``shop_id`` None)."""

    key_id: str
    shop_id: str | None

    @property
    def admin(self) -> bool:
        return self.shop_id is None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_shop_id(shop_id: str) -> str:
    if not SHOP_RE.fullmatch(shop_id):
        raise AuthError(f"invalid shop id {shop_id[:70]!r}: letters, digits, '_' or '-', at most 64", 422)
    return shop_id


class KeyStore:
    """The keys file. Reads are cached until the file changes; writes are atomic and locked."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._cache: tuple[tuple[int, int], dict[str, dict[str, Any]]] | None = None
        self._lock = threading.Lock()

    # -- the file ------------------------------------------------------------------------------
    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if self._cache is not None and self._cache[0] == stamp:
                return self._cache[1]
            try:
                data = json.loads(self.path.read_text())
                entries = {str(e["key_id"]): dict(e) for e in data["keys"]}
            except (ValueError, KeyError, TypeError) as exc:
                raise AuthError(f"the keys file {self.path} is damaged: {exc}", 503) from exc
            self._cache = (stamp, entries)
            return entries

    @contextmanager
    def _editing(self) -> Iterator[dict[str, dict[str, Any]]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(f".{self.path.name}.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = dict(self._load())
            yield entries
            atomic_write(self.path, json.dumps({"keys": list(entries.values())}, indent=2), mode=0o600)

    # -- the API -------------------------------------------------------------------------------
    def create(self, shop_id: str | None, label: str | None = None, *, admin: bool = False) -> str:
        """A new key for ``shop_id`` (or, with ``admin``, an admin key of no shop); the plain key
        is returned once and never stored."""
        if admin == (shop_id is not None):
            raise AuthError("a key is either for one shop or an admin key", 422)
        if shop_id is not None:
            check_shop_id(shop_id)
        key_id = secrets.token_hex(6)
        key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        with self._editing() as entries:
            entries[key_id] = {
                "key_id": key_id,
                "kind": ADMIN if admin else SHOP,
                "shop_id": shop_id,
                "sha256": _digest(key),
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "label": label,
                "revoked_at": None,
            }
        return key

    def identify(self, key: str) -> Caller | None:
        """The owner of a valid, unrevoked key; None for anything else."""
        match = KEY_RE.fullmatch(key.strip())
        entry = self._load().get(match.group(1)) if match else None
        expected = entry["sha256"] if entry else _digest("")  # compare anyway: same work either way
        ok = hmac.compare_digest(_digest(key.strip()), expected)
        if not ok or entry is None or entry.get("revoked_at"):
            return None
        if entry.get("kind", SHOP) == ADMIN:
            return Caller(str(entry["key_id"]), None)
        return Caller(str(entry["key_id"]), str(entry["shop_id"]))

    def shop_for(self, key: str) -> str | None:
        """The shop of a valid, unrevoked shop key; None for anything else (an admin key too)."""
        caller = self.identify(key)
        return caller.shop_id if caller is not None else None

    def revoke(self, key_id: str) -> KeyInfo:
        """Revoke by key id (the part after ``eik_``, shown by ``list``) or by the whole key."""
        match = KEY_RE.fullmatch(key_id.strip())
        wanted = match.group(1) if match else key_id.strip()
        with self._editing() as entries:
            if wanted not in entries:
                raise AuthError(f"no key with id {wanted[:20]!r}", 404)
            entries[wanted] = {**entries[wanted], "revoked_at": datetime.now(UTC).isoformat(timespec="seconds")}
            entry = entries[wanted]
        return self._info(entry)

    def list(self) -> list[KeyInfo]:
        return sorted((self._info(e) for e in self._load().values()), key=lambda k: (k.shop_id or "", k.created_at))

    @staticmethod
    def _info(entry: dict[str, Any]) -> KeyInfo:
        return KeyInfo(entry["key_id"], entry.get("shop_id"), entry["created_at"], entry.get("label"),
                       entry.get("revoked_at"), entry.get("kind", SHOP))


def presented_key(authorization: str | None, x_api_key: str | None) -> str | None:
    """The key from ``X-API-Key`` or ``Authorization: Bearer``; None when neither is sent."""
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


def resolve_caller(store: KeyStore, key: str | None, required: bool) -> Caller | None:
    """The owner of the key sent; None when none was sent and keys are not required. Raises
    ``AuthError`` 401 for an unknown or revoked key, or for none where one is required."""
    if key is not None:
        caller = store.identify(key)
        if caller is None:
            raise AuthError("unknown or revoked API key", 401)
        return caller
    if required:
        raise AuthError(f"an API key is required: {HEADER_HELP} (ecominsight keys create --shop ID)", 401)
    return None


def resolve_shop(store: KeyStore, key: str | None, body_shop_id: str | None, required: bool) -> str:
    """The shop a request may read. With a key, the key decides (a different ``shop_id`` in the
    body is refused, the same one is fine); without one, the body's ``shop_id`` when keys are not
    required. Raises ``AuthError`` (401 no/unknown key, 403 other shop or an admin key, 422 no shop)."""
    if key is not None:
        caller = resolve_caller(store, key, required)
        assert caller is not None
        if caller.admin:
            raise AuthError("an admin key reads no shop's data: use the shop's own key", 403)
        shop = str(caller.shop_id)
        if body_shop_id is not None and str(body_shop_id) != shop:
            raise AuthError(f"this API key is for shop {shop!r}, not {str(body_shop_id)[:70]!r}", 403)
        return shop
    if required:
        raise AuthError(f"an API key is required: {HEADER_HELP} (ecominsight keys create --shop ID)", 401)
    if body_shop_id is None or not str(body_shop_id).strip():
        raise AuthError("shop_id is required when no API key is sent", 422)
    return check_shop_id(str(body_shop_id))


class RateLimiter:
    """A token bucket per name (shop or key): ``rate_per_s`` sustained, ``burst`` at once.
    ``check(name)`` raises ``AuthError`` with status 429 and ``retry_after_s`` when it is empty."""

    def __init__(
        self, rate_per_s: float, burst: int, max_names: int = 100_000, clock: Callable[[], float] = time.monotonic
    ):
        self.rate = float(rate_per_s)
        self.burst = float(burst)
        self.max_names = max_names
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # name -> (tokens, at)
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: KeySettings) -> RateLimiter:
        return cls(settings.rate_limit_per_s, settings.rate_limit_burst)

    def blocked(self, name: str) -> float | None:
        """Seconds until ``name`` may spend a token again; None when it may now (spends nothing)."""
        with self._lock:
            found = self._buckets.get(name)
        if found is None:
            return None
        tokens = min(self.burst, found[0] + (self.clock() - found[1]) * self.rate)
        return None if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def check(self, name: str, cost: float = 1.0) -> None:
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(name, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            allowed = tokens >= cost
            if allowed:
                tokens -= cost
            self._buckets[name] = (tokens, now)
            while len(self._buckets) > self.max_names:  # the least recently seen go first
                self._buckets.popitem(last=False)
        if not allowed:
            wait = (cost - tokens) / self.rate
            raise AuthError(f"too many requests for {name[:70]!r}: retry in {wait:.1f}s", 429, wait)
