"""The pages: ``GET /dashboard`` (plots over time) with ``GET /dashboard/data`` behind it, and
``GET /dashboard/review`` (the reviewers' page).

The pages and their scripts (``static/``: the pages, their scripts and Chart.js, vendored with
its licence, so nothing comes from a CDN) hold no data and are public; the data needs the read
token like ``/stats``. The dashboard sends the token it was given as ``?token=`` (then drops it
from the address bar) or asks for it when the logger answers 401/403, and keeps it for the tab
only.

The reviewers' page asks for the logger's admin token (and the ask service's admin key, for what
was learned), keeps them for the tab only (sessionStorage), and talks to two services:

- the logger: ``GET /review/queue`` (filters: shop, reason) and ``POST /review/{query_id}`` (a label);
- the ask service, straight from the browser (it allows the logger's origin with CORS:
  ``ECOMINSIGHT_ASK_CORS_ORIGINS``): ``POST /api/mcp/understand`` previews how a rephrasing is
  read before it is saved, ``GET /understanding`` shows each shop's learned words.

The ask service's address comes from ``ECOMINSIGHT_LOGGER_ASK_URL`` (``ecominsight up`` sets it).
"""

from __future__ import annotations

import html
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse

from services.logger.deps import READER, QueryFilters, Service, SettingsDep
from services.logger.stats import timeline

STATIC = resources.files("services.logger") / "static"
ASSETS = {"dashboard.js": "text/javascript", "chart.umd.min.js": "text/javascript", "dashboard.css": "text/css",
          "LICENSE.chartjs.md": "text/markdown"}  # fmt: skip

router = APIRouter()


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard() -> HTMLResponse:
    return HTMLResponse((STATIC / "dashboard.html").read_text(encoding="utf-8"))


@router.get("/dashboard/static/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, f"no dashboard file {name!r}")
    return FileResponse(str(STATIC / name), media_type=ASSETS[name])


@router.get("/dashboard/data", dependencies=READER)
def dashboard_data(
    service: Service,
    f: QueryFilters,
    bucket_seconds: Annotated[int | None, Query(ge=1, le=366 * 86400)] = None,
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
) -> dict[str, Any]:
    with service.cursor() as cur:
        return timeline.get_timeline(cur, f, bucket_seconds, threshold)


@router.get("/dashboard/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(settings: SettingsDep) -> HTMLResponse:
    page = (STATIC / "review.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("{{ASK_URL}}", html.escape(settings.ask_url.rstrip("/"), quote=True)))


@router.get("/dashboard/review.js", include_in_schema=False)
def review_script() -> FileResponse:
    return FileResponse(str(STATIC / "review.js"), media_type="text/javascript")
