"""Benchmark of the ask API: /ask latency (p50/p99) and requests/s, event publishing on vs off.

Starts a local Tansu broker, seeds a warehouse, and runs two ask servers (uvicorn subprocesses on
free ports, the same settings except ``ECOMINSIGHT_ASK_PUBLISH_EVENTS``). Rounds alternate between
the two so that drift on a shared machine hits both alike. The generator is unreachable (template
answers), so what is measured is routing + SQL + phrasing + (on) the outbox and its publisher.

    .venv/bin/python -m bench.bench_ask                 # latency + throughput table
    .venv/bin/python -m bench.bench_ask --router        # router accuracy on the held-out phrasings
    .venv/bin/python -m bench.bench_ask --write bench/RESULTS_ask.md
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.ask.outbox import Outbox  # noqa: E402
from services.ask.seed import seed_warehouse  # noqa: E402
from shared.broker import LocalBroker, free_port, wait_for_port  # noqa: E402
from shared.events import QueryEvent  # noqa: E402
from shared.kafka import ensure_topics  # noqa: E402
from shared.settings import KafkaSettings  # noqa: E402

QUESTIONS = [
    "How many orders do I have?",
    "How many orders did I get {period}?",
    "How many cancelled orders {period}?",
    "What was my revenue {period}?",
    "What's my average order value {period}?",
    "Who are my top {n} customers?",
    "How many orders over ${amount} {period}?",
    "List orders under ${small}",
    "Top {n} products by revenue {period}",
    "Which products sold the most units {period}?",
    "How many customers do I have?",
    "How many new customers {period}?",
    "Show revenue by month",
    "Order status breakdown {period}",
    "What was my best month?",
    "Which day had the highest revenue {period}?",
    "What's the weather like?",
]
PERIODS = [
    "last month",
    "this month",
    "this year",
    "in the last 30 days",
    "last week",
    "in March",
    "yesterday",
]


def questions(count: int) -> list[str]:
    out = []
    for i in range(count):
        template = QUESTIONS[i % len(QUESTIONS)]
        out.append(
            template.format(
                period=PERIODS[(i // len(QUESTIONS)) % len(PERIODS)],
                n=3 + i % 5,
                amount=100 * (1 + i % 9),
                small=10 + i % 20,
            )
        )
    return out


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live children, from /proc (Linux)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            total += cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Server:
    def __init__(self, name: str, publish: bool, env: dict[str, str], outbox: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **env,
            "ECOMINSIGHT_ASK_PUBLISH_EVENTS": str(publish).lower(),
            "ECOMINSIGHT_OUTBOX_DIR": str(outbox),
        }
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "services.ask.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for_port("127.0.0.1", self.port, timeout=120)
        with httpx.Client(base_url=self.url, timeout=30) as client:
            for _ in range(600):
                if client.get("/health").status_code == 200:
                    break
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def sequential(url: str, qs: list[str]) -> list[float]:
    """Latency of one request at a time (ms), measured by the client."""
    out = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for i, q in enumerate(qs):
            started = time.perf_counter()
            r = client.post("/api/mcp/ask", json={"shop_id": ("10", "11", "12")[i % 3], "question": q})
            out.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, r.text
    return out


def throughput(url: str, qs: list[str], clients: int, seconds: float) -> float:
    """Requests per second with ``clients`` concurrent keep-alive clients for ``seconds``."""
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            i = k
            while time.perf_counter() < stop:
                r = client.post(
                    "/api/mcp/ask", json={"shop_id": ("10", "11", "12")[i % 3], "question": qs[i % len(qs)]}
                )
                assert r.status_code == 200
                done[k] += 1
                i += clients

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def outbox_append_us(directory: Path, n: int = 5000) -> tuple[float, float]:
    """What publishing adds to a request: one append to the outbox (p50, p99 in microseconds)."""
    event = QueryEvent(
        query_id="q",
        shop_id="10",
        question="How many orders?",
        answer="You have 1,174 orders.",
        intent="order_count",
        tool="count_orders",
        confidence=0.9,
        success=True,
        response_time_ms=3.0,
        prompt="Answer this e-commerce analytics question: ...",
        result={"values": {"count": 1174}},
    )
    outbox = Outbox(directory, fsync="interval")
    took = []
    try:
        for _ in range(n):
            started = time.perf_counter()
            outbox.append("bench", event, "10")
            took.append((time.perf_counter() - started) * 1e6)
    finally:
        outbox.close()
    return statistics.median(took), percentile(took, 99)


def run_router() -> str:
    import torch

    from services.ask.router import Router, load_embedder
    from tests.ask.heldout import FRESH, HELDOUT

    torch.set_num_threads(1)
    embedded, rules = Router(load_embedder()), Router()
    lines = [
        "| phrasing set | embedding + parsing (served) | parsing only | nearest exemplar alone (supported) |",
        "|---|---|---|---|",
    ]
    for name, phrasings in (("held-out", HELDOUT), ("fresh", FRESH)):
        supported = [(q, t) for q, t in phrasings if t is not None]
        combined = sum(embedded.route(q).tool == t for q, t in phrasings)
        parsing = sum(rules.route(q).tool == t for q, t in phrasings)
        nearest = sum(embedded.embedding_only(q) == t for q, t in supported)
        lines.append(
            f"| {name} ({len(phrasings)}) | {combined}/{len(phrasings)} ({combined / len(phrasings):.0%}) | "
            f"{parsing}/{len(phrasings)} ({parsing / len(phrasings):.0%}) | "
            f"{nearest}/{len(supported)} ({nearest / len(supported):.0%}) |"
        )
    started = time.perf_counter()
    for i, (q, _) in enumerate(HELDOUT):
        embedded.route(f"{q} #{i}")  # uncached
    per_query = (time.perf_counter() - started) / len(HELDOUT) * 1000
    return (
        "\n".join(lines)
        + f"\n\nRouting with the embedding: {per_query:.1f} ms per uncached question (1 torch thread).\n"
    )


def run_api(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(log_file=Path(tmp) / "tansu.log") as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        ensure_topics(kafka)
        warehouse = Path(tmp) / "warehouse.duckdb"
        seed_warehouse(warehouse, shops=3, seed=42)
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "ECOMINSIGHT_WAREHOUSE_PATH": str(warehouse),
            "ECOMINSIGHT_DATA_DIR": tmp,
            "ECOMINSIGHT_ASK_GENERATOR_URL": f"http://127.0.0.1:{free_port()}",
            "ECOMINSIGHT_ASK_USE_EMBEDDING": str(args.embedding).lower(),
            "OMP_NUM_THREADS": "1",
            "PYTHONPATH": str(ROOT),
        }
        servers = {
            "off": Server("off", False, env, Path(tmp) / "outbox-off"),
            "on": Server("on", True, env, Path(tmp) / "outbox-on"),
        }
        try:
            qs = questions(args.requests)
            for server in servers.values():  # warm-up: caches, first-query costs
                sequential(server.url, qs[:200])
            lat: dict[str, list[float]] = {"off": [], "on": []}
            rps: dict[str, list[float]] = {"off": [], "on": []}
            cpu: dict[str, float] = {"off": 0.0, "on": 0.0}
            assert broker._proc is not None
            per_round = max(1, args.requests // args.rounds)
            for r in range(args.rounds):
                order = ("off", "on") if r % 2 == 0 else ("on", "off")
                for name in order:
                    pids = [servers[name].proc.pid, broker._proc.pid]
                    before = sum(cpu_seconds(p) for p in pids)
                    lat[name] += sequential(servers[name].url, qs[r * per_round : (r + 1) * per_round])
                    time.sleep(0.3)  # the publisher sends its last chunk
                    cpu[name] += sum(cpu_seconds(p) for p in pids) - before
                for name in order:
                    rps[name].append(
                        throughput(servers[name].url, qs, args.clients, args.seconds / args.rounds)
                    )
            time.sleep(2)
            with httpx.Client(base_url=servers["on"].url) as client:
                events = client.get("/health").json()["events"]
        finally:
            for server in servers.values():
                server.stop()
        append_p50, append_p99 = outbox_append_us(Path(tmp) / "append-bench")

    def row(name: str) -> tuple[float, float, float]:
        return statistics.median(lat[name]), percentile(lat[name], 99), statistics.mean(rps[name])

    off, on = row("off"), row("on")
    cpu_off, cpu_on = (cpu[n] / len(lat[n]) * 1000 for n in ("off", "on"))
    total_requests = len(lat["on"]) + 200
    lines = [
        f"`bench/bench_ask.py` on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; router: {'embedding + parsing' if args.embedding else 'parsing only'}; "
        f"generator unreachable (template answers); {args.rounds} alternating rounds.",
        "",
        "| events | p50 ms | p99 ms | req/s |",
        "|---|---|---|---|",
        f"| off | {off[0]:.2f} | {off[1]:.2f} | {off[2]:.0f} |",
        f"| on (outbox + publisher to Tansu) | {on[0]:.2f} | {on[1]:.2f} | {on[2]:.0f} |",
        f"| on - off / on ÷ off | {on[0] - off[0]:+.2f} ms | {on[1] - off[1]:+.2f} ms | {on[2] / off[2]:.1%} |",
        "",
        f"CPU per request (server, its publisher process and the broker; sequential phase): off {cpu_off:.2f} ms, "
        f"on {cpu_on:.2f} ms ({cpu_on - cpu_off:+.2f} ms, {cpu_off / cpu_on:.1%} of the 'off' throughput on a "
        "CPU-bound machine).",
        "",
        f"Latency: {len(lat['on'])} sequential requests per setting (client-measured). Throughput: {args.clients} "
        f"concurrent clients, {args.seconds:g} s per setting. Targets: publishing adds <= 1 ms at p99 and keeps >= 90% "
        f"of throughput. One outbox append (the only publishing work on the request path): p50 {append_p50:.1f} µs, "
        f"p99 {append_p99:.1f} µs. Events the 'on' server had acknowledged by the broker at the end: "
        f"{events['published']} (of at least {total_requests} latency requests plus the throughput runs), "
        f"delivery failures {events['failures']}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests per setting")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--seconds", type=float, default=12.0, help="throughput seconds per setting (all rounds)"
    )
    parser.add_argument("--no-embedding", dest="embedding", action="store_false")
    parser.add_argument("--router", action="store_true", help="only measure router accuracy")
    parser.add_argument("--write", type=Path, help="also write the results (markdown) to this file")
    args = parser.parse_args()
    text = run_router() if args.router else run_api(args)
    print(text)
    if args.write:
        args.write.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
