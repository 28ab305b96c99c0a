"""CTranslate2: converting a saved seq2seq model, and greedy decoding with the converted copy.

The trainer converts every version it registers (``convert``) into ``<version>/ctranslate2/``,
next to the transformers weights, which stay the source of truth. The converted copy keeps the
weights' own precision (float32); the precision used for computing is picked when it is loaded
(``Ct2Model``, ``compute_type="auto"``: int8 on CPU, bfloat16 or float16 on CUDA), so one
registry folder serves CPU and GPU replicas alike. On CPU, int8 and int8_float32 are the same
computation, and float32 measured no faster on the tiny T5s (within noise), so ``auto`` keeps
int8, the smaller in memory.

The trap this module avoids: transformers 5.x ``T5Config`` always sets
``tie_word_embeddings=True`` and keeps the old meaning in ``scale_decoder_outputs`` (scale the
decoder output by ``d_model**-0.5`` only for tied T5 v1.0 models). CTranslate2 4.8's T5 loader
reads ``tie_word_embeddings`` to decide the scaling, so an untied model (FLAN-T5, T5 v1.1)
would convert without an error but with every logit scaled. ``convert`` sets the loaded
config's ``tie_word_embeddings`` from ``scale_decoder_outputs`` before the loader sees it.

One CPU setting: CTranslate2 dispatches its own kernels (softmax, layer norm, activation
quantisation, the elementwise ops) to AVX-512 only on Intel CPUs and picks AVX2 on an AMD CPU
that has AVX-512 (its log says ``AVX512=true`` and ``Selected ISA: AVX2``). On the tiny T5s,
whose matrices are small enough that those kernels weigh as much as the products, AVX-512 took
6-21% off a batch of 16 on this project's AMD machines (``BENCHMARKS.md``). Importing this module sets
``CT2_FORCE_CPU_ISA=AVX512`` when the CPU reports the AVX-512 parts CTranslate2 needs, unless
the variable is set already (``CT2_FORCE_CPU_ISA=AVX2`` restores the library's choice). The
library reads it once per process, when it first computes.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from shared.errors import ConversionError

log = logging.getLogger(__name__)

CT2_DIR = "ctranslate2"
MODEL_FILE = "model.bin"
# The source-token budget of one CTranslate2 sub-batch (``Ct2Model.generate``). On the tiny T5s,
# 1 thread, a mixed batch of 16 took 12-25 ms per prompt in one padded batch and 2-4 ms per
# prompt with budgets of 512, 1024 or 2048 (within noise of each other on the shared cores).
SUB_BATCH_TOKENS = 1024
AVX512_FLAGS = frozenset({"avx512f", "avx512cd", "avx512vl", "avx512bw", "avx512dq"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags (Linux); empty where they cannot be read."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return frozenset()
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def prefer_avx512(
    environ: MutableMapping[str, str] = os.environ, flags: frozenset[str] | None = None
) -> str | None:
    """Set ``CT2_FORCE_CPU_ISA=AVX512`` in ``environ`` when the CPU has AVX-512 and nobody chose
    an ISA already (see the module docstring); returns the ISA now asked for, if any."""
    have = cpu_flags() if flags is None else flags
    if "CT2_FORCE_CPU_ISA" not in environ and AVX512_FLAGS.issubset(have):
        environ["CT2_FORCE_CPU_ISA"] = "AVX512"
    return environ.get("CT2_FORCE_CPU_ISA")


prefer_avx512()


def converted_path(folder: Path) -> Path | None:
    """``folder``'s converted model, if it has a complete one."""
    path = Path(folder) / CT2_DIR
    return path if (path / MODEL_FILE).is_file() else None


def _converter_class() -> Any:
    import ctranslate2.converters

    class Seq2SeqConverter(ctranslate2.converters.TransformersConverter):  # type: ignore[misc]
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            scale = getattr(model.config, "scale_decoder_outputs", None)
            if scale is not None:  # transformers 5.x: see the module docstring
                model.config.tie_word_embeddings = bool(scale)
            return model

    return Seq2SeqConverter


def convert(folder: Path, output: Path | None = None, quantization: str | None = None) -> Path:
    """Convert the transformers model saved in ``folder`` to ``output`` (default
    ``folder/ctranslate2``), atomically: a failed conversion leaves no half-written model."""
    folder = Path(folder)
    output = Path(output) if output is not None else folder / CT2_DIR
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        _converter_class()(str(folder)).convert(str(tmp), quantization=quantization, force=True)
        if output.exists():
            shutil.rmtree(output)
        tmp.rename(output)
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ConversionError(f"cannot convert {folder} to CTranslate2: {type(exc).__name__}: {exc}") from exc
    return output


