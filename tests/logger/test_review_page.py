"""The reviewers' page (``GET /dashboard/review``) in a real browser (Debian's chromium, driven by
Playwright, set up like the dashboard's test) against a real logger and a real ask service on
loopback: a reviewer signs in with the tokens, filters the queue, types what three refused
questions meant (the page shows the ask service's live reading before it saves), rules one out of
scope with a reason; the ask service learns the word from the labels on its own and then answers
a new question that uses it in another way. The page shows the learned word, its meaning, its
support and that it was adopted; the reviewer revokes it there, and the ask service refuses the
new question again at once."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from services.ask.app import create_app as create_ask_app
from services.ask.keys import KeySettings, KeyStore
from services.ask.seed import seed_warehouse
from services.ask.settings import Settings as AskSettings
from services.logger.app import create_app
from services.logger.sink.writer import Sink
from shared.broker import free_port
from shared.kafka import Received
from shared.phrasing import UNSUPPORTED_ANSWER
from shared.settings import KafkaSettings, PathSettings
from tests.helpers import wait_for
from tests.logger.conftest import READER, make_settings, query_event
from tests.logger.test_dashboard import CHROMIUM, CHROMIUM_ARGS

TAUGHT = {  # refused questions of shop 10 -> what the reviewer types in the page
    "umsatz last month": "revenue last month",
    "umsatz this year by category": "revenue this year by category",
    "umsatz by month": "revenue by month",
}
OUT_OF_SCOPE = "will it rain on my shop tomorrow"
OTHER_SHOP = "umsatz yesterday"  # shop 11's, left in the queue
# A question no label held, with the taught word in another place (a ranking, another period).
NEW_QUESTION, PLAIN = "top 3 categories by umsatz last year", "top 3 categories by revenue last year"
# Where the screenshot for the README goes when asked (ECOMINSIGHT_REVIEW_SCREENSHOT=docs/review-page.png).
SCREENSHOT = os.environ.get("ECOMINSIGHT_REVIEW_SCREENSHOT")


@contextmanager
def serving(app: Any, port: int) -> Iterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started, timeout=60, what="uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A logger whose log holds refused questions, and the settings of an ask service that lets the
    logger's page call it (CORS) and learns from the logger's labels where a test turns it on."""
    log_port, ask_port = free_port(), free_port()
    log_url, ask_url = f"http://127.0.0.1:{log_port}", f"http://127.0.0.1:{ask_port}"
    log_settings = make_settings(tmp_path / "logger", KafkaSettings(bootstrap_servers="127.0.0.1:1"),
                                 port=log_port, ask_url=ask_url)  # fmt: skip
    warehouse = tmp_path / "warehouse.duckdb"
    seed_warehouse(warehouse, shops=2, seed=7, orders_per_shop=1500)
    ask_settings = AskSettings(
        paths=PathSettings(data_dir=tmp_path / "ask", warehouse_path=warehouse),
        keys=KeySettings(require_api_keys=False, rate_limit_per_s=1e6, rate_limit_burst=1_000_000),
        generator_url=f"http://127.0.0.1:{free_port()}", generator_timeout_s=1.0, publish_events=False,
        logger_url=log_url, logger_read_token="test-read-token", understanding_poll_s=0.0, cors_origins=[log_url],
    )  # fmt: skip
    admin_key = KeyStore(ask_settings.keys.path(ask_settings.paths)).create(None, admin=True)
    app = create_app(log_settings, start_worker=False)
    with serving(app, log_port):
        wait_for(lambda: app.state.service.db is not None, timeout=30, what="the logger's database")
        ids: dict[str, str] = {}
        events = []
        asked = [(q, "10") for q in [*TAUGHT, OUT_OF_SCOPE]] + [(OTHER_SHOP, "11")]
        for i, (question, shop) in enumerate(asked):
            event = query_event(i, question=question, shop_id=shop, success=False, confidence=0.0, intent="unsupported",
                                tool=None, result=None, prompt=None, occurred_at=datetime.now(UTC), answer=UNSUPPORTED_ANSWER,
                                query_id=uuid.uuid4().hex)  # fmt: skip
            ids[question] = event.query_id
            events.append(event)
        sink = Sink(app.state.service.db.cursor(), log_settings.paths.query_logs)
        sink.write([Received(e, "t", 0, i) for i, e in enumerate(events)])
        sink.close()
        yield {"logger": log_url, "ask": ask_url, "ask_port": ask_port, "ask_settings": ask_settings, "ids": ids,
               "admin_key": admin_key}  # fmt: skip


