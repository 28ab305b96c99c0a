"""The demo waits for the ask service to propose from every label, not for the first new lexicon:
a poll that lands while the reviewer is still labelling adopts a lexicon learned from a few labels
(one bench run read 13 of 22 new questions refused after a lexicon adopted on 5 labels)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from services.stack.demo import Demo
from shared.errors import EcomInsightError


def demo_seeing(tmp_path: Path, states: list[dict[str, Any]], labels: int) -> Demo:
    """A demo whose ask service shows ``states`` one after the other (the last one from then on)."""
    seen = iter(states)
    last: dict[str, Any] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal last
        if request.url.path == "/review/labels":
            return httpx.Response(200, json={"count": labels, "labels": [{}] * labels})
        last = next(seen, last)
        return httpx.Response(200, json=last)

    demo = Demo("http://ask", "http://logger", "http://gen", "t", tmp_path, console=Console(quiet=True))
    demo.http = httpx.Client(transport=httpx.MockTransport(answer))
    demo.logger.http = demo.http
    return demo


def state(version: str, labels: int, adopted: bool) -> dict[str, Any]:
    return {
        "version": version,
        "last_proposal": {"labels": labels, "adopted": adopted, "reasons": ["no gain"]},
    }


def test_a_lexicon_adopted_from_some_of_the_labels_is_not_the_one_the_demo_measures(tmp_path: Path) -> None:
    states = [
        state("base", 0, False),
        state("u0001", 5, True),
        state("u0001", 5, True),
        state("u0002", 22, True),
    ]
    assert demo_seeing(tmp_path, states, labels=22).wait_for_understanding("base")["version"] == "u0002"


def test_a_lexicon_from_some_labels_serves_when_the_rest_add_nothing(tmp_path: Path) -> None:
    states = [state("u0001", 5, True), state("u0001", 22, False)]
    assert demo_seeing(tmp_path, states, labels=22).wait_for_understanding("base")["version"] == "u0001"


def test_the_gate_refusing_every_label_stops_the_demo_with_its_reasons(tmp_path: Path) -> None:
    with pytest.raises(EcomInsightError, match="refused: no gain"):
        demo_seeing(tmp_path, [state("base", 22, False)], labels=22).wait_for_understanding("base")


def test_a_learner_that_never_reads_every_label_times_out_with_a_message(tmp_path: Path) -> None:
    demo = demo_seeing(tmp_path, [state("u0001", 5, True)], labels=22)
    with pytest.raises(EcomInsightError, match="did not propose from all 22 labels .* read 5"):
        demo.wait_for_understanding("base", timeout_s=1.0)
