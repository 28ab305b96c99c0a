"""``ecominsight broker`` starts a real broker that accepts Kafka clients, and stops on SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys

from kafka import KafkaAdminClient

from shared.broker import free_port, wait_for_port
from shared.settings import KafkaSettings


def test_broker_command_serves_the_project_topics_and_stops_on_ctrl_c() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "broker", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]  # the banner, once topics exist
        assert any(line.startswith("Kafka-protocol broker") and f"127.0.0.1:{port}" in line for line in lines)
        assert any(line.startswith("topics:") for line in lines)
        admin = KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{port}")
        assert set(KafkaSettings().all_topics()) <= set(admin.list_topics())
        admin.close()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
