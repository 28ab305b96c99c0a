"""Every benchmark script runs at its ``--smoke`` size in the normal test run, so a benchmark that
crashes (a column added to a table, a function renamed) fails CI instead of rotting unnoticed.

Each script is run as a user runs it (``python bench/<script>.py --smoke``) in a process of its
own; it must exit 0 and print a Markdown table. ``bench_demo.sh`` is not here: it is the demo
itself end to end (``ecominsight up`` + ``ecominsight demo``), minutes long, which the e2e tests run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("bench_*.py"))


def test_the_scripts_are_found() -> None:
    assert {"bench_logger.py", "bench_sql.py", "bench_ask.py"} <= set(SCRIPTS)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_script_runs_at_smoke_size(script: str, tmp_path: Path) -> None:
    env = {**os.environ, "BENCH_TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{script} --smoke exited {proc.returncode}:\n{out[-4000:]}"
    assert "|---" in proc.stdout, f"{script} --smoke printed no table:\n{out[-4000:]}"
