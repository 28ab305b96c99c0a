"""The CTranslate2 copy of a version: the same answers as PyTorch, served when present, PyTorch
when not, hot-swapped like any version."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import ctranslate2
import pytest
import torch
from transformers import ByT5Tokenizer, T5Config, T5ForConditionalGeneration

from evaluation.exports import make_result
from evaluation.phrasers import add_version, make_settings
from services.generator.engine import load_version, smoke_check
from services.generator.reloader import ModelReloader
from services.generator.settings import Runtime
from services.generator.slots import ModelSlot
from shared import ct2
from shared.events import ModelReady
from shared.modeling import generate, load_seq2seq
from shared.prompt import build_prompt
from shared.registry import ModelRegistry

FLOAT32 = Runtime(compute_type="float32")


def heldout_prompts(n: int, seed: int = 12345) -> list[str]:
    """Prompts over six tools, none of them the training examples (other seed, other tools)."""
    rng = random.Random(seed)
    return [build_prompt(*make_result(rng)) for _ in range(n)]


@pytest.fixture(scope="session")
def converted_model(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("converted") / "model"
    shutil.copytree(trained_model, folder)
    ct2.convert(folder)
    return folder


def hf_log_probs(folder: Path, prompts: list[str], targets: list[str]) -> list[list[float]]:
    tokenizer, model = load_seq2seq(folder)
    enc = tokenizer(prompts, return_tensors="pt", padding=True)
    labels = tokenizer(text_target=targets, return_tensors="pt", padding=True).input_ids
    with torch.inference_mode():
        logits = model(**enc, labels=labels).logits
    picked = torch.log_softmax(logits, -1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    return [row[labels[i] != tokenizer.pad_token_id].tolist() for i, row in enumerate(picked)]


def untied_t5(folder: Path) -> Path:
    """FLAN-T5's layout (untied embeddings, gated-gelu), tiny and random."""
    torch.manual_seed(0)
    tokenizer = ByT5Tokenizer()
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=64,
        d_kv=16,
        d_ff=128,
        num_layers=2,
        num_heads=4,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=False,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    T5ForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_an_untied_t5_converts_with_the_log_probabilities_of_pytorch(tmp_path: Path) -> None:
    folder = untied_t5(tmp_path / "untied")
    prompts = [build_prompt(*make_result(random.Random(i))) for i in range(4)]
    targets = ["You have V_COUNT orders.", "Your total revenue is V_REVENUE.", "V_N", "No data."]
    expected = hf_log_probs(folder, prompts, targets)

    copy = ct2.Ct2Model(ct2.convert(folder), ByT5Tokenizer(), compute_type="float32")
    for want, got in zip(expected, copy.score(prompts, targets), strict=True):
        assert got == pytest.approx(want, abs=1e-3)

    # What the conversion guards against: CTranslate2's own converter scales this model's
    # decoder outputs as if its embeddings were tied.
    ctranslate2.converters.TransformersConverter(str(folder)).convert(str(tmp_path / "naive"))
    naive = ct2.Ct2Model(tmp_path / "naive", ByT5Tokenizer(), compute_type="float32")
    assert abs(sum(naive.score(prompts[:1], targets[:1])[0]) - sum(expected[0])) > 1.0


def test_byte_level_copy_answers_like_pytorch_on_200_heldout_prompts(converted_model: Path) -> None:
    prompts = heldout_prompts(200)
    tokenizer, model = load_seq2seq(converted_model)
    copy = load_version("v", converted_model, FLOAT32)
    assert copy.backend == "ctranslate2-float32"
    for start in range(0, len(prompts), 25):
        chunk = prompts[start : start + 25]
        assert copy.generate(chunk, 48, 512) == generate(model, tokenizer, chunk, 512, 48)


def test_a_version_with_a_copy_is_served_by_ctranslate2_and_one_without_by_pytorch(
    trained_model: Path, converted_model: Path
) -> None:
    fast = load_version("v1", converted_model)
    assert fast.backend == "ctranslate2-int8"
    assert smoke_check(fast, 48, 512) > 0  # the same check a PyTorch version passes
    assert load_version("v2", trained_model).backend == "pytorch"
    assert load_version("v3", converted_model, Runtime(backend="pytorch")).backend == "pytorch"
    fast.unload()
    assert fast.model is None


def test_a_broken_copy_falls_back_to_the_transformers_weights(tmp_path: Path, converted_model: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(converted_model, folder)
    (folder / ct2.CT2_DIR / ct2.MODEL_FILE).write_bytes(b"not a model")
    serving = load_version("v1", folder)
    assert serving.backend == "pytorch"
    assert serving.generate(["How many orders do I have?"], 24, 512)


def test_hot_reload_swaps_between_backends(
    tmp_path: Path, registry: ModelRegistry, trained_model: Path, converted_model: Path
) -> None:
    slow, fast = add_version(registry, trained_model), add_version(registry, converted_model)
    assert ct2.converted_path(registry.path(fast)) is not None  # add_version copies the folder
    reloader = ModelReloader(make_settings(tmp_path, report_refusals=False), ModelSlot())
    for version, backend in [(slow, "pytorch"), (fast, "ctranslate2-int8"), (slow, "pytorch")]:
        event = ModelReady(version=version, path=str(registry.path(version)), base_model="tiny-t5")
        assert reloader.apply(event)
        serving = reloader.slot.current
        assert serving is not None and (serving.version, serving.backend) == (version, backend)


# -- the CPU instruction set CTranslate2 computes with ----------------------------------------
AMD_WITH_AVX512 = ct2.AVX512_FLAGS | {"avx2", "fma", "sse4_2"}


def test_avx512_is_asked_for_when_the_cpu_has_it_and_nobody_chose() -> None:
    environ: dict[str, str] = {}
    assert ct2.prefer_avx512(environ, AMD_WITH_AVX512) == "AVX512"
    assert environ == {"CT2_FORCE_CPU_ISA": "AVX512"}


def test_an_isa_the_user_chose_is_kept() -> None:
    environ = {"CT2_FORCE_CPU_ISA": "AVX2"}
    assert ct2.prefer_avx512(environ, AMD_WITH_AVX512) == "AVX2"
    assert environ == {"CT2_FORCE_CPU_ISA": "AVX2"}


def test_a_cpu_without_every_avx512_part_keeps_the_librarys_choice() -> None:
    environ: dict[str, str] = {}
    assert ct2.prefer_avx512(environ, AMD_WITH_AVX512 - {"avx512bw"}) is None
    assert environ == {}


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 avx512f\n\n")
    assert ct2.cpu_flags(cpuinfo) == {"fpu", "avx2", "avx512f"}
    assert ct2.cpu_flags(tmp_path / "missing") == frozenset()
