"""Trainer benchmarks (CPU here; run from the repository root):

1. Training throughput with dynamic padding vs padding every example to 512 tokens (the seed's
   way), same model, same examples, same run.
2. Time for the tiny T5 to reach >= 95% fact accuracy on the held-out split, byte-level (ByT5)
   vs a word-level vocabulary trained on the export. The clock counts training only: the
   held-out evaluation after every epoch is timed separately and left out.

    .venv/bin/python bench/bench_trainer.py                  # everything (~15-25 min on 2 cores)
    .venv/bin/python bench/bench_trainer.py --only padding   # part 1 only
    .venv/bin/python bench/bench_trainer.py --quick          # a smoke run

Prints one JSON line per measurement and a summary at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch
from transformers import TrainerCallback

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.trainer import job as job_mod  # noqa: E402
from services.trainer.data import Example, load_export, split  # noqa: E402
from services.trainer.metrics import evaluate_model  # noqa: E402
from services.trainer.settings import Settings  # noqa: E402
from services.trainer.tiny import build_tiny  # noqa: E402
from shared.modeling import count_parameters  # noqa: E402
from shared.settings import PathSettings  # noqa: E402
from tests.trainer.exports import write_export  # noqa: E402


def emit(record: dict[str, Any]) -> dict[str, Any]:
    print(json.dumps(record), flush=True)
    return record


def base_settings(tmp: Path, tokenizer: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "paths": PathSettings(data_dir=tmp),
        "base_model": "tiny-t5",
        "tiny_tokenizer": tokenizer,
        "device": "cpu",
        "early_stopping_patience": 0,
        "max_input_length": 512,
        "max_target_length": 512,
        "logging_steps": 50,
    }
    values.update(overrides)
    return Settings(**values)


def make_base(tmp: Path, tokenizer: str, train: list[Example]) -> Path:
    folder = tmp / f"base-{tokenizer}"
    if not folder.exists():
        build_tiny(folder, tokenizer, [e.prompt for e in train] + [e.target for e in train])  # type: ignore[arg-type]
    return folder


def _trainer(
    settings: Settings, folder: Path, train: list[Example], callbacks: list[Any], pad: bool, **overrides: Any
) -> Any:
    from transformers import Seq2SeqTrainer

    from services.trainer import data as data_mod
    from shared.modeling import load_seq2seq

    tok, model = load_seq2seq(folder)
    args = job_mod.training_arguments(
        settings,
        folder.parent / "out",
        len(train),
        eval_strategy="no",
        save_strategy="no",
        load_best_model_at_end=False,
        **overrides,
    )
    return tok, Seq2SeqTrainer(
        model=model.train(),
        args=args,
        data_collator=data_mod.collator(tok, model),
        train_dataset=data_mod.tokenise(
            train, tok, settings.max_input_length, settings.max_target_length, pad
        ),
        processing_class=tok,
        callbacks=callbacks,
    )


def bench_padding(tmp: Path, train: list[Example], tokenizer: str, rounds: int = 2) -> dict[str, Any]:
    """Samples/s of one epoch, dynamic vs padded to 512 (inputs and labels), interleaved; best of ``rounds``."""
    base = make_base(tmp, tokenizer, train)
    settings = base_settings(tmp, tokenizer, epochs=1.0, batch_size=4)
    _, warmup = _trainer(settings, base, train[:16], [], pad=False)
    warmup.train()
    rates: dict[str, list[float]] = {"dynamic": [], "pad512": []}
    cpu_rates: dict[str, list[float]] = {"dynamic": [], "pad512": []}
    for _ in range(rounds):
        for mode in ("dynamic", "pad512"):
            _, trainer = _trainer(settings, base, train, [], pad=mode == "pad512")
            t0, c0 = time.perf_counter(), time.process_time()
            trainer.train()
            rates[mode].append(len(train) / (time.perf_counter() - t0))
            cpu_rates[mode].append(len(train) / (time.process_time() - c0))
    best = {mode: max(values) for mode, values in rates.items()}
    cpu = {mode: max(values) for mode, values in cpu_rates.items()}
    return emit(
        {
            "bench": "padding",
            "tokenizer": tokenizer,
            "examples": len(train),
            "batch_size": 4,
            "rounds": rounds,
            "samples_per_s_dynamic": round(best["dynamic"], 1),
            "samples_per_s_pad512": round(best["pad512"], 1),
            "speedup": round(best["dynamic"] / best["pad512"], 2),
            "samples_per_cpu_s_dynamic": round(cpu["dynamic"], 1),
            "samples_per_cpu_s_pad512": round(cpu["pad512"], 1),
            "cpu_speedup": round(cpu["dynamic"] / cpu["pad512"], 2),
            "all_rates": {mode: [round(v, 1) for v in values] for mode, values in rates.items()},
            "load_avg": os.getloadavg()[0],
        }
    )


class FactClock(TrainerCallback):
    """After each epoch: evaluate on the held-out split (off the clock); stop at the target."""

    def __init__(
        self, tokenizer: Any, val: list[Example], target: float, max_new_tokens: int, limit_s: float
    ):
        self.tokenizer, self.val, self.target, self.max_new_tokens = tokenizer, val, target, max_new_tokens
        self.limit_s = limit_s
        self.eval_every = 1
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()
        self.off_clock = 0.0
        self.cpu_off_clock = 0.0
        self.curve: list[tuple[float, float, float]] = []  # (epoch, train seconds, fact accuracy)
        self.reached: float | None = None
        self.reached_cpu: float | None = None
        self.cpu_s = 0.0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()

    def on_epoch_end(self, args: Any, state: Any, control: Any, model: Any = None, **kw: Any) -> None:
        if round(state.epoch) % self.eval_every and round(state.epoch) != round(args.num_train_epochs):
            return
        t0, c0 = time.perf_counter(), time.process_time()
        train_s = t0 - self.start - self.off_clock
        self.cpu_s = c0 - self.cpu_start - self.cpu_off_clock
        model.eval()
        metrics = evaluate_model(model, self.tokenizer, self.val, 16, 512, self.max_new_tokens).metrics
        model.train()
        self.off_clock += time.perf_counter() - t0
        self.cpu_off_clock += time.process_time() - c0
        acc = metrics["fact_accuracy"]
        self.curve.append((round(state.epoch, 2), round(train_s, 1), acc))
        emit(
            {
                "bench": "fact_curve",
                "epoch": round(state.epoch, 2),
                "train_s": round(train_s, 1),
                "train_cpu_s": round(self.cpu_s, 1),
                "load_avg": os.getloadavg()[0],
                "fact_accuracy": acc,
                "invented": metrics["invented_number_rate"],
                "exact": metrics["exact_match"],
            }
        )
        if acc >= self.target and self.reached is None:
            self.reached = train_s
            self.reached_cpu = self.cpu_s
            control.should_training_stop = True
        if train_s > self.limit_s:
            control.should_training_stop = True


def bench_time_to_facts(
    tmp: Path,
    train: list[Example],
    val: list[Example],
    tokenizer: str,
    lr: float,
    batch_size: int,
    eval_every: int,
    max_epochs: float,
    limit_s: float,
    target: float = 0.95,
) -> dict[str, Any]:
    base = make_base(tmp, tokenizer, train)
    settings = base_settings(
        tmp, tokenizer, epochs=max_epochs, learning_rate=lr, batch_size=batch_size, max_target_length=256
    )
    clock = FactClock(None, val, target, 160 if tokenizer == "byte" else 64, limit_s)
    # The job's own schedule (linear decay over ``max_epochs``), stopped as soon as the target is met.
    tok, trainer = _trainer(settings, base, train, [clock], pad=False)
    clock.tokenizer = tok
    clock.eval_every = eval_every
    model = trainer.model
    trainer.train()
    return emit(
        {
            "bench": "time_to_facts",
            "tokenizer": tokenizer,
            "parameters": count_parameters(model),
            "train_examples": len(train),
            "val_examples": len(val),
            "learning_rate": lr,
            "batch_size": batch_size,
            "target": target,
            "reached_after_s": None if clock.reached is None else round(clock.reached, 1),
            "reached_after_cpu_s": None if clock.reached_cpu is None else round(clock.reached_cpu, 1),
            "epochs": clock.curve[-1][0] if clock.curve else 0,
            "final_fact_accuracy": clock.curve[-1][2] if clock.curve else 0,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["padding", "facts"])
    parser.add_argument("--tokenizers", default="word,byte")
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--limit-s", type=float, default=720.0, help="give up on 95%% after this much training"
    )
    parser.add_argument("--lr-word", type=float, default=3e-4, help="peak learning rate, word-level 95%% run")
    parser.add_argument("--lr-byte", type=float, default=1e-3, help="peak learning rate, byte-level 95%% run")
    parser.add_argument("--epochs-word", type=float, default=10, help="schedule length, word-level 95%% run")
    parser.add_argument("--epochs-byte", type=float, default=30, help="schedule length, byte-level 95%% run")
    parser.add_argument("--batch-size", type=int, default=4, help="batch size for the 95%% runs")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(args.threads)
    n = 60 if args.quick else args.examples
    with tempfile.TemporaryDirectory(prefix="bench-trainer-") as name:
        tmp = Path(name)
        export = load_export(write_export(tmp / "export.jsonl", n, seed=2026))
        train, val = split(export.examples, 0.1, 42)
        emit(
            {
                "bench": "setup",
                "examples": n,
                "train": len(train),
                "val": len(val),
                "threads": args.threads,
                "device": "cpu",
                "torch": torch.__version__,
            }
        )
        results = []
        tokenizers = args.tokenizers.split(",")
        if args.only in (None, "padding"):
            for tokenizer in tokenizers:
                results.append(bench_padding(tmp, train[: 24 if args.quick else 160], tokenizer))
        if args.only in (None, "facts"):
            for tokenizer in tokenizers:
                results.append(
                    bench_time_to_facts(
                        tmp,
                        train,
                        val,
                        tokenizer,
                        lr=args.lr_byte if tokenizer == "byte" else args.lr_word,
                        batch_size=args.batch_size,
                        eval_every=2 if tokenizer == "byte" else 1,
                        max_epochs=2
                        if args.quick
                        else args.epochs_byte
                        if tokenizer == "byte"
                        else args.epochs_word,
                        limit_s=30 if args.quick else args.limit_s,
                    )
                )
        print("SUMMARY " + json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
