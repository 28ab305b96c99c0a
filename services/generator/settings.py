"""The generator's settings (env prefix ``ECOMINSIGHT_GENERATOR_``).

``model`` is used only when the registry (``paths.models``) has no promoted version: a Hugging
Face id, a local folder, or ``tiny-t5`` (a small byte-level T5 built locally, untrained).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import KafkaSettings, PathSettings, service_url


@dataclass(frozen=True)
class Runtime:
    """How a model version is run: ``backend="auto"`` uses its CTranslate2 copy when the version
    has one (``<version>/ctranslate2``), PyTorch otherwise; ``compute_type="auto"`` is int8 on CPU
    and bfloat16 or float16 on CUDA; ``threads`` 0 leaves the library's default."""

    device: str = "cpu"
    backend: Literal["auto", "pytorch"] = "auto"
    compute_type: str = "auto"
    threads: int = 0


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMINSIGHT_GENERATOR_", extra="ignore")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    paths: PathSettings = Field(default_factory=PathSettings)

    host: str = "127.0.0.1"
    port: int = 8001
    # Where clients (the ask service, the bench) find a running generator.
    url: str | None = None

    # The logger, for ``model canary --decide`` only: it reads /stats (the read token, none needed in
    # a local run). A running generator never reads the logs.
    logger_url: str = "http://127.0.0.1:8002"
    logger_read_token: SecretStr | None = None

    model: str = "google/flan-t5-base"
    device: str = "cpu"
    # torch intra-op threads; None leaves torch's default.
    torch_threads: int | None = Field(default=None, ge=1)
    # "auto": a version's CTranslate2 copy when it has one, else PyTorch; "pytorch": always PyTorch.
    backend: Literal["auto", "pytorch"] = "auto"
    # CTranslate2 compute type: "auto" (int8 on CPU, bfloat16/float16 on CUDA), "float32", "int8", ...
    ct2_compute_type: str = "auto"
    # gc.freeze() after start-up (keeps full garbage collections short); off in tests that start many services.
    gc_freeze: bool = True

    # Dynamic batching: one generate() for up to batch_max_size requests that arrive within batch_wait_ms.
    batch_max_size: int = Field(default=16, ge=1)
    batch_wait_ms: float = Field(default=5.0, ge=0.0)
    max_new_tokens: int = Field(default=128, ge=1)
    max_input_tokens: int = Field(default=512, ge=16)
    max_question_chars: int = Field(default=2000, ge=1)
    # Request bodies larger than this get a 413 before they are read (shared.http.BodyLimit).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    # Hot reload: follow ModelReady events on kafka.topic_models (every replica gets every event).
    reload: bool = True
    # Checking a new version before swapping it in: generate on a few sample prompts; with
    # check_min_valid > 0 that share of them must also pass the placeholder check.
    check_max_new_tokens: int = Field(default=48, ge=1)
    check_min_valid: float = Field(default=0.0, ge=0.0, le=1.0)
    # A hot-reload check runs its prompts one by one with this pause between (spreads its cost).
    check_pause_ms: float = Field(default=50.0, ge=0.0)
    # Publish TrainingFailed on kafka.topic_training when a version is refused (a log line is always written).
    report_refusals: bool = True
    # Niceness of the thread that loads and checks new versions (0 = same as serving).
    reload_nice: int = Field(default=10, ge=0, le=19)

    # The canary policy (``model canary --decide``, policy.py): enough traffic on both versions
    # since the canary started, then no worse on fallback rate, p95 latency and positive feedback.
    canary_min_answers: int = Field(default=200, ge=1)
    canary_min_ratings: int = Field(default=20, ge=1)
    canary_max_fallback_increase: float = Field(default=0.0, ge=0.0, le=1.0)
    canary_max_p95_ratio: float = Field(default=1.25, gt=0.0)
    canary_min_positive_gain: float = Field(default=0.0, ge=-1.0, le=1.0)

    @property
    def runtime(self) -> Runtime:
        return Runtime(self.device, self.backend, self.ct2_compute_type, self.torch_threads or 0)

    @property
    def base_url(self) -> str:
        return service_url(self.url, self.host, self.port)
