"""The canary split with real tiny models: each shop's share, the version on every answer, a
canary that cannot load, stop, restart from ``canary.json``, and ``model canary`` over the real
broker applied by a running generator."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from evaluation.phrasers import add_version, make_settings, serve_http
from services.cli import main
from services.generator.app import create_app
from services.generator.canary import CANARY_FILE, end_canary, read_canary, start_canary
from services.generator.cli import model_ready
from services.generator.policy import decide
from services.generator.reloader import ModelReloader
from services.generator.service import GeneratorService
from services.logger.app import create_app as create_logger_app
from services.logger.settings import Settings as LoggerSettings
from services.logger.sink.writer import Sink
from shared.events import Event, FeedbackEvent, ModelReady, QueryEvent
from shared.kafka import Received
from shared.registry import ModelRegistry, RegistryError
from shared.results import ToolResult
from shared.settings import KafkaSettings
from tests.helpers import Collector, wait_for

RESULT = ToolResult(tool="count_orders", values={"count": 1174})
SHOPS = ("10", "11")


def ask(service: GeneratorService, shop: str, n: int) -> list[str]:
    """The versions that phrased ``n`` requests of ``shop`` (in-process, in arrival order)."""
    futures = [service.submit("How many orders?", RESULT, shop) for _ in range(n)]
    return [f.result(timeout=60).model_version for f in futures]


def canary_event(registry: ModelRegistry, version: str, fraction: float) -> ModelReady:
    return model_ready(registry, registry.get(version)).model_copy(update={"canary_fraction": fraction})


@pytest.fixture
def two_versions(registry: ModelRegistry, trained_model: Path) -> tuple[str, str]:
    """v1 promoted, v2 registered beside it (the same weights: the version tells them apart)."""
    return add_version(registry, trained_model, promote=True), add_version(registry, trained_model)


def test_each_shop_gets_the_set_fraction_over_http(
    tmp_path: Path, registry: ModelRegistry, two_versions: tuple[str, str]
) -> None:
    current, candidate = two_versions
    start_canary(registry, candidate, 0.25)
    service = GeneratorService(make_settings(tmp_path, batch_wait_ms=20.0))

    def post(client: httpx.Client, shop: str) -> tuple[str, dict]:
        r = client.post(
            "/generate", json={"question": "How many orders?", "result": RESULT.model_dump(), "shop_id": shop}
        )
        assert r.status_code == 200, r.text
        return shop, r.json()

    with (
        service,
        serve_http(create_app(service=service)) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        model = client.get("/model").json()
        with ThreadPoolExecutor(8) as pool:  # concurrent: batches mix both shops and both versions
            answers = list(pool.map(lambda shop: post(client, shop), [s for _ in range(400) for s in SHOPS]))
        health = client.get("/health").json()

    assert model["version"] == current
    assert model["canary"]["version"] == candidate and model["canary"]["fraction"] == 0.25
    per_shop = {shop: Counter(body["model_version"] for s, body in answers if s == shop) for shop in SHOPS}
    # floor(400 * 0.25) of each shop's 400 requests, exactly, however they were batched
    assert per_shop == {shop: Counter({current: 300, candidate: 100}) for shop in SHOPS}
    assert all(body["generator"] == "model" and "1,174" in body["text"] for _, body in answers)
    assert health["canary_answers"] == 200 and health["largest_batch"] > 1
    assert health["canary"] == {"version": candidate, "fraction": 0.25}


def test_the_split_is_even_and_the_same_on_every_run(
    tmp_path: Path, registry: ModelRegistry, two_versions: tuple[str, str]
) -> None:
    _, candidate = two_versions
    start_canary(registry, candidate, 0.2)
    runs = []
    for _ in range(2):  # a restart resumes the split from canary.json, request for request
        with GeneratorService(make_settings(tmp_path)) as service:
            runs.append(ask(service, "12", 50))
    assert runs[0] == runs[1]
    positions = [i for i, v in enumerate(runs[0]) if v == candidate]
    assert positions == [4, 9, 14, 19, 24, 29, 34, 39, 44, 49]  # every fifth request


def test_a_canary_that_cannot_load_leaves_every_request_on_the_current_version(
    tmp_path: Path, registry: ModelRegistry, two_versions: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    current, candidate = two_versions
    (registry.path(candidate) / "model.safetensors").write_bytes(b"\x00 not a safetensors file " * 100)
    start_canary(registry, candidate, 0.5)
    settings = make_settings(tmp_path, report_refusals=False)
    with GeneratorService(settings) as service:
        assert service.model_info()["canary"] is None
        assert any("no canary" in r.getMessage() and candidate in r.getMessage() for r in caplog.records)
        assert set(ask(service, "10", 20)) == {current}
        # announced to a running generator: refused, and the current version still phrases everything
        reloader = ModelReloader(settings, service.slot, service.stats, canary=service.canary)
        assert reloader.apply(canary_event(registry, candidate, 0.5)) is False
        assert service.stats.refused[-1]["version"] == candidate
        assert set(ask(service, "10", 20)) == {current}


def test_stop_and_promotion_end_the_canary(
    tmp_path: Path, registry: ModelRegistry, two_versions: tuple[str, str]
) -> None:
    current, candidate = two_versions
    settings = make_settings(tmp_path, report_refusals=False)
    with GeneratorService(settings) as service:
        reloader = ModelReloader(settings, service.slot, service.stats, canary=service.canary)
        assert reloader.apply(canary_event(registry, candidate, 0.5)) is True
        assert Counter(ask(service, "10", 40)) == {current: 20, candidate: 20}
        assert reloader.apply(canary_event(registry, candidate, 0.0)) is True  # stop
        assert service.model_info()["canary"] is None and set(ask(service, "10", 20)) == {current}

        assert reloader.apply(canary_event(registry, candidate, 0.5)) is True
        canary_model = service.canary.current
        registry.promote(candidate)
        assert reloader.apply(model_ready(registry, registry.get(candidate))) is True  # the trainer's way
        assert service.slot.current is canary_model  # moved over, not loaded again
        assert service.canary.current is None and set(ask(service, "10", 20)) == {candidate}
    assert read_canary(registry) is None  # canary.json is stale now: a restart serves no canary


def test_canary_json_is_checked_and_written_atomically(
    registry: ModelRegistry, two_versions: tuple[str, str]
) -> None:
    current, candidate = two_versions
    with pytest.raises(RegistryError, match="template cannot be a canary"):
        start_canary(registry, "template", 0.2)
    with pytest.raises(RegistryError, match="is the current version already"):
        start_canary(registry, current, 0.2)
    with pytest.raises(RegistryError, match="no model version 'v0099'"):
        start_canary(registry, "v0099", 0.2)
    with pytest.raises(RegistryError, match=r"fraction must be in \(0, 1\]"):
        start_canary(registry, candidate, 0.0)
    canary = start_canary(registry, candidate, 0.3)
    assert read_canary(registry) == canary and canary.base == current
    assert [
        p.name for p in registry.root.iterdir() if p.name.startswith(f".{CANARY_FILE}")
    ] == []  # no temp left
    assert end_canary(registry) == canary and read_canary(registry) is None
    (registry.root / CANARY_FILE).write_text("{not json")
    with pytest.raises(RegistryError, match="not a valid canary"):
        read_canary(registry)


def test_model_canary_reaches_a_running_generator(
    tmp_path: Path,
    cli_env: ModelRegistry,
    trained_model: Path,
    kafka_settings: KafkaSettings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = cli_env
    current = add_version(registry, trained_model, promote=True)
    candidate = add_version(registry, trained_model)
    with GeneratorService(make_settings(tmp_path, kafka_settings)) as service:
        assert service.reloader is not None
        wait_for(service.reloader.ready.is_set, 30, what="reloader assigned")

        assert main(["model", "canary", candidate, "--fraction", "0.2"]) == 0
        assert f"canary {candidate} phrases 20%" in capsys.readouterr().out
        wait_for(lambda: service.canary.current is not None, 30, what="the canary loaded")
        assert Counter(ask(service, "11", 100)) == {current: 80, candidate: 20}
        assert main(["model", "list"]) == 0
        listing = capsys.readouterr().out
        assert main(["model", "list", "--json"]) == 0
        listed = {m["version"]: m["canary_fraction"] for m in json.loads(capsys.readouterr().out)}

        assert main(["model", "canary", "--stop"]) == 0
        assert f"stopped the canary of {candidate}" in capsys.readouterr().out
        wait_for(lambda: service.canary.current is None, 30, what="the canary stopped")
        assert set(ask(service, "11", 20)) == {current}

        assert main(["model", "canary", candidate, "--fraction", "0.5"]) == 0
        wait_for(lambda: service.canary.current is not None, 30, what="the canary loaded again")
        assert main(["model", "promote", candidate]) == 0
        assert f"the canary of {candidate} ended" in capsys.readouterr().out
        wait_for(lambda: service.version == candidate, 30, what="the canary promoted")
        assert service.canary.current is None and set(ask(service, "11", 20)) == {candidate}

    line = next(line for line in listing.splitlines() if candidate in line.split()[:2])
    assert line.startswith("~ ") and "~ = canary, phrasing 20%" in listing
    assert listed == {current: None, candidate: 0.2}
    assert not (registry.root / CANARY_FILE).exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["model", "canary", "template"], "the template cannot be a canary"),
        (["model", "canary", "v0001"], "is the current version already"),
        (["model", "canary", "v0042"], "no model version 'v0042'"),
        (["model", "canary", "v0002", "--fraction", "1.5"], "fraction must be in (0, 1]"),
        (["model", "canary"], "give the VERSION"),
        (["model", "canary", "v0002", "--stop"], "not both"),
    ],
)
def test_canary_user_errors_exit_2_with_a_message(
    cli_env: ModelRegistry,
    random_model: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    add_version(cli_env, random_model, promote=True)
    add_version(cli_env, random_model)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def stats_row(answered: int, fallback_rate: float, p95: float, positive: int, negative: int) -> dict:
    share = positive / (positive + negative) if positive + negative else None
    return {
        "answered": answered,
        "fallback_rate": fallback_rate,
        "p95_ms": p95,
        "feedback": {"positive": positive, "negative": negative, "positive_share": share},
    }


def test_the_policy_promotes_only_a_canary_no_worse_on_every_measure(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, canary_min_answers=100, canary_min_ratings=10, canary_max_p95_ratio=1.25
    )
    base = stats_row(400, 0.10, 80.0, 30, 10)
    good = {"v0001": base, "v0002": stats_row(100, 0.05, 90.0, 9, 1)}
    assert decide(settings, good, "v0002", "v0001").verdict == "promote"
    few = {"v0001": base, "v0002": stats_row(99, 0.0, 10.0, 9, 1)}
    assert decide(settings, few, "v0002", "v0001").reasons == ["v0002 has 99 answered queries (need 100)"]
    assert decide(settings, {"v0001": base}, "v0002", "v0001").verdict == "wait"
    slow = {"v0001": base, "v0002": stats_row(100, 0.05, 101.0, 9, 1)}
    verdict = decide(settings, slow, "v0002", "v0001")
    assert verdict.verdict == "stop" and verdict.reasons == ["p95 latency (ms) 101 (needs at most 100)"]
    disliked = {"v0001": base, "v0002": stats_row(100, 0.10, 80.0, 7, 3)}
    assert decide(settings, disliked, "v0002", "v0001").reasons == [
        "positive feedback share 0.7 (needs at least 0.75)"
    ]


def logged(
    version: str, n: int, rated_positive: int, rated_negative: int, ms: float, start: int = 0
) -> list[Event]:
    """Answered queries ``start`` to ``start + n`` of ``version`` (now), the first of them
    rated, as the ask service and owners send them."""
    queries = [
        QueryEvent(
            query_id=f"{version}-{start + i}",
            shop_id="10",
            question="How many orders?",
            answer="You have 1,174 orders.",
            intent="order_count",
            tool="count_orders",
            confidence=1.0,
            success=True,
            response_time_ms=ms,
            model_version=version,
            generator="model",
        )
        for i in range(n)
    ]
    ratings = ["positive"] * rated_positive + ["negative"] * rated_negative
    feedback = [
        FeedbackEvent(query_id=q.query_id, rating=r, shop_id="10")  # type: ignore[arg-type]
        for q, r in zip(queries, ratings, strict=False)
    ]
    return [*queries, *feedback]


def write_logs(logger: Any, events: list[Event], offset: int) -> None:
    """Into a running logger's database through its real sink, as if read from offset ``offset`` on."""
    sink = Sink(logger.state.service.db.cursor(), logger.state.service.settings.paths.query_logs)
    sink.write([Received(e, "t", 0, i) for i, e in enumerate(events, offset)])
    sink.close()