def convert_checked(
    folder: Path, prompts: list[str], max_input_tokens: int = 512, max_new_tokens: int = 64
) -> str | None:
    """``convert`` ``folder``, then decode ``prompts`` with the copy (float32) and with PyTorch;
    on the first differing output the copy is removed and the difference returned (None: equal)."""
    from shared.modeling import generate, load_seq2seq

    output = convert(folder)
    if not prompts:
        return None
    tokenizer, model = load_seq2seq(folder)
    expected = generate(model, tokenizer, prompts, max_input_tokens, max_new_tokens)
    del model
    copy = Ct2Model(output, tokenizer, compute_type="float32")
    got = copy.generate(prompts, max_input_tokens, max_new_tokens)
    copy.unload()
    for prompt, want, have in zip(prompts, expected, got, strict=True):
        if want != have:
            shutil.rmtree(output, ignore_errors=True)
            return f"for {prompt!r}: PyTorch {want!r}, CTranslate2 {have!r}"
    return None


def resolve_compute_type(device: str, compute_type: str = "auto") -> str:
    """``auto``: int8 on CPU; bfloat16 (or float16) on CUDA."""
    if compute_type != "auto":
        return compute_type
    if not device.startswith("cuda"):
        return "int8"
    import ctranslate2

    supported = ctranslate2.get_supported_compute_types("cuda")
    return "bfloat16" if "bfloat16" in supported else "float16"


class Ct2Model:
    """A converted model and its tokenizer: greedy decoding like ``shared.modeling.generate``."""

    def __init__(
        self,
        path: Path,
        tokenizer: Any,
        device: str = "cpu",
        compute_type: str = "auto",
        threads: int = 0,
    ):
        import ctranslate2

        self.device = "cuda" if device.startswith("cuda") else "cpu"
        index = int(device.split(":", 1)[1]) if ":" in device else 0
        self.compute_type = resolve_compute_type(self.device, compute_type)
        self.tokenizer = tokenizer
        self.translator = ctranslate2.Translator(
            str(path),
            device=self.device,
            device_index=index,
            compute_type=self.compute_type,
            inter_threads=1,
            intra_threads=threads,
        )
        # CTranslate2 speaks token strings, the tokenizer ids: the two maps, built once, turn a
        # per-token Python call per request into a list or dict lookup.
        self._tokens: list[str] = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
        self._ids: dict[str, int] = tokenizer.get_vocab()  # what convert_tokens_to_ids looks up

    def source_tokens(self, prompts: list[str], max_input_tokens: int) -> list[list[str]]:
        ids = self.tokenizer(prompts, truncation=True, max_length=max_input_tokens)["input_ids"]
        tokens = self._tokens
        return [[tokens[i] for i in row] for row in ids]

    def _token_ids(self, tokens: list[str]) -> list[int]:
        ids = self._ids
        return [ids[t] if t in ids else self.tokenizer.convert_tokens_to_ids(t) for t in tokens]

    def generate(self, prompts: list[str], max_input_tokens: int, max_new_tokens: int) -> list[str]:
        """Greedy answers, one per prompt, in order.

        The batch is handed to CTranslate2 with a token budget (``SUB_BATCH_TOKENS``): it sorts
        the prompts by length and decodes them in sub-batches of at most that many source
        tokens, so a batch of short prompts that holds one long list prompt (hundreds of
        tokens) is not padded to the long one's length. Outputs are the same (greedy decoding
        of each prompt does not depend on its neighbours), and in the order given.
        """
        if not prompts:
            return []
        results = self.translator.translate_batch(
            self.source_tokens(prompts, max_input_tokens),
            max_batch_size=SUB_BATCH_TOKENS,
            batch_type="tokens",
            beam_size=1,
            max_decoding_length=max_new_tokens,
            max_input_length=0,  # the tokenizer has truncated already
        )
        texts = self.tokenizer.batch_decode(
            [self._token_ids(r.hypotheses[0]) for r in results], skip_special_tokens=True
        )
        return [text.strip() for text in texts]

    def score(self, prompts: list[str], targets: list[str], max_input_tokens: int = 512) -> list[list[float]]:
        """Per-token log-probabilities of ``targets`` (their end token included)."""
        tok = self.tokenizer
        target_ids = tok(text_target=targets)["input_ids"]
        target_tokens = [[self._tokens[i] for i in row[:-1]] for row in target_ids]  # the loader adds </s>
        results = self.translator.score_batch(self.source_tokens(prompts, max_input_tokens), target_tokens)
        return [list(r.log_probs) for r in results]

    def unload(self) -> None:
        self.translator.unload_model()
