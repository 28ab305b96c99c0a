"""A tiny byte-level T5 trained for real to answer with placeholders (for tests and the bench).

It learns the template phrasing of a few tools from delexicalised examples: the input is
``build_prompt(question, result)`` and the target ``template_text(result)``, exactly what the
trainer feeds a real model. A few hundred steps on one CPU thread are enough for it to write
``You have V_COUNT orders.`` and friends, so the generator's model path can be tested for real.
"""

from __future__ import annotations

import random
from pathlib import Path

import torch

from shared.modeling import TinyT5Spec, build_tiny_t5, load_seq2seq, set_generation_defaults
from shared.phrasing import template_text
from shared.prompt import build_prompt
from shared.results import ToolResult

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
