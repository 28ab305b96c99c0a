"""Trainer benchmarks (CPU here; run from the repository root):

1. Training throughput with dynamic padding vs padding every example to 512 tokens (the seed's
   way), same model, same examples, same run.
2. Time for the tiny T5 to reach >= 95% fact accuracy on the held-out split, byte-level (ByT5)
   vs a word-level vocabulary trained on the export. The clock counts training only: the
   held-out evaluation after every epoch is timed separately and left out.
3. The job end to end (``run_job``: build the tiny model, train with the seed's defaults,
   evaluate candidate and template on the held-out split, gate, save), on 300 records.

    .venv/bin/python bench/bench_trainer.py                  # everything (~15-25 min on 2 cores)
    .venv/bin/python bench/bench_trainer.py --only padding   # part 1 only
    .venv/bin/python bench/bench_trainer.py --quick          # a smoke run

Prints one JSON line per measurement, then Markdown tables of every figure (pasted into
BENCHMARKS.md as they are).
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

from evaluation.exports import write_export  # noqa: E402
from services.trainer import job as job_mod  # noqa: E402
from services.trainer import training  # noqa: E402
from services.trainer.data import Example, load_export, split  # noqa: E402
from services.trainer.scores import evaluate_model  # noqa: E402
from services.trainer.settings import Settings  # noqa: E402
from services.trainer.tiny import build_tiny  # noqa: E402
from shared.modeling import count_parameters  # noqa: E402
from shared.settings import PathSettings  # noqa: E402


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
    args = training.training_arguments(
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
    tok, warmup = _trainer(settings, base, train[:16], [], pad=False)
    warmup.train()
    prompt_len = sum(len(tok(e.prompt).input_ids) for e in train) / len(train)
    target_len = sum(len(tok(e.target).input_ids) for e in train) / len(train)
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
            "mean_prompt_tokens": round(prompt_len, 1),
            "mean_target_tokens": round(target_len, 1),
            "samples_per_s_dynamic": round(best["dynamic"], 1),
            "samples_per_s_pad512": round(best["pad512"], 1),
            "speedup": round(best["dynamic"] / best["pad512"], 2),
            "samples_per_cpu_s_dynamic": round(cpu["dynamic"], 1),
            "samples_per_cpu_s_pad512": round(cpu["pad512"], 1),
            "cpu_speedup": round(cpu["dynamic"] / cpu["pad512"], 2),
            "all_rates": {mode: [round(v, 1) for v in values] for mode, values in rates.items()},
            "round_speedups": [
                round(d / p, 2) for d, p in zip(rates["dynamic"], rates["pad512"], strict=True)
            ],
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
            "max_epochs": max_epochs,
            "final_fact_accuracy": clock.curve[-1][2] if clock.curve else 0,
            "curve": clock.curve,
            "load_avg": os.getloadavg()[0],
        }
    )


def bench_job(tmp: Path, tokenizer: str, examples: int, run: int) -> dict[str, Any]:
    """``run_job`` with the trainer's default schedule on a fresh registry; the clock is its own."""
    folder = tmp / f"job-{tokenizer}-{run}"
    data = write_export(folder / "export.jsonl", examples, seed=2026)
    settings = Settings(
        paths=PathSettings(data_dir=folder), base_model="tiny-t5", tiny_tokenizer=tokenizer, device="cpu"
    )
    t0 = time.perf_counter()
    outcome = job_mod.run_job(settings, data, export_id="bench")
    wall = time.perf_counter() - t0
    m = outcome.meta.metrics
    return emit(
        {
            "bench": "job",
            "tokenizer": tokenizer,
            "run": run,
            "examples": examples,
            "n_train": outcome.n_train,
            "n_val": outcome.n_val,
            "n_test": outcome.n_test,
            "learning_rate": settings.learning_rate,
            "epochs": settings.epochs,
            "batch_size": settings.batch_size,
            "train_time_s": round(outcome.meta.train_time_s or 0.0, 1),
            "wall_s": round(wall, 1),
            "fact_accuracy": m["fact_accuracy"],
            "exact_match": m["exact_match"],
            "rouge_l": round(m["rouge_l"], 3),
            "promoted": outcome.promoted,
            "gate": m["gate"],
            "load_avg": os.getloadavg()[0],
        }
    )


def _range(values: list[float], fmt: str = "{:.1f}") -> str:
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(min(values))}–{fmt.format(max(values))}"


def _table(caption: str, header: str, align: str) -> list[str]:
    """The lines that open one table: its caption, a blank line, the header and the alignment row."""
    return [caption, "", header, align]


