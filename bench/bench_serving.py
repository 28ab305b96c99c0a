"""Serving benchmark: ``/ask`` with the model serving vs with the template, and the generator alone.

    .venv/bin/python bench/bench_serving.py [--runs 3] [--seconds 15] [--clients 8]
    .venv/bin/python bench/bench_serving.py --smoke      # a minute or so: what CI runs

Seeds a warehouse, starts an ask server answering with the template, and asks it
``--examples`` questions; their answers become an export, and the trainer (``run_job``) trains
the tiny word-level T5 on it, registers it and converts it to CTranslate2, as in production.
Then, ``--runs`` times, in turn for three generators (``python -m services.generator``, one
torch/CTranslate2 thread, no reload): none promoted (template), the version on PyTorch, the
version on CTranslate2 int8; each time an ask server points at it and ``--clients`` concurrent
keep-alive clients send ``/ask`` for ``--seconds``. It prints req/s, p50, the share of answers
the model phrased, the generator's resident memory (RSS) after the run, and the generator-alone
figures of ``bench_generator.compare_backends`` on the same version; then ranges over the runs
with a verdict per target ("met" only if met in every run). Events are off (no broker): the
publishing path is measured by ``bench_ask.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_ask import Server as AskServer  # noqa: E402
from bench.bench_ask import percentile, questions  # noqa: E402
from bench.bench_generator import Server as GeneratorServer  # noqa: E402
from bench.bench_generator import backends_table, compare_backends  # noqa: E402
from bench.common import SHOPS, run_clients  # noqa: E402
from services.ask.seed import seed_warehouse  # noqa: E402
from services.trainer.job import run_job  # noqa: E402
from services.trainer.settings import Settings as TrainerSettings  # noqa: E402
from shared.prompt import build_prompt  # noqa: E402
from shared.registry import ModelRegistry  # noqa: E402
from shared.results import ToolResult  # noqa: E402
from shared.settings import KafkaSettings, PathSettings  # noqa: E402

ARMS = ("template", "pytorch", "ctranslate2")


def ask(url: str, qs: list[str]) -> list[dict]:
    with httpx.Client(base_url=url, timeout=60) as client:
        return [
            client.post("/api/mcp/ask", json={"shop_id": ("10", "11", "12")[i % 3], "question": q}).json()
            for i, q in enumerate(qs)
        ]


def train(work: Path, ask_url: str, n: int, epochs: float) -> tuple[Path, str, list[str]]:
    """Export ``n`` template answers, train and register a version; (registry, version, held-out prompts)."""
    qs = questions(n + 200)
    lines, prompts = [], []
    for i, (q, body) in enumerate(zip(qs, ask(ask_url, qs), strict=True)):
        if not body.get("success") or not body.get("data"):
            continue
        result = ToolResult.model_validate(body["data"])
        prompt = build_prompt(q, result)
        if i >= n:
            prompts.append(prompt)
            continue
        lines.append(
            {"input": prompt, "output": body["answer"], "intent": body["intent"], "tool": result.tool,
             "result": result.model_dump(mode="json"), "query_id": f"q{i}"}
        )  # fmt: skip
    export = work / "export.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in lines))
    settings = TrainerSettings(
        paths=PathSettings(data_dir=work / "trained"),
        kafka=KafkaSettings(),
        base_model="tiny-t5",
        tiny_tokenizer="word",
        epochs=epochs,
        learning_rate=3e-3,
        early_stopping_patience=0,
        min_examples=10,
        torch_threads=1,
        min_fact_accuracy=0.0,
        max_invented_rate=1.0,
    )
    outcome = run_job(settings, export)
    print(
        f"trained {outcome.meta.version} on {outcome.n_train} answers: {outcome.candidate.metrics}",
        flush=True,
    )
    return settings.paths.models, outcome.meta.version, prompts


def concurrent(url: str, qs: list[str], clients: int, seconds: float) -> tuple[float, list[float], float]:
    """(req/s, latencies in ms, share of answers phrased by the model) with ``clients`` keep-alive clients."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    by_model = [0] * clients

    def send(client: httpx.Client, k: int, i: int) -> None:
        started = time.perf_counter()
        r = client.post("/api/mcp/ask", json={"shop_id": SHOPS[i % 3], "question": qs[i % len(qs)]})
        latencies[k].append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, r.text
        by_model[k] += r.json()["generator"] == "model"

    took = run_clients(url, clients, seconds, send, timeout=60)
    flat = [x for row in latencies for x in row]
    return len(flat) / took, flat, sum(by_model) / len(flat)


