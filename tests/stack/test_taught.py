"""The taught-word questions measure what the labels did not hold: none of them is a question the
reviewer may label or the demo asks, each uses a word the owners' labels teach, and the ask
service's reading of it is scored against the reading of its rephrasing (correct / refused / wrong)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from evaluation.phrasers import serve_http
from services.ask.app import create_app
from services.ask.keys import KeySettings
from services.ask.seed import seed_warehouse
from services.ask.settings import Settings
from services.stack.owners import REVIEWER_WORDS
from services.stack.questions import NEW_JARGON, STYLES
from services.stack.taught import TAUGHT_NEW, labelled_forms, measure
from shared.broker import free_port
from shared.settings import PathSettings


def test_the_new_questions_are_apart_from_the_labels_and_use_a_taught_word() -> None:
    assert sum(len(qs) for qs in TAUGHT_NEW.values()) >= 20
    assert set(TAUGHT_NEW) == set(STYLES)  # the demo's two owners
    for shop, questions in TAUGHT_NEW.items():
        labelled = labelled_forms(shop)
        assert len(labelled) >= 8  # 5 periods or 3 list lengths per phrasing
        asked = {q.lower() for q in NEW_JARGON.get(shop, ())}
        for question, meant in questions:
            words = {w.strip("?$").lower() for w in question.split()}
            assert question.lower() not in labelled | asked, question
            assert words & set(REVIEWER_WORDS), question  # uses a word the labels teach
            assert not words & set(REVIEWER_WORDS) & {w.lower() for w in meant.split()}, meant


@pytest.fixture
def ask_url(tmp_path: Path) -> Iterator[str]:
    warehouse = tmp_path / "warehouse.duckdb"
    seed_warehouse(warehouse, shops=3, seed=7, orders_per_shop=300)
    settings = Settings(
        paths=PathSettings(data_dir=tmp_path, warehouse_path=warehouse),
        keys=KeySettings(require_api_keys=False, rate_limit_per_s=1e6, rate_limit_burst=1_000_000),
        generator_url=f"http://127.0.0.1:{free_port()}",
        publish_events=False,
        understanding_poll_s=0.0,  # no logger to learn from
    )
    with serve_http(create_app(settings)) as url:
        yield url


def test_before_any_label_every_new_question_is_refused_never_wrong(ask_url: str) -> None:
    with httpx.Client(timeout=30) as http:
        score = measure(http, ask_url, tuple(TAUGHT_NEW))
    assert score.scored == sum(len(qs) for qs in TAUGHT_NEW.values())  # every rephrasing is read
    assert (score.count("correct"), score.count("wrong")) == (0, 0)
    assert score.count("refused") == score.scored
    assert score.line() == f"0 correct, {score.scored} refused, 0 wrong of {score.scored} new questions"
