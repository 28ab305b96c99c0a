"""Generator benchmark: dynamic batching and hot-reload latency, over real HTTP.

    .venv/bin/python bench/bench_generator.py [--threads 1] [--requests 400] [--swaps 10]
    .venv/bin/python bench/bench_generator.py --smoke    # seconds: what CI runs

Trains the tiny byte-level T5 used by the tests (a few seconds), puts 1 + ``--swaps`` copies of
it in a fresh registry, starts a Tansu broker, and runs ``python -m services.generator`` as a
separate process (so the client's threads do not share its interpreter). Then:

1. requests/s and p50/p99 latency at concurrency 1 and 16, with batching on
   (``batch_max_size=16``, ``batch_wait_ms=5``) and off (``batch_max_size=1``), same run;
2. p99 at concurrency 16 while ``--swaps`` ModelReady events swap versions (each one waited for
   until answers come from it), against the p99 of the requests between swaps.

``--backends`` measures only the generator's engine in this process: CTranslate2 (int8) vs
PyTorch at batch 1 and 16 on the same prompts, and how often int8 and float32 CTranslate2 give
PyTorch's greedy output (``compare_backends``; ``bench_serving.py`` runs it on the word-level model).
``--backends --isa AVX2,AVX512`` runs that comparison once per run in a child process per
instruction set (``CT2_FORCE_CPU_ISA``, which CTranslate2 reads once per process), on the same
model and prompts, alternating which goes first, and prints CTranslate2's seconds per batch under
each and their ratio (``shared/ct2.py`` asks for AVX-512 where the CPU has it).

Figures go to stdout and ``bench/RESULTS_generator.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evaluation.exports import make_result  # noqa: E402
from evaluation.phrasers import QUESTIONS, add_version, train_tiny_phraser  # noqa: E402
from services.generator.cli import model_ready  # noqa: E402
from services.generator.engine import ServingModel, load_version  # noqa: E402
from services.generator.settings import Runtime  # noqa: E402
from shared.broker import LocalBroker, free_port  # noqa: E402
from shared.ct2 import SUB_BATCH_TOKENS, convert  # noqa: E402
from shared.kafka import EventProducer, ensure_topics  # noqa: E402
from shared.modeling import count_parameters, load_seq2seq  # noqa: E402
from shared.prompt import build_prompt  # noqa: E402
from shared.registry import ModelRegistry  # noqa: E402
from shared.results import ToolResult  # noqa: E402
from shared.settings import KafkaSettings  # noqa: E402


@dataclass
class Run:
    name: str
    concurrency: int
    latencies_ms: list[float]
    seconds: float
    failures: int
    answered_by: list[str]  # "model" | "template", per request
    spans: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered), perf_counter

    @property
    def generators(self) -> dict[str, int]:
        return {kind: self.answered_by.count(kind) for kind in sorted(set(self.answered_by))}

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(round(q * (len(data) - 1))))]

    def row(self) -> str:
        gens = ", ".join(f"{k} {v}" for k, v in sorted(self.generators.items()))
        return (
            f"| {self.name} | {self.concurrency} | {len(self.latencies_ms)} | {self.rps:.1f} | "
            f"{self.pct(0.5):.1f} | {self.pct(0.99):.1f} | {self.failures} | {gens} |"
        )


def payload(i: int) -> dict:
    tool = sorted(QUESTIONS)[i % len(QUESTIONS)]
    result = ToolResult(tool=tool, values={"count": 1000 + 37 * i})
    return {"question": QUESTIONS[tool][i % 3], "result": result.model_dump()}


async def load(
    url: str,
    concurrency: int,
    requests: int | None = None,
    until: asyncio.Event | None = None,
    name: str = "",
    seen: set[str] | None = None,
) -> Run:
    """``concurrency`` clients sending back to back: ``requests`` in all, or until ``until`` is set."""
    latencies: list[float] = []
    spans: list[tuple[float, float]] = []
    answered_by: list[str] = []
    failures = 0
    counter = iter(range(10**9))

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal failures
        while True:
            i = next(counter)
            if requests is not None and i >= requests:
                return
            if until is not None and until.is_set():
                return
            started = time.perf_counter()
            try:
                r = await http.post("/generate", json=payload(i))
                r.raise_for_status()
                body = r.json()
            except httpx.HTTPError:
                failures += 1
                continue
            answered = time.perf_counter()
            latencies.append((answered - started) * 1000)
            spans.append((started, answered))
            answered_by.append(body["generator"])
            if seen is not None:
                seen.add(body["model_version"])

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        for i in range(min(concurrency, 8)):  # warm-up, not measured
            await http.post("/generate", json=payload(i))
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    return Run(name, concurrency, latencies, seconds, failures, answered_by, spans)


class Server:
    """``python -m services.generator`` in a subprocess with the given settings."""

    def __init__(self, data_dir: Path, kafka: KafkaSettings, threads: int, **settings: object):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            {
                "ECOMINSIGHT_DATA_DIR": str(data_dir),
                "ECOMINSIGHT_GENERATOR_PORT": str(self.port),
                "ECOMINSIGHT_GENERATOR_TORCH_THREADS": str(threads),
                "ECOMINSIGHT_GENERATOR_MODEL": str(data_dir / "no-base-model"),
                "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
                "KAFKA_TOPIC_MODELS": kafka.topic_models,
                "KAFKA_TOPIC_TRAINING": kafka.topic_training,
                "KAFKA_SESSION_TIMEOUT_MS": "2000",
                "KAFKA_HEARTBEAT_INTERVAL_MS": "500",
                "OMP_NUM_THREADS": str(threads),
            }
        )
        env.update({f"ECOMINSIGHT_GENERATOR_{k.upper()}": str(v) for k, v in settings.items()})
        self.log = open(data_dir / f"generator-{self.port}.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "services.generator"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, reloader: bool = False) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                health = httpx.get(self.url + "/health", timeout=2).json()
                if not reloader or health["reloader"] == "ready":
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"generator on {self.url} did not become ready; see {self.log.name}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


async def swap_run(
    url: str, kafka: KafkaSettings, registry: ModelRegistry, versions: list[str], pause_s: float = 1.0
) -> tuple[Run, Run, float]:
    """Load at concurrency 16 for the whole run while, every ``pause_s``, the next version is
    promoted and announced. Requests that overlap a swap (from publishing the event until the
    first answer from the new version) are the "during swaps" run, the others the "steady" one:
    interleaved in time, so both see the same machine. Also returns the mean swap time."""
    done = asyncio.Event()
    windows: list[tuple[float, float]] = []
    seen: set[str] = set()

    async def swapper() -> None:
        # The swap is seen from the answers themselves (their model_version): no extra polling.
        with EventProducer(kafka) as producer:
            await asyncio.sleep(pause_s)
            for version in versions:
                meta = registry.promote(version)
                started = time.perf_counter()
                await asyncio.to_thread(
                    producer.publish_sync, kafka.topic_models, model_ready(registry, meta)
                )
                while version not in seen:
                    await asyncio.sleep(0.005)
                windows.append((started, time.perf_counter()))
                await asyncio.sleep(pause_s)
        done.set()

    task = asyncio.create_task(swapper())
    run = await load(url, 16, until=done, name="", seen=seen)
    await task

    def overlaps(span: tuple[float, float]) -> bool:
        return any(span[0] < end and span[1] > start for start, end in windows)

    during = [i for i, span in enumerate(run.spans) if overlaps(span)]
    steady = [i for i, span in enumerate(run.spans) if not overlaps(span)]
    swap_s = sum(end - start for start, end in windows)

    def part(name: str, idx: list[int], seconds: float) -> Run:
        pick = (
            [run.latencies_ms[i] for i in idx],
            [run.answered_by[i] for i in idx],
            [run.spans[i] for i in idx],
        )
        return Run(name, 16, pick[0], seconds, 0, pick[1], pick[2])

    steady_run = part("batched, steady (between swaps)", steady, run.seconds - swap_s)
    during_run = part("batched, during swaps", during, swap_s)
    during_run.failures = run.failures  # all failures counted against swapping, to be strict
    return steady_run, during_run, swap_s / max(1, len(windows))


def _length_split(serving: ServingModel, prompts: list[str], max_new: int) -> list[str]:
    """PyTorch on a mixed batch the way CTranslate2 runs it (``shared.ct2.Ct2Model.generate``):
    prompts sorted by length and decoded in sub-batches of at most ``SUB_BATCH_TOKENS`` padded
    source tokens, outputs in the given order. A batch holding one 512-token list prompt is
    otherwise padded to 512 for all its rows; the comparison must not credit CTranslate2 with
    what length bucketing alone gains, so PyTorch gets the same bucketing."""
    lengths = [len(row) for row in serving.tokenizer(prompts, truncation=True, max_length=512)["input_ids"]]
    chunks: list[list[int]] = [[]]
    for i in sorted(range(len(prompts)), key=lengths.__getitem__):
        if chunks[-1] and lengths[i] * (len(chunks[-1]) + 1) > SUB_BATCH_TOKENS:
            chunks.append([])
        chunks[-1].append(i)
    out = [""] * len(prompts)
    for chunk in chunks:
        for i, text in zip(chunk, serving.generate([prompts[i] for i in chunk], max_new, 512), strict=True):
            out[i] = text
    return out


def _seconds_per_batch(run: Callable[[list[str]], list[str]], prompts: list[str], size: int) -> float:
    batches = [prompts[i : i + size] for i in range(0, len(prompts) - size + 1, size)]
    run(batches[0])  # warm-up
    started = time.perf_counter()
    for batch in batches:
        run(batch)
    return (time.perf_counter() - started) / len(batches)


def compare_backends(
    folder: Path, prompts: list[str], threads: int = 1, max_new: int = 64
) -> dict[str, float]:
    """CTranslate2 int8 vs PyTorch on ``folder`` (which has a CTranslate2 copy): seconds per
    batch at batch 1 (32 prompts) and 16 (all of ``prompts``), speed-ups, and the share of
    ``prompts`` where int8 / float32 CTranslate2 give PyTorch's greedy output.

    Both run greedy with the same ``max_new`` and ``threads``. At batch 16 PyTorch is timed as
    one ``generate`` call and length-bucketed (``_length_split``); the faster of the two is the
    baseline of the speed-up (``speedup_b16``), the plain batch's is reported beside it."""
    torch.set_num_threads(threads)
    slow = load_version("pytorch", folder, Runtime(backend="pytorch", threads=threads))
    fast = load_version("int8", folder, Runtime(threads=threads))
    exact = load_version("float32", folder, Runtime(compute_type="float32", threads=threads))

    def plain(serving: ServingModel) -> Callable[[list[str]], list[str]]:
        return lambda batch: serving.generate(batch, max_new, 512)

    out: dict[str, float] = {}
    for size, subset in ((1, prompts[:32]), (16, prompts)):
        out[f"pytorch_plain_s_b{size}"] = _seconds_per_batch(plain(slow), subset, size)
        best = out[f"pytorch_plain_s_b{size}"]
        if size > 1:
            split = _seconds_per_batch(lambda batch: _length_split(slow, batch, max_new), subset, size)
            out[f"pytorch_split_s_b{size}"] = split
            best = min(best, split)
        out[f"pytorch_s_b{size}"] = best
        out[f"ct2_s_b{size}"] = _seconds_per_batch(plain(fast), subset, size)
        out[f"speedup_b{size}"] = best / out[f"ct2_s_b{size}"]
        out[f"speedup_plain_b{size}"] = out[f"pytorch_plain_s_b{size}"] / out[f"ct2_s_b{size}"]
    want = [o for i in range(0, len(prompts), 16) for o in slow.generate(prompts[i : i + 16], max_new, 512)]
    bucketed = [
        o for i in range(0, len(prompts), 16) for o in _length_split(slow, prompts[i : i + 16], max_new)
    ]
    out["pytorch_split_agree"] = sum(a == b for a, b in zip(want, bucketed, strict=True)) / len(prompts)
    for name, serving in (("int8", fast), ("float32", exact)):
        got = [
            o for i in range(0, len(prompts), 16) for o in serving.generate(prompts[i : i + 16], max_new, 512)
        ]
        out[f"{name}_agree"] = sum(a == b for a, b in zip(want, got, strict=True)) / len(prompts)
    for serving in (slow, fast, exact):
        serving.unload()
    out["load"] = os.getloadavg()[0]  # 1-minute load average at the end: the machine is shared
    return out


