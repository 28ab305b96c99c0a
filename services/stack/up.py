"""``ecominsight up``: start the stack, print the banner, restart a service that dies
(``supervisor.py``) until Ctrl-C or SIGTERM, then stop everything in order."""

from __future__ import annotations

import signal
import sys
import threading

from services.stack.banner import print_banner
from services.stack.launcher import Stack
from services.stack.settings import Settings
from services.stack.supervisor import Supervisor


def run_until_stopped(settings: Settings) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with Stack(settings) as stack:
        print_banner(stack)
        supervisor = Supervisor(stack.children)  # a service that dies is restarted (supervisor.py)
        while not stop.wait(0.5):
            if stack.broker is not None and not stack.broker.running:
                print("the broker exited (its topics were in memory); stopping everything", file=sys.stderr)
                return 1
            supervisor.check()
        print("stopping ...", flush=True)
    print("stopped.")
    return 0
