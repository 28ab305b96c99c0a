"""Results broken down by one dimension ("revenue by country", "top 5 products", with the ties
at the cut stated) or by two ("revenue by country and month", a table of pairs)."""

from __future__ import annotations

from typing import Any

from services.ask.semantic.answer_text import PLURALS, bucket_label, round_value
from services.ask.semantic.catalog import DIMENSIONS, METRICS, TIME_GRAINS
from services.ask.semantic.compiler import MAX_GROUPS2
from services.ask.semantic.result_draft import Draft
from shared.errors import EcomInsightError
from shared.phrasing import LISTED
from shared.results import ToolResult, format_money


def grouped(d: Draft) -> ToolResult:
    """One group-by: one row per group, ranked and cut when the question ranks."""
    q, values = d.q, d.values
    assert q.group_by is not None
    unit = METRICS[q.metric].unit
    found = _ranked(d)
    rows: list[dict[str, Any]] = []
    for key, label, value in found:
        row: dict[str, Any] = {}
        if q.group_by in TIME_GRAINS:
            row.update(label=bucket_label(q.group_by, key), start=key.isoformat())
        else:
            row["label"] = str(label if label is not None else "unknown")
            if DIMENSIONS[q.group_by].label_sql:
                row["id"] = str(key)
        row["value"] = round_value(value, unit)
        rows.append(row)
    dim = DIMENSIONS[q.group_by]
    values["group"] = dim.label
    if len(rows) > LISTED:
        values["more"] = f"{len(rows) - LISTED} more (every row is in the data)"
    if q.rank is not None:
        plural = PLURALS.get(q.group_by, q.group_by + "s") if len(rows) != 1 else q.group_by
        values["ranking"] = f"{q.rank} {len(rows)} {plural}" if len(rows) != 1 else f"{q.rank} {plural}"
    return ToolResult(
        tool="metric_top" if q.rank is not None else "metric_by",
        params=d.params,
        values=values,
        rows=rows,
        money=["value"] if unit == "money" else [],
        currency=d.currency,
    )


def _ranked(d: Draft) -> list[tuple[Any, ...]]:
    """The groups' rows, cut at the rank's limit; a tie across the cut is stated in ``values``.

    A ranking reads one group past the cut; when that one ties with the last listed, every group
    is read, so the tie is counted and stated."""
    q, unit = d.q, METRICS[d.q.metric].unit
    ranked = q.rank is not None and q.limit is not None
    found = d.rows(
        q.model_copy(update={"limit": q.limit + 1}) if ranked and q.limit is not None else q, q.period
    )
    if ranked and q.limit is not None and len(found) > q.limit and found[q.limit][2] == found[q.limit - 1][2]:
        found = d.rows(q.model_copy(update={"limit": None}), q.period)
    if ranked and q.limit is not None and len(found) > q.limit:
        cut = found[q.limit - 1][2]
        tied = sum(1 for _, _, v in found if v == cut)
        shown = sum(1 for _, _, v in found[: q.limit] if v == cut)
        if tied > shown:
            cut_text = (
                format_money(float(cut), d.currency) if unit == "money" else f"{round_value(cut, unit)}"
            )
            noun = PLURALS.get(q.group_by or "", (q.group_by or "") + "s")
            d.values["ties"] = f"{shown} of {tied} {noun} tied at {cut_text} are listed"
        found = found[: q.limit]
    return found


def _key_text(grain: str, key: Any, label: Any) -> str:
    if grain in TIME_GRAINS:
        return str(key.isoformat())
    return str(label if label is not None else "unknown")


def table(d: Draft) -> ToolResult:
    """Two group-bys: one row per pair of keys (``keys`` in the order the question names them)."""
    q, values = d.q, d.values
    unit = METRICS[q.metric].unit
    found = d.rows(q, q.period)
    if len(found) > MAX_GROUPS2:
        raise EcomInsightError(f"more than {MAX_GROUPS2} groups; narrow the period or the filters")
    one, two = q.group_by or "", q.then_by or ""
    rows: list[dict[str, Any]] = []
    for k1, l1, k2, l2, value in found:
        a, b = _key_text(one, k1, l1), _key_text(two, k2, l2)
        label = f"{bucket_label(one, k1) if one in TIME_GRAINS else a}, {bucket_label(two, k2) if two in TIME_GRAINS else b}"
        rows.append({"label": label, "key1": a, "key2": b, "value": round_value(value, unit)})
    values["group"] = f"{DIMENSIONS[one].label} and {DIMENSIONS[two].label}"
    if len(rows) > LISTED:
        values["more"] = f"{len(rows) - LISTED} more (every row is in the data)"
    return ToolResult(tool="metric_by", params=d.params, values=values, rows=rows,
                      money=["value"] if unit == "money" else [], currency=d.currency)  # fmt: skip