def serve_arm(
    work: Path, arm: str, registry: Path, version: str, env: dict[str, str], args: argparse.Namespace
) -> dict[str, float]:
    data = work / f"gen-{arm}-{time.monotonic_ns()}"
    data.mkdir(parents=True)
    models = ModelRegistry(data / "models")
    if arm != "template":
        shutil.copytree(registry / version, models.root / version)
        models.promote(version)
    backend = "pytorch" if arm == "pytorch" else "auto"
    gen = GeneratorServer(data, KafkaSettings(), 1, reload="false", backend=backend, gc_freeze="true")
    gen.wait_ready()
    ask_env = {**env, "ECOMINSIGHT_ASK_GENERATOR_URL": gen.url}
    askd = AskServer(arm, False, ask_env, data / "outbox")
    try:
        qs = questions(400)
        ask(askd.url, qs[:40])  # warm-up
        rps, lat, model_share = concurrent(askd.url, qs, args.clients, args.seconds)
        rss = psutil.Process(gen.proc.pid).memory_info().rss
        served = httpx.get(gen.url + "/model").json()
    finally:
        askd.stop()
        gen.stop()
    row = {
        "rps": rps,
        "p50": statistics.median(lat),
        "p99": percentile(lat, 99),
        "model": model_share,
        "rss_mb": rss / 2**20,
        "load": os.getloadavg()[0],  # 1-minute load average at the end of the arm: the machine is shared
    }
    print(f"  {arm:12s} {served.get('backend', '-'):20s} {rps:7.1f} req/s  p50 {row['p50']:7.1f} ms  "
          f"p99 {row['p99']:7.1f} ms  model answers {model_share:5.1%}  RSS {row['rss_mb']:.0f} MiB  "
          f"load {row['load']:.1f}", flush=True)  # fmt: skip
    return row


def span(values: list[float], fmt: str) -> str:
    return f"{min(values):{fmt}} – {max(values):{fmt}}"


def verdict(flags: list[bool]) -> str:
    return "met" if all(flags) else f"met in {sum(flags)} of {len(flags)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--examples", type=int, default=300, help="answers in the training export")
    parser.add_argument("--epochs", type=float, default=20.0)
    parser.add_argument("--smoke", action="store_true", help="seconds: 40 answers, 1 epoch, 1 run of 1 s (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.seconds, args.clients, args.examples, args.epochs = 1, 1.0, 2, 40, 1.0

    work = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    warehouse = work / "warehouse.duckdb"
    seed_warehouse(warehouse, shops=3, seed=42)
    env = {
        **os.environ,
        "ECOMINSIGHT_WAREHOUSE_PATH": str(warehouse),
        "ECOMINSIGHT_DATA_DIR": str(work),
        "ECOMINSIGHT_ASK_USE_EMBEDDING": "false",
        # one local client: no API keys, and no per-shop rate limit to cap the figures
        "ECOMINSIGHT_ASK_REQUIRE_API_KEYS": "false",
        "ECOMINSIGHT_ASK_RATE_LIMIT_PER_S": "1000000",
        "ECOMINSIGHT_ASK_RATE_LIMIT_BURST": "1000000",
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": str(ROOT),
    }
    template_ask = AskServer(
        "template", False, {**env, "ECOMINSIGHT_ASK_USE_GENERATOR": "false"}, work / "outbox"
    )
    try:
        registry, version, heldout = train(work, template_ask.url, args.examples, args.epochs)
    finally:
        template_ask.stop()

    runs: list[dict[str, dict[str, float]]] = []
    engine: list[dict[str, float]] = []
    for r in range(args.runs):
        print(f"run {r + 1} of {args.runs}", flush=True)
        runs.append({arm: serve_arm(work, arm, registry, version, env, args) for arm in ARMS})
        engine.append(compare_backends(registry / version, (heldout * 16)[:256], threads=1))

    def ratio(arm: str, key: str) -> list[float]:
        return [run[arm][key] / run["template"][key] for run in runs]

    rows = []
    for arm in ("ctranslate2", "pytorch"):
        rps, p50, rss = ratio(arm, "rps"), ratio(arm, "p50"), ratio(arm, "rss_mb")
        target = arm == "ctranslate2"
        rows += [
            f"| `/ask` req/s, model on {arm} vs template | {span(rps, '.2f')}x | "
            + (f">= 0.7x: {verdict([x >= 0.7 for x in rps])}" if target else "")
            + " |",
            f"| `/ask` p50, model on {arm} vs template | {span(p50, '.2f')}x | "
            + (f"<= 2x: {verdict([x <= 2 for x in p50])}" if target else "")
            + " |",
            f"| generator RSS, model on {arm} vs template | {span(rss, '.2f')}x | "
            + (f"<= 1.5x: {verdict([x <= 1.5 for x in rss])}" if target else "")
            + " |",
        ]
    raw = [
        "| run | arm | req/s | p50 ms | p99 ms | model answers | generator RSS MiB | load (1 min) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for i, run in enumerate(runs, start=1):
        raw += [
            f"| {i} | {arm} | {m['rps']:.1f} | {m['p50']:.1f} | {m['p99']:.1f} | {m['model']:.0%} | "
            f"{m['rss_mb']:.0f} | {m['load']:.1f} |"
            for arm, m in run.items()
        ]
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"""
`{" ".join(["python", *sys.argv])}` on {platform.machine()}, {os.cpu_count()} CPU cores shared with other
agents' work (load average {load_avg} at the end); {args.runs} runs, each: template, PyTorch, CTranslate2
in turn, {args.clients} clients x {args.seconds:g}s; word-level tiny T5 trained on {args.examples} template answers.

| figure | range over runs | target |
|---|---|---|
{chr(10).join(rows)}

{chr(10).join(raw)}

Generator alone (in-process, 1 thread, {len(heldout)} held-out prompts repeated to 256):

{backends_table(engine)}
""")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
