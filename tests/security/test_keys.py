"""Per-shop API keys: the key decides the shop, keys are stored hashed, revoked keys stop working,
and a shop over its rate gets a 429 with the time to wait."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from services.ask.keys import AuthError, KeyStore, RateLimiter, presented_key, resolve_shop


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "api_keys.json")


def test_a_key_reads_its_own_shop_and_is_stored_only_as_a_hash(store: KeyStore) -> None:
    key10, key11 = store.create("10"), store.create("11")
    assert store.shop_for(key10) == "10" and store.shop_for(key11) == "11"
    text = store.path.read_text()
    assert key10 not in text and key10.split("_")[-1] not in text
    assert hashlib.sha256(key10.encode()).hexdigest() in text
    assert store.path.stat().st_mode & 0o077 == 0  # not readable by others
    assert [k.shop_id for k in KeyStore(store.path).list()] == ["10", "11"]


@pytest.mark.parametrize("bad", ["", "nope", "eik_", "eik_000000000000_" + "a" * 43, " ", "Bearer x"])
def test_unknown_keys_name_no_shop(store: KeyStore, bad: str) -> None:
    store.create("10")
    assert store.shop_for(bad) is None


def test_a_changed_secret_with_a_real_key_id_names_no_shop(store: KeyStore) -> None:
    key = store.create("10")
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert store.shop_for(tampered) is None


def test_revoked_keys_stop_working(store: KeyStore) -> None:
    key = store.create("10")
    key_id = store.list()[0].key_id
    assert store.revoke(key_id).revoked_at
    assert store.shop_for(key) is None
    with pytest.raises(AuthError, match="unknown or revoked") as err:
        resolve_shop(store, key, "10", required=False)
    assert err.value.status == 401
    with pytest.raises(AuthError, match="no key") as err:
        store.revoke("000000000000")
    assert err.value.status == 404


def test_resolve_shop(store: KeyStore) -> None:
    key = store.create("10")
    assert resolve_shop(store, key, None, required=True) == "10"
    assert resolve_shop(store, key, "10", required=True) == "10"  # the seed's {shop_id, question} shape
    with pytest.raises(AuthError, match="for shop '10', not '11'") as err:
        resolve_shop(store, key, "11", required=True)  # walking shop ids with one key
    assert err.value.status == 403
    with pytest.raises(AuthError, match="API key is required") as err:
        resolve_shop(store, None, "10", required=True)
    assert err.value.status == 401
    assert resolve_shop(store, None, "12", required=False) == "12"  # local `up` without keys
    for body in (None, "", "../10"):
        with pytest.raises(AuthError) as err:
            resolve_shop(store, None, body, required=False)
        assert err.value.status == 422


def test_the_key_comes_from_either_header() -> None:
    assert presented_key("Bearer eik_x", None) == "eik_x"
    assert presented_key("bearer  eik_x ", None) == "eik_x"
    assert presented_key(None, "eik_y") == "eik_y"
    assert presented_key("Basic abc", None) is None and presented_key(None, None) is None


def test_rate_limiter_per_shop() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2.0, burst=3, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("10")
    with pytest.raises(AuthError) as err:
        limiter.check("10")
    assert err.value.status == 429 and err.value.retry_after_s == pytest.approx(0.5)
    limiter.check("11")  # another shop has its own bucket
    now[0] += 0.5
    limiter.check("10")  # one token back after 1 / rate seconds
    with pytest.raises(AuthError):
        limiter.check("10")


def test_keys_cli(tmp_path: Path) -> None:
    file = tmp_path / "keys.json"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "services.cli", "keys", "--file", str(file), *args],
                              capture_output=True, text=True, timeout=120)

    out = cli("create", "--shop", "10")
    assert out.returncode == 0, out.stderr
    key = next(word for word in out.stdout.split() if word.startswith("eik_"))
    assert KeyStore(file).shop_for(key) == "10"
    listed = cli("list").stdout
    assert "shop 10" in listed and key not in listed
    assert cli("revoke", listed.split()[0]).returncode == 0
    assert KeyStore(file).shop_for(key) is None