def backends_table(results: list[dict[str, float]]) -> str:
    """One row per figure: its range over the runs."""

    def span(key: str, fmt: str) -> str:
        values = [r[key] for r in results]
        return f"{min(values):{fmt}} – {max(values):{fmt}}" if len(values) > 1 else f"{values[0]:{fmt}}"

    met = {b: sum(r[f"speedup_b{b}"] >= 5 for r in results) for b in (1, 16)}
    verdict = {b: "met" if met[b] == len(results) else f"met in {met[b]} of {len(results)}" for b in met}
    return "\n".join(
        [
            "| figure | range over runs | target |",
            "|---|---|---|",
            f"| batch 1: PyTorch / CTranslate2 int8, seconds per batch | "
            f"{span('pytorch_s_b1', '.4f')} s / {span('ct2_s_b1', '.4f')} s | |",
            f"| batch 16: PyTorch one batch / length-bucketed / CTranslate2 int8, seconds per batch | "
            f"{span('pytorch_plain_s_b16', '.4f')} s / {span('pytorch_split_s_b16', '.4f')} s / "
            f"{span('ct2_s_b16', '.4f')} s | |",
            f"| batch 1: CTranslate2 int8 speed-up | {span('speedup_b1', '.1f')}x | >= 5x: {verdict[1]} |",
            f"| batch 16: CTranslate2 int8 speed-up over PyTorch's faster batch path "
            f"| {span('speedup_b16', '.1f')}x | >= 5x: {verdict[16]} |",
            f"| batch 16: CTranslate2 int8 speed-up over PyTorch as one batch | "
            f"{span('speedup_plain_b16', '.1f')}x | (reported) |",
            f"| greedy output equal to PyTorch, CTranslate2 float32 | {span('float32_agree', '.1%')} | 100% |",
            f"| greedy output equal to PyTorch, CTranslate2 int8 | {span('int8_agree', '.1%')} | (reported) |",
            f"| greedy output equal to PyTorch as one batch, PyTorch length-bucketed | "
            f"{span('pytorch_split_agree', '.1%')} | (reported) |",
            f"| load average (1 min) at the end of a run | {span('load', '.1f')} | |",
        ]
    )


