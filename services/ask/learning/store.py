"""Where the serving lexicon and its lineage live: ``<data>/understanding/``.

``lexicon.json`` is the serving lexicon (replaced atomically, so a crash leaves the old one);
``history.jsonl`` holds one line per proposal, adopted or not, with both accuracies, the labels
they were measured on and the reasons: the lineage ``ecominsight review history`` prints. A
reviewer's own decisions (a word promoted to every shop, a word revoked) are lines there too, and
``revoked.json`` keeps every revocation, which each later proposal respects (``revocations.py``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from services.ask.learning.learner import Proposal
from services.ask.learning.revocations import Revocation
from services.ask.semantic.lexicon import EVERY_SHOP, Lexicon
from shared.fs import atomic_write

REVOCATIONS = TypeAdapter(list[Revocation])


class LexiconStore:
    def __init__(self, root: Path):
        self.root = root
        self.current_file = root / "lexicon.json"
        self.history_file = root / "history.jsonl"
        self.revoked_file = root / "revoked.json"

    def current(self) -> Lexicon:
        if not self.current_file.exists():
            return Lexicon()
        return Lexicon.model_validate_json(self.current_file.read_text())

    def history(self) -> list[dict[str, Any]]:
        if not self.history_file.exists():
            return []
        return [json.loads(line) for line in self.history_file.read_text().splitlines() if line.strip()]

    def next_version(self) -> str:
        adopted = sum(1 for h in self.history() if h.get("adopted"))
        return f"u{adopted + 1:04d}"

    def revocations(self) -> list[Revocation]:
        if not self.revoked_file.exists():
            return []
        return REVOCATIONS.validate_json(self.revoked_file.read_text())

    def record_promotion(self, lexicon: Lexicon, phrase: str, reviewer: str | None) -> None:
        """Serve ``lexicon`` (a reviewer promoted ``phrase`` to every shop) and add it to the lineage."""
        means = next(e.means for e in lexicon.promoted() if e.phrase == phrase)
        reason = f"{phrase!r} -> {means!r} promoted to every shop by {reviewer or 'a reviewer'}"
        self._serve_decision(
            lexicon, {"promoted": {"phrase": phrase, "means": means, "by": reviewer}}, reason
        )

    def record_revocation(self, lexicon: Lexicon, revoked: Revocation) -> None:
        """Keep ``revoked`` (with every earlier revocation), serve ``lexicon`` (the word gone) and add
        it to the lineage."""
        self.root.mkdir(parents=True, exist_ok=True)
        everything = [*self.revocations(), revoked]
        atomic_write(self.revoked_file, REVOCATIONS.dump_json(everything, indent=2).decode())
        whose = "every shop's promotion" if revoked.shop_id == EVERY_SHOP else f"shop {revoked.shop_id}"
        reason = (
            f"{revoked.phrase!r} -> {revoked.means!r} revoked for {whose} by {revoked.by or 'a reviewer'}"
        )
        if revoked.reason:
            reason += f": {revoked.reason}"
        self._serve_decision(lexicon, {"revoked": revoked.model_dump(mode="json")}, reason)

    def _serve_decision(self, lexicon: Lexicon, decision: dict[str, Any], reason: str) -> None:
        """Serve a lexicon a reviewer's decision made (no labels were measured for it)."""
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write(self.current_file, lexicon.model_dump_json(indent=2))
        line = {
            "at": datetime.now(UTC).isoformat(),
            "candidate": lexicon.version,
            "adopted": True,
            **decision,
            "held_out_labels": 0,
            "understanding_accuracy_before": 0.0,
            "understanding_accuracy_after": 0.0,
            "reasons": [reason],
        }
        with self.history_file.open("a") as fh:
            fh.write(json.dumps(line) + "\n")

    def record(self, proposal: Proposal) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if proposal.adopted:
            atomic_write(self.current_file, proposal.candidate.model_dump_json(indent=2))
        line = {"at": datetime.now(UTC).isoformat(), **proposal.summary()}
        with self.history_file.open("a") as fh:
            fh.write(json.dumps(line) + "\n")
