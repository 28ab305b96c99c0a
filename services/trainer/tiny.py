"""Build a small T5 from scratch: the offline default and what tests train.

* ``tokenizer="byte"``: ``shared.modeling.build_tiny_t5`` (ByT5 bytes, no vocabulary file).
* ``tokenizer="word"``: the same architecture with a word-level vocabulary trained on the export's
  prompts and targets with the ``tokenizers`` library. Sequences are ~4x shorter than bytes.
  Words are split off with their leading space kept (``▁orders``) and punctuation and digits
  stand alone, so decoding gives back the exact text; placeholders (``V_NAME_1``) are one token.
  The vocabulary is the export's words plus every tool's template phrasing with up to
  ``MAX_ROWS`` rows, and ``V_ROWS`` (so ``V_NAME_17``, ``V_ROWS`` and tools the first export
  lacked are known when a later export fine-tunes this model). Other words become ``<unk>``: in
  practice only input words such as customer names, which the answer refers to by placeholder
  anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from shared.modeling import TinyT5Spec, build_tiny_t5
from shared.phrasing import TEMPLATES, UNSUPPORTED_ANSWER, template_text
from shared.placeholders import TOKEN_PATTERN
from shared.prompt import build_prompt
from shared.results import ToolResult
from shared.rows import ROWS

SPECIALS = ["<pad>", "</s>", "<unk>"]
# A placeholder, a word, one digit, one other character, or a lone space; each may carry its space.
_PIECE = rf"▁?{TOKEN_PATTERN}|▁?[A-Za-z]+|▁?\d|▁?[^▁A-Za-z\d]|▁"


MAX_ROWS = 25
# The result keys each tool's template uses (shared/phrasing.py's contract table): values, then
# the row column sets it may have.
_TOOL_KEYS: dict[str, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {
    "count_orders": (("count", "status", "period"), ()),
    "total_revenue": (("revenue", "orders", "period"), ()),
    "average_order_value": (("aov", "orders", "period"), ()),
    "top_customers": (("n", "period"), (("name", "spending", "orders"),)),
    "orders_by_amount": (("count", "direction", "threshold", "period"), (("order_id", "total", "date"),)),
    "top_products": (("n", "metric", "period"), (("name", "revenue"), ("name", "units"))),
    "customer_count": (("count",), ()),
    "new_customers": (("count", "period"), ()),
    "revenue_by_month": (("period",), (("month", "revenue"),)),
    "order_status_breakdown": (("total", "period"), (("status", "count"),)),
    "best_period": (("grain", "best", "revenue"), ()),
}


def vocabulary_seed() -> list[str]:
    """Every tool's phrasing (with no rows and with ``MAX_ROWS`` rows) and its prompt."""
    texts = [UNSUPPORTED_ANSWER, ROWS]
    for tool in TEMPLATES:
        keys, column_sets = _TOOL_KEYS.get(tool, ((), ()))
        values: dict[str, str | int | float | None] = {key: "x" for key in keys}
        variants: list[list[dict[str, str | int | float | None]]] = [[]]
        variants += [[{col: "x" for col in columns} for _ in range(MAX_ROWS)] for columns in column_sets]
        for rows in variants:
            result = ToolResult(tool=tool, values=values, rows=rows)
            texts += [template_text(result), build_prompt("question", result)]
    return texts


def train_word_tokenizer(texts: Iterable[str], vocab_size: int = 8000) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(_PIECE), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    trainer = trainers.WordLevelTrainer(vocab_size=vocab_size, min_frequency=1, special_tokens=SPECIALS)
    tok.train_from_iterator([*vocabulary_seed(), *texts], trainer=trainer)
    eos = tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)]
    )
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
    return build_tiny_t5(folder, spec, tokenizer=train_word_tokenizer(texts))
