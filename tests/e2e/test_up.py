"""``ecominsight up`` as a user runs it: the printed curl calls work and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from shared.broker import free_port

pytestmark = pytest.mark.e2e


def test_up_prints_working_curl_calls_and_ctrl_c_stops_every_process(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ECOMINSIGHT_STACK_KAFKA_PORT": str(free_port()),
        "ECOMINSIGHT_STACK_GENERATOR_PORT": str(free_port()),
        "ECOMINSIGHT_STACK_LOGGER_PORT": str(free_port()),
        "ECOMINSIGHT_STACK_SEED_SHOPS": "2",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)  # `up` runs its own broker
    cmd = [sys.executable, "-m", "services.cli", "up", "--data-dir", str(tmp_path / "data"), "--port", str(free_port())]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Stop: Ctrl-C" in line:
                break
        curls = [line.strip() for line in lines if line.strip().startswith("curl ")]
        assert len(curls) == 3, "".join(lines)
        for curl in curls:
            out = subprocess.run(shlex.split(curl), capture_output=True, text=True, timeout=60)
            body = json.loads(out.stdout)
            assert body["success"] is True and body["answer"], body
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 5  # broker, logger, generator, trainer, ask (+ the ask outbox sender)
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=90)
    assert code == 0
    time.sleep(0.5)
    assert [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE] == []
