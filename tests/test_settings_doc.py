"""``ecominsight settings`` lists every setting of every service with its default and meaning, under
the variable name pydantic really reads; docs/settings.md is its output (issue 25)."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from services.cli import main
from services.settings_doc import SERVICES, Variable, all_variables, render_markdown, render_text, sections

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "settings.md"


def every_class() -> set[type[BaseSettings]]:
    """Each service's settings classes and every group nested in them, however deep."""
    found: set[type[BaseSettings]] = set()
    todo = [cls for _, classes in SERVICES for cls in classes]
    while todo:
        cls = todo.pop()
        found.add(cls)
        for info in cls.model_fields.values():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, BaseSettings) and kind not in found:
                todo.append(kind)
    return found


def scalar_fields(cls: type[BaseSettings]) -> list[str]:
    return [n for n, f in cls.model_fields.items()
            if not (isinstance(f.annotation, type) and issubclass(f.annotation, BaseSettings))]  # fmt: skip


def test_every_field_of_every_settings_class_is_listed_with_a_meaning() -> None:
    listed = {(v.owner, v.field): v for v in all_variables()}
    text = render_text(sections())
    for cls in every_class():
        for name in scalar_fields(cls):
            variable = listed.get((cls, name))
            assert variable is not None, f"{cls.__module__}.{cls.__name__}.{name} is not listed"
            assert variable.meaning.strip(), f"{variable.name} has no meaning (give the field a docstring)"
            assert variable.default.strip(), f"{variable.name} shows no default"
            line = next(line for line in text.splitlines() if line.split()[:1] == [variable.name])
            assert variable.default in line and variable.meaning in line


def test_each_variable_is_listed_once() -> None:
    names = [v.name for v in all_variables()]
    assert len(names) == len(set(names))


def test_defaults_are_shown_as_written_in_the_environment() -> None:
    shown = {v.name: v.default for v in all_variables()}
    assert shown["ECOMINSIGHT_ASK_PORT"] == "8000"
    assert shown["ECOMINSIGHT_GENERATOR_PORT"] == "8001"
    assert shown["ECOMINSIGHT_LOGGER_PORT"] == "8002"
    assert shown["ECOMINSIGHT_ASK_MAX_BODY_BYTES"] == str(64 * 1024)
    assert shown["ECOMINSIGHT_LOGGER_ADMIN_TOKEN"] == "unset"
    assert shown["ECOMINSIGHT_ASK_USE_GENERATOR"] == "true"
    assert shown["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:9092"


def probe(info: FieldInfo) -> tuple[str, Any]:
    """A valid value other than the default: as written in the environment, and as read."""
    kind = info.annotation
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if typing.get_origin(kind) is typing.Literal:
        other = next(a for a in typing.get_args(kind) if a != info.default)
        return str(other), other
    if args and kind is not None and typing.get_origin(kind) is not list:
        kind = args[0]  # X | None
    default = info.default if info.default is not None else 0
    if kind is bool:
        return ("false", False) if info.default else ("true", True)
    if kind is int:
        return str(default + 1 if default else 7), default + 1 if default else 7
    if kind is float:
        value = default / 2 if default else 0.5
        return repr(value), value
    if kind is SecretStr:
        return "probe-secret-7f3a", "probe-secret-7f3a"
    if kind is Path:
        return "/tmp/probe-dir", Path("/tmp/probe-dir")
    if typing.get_origin(kind) is list:
        return '["http://probe.example"]', ["http://probe.example"]
    return "probe-value", "probe-value"


@pytest.mark.parametrize("variable", all_variables(), ids=lambda v: v.name)
def test_the_listed_name_is_the_variable_pydantic_reads(variable: Variable, monkeypatch: pytest.MonkeyPatch) -> None:
    written, read = probe(variable.owner.model_fields[variable.field])
    monkeypatch.setenv(variable.name, written)
    value = getattr(variable.owner(), variable.field)
    value = value.get_secret_value() if isinstance(value, SecretStr) else value
    assert value == read, f"setting {variable.name}={written} did not set {variable.field}"


def test_docs_settings_md_is_the_commands_output() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(sections()), (
        "docs/settings.md is out of date: run `ecominsight settings --format markdown > docs/settings.md`"
    )


def test_the_command_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == DOC.read_text(encoding="utf-8")
    assert main(["settings", "--service", "logger"]) == 0
    out = capsys.readouterr().out
    assert "ECOMINSIGHT_LOGGER_SQL_MAX_ROWS" in out and "KAFKA_BOOTSTRAP_SERVERS" in out
    assert "ECOMINSIGHT_ASK_PORT" not in out
