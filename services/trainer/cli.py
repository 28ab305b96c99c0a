"""``ecominsight`` subcommands of the trainer: ``trainer`` (the worker), ``train`` (one run by
hand, with a progress bar) and ``evaluate`` (models side by side, or the running system)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.console import Console

from services.trainer.comparison import evaluate_command, scores_table
from services.trainer.settings import Settings

if TYPE_CHECKING:  # the job imports torch: loaded only when a command needs it
    from services.trainer.job import JobOutcome

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
class _ProgressBar:
    """The training steps as a tqdm bar with the loss, opened at the first step (``run_job``'s
    progress callback)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, step: int, total: int, loss: float | None, eta: float | None) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="training", unit="step")
        self.bar.update(step - self.bar.n)
        if loss is not None:
            self.bar.set_postfix(loss=f"{loss:.4f}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _show_outcome(outcome: JobOutcome) -> None:
    """The run in words: the splits, both models' scores on the test split, and the gate's decision."""
    meta = outcome.meta
    console = Console()
    console.print(
        f"{meta.version}: trained on {outcome.n_train} examples, checkpoint chosen on {outcome.n_val}, "
        f"tested on {outcome.n_test} "
        f"({sum(outcome.skipped.values())} skipped) in {meta.train_time_s:.1f}s "
        f"({outcome.samples_per_s:.1f} samples/s)"
    )
    console.print(
        scores_table(
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


def _publish(settings: Settings, outcome: JobOutcome) -> None:
    """Announce a promoted model with ``ModelReady``, as the worker does."""
    from services.trainer.worker import model_ready
    from shared.kafka import EventProducer

    with EventProducer(settings.kafka, client_id="ecominsight-train-cli") as producer:
        producer.publish_sync(settings.kafka.topic_models, model_ready(outcome), key="model")


def _train(args: argparse.Namespace) -> int:
    from services.trainer.job import run_job

    settings = _settings(args)
    bar = _ProgressBar()
    try:
        # the latest export by default; a relative path not found here is taken under the data folder
        data = (
            settings.paths.resolve(args.data)
            if args.data
            else settings.paths.query_logs / "finetuning_data.jsonl"
        )
        outcome = run_job(settings, data, export_id=args.export_id, progress=bar)
    finally:
        bar.close()
    if args.json:
        print(outcome.meta.model_dump_json(indent=2))
    else:
        _show_outcome(outcome)
    if args.publish and outcome.promoted:
        _publish(settings, outcome)
    return 0 if outcome.promoted else 1


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
    evaluate.set_defaults(func=evaluate_command)
