"""A loaded model, and turning its output into an answer.

* ``ServingModel``: a model + tokenizer + its version and metadata. Batches ``acquire`` it
  before generating and ``release`` it after, so a swapped-out model is unloaded only once the
  batches running on it have finished. ``backend`` says what runs it: ``ctranslate2-<compute
  type>`` (the version's converted copy, ``shared.ct2``) or ``pytorch``.
* ``load_version`` / ``load_base``: load a registry folder or ``settings.model``; a folder with a
  CTranslate2 copy is served by CTranslate2 unless ``Runtime.backend`` is ``pytorch``.
* ``smoke_check``: generate on a few sample prompts before a model is allowed to serve.
* ``compose``: model output -> ``Answer``: placeholders checked and filled, or the template
  phrasing with ``generator="template"`` and the reason.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from transformers import AutoTokenizer

from services.generator.errors import ModelRefused
from services.generator.settings import Runtime
from shared.ct2 import Ct2Model, converted_path
from shared.errors import PlaceholderError
from shared.modeling import TINY_BASE, build_tiny_t5, generate, load_seq2seq
from shared.phrasing import check_generated, template_answer
from shared.prompt import build_prompt
from shared.registry import METADATA, ModelMeta
from shared.results import ToolResult
from shared.rows import expand

log = logging.getLogger(__name__)

TEMPLATE_VERSION = "template"


@dataclass(frozen=True)
class Answer:
    text: str
    model_version: str
    generator: str  # "model" | "template"
    prompt: str
    fallback_reason: str | None = None


class ServingModel:
    """One loaded model version."""

    def __init__(
        self,
        version: str,
        tokenizer: Any,
        model: Any,
        source: str,
        meta: ModelMeta | None = None,
        backend: str = "pytorch",
    ):
        self.version = version
        self.tokenizer = tokenizer
        self.model = model  # a transformers model, or a ``Ct2Model``
        self.source = source
        self.meta = meta
        self.backend = backend
        self.loaded_at = time.time()
        self._in_flight = 0
        self._idle = threading.Condition()

    def generate(self, prompts: list[str], max_new_tokens: int, max_input_tokens: int) -> list[str]:
        model = self.model
        if model is None:
            raise RuntimeError(f"model {self.version} was unloaded")
        if isinstance(model, Ct2Model):
            return model.generate(prompts, max_input_tokens, max_new_tokens)
        return generate(model, self.tokenizer, prompts, max_input_tokens, max_new_tokens)

    # -- in-flight tracking ----------------------------------------------------------------------
    def acquire(self) -> None:
        with self._idle:
            self._in_flight += 1

    def release(self) -> None:
        with self._idle:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.notify_all()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def unload(self, timeout_s: float = 60.0) -> None:
        """Wait for the batches running on this model to finish, then drop the weights."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout_s):
                log.warning("model %s still busy after %.0fs; unloading anyway", self.version, timeout_s)
            # Reference counting frees the weights now; no gc.collect(): a full collection holds
            # the GIL for ~0.1s, which showed up as a latency spike on every swap.
            if isinstance(self.model, Ct2Model):
                self.model.unload()
            self.model = None
            self.tokenizer = None
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def describe(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "backend": self.backend,
            "loaded_at": self.loaded_at,
            "metadata": self.meta.model_dump(mode="json") if self.meta else None,
        }


def read_meta(folder: Path) -> ModelMeta | None:
    path = folder / METADATA
    if not path.is_file():
        return None
    try:
        return ModelMeta.model_validate_json(path.read_text())
    except ValueError as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return None


def load_version(version: str, folder: Path, runtime: Runtime | None = None) -> ServingModel:
    """Load a registry version's folder (its CTranslate2 copy when it has one and
    ``runtime.backend`` allows); raises ``ModelRefused`` saying why it cannot."""
    runtime = runtime or Runtime()
    if not folder.is_dir():
        raise ModelRefused(f"model {version}: no folder at {folder}")
    converted = converted_path(folder) if runtime.backend == "auto" else None
    if converted is not None:
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(folder))
            fast = Ct2Model(converted, tokenizer, runtime.device, runtime.compute_type, runtime.threads)
            backend = f"ctranslate2-{fast.compute_type}"
            return ServingModel(version, tokenizer, fast, str(folder), read_meta(folder), backend)
        except Exception as exc:  # the transformers weights are the source of truth: use them
            log.error(
                "model %s: cannot load its CTranslate2 copy (%s: %s); using PyTorch",
                version,
                type(exc).__name__,
                exc,
            )
    try:
        tokenizer, model = load_seq2seq(folder, runtime.device)
    except Exception as exc:
        raise ModelRefused(f"model {version}: {type(exc).__name__}: {exc}") from exc
    return ServingModel(version, tokenizer, model, str(folder), read_meta(folder), "pytorch")


