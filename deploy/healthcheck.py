"""The containers' health checks (compose ``healthcheck``): exit 0 when healthy, else 1 with the reason.

    python /app/deploy/healthcheck.py http://localhost:8000/health   # an HTTP service answers 2xx
    python /app/deploy/healthcheck.py tcp:localhost:9092              # a port accepts connections
    python /app/deploy/healthcheck.py trainer                         # the trainer worker is in its group

Arguments hold no spaces: some engines (podman's Docker API) split a check's arguments on spaces.

The trainer has no HTTP port. Its worker joins ``ECOMINSIGHT_TRAINER_GROUP_ID`` on the broker and
stays a member through a long training run (kafka-python heartbeats from a thread), so a member
in that group means the worker runs and reaches Kafka; a crashed or wedged worker leaves it.
"""

from __future__ import annotations

import os
import socket
import sys
import urllib.request


def http(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as resp:
            return None if 200 <= resp.status < 300 else f"{url} answered {resp.status}"
    except OSError as exc:
        return f"{url}: {exc}"


def tcp(address: str) -> str | None:
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), 3).close()
    except OSError as exc:
        return f"{address}: {exc}"
    return None


def trainer() -> str | None:
    from kafka import KafkaAdminClient

    from shared.settings import KafkaSettings

    class Admin(KafkaAdminClient):
        def _process_acl_operations(self, obj: dict) -> dict:
            # Tansu reports operation bits kafka-python has no names for; the check needs none.
            return obj

    # The trainer's own Settings import torch (seconds): read the one value it needs directly.
    group = os.environ.get("ECOMINSIGHT_TRAINER_GROUP_ID", "ecominsight-trainer")
    admin = Admin(bootstrap_servers=KafkaSettings().servers, client_id="ecominsight-healthcheck",
                  request_timeout_ms=4000)
    try:
        groups = admin.describe_groups([group])
    finally:
        admin.close()
    if not (groups.get(group, {}).get("members") or []):
        return f"no member in consumer group {group}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    what = argv[0]
    if what == "trainer":
        problem = trainer()
    elif what.startswith("tcp:"):
        problem = tcp(what.removeprefix("tcp:"))
    else:
        problem = http(what)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