def ask(url: str, question: str) -> dict[str, Any]:
    resp = httpx.post(f"{url}/api/mcp/ask", json={"shop_id": "10", "question": question}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_the_page_is_public_and_the_ask_service_allows_only_the_loggers_origin(stack: dict[str, Any]) -> None:
    with serving(create_ask_app(stack["ask_settings"]), stack["ask_port"]):
        _check_the_page_and_cors(stack)


def _check_the_page_and_cors(stack: dict[str, Any]) -> None:
    page = httpx.get(f"{stack['logger']}/dashboard/review")
    assert (
        page.status_code == 200 and f'content="{stack["ask"]}"' in page.text and "https://" not in page.text
    )
    assert "sessionStorage" in httpx.get(f"{stack['logger']}/dashboard/review.js").text
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = httpx.options(
        f"{stack['ask']}/api/mcp/understand", headers={**preflight, "Origin": stack["logger"]}
    )
    assert allowed.headers.get("access-control-allow-origin") == stack["logger"]
    other = httpx.options(
        f"{stack['ask']}/api/mcp/understand", headers={**preflight, "Origin": "http://evil.test"}
    )
    assert "access-control-allow-origin" not in other.headers
    # the labels the page saves still need the logger's admin token
    assert (
        httpx.post(f"{stack['logger']}/review/x", json={"out_of_scope": True, "reason": "r"}).status_code
        == 401
    )


def test_a_reviewer_teaches_a_word_in_the_browser_and_the_ask_service_answers_a_new_question(
    stack: dict[str, Any], tmp_path: Path
) -> None:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(
            f"{CHROMIUM} is not installed (scripts/test.sh installs Debian's chromium as root with apt-get)"
        )
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extras")
    ask_url = stack["ask"]
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 700})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # Like tests/ask/test_review_loop.py: learning is off while the reviewer labels, then an
            # ask service that learns (every 0.2 s) starts on the same address and reads the labels.
            with serving(create_ask_app(stack["ask_settings"]), stack["ask_port"]):
                before = ask(ask_url, NEW_QUESTION)
                assert before["success"] is False and "umsatz" in before["clarification"]["unused"]
                _label_in_the_browser(page, stack)
            assert errors == []
            learning = stack["ask_settings"].model_copy(update={"understanding_poll_s": 0.2})
            with serving(create_ask_app(learning), stack["ask_port"]):
                _see_what_was_learned(page, stack, tmp_path)
                after, plain = ask(ask_url, NEW_QUESTION), ask(ask_url, PLAIN)
                _revoke_in_the_browser(page, stack)
            assert errors == []
        finally:
            browser.close()
    assert after["success"] is True, after
    assert after["interpretation"]["corrections"] == {"umsatz": "revenue"}  # it says how it read the word
    assert {**after["interpretation"], "corrections": {}} == plain["interpretation"]
    assert (plain["interpretation"]["rank"], plain["interpretation"]["limit"]) == ("top", 3)
    # the same rows and figures; only the scope says how the word was read
    assert after["data"]["rows"] == plain["data"]["rows"] and len(after["data"]["rows"]) == 3
    assert {**after["data"]["values"], "scope": None} == {**plain["data"]["values"], "scope": None}
    assert "reading 'umsatz' as 'revenue'" in after["answer"]


def _label_in_the_browser(page: Any, stack: dict[str, Any]) -> None:
    log_url, ids = stack["logger"], stack["ids"]
    page.goto(f"{log_url}/dashboard/review")
    page.wait_for_selector("body.login #admin-token", timeout=30_000)  # it asks for the tokens first
    page.fill("#admin-token", "test-token")
    page.fill("#ask-key", stack["admin_key"])
    page.click("#login-save")
    page.wait_for_selector('body[data-loads="1"]', timeout=30_000)
    assert page.locator("#queue .item").count() == 5
    assert "token" not in page.url

    page.select_option("#shop", "10")
    page.wait_for_selector('body[data-loads="2"]', timeout=30_000)
    assert page.locator("#queue .item").count() == 4
    assert page.locator('#queue .item[data-shop="11"]').count() == 0
    page.select_option("#reason", "negative")  # nothing of shop 10 was rated negative
    page.wait_for_selector('body[data-loads="3"]', timeout=30_000)
    assert page.locator("#queue .item").count() == 0
    page.select_option("#reason", "failed")
    page.wait_for_selector('body[data-loads="4"]', timeout=30_000)
    assert page.locator("#queue .item").count() == 4

    for n, (question, meant) in enumerate(TAUGHT.items(), start=1):
        item = page.locator(f'.item[data-query-id="{ids[question]}"]')
        assert item.locator(".question").inner_text() == question
        assert item.locator(".refusal").inner_text() == f"answer: {UNSUPPORTED_ANSWER}"  # the refusal
        page.wait_for_function(
            "(el) => !el.textContent.includes('…')", arg=item.locator(".understood").element_handle()
        )
        assert "umsatz" in item.locator(".understood").inner_text()  # what could not be used
        # The owner's own words are not understood: the page says so and will not save them.
        item.locator(".rephrase").fill(question)
        item.locator('xpath=self::*[@data-preview="bad"]').wait_for(timeout=15_000)
        assert "could not use: umsatz" in item.locator(".preview").inner_text()
        assert item.locator(".save").is_disabled()
        item.locator(".rephrase").fill(meant)
        item.locator('xpath=self::*[@data-preview="ok"]').wait_for(timeout=15_000)
        assert "reads as: revenue" in item.locator(".preview").inner_text()
        item.locator(".save").click()
        page.wait_for_selector(f'body[data-labelled="{n}"]', timeout=15_000)
        assert item.count() == 0

    item = page.locator(f'.item[data-query-id="{ids[OUT_OF_SCOPE]}"]')
    item.locator(".out-of-scope").click()  # a reason is required
    assert "why" in page.locator("#status").inner_text() and item.count() == 1
    item.locator(".reason").fill("weather is not shop data")
    item.locator(".out-of-scope").click()
    page.wait_for_selector('body[data-labelled="4"]', timeout=15_000)

    labels = {
        lab["query_id"]: lab for lab in httpx.get(f"{log_url}/review/labels", headers=READER).json()["labels"]
    }
    assert set(labels) == {ids[q] for q in [*TAUGHT, OUT_OF_SCOPE]}
    assert all(labels[ids[q]]["interpretation"]["metric"] == "revenue" for q in TAUGHT)
    assert (
        labels[ids[OUT_OF_SCOPE]]["out_of_scope"] and labels[ids[OUT_OF_SCOPE]]["reviewer"] == "review page"
    )


