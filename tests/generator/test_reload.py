"""Hot reload over the real broker: swaps under load, refusing a corrupt version, restarts.

The swap test registers eleven versions with different weights: each one is the trained tiny
model with the embedding of "." swapped for a mark of its own, so it ends its answers with that
mark ("orders." / "orders!" / ...): an answer shows which weights wrote it, and a swap that
relabelled the old weights as the new version would be caught."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

import httpx
import pytest
import torch
from fastapi.testclient import TestClient

from evaluation.phrasers import add_version, make_settings, serve_http
from services.generator.app import create_app
from services.generator.cli import model_ready
from services.generator.service import GeneratorService
from shared.broker import free_port
from shared.events import ModelReady, TrainingFailed
from shared.kafka import EventProducer
from shared.modeling import load_seq2seq
from shared.registry import ModelRegistry
from shared.results import ToolResult
from shared.settings import KafkaSettings
from tests.helpers import Collector, wait_for

RESULT = ToolResult(tool="count_orders", values={"count": 1174})
# The mark each swap-test version ends its answers with (none of them is in the prompt).
MARKS = (".", "!", ";", "%", "~", "*", "#", "&", "+", "@", "^")


def marked_copy(source: Path, folder: Path, mark: str) -> Path:
    """``source`` with the embedding rows of "." and ``mark`` swapped (the output layer is tied
    to them): the copy writes ``mark`` wherever ``source`` wrote ".", and nothing else changes
    (neither character is in the prompts): new weights with an answer that shows them."""
    tokenizer, model = load_seq2seq(source)
    period, other = (tokenizer.encode(c, add_special_tokens=False) for c in (".", mark))
    assert len(period) == len(other) == 1, "one token per character (the byte-level tiny T5)"
    with torch.no_grad():
        weights = [model.get_input_embeddings().weight]
        output = model.get_output_embeddings()
        if output is not None and output.weight.data_ptr() != weights[0].data_ptr():
            weights.append(output.weight)  # an untied output layer swaps too
        for w in weights:
            w[[period[0], other[0]]] = w[[other[0], period[0]]]
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def marked_models(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The trained model (its answers end with ".") and ten copies, each ending with its mark."""
    root = tmp_path_factory.mktemp("marked")
    return [trained_model] + [marked_copy(trained_model, root / f"m{i}", m) for i, m in enumerate(MARKS[1:])]


def mark_of(text: str) -> str:
    """What follows the last word of an answer such as "You have 1,174 orders!"."""
    return text.rsplit("orders", 1)[-1]


def publish_ready(kafka: KafkaSettings, registry: ModelRegistry, version: str) -> None:
    with EventProducer(kafka) as producer:
        producer.publish_sync(kafka.topic_models, model_ready(registry, registry.get(version)))


class Load:
    """Client threads firing /generate back to back; records (thread, version) or the failure."""

    def __init__(self, url: str, threads: int = 4):
        self.url = url
        self.responses: list[tuple[int, str, str]] = []  # (thread, model_version, text)
        self.generators: list[str] = []  # "model" or "template", per response
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._fire, args=(i,), daemon=True) for i in range(threads)]

    def _fire(self, i: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30) as client:
            while not self._stop.is_set():
                try:
                    r = client.post(
                        "/generate", json={"question": "How many orders?", "result": RESULT.model_dump()}
                    )
                    if r.status_code != 200:
                        self.failures.append(f"{r.status_code}: {r.text}")
                    else:
                        body = r.json()
                        self.responses.append((i, body["model_version"], body["text"]))
                        self.generators.append(body["generator"])
                except httpx.HTTPError as exc:
                    self.failures.append(repr(exc))

    def seen(self, version: str) -> bool:
        return any(v == version for _, v, _ in self.responses[-50:])

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)


def test_ten_swaps_under_load_drop_no_request(
    tmp_path: Path, registry: ModelRegistry, marked_models: list[Path], kafka_settings: KafkaSettings
) -> None:
    versions = [
        add_version(registry, folder, promote=(i == 0), metrics={"n": i})
        for i, folder in enumerate(marked_models)
    ]
    settings = make_settings(tmp_path, kafka_settings)
    app = create_app(settings)
    service: GeneratorService = app.state.service
    with serve_http(app) as url, Load(url) as load:
        assert service.reloader is not None
        wait_for(service.reloader.ready.is_set, 30, what="reloader assigned")
        wait_for(lambda: load.seen(versions[0]), 30, what=f"answers from {versions[0]}")
        for version in versions[1:]:
            registry.promote(version)
            publish_ready(kafka_settings, registry, version)
            wait_for(functools.partial(load.seen, version), 30, what=f"answers from {version}")
        with httpx.Client(base_url=url) as client:
            model = client.get("/model").json()
    assert load.failures == []
    assert (
        model["version"] == versions[-1]
        and model["swaps"] == 10
        and model["metadata"]["metrics"] == {"n": 10}
    )
    assert {v for _, v, _ in load.responses} == set(versions)
    # Every answer came from a model version, not the template fallback, and states the data's number.
    assert set(load.generators) == {"model"}
    assert all("1,174" in text for _, _, text in load.responses)
    # ... and each answer was written by the weights of the version it names: its own mark
    wrong = [(v, text) for _, v, text in load.responses if mark_of(text) != MARKS[versions.index(v)]]
    assert wrong == [], wrong[:5]
    for i in range(4):  # each client's requests are sequential: it never goes back to an older version
        seen = [versions.index(v) for t, v, _ in load.responses if t == i]
        assert seen == sorted(seen)
    assert len(load.responses) > 50


