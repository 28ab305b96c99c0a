"""Closed days move to Parquet (one zstd file per day and archive, written atomically) and
``queries`` stays one relation: ``/stats``, ``/sql``, the review queue, the export and a read-only
connection see the same rows before and after; the folder is a day-partitioned dataset any
Parquet reader (Spark, Trino, ClickHouse; pyarrow here) reads as it is."""

from __future__ import annotations

import random
import shutil
from datetime import timedelta

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from services.logger.export.examples import count_examples
from services.logger.settings import Settings
from services.logger.sink.writer import Sink
from shared.events import FeedbackEvent
from tests.logger.conftest import ADMIN, BASE_TIME, filled_client, query_event


def test_closed_days_move_to_parquet_and_queries_stays_one_relation(settings: Settings) -> None:
    rng = random.Random(3)
    midnight = BASE_TIME.replace(hour=0)
    queries = [query_event(i, rng, occurred_at=midnight + timedelta(hours=i)) for i in range(72)]  # 3 days
    feedback = [FeedbackEvent(query_id=q.query_id, rating="negative", shop_id=q.shop_id) for q in queries[::9]]
    logs = settings.paths.query_logs
    with filled_client(settings, [*queries, *feedback]) as client:
        db = client.app.state.service.db  # type: ignore[attr-defined]

        def seen() -> tuple:
            stats = client.get("/stats").json()
            stats.pop("filters")
            rows = client.post("/sql", headers=ADMIN, json={"sql": "SELECT count(*), count(DISTINCT day) FROM "
                               "(SELECT CAST(occurred_at AS DATE) AS day FROM queries)"}).json()["rows"]
            queue = client.get("/review/queue", params={"limit": 1000}).json()["items"]
            with db.cursor() as cur:
                examples = count_examples(cur, settings.export_min_confidence)
            return stats, rows, sorted(i["query_id"] for i in queue), examples

        before = seen()
        sink = Sink(db.cursor(), logs)
        moved = sink.archive(keep=timedelta(0))
        sink.close()
        after = seen()
        assert moved == len(queries)
        assert db.execute("SELECT count(*) FROM queries_hot").fetchone() == (0,)
        assert after == before and before[1] == [[72, 3]] and before[2] and before[3] > 0
        export = client.post("/export", headers=ADMIN)
        assert export.status_code == 200, export.text
        assert export.json()["n_examples"] == before[3]

    files = sorted((logs / "history" / "queries").glob("day=*/*"))
    assert [f.relative_to(logs / "history" / "queries").as_posix() for f in files] == [
        f"day={(midnight + timedelta(days=d)).date().isoformat()}/part-0000.parquet" for d in range(3)
    ]  # no temporary file left
    meta = pq.ParquetFile(files[0]).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    # a Parquet reader that knows nothing of DuckDB: one table, partitioned by day
    table = ds.dataset(logs / "history" / "queries", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == len(queries) and "day" in table.column_names
    assert sorted(table.column("query_id").to_pylist()) == sorted(q.query_id for q in queries)

    # A file renamed but never recorded (a crash before the archive's commit) is not read.
    orphan = files[0].with_name("part-0001.parquet")
    shutil.copyfile(files[0], orphan)
    with duckdb.connect(str(settings.paths.logs_db), read_only=True) as conn:  # the logger is stopped
        assert conn.execute("SELECT count(*), count(DISTINCT query_id) FROM queries").fetchone() == (72, 72)
        assert conn.execute("SELECT count(*) FROM history_files").fetchone() == (3,)
