"""Deterministic sample data: a few shops (shop "10" first), a year of orders up to today.

The same ``seed`` and day give the same data. Order totals are the sums of their items, customers
order only after they signed up, and some customers buy far more than others, so "top customers"
and "best month" questions have meaningful answers.
"""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from services.ask.warehouse import TABLES, open_for_writing
from shared.fs import atomic_replace

SHOPS = [
    ("10", "Northwind Goods", "USD"),
    ("11", "Café Lumière", "EUR"),
    ("12", "Thames Trading", "GBP"),
    ("13", "Maple & Pine", "CAD"),
    ("14", "Sakura Select", "JPY"),
    ("15", "Outback Outfitters", "AUD"),
]
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "John",
    "Katherine",
    "Guido",
    "Sophie",
    "Yukihiro",
    "Anita",
    "Niklaus",
    "Joan",
    "Bjarne",
    "Carol",
    "Donald",
    "Evelyn",
    "James",
    "Lucia",
    "Mateo",
    "Amara",
    "Ravi",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Backus",
    "Johnson",
    "van Rossum",
    "Wilson",
    "Matsumoto",
    "Borg",
    "Wirth",
    "Clarke",
    "Stroustrup",
    "Shaw",
    "Knuth",
    "Berry",
    "Gosling",
]
COUNTRIES = ["US", "GB", "DE", "FR", "CA", "AU", "JP", "IN", "NL", "ES"]
CATALOGUE = {
    "Kitchen": [
        "Cast Iron Skillet",
        "Chef's Knife",
        "Bamboo Cutting Board",
        "Espresso Maker",
        "Spice Rack",
        "Ceramic Mug Set",
        "Salad Spinner",
        "Dutch Oven",
    ],
    "Outdoors": [
        "Trail Backpack",
        "Camping Lantern",
        "Insulated Bottle",
        "Hammock",
        "Rain Jacket",
        "Hiking Poles",
        "Sleeping Bag",
    ],
    "Home": [
        "Linen Throw",
        "Scented Candle",
        "Desk Lamp",
        "Wool Rug",
        "Wall Clock",
        "Plant Pot",
        "Picture Frame",
        "Storage Basket",
    ],
    "Tech": [
        "Wireless Earbuds",
        "USB-C Hub",
        "Mechanical Keyboard",
        "Laptop Stand",
        "Phone Case",
        "Portable Charger",
        "Webcam",
    ],
    "Apparel": ["Merino Sweater", "Canvas Sneakers", "Leather Belt", "Cotton Tee", "Beanie", "Silk Scarf"],
}
STATUS_WEIGHTS = {"delivered": 55, "shipped": 10, "paid": 9, "pending": 6, "cancelled": 11, "refunded": 9}


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


class Rows:
    """The generated rows, column by column, of every warehouse table."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list[object]]] = {name: {c: [] for c in cols} for name, cols in TABLES.items()}

    def add(self, table: str, *values: object) -> None:
        for col, value in zip(TABLES[table], values, strict=True):
            self.columns[table][col].append(value)

    def tables(self) -> dict[str, pa.Table]:
        """One pyarrow table per warehouse table, with the warehouse's column types."""
        types = {
            "price": pa.decimal128(10, 2),
            "unit_price": pa.decimal128(10, 2),
            "total_amount": pa.decimal128(12, 2),
            "created_at": pa.timestamp("us"),
            "quantity": pa.int32(),
        }
        return {
            name: pa.table({c: pa.array(v, type=types.get(c, pa.string())) for c, v in cols.items()})
            for name, cols in self.columns.items()
        }


# A product of a shop: id, price and how often it is bought (a weight); a customer: id and appetite.
Product = tuple[str, Decimal, float]
Customer = tuple[str, float]


def generate(
    shops: int = 3, seed: int = 42, orders_per_shop: int = 3000, now: datetime | None = None
) -> dict[str, pa.Table]:
    """Build the sample tables in memory (one pyarrow table per warehouse table)."""
    now = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    rng = random.Random(seed)
    rows = Rows()
    for shop_index, (shop_id, shop_name, currency) in enumerate(SHOPS[: max(1, shops)]):
        scale = 1.0 if currency != "JPY" else 100.0
        rows.add("shops", shop_id, shop_name, currency, now - timedelta(days=800 + 30 * shop_index))
        products = _products(rng, rows, shop_id, scale)
        customers, created_at = _customers(rng, rows, shop_id, now)
        times = _order_times(rng, now, orders_per_shop)
        _orders(rng, rows, shop_id, products, customers, created_at, times, now)
    return rows.tables()


