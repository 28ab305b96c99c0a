"""A canary: a candidate version that phrases a set fraction of each shop's requests beside the
current one, so ``/stats`` (its ``versions`` section) can compare the two on real traffic before
anyone promotes it.

* ``Canary``: what ``canary.json`` in the registry root holds (version, fraction, when it
  started, and ``base``: what was serving then). ``read_canary`` / ``start_canary`` /
  ``end_canary`` read and write it; ``ecominsight model canary`` writes it and announces it with
  ``ModelReady(canary_fraction=...)``, and a generator that starts reads it and resumes the split.
* A canary lasts while the version it was started against serves: a promotion or a rollback
  (the CLI's or the trainer's) makes it stale, and a stale ``canary.json`` is ignored. So a
  trainer that promotes the candidate ends its canary without knowing about canaries, and a
  canary never comes back against a version it was not compared with.
* In a running generator the canary model and its split are ``slots.CanarySlot``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.fs import atomic_write
from shared.registry import TEMPLATE, ModelRegistry, RegistryError

log = logging.getLogger(__name__)

CANARY_FILE = "canary.json"


class Canary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    fraction: float = Field(gt=0.0, le=1.0, description="share of each shop's requests it phrases")
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    base: str | None = Field(
        description="what served when it started: a version, 'template', or None (no CURRENT)"
    )


def serving_pointer(registry: ModelRegistry) -> str | None:
    """What the registry says serves: the current version, ``template``, or None (nothing promoted)."""
    return registry.current_version() or (TEMPLATE if registry.serves_template() else None)


def _path(registry: ModelRegistry) -> Path:
    return registry.root / CANARY_FILE


def _load(registry: ModelRegistry) -> Canary | None:
    path = _path(registry)
    if not path.is_file():
        return None
    try:
        canary = Canary.model_validate_json(path.read_text())
    except (OSError, ValidationError) as exc:
        raise RegistryError(f"{path} is not a valid canary: {exc}") from exc
    registry.check_version(canary.version, "canary version")
    return canary


def read_canary(registry: ModelRegistry) -> Canary | None:
    """The canary in force: None when there is none or it is stale (the serving version changed
    since it started). Raises ``RegistryError`` for an unreadable file or a bad version name."""
    canary = _load(registry)
    if canary is not None and canary.base != serving_pointer(registry):
        log.info("ignoring the canary of %s: it was started against %s", canary.version, canary.base)
        return None
    return canary


def start_canary(registry: ModelRegistry, version: str, fraction: float) -> Canary:
    """Make ``version`` the canary at ``fraction``; ``RegistryError`` saying why it cannot be."""
    if version == TEMPLATE:
        raise RegistryError("the template cannot be a canary: `model promote template` serves it to everyone")
    if not 0.0 < fraction <= 1.0:
        raise RegistryError(f"canary fraction must be in (0, 1], not {fraction:g}")
    registry.get(version)  # a registered version (raises for an unknown one)
    base = serving_pointer(registry)
    if version == base:
        raise RegistryError(
            f"{version} is the current version already: a canary is a version that does not serve yet"
        )
    canary = Canary(version=version, fraction=fraction, base=base)
    atomic_write(_path(registry), canary.model_dump_json(indent=2))
    return canary


def end_canary(registry: ModelRegistry) -> Canary | None:
    """Remove ``canary.json``; returns the canary it held (stale or not; None: none, or unreadable)."""
    try:
        canary = _load(registry)
    except RegistryError as exc:  # an unreadable file is removed all the same
        log.warning("removing %s: %s", _path(registry), exc)
        canary = None
    _path(registry).unlink(missing_ok=True)
    return canary
