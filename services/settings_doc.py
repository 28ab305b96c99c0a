"""Every setting of every service, with its environment variable, default and meaning:
``ecominsight settings`` (a table) and ``ecominsight settings --format markdown`` (docs/settings.md).

The list is read from the ``Settings`` classes themselves (pydantic's fields and their
docstrings), so it cannot drift from what the services read. A group nested in several services
(Kafka, paths, local run) is listed once, in the "shared" section. This module sits above the
services, like ``services/cli.py``: it imports each service's settings, no service imports it.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from services.ask.conversations import ConversationSettings
from services.ask.mcp_server import StdioSettings
from services.ask.settings import Settings as AskSettings
from services.generator.settings import Settings as GeneratorSettings
from services.logger.settings import Settings as LoggerSettings
from services.stack.settings import Settings as StackSettings
from services.trainer.settings import Settings as TrainerSettings

# Each service and the settings classes it reads (its own Settings first).
SERVICES: tuple[tuple[str, tuple[type[BaseSettings], ...]], ...] = (
    ("ask", (AskSettings, ConversationSettings, StdioSettings)),
    ("generator", (GeneratorSettings,)),
    ("logger", (LoggerSettings,)),
    ("trainer", (TrainerSettings,)),
    ("stack (`ecominsight up`, `ecominsight demo`)", (StackSettings,)),
)
SHARED = "shared (the same variables for each service that reads them)"
GENERATED_BY = "ecominsight settings --format markdown > docs/settings.md"


@dataclass(frozen=True)
class Variable:
    """One environment variable: the class and field that read it, its default and meaning."""

    name: str
    default: str
    meaning: str
    owner: type[BaseSettings]
    field: str


@dataclass(frozen=True)
class Section:
    """The variables of one service (or of the groups every service shares)."""

    title: str
    variables: tuple[Variable, ...]


def _group(info: FieldInfo) -> type[BaseSettings] | None:
    """The settings class of a nested group (``kafka: KafkaSettings``), else None."""
    kind = info.annotation
    return kind if isinstance(kind, type) and issubclass(kind, BaseSettings) else None


def show_default(info: FieldInfo) -> str:
    """A field's default as one would write it in the environment ("unset" for None)."""
    if info.default is PydanticUndefined:
        factory = info.default_factory
        if factory in (list, dict):
            return "[]" if factory is list else "{}"
        return "computed (see meaning)" if factory is not None else "required"
    value = info.default
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value) if isinstance(value, (str, int, float, Path)) else repr(value)


def _meaning(info: FieldInfo) -> str:
    """The field's description on one line, ``code`` written as `code`."""
    text = " ".join((info.description or "").split())
    return text.replace("``", "`")


def env_name(cls: type[BaseSettings], name: str, info: FieldInfo) -> str:
    """The variable a field is read from: the class's prefix and the field's name, or the field's
    own alias (the first of its choices; the meaning names the others)."""
    alias = info.validation_alias
    if isinstance(alias, AliasChoices):
        alias = next((choice for choice in alias.choices if isinstance(choice, str)), None)
    if isinstance(alias, str):
        return alias.upper()
    return (str(cls.model_config.get("env_prefix", "")) + name).upper()


def variables(cls: type[BaseSettings]) -> list[Variable]:
    """The variables ``cls`` reads itself (not its nested groups), in declaration order."""
    return [
        Variable(env_name(cls, name, info), show_default(info), _meaning(info), cls, name)
        for name, info in cls.model_fields.items()
        if _group(info) is None
    ]


def nested_groups(cls: type[BaseSettings]) -> list[type[BaseSettings]]:
    """The settings classes nested in ``cls`` (``kafka``, ``paths``, ...)."""
    return [group for info in cls.model_fields.values() if (group := _group(info)) is not None]


def sections() -> list[Section]:
    """One section for the groups several services nest, then one per service."""
    users: dict[type[BaseSettings], set[str]] = {}
    for title, classes in SERVICES:
        for cls in classes:
            for group in nested_groups(cls):
                users.setdefault(group, set()).add(title)
    shared = [group for group, titles in users.items() if len(titles) > 1]
    found = [Section(SHARED, tuple(v for group in shared for v in variables(group)))]
    for title, classes in SERVICES:
        own: list[Variable] = []
        for cls in classes:
            own += variables(cls)
            for group in nested_groups(cls):
                own += [] if group in shared else variables(group)
        found.append(Section(title, tuple(own)))
    return found


def all_variables() -> list[Variable]:
    return [v for section in sections() for v in section.variables]


def render_text(found: list[Section]) -> str:
    """Aligned columns per section: variable, default, meaning."""
    lines: list[str] = []
    for section in found:
        name_width = max(len(v.name) for v in section.variables)
        default_width = min(24, max(len(v.default) for v in section.variables))
        lines += ["", f"{section.title}:"]
        lines += [f"  {v.name:<{name_width}}  {v.default:<{default_width}}  {v.meaning}" for v in section.variables]
    return "\n".join(lines[1:]) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(found: list[Section]) -> str:
    """docs/settings.md: a table per section."""
    lines = [
        "# Settings",
        "",
        "Every environment variable EcomInsight reads, with its default and meaning. Generated from the",
        f"settings classes by `{GENERATED_BY}`: edit the docstrings in the",
        "`settings.py` files, not this page. Values are read when a process starts; lists are JSON.",
    ]
    for section in found:
        lines += ["", f"## {section.title}", "", "| Variable | Default | Meaning |", "|---|---|---|"]
        lines += [f"| `{v.name}` | `{_cell(v.default)}` | {_cell(v.meaning)} |" for v in section.variables]
    return "\n".join(lines) + "\n"


def _print(args: argparse.Namespace) -> int:
    found = sections()
    if args.service:
        found = [s for s in found if s.title.startswith(args.service) or s.title == SHARED]
    print(render_markdown(found) if args.format == "markdown" else render_text(found), end="")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("settings", help="every ECOMINSIGHT_* (and KAFKA_*) variable with its default and meaning")
    p.add_argument("--format", choices=("text", "markdown"), default="text",
                   help="markdown: the page docs/settings.md is made of")  # fmt: skip
    p.add_argument("--service", help="only this service's variables (and the shared ones): ask, logger, ...")
    p.set_defaults(func=_print)
