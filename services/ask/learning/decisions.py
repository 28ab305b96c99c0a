"""A reviewer's explicit decisions on the serving lexicon: promote a word to every shop, revoke a
word a shop learned. Each one serves a new lexicon at once (the next question reads with it),
records it in the store (``store.py``: the lineage, and ``revoked.json`` for revocations), and
takes the learner's lock when there is a learner, so a proposal in flight cannot serve a lexicon
from before the decision.

``POST /understanding/promote`` and ``POST /understanding/revoke`` call these, with the learning
loop on (``LabelLearner.decisions``) or off (``Decisions(layer, store)``).
"""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager, nullcontext

from services.ask.learning.revocations import Revocation, revoke
from services.ask.learning.store import LexiconStore
from services.ask.semantic import SemanticLayer
from services.ask.semantic.lexicon import Lexicon

log = logging.getLogger(__name__)


class Decisions:
    def __init__(self, layer: SemanticLayer, store: LexiconStore, lock: threading.Lock | None = None):
        self.layer, self.store = layer, store
        self._lock: AbstractContextManager[object] = lock if lock is not None else nullcontext()

    def promote(self, phrase: str, reviewer: str | None) -> Lexicon:
        """Serve ``phrase`` to every shop (``Lexicon.promote``: ``KeyError``, ``ValueError``)."""
        with self._lock:
            lexicon = self.layer.lexicon.promote(phrase, self.store.next_version())
            self.store.record_promotion(lexicon, phrase, reviewer)
            self.layer.lexicon = lexicon
            log.info("understanding %s serves: %r promoted to every shop", lexicon.version, phrase)
            return lexicon

    def revoke(self, shop_id: str, phrase: str, reviewer: str | None, reason: str | None) -> Revocation:
        """Stop ``shop_id`` reading ``phrase`` (``"*"``: end its promotion to every shop), now and
        at every later proposal; ``KeyError`` when that shop has no such learned word."""
        with self._lock:
            lexicon, entry = revoke(self.layer.lexicon, shop_id, phrase, self.store.next_version())
            revoked = Revocation(
                shop_id=shop_id,
                phrase=phrase,
                means=entry.means,
                support=entry.support,
                by=reviewer,
                reason=reason,
            )
            self.store.record_revocation(lexicon, revoked)
            self.layer.lexicon = lexicon
            log.info("understanding %s serves: %r revoked for shop %s", lexicon.version, phrase, shop_id)
            return revoked
