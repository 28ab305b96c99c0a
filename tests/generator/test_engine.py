"""The pieces under the API: swapping while a batch runs, checking a version before it serves."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from evaluation.phrasers import add_version, make_settings
from services.generator.engine import compose, load_version, smoke_check
from services.generator.errors import ModelRefused
from services.generator.reloader import ModelReloader
from services.generator.slots import ModelSlot
from shared.events import ModelReady
from shared.registry import ModelRegistry
from shared.results import ToolResult


def test_a_swapped_out_model_is_unloaded_only_after_its_batch_finishes(random_model: Path) -> None:
    old = load_version("v0001", random_model)
    new = load_version("v0002", random_model)
    slot = ModelSlot(old)
    in_batch = slot.acquire()  # a batch starts on v0001
    assert slot.swap(new) is old and slot.version == "v0002"
    unloading = threading.Thread(target=old.unload)
    unloading.start()
    time.sleep(0.3)
    assert unloading.is_alive() and old.model is not None  # the running batch still has its model
    assert in_batch is old and old.generate(["How many orders?"], 4, 64)  # ... and can finish
    old.release()
    unloading.join(timeout=10)
    assert not unloading.is_alive() and old.model is None
    assert slot.acquire() is new


def test_a_checked_version_must_meet_check_min_valid(
    tmp_path: Path, registry: ModelRegistry, random_model: Path, trained_model: Path
) -> None:
    assert smoke_check(load_version("t", trained_model), 48, 512) > 0
    with pytest.raises(ModelRefused, match="of check outputs are valid"):
        smoke_check(load_version("r", random_model), 24, 512, min_valid=0.5)

    good = add_version(registry, trained_model)
    bad = add_version(registry, random_model)
    settings = make_settings(tmp_path, check_min_valid=0.3, report_refusals=False)
    slot = ModelSlot()
    reloader = ModelReloader(settings, slot)
    assert (
        reloader.apply(ModelReady(version=bad, path=str(registry.path(bad)), base_model="tiny-t5")) is False
    )
    assert slot.version == "template"
    assert (
        reloader.apply(ModelReady(version=good, path=str(registry.path(good)), base_model="tiny-t5")) is True
    )
    assert slot.version == good


def test_model_output_is_checked_before_it_is_filled() -> None:
    result = ToolResult(tool="total_revenue", values={"revenue": 99.5, "orders": 3}, money=["revenue"])
    ok = compose("Your revenue is V_REVENUE from V_ORDERS orders.", "p", result, "v1")
    assert (ok.text, ok.generator, ok.fallback_reason) == (
        "Your revenue is $99.50 from 3 orders.",
        "model",
        None,
    )
    for output, reason in [
        ("Your revenue is V_REVENUE.", "missing placeholder(s): V_ORDERS"),
        ("Your revenue is V_REVENUE from V_ORDERS orders, V_NAME_1.", "unknown placeholder(s): V_NAME_1"),
        ("Your revenue is $120 from V_ORDERS orders and V_REVENUE.", "states a number outside placeholders"),
    ]:
        answer = compose(output, "p", result, "v1")
        assert answer.generator == "template" and answer.model_version == "v1"
        assert answer.text == "Your total revenue is $99.50 from 3 orders."
        assert answer.fallback_reason is not None and reason in answer.fallback_reason
