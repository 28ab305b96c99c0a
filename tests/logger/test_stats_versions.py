"""``/stats`` ``versions``: a current version and its canary compared on counts, fallback rate,
latency percentiles and feedback, through the real sink and the real route."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient

from services.logger.settings import Settings
from services.logger.stats.histogram import ERROR_BOUND
from shared.events import Event, FeedbackEvent, QueryEvent
from shared.results import ToolResult
from tests.logger.conftest import BASE_TIME, filled_client, query_event

CURRENT_MS = [10.0 * i for i in range(1, 11)]  # v0001: 10 answers, 2 of them the template's
CANARY_MS = [35.0, 5.0, 80.0, 20.0, 65.0, 50.0]  # v0002: 6 answers, 1 of them the template's


def answered(i: int, version: str, ms: float, generator: str, shop: str) -> QueryEvent:
    result = ToolResult(tool="count_orders", values={"count": 100 + i})
    return query_event(
        i,
        question="How many orders do I have?",
        shop_id=shop,
        intent="order_count",
        tool=result.tool,
        success=True,
        error=None,
        result=result.model_dump(),
        model_version=version,
        generator=generator,
        response_time_ms=ms,
    )


def unanswered(i: int) -> QueryEvent:
    return query_event(
        i,
        question="What's the weather?",
        intent="unsupported",
        tool=None,
        success=False,
        error="unsupported question",
        result=None,
        prompt=None,
        model_version="template",
        generator="template",
    )


def build_events() -> tuple[list[Event], dict[str, list[QueryEvent]]]:
    by_version: dict[str, list[QueryEvent]] = {
        "v0001": [
            answered(i, "v0001", ms, "template" if i in (3, 7) else "model", "10" if i % 2 else "11")
            for i, ms in enumerate(CURRENT_MS)
        ],
        "v0002": [
            answered(100 + i, "v0002", ms, "template" if i == 4 else "model", "10" if i % 2 else "11")
            for i, ms in enumerate(CANARY_MS)
        ],
        # not understood (logged as the template's, unanswered), and the ask service's own fallback
        "template": [unanswered(200 + i) for i in range(3)]
        + [answered(210 + i, "template", 7.0, "template", "10") for i in range(2)],
    }
    later = BASE_TIME + timedelta(days=1)

    def rate(q: QueryEvent, rating: str, minutes: int = 0, shop: str | None = None) -> FeedbackEvent:
        return FeedbackEvent(
            query_id=q.query_id,
            rating=rating,  # type: ignore[arg-type]
            shop_id=shop or q.shop_id,
            occurred_at=later + timedelta(minutes=minutes),
        )

    current, canary = by_version["v0001"], by_version["v0002"]
    feedback = [
        *(rate(q, "positive") for q in current[:3]),
        rate(current[3], "negative"),
        *(rate(q, "positive") for q in canary[:3]),
        rate(canary[3], "positive"),
        rate(canary[3], "negative", minutes=5),  # supersedes the positive one: negative counts
        rate(canary[4], "negative", shop="99"),  # another shop's feedback on it: not counted
    ]
    queries = [q for qs in by_version.values() for q in qs]
    return [*queries, *feedback], by_version


EVENTS, BY_VERSION = build_events()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app without its Kafka consumer, its database filled through the real sink."""
    with filled_client(settings, EVENTS, batch=7) as tc:  # several micro-batches
        yield tc


def percentiles(values: list[float]) -> tuple[float, float]:
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def test_versions_compare_the_current_version_and_its_canary(client: TestClient) -> None:
    r = client.get("/stats")
    assert r.status_code == 200, r.text
    s = r.json()
    versions = s["versions"]
    assert set(versions) == {"v0001", "v0002", "template"}

    p50, p95 = percentiles(CURRENT_MS)
    assert versions["v0001"] == {
        "queries": 10,
        "answered": 10,
        "fallbacks": 2,
        "fallback_rate": 0.2,
        "p50_ms": pytest.approx(p50, rel=ERROR_BOUND),  # from the rollups' histogram buckets
        "p95_ms": pytest.approx(p95, rel=ERROR_BOUND),
        "feedback": {"positive": 3, "negative": 1, "positive_share": 0.75},
    }
    assert (p50, p95) == pytest.approx((55.0, 95.5))
    p50, p95 = percentiles(CANARY_MS)
    assert versions["v0002"] == {
        "queries": 6,
        "answered": 6,
        "fallbacks": 1,
        "fallback_rate": pytest.approx(1 / 6),
        "p50_ms": pytest.approx(p50, rel=ERROR_BOUND),  # from the rollups' histogram buckets
        "p95_ms": pytest.approx(p95, rel=ERROR_BOUND),
        "feedback": {"positive": 3, "negative": 1, "positive_share": 0.75},
    }
    assert versions["template"] == {
        "queries": 5,
        "answered": 2,
        "fallbacks": None,
        "fallback_rate": None,
        "p50_ms": pytest.approx(7.0, rel=ERROR_BOUND),
        "p95_ms": pytest.approx(7.0, rel=ERROR_BOUND),
        "feedback": {"positive": 0, "negative": 0, "positive_share": None},
    }
    # the existing keys are unchanged and agree with the per-version figures
    assert s["total_queries"] == sum(v["queries"] for v in versions.values()) == 21
    assert s["successful_queries"] == sum(v["answered"] for v in versions.values())
    assert s["feedback"] == {"positive": 6, "negative": 2, "rejected": 1, "superseded": 1}


def test_versions_follow_the_filters(client: TestClient) -> None:
    versions = client.get("/stats", params={"shop_id": "10"}).json()["versions"]
    shop_current = [q for q in BY_VERSION["v0001"] if q.shop_id == "10"]
    shop_canary = [q for q in BY_VERSION["v0002"] if q.shop_id == "10"]
    assert versions["v0001"]["queries"] == len(shop_current) == 5
    assert versions["v0001"]["fallbacks"] == 2  # queries 3 and 7 are both shop 10's
    assert versions["v0001"]["p50_ms"] == pytest.approx(
        percentiles([q.response_time_ms for q in shop_current])[0], rel=ERROR_BOUND
    )
    assert versions["v0002"]["queries"] == len(shop_canary) == 3
    assert versions["v0002"]["feedback"] == {"positive": 1, "negative": 1, "positive_share": 0.5}

    only = client.get("/stats", params={"model_version": "v0002"}).json()["versions"]
    assert list(only) == ["v0002"] and only["v0002"]["answered"] == 6
