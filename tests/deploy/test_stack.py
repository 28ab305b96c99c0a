"""`docker compose up` for real: docs/operations.md's "docker compose" steps, run as written, in containers.

No Docker engine runs here and image registries are out of reach, so: podman (its Docker API
serves Debian's ``docker-compose``), a Debian base image made by ``deploy/podman/base-image.sh``,
torch from ``deploy/wheels/``, and ``deploy/podman/compose.tansu.yml`` in place of the Apache Kafka
service (appended to the documented ``COMPOSE_FILE``). Without systemd podman runs no health checks
by itself: a thread runs them every second. Images stay in podman's store between runs (layers
are reused; the test never relies on them being there).

The steps run in a copy of the working tree, so its ``.env`` and a build never touch the checkout.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.stack.owners import correct
from shared.results import ToolResult
from tests.helpers import wait_for

pytestmark = [pytest.mark.deploy, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
PODMAN = ROOT / "deploy" / "podman"
PROJECT = "ecominsight-deploy-test"
BASE_IMAGE = "localhost/ecominsight-base:bookworm"
TORCH = "torch==2.13.0"
SHIM = 'docker() { if [ "$1" = compose ]; then shift; docker-compose "$@"; else command docker "$@"; fi; }\n'

# Traffic the tiny model learns in a few epochs (the e2e loop's kinds), all distinct: the export
# drops duplicate questions.
KINDS = (
    "How many orders do I have?",
    "What is my total revenue?",
    "How many customers do I have?",
)
STATUSES = ("paid", "shipped", "delivered", "pending")
PERIODS = ("this year", "last month", "in the last 30 days", "this month", "last year", "in the last 7 days")


def questions() -> list[str]:
    out = [f"How many {s} orders do I have?" for s in STATUSES]
    out += [f"How many orders did I get {p}?" for p in PERIODS]
    out += [f"What is my total revenue {p}?" for p in PERIODS]
    out += [f"How many {s} orders did I get {p}?" for s in STATUSES for p in PERIODS]
    return out


def readme_steps() -> list[str]:
    """The bash blocks of docs/operations.md's "docker compose" section, dedented, in order."""
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("\n## docker compose\n", 1)[1].split("\n## ", 1)[0]
    return [textwrap.dedent(block) for block in re.findall(r"```bash\n(.*?)^\s*```", section, re.S | re.M)]


def run(cmd: list[str] | str, cwd: Path, env: dict[str, str], timeout: float = 900) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          shell=isinstance(cmd, str), executable="/bin/bash" if isinstance(cmd, str) else None)
    assert done.returncode == 0, f"{cmd!r} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def bash(script: str, cwd: Path, env: dict[str, str], timeout: float = 900) -> str:
    return run(SHIM + "set -euo pipefail\n" + script, cwd, env, timeout)


def podman_ready() -> None:
    if not all(shutil.which(t) for t in ("podman", "runc", "debootstrap", "docker-compose")):
        done = subprocess.run(["bash", str(PODMAN / "install.sh")], capture_output=True, text=True)
        if done.returncode == 3:
            pytest.skip(f"podman cannot be installed here: {done.stderr.strip()}")
        assert done.returncode == 0, done.stderr


