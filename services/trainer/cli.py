"""``ecominsight`` subcommands of the trainer: ``trainer`` (the worker), ``train`` (one run by
hand, with a progress bar) and ``evaluate`` (models side by side, or the running system)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from services.trainer.errors import TrainerError
from services.trainer.settings import Settings

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


def _metrics_table(title: str, columns: dict[str, dict[str, Any]]) -> Table:
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


def _settings(args: argparse.Namespace) -> Settings:
    flags = {
        "base_model": args.base_model,
        "tiny_tokenizer": args.tokenizer,
        "epochs": args.epochs,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
        "gradient_accumulation_steps": args.grad_accum,
        "weight_decay": args.weight_decay,
        "max_input_length": args.max_input_length,
        "max_target_length": args.max_target_length,
        "early_stopping_patience": args.early_stopping,
        "precision": args.precision,
        "device": args.device,
        "padding": args.padding,
        "min_examples": args.min_examples,
    }
    overrides: dict[str, Any] = {k: v for k, v in flags.items() if v is not None}
    if args.from_base:
        overrides["finetune_current"] = False
    return Settings(**overrides)


# -- trainer (the worker) ------------------------------------------------------------------------
def _worker(args: argparse.Namespace) -> int:
    from services.trainer.worker import TrainerWorker
    from shared.kafka import ensure_topics

    settings = Settings()
    ensure_topics(settings.kafka)
    worker = TrainerWorker(settings)
    worker.consumer.install_signal_handlers()
    if settings.metrics_port is not None:
        from services.trainer.telemetry import serve_metrics

        serve_metrics(worker, settings.metrics_host, settings.metrics_port)
        print(f"trainer: metrics on http://{settings.metrics_host}:{settings.metrics_port}/metrics")
    print(f"trainer: waiting for exports on {settings.kafka.topic_exports} (group {settings.group_id})")
    worker.run()
    return 0


# -- train ---------------------------------------------------------------------------------------
def _train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from services.trainer.job import run_job
    from services.trainer.worker import model_ready

    settings = _settings(args)
    bar: Any = None

    def progress(step: int, total: int, loss: float | None, eta: float | None) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="training", unit="step")
        bar.update(step - bar.n)
        if loss is not None:
            bar.set_postfix(loss=f"{loss:.4f}")

    try:
        # the latest export by default; a relative path not found here is taken under the data folder
        data = (
            settings.paths.resolve(args.data)
            if args.data
            else settings.paths.query_logs / "finetuning_data.jsonl"
        )
        outcome = run_job(settings, data, export_id=args.export_id, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    meta = outcome.meta
    if args.json:
        print(meta.model_dump_json(indent=2))
    else:
        console = Console()
        console.print(
            f"{meta.version}: trained on {outcome.n_train} examples, checkpoint chosen on {outcome.n_val}, "
            f"tested on {outcome.n_test} "
            f"({sum(outcome.skipped.values())} skipped) in {meta.train_time_s:.1f}s "
            f"({outcome.samples_per_s:.1f} samples/s)"
        )
        console.print(
            _metrics_table(
                "Test split (the gate's)",
                {
                    f"candidate {meta.version}": outcome.candidate.metrics,
                    f"serving ({outcome.baseline_name})": outcome.baseline.metrics,
                },
            )
        )
        ci = outcome.decision.interval
        gain = f"gain in preference match {outcome.decision.gain:+.3f}" + (
            f", {ci.level:.0%} interval [{ci.low:+.3f}, {ci.high:+.3f}] on {ci.n} held-out corrections"
            if ci
            else ""
        )
        if outcome.promoted:
            console.print(f"[green]promoted[/green] {meta.version} ({gain} over {outcome.baseline_name})")
        else:
            console.print(f"[red]rejected[/red] {meta.version}: " + "; ".join(meta.reasons))
    if args.publish and outcome.promoted:
        from shared.kafka import EventProducer

        with EventProducer(settings.kafka, client_id="ecominsight-train-cli") as producer:
            producer.publish_sync(settings.kafka.topic_models, model_ready(outcome), key="model")
    return 0 if outcome.promoted else 1


# -- evaluate ------------------------------------------------------------------------------------
def _evaluate(args: argparse.Namespace) -> int:
    if args.api:
        return _evaluate_api(args.api, args.shop_id)
    if not args.model or not args.data:
        raise TrainerError("evaluate needs --model (once or more) and --data FILE, or --api URL")
    from services.trainer.data import load_export, three_way
    from services.trainer.scores import evaluate_model, evaluate_template
    from shared.modeling import load_seq2seq
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
        if spec == "template":
            evaluation = evaluate_template(examples)
        else:
            target: str | Path = spec
            if spec == "current":
                current = registry.current_version()
                if current is None:
                    raise TrainerError("no promoted model in the registry ('current')")
                target = registry.path(current)
            elif registry.is_version(spec) and registry.path(spec).is_dir():
                target = registry.path(spec)
            tokenizer, model = load_seq2seq(target)
            evaluation = evaluate_model(
                model,
                tokenizer,
                examples,
                settings.eval_batch_size,
                settings.max_input_length,
                settings.max_new_tokens,
            )
        columns[spec] = evaluation.metrics
        samples[spec] = [s.shown for s in evaluation.scored[: args.show]]
    if args.json:
        print(json.dumps(columns, indent=2))
        return 0
    console = Console()
    which = "all" if args.all else "held-out"
    console.print(_metrics_table(f"{len(examples)} {which} examples from {Path(args.data).name}", columns))
    for i in range(min(args.show, len(examples))):
        console.print(f"[bold]reference[/bold]: {examples[i].reference}")
        for spec, shown in samples.items():
            console.print(f"  {spec}: {shown[i]}")
    return 0


def _evaluate_api(url: str, shop_id: str) -> int:
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


def register(sub: argparse._SubParsersAction) -> None:
    worker = sub.add_parser("trainer", help="run the trainer worker (fine-tunes on ExportComplete events)")
    worker.set_defaults(func=_worker)

    train = sub.add_parser("train", help="fine-tune on an export file by hand, evaluate and gate the result")
    train.add_argument(
        "--data", help="export JSONL (default: DATA_DIR/query_logs/finetuning_data.jsonl, the latest export)"
    )
    train.add_argument("--base-model", help="hub id, folder or 'tiny-t5' (default from settings)")
    train.add_argument("--tokenizer", choices=["byte", "word"], help="tokenizer of a fresh tiny-t5")
    train.add_argument(
        "--from-base", action="store_true", help="start from the base model, not the serving one"
    )
    train.add_argument("--epochs", type=float)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--grad-accum", type=int, help="gradient accumulation steps")
    train.add_argument("--weight-decay", type=float)
    train.add_argument("--max-input-length", type=int)
    train.add_argument("--max-target-length", type=int)
    train.add_argument("--early-stopping", type=int, metavar="EPOCHS", help="patience; 0 turns it off")
    train.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"])
    train.add_argument("--device", choices=["auto", "cpu", "cuda"])
    train.add_argument("--padding", choices=["dynamic", "max_length"])
    train.add_argument("--min-examples", type=int)
    train.add_argument("--export-id", help="recorded in the model's lineage")
    train.add_argument("--publish", action="store_true", help="announce a promoted model with ModelReady")
    train.add_argument("--json", action="store_true", help="print the registry metadata as JSON")
    train.set_defaults(func=_train)

    evaluate = sub.add_parser("evaluate", help="compare models on an export, or ask the running system")
    evaluate.add_argument(
        "--model", action="append", help="'template', 'current', a version (v0003), a folder or hub id"
    )
    evaluate.add_argument(
        "--data", help="export JSONL to evaluate on (its test split, the gate's, unless --all)"
    )
    evaluate.add_argument(
        "--all", action="store_true", help="evaluate on every example, not the held-out split"
    )
    evaluate.add_argument("--show", type=int, default=0, help="print this many answers per model")
    evaluate.add_argument(
        "--api", metavar="URL", help="ask the running ask service the seed's five questions"
    )
    evaluate.add_argument("--shop-id", default="10", help="shop to ask about with --api")
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(func=_evaluate)
