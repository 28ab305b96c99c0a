"""Loading, building and running seq2seq models (FLAN-T5 and friends).

* ``load_seq2seq(name_or_path)`` is the real ``from_pretrained`` path: a Hugging Face id such as
  ``google/flan-t5-base`` (needs the hub or its cache) or a local folder.
* ``build_tiny_t5(folder)`` makes a small byte-level T5 from scratch (``ByT5Tokenizer`` needs no
  vocab file), for tests and the offline default: these machines cannot download weights.
  ``TINY_BASE`` (``"tiny-t5"``) names it in settings.
* ``generate(model, tokenizer, prompts)``: greedy decoding under ``torch.inference_mode``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    ByT5Tokenizer,
    GenerationConfig,
    PreTrainedModel,
    T5Config,
    T5ForConditionalGeneration,
)

from shared.errors import ModelLoadError as ModelLoadError  # its old home: still imported from here
from shared.model_names import TINY_BASE as TINY_BASE  # its old home: still imported from here

log = logging.getLogger(__name__)

DEFAULT_MAX_NEW_TOKENS = 192


@dataclass(frozen=True)
class TinyT5Spec:
    """The size of a tiny T5; every field but ``seed`` is the ``T5Config`` field of that name."""

    d_model: int = 128
    num_layers: int = 2
    num_decoder_layers: int = 2
    num_heads: int = 4
    d_kv: int = 32
    d_ff: int = 256
    seed: int = 0


def build_tiny_t5(folder: Path, spec: TinyT5Spec | None = None, tokenizer: Any = None) -> Path:
    """Create a randomly initialised tiny T5 (~0.7M parameters) and save it to ``folder``.

    The tokenizer defaults to ``ByT5Tokenizer()`` (bytes, no vocab file); any tokenizer with
    pad and eos tokens works (the trainer passes a word-level one trained on the export)."""
    spec = spec or TinyT5Spec()
    torch.manual_seed(spec.seed)
    tokenizer = tokenizer if tokenizer is not None else ByT5Tokenizer()
    sizes = {name: value for name, value in asdict(spec).items() if name != "seed"}
    config = T5Config(
        vocab_size=len(tokenizer),
        **sizes,
        dropout_rate=0.0,
        feed_forward_proj="relu",
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=True,
    )
    model = T5ForConditionalGeneration(config)
    set_generation_defaults(model)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def set_generation_defaults(model: PreTrainedModel, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> None:
    """Greedy decoding, and no ``max_length: 20`` (transformers' saved default clips answers)."""
    config = model.config
    model.generation_config = GenerationConfig(
        decoder_start_token_id=config.decoder_start_token_id,
        eos_token_id=config.eos_token_id,
        pad_token_id=config.pad_token_id,
        max_new_tokens=max_new_tokens,
        do_sample=False,
        num_beams=1,
    )


def load_seq2seq(name_or_path: str | Path, device: str = "cpu") -> tuple[Any, PreTrainedModel]:
    """(tokenizer, model) from a hub id or a local folder, in eval mode on ``device``."""
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(name_or_path))
        model = AutoModelForSeq2SeqLM.from_pretrained(str(name_or_path))
    except Exception as exc:  # transformers raises OSError, ValueError, EnvironmentError...
        raise ModelLoadError(f"cannot load model {str(name_or_path)!r}: {type(exc).__name__}: {exc}") from exc
    set_generation_defaults(model)
    model.to(device)
    model.eval()
    return tokenizer, model


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def generate(
    model: PreTrainedModel,
    tokenizer: Any,
    prompts: list[str],
    max_input_tokens: int = 512,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
) -> list[str]:
    """Greedy-decode one answer per prompt, as a batch."""
    if not prompts:
        return []
    device = next(model.parameters()).device
    batch = tokenizer(prompts, return_tensors="pt", padding=True, truncation=True, max_length=max_input_tokens)
    batch = {k: v.to(device) for k, v in batch.items()}
    with torch.inference_mode():
        out = model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False, num_beams=1)
    return [text.strip() for text in tokenizer.batch_decode(out, skip_special_tokens=True)]