def _products(rng: random.Random, rows: Rows, shop_id: str, scale: float) -> list[Product]:
    """A shop-specific subset of the catalogue with its own prices."""
    products_all = [(cat, name) for cat, names in CATALOGUE.items() for name in names]
    products = []
    for i, (category, name) in enumerate(rng.sample(products_all, k=rng.randint(22, len(products_all)))):
        pid = f"P{shop_id}-{i + 1:03d}"
        price = _money(rng.uniform(6, 180) * scale)
        products.append((pid, price, rng.random() ** 2 + 0.05))
        rows.add("products", pid, shop_id, name, category, price)
    return products


def _customers(rng: random.Random, rows: Rows, shop_id: str, now: datetime) -> tuple[list[Customer], list[datetime]]:
    """Customers who signed up over two years, with a heavy-tailed appetite for buying; and when
    each signed up."""
    customers: list[Customer] = []
    created_at: list[datetime] = []
    for i in range(rng.randint(350, 500)):
        cid = f"C{shop_id}-{i + 1:04d}"
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = now - timedelta(seconds=rng.randint(0, 730 * 86400))
        customers.append((cid, rng.paretovariate(1.3)))
        created_at.append(created)
        email = f"{first}.{last}{i + 1}@example.com".lower().replace(" ", "").replace("'", "")
        rows.add("customers", cid, shop_id, f"{first} {last}", email, rng.choice(COUNTRIES), created)
    return customers, created_at


def _order_times(rng: random.Random, now: datetime, orders_per_shop: int) -> list[datetime]:
    """When a shop's orders were placed over the last year, in order (a quieter late summer)."""
    year_ago = now - timedelta(days=365)
    n_orders = orders_per_shop + rng.randint(-300, 300)
    times = []
    for _ in range(n_orders):
        created = year_ago + timedelta(seconds=rng.randint(0, 365 * 86400))
        # A quieter late summer.
        if created.month in (7, 8) and rng.random() < 0.3:
            created = year_ago + timedelta(seconds=rng.randint(0, 365 * 86400))
        times.append(min(created, now))
    times.sort()
    return times


def _orders(
    rng: random.Random,
    rows: Rows,
    shop_id: str,
    products: list[Product],
    customers: list[Customer],
    created_at: list[datetime],
    times: list[datetime],
    now: datetime,
) -> None:
    """An order at each of ``times``, with its items; totals are the sums of their items."""
    product_weights = [p[2] for p in products]
    statuses, status_weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    # Each order goes to a customer who had signed up by then, heavy buyers more often.
    signed_up = sorted(range(len(customers)), key=lambda k: created_at[k])
    cumulative = list(itertools.accumulate(customers[k][1] for k in signed_up))
    signup_times = [created_at[k] for k in signed_up]
    for i, created in enumerate(times):
        n_eligible = max(1, bisect.bisect_right(signup_times, created))
        pick = bisect.bisect_left(cumulative, rng.random() * cumulative[n_eligible - 1])
        cid = customers[signed_up[min(pick, n_eligible - 1)]][0]
        oid = f"{shop_id}-{i + 1:06d}"
        total = Decimal("0.00")
        lines = rng.choices(products, weights=product_weights, k=rng.choice([1, 1, 1, 2, 2, 3, 4]))
        for pid, price, _w in {p[0]: p for p in lines}.values():
            qty = rng.choice([1, 1, 1, 1, 2, 2, 3, 5])
            rows.add("order_items", oid, pid, qty, price)
            total += price * qty
        status = rng.choices(statuses, weights=status_weights)[0]
        if created > now - timedelta(days=3) and status in ("delivered", "shipped"):
            status = rng.choice(["pending", "paid"])
        rows.add("orders", oid, shop_id, cid, status, total, created)


def seed_warehouse(path: Path, shops: int = 3, seed: int = 42, orders_per_shop: int = 3000) -> dict[str, int]:
    """Replace the warehouse with generated sample data; returns row counts.

    The data is written to a temporary file beside ``path`` and renamed over it once committed,
    so ``path`` exists only complete (a container's "seed unless the file exists" guard relies on it).
    """
    tables = generate(shops=shops, seed=seed, orders_per_shop=orders_per_shop)
    tmp = path.with_name(f".{path.name}.seeding")
    for stale in (tmp, tmp.with_name(tmp.name + ".wal")):
        stale.unlink(missing_ok=True)
    con = open_for_writing(tmp)
    try:
        con.execute("BEGIN")
        for name in reversed(list(TABLES)):
            con.execute(f"DELETE FROM {name}")  # table names are constants, not user text
        for name, table in tables.items():
            con.register("incoming", table)
            con.execute(f"INSERT INTO {name} ({', '.join(TABLES[name])}) SELECT * FROM incoming")
            con.unregister("incoming")
        con.execute("COMMIT")
        counts = {name: int(con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]) for name in TABLES}
        con.execute("CHECKPOINT")
    finally:
        con.close()
    # An old file's log must not replay onto the new one.
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    atomic_replace(tmp, path)
    return counts
