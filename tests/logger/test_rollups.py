"""``/stats`` reads rollups: every figure equals a direct scan of the rows (counts exactly,
latency percentiles within the stated bucket error), on random data and random filters, with
part of the rows moved to the Parquet history; and the shop filter holds for feedback figures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from services.logger.settings import Settings
from services.logger.sink.schema import open_db
from services.logger.sink.writer import Sink
from services.logger.stats import histogram
from services.logger.stats.summary import Filters, get_statistics
from services.logger.stats.windows import split
from shared.events import Event, FeedbackEvent, QueryEvent
from shared.kafka import Received
from tests.logger.conftest import READER, filled_client, query_event

START = datetime(2026, 8, 20, 21, 17, 3, tzinfo=UTC)
SPAN = timedelta(days=70)  # months, days and hours of rollups, and the minutes at a window's ends


def random_events(rng: random.Random, n: int = 700) -> list[Event]:
    queries: list[QueryEvent] = []
    for i in range(n):
        moment = START + timedelta(seconds=rng.uniform(0, SPAN.total_seconds()))
        q = query_event(
            i,
            rng,
            occurred_at=moment,
            model_version=rng.choice(["template", "v1", "v2"]),
            generator=rng.choice(["model", "model", "template"]),
            response_time_ms=rng.choice([0.0, round(rng.lognormvariate(4, 1.2), 3)]) if i % 50 == 0
            else round(rng.lognormvariate(4, 1.2), 3),
        )
        queries.append(q)
    events: list[Event] = []
    for q in queries:
        events.append(q)
        if rng.random() < 0.3:  # rated by its shop, sometimes twice (the later one counts)
            for _ in range(rng.choice([1, 1, 2])):
                events.append(
                    FeedbackEvent(
                        query_id=q.query_id,
                        rating=rng.choice(["positive", "negative"]),
                        shop_id=q.shop_id,
                        occurred_at=q.occurred_at + timedelta(seconds=rng.uniform(1, 600)),
                    )
                )
        if rng.random() < 0.03:  # another shop names this query: rejected
            other = "10" if q.shop_id != "10" else "12"
            events.append(FeedbackEvent(query_id=q.query_id, rating="negative", shop_id=other))
    events.append(FeedbackEvent(query_id="never-logged", rating="negative", shop_id="11"))
    rng.shuffle(events)  # feedback may arrive before its query
    return events


def random_filters(rng: random.Random) -> Filters:
    def moment() -> datetime:
        t = START + timedelta(seconds=rng.uniform(-3600, SPAN.total_seconds() + 3600))
        kind = rng.random()
        if kind < 0.25:
            t = t.replace(minute=0, second=0, microsecond=0)  # on the hour
        elif kind < 0.4:
            t = t.replace(hour=0, minute=0, second=0, microsecond=0)  # on the day
        elif kind < 0.5:
            t = t.replace(day=1, hour=0, minute=0, second=0, microsecond=0)  # on the month
        return t

    since, until = (moment() if rng.random() < 0.7 else None), (moment() if rng.random() < 0.7 else None)
    return Filters(
        shop_id=rng.choice([None, "10", "11", "12"]),
        since=since,
        until=until,
        model_version=rng.choice([None, None, "template", "v1", "v2"]),
    )


def direct(conn: duckdb.DuckDBPyConnection, f: Filters) -> dict[str, Any]:
    """The figures computed straight from the rows (``queries``: hot rows and history) and
    ``feedback``, without the rollups or the ratings table."""
    where, params = f.where("q")
    conn.execute(
        """
        CREATE OR REPLACE TEMP TABLE counted AS
        SELECT f.query_id, arg_max(f.rating, (f.occurred_at, f.logged_at, CAST(f.event_id AS VARCHAR))) AS rating
        FROM feedback f JOIN queries q ON q.query_id = f.query_id AND (f.shop_id IS NULL OR f.shop_id = q.shop_id)
        GROUP BY f.query_id
        """
    )
    sel = f"SELECT q.*, c.rating FROM queries q LEFT JOIN counted c USING (query_id) WHERE {where}"
    total, ok, conf, ms, pos, neg = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE success), avg(confidence), avg(response_time_ms), "
        f"count(*) FILTER (WHERE rating = 'positive'), count(*) FILTER (WHERE rating = 'negative') FROM ({sel})",
        params,
    ).fetchone()  # type: ignore[misc]
    intents = dict(conn.execute(f"SELECT intent, count(*) FROM ({sel}) GROUP BY 1", params).fetchall())
    tools = dict(conn.execute(f"SELECT coalesce(tool, 'none'), count(*) FROM ({sel}) GROUP BY 1", params).fetchall())
    versions = {
        v: {"queries": n, "answered": a, "fallbacks": fb, "positive": p, "negative": ng, "p50": p50, "p95": p95}
        for v, n, a, fb, p, ng, p50, p95 in conn.execute(
            f"""SELECT model_version, count(*), count(*) FILTER (WHERE success),
                       count(*) FILTER (WHERE success AND generator <> 'model'),
                       count(*) FILTER (WHERE rating = 'positive'), count(*) FILTER (WHERE rating = 'negative'),
                       quantile_cont(response_time_ms, 0.5) FILTER (WHERE success),
                       quantile_cont(response_time_ms, 0.95) FILTER (WHERE success)
                FROM ({sel}) GROUP BY 1""",
            params,
        ).fetchall()
    }
    shop = "TRUE" if f.shop_id is None else "f.shop_id = $shop"
    counted_cond = (
        "EXISTS (SELECT 1 FROM queries q WHERE q.query_id = f.query_id AND (f.shop_id IS NULL OR f.shop_id = q.shop_id))"
    )
    received, counted, distinct = conn.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {counted_cond}), count(DISTINCT f.query_id) FILTER (WHERE {counted_cond}) "
        f"FROM feedback f WHERE {shop}",
        {"shop": f.shop_id} if f.shop_id is not None else {},
    ).fetchone()  # type: ignore[misc]
    return {
        "total": total, "ok": ok, "conf": conf, "ms": ms, "positive": pos, "negative": neg, "intents": intents,
        "tools": tools, "versions": versions, "rejected": received - counted, "superseded": counted - distinct,
    }  # fmt: skip


def compare(s: dict[str, Any], d: dict[str, Any]) -> None:
    assert s["total_queries"] == d["total"]
    assert s["successful_queries"] == d["ok"] and s["failed_queries"] == d["total"] - d["ok"]
    assert s["avg_confidence"] == pytest.approx(d["conf"] or 0.0, rel=1e-9)
    assert s["avg_response_time_ms"] == pytest.approx(d["ms"] or 0.0, rel=1e-9)
    assert s["intent_distribution"] == d["intents"]
    assert s["tool_distribution"] == d["tools"]
    assert s["feedback"] == {
        "positive": d["positive"], "negative": d["negative"], "rejected": d["rejected"], "superseded": d["superseded"],
    }  # fmt: skip
    assert set(s["versions"]) == set(d["versions"])
    for version, v in s["versions"].items():
        e = d["versions"][version]
        assert (v["queries"], v["answered"], v["feedback"]["positive"], v["feedback"]["negative"]) == (
            e["queries"], e["answered"], e["positive"], e["negative"],
        )  # fmt: skip
        assert v["fallbacks"] == (None if version == "template" else e["fallbacks"])
        for key, exact in (("p50_ms", e["p50"]), ("p95_ms", e["p95"])):
            if exact is None:
                assert v[key] is None
            else:  # the stated bound, relative (0 ms is exact)
                assert abs(v[key] - exact) <= histogram.ERROR_BOUND * exact + 1e-9, (version, key, v[key], exact)


def test_rollup_figures_equal_a_direct_scan_for_random_filters(tmp_path: Path) -> None:
    rng = random.Random(2023)
    events = random_events(rng)
    conn = open_db(tmp_path / "q.duckdb")
    sink = Sink(conn.cursor(), tmp_path)
    half = len(events) // 2
    for start in range(0, len(events), 37):
        sink.write([Received(e, "t", 0, i) for i, e in enumerate(events[start : start + 37], start)])
        if start <= half < start + 37:  # the first half's days move to Parquet; the rest stays hot
            assert sink.archive(keep=timedelta(0)) > 0
    sink.close()
    hot, history = conn.execute("SELECT (SELECT count(*) FROM queries_hot), (SELECT count(*) FROM queries)").fetchone()  # type: ignore[misc]
    assert 0 < hot < history
    assert list((tmp_path / "history" / "queries").glob("day=*/part-*.parquet"))
    cases = [Filters(), Filters(shop_id="11")] + [random_filters(rng) for _ in range(40)]
    windows = [split(f.since and f.since.replace(tzinfo=None), f.until and f.until.replace(tzinfo=None)) for f in cases]
    assert {g for w in windows for g, _, _ in w.rollup} == {"hour", "day", "month"} and any(w.raw for w in windows)
    for f in cases:
        compare(get_statistics(conn, f), direct(conn, f))
    conn.close()


def test_quantiles_from_buckets_stay_within_the_bound() -> None:
    rng = random.Random(5)
    for _ in range(200):
        values = [rng.lognormvariate(3, 2) for _ in range(rng.randint(1, 60))]
        hist: dict[int, int] = {}
        with duckdb.connect() as c:
            for v in values:
                b = c.execute(f"SELECT {histogram.bucket_sql('$v')}", {"v": v}).fetchone()[0]  # type: ignore[index]
                hist[b] = hist.get(b, 0) + 1
            for q in (0.5, 0.95, 0.99):
                exact = c.execute("SELECT quantile_cont(v, $q) FROM (SELECT unnest($vs) AS v)", {"q": q, "vs": values}).fetchone()[0]  # type: ignore[index]
                est = histogram.quantile(hist.items(), q)
                assert est is not None and abs(est - exact) <= histogram.ERROR_BOUND * exact * (1 + 1e-9)


def stats_of(client: Any, shop: str) -> dict[str, Any]:
    r = client.get("/stats", params={"shop_id": shop})
    assert r.status_code == 200, r.text
    return r.json()


def test_rating_one_shops_queries_leaves_another_shops_statistics_unchanged(settings: Settings) -> None:
    rng = random.Random(11)
    queries = [query_event(i, rng) for i in range(60)]
    of = {shop: [q for q in queries if q.shop_id == shop] for shop in ("10", "11")}
    first: list[Event] = [FeedbackEvent(query_id=q.query_id, rating="positive", shop_id="10") for q in of["10"][:4]]
    with filled_client(settings, [*queries, *first]) as client:
        before = stats_of(client, "10")
        before_11 = stats_of(client, "11")
        # shop 11 rates its own queries (twice: one superseded), names a query it never logged,
        # names shop 10's query (rejected: not its query), and corrects an answer
        sink = Sink(client.app.state.service.db.cursor(), settings.paths.query_logs)  # type: ignore[attr-defined]
        more: list[Event] = [
            *(FeedbackEvent(query_id=q.query_id, rating="negative", shop_id="11") for q in of["11"][:5]),
            FeedbackEvent(query_id=of["11"][0].query_id, rating="positive", shop_id="11"),
            FeedbackEvent(query_id="nothing-of-11", rating="negative", shop_id="11"),
            FeedbackEvent(query_id=of["10"][5].query_id, rating="negative", shop_id="11"),
            FeedbackEvent(query_id=of["11"][1].query_id, rating="negative", shop_id="11", correction="You have 3 orders."),
        ]
        sink.write([Received(e, "t", 1, i) for i, e in enumerate(more)])
        sink.close()
        after = stats_of(client, "10")
        after_11 = stats_of(client, "11")
        everything = client.get("/stats", headers=READER).json()
    for key in ("feedback", "corrections", "versions", "total_queries"):
        assert after[key] == before[key], key
    assert before["feedback"] == {"positive": 4, "negative": 0, "rejected": 0, "superseded": 0}
    assert before_11["feedback"] == {"positive": 0, "negative": 0, "rejected": 0, "superseded": 0}
    assert after_11["feedback"] == {"positive": 1, "negative": 4, "rejected": 2, "superseded": 2}
    assert after_11["corrections"]["total"] == 1 and before_11["corrections"]["total"] == 0
    assert everything["feedback"]["rejected"] == 2 and everything["corrections"]["total"] == 1


def test_dashboard_data_from_rollups_equals_the_rows(tmp_path: Path) -> None:
    """``/dashboard/data``'s figures (per bucket, totals, intents, versions) from the rollups
    equal those computed from the rows; p50/p99 within the bound."""
    from services.logger.stats.timeline import get_timeline

    rng = random.Random(77)
    events = random_events(rng, 400)
    conn = open_db(tmp_path / "q.duckdb")
    sink = Sink(conn.cursor(), tmp_path)
    for start in range(0, len(events), 50):
        sink.write([Received(e, "t", 0, i) for i, e in enumerate(events[start : start + 50], start)])
    sink.archive(keep=timedelta(0))  # part of it from the Parquet history
    sink.close()
    cases = [(Filters(), None), (Filters(shop_id="12"), 86400)] + [
        (random_filters(rng), rng.choice([3600, 6 * 3600, 86400])) for _ in range(12)
    ]
    for f, width in cases:
        got = get_timeline(conn, f, width)
        want = get_timeline(conn, f, width, use_rollups=False)
        assert got["buckets"] == want["buckets"] and got["shops"] == want["shops"]

        def close(a: Any, b: Any) -> bool:
            return a == b or (a is not None and b is not None and abs(a - b) <= histogram.ERROR_BOUND * b + 1e-9)

        for key in ("p50_ms", "p99_ms"):
            assert all(close(a, b) for a, b in zip(got["series"][key], want["series"][key], strict=True)), key
            assert close(got["totals"][key], want["totals"][key])
        for part in (got, want):
            for key in ("p50_ms", "p99_ms"):
                part["series"].pop(key)
                part["totals"].pop(key)
            for v in part["models"]["versions"]:
                v.pop("p50_ms"), v.pop("p99_ms")
        assert got["totals"] == want["totals"]
        assert got["series"] == want["series"]
        assert got["intents"] == want["intents"]
        assert sorted(got["models"]["versions"], key=lambda v: v["version"]) == sorted(
            want["models"]["versions"], key=lambda v: v["version"]
        )
        assert got["models"]["series"] == want["models"]["series"]
    conn.close()