def backend_prompts() -> list[str]:
    return [build_prompt(*make_result(random.Random(i))) for i in range(256)]


def isa_table(by_isa: dict[str, list[dict[str, float]]]) -> str:
    """CTranslate2's seconds per batch under each instruction set, and the first one's over the
    others' (> 1: the other is faster), per run, as ranges."""
    first, *others = by_isa
    lines = ["| figure | range over runs |", "|---|---|"]
    for size in (1, 16):
        key = f"ct2_s_b{size}"
        for isa, results in by_isa.items():
            values = [r[key] for r in results]
            lines.append(
                f"| batch {size}: CTranslate2 int8 with {isa}, seconds per batch | {min(values):.4f} – {max(values):.4f} s |"
            )
        for isa in others:
            ratios = [a[key] / b[key] for a, b in zip(by_isa[first], by_isa[isa], strict=True)]
            lines.append(
                f"| batch {size}: {first} / {isa} time, same run | {min(ratios):.2f} – {max(ratios):.2f}x |"
            )
    loads = [r["load"] for results in by_isa.values() for r in results]
    lines.append(f"| load average (1 min) at the end of a comparison | {min(loads):.1f} – {max(loads):.1f} |")
    return "\n".join(lines)


def run_isas(args: argparse.Namespace, model_dir: Path) -> int:
    isas = [isa.strip().upper() for isa in args.isa.split(",") if isa.strip()]
    by_isa: dict[str, list[dict[str, float]]] = {isa: [] for isa in isas}
    for run in range(args.runs):
        order = isas if run % 2 == 0 else isas[::-1]
        for isa in order:
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--backends",
                    "--model-dir",
                    str(model_dir),
                    "--json",
                    "--runs",
                    "1",
                    "--threads",
                    str(args.threads),
                ],
                env={**os.environ, "CT2_FORCE_CPU_ISA": isa},
                capture_output=True,
                text=True,
                check=True,
            )
            by_isa[isa].append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(
                f"run {run + 1} of {args.runs}, {isa}: CTranslate2 int8 batch 16 "
                f"{by_isa[isa][-1]['ct2_s_b16']:.4f} s",
                flush=True,
            )
    for isa, results in by_isa.items():
        print(f"\nCT2_FORCE_CPU_ISA={isa}, byte-level tiny T5, {args.threads} thread(s), {args.runs} runs")
        print(backends_table(results))
    print()
    print(isa_table(by_isa))
    return 0


