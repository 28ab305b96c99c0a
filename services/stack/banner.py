"""What ``ecominsight up`` prints once the stack is healthy: where each part is, example
questions to ask, whether API keys are required, and the data folder's secrets (shown once)."""

from __future__ import annotations

import httpx

from services.stack.launcher import Stack
from services.stack.secrets import secrets_path

EXAMPLES = (
    ("How many orders do I have?", "orders"),
    ("Top 5 customers by spending", "customers"),
    ("What was my revenue last month?", "revenue"),
)


def review_page(logger_url: str) -> bool:
    """Whether the running logger serves the reviewers' page ``/dashboard/review``."""
    try:
        return httpx.get(f"{logger_url}/dashboard/review", timeout=5.0).status_code != 404
    except httpx.HTTPError:
        return False


def banner(stack: Stack, review: bool | None = None) -> str:
    """What ``up`` prints once everything is healthy: where each part is and the truth about keys."""
    if review is None:
        review = review_page(stack.url("logger"))
    ask, logger = stack.url("ask"), stack.url("logger")
    keys = stack.keys_required
    lines = ["", "EcomInsight is up. Try:", ""]
    auth = " -H 'Authorization: Bearer <shop key>'" if keys else ""
    shop = "" if keys else '"shop_id": "10", '
    for question, _ in EXAMPLES:
        lines.append(
            f"  curl -s -X POST {ask}/api/mcp/ask -H 'Content-Type: application/json'{auth} "
            f"-d '{{{shop}\"question\": \"{question}\"}}'"
        )
    lines += [
        "",
        f"API docs: {ask}/docs   MCP endpoint: {ask}/mcp/   model: {stack.url('generator')}/model",
        f"dashboard: {logger}/dashboard" + (f"   review page: {logger}/dashboard/review" if review else ""),
    ]
    if keys:
        lines.append(
            "API keys: required. Create one per shop: ecominsight keys create --shop 10 "
            "(an owner reads /api/mcp/stats and /api/mcp/queries with it)."
        )
    else:
        lines.append(
            "API keys: not required in this local run (a request names its shop_id); "
            "`ecominsight up --api-keys` requires them, as every deployment does."
        )
    where = secrets_path(stack.data_dir)
    if stack.secrets_created:
        t = stack.secrets
        lines += [
            f"Secrets of this data folder, shown once (kept in {where}, mode 0600):",
            f"  logger admin token: {t.logger_admin_token}",
            f"  logger read token:  {t.logger_read_token}   (the dashboard asks for it)",
            f"  ask admin key:      {t.ask_admin_key}   (GET /understanding, MCP run_sql)",
        ]
    else:
        lines.append(f"Tokens and the admin key of this data folder: {where} (mode 0600; printed when made).")
    lines += ["Drive the learning loop: ecominsight demo    Stop: Ctrl-C", ""]
    return "\n".join(lines)


def print_banner(stack: Stack) -> None:
    print(banner(stack), flush=True)
