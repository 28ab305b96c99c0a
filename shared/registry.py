"""The model registry on disk: one folder per version, a pointer to the promoted one.

    models/
      CURRENT                 the promoted version's name, or "template" (replaced atomically)
      history.json            promoted versions, oldest first (rollback walks back along it)
      v0001/                  saved model + tokenizer + metadata.json
      v0002/ ...

The trainer writes versions; ``model promote`` / ``model rollback`` and the trainer's gate move
``CURRENT``; generators read it at start and follow ``ModelReady`` events afterwards.

Every version name that comes in (an argument, ``CURRENT``, ``history.json``, a metadata file's
``version``) must be ``v`` and at least four ASCII digits, and its folder must resolve inside the
registry (a symlink out of it is refused too); anything else raises ``RegistryError`` saying so.

``TEMPLATE`` ("template") is the one name that is not a version: the deterministic template
phrasing. ``promote_template()`` serves it on purpose, and ``rollback`` past the first promoted
version restores it, so the template can always be brought back.
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.errors import RegistryError as RegistryError  # its old home: still imported from here
from shared.fs import atomic_write

METADATA = "metadata.json"
VERSION_RE = re.compile(r"v[0-9]{4,}")
TEMPLATE = "template"  # the template phrasing: what serves when no version is promoted


class ModelMeta(BaseModel):
    version: str
    base_model: str
    parent_version: str | None = None
    export_id: str | None = None
    data_sha256: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    baseline_metrics: dict[str, Any] = Field(
        default_factory=dict, description="the serving model's, same data"
    )
    hyperparameters: dict[str, Any] = Field(default_factory=dict)
    library_versions: dict[str, str] = Field(default_factory=dict)
    train_time_s: float | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    status: Literal["candidate", "promoted", "rejected"] = "candidate"
    reasons: list[str] = Field(default_factory=list)


class ModelRegistry:
    def __init__(self, root: Path):
        self.root = Path(root)

    # -- names and paths -------------------------------------------------------------------------
    @staticmethod
    def is_version(name: object) -> bool:
        """Whether ``name`` is a version name (``v0001``), not a path or anything else."""
        return isinstance(name, str) and VERSION_RE.fullmatch(name) is not None

    def check_version(self, name: object, where: str = "version") -> str:
        if not self.is_version(name):
            raise RegistryError(
                f"invalid model {where} {str(name)[:100]!r}: a version is 'v' and four or more digits (v0001)"
            )
        return str(name)

    def contains(self, folder: Path) -> bool:
        """Whether ``folder`` (symlinks resolved) is a version folder inside this registry."""
        resolved = Path(folder).resolve()
        return resolved.parent == self.root.resolve() and self.is_version(resolved.name)

    # -- reading ---------------------------------------------------------------------------------
    def path(self, version: str) -> Path:
        """The folder of ``version``; ``RegistryError`` for a name that is not a version or a
        folder that resolves outside the registry."""
        folder = self.root / self.check_version(version)
        if folder.exists() and not self.contains(folder):
            raise RegistryError(f"model version {version!r} resolves outside the registry {self.root}")
        return folder

    def get(self, version: str) -> ModelMeta:
        meta = self.path(version) / METADATA
        if not meta.is_file():
            raise RegistryError(f"no model version {version!r} in {self.root}")
        try:
            loaded = ModelMeta.model_validate_json(meta.read_text())
        except ValueError as exc:
            raise RegistryError(f"{meta} is not valid metadata: {exc}") from exc
        if loaded.version != version:
            raise RegistryError(
                f"{meta} says it is version {loaded.version[:100]!r}, not {version!r}: refusing it"
            )
        return loaded

    def versions(self) -> list[ModelMeta]:
        if not self.root.is_dir():
            return []
        out = []
        for child in sorted(self.root.iterdir()):
            if self.is_version(child.name) and (child / METADATA).is_file():
                out.append(self.get(child.name))
        return out

    def current_version(self) -> str | None:
        pointer = self.root / "CURRENT"
        if not pointer.is_file():
            return None
        version = pointer.read_text().strip()
        if version == TEMPLATE:
            return None
        return self.check_version(version, "CURRENT") if version else None

    def serves_template(self) -> bool:
        """Whether the template was chosen on purpose (``promote template`` or a rollback past
        the first version): generators then serve it instead of any base model."""
        pointer = self.root / "CURRENT"
        return pointer.is_file() and pointer.read_text().strip() == TEMPLATE

    def current(self) -> ModelMeta | None:
        version = self.current_version()
        return self.get(version) if version else None

    def history(self) -> list[str]:
        path = self.root / "history.json"
        if not path.is_file():
            return []
        try:
            history = json.loads(path.read_text())
        except ValueError as exc:
            raise RegistryError(f"{path} is not valid JSON: {exc}") from exc
        if not isinstance(history, list):
            raise RegistryError(f"{path} must hold a list of versions")
        return [v if v == TEMPLATE else self.check_version(v, "version in history.json") for v in history]

    # -- writing ---------------------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def allocate(self) -> tuple[str, Path]:
        """Reserve the next version name and create its (empty) folder."""
        with self._locked():
            numbers = [int(p.name[1:]) for p in self.root.iterdir() if self.is_version(p.name)]
            version = f"v{max(numbers, default=0) + 1:04d}"
            folder = self.path(version)
            folder.mkdir()
            return version, folder

    def save_metadata(self, meta: ModelMeta) -> None:
        folder = self.path(self.check_version(meta.version, "metadata version"))
        if not folder.is_dir():
            raise RegistryError(f"no folder for version {meta.version!r} in {self.root}")
        atomic_write(folder / METADATA, meta.model_dump_json(indent=2))

    def promote_template(self) -> None:
        """Serve the template phrasing (appended to the history, so a rollback undoes it)."""
        with self._locked():
            history = [v for v in self.history() if v != TEMPLATE] + [TEMPLATE]
            atomic_write(self.root / "history.json", json.dumps(history))
            atomic_write(self.root / "CURRENT", TEMPLATE)

    def promote(self, version: str) -> ModelMeta:
        """Make ``version`` the serving one (it is appended to the history)."""
        with self._locked():
            meta = self.get(version)
            if meta.status != "promoted":
                meta = meta.model_copy(update={"status": "promoted"})
                self.save_metadata(meta)
            history = [v for v in self.history() if v != version] + [version]
            atomic_write(self.root / "history.json", json.dumps(history))
            atomic_write(self.root / "CURRENT", version)
            return meta

    def reject(self, version: str, reasons: list[str]) -> ModelMeta:
        meta = self.get(version).model_copy(update={"status": "rejected", "reasons": reasons})
        self.save_metadata(meta)
        return meta

    def rollback(self) -> ModelMeta | None:
        """Serve the previously promoted version again; the current one leaves the history. Past
        the first promoted version this is the template (returns None)."""
        with self._locked():
            history = self.history()
            if not history or history == [TEMPLATE]:
                raise RegistryError("nothing to roll back to: the template is serving already")
            history.pop()
            previous = history[-1] if history else TEMPLATE
            meta = None if previous == TEMPLATE else self.get(previous)
            atomic_write(self.root / "history.json", json.dumps(history))
            atomic_write(self.root / "CURRENT", previous)
            return meta