def test_a_corrupt_version_is_refused_and_the_old_one_keeps_serving(
    tmp_path: Path, registry: ModelRegistry, trained_model: Path, kafka_settings: KafkaSettings
) -> None:
    good = add_version(registry, trained_model, promote=True)
    bad = add_version(registry, trained_model)
    (registry.path(bad) / "model.safetensors").write_bytes(b"\x00 not a safetensors file " * 100)
    settings = make_settings(tmp_path, kafka_settings)
    app = create_app(settings)
    service: GeneratorService = app.state.service
    with (
        Collector(kafka_settings, kafka_settings.topic_training) as refusals,
        serve_http(app) as url,
        Load(url) as load,
    ):
        assert service.reloader is not None
        wait_for(service.reloader.ready.is_set, 30, what="reloader assigned")
        publish_ready(kafka_settings, registry, bad)
        [event] = refusals.wait_count(1)
        wait_for(lambda: len(load.responses) > 20, 30, what="answers after the refusal")
        with httpx.Client(base_url=url) as client:
            model = client.get("/model").json()
    assert isinstance(event, TrainingFailed) and bad in event.reason and event.source == "generator"
    assert model["version"] == good and [r["version"] for r in model["refused"]] == [bad]
    assert load.failures == [] and {v for _, v, _ in load.responses} == {good}


def test_restart_serves_the_promoted_version_not_stale_events(
    tmp_path: Path, registry: ModelRegistry, trained_model: Path, kafka_settings: KafkaSettings
) -> None:
    v1 = add_version(registry, trained_model, promote=True)
    settings = make_settings(tmp_path, kafka_settings)
    with GeneratorService(settings) as first:
        assert first.version == v1
    v2 = add_version(registry, trained_model, metrics={"fact_accuracy": 0.97})
    publish_ready(kafka_settings, registry, v1)  # an old event still in the topic
    registry.promote(v2)  # promoted while no generator ran
    time.sleep(0.01)
    with GeneratorService(settings) as restarted:
        assert restarted.version == v2
        assert restarted.model_info()["metadata"]["metrics"] == {"fact_accuracy": 0.97}
        assert restarted.reloader is not None
        wait_for(restarted.reloader.ready.is_set, 30, what="reloader assigned")
        wait_for(
            lambda: restarted.reloader is not None and restarted.reloader.consumer.processed >= 1,
            30,
            what="the old event read",
        )
        assert restarted.version == v2  # the replayed v1 event was older than the restart: skipped


@pytest.mark.parametrize("missing", ["folder", "weights"])
def test_unloadable_versions_are_refused(
    tmp_path: Path, registry: ModelRegistry, trained_model: Path, missing: str
) -> None:
    from services.generator.reloader import ModelReloader

    good = add_version(registry, trained_model, promote=True)
    bad = add_version(registry, trained_model)
    if missing == "folder":
        for item in registry.path(bad).iterdir():
            item.unlink()
        registry.path(bad).rmdir()
    else:
        (registry.path(bad) / "model.safetensors").unlink()
    settings = make_settings(tmp_path, report_refusals=False)
    with GeneratorService(settings) as service:
        reloader = ModelReloader(settings, service.slot, service.stats)
        event = ModelReady(version=bad, path=str(registry.path(bad)), base_model="tiny-t5")
        assert reloader.apply(event) is False
        assert service.version == good and service.stats.refused[0]["version"] == bad


def test_an_unreachable_broker_does_not_stop_serving(
    tmp_path: Path, registry: ModelRegistry, trained_model: Path
) -> None:
    version = add_version(registry, trained_model, promote=True)
    dead = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}", request_timeout_ms=1000)
    settings = make_settings(tmp_path, dead)
    started = time.monotonic()
    with TestClient(create_app(settings)) as client:
        body = client.post(
            "/generate", json={"question": "How many orders?", "result": RESULT.model_dump()}
        ).json()
        health = client.get("/health").json()
    assert time.monotonic() - started < 30
    assert body["model_version"] == version and "1,174" in body["text"]
    assert health["status"] == "ok" and health["reloader"] == "starting"
