"""The ask API's routes: ``POST /api/mcp/ask``, ``POST /api/mcp/understand``, ``POST
/api/mcp/feedback``, ``GET /catalog``, ``GET /understanding``, ``GET /health``. Each route is short: it resolves the shop from the caller's key, calls the
domain function and publishes the event."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request

from services.ask.answering import Refused, answer_request, clarification_of, clean, readable
from services.ask.keys import presented_key, resolve_shop
from services.ask.learning.store import LexiconStore
from services.ask.models import (
    AskRequest,
    AskResponse,
    FeedbackRequest,
    UnderstandRequest,
    UnderstandResponse,
)
from services.ask.semantic.catalog import catalogue
from services.ask.state import Services
from shared.events import FeedbackEvent


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
AuthorizationHeader = Annotated[str | None, Header(include_in_schema=False)]
ApiKeyHeader = Annotated[str | None, Header(alias="X-API-Key", description="the shop's API key")]

router = APIRouter()


def shop_of(s: Services, authorization: str | None, x_api_key: str | None, body_shop_id: str | None) -> str:
    """The caller's shop (the key decides), rate-limited per shop where keys are required (a
    local ``up`` without keys is not limited: its demo asks hundreds of questions at once);
    raises ``AuthError``."""
    key = presented_key(authorization, x_api_key)
    shop_id = resolve_shop(s.keys, key, clean(body_shop_id) if body_shop_id else None, s.keys_required)
    if s.keys_required:
        s.limiter.check(shop_id)
    return shop_id


@router.get("/health")
def health(s: ServicesDep) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "ok",
        "service": "ask",
        "parser": "semantic layer",
        "api_keys": s.keys_required,
    }
    if s.publisher is not None:
        body["events"] = {
            "published": s.publisher.published,
            "failures": s.publisher.failures,
            "last_error": s.publisher.last_error,
        }
    return body


@router.get("/catalog")
def metrics_catalog() -> dict[str, Any]:
    """What can be asked: every metric with its definition, group-bys, filters and examples."""
    return {"metrics": catalogue()}


@router.post("/api/mcp/ask", response_model=AskResponse)
def ask(
    body: AskRequest,
    s: ServicesDep,
    authorization: AuthorizationHeader = None,
    x_api_key: ApiKeyHeader = None,
) -> AskResponse:
    shop_id = shop_of(s, authorization, x_api_key, body.shop_id)
    try:
        answered = answer_request(s, shop_id, body.question, conversation_id=body.conversation_id)
    except Refused as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return answered.response


@router.post("/api/mcp/understand", response_model=UnderstandResponse)
def understand(
    body: UnderstandRequest,
    s: ServicesDep,
    authorization: AuthorizationHeader = None,
    x_api_key: ApiKeyHeader = None,
) -> UnderstandResponse:
    """How the question would be read, without computing or logging it: what a reviewer labels
    with (``ecominsight review label --as``) and an app can check before asking."""
    shop_id = shop_of(s, authorization, x_api_key, body.shop_id)
    question = clean(body.question)
    try:
        readable(s, shop_id, question)
    except Refused as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    u = s.layer.understand(question, shop_id, body.asked_on)
    return UnderstandResponse(
        understood=u.interpretation is not None,
        interpretation=u.interpretation,
        clarification=None if u.interpretation is not None else clarification_of(u),
        lexicon_version=s.layer.lexicon.version,
    )


@router.get("/understanding")
def understanding(s: ServicesDep) -> dict[str, Any]:
    """The learned lexicon that serves, the last proposal with both accuracies, and the lineage."""
    store = LexiconStore(s.settings.paths.understanding)
    body = (
        s.learner.describe()
        if s.learner is not None
        else {"version": s.layer.lexicon.version, "learning": "off"}
    )
    return {**body, "history": store.history()[-20:]}


@router.post("/api/mcp/feedback", status_code=202)
def feedback(
    body: FeedbackRequest,
    s: ServicesDep,
    authorization: AuthorizationHeader = None,
    x_api_key: ApiKeyHeader = None,
) -> dict[str, Any]:
    """A rating of an answer, optionally with the answer as you want it worded (``correction``).

    Feedback counts only for a logged query of the same shop, and only the last rating of a query
    counts; the logger checks both when it stores the feedback."""
    key = presented_key(authorization, x_api_key)
    shop_id = (
        shop_of(s, authorization, x_api_key, body.shop_id) if key or body.shop_id or s.keys_required else None
    )
    event = FeedbackEvent(
        query_id=body.query_id,
        rating=body.feedback,
        comment=body.comment,
        correction=clean(body.correction) if body.correction else None,
        shop_id=shop_id,
    )
    s.publish(s.settings.kafka.topic_feedback, event, body.query_id)
    return {"status": "accepted", "query_id": body.query_id, "event_id": str(event.event_id)}
