"""The ask service's learning loop: read the reviewers' labels from the logger every few seconds,
and when they changed, propose a lexicon, record the proposal, and serve it if it passed the gate.

A small thread with ``run()``/``stop()``. The logger being down only delays learning (a log line
says so, once until it answers again); it never touches a request.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

from pydantic import TypeAdapter, ValidationError

from services.ask.learning.decisions import Decisions
from services.ask.learning.labels import Label
from services.ask.learning.learner import Proposal, propose
from services.ask.learning.store import LexiconStore
from services.ask.semantic import SemanticLayer
from shared.logger_client import LoggerApiError, LoggerClient

log = logging.getLogger(__name__)
LABELS = TypeAdapter(list[Label])


class LabelLearner:
    def __init__(
        self,
        layer: SemanticLayer,
        store: LexiconStore,
        logger_url: str,
        token: str | None,
        interval_s: float,
        timeout_s: float = 10.0,
    ):
        self.layer, self.store = layer, store
        self.logger = LoggerClient(logger_url, read_token=token, timeout_s=timeout_s)
        self.url = self.logger.base_url + "/review/labels"
        self.interval_s, self.timeout_s = interval_s, timeout_s
        self.last: Proposal | None = None
        self.last_error: str | None = None
        self._seen: str | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.decisions = Decisions(layer, store, self._lock)  # a reviewer's promote and revoke

    def fetch(self) -> list[Label]:
        return LABELS.validate_python(self.logger.review_labels())

    def learn(self, labels: list[Label]) -> Proposal | None:
        """Propose from ``labels`` unless they are the ones already learned from; serve a gain."""
        digest = hashlib.sha256(b"".join(label.model_dump_json().encode() for label in labels)).hexdigest()
        with self._lock:
            if digest == self._seen or not labels:
                return None
            serving = self.layer.lexicon
            version = self.store.next_version()
            proposal = propose(self.layer, labels, serving, version, self.store.revocations())
            self.store.record(proposal)
            if proposal.adopted:
                self.layer.lexicon = proposal.candidate
                log.info(
                    "understanding %s serves: %.3f -> %.3f on %d held-out labels",
                    proposal.candidate.version,
                    proposal.before,
                    proposal.after,
                    proposal.held_out,
                )
            else:
                log.info("understanding candidate not adopted: %s", "; ".join(proposal.reasons))
            self._seen, self.last = digest, proposal
            return proposal

    def poll_once(self) -> Proposal | None:
        try:
            labels = self.fetch()
        except (LoggerApiError, ValidationError, KeyError, ValueError) as exc:
            if self.last_error is None:
                log.warning("cannot read the review labels from %s (learning waits): %s", self.url, exc)
            self.last_error = f"{type(exc).__name__}: {exc}"
            return None
        self.last_error = None
        return self.learn(labels)

    def run(self) -> None:
        while not self._stop.is_set():
            self.poll_once()
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()

    def describe(self) -> dict[str, Any]:
        lexicon = self.layer.lexicon
        return {
            "version": lexicon.version,
            "learned": [e.model_dump() for e in lexicon.phrases],
            "ruled_out_of_scope": [e.model_dump() for e in lexicon.refusals],
            "labels_seen": len(lexicon.trained_on),
            "last_proposal": self.last.summary() if self.last else None,
            "labels_source": self.url,
            "last_error": self.last_error,
        }
