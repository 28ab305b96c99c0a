"""Atomic replacement: the new content whole, or the old content and no temporary file left."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared.fs import atomic_replace, atomic_write


def test_the_content_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "CURRENT"
    path.write_text("a much longer old content than the new one\n")
    atomic_write(path, "v0002")
    assert path.read_text() == "v0002"
    atomic_write(path, b"\x00bytes too")
    assert path.read_bytes() == b"\x00bytes too"
    atomic_write(path, "counters", fsync=False)
    assert path.read_text() == "counters"
    assert os.listdir(tmp_path) == ["CURRENT"]


def test_the_mode_is_the_new_files_permission(tmp_path: Path) -> None:
    atomic_write(tmp_path / "keys.json", "{}", mode=0o600)
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "history.json"
    path.write_text('["v0001"]')

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(path, '["v0001", "v0002"]')
    monkeypatch.undo()
    assert path.read_text() == '["v0001"]'
    assert os.listdir(tmp_path) == ["history.json"]


def test_a_finished_file_replaces_the_old_one(tmp_path: Path) -> None:
    path, tmp = tmp_path / "warehouse.duckdb", tmp_path / ".warehouse.duckdb.seeding"
    path.write_bytes(b"old")
    tmp.write_bytes(b"new, written by the database")
    atomic_replace(tmp, path)
    assert path.read_bytes() == b"new, written by the database"
    assert os.listdir(tmp_path) == ["warehouse.duckdb"]
