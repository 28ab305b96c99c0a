"""seed-data and import-data through the ``ecominsight`` command, on DuckDB files in tmp_path."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from services.cli import main


def rows(path: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_seed_data_is_deterministic_and_realistic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = tmp_path / "a.duckdb", tmp_path / "b.duckdb", tmp_path / "c.duckdb"
    assert main(["seed-data", "--shops", "3", "--seed", "5", "--warehouse", str(a)]) == 0
    assert "seeded" in capsys.readouterr().out
    assert main(["seed-data", "--shops", "3", "--seed", "5", "--warehouse", str(b)]) == 0
    assert main(["seed-data", "--shops", "3", "--seed", "6", "--warehouse", str(c)]) == 0
    digest = "SELECT order_id, customer_id, status, total_amount FROM orders ORDER BY order_id"
    assert rows(a, digest) == rows(b, digest)
    assert rows(a, digest) != rows(c, digest)

    shops = rows(a, "SELECT shop_id, count(*) FROM orders GROUP BY shop_id ORDER BY shop_id")
    assert [s for s, _ in shops] == ["10", "11", "12"]
    assert all(2000 <= n <= 5000 for _, n in shops)
    # a year of orders up to today, totals are the sums of their items, customers order after signing up
    (span,) = rows(a, "SELECT date_diff('day', min(created_at), max(created_at)) FROM orders")[0]
    assert 350 <= span <= 366
    assert rows(a, "SELECT max(created_at) <= now()::TIMESTAMP FROM orders")[0][0]
    assert (
        rows(
            a,
            """SELECT count(*) FROM orders o WHERE total_amount <>
                      (SELECT sum(quantity * unit_price) FROM order_items i WHERE i.order_id = o.order_id)""",
        )[0][0]
        == 0
    )
    assert (
        rows(
            a,
            """SELECT count(*) FROM orders o JOIN customers c USING (customer_id)
                      WHERE o.created_at < c.created_at""",
        )[0][0]
        == 0
    )
    statuses = {s for (s,) in rows(a, "SELECT DISTINCT status FROM orders")}
    assert statuses == {"pending", "paid", "shipped", "delivered", "cancelled", "refunded"}


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n")
    return path


def test_import_data_loads_csv_and_parquet(tmp_path: Path) -> None:
    data = tmp_path / "mine"
    data.mkdir()
    write(data / "shops.csv", "shop_id,name,currency,created_at\n77,My Shop,EUR,2025-01-01 00:00:00")
    write(
        data / "customers.csv",
        "customer_id,shop_id,name,email,country,created_at\n"
        "c1,77,Ada,ada@x.org,GB,2025-02-01 10:00:00\nc2,77,Bo,,SE,2025-03-01 10:00:00",
    )
    write(data / "products.csv", "product_id,shop_id,name,category,price\np1,77,Mug,Kitchen,12.50")
    orders = duckdb.connect()
    orders.execute(
        """COPY (SELECT * FROM (VALUES
        ('o1', '77', 'c1', 'paid', 25.00::DECIMAL(12,2), TIMESTAMP '2025-05-01 09:00:00'),
        ('o2', '77', 'c2', 'Cancelled', 12.50::DECIMAL(12,2), TIMESTAMP '2025-05-02 09:00:00'))
        AS t(order_id, shop_id, customer_id, status, total_amount, created_at)) TO '"""
        + str(data / "orders.parquet")
        + "' (FORMAT parquet)"
    )
    write(data / "order_items.csv", "order_id,product_id,quantity,unit_price\no1,p1,2,12.50\no2,p1,1,12.50")
    warehouse = tmp_path / "w.duckdb"
    assert main(["import-data", str(data), "--warehouse", str(warehouse)]) == 0
    assert rows(warehouse, "SELECT order_id, status, total_amount FROM orders ORDER BY 1") == [
        ("o1", "paid", pytest.approx(25)),
        ("o2", "cancelled", pytest.approx(12.5)),
    ]
    assert rows(warehouse, "SELECT count(*) FROM customers")[0][0] == 2
    # --replace swaps a table's contents instead of adding to it
    assert main(["import-data", str(data / "products.csv"), "--replace", "--warehouse", str(warehouse)]) == 0
    assert rows(warehouse, "SELECT count(*) FROM products")[0][0] == 1


def test_imported_times_are_stored_in_utc_and_created_at_is_optional(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # the machine's zone must not matter
    data = tmp_path / "mine"
    data.mkdir()
    write(data / "shops.csv", "shop_id,name\n78,No Dates Shop")
    write(data / "customers.csv", "customer_id,shop_id,name\nc1,78,Ada")
    write(
        data / "orders.csv",
        "order_id,shop_id,customer_id,status,total_amount,created_at\n"
        "o1,78,c1,paid,10,2025-10-31T23:30:00-05:00\no2,78,c1,paid,20,2025-10-31 23:30:00",
    )
    orders = duckdb.connect()
    orders.execute("SET TimeZone = 'America/New_York'")
    orders.execute(
        "COPY (SELECT 'o3' AS order_id, '78' AS shop_id, 'c1' AS customer_id, 'paid' AS status, "
        "30.0::DECIMAL(12,2) AS total_amount, TIMESTAMPTZ '2025-10-31 23:30:00+00' AS created_at) TO '"
        + str(tmp_path / "orders.parquet") + "' (FORMAT parquet)"
    )
    warehouse = tmp_path / "w.duckdb"
    assert main(["import-data", str(data), "--warehouse", str(warehouse)]) == 0
    assert main(["import-data", str(tmp_path / "orders.parquet"), "--warehouse", str(warehouse)]) == 0
    got = dict(rows(warehouse, "SELECT order_id, strftime(created_at, '%Y-%m-%d %H:%M') FROM orders"))
    assert got == {"o1": "2025-11-01 04:30", "o2": "2025-10-31 23:30", "o3": "2025-10-31 23:30"}
    assert rows(warehouse, "SELECT count(*) FROM shops WHERE created_at IS NOT NULL")[0][0] == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "orders.csv",
            "order_id,shop_id,status\no1,77,paid",
            "missing column(s) customer_id, total_amount, created_at",
        ),
        (
            "orders.csv",
            "order_id,shop_id,customer_id,status,total_amount,created_at\no1,77,c1,lost,5,2025-01-01",
            "unknown status value(s) 'lost'",
        ),
        (
            "orders.csv",
            "order_id,shop_id,customer_id,status,total_amount,created_at\no1,77,c1,paid,lots,2025-01-01",
            "orders.csv",
        ),
        ("sales.csv", "a,b\n1,2", "the file name must be one of the tables"),
        ("orders.txt", "x", "only .csv and .parquet"),
    ],
)
def test_import_data_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    path = write(tmp_path / name, content)
    warehouse = tmp_path / "w.duckdb"
    assert main(["import-data", str(path), "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err.splitlines()
    errors = [line for line in err if not line.startswith("ecominsight: state in ")]  # the CLI says where state is
    assert errors[0].startswith("error: ") and message in "\n".join(errors)
    if warehouse.exists():
        assert rows(warehouse, "SELECT count(*) FROM orders")[0][0] == 0  # nothing half-loaded


def test_import_of_a_missing_path_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-data", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
