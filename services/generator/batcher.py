"""Dynamic batching: concurrent requests share one ``generate()`` call.

A worker thread takes the first waiting request, then keeps collecting until it has
``max_size`` requests or ``wait_ms`` has passed since that request arrived (so a request that
queued while the previous batch ran goes into the next batch without a second wait, and no
request waits more than one ``wait_ms`` for company; no wait at all when requests come one at a
time: the previous batch had one request and nothing else is queued), and runs them as one
batch on the model that is serving at that moment (``slots.ModelSlot.current``). Each request gets a ``Future[Answer]``. A batch
never fails a request: if generation raises, every request in it gets the template answer.

With a canary (``slots.CanarySlot``) each request is routed when it is submitted (so each
shop's split follows its order of arrival), and a batch runs one ``generate()`` per model: the
canary's requests on the canary, the others on the serving model. A request routed to a canary
that has gone by the time its batch runs is phrased by the serving model. Every answer carries
the version that phrased it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from services.generator.engine import TEMPLATE_VERSION, Answer, ServingModel, Stats, compose, template
from services.generator.slots import CanarySlot, ModelSlot
from shared.prompt import build_prompt
from shared.results import ToolResult

log = logging.getLogger(__name__)


@dataclass
class _Pending:
    prompt: str
    result: ToolResult
    future: Future[Answer]
    canary: bool = False
    queued_at: float = field(default_factory=time.monotonic)


class Batcher:
    def __init__(
        self,
        slot: ModelSlot,
        max_size: int = 16,
        wait_ms: float = 5.0,
        max_new_tokens: int = 128,
        max_input_tokens: int = 512,
        stats: Stats | None = None,
        canary: CanarySlot | None = None,
    ):
        self.slot = slot
        self.canary = canary
        self.max_size = max_size
        self.wait_s = wait_ms / 1000.0
        self.max_new_tokens = max_new_tokens
        self.max_input_tokens = max_input_tokens
        self.stats = stats or Stats()
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._last_size = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Batcher:
        self._thread = threading.Thread(target=self._loop, name="generator-batcher", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout_s: float = 30.0) -> None:
        """Finish the requests already queued, then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=timeout_s)
            self._thread = None

    def __enter__(self) -> Batcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    # -- requests --------------------------------------------------------------------------------
    def submit(self, question: str, result: ToolResult, shop_id: str | None = None) -> Future[Answer]:
        if self._thread is None:
            raise RuntimeError("the batcher is not running")
        future: Future[Answer] = Future()
        to_canary = self.canary is not None and self.canary.routes(shop_id)
        self._queue.put(_Pending(build_prompt(question, result, shop_id), result, future, to_canary))
        return future

    # -- the worker ------------------------------------------------------------------------------
    def _collect(self, first: _Pending) -> tuple[list[_Pending], bool]:
        batch = [first]
        deadline = first.queued_at + self.wait_s
        while len(batch) < self.max_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                # Alone now and alone last time: nobody is sending concurrently, so waiting
                # would only add latency.
                if remaining <= 0 or (len(batch) == 1 and self._last_size == 1):
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            batch, stopping = self._collect(first)
            self._last_size = len(batch)
            try:
                answers = self._run(batch)
            except Exception:  # never leave a caller waiting
                log.exception("batch of %d failed", len(batch))
                for pending in batch:
                    self._answer_alone(pending)
                continue
            for pending, answer in zip(batch, answers, strict=True):
                pending.future.set_result(answer)

    def _answer_alone(self, pending: _Pending) -> None:
        try:
            pending.future.set_result(
                template(pending.prompt, pending.result, self.slot.version, "internal error")
            )
        except Exception as exc:
            pending.future.set_exception(exc)

    def _run(self, batch: list[_Pending]) -> list[Answer]:
        stats = self.stats
        stats.batches += 1
        stats.requests += len(batch)
        stats.largest_batch = max(stats.largest_batch, len(batch))
        answers: dict[int, Answer] = {}
        routed = [i for i, p in enumerate(batch) if p.canary]
        canary = self.canary.acquire() if self.canary is not None and routed else None
        if canary is not None:  # the canary's share first; if it has gone, the serving model's
            answers.update(zip(routed, self._phrase(canary, [batch[i] for i in routed]), strict=True))
            stats.canary_answers += len(routed)
        rest = [i for i in range(len(batch)) if i not in answers]
        if rest:
            answers.update(
                zip(rest, self._phrase(self.slot.acquire(), [batch[i] for i in rest]), strict=True)
            )
        ordered = [answers[i] for i in range(len(batch))]
        for answer in ordered:
            if answer.generator == "model":
                stats.model_answers += 1
            else:
                stats.template_answers += 1
        return ordered

    def _phrase(self, serving: ServingModel | None, batch: list[_Pending]) -> list[Answer]:
        """One ``generate()`` for ``batch`` on ``serving`` (acquired by the caller, released here;
        None: the template)."""
        if serving is None:
            return [template(p.prompt, p.result, TEMPLATE_VERSION, "no model loaded") for p in batch]
        try:
            outputs = serving.generate([p.prompt for p in batch], self.max_new_tokens, self.max_input_tokens)
            return [
                compose(out, p.prompt, p.result, serving.version)
                for out, p in zip(outputs, batch, strict=True)
            ]
        except Exception as exc:
            log.exception("generation with model %s failed; answering with the template", serving.version)
            reason = f"generation failed: {type(exc).__name__}: {exc}"
            return [template(p.prompt, p.result, serving.version, reason) for p in batch]
        finally:
            serving.release()
