"""Kill a real logger process mid-stream at every step of a batch (its own crash points), and
with SIGKILL from outside at random moments inside batches (its progress markers say where each
kill landed); after the restarts every event is in all three JSONL files and the tables exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import duckdb
import httpx

from services.logger.faults import CRASH_ENV, PROGRESS_ENV
from services.logger.settings import Settings
from services.logger.sink import rotation
from services.logger.sink.files import ALL_FILE, FAILED_FILE, SUCCESS_FILE
from shared.broker import LocalBroker
from shared.errors import BrokerError
from shared.events import FeedbackEvent, QueryEvent
from shared.kafka import EventProducer, ensure_topics
from shared.settings import KafkaSettings
from tests.helpers import wait_for
from tests.logger.conftest import ADMIN, make_settings, query_event

ROOT = Path(__file__).resolve().parents[2]


def logger_env(
    settings: Settings, crash_at: str | None, progress: Path | None = None, window_s: float = 2
) -> dict[str, str]:
    k = settings.kafka
    env = {key: value for key, value in os.environ.items() if not key.startswith(("KAFKA_", "ECOMINSIGHT_"))}
    env.update(
        {
            "KAFKA_BOOTSTRAP_SERVERS": k.bootstrap_servers,
            "KAFKA_TOPIC_QUERIES": k.topic_queries,
            "KAFKA_TOPIC_FEEDBACK": k.topic_feedback,
            "KAFKA_TOPIC_EXPORTS": k.topic_exports,
            "KAFKA_TOPIC_DLQ": k.topic_dlq,
            "KAFKA_PARTITIONS": "1",
            "KAFKA_SESSION_TIMEOUT_MS": str(k.session_timeout_ms),
            "KAFKA_HEARTBEAT_INTERVAL_MS": str(k.heartbeat_interval_ms),
            "ECOMINSIGHT_DATA_DIR": str(settings.paths.data_dir),
            "ECOMINSIGHT_LOGGER_PORT": str(settings.port),
            "ECOMINSIGHT_LOGGER_GROUP_ID": settings.group_id,
            "ECOMINSIGHT_LOGGER_BATCH_MAX_EVENTS": str(settings.batch_max_events),
            "ECOMINSIGHT_LOGGER_ADMIN_TOKEN": "test-token",
            # rotation and archival in play: every file rotates at each batch that finds lines in
            # it, and rows logged 2 s ago move to the Parquet history every second
            "ECOMINSIGHT_LOGGER_JSONL_ROTATE_BYTES": "1",
            "ECOMINSIGHT_LOGGER_DEDUPE_WINDOW_S": str(window_s),
            "ECOMINSIGHT_LOGGER_ARCHIVE_EVERY_S": "1",
        }
    )
    if crash_at:
        env[CRASH_ENV] = crash_at
    if progress:
        env[PROGRESS_ENV] = str(progress)
    return env


def start_logger(
    settings: Settings, crash_at: str | None, log: Path, progress: Path | None = None, window_s: float = 2
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "services.logger"],
            cwd=ROOT,
            env=logger_env(settings, crash_at, progress, window_s),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def publish(kafka: KafkaSettings, events: list) -> None:
    with EventProducer(kafka) as producer:
        for event in events:
            if isinstance(event, QueryEvent):
                producer.publish(kafka.topic_queries, event, key=event.query_id)  # spread over partitions
            else:
                producer.publish(kafka.topic_feedback, event, key=event.query_id)
        producer.flush(30)


def send_events(kafka: KafkaSettings, sent: list, rng: random.Random, n: int) -> None:
    """n new queries and feedback on every fifth of them, published and added to ``sent``."""
    events: list = [query_event(len(sent) + i, rng, query_id=f"q-{uuid.uuid4().hex}") for i in range(n)]
    events += [
        FeedbackEvent(query_id=e.query_id, rating=rng.choice(["positive", "negative"])) for e in events[::5]
    ]
    publish(kafka, events)
    sent.extend(events)


def counts(settings: Settings) -> tuple[int, int]:
    try:
        r = httpx.post(
            f"{settings.base_url}/sql",
            headers=ADMIN,
            timeout=5,
            json={"sql": "SELECT (SELECT count(*) FROM queries), (SELECT count(*) FROM feedback)"},
        )
    except httpx.HTTPError:
        return (-1, -1)
    return tuple(r.json()["rows"][0]) if r.status_code == 200 else (-1, -1)  # type: ignore[return-value]


def ids_in(path: Path) -> list[str]:
    """The event ids of every line of a JSONL file: its rotated .jsonl.gz segments and the current file."""
    return [json.loads(line)["event_id"] for line in rotation.read_lines(path.parent, path.name)]


def catch_up_and_assert_exactly_once(settings: Settings, kafka: KafkaSettings, sent: list, log: Path) -> None:
    """Restart cleanly, let it catch up, stop it; then every event is in the files and tables once."""
    proc = start_logger(settings, None, log)
    try:
        n_queries = sum(isinstance(e, QueryEvent) for e in sent)
        n_feedback = len(sent) - n_queries
        wait_for(lambda: counts(settings) == (n_queries, n_feedback), timeout=90, what="every event logged")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
    assert "Application shutdown complete" in log.read_text()

    queries = [e for e in sent if isinstance(e, QueryEvent)]
    logs = settings.paths.query_logs
    assert sorted(ids_in(logs / ALL_FILE)) == sorted(str(e.event_id) for e in queries)
    assert sorted(ids_in(logs / SUCCESS_FILE)) == sorted(str(e.event_id) for e in queries if e.success)
    assert sorted(ids_in(logs / FAILED_FILE)) == sorted(str(e.event_id) for e in queries if not e.success)
    with duckdb.connect(str(settings.paths.logs_db), read_only=True) as conn:
        q_ids = [r[0] for r in conn.execute("SELECT CAST(event_id AS VARCHAR) FROM queries").fetchall()]
        f_ids = [r[0] for r in conn.execute("SELECT CAST(event_id AS VARCHAR) FROM feedback").fetchall()]
        sizes = dict(conn.execute("SELECT file, size FROM jsonl_sizes").fetchall())
        offsets = conn.execute('SELECT topic, "partition", next_offset FROM sink_offsets').fetchall()
        hot = conn.execute("SELECT count(*) FROM queries_hot").fetchone()
    assert sorted(q_ids) == sorted(str(e.event_id) for e in queries)
    assert hot is not None and hot[0] < len(queries)  # rows did move to the Parquet history
    assert list(logs.glob("history/queries/day=*/part-*.parquet"))
    assert len(list(logs.glob("all_queries.*.jsonl.gz"))) > 3  # and the files were rotated
    assert sorted(f_ids) == sorted(str(e.event_id) for e in sent if isinstance(e, FeedbackEvent))
    assert sizes == {name: (logs / name).stat().st_size for name in (ALL_FILE, SUCCESS_FILE, FAILED_FILE)}
    text = log.read_text()
    assert "recovery: cutting" in text  # the crashes before a commit really left bytes to cut
    assert "resuming" in text  # restarts resumed from the recorded offsets
    if "crash point rotate_begun" in text:  # the kill-at-every-step run: a rotation a kill interrupted was finished
        assert "recovery: finishing the rotation" in text
    # Every partition's recorded position is its end: the offsets add up to the events sent.
    assert sorted(p for t, p, _ in offsets if t == kafka.topic_queries) == [0, 1, 2]
    assert sum(o for t, _, o in offsets if t == kafka.topic_queries) == len(queries)


def test_kill_at_every_step_and_at_random_then_every_event_exactly_once(
    tmp_path: Path, kafka_settings: KafkaSettings, topic_factory
) -> None:
    # Queries on three partitions, so the recorded offsets are per partition.
    kafka = kafka_settings.model_copy(update={"topic_queries": topic_factory("queries", partitions=3)})
    settings = make_settings(tmp_path / "data", kafka, batch_max_events=7)
    log = tmp_path / "logger.log"
    rng = random.Random(os.environ.get("CRASH_SEED", "7"))
    sent: list = []

    def send(n: int) -> None:
        send_events(kafka, sent, rng, n)

    send(120)
    steps = ("start:2", "mid_jsonl:3", "after_jsonl:2", "after_insert:3", "after_commit:2")
    for crash_at in (*steps, "rotate_begun:2", "rotate_compressed:1", "rotate_finished:3"):
        proc = start_logger(settings, crash_at, log)
        assert proc.wait(timeout=90) == 137, f"the logger did not crash at {crash_at}: see {log}"
        send(15)

    # A plain kill -9 at a random moment while a stream of events is being written.
    send(300)
    proc = start_logger(settings, None, log)
    all_file = settings.paths.query_logs / ALL_FILE
    before = all_file.stat().st_size
    wait_for(lambda: all_file.stat().st_size > before, timeout=60, what="the logger to write")
    time.sleep(rng.uniform(0.0, 0.3))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    catch_up_and_assert_exactly_once(settings, kafka, sent, log)


def uncommitted_bytes(settings: Settings) -> int:
    """How far the JSONL files run past the sizes the database recorded (the logger is not running)."""
    with duckdb.connect(str(settings.paths.logs_db), read_only=True) as conn:
        recorded = dict(conn.execute("SELECT file, size FROM jsonl_sizes").fetchall())
    logs = settings.paths.query_logs
    return sum((logs / name).stat().st_size - int(size) for name, size in recorded.items())


def last_mark(progress: Path) -> tuple[int, str] | None:
    """The sink's last progress marker: (batch, phase). The phases: "begin"; "jsonl" (the batch's
    lines are in the files); "jsonl, no lines" (a batch of feedback only: nothing to cut); "rows"
    (the commit has started); "commit" (it returned)."""
    lines = progress.read_text().splitlines() if progress.exists() else []
    if not lines:
        return None
    batch, step, *detail = lines[-1].split()
    if step == "jsonl" and detail == ["0"]:
        step = "jsonl, no lines"
    return int(batch), step


KILLS_PER_PHASE = 10


def test_sigkill_from_outside_inside_batches_many_times_then_every_event_exactly_once(
    tmp_path: Path, kafka_settings: KafkaSettings, topic_factory
) -> None:
    """20 SIGKILLs from outside, each at a random moment that the sink's progress markers show was
    inside a batch: half before its JSONL lines were written, half after them but before the commit
    started. A kill during the commit itself (marker "rows") may land before or after the commit is
    durable (the bytes of the database's log can be in the page cache already), and a batch of
    feedback only writes no lines: such kills count in neither half; the restart must be right
    either way."""
    kafka = kafka_settings.model_copy(update={"topic_queries": topic_factory("queries", partitions=3)})
    settings = make_settings(tmp_path / "data", kafka, batch_max_events=25)
    log = tmp_path / "logger.log"
    rng = random.Random(os.environ.get("CRASH_SEED", "16"))
    sent: list = []
    # Where each kill landed: "begin" (before the files), "jsonl" (between), "rows", "commit".
    landed: Counter[str] = Counter()
    send_events(kafka, sent, rng, 400)
    for attempt in range(1, 6 * KILLS_PER_PHASE + 1):
        short = [phase for phase in ("begin", "jsonl") if landed[phase] < KILLS_PER_PHASE]
        if not short:
            break
        progress = tmp_path / f"progress-{attempt}.txt"
        # A fresh group each time: no wait for the dead member's session to expire; the sink seeks
        # to the offsets its database recorded whatever the group.
        run = settings.model_copy(update={"group_id": f"logger-{uuid.uuid4().hex[:8]}"})
        proc = start_logger(run, None, log, progress)
        try:
            wait_for(lambda: last_mark(progress), timeout=90, what="the first batch")  # noqa: B023
            if attempt == 1:  # one committed batch first, so that every later restart has offsets to resume
                wait_for(lambda: " commit\n" in progress.read_text(), timeout=90, what="a committed batch")  # noqa: B023
            time.sleep(rng.uniform(0.0, 0.2))  # a random moment, then the next one in the phase aimed at
            wait_for(lambda: (m := last_mark(progress)) and m[1] == short[0], timeout=30, interval=0.001)  # noqa: B023
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        mark = last_mark(progress)
        assert mark is not None
        landed[mark[1]] += 1
        if mark[1] == "jsonl":  # lines the database does not know: the restart must cut them
            assert uncommitted_bytes(settings) > 0
        send_events(kafka, sent, rng, 150)
    print(f"SIGKILLs: {sum(landed.values())}, landed {dict(landed)}")
    # Every kill is accounted for, and enough landed inside a batch, in each phase.
    assert landed["begin"] >= KILLS_PER_PHASE and landed["jsonl"] >= KILLS_PER_PHASE, dict(landed)

    catch_up_and_assert_exactly_once(settings, kafka, sent, log)


def test_faults_the_logger_killed_twice_under_load_and_the_broker_paused_then_every_query_once(
    tmp_path: Path,
) -> None:
    """The faults run: events published all along; the logger killed with SIGKILL twice while
    writing; then, with a third logger running, the broker paused (SIGSTOP) for 15 s and resumed.
    Rotation and archival are in play (``logger_env``). Every event ends up in the files and the
    tables exactly once (producer retries while the broker was paused are the dedupe's)."""
    with LocalBroker(log_file=tmp_path / "tansu.log") as broker:
        base = KafkaSettings(bootstrap_servers=broker.bootstrap_servers, partitions=1,
                             session_timeout_ms=2000, heartbeat_interval_ms=500)  # fmt: skip
        topics = {f"topic_{t}": f"faults-{t}-{uuid.uuid4().hex[:8]}" for t in ("queries", "feedback", "exports", "dlq")}
        kafka = base.model_copy(update=topics)
        ensure_topics(kafka, list(topics.values()))
        settings = make_settings(tmp_path / "data", kafka, batch_max_events=25)
        log = tmp_path / "logger.log"
        rng = random.Random(23)
        sent: list = []
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                try:
                    send_events(kafka, sent, rng, 10)  # a new producer each time: it bootstraps first
                except BrokerError:  # the broker is paused: nothing of these was sent; try again
                    time.sleep(0.5)
                time.sleep(0.05)

        publisher = threading.Thread(target=load, daemon=True)
        publisher.start()
        all_file = settings.paths.query_logs / ALL_FILE
        for _ in range(2):
            proc = start_logger(settings, None, log, window_s=120)
            before = all_file.stat().st_size if all_file.exists() else 0
            wait_for(lambda: all_file.exists() and all_file.stat().st_size != before, timeout=90,  # noqa: B023
                     what="the logger to write")  # fmt: skip
            time.sleep(rng.uniform(0.2, 1.0))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        proc = start_logger(settings, None, log, window_s=120)
        try:
            time.sleep(3)
            assert broker._proc is not None
            os.kill(broker._proc.pid, signal.SIGSTOP)
            time.sleep(15)
            os.kill(broker._proc.pid, signal.SIGCONT)
            time.sleep(3)
            stop.set()
            publisher.join(timeout=120)
            assert not publisher.is_alive()
            queries = [e for e in sent if isinstance(e, QueryEvent)]
            n_feedback = len(sent) - len(queries)
            wait_for(lambda: counts(settings) == (len(queries), n_feedback), timeout=120, what="every event logged")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        logs = settings.paths.query_logs
        assert sorted(ids_in(logs / ALL_FILE)) == sorted(str(e.event_id) for e in queries)
        assert sorted(ids_in(logs / SUCCESS_FILE)) == sorted(str(e.event_id) for e in queries if e.success)
        assert sorted(ids_in(logs / FAILED_FILE)) == sorted(str(e.event_id) for e in queries if not e.success)
        with duckdb.connect(str(settings.paths.logs_db), read_only=True) as conn:
            q_ids = [r[0] for r in conn.execute("SELECT CAST(event_id AS VARCHAR) FROM queries").fetchall()]
        assert sorted(q_ids) == sorted(str(e.event_id) for e in queries)
        print(f"faults run: {len(queries)} queries and {n_feedback} feedback events, each logged once")
