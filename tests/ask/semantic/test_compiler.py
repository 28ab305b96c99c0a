"""The compiler binds every value from a question; the catalogue is what docs/questions.md lists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluation.questions import heldout, traps, tuning
from evaluation.questions.harness import entities
from services.ask.semantic import SemanticLayer
from services.ask.semantic.catalog import DIMENSIONS, METRICS, catalogue
from services.ask.semantic.compiler import compile_query
from services.ask.warehouse import Warehouse
from shared.interpretation import Filter, Interpretation

CONSTANTS = {"refunded", "cancelled", "day", "week", "month", "quarter", "year"}
README = Path(__file__).resolve().parents[3] / "docs" / "questions.md"


def test_filter_values_are_parameters_never_sql_text() -> None:
    hostile = "x') OR 1=1 --"
    q = Interpretation(
        metric="revenue",
        group_by="category",
        filters=[
            Filter(field="country", values=[hostile]),
            Filter(field="customer", values=[hostile]),
            Filter(field="category", values=[hostile]),
            Filter(field="status", values=[hostile]),
            Filter(field="amount", op="gt", values=[300.0]),
        ],
    )
    sql, params = compile_query(q, shop_id=hostile, period=None)
    assert hostile not in sql and "300" not in sql
    assert params.count(hostile) == 5 and 300.0 in params


@pytest.fixture(scope="module")
def layer(warehouse_path: Path) -> SemanticLayer:
    return SemanticLayer(Warehouse(warehouse_path))


def test_no_question_of_the_sets_puts_its_values_into_sql(layer: SemanticLayer, sql: object) -> None:
    names = entities(
        lambda q, p: layer.warehouse.query(q.replace("$shop", "?"), [p["shop"]] * q.count("$shop")), "10"
    )
    compiled = 0
    for item in tuning.QUESTIONS + heldout.QUESTIONS + traps.QUESTIONS:
        u = layer.understand(item.question.format(**names), "10")
        if u.interpretation is None:
            continue
        text, params = compile_query(u.interpretation, "10", u.interpretation.period)
        # The only literals in the SQL text are the catalogue's own constants.
        assert set(re.findall(r"'([^']*)'", text)) <= CONSTANTS, (item.question, text)
        for f in u.interpretation.filters:
            for value in f.values:
                assert value in params
                if isinstance(value, float):
                    assert not re.search(rf"(?<![\w.]){value:g}(?![\w.])", text), (item.question, text)
        compiled += 1
    assert compiled > 150


def test_every_declared_dimension_and_filter_is_one_the_compiler_knows() -> None:
    for metric in METRICS.values():
        assert metric.dimensions <= set(DIMENSIONS), metric.name
        assert metric.filters <= {
            "status",
            "country",
            "category",
            "product",
            "customer",
            "amount",
            "purchases",
            "items",
            "weekday",
        }


def test_the_readme_catalogue_lists_every_metric_with_its_definition() -> None:
    text = README.read_text()
    for entry in catalogue():
        assert f"`{entry['metric']}` | {entry['definition']} |" in text, entry["metric"]