def padding_table(padding: list[dict[str, Any]]) -> list[str]:
    """Dynamic padding vs padding to 512, one row per tokenizer, and the mean lengths."""
    out = _table(
        f"Dynamic padding vs padding to 512: one epoch, batch 4, {padding[0]['examples']} examples, "
        f"{padding[0]['rounds']} interleaved rounds (speed-up: best rate of each mode; per round in brackets).",
        "| tokenizer | dynamic (samples/s) | pad to 512 (samples/s) | speed-up (wall) | speed-up (CPU time) | "
        "target >= 3x | load |",
        "|---|---:|---:|---:|---:|---|---:|",
    )
    for r in padding:
        rounds = r["round_speedups"]
        n = sum(x >= 3 for x in rounds)
        verdict = f"met in all {n} rounds" if n == len(rounds) else f"met in {n} of {len(rounds)} rounds"
        per_round = ", ".join(f"{x:.1f}x" for x in rounds)
        out.append(
            f"| {r['tokenizer']} | {r['samples_per_s_dynamic']} | {r['samples_per_s_pad512']} | "
            f"**{r['speedup']:.1f}x** ({per_round}) | {r['cpu_speedup']:.1f}x | {verdict} | {r['load_avg']:.1f} |"
        )
    out.append("")
    out.append(
        "Mean lengths in tokens (padded: 512 + 512): "
        + "; ".join(
            f"{r['tokenizer']} prompts {r['mean_prompt_tokens']}, targets {r['mean_target_tokens']}"
            for r in padding
        )
        + "."
    )
    return [*out, ""]


def facts_table(facts: list[dict[str, Any]]) -> list[str]:
    """Time to >= 95% fact accuracy, one row per tokenizer."""
    out = _table(
        f"Time to >= 95% fact accuracy on {facts[0]['val_examples']} held-out examples "
        f"({facts[0]['train_examples']} training examples; training time only).",
        "| tokenizer | schedule | reached 95%? | training time | fact accuracy by epoch | load |",
        "|---|---|---|---|---|---:|",
    )
    for r in facts:
        reached = (
            f"**yes, after epoch {r['epochs']:g}**"
            if r["reached_after_s"] is not None
            else f"no (stopped at epoch {r['epochs']:g})"
        )
        took = (
            r["reached_after_s"]
            if r["reached_after_s"] is not None
            else (r["curve"][-1][1] if r["curve"] else 0)
        )
        curve = ", ".join(f"{acc:.2f}" for _, _, acc in r["curve"])
        out.append(
            f"| {r['tokenizer']} ({r['parameters']:,} parameters) | lr {r['learning_rate']:g} linear over "
            f"{r['max_epochs']:g} epochs, batch {r['batch_size']} | {reached} | {took} s | {curve} | "
            f"{r['load_avg']:.1f} |"
        )
    return [*out, ""]


def job_table(jobs: list[dict[str, Any]]) -> list[str]:
    """``run_job`` end to end, one row per run, and the range when there are several."""
    j = jobs[0]
    out = _table(
        f"`run_job` end to end, {j['tokenizer']}-level tiny T5, trainer defaults (lr {j['learning_rate']:g}, "
        f"{j['epochs']:g} epochs, batch {j['batch_size']}, early stopping, evaluate + checkpoint each epoch), "
        f"{j['examples']} records ({j['n_train']} train / {j['n_val']} validation / {j.get('n_test', '?')} test).",
        "| run | training s | whole job s | fact accuracy | exact match | ROUGE-L | decision | load |",
        "|---|---:|---:|---:|---:|---:|---|---:|",
    )
    for r in jobs:
        decision = f"promoted ({r['gate']} gate)" if r["promoted"] else f"rejected ({r['gate']} gate)"
        out.append(
            f"| {r['run']} | {r['train_time_s']} | {r['wall_s']} | {r['fact_accuracy']:.2f} | "
            f"{r['exact_match']:.2f} | {r['rouge_l']:.2f} | {decision} | {r['load_avg']:.1f} |"
        )
    if len(jobs) > 1:
        out.append(
            f"| range | {_range([r['train_time_s'] for r in jobs])} | {_range([r['wall_s'] for r in jobs])} "
            "| | | | | |"
        )
    return [*out, ""]


TABLES = {"padding": padding_table, "time_to_facts": facts_table, "job": job_table}


def markdown(results: list[dict[str, Any]]) -> str:
    """Every figure of this run as the tables BENCHMARKS.md shows."""
    out: list[str] = []
    for bench, table in TABLES.items():
        rows = [r for r in results if r["bench"] == bench]
        if rows:
            out += table(rows)
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["padding", "facts", "job"])
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
    parser.add_argument("--padding-examples", type=int, default=160, help="examples for the padding part")
    parser.add_argument("--job-examples", type=int, default=300, help="records for the end-to-end job")
    parser.add_argument("--job-runs", type=int, default=2, help="end-to-end job runs (word-level)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="--quick, word-level only, no job (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.quick, args.tokenizers = True, "word"
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
                results.append(
                    bench_padding(tmp, train[: 24 if args.quick else args.padding_examples], tokenizer)
                )
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
        if args.only in (None, "job") and not args.smoke:  # the job is tests/trainer's; the smoke run skips it
            for run in range(1, (1 if args.quick else args.job_runs) + 1):
                results.append(bench_job(tmp, "word", 60 if args.quick else args.job_examples, run))
        print("SUMMARY " + json.dumps(results))
        print(
            f"\ntorch {torch.__version__}, {args.threads} torch threads, {os.cpu_count()} CPUs, "
            f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC\n"
        )
        print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
