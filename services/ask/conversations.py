"""Conversations: the last interpretation of each conversation, so a follow-up ("and last month?",
"what about France?", "break that down by category") is read against it.

A conversation belongs to the shop that started it: another shop presenting its id gets no
previous reading (and a new id). The store is bounded (the least recently used conversation goes
first) and each conversation expires ``ttl_s`` after its last question. Ids are random (uuid4),
issued by the service, never chosen by the caller.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.interpretation import Interpretation


class ConversationSettings(BaseSettings):
    """``ECOMINSIGHT_ASK_CONVERSATION_TTL_S``, ``ECOMINSIGHT_ASK_CONVERSATION_MAX``."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_ASK_CONVERSATION_", extra="ignore")

    ttl_s: float = Field(
        default=1800.0, gt=0, description="a conversation expires this long after its last question"
    )
    max: int = Field(
        default=10_000, ge=1, description="conversations kept at most (least recently used go first)"
    )


@dataclass(frozen=True)
class Turn:
    shop_id: str
    interpretation: Interpretation
    expires: float


class Conversations:
    def __init__(self, settings: ConversationSettings | None = None):
        self.settings = settings or ConversationSettings()
        self._now = time.monotonic
        self._turns: OrderedDict[str, Turn] = OrderedDict()
        self._lock = threading.Lock()

    def previous(self, conversation_id: str | None, shop_id: str) -> Interpretation | None:
        """The last reading of this shop's conversation, None when there is none (or it expired)."""
        if not conversation_id:
            return None
        with self._lock:
            turn = self._turns.get(conversation_id)
            if turn is None or turn.shop_id != shop_id:
                return None
            if turn.expires <= self._now():
                del self._turns[conversation_id]
                return None
            return turn.interpretation

    def id_for(self, conversation_id: str | None, shop_id: str) -> str:
        """The id to answer under: the caller's when it is this shop's live conversation, else a new one."""
        if conversation_id and self.previous(conversation_id, shop_id) is not None:
            return conversation_id
        return uuid.uuid4().hex

    def remember(self, conversation_id: str, shop_id: str, q: Interpretation) -> None:
        with self._lock:
            self._turns[conversation_id] = Turn(shop_id, q, self._now() + self.settings.ttl_s)
            self._turns.move_to_end(conversation_id)
            while len(self._turns) > self.settings.max:
                self._turns.popitem(last=False)

    def __len__(self) -> int:
        return len(self._turns)
