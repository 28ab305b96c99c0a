"""``GET /dashboard/review``: the reviewers' page (``static/review.html`` and ``review.js``).

Like the dashboard, the page holds no data and is public. In the browser it asks for the
logger's admin token (and the ask service's admin key, for what was learned), keeps them for
the tab only (sessionStorage), and talks to two services:

- the logger: ``GET /review/queue`` (filters: shop, reason) and ``POST /review/{query_id}`` (a label);
- the ask service, straight from the browser (it allows the logger's origin with CORS:
  ``ECOMINSIGHT_ASK_CORS_ORIGINS``): ``POST /api/mcp/understand`` previews how a rephrasing is
  read before it is saved, ``GET /understanding`` shows each shop's learned words.

The ask service's address comes from ``ECOMINSIGHT_LOGGER_ASK_URL`` (``ecominsight up`` sets it).
"""

from __future__ import annotations

import html

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse

from services.logger.routes.pages import STATIC
from services.logger.settings import Settings


def mount_review_page(app: FastAPI, settings: Settings) -> None:
    """Add ``GET /dashboard/review`` and its script to the logger's app."""

    @app.get("/dashboard/review", response_class=HTMLResponse, include_in_schema=False)
    def review_page() -> HTMLResponse:
        page = (STATIC / "review.html").read_text(encoding="utf-8")
        return HTMLResponse(
            page.replace("{{ASK_URL}}", html.escape(settings.ask_url.rstrip("/"), quote=True))
        )

    @app.get("/dashboard/review.js", include_in_schema=False)
    def review_script() -> FileResponse:
        return FileResponse(str(STATIC / "review.js"), media_type="text/javascript")