def test_decide_applies_the_policy_to_the_logs(
    cli_env: ModelRegistry,
    random_model: Path,
    kafka_settings: KafkaSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry = cli_env
    logger = create_logger_app(LoggerSettings(kafka=kafka_settings, admin_token="test-token"), start_worker=False)
    with serve_http(logger) as url:
        monkeypatch.setenv("ECOMINSIGHT_GENERATOR_LOGGER_URL", url)
        monkeypatch.setenv("ECOMINSIGHT_GENERATOR_LOGGER_READ_TOKEN", "test-token")
        _decide_over_http(registry, random_model, kafka_settings, monkeypatch, capsys, logger)


def _decide_over_http(
    registry: ModelRegistry,
    random_model: Path,
    kafka_settings: KafkaSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logger: Any,
) -> None:
    monkeypatch.setenv("ECOMINSIGHT_GENERATOR_CANARY_MIN_ANSWERS", "20")
    monkeypatch.setenv("ECOMINSIGHT_GENERATOR_CANARY_MIN_RATINGS", "5")
    current = add_version(registry, random_model, promote=True)
    candidate = add_version(registry, random_model)
    assert main(["model", "canary", candidate, "--fraction", "0.5"]) == 0
    write_logs(logger, logged(current, 30, 6, 4, 50.0) + logged(candidate, 10, 5, 0, 40.0), 0)
    capsys.readouterr()
    assert main(["model", "canary", "--decide", "--apply"]) == 1
    out = capsys.readouterr().out
    assert f"wait: {candidate} has 10 answered queries (need 20)" in out
    assert read_canary(registry) is not None  # waiting changes nothing

    write_logs(logger, logged(candidate, 20, 3, 0, 40.0, start=10), 1000)  # 30 answered, 8 rated positive
    with Collector(kafka_settings, kafka_settings.topic_models) as models:
        assert main(["model", "canary", "--decide", "--apply"]) == 0
        promotions = wait_for(
            lambda: [e for e in models.events if e.canary_fraction is None], 30, what="the promotion"
        )
    out = capsys.readouterr().out
    assert "promote: fallback rate 0" in out and f"promoted {candidate}" in out
    assert registry.current_version() == candidate and read_canary(registry) is None
    assert [e.version for e in promotions] == [candidate]