def run_backends(args: argparse.Namespace) -> int:
    model_dir = args.model_dir
    if model_dir is None:
        work = Path(tempfile.mkdtemp(prefix="bench-backends-"))
        model_dir = convert(train_tiny_phraser(work / "trained", steps=args.steps)).parent
    if args.isa:
        return run_isas(args, model_dir)
    prompts = backend_prompts()
    results = [compare_backends(model_dir, prompts, args.threads) for _ in range(args.runs)]
    if args.json:
        for result in results:
            print(json.dumps(result))
        return 0
    print(f"byte-level tiny T5, {args.threads} thread(s), {args.runs} runs, {len(prompts)} prompts")
    print(backends_table(results))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads in the generator")
    parser.add_argument("--requests", type=int, default=400, help="requests per concurrency-16 run")
    parser.add_argument("--swaps", type=int, default=10)
    parser.add_argument("--steps", type=int, default=200, help="training steps for the tiny model")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS_generator.md")
    parser.add_argument("--backends", action="store_true", help="only CTranslate2 vs PyTorch, in-process")
    parser.add_argument("--runs", type=int, default=3, help="repeats of --backends")
    parser.add_argument("--isa", default="", help="with --backends: e.g. AVX2,AVX512, one child each")
    parser.add_argument("--model-dir", type=Path, help="with --backends: a converted model to reuse")
    parser.add_argument("--json", action="store_true", help="with --backends: one JSON line per run")
    parser.add_argument("--smoke", action="store_true", help="seconds: 5 steps, 16 requests, 1 swap (CI)")
    args = parser.parse_args()
    if args.smoke:  # the results go to a temporary file, not the committed one
        args.steps, args.requests, args.swaps, args.runs = 5, 16, 1, 1
        args.out = Path(tempfile.mkdtemp(prefix="bench-generator-smoke-")) / "RESULTS_generator.md"
    torch.set_num_threads(args.threads)
    if args.backends:
        return run_backends(args)

    work = Path(tempfile.mkdtemp(prefix="bench-generator-"))
    t0 = time.perf_counter()
    model_dir = train_tiny_phraser(work / "trained", steps=args.steps)
    train_s = time.perf_counter() - t0
    n_params = count_parameters(load_seq2seq(model_dir)[1])
    print(f"trained the tiny T5 ({n_params:,} parameters) in {train_s:.1f}s", flush=True)

    runs: list[Run] = []
    with LocalBroker(log_file=work / "tansu.log") as broker:
        kafka = KafkaSettings(
            bootstrap_servers=broker.bootstrap_servers,
            topic_models="bench.models",
            topic_training="bench.training",
        )
        ensure_topics(kafka, [kafka.topic_models, kafka.topic_training])
        # Both servers run side by side and are measured in turn, so machine noise hits both alike.
        servers = {}
        for mode, size in (("batched", 16), ("one-by-one", 1)):
            data = work / mode
            add_version(ModelRegistry(data / "models"), model_dir, promote=True)
            servers[mode] = Server(
                data, kafka, args.threads, batch_max_size=size, batch_wait_ms=5, reload="false"
            )
        try:
            for server in servers.values():
                server.wait_ready()
            for c, n in ((1, max(50, args.requests // 4)), (16, args.requests)):
                for mode, server in servers.items():
                    run = asyncio.run(load(server.url, c, requests=n, name=mode))
                    print(run.row(), flush=True)
                    runs.append(run)
        finally:
            for server in servers.values():
                server.stop()

        data = work / "swaps"
        registry = ModelRegistry(data / "models")
        versions = [add_version(registry, model_dir, promote=(i == 0)) for i in range(args.swaps + 1)]
        server = Server(data, kafka, args.threads, batch_max_size=16, batch_wait_ms=5, reload="true")
        try:
            server.wait_ready(reloader=True)
            steady, swapping, mean_swap_s = asyncio.run(swap_run(server.url, kafka, registry, versions[1:]))
            print(steady.row(), flush=True)
            print(swapping.row(), flush=True)
            final = httpx.get(server.url + "/model").json()
        finally:
            server.stop()

    by = {(r.name, r.concurrency): r for r in runs}
    ratio16 = by[("batched", 16)].rps / by[("one-by-one", 16)].rps
    ratio1 = by[("batched", 1)].rps / by[("one-by-one", 1)].rps
    swap_ratio = swapping.pct(0.99) / steady.pct(0.99)
    failures = sum(r.failures for r in [*runs, steady, swapping])
    header = (
        "| run | concurrency | requests | req/s | p50 ms | p99 ms | failed | answered by |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = f"""# Generator benchmark

`{" ".join(["python", *sys.argv])}` on {platform.machine()} / {os.cpu_count()} CPU cores
(shared with other work: load average {load_avg} at the end), torch {torch.__version__}, {args.threads} torch thread(s) in the generator,
CPU. Model: the tests' tiny byte-level T5 ({n_params:,} parameters) trained {args.steps} steps
({train_s:.0f}s) to answer with placeholders. Each server is `python -m services.generator`
in its own process; the client is one asyncio process over HTTP (keep-alive).

{header}
{chr(10).join(r.row() for r in runs)}
{steady.row()}
{swapping.row()}

* Dynamic batching vs one-by-one, same run: **{ratio16:.2f}x** requests/s at concurrency 16
  ({by[("batched", 16)].rps:.1f} vs {by[("one-by-one", 16)].rps:.1f}); at concurrency 1, where
  nothing can share a batch (and the batcher skips its wait window): {ratio1:.2f}x.
* Hot reload: {args.swaps} ModelReady swaps under concurrency 16, one a second (each: event
  delivered, new version loaded beside the old one, checked, swapped in, old one unloaded;
  {mean_swap_s * 1000:.0f} ms on average from publishing to the first answer from it). Requests overlapping a
  swap: p99 {swapping.pct(0.99):.1f} ms; requests between swaps (same server, same minute): p99
  {steady.pct(0.99):.1f} ms; ratio **{swap_ratio:.2f}x** (target <= 1.5x).
  {swapping.failures} failed requests; ended on {final["version"]}.
* Failed requests over all runs: {failures}.

Notes

* These are 2 shared cores: run the script more than once and read the spread, not one figure.
* What keeps swaps cheap for serving: no `gc.collect()` when the old model is released, `gc.freeze()`
  after start-up, the reloader thread at nice 10, and its check prompts run one at a time
  with 50 ms pauses; the swap itself (event to serving) is the mean swap time above.
"""
    args.out.write_text(text)
    print(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
