"""Every benchmark script runs at its ``--smoke`` size in the normal test run, so a benchmark that
crashes (a column added to a table, a function renamed) fails CI instead of rotting unnoticed.

Each script is run as a user runs it (``python bench/<script>.py --smoke``) in a process of its
own; it must exit 0 and print a Markdown table. ``bench_demo.sh --smoke`` is one run of the demo
end to end (``ecominsight up`` on a fresh folder + ``ecominsight demo``), a few minutes long: it must
print its row and its summary line, and where the demo succeeded, every figure of the row (the
demo's own gate decides success; its success rate is measured by ``bench_demo.sh 5``).
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


@pytest.mark.timeout(1200)
def test_the_demo_bench_runs_one_demo_end_to_end() -> None:
    proc = subprocess.run(
        ["bash", str(ROOT / "bench" / "bench_demo.sh"), "--smoke"],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=1100,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| 1 |")]
    assert len(rows) == 1 and rows[0].rstrip().endswith(" s |"), out[-4000:]
    assert "demo succeeded" in proc.stdout and "of 1 runs" in proc.stdout, out[-4000:]
    if rows[0].startswith("| 1 | 0 |"):  # the demo succeeded: the script read each of its figures
        assert "none" not in rows[0] and "->" in rows[0], rows[0]
