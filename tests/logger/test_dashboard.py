"""The dashboard in a real browser (Debian's chromium, driven by Playwright) against a running
logger whose queries and ratings came through the real broker: the totals next to the charts
and the charts' own data equal what was logged, a shop filter changes them, the token is asked
for and kept out of the address bar. Plus the data route's token and its 4xx."""

from __future__ import annotations

import random
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from services.logger.app import create_app
from services.logger.settings import Settings
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import EventProducer
from tests.helpers import wait_for
from tests.logger.conftest import READER, query_event

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
CHARTS = ("chart-queries", "chart-success", "chart-latency", "chart-feedback", "chart-intents", "chart-review",
          "chart-models")


def logged() -> tuple[list[QueryEvent], dict[str, str]]:
    """160 queries over shops 10-12, two model versions (``v1`` answers some with the template:
    fallbacks), and one rating for every fifth query."""
    rng = random.Random(7)
    queries = [query_event(i, rng) for i in range(160)]
    ratings = {q.query_id: rng.choice(["positive", "negative"]) for q in queries[::5]}
    return queries, ratings


def expected(queries: list[QueryEvent], ratings: dict[str, str], shop: str | None = None) -> dict[str, int]:
    """What a user should see, counted here from the events, not by the logger."""
    chosen = [q for q in queries if shop is None or q.shop_id == shop]
    rated = [ratings.get(q.query_id) for q in chosen]
    return {
        "queries": len(chosen),
        "successful": sum(q.success for q in chosen),
        "fallbacks": sum(q.generator == "template" and q.model_version != "template" for q in chosen),
        "positive": rated.count("positive"),
        "negative": rated.count("negative"),
        "review_queue": sum(
            (not q.success) or q.confidence < 0.7 or ratings.get(q.query_id) == "negative" for q in chosen
        ),
        "versions": len({q.model_version for q in chosen}),
    }


@pytest.fixture
def logger_url(settings: Settings) -> Iterator[str]:
    """A running logger (uvicorn, its Kafka sink consuming) with the events published to the broker."""
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, what="uvicorn to start")
        queries, ratings = logged()
        with EventProducer(settings.kafka) as producer:
            for q in queries:
                producer.publish(settings.kafka.topic_queries, q, key=q.shop_id)
            for query_id, rating in ratings.items():
                shop = next(q.shop_id for q in queries if q.query_id == query_id)
                producer.publish(settings.kafka.topic_feedback, FeedbackEvent(query_id=query_id, rating=rating, shop_id=shop))
        url = settings.base_url
        want = expected(queries, ratings)

        def all_logged() -> bool:
            s = httpx.get(f"{url}/stats", headers=READER).json()
            return s["total_queries"] == want["queries"] and (
                s["feedback"]["positive"] + s["feedback"]["negative"] == len(ratings)
            )

        wait_for(all_logged, timeout=60, what="every event to be logged")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_data_route_needs_the_read_token_and_refuses_too_many_buckets(logger_url: str) -> None:
    assert httpx.get(f"{logger_url}/dashboard/data").status_code == 401
    assert httpx.get(f"{logger_url}/dashboard/data", headers={"Authorization": "Bearer nope"}).status_code == 403
    r = httpx.get(f"{logger_url}/dashboard/data", headers=READER,
                  params={"since": "2020-01-01T00:00Z", "until": "2026-01-01T00:00Z", "bucket_seconds": 60})
    assert r.status_code == 422 and "buckets" in r.text
    d = httpx.get(f"{logger_url}/dashboard/data", headers=READER).json()
    want = expected(*logged())
    assert sum(d["series"]["queries"]) == d["totals"]["queries"] == want["queries"]
    assert sum(d["series"]["review_queue"]) == d["totals"]["review_queue"] == want["review_queue"]
    assert sum(sum(counts) for counts in d["intents"].values()) == want["queries"]
    assert sum(v["queries"] for v in d["models"]["versions"]) == want["queries"]
    # the page and its scripts come from the logger itself (no CDN) and need no token
    page = httpx.get(f"{logger_url}/dashboard")
    assert page.status_code == 200 and "/dashboard/static/chart.umd.min.js" in page.text and "https://" not in page.text
    assert httpx.get(f"{logger_url}/dashboard/static/chart.umd.min.js").text.startswith("/*!\n * Chart.js v4")


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").replace("ms", "").strip())


def _shown(page: Any) -> dict[str, float]:
    names = ("queries", "fallbacks", "positive", "negative", "review_queue", "success_rate")
    shown = {name: _number(page.locator(f'[data-total="{name}"]').first.inner_text()) for name in names}
    shown["versions"] = _number(page.locator('[data-total="versions"]').inner_text().split()[0])
    return shown


def _chart_sum(page: Any, chart: str, dataset: int) -> float:
    return page.evaluate(
        "([id, i]) => Chart.getChart(id).data.datasets[i].data.reduce((a, b) => a + (b || 0), 0)", [chart, dataset]
    )


def _painted(page: Any, chart: str) -> int:
    """How many pixels of the chart's canvas are not transparent."""
    return page.evaluate(
        """(id) => { const c = document.getElementById(id);
                     const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i]) n++; return n; }""",
        chart,
    )


def test_dashboard_in_chromium_shows_the_logged_totals_and_filters_by_shop(logger_url: str, tmp_path: Path) -> None:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium as root with apt-get)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extras")
    queries, ratings = logged()
    everything, shop11 = expected(queries, ratings), expected(queries, ratings, "11")
    assert 0 < shop11["queries"] < everything["queries"]

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # Without ?token= the page asks for the read token.
            page.once("dialog", lambda dialog: dialog.accept("test-read-token"))
            page.goto(f"{logger_url}/dashboard")
            page.wait_for_selector('body[data-renders="1"]', timeout=30_000)
            assert errors == []

            shown = _shown(page)
            for key in ("queries", "fallbacks", "positive", "negative", "review_queue", "versions"):
                assert shown[key] == everything[key], key
            assert shown["success_rate"] == pytest.approx(100 * everything["successful"] / everything["queries"], abs=0.05)
            assert _chart_sum(page, "chart-queries", 0) == everything["queries"]
            assert _chart_sum(page, "chart-queries", 1) == everything["fallbacks"]
            assert _chart_sum(page, "chart-feedback", 0) == everything["positive"]
            assert _chart_sum(page, "chart-feedback", 1) == everything["negative"]
            assert _chart_sum(page, "chart-review", 0) == everything["review_queue"]
            assert page.locator("#versions tbody tr").count() == everything["versions"]
            for chart in CHARTS:
                assert _painted(page, chart) > 1000, f"{chart} drew nothing"

            page.select_option("#shop", "11")
            page.wait_for_selector('body[data-renders="2"][data-shop="11"]', timeout=30_000)
            shown = _shown(page)
            for key in ("queries", "fallbacks", "positive", "negative", "review_queue"):
                assert shown[key] == shop11[key], key
            assert _chart_sum(page, "chart-queries", 0) == shop11["queries"]
            assert "shop=11" in page.url and "token" not in page.url
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

            # A link with ?token= works in a new tab and the token leaves the address bar at once.
            other = browser.new_page()
            other.goto(f"{logger_url}/dashboard?shop=11&token=test-read-token")
            other.wait_for_selector('body[data-renders="1"]', timeout=30_000)
            assert "token" not in other.url
            assert _shown(other)["queries"] == shop11["queries"]
        finally:
            browser.close()
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
