"""The shop warehouse: a DuckDB file with shops, customers, products, orders and order items.

Serving opens it read-only, so several ask replicas can share one file; ``seed-data`` and
``import-data`` open it read-write (while no server holds it).
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from services.ask.errors import WarehouseError
from shared.errors import ConfigError

STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")
# Revenue counts every order that is not cancelled or refunded.
EXCLUDED_FROM_REVENUE = ("cancelled", "refunded")

SCHEMA = """
CREATE TABLE IF NOT EXISTS shops (
    shop_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    currency VARCHAR NOT NULL DEFAULT 'USD',
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    customer_id VARCHAR NOT NULL,
    shop_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    email VARCHAR,
    country VARCHAR,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (shop_id, customer_id)
);
CREATE TABLE IF NOT EXISTS products (
    product_id VARCHAR NOT NULL,
    shop_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    category VARCHAR,
    price DECIMAL(10, 2) NOT NULL,
    PRIMARY KEY (shop_id, product_id)
);
CREATE TABLE IF NOT EXISTS orders (
    order_id VARCHAR PRIMARY KEY,
    shop_id VARCHAR NOT NULL,
    customer_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
    total_amount DECIMAL(12, 2) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS order_items (
    order_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price DECIMAL(10, 2) NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_shop ON orders (shop_id);
"""

TABLES: dict[str, tuple[str, ...]] = {
    "shops": ("shop_id", "name", "currency", "created_at"),
    "customers": ("customer_id", "shop_id", "name", "email", "country", "created_at"),
    "products": ("product_id", "shop_id", "name", "category", "price"),
    "orders": ("order_id", "shop_id", "customer_id", "status", "total_amount", "created_at"),
    "order_items": ("order_id", "product_id", "quantity", "unit_price"),
}


def open_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse read-write, with the schema in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot open {path} for writing (is an ask server using it?): {exc}") from exc
    con.execute(SCHEMA)
    return con


class Warehouse:
    """A read-only connection shared by the request threads (each query gets its own cursor)."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise ConfigError(
                f"no warehouse at {path}: run `ecominsight seed-data` or `ecominsight import-data` first"
            )
        self.path = path
        try:
            self._con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc
        self._local = threading.local()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one parameterized statement and return its rows."""
        return self._cursor().execute(sql, params or []).fetchall()

    def shop(self, shop_id: str) -> tuple[str, str] | None:
        """(name, currency) of a shop, or None when there is no such shop."""
        rows = self.query("SELECT name, currency FROM shops WHERE shop_id = ?", [shop_id])
        return (rows[0][0], rows[0][1]) if rows else None

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