def _see_what_was_learned(page: Any, stack: dict[str, Any], tmp_path: Path) -> None:
    ask_url, ids = stack["ask"], stack["ids"]
    # The ask service reads the labels on its own and adopts what it learned.
    admin = {"Authorization": f"Bearer {stack['admin_key']}"}

    state: dict[str, Any] = {}

    def learned() -> bool:
        state.update(httpx.get(f"{ask_url}/understanding", headers=admin).json())
        return any(e["phrase"] == "umsatz" and len(e["support"]) == 3 for e in state["learned"])

    try:
        wait_for(learned, timeout=60, what="the ask service to learn 'umsatz' from the three labels")
    except AssertionError:
        raise AssertionError(state) from None
    page.click("#refresh-learned")
    row = page.locator('#learned tbody tr[data-word="umsatz"]')
    row.wait_for(timeout=15_000)
    cells = row.locator("td").all_inner_texts()
    assert cells[:4] == ["10", "umsatz", "revenue", "3"] and cells[4].startswith("adopted")
    assert "adopted" in page.locator("#proposal").inner_text()
    ruled_out = page.locator(f'#learned tbody tr[data-word="{OUT_OF_SCOPE}"]').locator("td").all_inner_texts()
    assert ruled_out == [
        "10",
        OUT_OF_SCOPE,
        "(out of scope)",
        "1",
        "ruled out of scope: weather is not shop data",
    ]

    # For the README: every shop's queue, a live preview on shop 11's question, the learned words.
    page.select_option("#shop", "")
    page.wait_for_selector('body[data-loads="5"]', timeout=30_000)
    other = page.locator(f'.item[data-query-id="{ids[OTHER_SHOP]}"]')
    other.locator(".rephrase").fill("revenue yesterday")
    other.locator('xpath=self::*[@data-preview="ok"]').wait_for(timeout=15_000)
    shot = Path(SCREENSHOT) if SCREENSHOT else tmp_path / "review-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def _revoke_in_the_browser(page: Any, stack: dict[str, Any]) -> None:
    """The reviewer revokes shop 10's "umsatz" on the page: the next question with it is refused
    as before it was taught, and the page shows who revoked it and why."""
    page.select_option("#shop", "10")
    page.wait_for_selector('body[data-loads="6"]', timeout=30_000)
    row = page.locator('#learned tbody tr[data-word="umsatz"][data-shop="10"]')
    row.locator(".revoke-reason").fill("here Umsatz means turnover with VAT")
    row.locator(".revoke").click()
    page.wait_for_selector('body[data-revoked="1"]', timeout=15_000)
    assert "revoked 'umsatz' for shop 10" in page.locator("#status").inner_text()
    refused = ask(stack["ask"], NEW_QUESTION)
    assert refused["success"] is False and "umsatz" in refused["clarification"]["unused"]
    cells = page.locator('#learned tbody tr[data-word="umsatz"]').locator("td").all_inner_texts()
    assert cells[:4] == ["10", "umsatz", "revenue", "3"]
    assert cells[4].startswith("revoked by review page") and cells[4].endswith("here Umsatz means turnover with VAT")
