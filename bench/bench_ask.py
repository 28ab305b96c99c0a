"""Benchmark of the ask API: /ask latency (p50/p99) and requests/s, event publishing on vs off.

Starts a local Tansu broker, seeds a warehouse, and runs two ask servers (uvicorn subprocesses on
free ports, the same settings except ``ECOMINSIGHT_ASK_PUBLISH_EVENTS``). Rounds alternate between
the two so that drift on a shared machine hits both alike. The generator is unreachable (template
answers), so what is measured is routing + SQL + phrasing + (on) the outbox and its publisher.

    .venv/bin/python -m bench.bench_ask                 # latency + throughput table
    .venv/bin/python -m bench.bench_ask --questions     # the question sets: coverage, refusals, wrong answers
    .venv/bin/python -m bench.bench_ask --baseline      # /ask p50/p99 against the eleven-family router
    .venv/bin/python -m bench.bench_ask --write bench/RESULTS_ask.md
    .venv/bin/python -m bench.bench_ask --smoke         # seconds: what CI runs
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import SHOPS, report, run_clients, seeded_ask_api  # noqa: E402
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
    def __init__(self, name: str, publish: bool, env: dict[str, str], outbox: Path, cwd: Path = ROOT):
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
            cwd=cwd,
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


# shop -> its key's headers, when the servers require keys (``--baseline --keys``); empty: no keys
AUTH: dict[str, dict[str, str]] = {}


def sequential(url: str, qs: list[str]) -> list[float]:
    """Latency of one request at a time (ms), measured by the client."""
    out = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for i, q in enumerate(qs):
            started = time.perf_counter()
            shop = SHOPS[i % 3]
            r = client.post("/api/mcp/ask", json={"shop_id": shop, "question": q}, headers=AUTH.get(shop))
            out.append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, r.text
    return out


def throughput(url: str, qs: list[str], clients: int, seconds: float) -> float:
    """Requests per second with ``clients`` concurrent keep-alive clients for ``seconds``."""
    done = [0] * clients

    def send(client: httpx.Client, k: int, i: int) -> None:
        shop = SHOPS[i % 3]
        r = client.post(
            "/api/mcp/ask", json={"shop_id": shop, "question": qs[i % len(qs)]}, headers=AUTH.get(shop)
        )
        assert r.status_code == 200
        done[k] += 1

    took = run_clients(url, clients, seconds, send)
    return sum(done) / took


# A typical answered query, as the ask service logs it.
SAMPLE_QUERY = {
    "query_id": "q", "shop_id": "10", "question": "How many orders?", "answer": "You have 1,174 orders.",
    "intent": "order_count", "tool": "count_orders", "confidence": 0.9, "success": True,
    "response_time_ms": 3.0, "prompt": "Answer this e-commerce analytics question: ...",
    "result": {"values": {"count": 1174}},
}  # fmt: skip


def outbox_append_us(directory: Path, n: int = 5000) -> tuple[float, float]:
    """What publishing adds to a request: one append to the outbox (p50, p99 in microseconds)."""
    event = QueryEvent.model_validate(SAMPLE_QUERY)
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


def server_env(warehouse: Path, data_dir: str) -> dict[str, str]:
    """An ask server over ``warehouse``: no keys, no rate limit, an unreachable generator."""
    return {
        **os.environ,
        "ECOMINSIGHT_WAREHOUSE_PATH": str(warehouse),
        "ECOMINSIGHT_DATA_DIR": data_dir,
        "ECOMINSIGHT_ASK_GENERATOR_URL": f"http://127.0.0.1:{free_port()}",
        "ECOMINSIGHT_ASK_REQUIRE_API_KEYS": "false",
        "ECOMINSIGHT_ASK_RATE_LIMIT_PER_S": "1000000",
        "ECOMINSIGHT_ASK_RATE_LIMIT_BURST": "1000000",
        "OMP_NUM_THREADS": "1",
    }


def run_questions() -> str:
    """Score the question sets through the real API (in-process) over a seeded warehouse."""
    from evaluation.questions import earlier, heldout, tuning
    from evaluation.questions.harness import run

    lines = [
        "| set | answerable | answered right | coverage | must refuse | refused | confidently wrong |",
        "|---|---|---|---|---|---|---|",
    ]
    with seeded_ask_api() as (client, truth):

        def ask(question: str) -> dict:
            return client.post("/api/mcp/ask", json={"shop_id": "10", "question": question}).json()

        for name, qs in (("tuning", tuning.QUESTIONS), ("held-out", heldout.QUESTIONS)):
            s = run(qs, ask, truth)
            lines.append(
                f"| {name} | {s.answerable} | {len(s.correct)} | {s.coverage:.1%} | {s.must_refuse} | "
                f"{len(s.refused_ok)} ({s.refusal_rate:.0%}) | {len(s.wrong)} |"
            )
        right = refused_ok = wrong = supported = unsupported = 0
        for question, tool in earlier.HELDOUT + earlier.FRESH:
            body = ask(question)
            if tool is None:
                unsupported += 1
                refused_ok += not body["success"]
                wrong += bool(body["success"])
                continue
            supported += 1
            right += body["success"] and body["intent"] in earlier.INTENTS[tool]
            wrong += body["success"] and body["intent"] not in earlier.INTENTS[tool]
        lines.append(
            f"| earlier router sets (family only) | {supported} | {right} | {right / supported:.1%} | "
            f"{unsupported} | {refused_ok} ({refused_ok / unsupported:.0%}) | {wrong} |"
        )
    return "\n".join(lines) + "\n"


BASELINE_REF = "6207cb3"  # the last commit with the eleven-family router (before the semantic layer)
UNCACHED = [
    "How many orders over ${i} last month?",
    "revenue from orders above ${i} this year",
    "How many orders under ${i}?",
    "orders between ${i} and ${j} in the last 30 days",
]


def uncached(count: int) -> list[str]:
    """Distinct questions that every version parses fully, so no cache can answer them twice."""
    return [UNCACHED[i % len(UNCACHED)].format(i=50 + i, j=500 + i) for i in range(count)]


def run_baseline(args: argparse.Namespace) -> str:
    """/ask latency of this version against the baseline commit, alternating rounds, same warehouse."""
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "baseline"
        old.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        warehouse = Path(tmp) / "warehouse.duckdb"
        seed_warehouse(warehouse, shops=3, seed=42)
        env = server_env(warehouse, tmp)
        if args.keys:  # both versions require keys (the same keys file), rate limit still off
            from services.ask.keys import KeyStore

            store = KeyStore(Path(tmp) / "api_keys.json")
            AUTH.update({shop: {"X-API-Key": store.create(shop)} for shop in SHOPS})
            env = {**env, "ECOMINSIGHT_ASK_REQUIRE_API_KEYS": "true", "ECOMINSIGHT_ASK_API_KEYS_FILE": str(store.path)}
        servers = {
            "baseline": Server("baseline", False, {**env, "PYTHONPATH": str(old)}, Path(tmp) / "o1", cwd=old),
            "now": Server("now", False, {**env, "PYTHONPATH": str(ROOT)}, Path(tmp) / "o2"),
        }
        warm, cold = questions(args.requests), uncached(args.requests * len(servers))
        lat: dict[str, dict[str, list[float]]] = {n: {"warm": [], "uncached": []} for n in servers}
        rps: dict[str, list[float]] = {n: [] for n in servers}
        try:
            for server in servers.values():
                sequential(server.url, warm[:200])
            per_round = max(1, args.requests // args.rounds)
            for r in range(args.rounds):
                order = list(servers) if r % 2 == 0 else list(reversed(servers))
                for k, name in enumerate(order):
                    lat[name]["warm"] += sequential(
                        servers[name].url, warm[r * per_round : (r + 1) * per_round]
                    )
                    offset = (2 * r + k) * per_round  # each server gets questions no one asked before
                    lat[name]["uncached"] += sequential(servers[name].url, cold[offset : offset + per_round])
                for name in order:  # throughput: concurrent keep-alive clients, alternating too
                    rps[name].append(throughput(servers[name].url, warm, args.clients, args.seconds / args.rounds))
        finally:
            for server in servers.values():
                server.stop()
    lines = [
        f"`bench/bench_ask.py --baseline {args.baseline}`: this version against the eleven-family router "
        f"(embedding + parsing, as it shipped) in the same run, {args.rounds} alternating rounds, events off, "
        "template answers.",
        "",
        "| questions | baseline p50 ms | now p50 ms | baseline p99 ms | now p99 ms | p99 now ÷ baseline |",
        "|---|---|---|---|---|---|",
    ]
    for kind in ("warm", "uncached"):
        b, n = lat["baseline"][kind], lat["now"][kind]
        lines.append(
            f"| {kind} ({len(n)}) | {statistics.median(b):.2f} | {statistics.median(n):.2f} | "
            f"{percentile(b, 99):.2f} | {percentile(n, 99):.2f} | {percentile(n, 99) / percentile(b, 99):.2f}x |"
        )
    b_rps, n_rps = statistics.mean(rps["baseline"]), statistics.mean(rps["now"])
    lines.append(
        f"\nThroughput ({args.clients} concurrent clients, {args.seconds:g} s per version, alternating): baseline "
        f"{b_rps:.0f} req/s, now {n_rps:.0f} req/s, now ÷ baseline {n_rps / b_rps:.1%}"
        f"{' (keys required, one key per shop)' if args.keys else ''}."
    )
    lines.append("\nTarget: p99 now ÷ baseline <= 2x.")
    return "\n".join(lines) + "\n"


def run_api(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory() as tmp, LocalBroker(log_file=Path(tmp) / "tansu.log") as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        ensure_topics(kafka)
        warehouse = Path(tmp) / "warehouse.duckdb"
        seed_warehouse(warehouse, shops=3, seed=42)
        env = {
            **server_env(warehouse, tmp),
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
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
        f"{platform.python_version()}; semantic layer; "
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
    parser.add_argument("--questions", action="store_true", help="only score the question sets")
    parser.add_argument(
        "--baseline",
        nargs="?",
        const=BASELINE_REF,
        help="compare /ask latency with this git ref (default: %(const)s)",
    )
    parser.add_argument("--write", type=Path, help="also write the results (markdown) to this file")
    parser.add_argument(
        "--keys", action="store_true", help="with --baseline: both servers require API keys (one per shop)"
    )
    parser.add_argument("--smoke", action="store_true", help="seconds: 20 requests, 1 round, 2 clients (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.requests, args.rounds, args.clients, args.seconds = 20, 1, 2, 1.0
    text = run_questions() if args.questions else run_baseline(args) if args.baseline else run_api(args)
    return report(text, args.write)


if __name__ == "__main__":
    raise SystemExit(main())
