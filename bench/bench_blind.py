"""Score the frozen blind question set of issue 22 (or any set of ``evaluation/questions``, such as
``fresh``, the tuning set written blind after it) through the ask API (in-process).

Seeds the warehouse the ask tests use (3 shops, seed 7, 2,000 orders per shop), builds the ask app
as the tests do (no API keys, no rate limit, no generator, no events) and runs
``evaluation/questions/blind.py`` through ``evaluation.questions.harness``. Follow-ups are asked
in the conversation of the question before them; an API that answers 422 to ``conversation_id``
counts as refusing them.

    .venv/bin/python -m bench.bench_blind            # the table
    .venv/bin/python -m bench.bench_blind --list     # and every wrong and refused question
    .venv/bin/python -m bench.bench_blind --smoke    # the first 30 questions: what CI runs
    .venv/bin/python -m bench.bench_blind --set fresh   # another set (a module of evaluation.questions)
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import report, seeded_ask_api  # noqa: E402


def measure(show: bool, limit: int | None = None, name: str = "blind") -> str:
    import services
    from evaluation.questions.harness import api_ask, run

    questions = importlib.import_module(f"evaluation.questions.{name}").QUESTIONS
    code = Path(services.__file__).resolve().parents[1]
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=code, capture_output=True, text=True
    ).stdout.strip()
    with seeded_ask_api() as (client, truth):
        ask = api_ask(lambda payload: client.post("/api/mcp/ask", json=payload))
        s = run(questions[:limit], ask, truth)
    wrong_answerable = [w for w in s.wrong if not w.startswith("[refuse]")]
    wrong_refuse = [w for w in s.wrong if w.startswith("[refuse]")]
    lines = [
        f"`bench/bench_blind.py{'' if name == 'blind' else ' --set ' + name}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, code at {commit} ({code})",
        "",
        "| answerable | correct | refused | confidently wrong | coverage | must refuse | refused (must) |",
        "|---|---|---|---|---|---|---|",
        f"| {s.answerable} | {len(s.correct)} | {len(s.refused)} | {len(wrong_answerable)} | "
        f"{s.coverage:.1%} | {s.must_refuse} | {len(s.refused_ok)} ({s.refusal_rate:.0%}) |",
        "",
        f"Confidently wrong: {len(s.wrong)} in all ({len(wrong_answerable)} answerable answered wrong, "
        f"{len(wrong_refuse)} must-refuse answered).",
    ]
    if show:
        lines += ["", f"## Wrong ({len(s.wrong)})", *(f"- {w}" for w in s.wrong)]
        lines += ["", f"## Refused, answerable ({len(s.refused)})", *(f"- {r}" for r in s.refused)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list", action="store_true", help="also list the wrong and the refused questions")
    parser.add_argument("--write", type=Path, help="also write the results (markdown) to this file")
    parser.add_argument("--smoke", action="store_true", help="seconds: the first 30 questions only (CI)")
    parser.add_argument("--set", default="blind", help="a module of evaluation.questions (default: blind)")
    args = parser.parse_args()
    text = measure(args.list, 30 if args.smoke else None, args.set)
    return report(text, args.write)


if __name__ == "__main__":
    raise SystemExit(main())
