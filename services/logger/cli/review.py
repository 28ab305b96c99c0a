"""``ecominsight review``: the reviewer's side of the review queue.

    ecominsight review list [--shop 11] [--limit 20]
    ecominsight review label QUERY_ID --as "revenue last month"      # the query it meant
    ecominsight review label QUERY_ID --out-of-scope "footfall is not in the data"
    ecominsight review status                                         # what the ask service learned

``--as`` is the easy way to give an interpretation: the reviewer writes the question the way the
ask service understands it, the ask service reads it (``POST /api/mcp/understand``, as on the day
the original was asked, computing and logging nothing) and that reading becomes the label. The
label goes to the logger (admin token); the ask service picks it up within its poll interval.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from services.logger.client import LogClient
from services.logger.errors import ReviewError
from services.logger.settings import Settings
from shared.local_secrets import local_secret


def _ask(settings: Settings, url: str, body: dict[str, Any] | None = None) -> Any:
    """A call to the ask service (over HTTP: services never import each other); GET without a body."""
    # the ask API's admin key (ecominsight keys create --admin); for the local `up`, the one it made
    given = settings.ask_admin_key.get_secret_value() if settings.ask_admin_key else None
    key = given or (
        local_secret(settings.paths.data_dir, "ask_admin_key") if url.startswith(settings.ask_url) else None
    )
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        resp = (
            httpx.post(url, json=body, headers=headers, timeout=30.0)
            if body is not None
            else httpx.get(url, headers=headers, timeout=30.0)
        )
    except httpx.HTTPError as exc:
        raise ReviewError(f"cannot reach {url}: {exc}") from exc
    if resp.status_code >= 400:
        raise ReviewError(f"{resp.status_code} from {url}: {resp.text}")
    return resp.json()


def interpretation_for(
    settings: Settings, ask_url: str, shop_id: str, asked_at: str, rephrased: str
) -> dict[str, Any]:
    """The ask service's reading of ``rephrased`` as on the day the question was asked."""
    body = {"shop_id": shop_id, "question": rephrased, "asked_on": asked_at[:10]}
    read = _ask(settings, f"{ask_url.rstrip('/')}/api/mcp/understand", body)
    if not read["understood"]:
        c = read["clarification"] or {}
        raise ReviewError(
            f"the ask service does not understand {rephrased!r} either (could not use {c.get('unused')}); "
            "rephrase it with the catalogue's words (GET /catalog)"
        )
    interpretation: dict[str, Any] = read["interpretation"]
    return interpretation


def label_query(
    settings: Settings, query_id: str, *, rephrased: str | None = None, out_of_scope: str | None = None,
    interpretation: dict[str, Any] | None = None, reviewer: str | None = None, ask_url: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Label one logged query; returns the label as stored, with what it was read as."""
    client = LogClient(settings)
    found = client.query(query_id)
    body: dict[str, Any] = {"reviewer": reviewer}
    if out_of_scope is not None:
        body.update(out_of_scope=True, reason=out_of_scope)
    else:
        if interpretation is None:
            assert rephrased is not None
            url = ask_url or settings.ask_url
            interpretation = interpretation_for(settings, url, found["shop_id"], found["asked_at"], rephrased)
        body["interpretation"] = interpretation
    stored = client.label(query_id, body)
    return {**stored, "label": body.get("interpretation"), "out_of_scope": body.get("out_of_scope", False)}


def _list(args: argparse.Namespace) -> int:
    items = LogClient().review_queue(args.shop, args.limit)
    if args.json:
        print(json.dumps(items, indent=2))
        return 0
    table = Table(title=f"Review queue ({len(items)} questions)")
    for col in ("query_id", "shop", "why", "times", "question", "answer"):
        table.add_column(col, overflow="fold")
    for it in items:
        table.add_row(
            it["query_id"], it["shop_id"], it["why"], str(it["times"]), it["question"], it["answer"][:120]
        )
    Console().print(table)
    return 0


def _label(args: argparse.Namespace) -> int:
    interpretation = json.loads(args.interpretation) if args.interpretation else None
    settings = Settings()
    stored = label_query(
        settings, args.query_id, rephrased=args.rephrased, out_of_scope=args.out_of_scope,
        interpretation=interpretation, reviewer=args.reviewer or settings.reviewer, ask_url=args.ask_url,
    )  # fmt: skip
    if stored["out_of_scope"]:
        print(f"labelled {args.query_id} ({stored['question']!r}) out of scope")
    else:
        label = stored["label"]
        period = (label.get("period") or {}).get("label") or "all time"
        print(f"labelled {args.query_id} ({stored['question']!r}) as {label['metric']}"
              f"{' by ' + label['group_by'] if label.get('group_by') else ''}, {period}")  # fmt: skip
    return 0


def _status(args: argparse.Namespace) -> int:
    settings = Settings()
    state = _ask(settings, f"{(args.ask_url or settings.ask_url).rstrip('/')}/understanding")
    if args.json:
        print(json.dumps(state, indent=2))
        return 0
    print(f"serving lexicon: {state['version']} ({len(state.get('learned', []))} learned phrases)")
    for e in state.get("learned", []):
        print(f"  {e['phrase']!r} -> {e['means']!r}  (from {len(e['support'])} labels)")
    table = Table(title="Lineage: every proposal, adopted or not")
    for col in ("at", "candidate", "adopted", "held-out", "before", "after", "reasons"):
        table.add_column(col, overflow="fold")
    for h in state.get("history", []):
        table.add_row(h["at"][:19], h["candidate"], "yes" if h["adopted"] else "no", str(h["held_out_labels"]),
                      f"{h['understanding_accuracy_before']:.3f}", f"{h['understanding_accuracy_after']:.3f}",
                      "; ".join(h["reasons"]))  # fmt: skip
    Console().print(table)
    return 0


def register(sub: Any) -> None:
    review = sub.add_parser(
        "review", help="the review queue: list questions to label, label them, see what was learned"
    )
    rsub = review.add_subparsers(dest="review_command", required=True)
    p = rsub.add_parser(
        "list", help="failed, low-confidence and negatively rated questions nobody labelled yet"
    )
    p.add_argument("--shop", default=None)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)
    p = rsub.add_parser("label", help="label a logged query with what it meant, or as out of scope")
    p.add_argument("query_id")
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--as", dest="rephrased", help="the question as the ask service understands it")
    kind.add_argument(
        "--out-of-scope", metavar="REASON", help="the question asks for data the shop does not hold"
    )
    kind.add_argument("--interpretation", metavar="JSON", help="the structured query itself")
    p.add_argument("--reviewer", default=None, help="who labels (default: ECOMINSIGHT_LOGGER_REVIEWER or USER)")
    p.add_argument("--ask-url", default=None, help="the ask service (default: the logger's ask_url setting)")
    p.set_defaults(func=_label)
    p = rsub.add_parser(
        "status", help="the learned lexicon that serves and its lineage (from the ask service)"
    )
    p.add_argument("--ask-url", default=None, help="the ask service (default: the logger's ask_url setting)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_status)
