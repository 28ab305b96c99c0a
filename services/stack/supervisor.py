"""Restart a service of ``ecominsight up`` that dies, as compose's ``restart: unless-stopped``
does: the rest of the stack keeps running, each restart is said (on stderr) with its reason and
the wait before it, and the wait doubles from ``initial_s`` up to ``max_s`` for a service that
keeps dying; it goes back to ``initial_s`` once the service has stayed up ``reset_after_s``.

Only ``Ctrl-C`` (or SIGTERM) stops the stack. The local broker is not restarted: Tansu keeps its
topics in memory, so ``up`` stops everything, saying so, if the broker itself dies.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from services.stack.child import Child


def _say(line: str) -> None:
    print(f"{datetime.now(UTC):%H:%M:%S} {line}", file=sys.stderr, flush=True)


def exit_reason(code: int | None) -> str:
    if code is None:
        return "stopped"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


@dataclass
class Backoff:
    initial_s: float = 0.5
    max_s: float = 30.0
    reset_after_s: float = 30.0


@dataclass
class _State:
    delay_s: float
    started_at: float
    restart_at: float | None = None
    restarts: int = 0
    down_since: float | None = None  # waiting to be healthy again after a restart


@dataclass
class Supervisor:
    children: list[Child]
    backoff: Backoff = field(default_factory=Backoff)
    say: Callable[[str], None] = _say
    _states: dict[str, _State] = field(default_factory=dict, init=False)

    def check(self, now: float | None = None) -> None:
        """One look at every child: note a death, restart when its wait is over, say when it is back.

        Call it from the thread that runs the stack (``up``'s main thread): a child started here
        gets SIGTERM when the thread that started it ends (``PR_SET_PDEATHSIG`` is per thread)."""
        now = time.monotonic() if now is None else now
        for child in self.children:
            st = self._states.setdefault(child.name, _State(self.backoff.initial_s, child.started_at or now))
            if child.alive():
                if st.down_since is not None and self._healthy(child):
                    again = "healthy" if child.health_url else "running"
                    self.say(f"{child.name} is {again} again, {now - st.down_since:.1f}s after it died")
                    st.down_since = None
                if now - st.started_at >= self.backoff.reset_after_s:
                    st.delay_s = self.backoff.initial_s
                continue
            if st.restart_at is None:
                code = child.proc.returncode if child.proc is not None else None
                st.restart_at = now + st.delay_s
                st.down_since = st.down_since or now
                self.say(f"{child.name} {exit_reason(code)} after {now - st.started_at:.0f}s up; restarting in "
                         f"{st.delay_s:g}s (restart {st.restarts + 1}); log: {child.log_path}")
            elif now >= st.restart_at:
                child.start()
                st.restarts += 1
                st.started_at, st.restart_at = child.started_at, None
                st.delay_s = min(st.delay_s * 2, self.backoff.max_s)
                pid = child.proc.pid if child.proc is not None else "?"
                self.say(f"{child.name} restarted (pid {pid}, restart {st.restarts})")

    def restarts(self, name: str) -> int:
        st = self._states.get(name)
        return st.restarts if st else 0

    @staticmethod
    def _healthy(child: Child) -> bool:
        if child.health_url is None:
            return True
        try:
            return httpx.get(child.health_url, timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False
