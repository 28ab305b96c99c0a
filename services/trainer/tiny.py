"""Build a small T5 from scratch: the offline default and what tests train.

* ``tokenizer="byte"``: ``shared.modeling.build_tiny_t5`` (ByT5 bytes, no vocabulary file).
* ``tokenizer="word"``: the same architecture with a word-level vocabulary trained on the export's
  prompts and targets with the ``tokenizers`` library. Sequences are ~4x shorter than bytes.
  Words are split off with their leading space kept (``▁orders``) and punctuation and digits
  stand alone, so decoding gives back the exact text; placeholders (``V_NAME_1``) are one token.
  Words the vocabulary lacks become ``<unk>``; that only happens in inputs (names, unseen
  words), since every target word was in the training data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import torch
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

from shared.modeling import TinyT5Spec, build_tiny_t5, set_generation_defaults

SPECIALS = ["<pad>", "</s>", "<unk>"]
# A placeholder, a word, one digit, one other character, or a lone space; each may carry its space.
_PIECE = r"▁?V_[A-Z0-9_]*[A-Z0-9]|▁?[A-Za-z]+|▁?\d|▁?[^▁A-Za-z\d]|▁"


def train_word_tokenizer(texts: Iterable[str], vocab_size: int = 4000) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=False),
            pre_tokenizers.Split(Regex(_PIECE), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="never", split=False)
    trainer = trainers.WordLevelTrainer(vocab_size=vocab_size, min_frequency=1, special_tokens=SPECIALS)
    tok.train_from_iterator(list(texts), trainer=trainer)
    eos = tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=512
    )


def build_tiny(
    folder: Path,
    tokenizer: Literal["byte", "word"] = "byte",
    texts: Iterable[str] = (),
    spec: TinyT5Spec | None = None,
) -> Path:
    """A randomly initialised tiny T5 saved to ``folder``; ``texts`` train the word vocabulary."""
    spec = spec or TinyT5Spec()
    if tokenizer == "byte":
        return build_tiny_t5(folder, spec)
    tok = train_word_tokenizer(texts)
    torch.manual_seed(spec.seed)
    config = T5Config(
        vocab_size=len(tok),
        d_model=spec.d_model,
        d_kv=spec.d_kv,
        d_ff=spec.d_ff,
        num_layers=spec.num_layers,
        num_decoder_layers=spec.num_decoder_layers,
        num_heads=spec.num_heads,
        dropout_rate=0.0,
        feed_forward_proj="relu",
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        decoder_start_token_id=tok.pad_token_id,
        tie_word_embeddings=True,
    )
    model = T5ForConditionalGeneration(config)
    set_generation_defaults(model)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder
