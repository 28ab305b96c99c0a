"""``ecominsight evaluate``: models side by side on an export's test split (or every example),
or the running ask service's answers to the seed's questions; and the table of scores that
``train`` prints too."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from services.trainer.errors import TrainerError
from services.trainer.settings import Settings

if TYPE_CHECKING:  # these import numpy and the registry: loaded only when a command needs them
    from services.trainer.data import Example
    from services.trainer.scores import Evaluation
    from shared.registry import ModelRegistry

SEED_QUESTIONS = (
    "How many orders do I have?",
    "What is my total revenue?",
    "Average order value?",
    "Top 5 customers by spending",
    "Orders above $1000",
)
SHOWN_METRICS = (
    ("fact_accuracy", "fact accuracy"),
    ("invented_number_rate", "invented-number rate"),
    ("exact_match", "exact match"),
    ("rouge_l", "ROUGE-L"),
    ("repetition_rate", "repetition rate"),
    ("mean_latency_ms", "mean latency (ms)"),
    ("quality", "quality score"),
    ("preference_match", "preference match"),
    ("n", "examples"),
)


def scores_table(title: str, columns: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=title)
    table.add_column("metric")
    for name in columns:
        table.add_column(name, justify="right")
    for key, label in SHOWN_METRICS:
        cells = []
        for metrics in columns.values():
            value = metrics.get(key)
            cells.append("" if value is None else f"{value:,.0f}" if key == "n" else f"{value:.3f}")
        table.add_row(label, *cells)
    return table


def _model_path(spec: str, registry: ModelRegistry) -> str | Path:
    """Where ``--model`` points: 'current' (the promoted version), a registry version, or a folder
    or hub id as given."""
    if spec == "current":
        current = registry.current_version()
        if current is None:
            raise TrainerError("no promoted model in the registry ('current')")
        return registry.path(current)
    if registry.is_version(spec) and registry.path(spec).is_dir():
        return registry.path(spec)
    return spec


def _evaluate_spec(spec: str, examples: list[Example], settings: Settings, registry: ModelRegistry) -> Evaluation:
    """One ``--model`` on the examples: the template, or a model decoded as the job decodes."""
    from services.trainer.job import evaluate_on
    from services.trainer.scores import evaluate_template
    from shared.modeling import load_seq2seq

    if spec == "template":
        return evaluate_template(examples)
    tokenizer, model = load_seq2seq(_model_path(spec, registry))
    return evaluate_on(settings, model, tokenizer, examples)


def evaluate_command(args: argparse.Namespace) -> int:
    """``ecominsight evaluate``: models side by side on an export, or the running system."""
    if args.api:
        return evaluate_api(args.api, args.shop_id)
    if not args.model or not args.data:
        raise TrainerError("evaluate needs --model (once or more) and --data FILE, or --api URL")
    from services.trainer.data import load_export, three_way
    from shared.registry import ModelRegistry

    settings = Settings()
    registry = ModelRegistry(settings.paths.models)
    export = load_export(Path(args.data))
    if not export.examples:
        raise TrainerError(f"no usable examples in {args.data}")
    examples = (
        export.examples
        if args.all
        else three_way(
            export.examples, settings.validation_fraction, settings.seed, settings.corrected_fraction
        ).test
    )
    columns: dict[str, dict[str, Any]] = {}
    samples: dict[str, list[str]] = {}
    for spec in args.model:
        evaluation = _evaluate_spec(spec, examples, settings, registry)
        columns[spec] = evaluation.metrics
        samples[spec] = [s.shown for s in evaluation.scored[: args.show]]
    if args.json:
        print(json.dumps(columns, indent=2))
        return 0
    console = Console()
    which = "all" if args.all else "held-out"
    console.print(scores_table(f"{len(examples)} {which} examples from {Path(args.data).name}", columns))
    for i in range(min(args.show, len(examples))):
        console.print(f"[bold]reference[/bold]: {examples[i].reference}")
        for spec, shown in samples.items():
            console.print(f"  {spec}: {shown[i]}")
    return 0


def evaluate_api(url: str, shop_id: str) -> int:
    import httpx

    console = Console()
    failures = 0
    with httpx.Client(base_url=url.rstrip("/"), timeout=30.0) as client:
        for question in SEED_QUESTIONS:
            try:
                response = client.post("/api/mcp/ask", json={"shop_id": shop_id, "question": question})
            except httpx.HTTPError as exc:
                raise TrainerError(f"cannot reach {url}: {exc}") from exc
            if response.status_code != 200:
                failures += 1
                console.print(
                    f"[bold]{question}[/bold]\n  HTTP {response.status_code}: {response.text[:200]}"
                )
                continue
            body = response.json()
            console.print(f"[bold]{question}[/bold]\n  {body.get('answer')}")
            console.print(
                f"  [dim]tool {body.get('tool')}, generator {body.get('generator')} ({body.get('model_version')}), "
                f"{body.get('response_time_ms', 0):.0f} ms[/dim]"
            )
    return 1 if failures else 0