def copy_tree(dest: Path) -> None:
    """The working tree as git sees it (tracked and untracked, not ignored), plus the torch wheel."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    wheels = ROOT / "deploy" / "wheels"
    if not list(wheels.glob("torch-*.whl")):  # the CPU wheel, from pip's local sources where it has them
        run([sys.executable, "-m", "pip", "download", TORCH, "--no-deps", "-q", "-d", str(wheels)], ROOT, dict(os.environ))
    for wheel in wheels.glob("torch-*.whl"):
        try:
            os.link(wheel, dest / "deploy" / "wheels" / wheel.name)
        except OSError:
            shutil.copy2(wheel, dest / "deploy" / "wheels" / wheel.name)


class HealthChecks(threading.Thread):
    """Runs every project container's health check each second (podman does not without systemd)."""

    def __init__(self, env: dict[str, str]):
        super().__init__(daemon=True)
        self.env = env
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            names = subprocess.run(["podman", "ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"],
                                   env=self.env, capture_output=True, text=True).stdout.split()
            checks = [subprocess.Popen(["podman", "healthcheck", "run", n], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for n in names]
            for check in checks:
                check.wait()


def states(env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(["podman", "ps", "-a", "--filter", f"label=com.docker.compose.project={PROJECT}",
                          "--format", "json"], env=env, capture_output=True, text=True).stdout
    result = {}
    for c in json.loads(out or "[]"):
        service = c.get("Labels", {}).get("com.docker.compose.service", "?")
        status = c.get("Status", "")
        result[service] = "exited0" if c.get("State") == "exited" and c.get("ExitCode") == 0 else (
            "healthy" if "(healthy)" in status else status or c.get("State", ""))
    return result


def wait_healthy(env: dict[str, str], timeout: float = 300) -> None:
    wanted = {"kafka", "logger", "generator", "trainer", "ask"}

    def done() -> bool:
        s = states(env)
        return s.get("seed") == "exited0" and all(s.get(n) == "healthy" for n in wanted)

    try:
        wait_for(done, timeout=timeout, interval=2.0, what="every service healthy")
    except Exception:
        logs = subprocess.run(["docker-compose", "logs", "--tail", "30"], env=env, capture_output=True, text=True,
                              cwd=env["PWD"])
        raise AssertionError(f"{states(env)}\n{logs.stdout[-6000:]}") from None


def ports_free() -> None:
    for port in (8000, 8002):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                pytest.fail(f"127.0.0.1:{port} is taken: the documented compose ports must be free for this test")


@pytest.fixture
def one_run_at_a_time() -> Iterator[None]:
    """One run per machine (the project name and the documented ports are fixed); the lock dies with
    its process, so leftovers found while holding it belong to a run that is gone."""
    with open("/tmp/ecominsight-deploy-test.lock", "w") as lock:
        deadline = time.monotonic() + 1200
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("another run of the deploy test held the machine for 20 minutes")
                time.sleep(5)
        yield


@pytest.fixture
def podman_env(tmp_path: Path, one_run_at_a_time: None) -> Iterator[dict[str, str]]:
    podman_ready()
    project = tmp_path / "ecominsight"
    project.mkdir()
    copy_tree(project)
    sock = tmp_path / "podman.sock"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECOMINSIGHT_", "KAFKA_", "COMPOSE_"))}
    env.update(CONTAINERS_CONF=str(project / "deploy/podman/containers.conf"), DOCKER_HOST=f"unix://{sock}",
               COMPOSE_PROJECT_NAME=PROJECT, PWD=str(project))
    service = subprocess.Popen(["podman", "system", "service", "--time=0", f"unix://{sock}"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checks = HealthChecks(env)
    try:
        wait_for(sock.exists, timeout=30, what="podman's API socket")
        # A run killed half-way leaves its containers and volumes: remove them (not the images).
        names = run(["podman", "ps", "-aq", "--filter", f"label=com.docker.compose.project={PROJECT}"], project, env).split()
        if names:
            run(["podman", "rm", "-f", *names], project, env)
        vols = run(["podman", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"],
                   project, env).split()
        if vols:
            run(["podman", "volume", "rm", "-f", *vols], project, env)
        run(["bash", str(project / "deploy/podman/base-image.sh"), BASE_IMAGE], project, env)
        checks.start()
        yield env
    finally:
        checks.stopping.set()
        subprocess.run(["docker-compose", "down", "-v", "--remove-orphans"], cwd=project, env=env,
                       capture_output=True, timeout=300)
        service.terminate()
        try:
            service.wait(10)
        except subprocess.TimeoutExpired:
            service.kill()


def test_the_readme_compose_steps_run_the_stack_in_containers(podman_env: dict[str, str]) -> None:
    env, project = podman_env, Path(podman_env["PWD"])
    ports_free()
    secrets, offline, build_up, ask, reads, train, lifecycle = readme_steps()
    timings: dict[str, float] = {}

    # 1. secrets and the offline override; the Kafka service is replaced by Tansu.
    bash(secrets + offline, project, env)
    dotenv = (project / ".env").read_text()
    assert "change-me" not in dotenv and "ECOMINSIGHT_LOGGER_ADMIN_TOKEN=" in dotenv
    (project / ".env").write_text(re.sub(r"^(COMPOSE_FILE=.*)$", r"\1:deploy/podman/compose.tansu.yml", dotenv,
                                         flags=re.M))
    tokens = dict(line.split("=", 1) for line in (project / ".env").read_text().splitlines() if "=" in line)
    read = {"Authorization": f"Bearer {tokens['ECOMINSIGHT_LOGGER_READ_TOKEN']}"}
    admin = {"Authorization": f"Bearer {tokens['ECOMINSIGHT_LOGGER_ADMIN_TOKEN']}"}

    # 2. build and start; wait for every health check.
    start = time.monotonic()
    bash(build_up.replace("docker compose up -d", ": up"), project, env, timeout=1500)
    timings["build"] = time.monotonic() - start
    start = time.monotonic()
    bash(build_up.replace("docker compose build", ": build"), project, env)
    wait_healthy(env)
    timings["up until healthy"] = time.monotonic() - start
    print(f"deploy timings (s): {timings}", flush=True)

    # 3. a key, then the documented question, then traffic with the same key.
    out = bash(ask + '\necho "__KEY__=$KEY"', project, env)
    key = out.rsplit("__KEY__=", 1)[1].strip()
    answer = json.loads(out.split("__KEY__=")[0].strip().splitlines()[-1])
    assert answer["success"] and re.search(r"\d", answer["answer"]), answer
    http = httpx.Client(base_url="http://127.0.0.1:8000", timeout=60, headers={"X-API-Key": key})
    assert http.post("/api/mcp/ask", json={"question": KINDS[0]}, headers={"X-API-Key": "eik_0_x"}).status_code == 401
    ids = [answer["query_id"]]
    answered = [answer]
    for question in questions():
        resp = http.post("/api/mcp/ask", json={"question": question})
        while resp.status_code == 429:  # the per-shop rate limit
            time.sleep(float(resp.headers.get("retry-after", "1")))
            resp = http.post("/api/mcp/ask", json={"question": question})
        assert resp.status_code == 200, resp.text
        assert resp.json()["success"], resp.json()
        ids.append(resp.json()["query_id"])
        answered.append(resp.json())
    # The owner rewords every answer in a terse house style: what a trained model must match
    # better than the template to be promoted (the trainer promotes only a measured gain).
    for body in answered:
        fix = correct("terse", ToolResult.model_validate(body["data"]))
        feedback = {"query_id": body["query_id"], "feedback": "negative", "correction": fix}
        resp = http.post("/api/mcp/feedback", json=feedback)
        while resp.status_code == 429:
            time.sleep(float(resp.headers.get("retry-after", "1")))
            resp = http.post("/api/mcp/feedback", json=feedback)
        assert resp.status_code == 202, resp.text

    # 4. every query reaches the logger: its JSONL file (in the volume) and its statistics.
    logger = httpx.Client(base_url="http://127.0.0.1:8002", timeout=30)
    assert logger.get("/stats").status_code == 401
    wait_for(lambda: logger.get("/stats", headers=read).json()["total_queries"] == len(ids), timeout=120,
             what=f"{len(ids)} queries in the logger's statistics")
    logged = run(["podman", "exec", f"{PROJECT}_logger_1", "cat", "/data/query_logs/all_queries.jsonl"], project, env)
    assert sorted(json.loads(line)["query_id"] for line in logged.splitlines()) == sorted(ids)
    assert '"total_queries"' in bash(reads, project, env)

    # 5. export -> the trainer fine-tunes the tiny model -> the generator serves the new version.
    start = time.monotonic()
    out = bash(train, project, env)
    export, _ = json.JSONDecoder().raw_decode(out.lstrip())  # curl's answer, then the trainer's log lines
    assert export.get("n_examples", 0) >= 20, out

    def served() -> str | None:
        resp = http.post("/api/mcp/ask", json={"question": KINDS[0]}).json()
        ids.append(resp["query_id"])  # every poll is a logged query too
        return resp["model_version"] if resp["generator"] == "model" else None

    version = wait_for(served, timeout=900, interval=5.0, what="the generator to serve a trained model")
    timings["export to new model served"] = time.monotonic() - start
    assert re.fullmatch(r"v\d{4}", version)

    # 6. down and up again: every volume kept its data; then down -v removes it all.
    wait_for(lambda: logger.get("/stats", headers=read).json()["total_queries"] == len(ids), timeout=120,
             what=f"all {len(ids)} queries logged before the restart")
    logged_before = len(ids)
    down, up, down_v = [line for line in lifecycle.splitlines() if line.strip()]
    start = time.monotonic()
    bash(down, project, env)
    assert not states(env)
    bash(up, project, env)
    wait_healthy(env)
    timings["restart until healthy"] = time.monotonic() - start
    assert logger.get("/stats", headers=read).json()["total_queries"] == logged_before
    assert served() == version, "the promoted model is no longer served after a restart"
    assert http.post("/api/mcp/ask", json={"question": KINDS[-1]}).json()["success"], "the key was lost"
    assert logger.post("/export", headers=admin).status_code < 500
    bash(down_v, project, env)
    assert not states(env)
    left = run(["podman", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"], project, env)
    assert left.split() == []
    print("deploy timings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
