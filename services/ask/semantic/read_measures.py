"""The reading of measures: which metric the question asks for ("revenue", "refund rate",
"average order value", "the 90th percentile"), as a ratio ("refunds per order") or a share of
the total, and the single order row behind an extreme ("who placed my biggest order")."""

from __future__ import annotations

import re

from services.ask.semantic.catalog import METRICS, PERCENTILES
from services.ask.semantic.metric_phrases import RATIOS
from services.ask.semantic.read_groups import set_group
from services.ask.semantic.reading import Reading, Refuse


def read_special(r: Reading, name: str, m: re.Match[str]) -> None:
    words = m.group(0)
    if name == "orders:customer":
        r.metric("orders", words)
        r.group_by, r.rank = "customer", "top"
        r.limit = 5 if re.search(r"customers\b", words) else 1
    elif name == "not_bought":
        r.not_bought = True
        r.understood.append(f"customers without purchases ({words.strip()})")
    elif name == "inactive":
        r.metric("inactive_customers", words)
    else:
        r.metric(name, words)


def read_simple(r: Reading, name: str, m: re.Match[str]) -> None:
    words = m.group(0)
    if name == "orders:qualifier":  # "revenue from orders over $200": orders only if nothing else
        r.qualified = True
        return
    r.metric(name, words)


def read_compound(r: Reading, name: str, m: re.Match[str]) -> None:
    words = m.group(0)
    if name == "units_sold:products":
        r.metric("units_sold", words)
        r.rank, r.limit = "top", 5
        set_group(r, "product", words)
        return
    if name == "units_sold:top":
        r.metric("units_sold", words)
        r.rank = r.rank or "top"
        return
    r.metric(name, words)


def read_ratio(r: Reading, m: re.Match[str]) -> None:
    pair = RATIOS.get((m.group("a2"), m.group("b2")))
    if pair is None or r.per is not None:
        raise Refuse("unclear", f"I could not read {m.group(0).strip()!r} as one ratio of two metrics.")
    r.metric(pair[0], m.group(0))
    r.per = pair[1]
    r.understood.append(f"divided by {METRICS[pair[1]].label.lower()}")


def read_share(r: Reading, m: re.Match[str]) -> None:
    if r.share:
        raise Refuse("unclear", "The question asks for a share twice; ask for one share at a time.")
    r.share = True
    r.understood.append(f"as a share of the total ({m.group(0).strip()})")


def read_percentile(r: Reading, m: re.Match[str]) -> None:
    p = int(m.group("p") or m.group("p2"))
    name = "median_order_value" if p == 50 else f"p{p}_order_value"
    if name not in METRICS:
        raise Refuse(
            "unclear",
            f"I can compute the median and the percentiles {', '.join(str(x) for x in PERCENTILES)} of order value.",
        )
    r.metric(name, m.group(0))


def read_row(r: Reading, m: re.Match[str]) -> None:
    x = re.sub(r"\s+", " ", m.group("x"))
    name = {
        "biggest": "largest_order_row", "largest": "largest_order_row", "highest": "largest_order_row",
        "most expensive": "largest_order_row", "smallest": "smallest_order_row", "lowest": "smallest_order_row",
        "cheapest": "smallest_order_row", "first": "first_order", "earliest": "first_order",
        "last": "last_order", "latest": "last_order", "most recent": "last_order",
    }[x]  # fmt: skip
    r.metric(name, m.group(0))
