"""Test (and bench) support: a real HTTP server, registry versions, and a tiny byte-level T5
trained for real to answer with placeholders.

The model learns the template phrasing of a few tools from delexicalised examples: the input is
``build_prompt(question, result)`` and the target ``template_text(result)``, exactly what the
trainer feeds a real model. A few hundred steps on one CPU thread are enough for it to write
``You have V_COUNT orders.`` and friends, so the generator's model path can be tested for real.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
import uvicorn

from services.generator.settings import Settings
from shared.broker import free_port
from shared.modeling import TINY_BASE, TinyT5Spec, build_tiny_t5, load_seq2seq, set_generation_defaults
from shared.phrasing import template_text
from shared.prompt import build_prompt
from shared.registry import ModelMeta, ModelRegistry
from shared.results import ToolResult
from shared.settings import KafkaSettings, PathSettings

QUESTIONS = {
    "count_orders": ["How many orders do I have?", "Number of orders?", "how many orders"],
    "customer_count": ["How many customers do I have?", "customer count", "How many buyers?"],
}


def sample_result(tool: str, rng: random.Random) -> ToolResult:
    if tool == "count_orders":
        return ToolResult(tool=tool, values={"count": rng.randint(0, 50_000)})
    return ToolResult(tool=tool, values={"count": rng.randint(0, 20_000)})


def examples(n: int, seed: int = 0) -> list[tuple[str, ToolResult]]:
    """``n`` (question, result) pairs over the tools the tiny model learns."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        tool = rng.choice(sorted(QUESTIONS))
        out.append((rng.choice(QUESTIONS[tool]), sample_result(tool, rng)))
    return out


def train_tiny_phraser(folder: Path, steps: int = 200, batch_size: int = 8, seed: int = 0) -> Path:
    """Build a tiny T5 in ``folder``, train it on delexicalised examples, save it there."""
    torch.manual_seed(seed)
    build_tiny_t5(folder, TinyT5Spec(seed=seed))
    tokenizer, model = load_seq2seq(folder)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    data = examples(512, seed)
    rng = random.Random(seed)
    for _ in range(steps):
        chunk = rng.sample(data, batch_size)
        enc = tokenizer([build_prompt(q, r) for q, r in chunk], return_tensors="pt", padding=True)
        labels = tokenizer([template_text(r) for _, r in chunk], return_tensors="pt", padding=True).input_ids
        labels[labels == tokenizer.pad_token_id] = -100
        loss = model(**enc, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    set_generation_defaults(model)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def add_version(registry: ModelRegistry, source: Path, promote: bool = False, **meta: Any) -> str:
    """Copy a saved model (and its CTranslate2 copy, if any) into a new registry version (with
    metadata); returns the version."""
    version, folder = registry.allocate()
    for item in source.iterdir():
        if item.is_file():
            shutil.copy2(item, folder / item.name)
        elif item.is_dir():
            shutil.copytree(item, folder / item.name)
    registry.save_metadata(ModelMeta(version=version, base_model=meta.pop("base_model", TINY_BASE), **meta))
    if promote:
        registry.promote(version)
    return version


@contextmanager
def serve_http(app: Any) -> Iterator[str]:
    """Run ``app`` with a real uvicorn server on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def make_settings(tmp_path: Path, kafka: KafkaSettings | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "paths": PathSettings(data_dir=tmp_path),
        "model": str(tmp_path / "no-such-model"),  # never the hub: these machines are offline
        "torch_threads": 1,
        "gc_freeze": False,
        "max_new_tokens": 48,
        "check_max_new_tokens": 24,
        "reload": kafka is not None,
    }
    if kafka is not None:
        values["kafka"] = kafka
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
