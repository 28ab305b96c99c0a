"""``ecominsight up`` heals: each service killed with kill -9 under traffic is restarted (and the
restart said), requests keep succeeding except while the ask service itself is down, and every
answered query reaches the log database exactly once."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import duckdb
import httpx
import pytest

from services.stack.child import Child
from services.stack.launcher import Stack
from services.stack.settings import Settings
from services.stack.supervisor import Backoff, Supervisor
from shared.broker import free_port
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e
QUESTIONS = ("How many orders do I have?", "Top 5 customers by spending", "What was my revenue last month?")


@dataclass
class Request:
    started: float
    ended: float
    query_id: str | None  # None: no answer


@pytest.fixture
def stack(tmp_path, kafka_bootstrap: str) -> Iterator[Stack]:
    topics = {f"KAFKA_TOPIC_{t}": f"heal-{t.lower()}-{uuid.uuid4().hex[:8]}"
              for t in ("QUERIES", "FEEDBACK", "EXPORTS", "MODELS", "TRAINING", "DLQ")}
    settings = Settings(data_dir=tmp_path / "data", external_kafka=kafka_bootstrap, ask_port=free_port(),
                        generator_port=free_port(), logger_port=free_port(), seed_shops=1, health_timeout_s=240)
    extra = {**topics, "KAFKA_PARTITIONS": "1", "KAFKA_SESSION_TIMEOUT_MS": "3000",
             "ECOMINSIGHT_GENERATOR_TORCH_THREADS": "1", "ECOMINSIGHT_TRAINER_TORCH_THREADS": "1"}
    with Stack(settings, extra_env=extra) as running:
        yield running


def test_every_service_killed_in_turn_is_restarted_and_nothing_logged_is_lost(stack: Stack) -> None:
    said: list[str] = []
    supervisor = Supervisor(stack.children, Backoff(), say=said.append)
    stop = threading.Event()
    requests: list[Request] = []

    def traffic() -> None:
        with httpx.Client(timeout=15) as http:
            i = 0
            while not stop.is_set():
                started = time.monotonic()
                try:
                    r = http.post(f"{stack.url('ask')}/api/mcp/ask",
                                  json={"shop_id": "10", "question": QUESTIONS[i % len(QUESTIONS)]})
                    query_id = r.json()["query_id"] if r.status_code == 200 and r.json()["success"] else None
                except httpx.HTTPError:
                    query_id = None
                requests.append(Request(started, time.monotonic(), query_id))
                i += 1
                time.sleep(0.05)

    sender = threading.Thread(target=traffic)
    sender.start()
    ask_down: tuple[float, float] | None = None

    def answers() -> int:
        return sum(r.query_id is not None for r in requests)

    def back(child: Child) -> bool:
        # the supervisor looks from this thread, as from `up`'s (a child dies with the thread that started it)
        supervisor.check()
        return supervisor.restarts(child.name) == 1 and child.alive() and supervisor._healthy(child)

    def answered_since(n: int) -> bool:
        supervisor.check()
        return answers() >= n + 10

    try:
        for child in [c for name in ("logger", "generator", "trainer", "ask") for c in stack.children if c.name == name]:
            assert child.proc is not None
            before, killed_at = answers(), time.monotonic()
            os.kill(child.proc.pid, signal.SIGKILL)
            wait_for(partial(back, child), timeout=180, interval=0.2, what=f"{child.name} to be restarted")
            if child.name == "ask":
                ask_down = (killed_at, time.monotonic())
            wait_for(partial(answered_since, before), timeout=60, what=f"answers after {child.name} came back")
    finally:
        stop.set()
        sender.join(timeout=30)

    for name in ("logger", "generator", "trainer", "ask"):
        assert any(line.startswith(f"{name} killed by SIGKILL") for line in said), said
        assert any(line.startswith(f"{name} restarted") for line in said), said
    assert ask_down is not None
    failed = [r for r in requests if r.query_id is None]
    assert all(r.ended >= ask_down[0] and r.started <= ask_down[1] for r in failed), "a request failed while ask was up"
    answered_ids = {r.query_id for r in requests if r.query_id is not None}
    assert len(answered_ids) > 40
    print(f"{len(requests)} requests, {len(failed)} failed while ask restarted; supervisor said:", *said, sep="\n  ")

    logger = stack.url("logger")
    read = {"Authorization": f"Bearer {stack.secrets.logger_read_token}"}  # closed under `up` (issue 24)
    wait_for(lambda: httpx.get(f"{logger}/stats", headers=read).json()["total_queries"] >= len(answered_ids),
             timeout=120,
             what="every answered query to be logged")
    stack.stop()  # the database file is free once the logger has stopped
    with duckdb.connect(str(stack.data_dir / "query_logs" / "queries.duckdb"), read_only=True) as conn:
        logged = [r[0] for r in conn.execute("SELECT query_id FROM queries").fetchall()]
    assert answered_ids <= set(logged)
    assert len(logged) == len(set(logged))  # and none twice
