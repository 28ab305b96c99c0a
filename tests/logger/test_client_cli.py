"""The notebook API and the CLI: through a running logger (real uvicorn server), and straight
from the database file (read-only) once it is stopped."""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from services.logger import cli
from services.logger.app import create_app
from services.logger.client import LogClient
from services.logger.errors import LogsUnavailable, SqlRefused
from services.logger.settings import Settings
from services.logger.sink.writer import Sink
from shared.kafka import Received
from tests.helpers import wait_for
from tests.logger.conftest import query_event
from tests.logger.test_export import count_event


class Server:
    """The logger app under a real uvicorn server on a free port, in a thread."""

    def __init__(self, settings: Settings):
        self.app = create_app(settings, start_worker=False)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host=settings.host, port=settings.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        wait_for(lambda: self.server.started, what="uvicorn to start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def filled(settings: Settings) -> Iterator[Server]:
    with Server(settings) as server:
        sink = Sink(server.app.state.service.db.cursor(), settings.paths.query_logs)
        events = [query_event(i) for i in range(60)] + [count_event(100 + i, 40 + i) for i in range(5)]
        sink.write([Received(e, "t", 0, i) for i, e in enumerate(events)])
        sink.close()
        yield server


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return int(args.func(args))


def test_python_api_online_then_offline_gives_the_same_answers(settings: Settings, filled: Server, tmp_path: Path) -> None:
    online = LogClient(settings)
    assert online.online
    stats = online.get_statistics()
    failed = online.get_failed_queries(5)
    low = online.get_low_confidence_queries(0.6, 20)
    by_shop = online.get_statistics(shop_id="10")
    counted = online.sql("SELECT count(*) AS n FROM queries")
    export = online.export_for_finetuning(tmp_path / "mine.jsonl")
    assert stats["total_queries"] == 65 and by_shop["total_queries"] < 65
    assert Path(export["output_file"]).read_bytes() == Path(export["path"]).read_bytes()
    filled.__exit__()  # stop the logger: the client now reads the file read-only

    offline = LogClient(settings)
    assert not offline.online and offline.source == str(settings.paths.logs_db)
    assert offline.get_statistics() == stats
    assert offline.get_statistics(shop_id="10") == by_shop
    assert offline.get_failed_queries(5) == failed
    assert offline.get_low_confidence_queries(0.6, 20) == low
    assert offline.sql("SELECT count(*) AS n FROM queries")["rows"] == counted["rows"] == [[65]]
    with pytest.raises(SqlRefused):
        offline.sql("DELETE FROM queries")
    again = offline.export_for_finetuning(tmp_path / "offline.jsonl")
    assert again["published"] is True and again["export_id"] != export["export_id"]
    assert (tmp_path / "offline.jsonl").read_bytes() == (tmp_path / "mine.jsonl").read_bytes()


def test_cli_through_the_logger_then_tables_from_the_file_when_it_is_stopped(
    settings: Settings, filled: Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ECOMINSIGHT_DATA_DIR", str(settings.paths.data_dir))
    monkeypatch.setenv("ECOMINSIGHT_LOGGER_PORT", str(settings.port))
    monkeypatch.setenv("ECOMINSIGHT_LOGGER_ADMIN_TOKEN", "test-token")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", settings.kafka.bootstrap_servers)
    monkeypatch.setenv("COLUMNS", "200")
    assert run_cli(["stats", "--json"]) == 0  # through the running logger
    online = json.loads(capsys.readouterr().out)
    assert run_cli(["sql", "SELECT count(*) AS n FROM queries", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == [[online["total_queries"]]]
    total = online["total_queries"]
    filled.__exit__()

    assert run_cli(["stats", "--json"]) == 0  # from the file, read-only
    assert json.loads(capsys.readouterr().out) == online

    assert run_cli(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Query statistics" in out and "total queries" in out and f"{total:,}" in out and "order_count" in out
    assert run_cli(["stats", "--json", "--shop", "11"]) == 0
    assert json.loads(capsys.readouterr().out)["filters"]["shop_id"] == "11"
    assert run_cli(["failed", "--limit", "3"]) == 0
    assert "Failed queries" in capsys.readouterr().out
    assert run_cli(["low-confidence", "--threshold", "0.5", "--json"]) == 0
    assert all(row["confidence"] < 0.5 for row in json.loads(capsys.readouterr().out))
    assert run_cli(["sql", "SELECT intent, count(*) AS n FROM queries GROUP BY 1 ORDER BY 1"]) == 0
    out = capsys.readouterr().out
    assert "order_count" in out and "3 rows" in out
    with pytest.raises(SqlRefused):
        run_cli(["sql", "UPDATE queries SET answer = 'x'"])


def test_no_logger_and_no_database_is_a_clear_error(tmp_path: Path, kafka_settings) -> None:
    from tests.logger.conftest import make_settings

    with pytest.raises(LogsUnavailable, match="no logger answers"):
        LogClient(make_settings(tmp_path / "empty", kafka_settings)).get_statistics()
