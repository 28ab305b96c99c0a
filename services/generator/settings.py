"""The generator's settings (env prefix ``ECOMINSIGHT_GENERATOR_``).

``model`` is used only when the registry (``paths.models``) has no promoted version: a Hugging
Face id, a local folder, or ``tiny-t5`` (a small byte-level T5 built locally, untrained).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import (
    COMMON_CONFIG,
    KafkaSettings,
    LoggerEndpoint,
    PathSettings,
    ReachableServer,
    port_field,
)


@dataclass(frozen=True)
class Runtime:
    """How a model version is run: ``backend="auto"`` uses its CTranslate2 copy when the version
    has one (``<version>/ctranslate2``), PyTorch otherwise; ``compute_type="auto"`` is int8 on CPU
    and bfloat16 or float16 on CUDA; ``threads`` 0 leaves the library's default."""

    device: str = "cpu"
    backend: Literal["auto", "pytorch"] = "auto"
    compute_type: str = "auto"
    threads: int = 0


class Settings(LoggerEndpoint, ReachableServer):
    """The generator: its HTTP API, the model it serves, batching, hot reload and the canary policy.
    It reads the logger (``logger_url``, ``logger_read_token``) for ``model canary --decide`` only."""

    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_GENERATOR_", **COMMON_CONFIG)

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    """The broker (``KAFKA_*``)."""
    paths: PathSettings = Field(default_factory=PathSettings)
    """Where state lives (``ECOMINSIGHT_*``)."""

    port: int = port_field(8001)

    model: str = "google/flan-t5-base"
    """Used when the registry has no promoted version: a Hugging Face id, a local folder, or ``tiny-t5``."""
    device: str = "cpu"
    """Where the model runs: ``cpu``, ``cuda``, ``cuda:1``, ..."""
    torch_threads: int | None = Field(default=None, ge=1)
    """torch intra-op threads; unset: torch's default."""
    backend: Literal["auto", "pytorch"] = "auto"
    """"auto": a version's CTranslate2 copy when it has one, else PyTorch; "pytorch": always PyTorch."""
    ct2_compute_type: str = "auto"
    """CTranslate2 compute type: "auto" (int8 on CPU, bfloat16/float16 on CUDA), "float32", "int8", ..."""
    gc_freeze: bool = True
    """gc.freeze() after start-up (keeps full garbage collections short); off in tests that start many services."""

    batch_max_size: int = Field(default=16, ge=1)
    """Dynamic batching: one generate() for up to this many requests ..."""
    batch_wait_ms: float = Field(default=5.0, ge=0.0)
    """... that arrive within this many milliseconds."""
    max_new_tokens: int = Field(default=128, ge=1)
    """Longest generated answer, in tokens."""
    max_input_tokens: int = Field(default=512, ge=16)
    """Longest prompt, in tokens (longer ones are cut)."""
    max_question_chars: int = Field(default=2000, ge=1)
    """Longest question accepted by POST /generate, in characters."""

    reload: bool = True
    """Hot reload: follow ModelReady events on kafka.topic_models (every replica gets every event)."""
    check_max_new_tokens: int = Field(default=48, ge=1)
    """Checking a new version before swapping it in: tokens generated per sample prompt."""
    check_min_valid: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of the sample prompts whose output must pass the placeholder check (0: not checked)."""
    check_pause_ms: float = Field(default=50.0, ge=0.0)
    """A hot-reload check runs its prompts one by one with this pause between (spreads its cost)."""
    report_refusals: bool = True
    """Publish TrainingFailed on kafka.topic_training when a version is refused (a log line is always written)."""
    reload_nice: int = Field(default=10, ge=0, le=19)
    """Niceness of the thread that loads and checks new versions (0 = same as serving)."""

    canary_min_answers: int = Field(default=200, ge=1)
    """Canary policy (``model canary --decide``): answered queries each version needs since the canary started."""
    canary_min_ratings: int = Field(default=20, ge=1)
    """Canary policy: ratings each version needs."""
    canary_max_fallback_increase: float = Field(default=0.0, ge=0.0, le=1.0)
    """Canary policy: how much higher the canary's template-fallback rate may be."""
    canary_max_p95_ratio: float = Field(default=1.25, gt=0.0)
    """Canary policy: the canary's p95 latency over the serving version's, at most."""
    canary_min_positive_gain: float = Field(default=0.0, ge=-1.0, le=1.0)
    """Canary policy: the gain in positive feedback share the canary needs (negative: a loss it may have)."""

    @property
    def runtime(self) -> Runtime:
        return Runtime(self.device, self.backend, self.ct2_compute_type, self.torch_threads or 0)
