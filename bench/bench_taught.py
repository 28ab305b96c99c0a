"""Taught words on new questions: do the words reviewers taught answer questions no label held?

From an empty data folder: `ecominsight up`, then the demo's simulated owners ask in their own
words ("Umsatz last month", "new punters this year", "top 5 punters by spending"), which are
refused; the simulated reviewer labels them from the review queue; the ask service learns its
lexicon behind its gate. Then each question of ``services/stack/taught.py`` (another metric,
filter, period, grouping or ranking with a taught word; never asked, never labelled) is read with
``/api/mcp/understand`` and compared with the reading of its plain rephrasing: correct, refused or
wrong. The labelled questions never count. No training: this takes about a minute.

    .venv/bin/python bench/bench_taught.py [--data-dir DIR] [--questions N]
    .venv/bin/python bench/bench_taught.py --smoke     # CI: it runs; the score does not decide the exit

Prints a row per question, a table per shop and a summary line; exit 0 when at least 80% of the
new questions are read right and none wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.stack.demo import Demo  # noqa: E402
from services.stack.settings import Settings as StackSettings  # noqa: E402
from services.stack.taught import TAUGHT_NEW, TaughtScore  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def start_stack(data_dir: Path, timeout_s: float = 240.0) -> subprocess.Popen[bytes]:
    log = open(data_dir.parent / f"{data_dir.name}.up.log", "wb")  # noqa: SIM115 (lives with the process)
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/ecominsight"), "up", "--data-dir", str(data_dir)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(1.0)
        if proc.poll() is not None:
            raise SystemExit(f"`ecominsight up` exited with {proc.returncode}: see {log.name}")
        if b"EcomInsight is up" in Path(log.name).read_bytes():
            return proc
    stop_stack(proc)
    raise SystemExit(f"`ecominsight up` was not up within {timeout_s:.0f}s: see {log.name}")


def stop_stack(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def demo_for(data_dir: Path, shops: tuple[str, ...]) -> Demo:
    s = StackSettings(data_dir=data_dir)
    secrets_file = data_dir / "secrets.json"  # the folder's tokens, when `up` made some
    tokens = json.loads(secrets_file.read_text()) if secrets_file.exists() else {}
    kwargs = {"ask_admin_key": tokens["ask_admin_key"]} if tokens.get("ask_admin_key") else {}
    return Demo(
        ask_url=f"http://{s.host}:{s.ask_port}",
        logger_url=f"http://{s.host}:{s.logger_port}",
        generator_url=f"http://{s.host}:{s.generator_port}",
        admin_token=s.admin_token or tokens.get("logger_admin_token", ""),
        models_dir=data_dir / "models",
        shops=shops,
        **kwargs,
    )


def report(score: TaughtScore) -> None:
    print("| shop | new question | meant | read as | outcome |")
    print("|---|---|---|---|---|")
    for r in score.readings:
        print(f"| {r.shop_id} | {r.question} | {r.meant} | {r.read_as or '-'} | {r.outcome} |")
    print()
    print("| shop | new questions | correct | refused | wrong |")
    print("|---|---|---|---|---|")
    for shop in sorted({r.shop_id for r in score.readings}):
        part = TaughtScore([r for r in score.readings if r.shop_id == shop])
        print(
            f"| {shop} | {part.scored} | {part.count('correct')} | {part.count('refused')} | {part.count('wrong')} |"
        )
    print(
        f"| all | {score.scored} | {score.count('correct')} ({score.correct_share:.0%}) | "
        f"{score.count('refused')} | {score.count('wrong')} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="an empty folder (default: a new temporary one)")
    parser.add_argument("--questions", type=int, default=40, help="plain questions asked beside the jargon")
    parser.add_argument("--smoke", action="store_true", help="5 plain questions; exit 0 whatever the score (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.questions = 5
    data_dir = (args.data_dir or Path(tempfile.mkdtemp(prefix="bench-taught-")) / "data").resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    shops = tuple(TAUGHT_NEW)
    started = time.monotonic()
    proc = start_stack(data_dir)
    try:
        demo = demo_for(data_dir, shops)
        logged_before = int(demo.logger.stats().get("total_queries", 0))
        asked = len(demo.traffic(args.questions))
        demo.wait_logged(logged_before + asked)
        lexicon = demo.understanding()["version"]
        if not demo.review():
            print("the reviewer labelled nothing: no word was taught")
            return 1
        learned = demo.wait_for_understanding(lexicon)
        words = ", ".join(f"{e['phrase']!r} as {e['means']!r}" for e in learned["learned"])
        print(f"learned lexicon {learned['version']}: {words}")
        score = demo.taught_words()
    finally:
        stop_stack(proc)
    print()
    report(score)
    ok = score.scored >= 20 and score.correct_share >= 0.8 and score.count("wrong") == 0
    print()
    print(
        f"taught words on new questions: {score.line()} ({score.correct_share:.0%} correct); "
        f"{'met' if ok else 'NOT met'}: >= 80% correct, 0 wrong, >= 20 questions; "
        f"{time.monotonic() - started:.0f}s; data in {data_dir}"
    )
    return 0 if ok or args.smoke else 1


if __name__ == "__main__":
    raise SystemExit(main())
