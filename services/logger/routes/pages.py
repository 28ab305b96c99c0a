"""``GET /dashboard``: a page of plots over time, and ``GET /dashboard/data`` behind it.

The page and its scripts (``static/``: the page, its script and Chart.js, vendored with its
licence, so nothing comes from a CDN) hold no data and are public; the data needs the read
token like ``/stats``. The page sends the token it was given as ``?token=`` (then drops it from
the address bar) or asks for it when the logger answers 401/403, and keeps it for the tab only.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.params import Depends as DependsParam
from fastapi.responses import FileResponse, HTMLResponse

from services.logger.errors import BadFilter
from services.logger.service import LoggerService
from services.logger.stats import summary as stats
from services.logger.stats import timeline

STATIC = resources.files("services.logger") / "static"
ASSETS = {"dashboard.js": "text/javascript", "chart.umd.min.js": "text/javascript", "dashboard.css": "text/css",
          "LICENSE.chartjs.md": "text/markdown"}


def mount_dashboard(
    app: FastAPI, service: LoggerService, reader: list[DependsParam], filters: Callable[..., stats.Filters]
) -> None:
    """Add the page, its assets and its data route to the logger's app."""

    @app.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((STATIC / "dashboard.html").read_text(encoding="utf-8"))

    @app.get("/dashboard/static/{name}", include_in_schema=False)
    def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise HTTPException(404, f"no dashboard file {name!r}")
        return FileResponse(str(STATIC / name), media_type=ASSETS[name])

    @app.get("/dashboard/data", dependencies=reader)
    def data(
        bucket_seconds: Annotated[int | None, Query(ge=1, le=366 * 86400)] = None,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = 0.7,
        f: stats.Filters = Depends(filters),  # a default, not Annotated: ``filters`` is local here
    ) -> dict[str, Any]:
        try:
            with service.cursor() as cur:
                return timeline.get_timeline(cur, f, bucket_seconds, threshold)
        except BadFilter as exc:
            raise HTTPException(422, str(exc)) from exc
