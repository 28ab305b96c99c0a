"""import-data refuses data that would break answers, and --replace touches only the shops in the
files (issue 13, §4 and §5)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from services.ask.importer import ImportDataError, import_files
from services.ask.seed import seed_warehouse
from services.cli import main

ORDERS = "order_id,shop_id,customer_id,status,total_amount,created_at\n"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wh") / "seeded.duckdb"
    seed_warehouse(path, shops=3, seed=1, orders_per_shop=40)
    return path


def copy_of(seeded: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.duckdb"
    target.write_bytes(seeded.read_bytes())
    return target


def counts(warehouse: Path, table: str) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if table == "order_items":
            sql = "SELECT o.shop_id, count(*) FROM order_items i JOIN orders o USING (order_id) GROUP BY 1"
        else:
            sql = f"SELECT shop_id, count(*) FROM {table} GROUP BY 1"
        return dict(con.execute(sql).fetchall())


def a_customer(warehouse: Path, shop: str) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return str(con.execute("SELECT min(customer_id) FROM customers WHERE shop_id = ?", [shop]).fetchone()[0])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("o-x,11,{c},paid,5,99999-01-01", "outside 1970-01-01"),
        ("o-x,11,{c},paid,5,1969-12-31 23:59:59", "outside 1970-01-01"),
        ("o-x,11,{c},paid,-5,2025-01-01", "total_amount '-5' is negative"),
        ("o-x,11,nobody,paid,5,2025-01-01", "customer_id 'nobody' not found in customers"),
        ("o-x,11,{c10},paid,5,2025-01-01", "not found in customers"),  # a customer of another shop
    ],
)
def test_bad_orders_are_refused_and_nothing_is_loaded(seeded: Path, tmp_path: Path, row: str, message: str) -> None:
    warehouse = copy_of(seeded, tmp_path)
    before = counts(warehouse, "orders")
    (tmp_path / "orders.csv").write_text(ORDERS + row.format(c=a_customer(warehouse, "11"), c10=a_customer(warehouse, "10")))
    with pytest.raises(ImportDataError, match=message):
        import_files(warehouse, [tmp_path / "orders.csv"])
    assert counts(warehouse, "orders") == before


def test_items_of_unknown_orders_and_negative_prices_are_refused(seeded: Path, tmp_path: Path) -> None:
    warehouse = copy_of(seeded, tmp_path)
    (tmp_path / "order_items.csv").write_text("order_id,product_id,quantity,unit_price\nno-such-order,p1,1,2.00")
    with pytest.raises(ImportDataError, match="order_id 'no-such-order' not found in orders"):
        import_files(warehouse, [tmp_path / "order_items.csv"])
    (tmp_path / "products.csv").write_text("product_id,shop_id,name,price\npx,11,Mug,-1")
    with pytest.raises(ImportDataError, match="price '-1' is negative"):
        import_files(warehouse, [tmp_path / "products.csv"])


def test_replace_with_one_shops_orders_replaces_only_that_shop(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = copy_of(seeded, tmp_path)
    before_orders, before_items = counts(warehouse, "orders"), counts(warehouse, "order_items")
    assert set(before_orders) == {"10", "11", "12"}
    customer = a_customer(warehouse, "11")
    (tmp_path / "orders.csv").write_text(
        ORDERS + f"n1,11,{customer},paid,10,2025-01-01\nn2,11,{customer},shipped,20,2025-01-02"
    )
    assert main(["import-data", str(tmp_path / "orders.csv"), "--replace", "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out
    said, done = out.index("replacing shop(s) 11 in orders"), out.index("imported into")
    assert said < done  # said before it was done
    after = counts(warehouse, "orders")
    assert after == {**before_orders, "11": 2}
    items = counts(warehouse, "order_items")
    assert items.get("11") is None  # the replaced orders' items went with them
    assert {k: v for k, v in items.items() if k != "11"} == {k: v for k, v in before_items.items() if k != "11"}