def load_base(name: str, runtime: Runtime | None = None) -> ServingModel:
    """Load ``settings.model`` (hub id, folder, or ``tiny-t5``) with PyTorch; its version is its name."""
    runtime = runtime or Runtime()
    if name == TINY_BASE:
        with tempfile.TemporaryDirectory(prefix="ecominsight-tiny-t5-") as tmp:
            serving = load_version(TINY_BASE, build_tiny_t5(Path(tmp)), runtime)
        serving.source = f"{TINY_BASE} (built at start, random weights)"
        return serving
    try:
        tokenizer, model = load_seq2seq(name, runtime.device)
    except Exception as exc:
        raise ModelRefused(str(exc)) from exc
    return ServingModel(name, tokenizer, model, name, None)


# -- checking a model before it serves ---------------------------------------------------------
CHECK_SAMPLES: list[tuple[str, ToolResult]] = [
    ("How many orders do I have?", ToolResult(tool="count_orders", values={"count": 1174})),
    (
        "What is my total revenue last month?",
        ToolResult(
            tool="total_revenue",
            values={"revenue": 48210.5, "orders": 312, "period": "last month (October 2026)"},
            money=["revenue"],
        ),
    ),
    ("How many customers do I have?", ToolResult(tool="customer_count", values={"count": 2045})),
]


def smoke_check(
    serving: ServingModel,
    max_new_tokens: int,
    max_input_tokens: int,
    min_valid: float = 0.0,
    pause_s: float = 0.0,
) -> float:
    """Generate on the sample prompts; returns the share whose output passes the placeholder check.

    With ``pause_s`` the prompts run one at a time with a pause between them, so a check running
    beside a serving model takes its share of the CPU (and the GIL) in small slices.

    Raises ``ModelRefused`` if generation fails, returns the wrong number of outputs, or fewer
    than ``min_valid`` of them pass.
    """
    prompts = [build_prompt(q, r) for q, r in CHECK_SAMPLES]
    outputs: list[str] = []
    try:
        if pause_s > 0:
            for prompt in prompts:
                time.sleep(pause_s)
                outputs += serving.generate([prompt], max_new_tokens, max_input_tokens)
        else:
            outputs = serving.generate(prompts, max_new_tokens, max_input_tokens)
    except Exception as exc:
        raise ModelRefused(
            f"model {serving.version} failed to generate: {type(exc).__name__}: {exc}"
        ) from exc
    if len(outputs) != len(prompts) or not all(isinstance(o, str) for o in outputs):
        raise ModelRefused(
            f"model {serving.version} returned {len(outputs)} outputs for {len(prompts)} prompts"
        )
    valid = 0
    for output, (_, result) in zip(outputs, CHECK_SAMPLES, strict=True):
        try:
            check_generated(output, result)
            valid += 1
        except PlaceholderError:
            pass
    share = valid / len(prompts)
    if share < min_valid:
        raise ModelRefused(
            f"model {serving.version}: only {share:.0%} of check outputs are valid (need {min_valid:.0%})"
        )
    return share


# -- answers -----------------------------------------------------------------------------------
def template(prompt: str, result: ToolResult, version: str, reason: str) -> Answer:
    return Answer(template_answer(result), version, "template", prompt, reason)


def compose(output: str, prompt: str, result: ToolResult, version: str) -> Answer:
    """The model's answer with placeholders filled (``V_ROWS``: the rows, rendered as the template
    lists them), or the template one if the output is unfit."""
    try:
        return Answer(check_generated(expand(output, result), result), version, "model", prompt)
    except PlaceholderError as exc:
        return template(prompt, result, version, f"model output rejected: {exc}")


@dataclass
class Stats:
    """Counters shown on ``/health``."""

    requests: int = 0
    batches: int = 0
    model_answers: int = 0
    template_answers: int = 0
    largest_batch: int = 0
    canary_answers: int = 0  # answers phrased by the canary version
    swaps: int = 0
    swap_seconds: float = 0.0  # loading, checking and swapping in every swapped version, summed
    refused: list[dict[str, Any]] = field(default_factory=list)

    def swapped(self, seconds: float) -> None:
        self.swaps += 1
        self.swap_seconds += seconds
