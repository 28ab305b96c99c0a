"""The ask API's routes: ``POST /api/mcp/ask``, ``POST /api/mcp/understand``, ``POST
/api/mcp/feedback``, ``GET /catalog``, ``GET /understanding`` (and a reviewer's ``POST
/understanding/promote`` and ``/revoke``), ``GET /health``; the owner's own statistics and history
are in ``owner.py``. Each route is short: it resolves the shop from the caller's key, calls the
domain function and publishes the event."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from services.ask.access import CredentialsDep
from services.ask.answering import Refused, answer_request, clarification_of, clean, readable
from services.ask.errors import AuthError
from services.ask.keys import check_shop_id
from services.ask.learning.decisions import Decisions
from services.ask.learning.store import LexiconStore
from services.ask.schemas import (
    AskRequest,
    AskResponse,
    FeedbackRequest,
    PromoteRequest,
    RevokeRequest,
    UnderstandRequest,
    UnderstandResponse,
)
from services.ask.semantic.catalog import capabilities, catalogue
from services.ask.semantic.lexicon import EVERY_SHOP
from services.ask.state import Services
from shared.events import FeedbackEvent


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

router = APIRouter()


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
    return {"metrics": catalogue(), "capabilities": capabilities()}


@router.post("/api/mcp/ask", response_model=AskResponse)
def ask(body: AskRequest, s: ServicesDep, who: CredentialsDep) -> AskResponse:
    shop_id = who.shop(s, body.shop_id)
    try:
        answered = answer_request(s, shop_id, body.question, conversation_id=body.conversation_id)
    except Refused as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return answered.response


@router.post("/api/mcp/understand", response_model=UnderstandResponse)
def understand(body: UnderstandRequest, s: ServicesDep, who: CredentialsDep) -> UnderstandResponse:
    """How the question would be read, without computing or logging it: what a reviewer labels
    with (``ecominsight review label --as``) and an app can check before asking."""
    caller = who.caller(s)
    if caller is not None and caller.admin:  # a reviewer's dry run for any shop: it reads no data
        if body.shop_id is None:
            raise HTTPException(422, "shop_id is required with an admin key")
        shop_id = check_shop_id(clean(body.shop_id))
    else:
        shop_id = who.shop(s, body.shop_id)
    question = clean(body.question)
    try:
        readable(s, shop_id, question)
    except Refused as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    u = s.layer.understand(question, shop_id, body.asked_on, s.layer.lexicon.for_shop(shop_id))
    return UnderstandResponse(
        understood=u.interpretation is not None,
        interpretation=u.interpretation,
        clarification=None if u.interpretation is not None else clarification_of(u),
        lexicon_version=s.layer.lexicon.version,
    )


@router.get("/understanding")
def understanding(
    s: ServicesDep,
    who: CredentialsDep,
    shop_id: Annotated[str | None, Query(max_length=64, description="without keys: the shop to show")] = None,
) -> dict[str, Any]:
    """With the admin key: the learned lexicon of every shop, the words reviewers revoked (who,
    when, why), the last proposal with both accuracies and the lineage (questions and query ids of
    every shop). With a shop's key: the words that shop reads with (its own and those promoted to
    every shop) and its revoked words, nothing else."""
    caller = who.caller(s)
    if caller is not None and caller.admin:
        store = LexiconStore(s.settings.paths.understanding)
        serving = s.layer.lexicon
        body = (
            s.learner.describe()
            if s.learner is not None
            else {
                "version": serving.version,
                "learning": "off",
                "learned": [e.model_dump() for e in serving.phrases],
                "ruled_out_of_scope": [e.model_dump() for e in serving.refusals],
            }
        )
        revoked = [r.model_dump(mode="json") for r in store.revocations()]  # who revoked what, when, why
        return {**body, "revoked": revoked, "history": store.history()[-20:]}
    if caller is None and shop_id is None:
        raise AuthError("GET /understanding needs the admin key, or a shop's key for its own lexicon", 401)
    shop = who.shop(s, shop_id)
    lexicon = s.layer.lexicon.for_shop(shop)
    return {
        "shop_id": shop,
        "version": lexicon.version,
        "learned": [
            {"phrase": e.phrase, "means": e.means, "for": "every shop" if e.shop_id != shop else "this shop"}
            for e in lexicon.phrases
        ],
        "ruled_out_of_scope": [{"question": r.phrase, "reason": r.means} for r in lexicon.refusals if r.shop_id == shop],
        "revoked": [
            {"phrase": r.phrase, "reason": r.reason}
            for r in LexiconStore(s.settings.paths.understanding).revocations()
            if r.shop_id == shop
        ],
    }


def reviewer_decisions(s: ServicesDep, who: CredentialsDep) -> Decisions:
    """A reviewer's decisions on the serving lexicon (``learning/decisions.py``): the admin key
    only; under the learner's lock when it runs."""
    caller = who.caller(s)
    if caller is None or not caller.admin:
        raise AuthError("promoting or revoking a learned word needs the admin key", 403 if caller else 401)
    if s.learner is not None:
        return s.learner.decisions
    return Decisions(s.layer, LexiconStore(s.settings.paths.understanding))


ReviewerDep = Annotated[Decisions, Depends(reviewer_decisions)]


@contextmanager
def answered_as_http(missing: str) -> Iterator[None]:
    """An unknown word (``KeyError``) answers 404 with ``missing`` (its ``{}`` is the word); a
    conflict (``ValueError``) 409."""
    try:
        yield
    except KeyError as exc:
        raise HTTPException(404, missing.format(repr(exc.args[0]))) from exc
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from exc


def words_of(phrase: str) -> str:
    words = " ".join(clean(phrase).lower().split())
    if not words:
        raise HTTPException(422, "phrase: the learned word, not blank")
    return words


@router.post("/understanding/promote")
def promote(body: PromoteRequest, decide: ReviewerDep) -> dict[str, Any]:
    """A reviewer's explicit choice (admin key): a phrase some shop learned serves every shop."""
    phrase = words_of(body.phrase)
    with answered_as_http("no shop has learned {}"):
        lexicon = decide.promote(phrase, body.reviewer)
    entry = next(e for e in lexicon.promoted() if e.phrase == phrase)
    return {"version": lexicon.version, "phrase": entry.phrase, "means": entry.means, "for": "every shop"}


@router.post("/understanding/revoke")
def revoke(body: RevokeRequest, decide: ReviewerDep) -> dict[str, Any]:
    """A reviewer's explicit choice (admin key): a shop stops reading a learned word now, and the
    labels given before stop teaching it (a label given later may teach it again: ``revocations.py``)."""
    shop = clean(body.shop_id)
    shop = shop if shop == EVERY_SHOP else check_shop_id(shop)
    phrase = words_of(body.phrase)
    missing = "{} is not promoted to every shop" if shop == EVERY_SHOP else f"shop {shop} has not learned {{}}"
    with answered_as_http(missing):
        revoked = decide.revoke(shop, phrase, body.reviewer, clean(body.reason) if body.reason else None)
    return {"version": decide.layer.lexicon.version, **revoked.model_dump(mode="json", exclude={"support"})}


@router.post("/api/mcp/feedback", status_code=202)
def feedback(body: FeedbackRequest, s: ServicesDep, who: CredentialsDep) -> dict[str, Any]:
    """A rating of an answer, optionally with the answer as you want it worded (``correction``).

    Feedback counts only for a logged query of the same shop, and only the last rating of a query
    counts; the logger checks both when it stores the feedback. The event names the key that
    rated (``key_id``; none without a key in a local run)."""
    key = who.key
    shop_id = who.shop(s, body.shop_id) if key or body.shop_id or s.keys_required else None
    caller = s.keys.identify(key) if key else None  # valid: who.shop checked it
    event = FeedbackEvent(
        key_id=caller.key_id if caller else None,
        query_id=body.query_id,
        rating=body.feedback,
        comment=body.comment,
        correction=clean(body.correction) if body.correction else None,
        shop_id=shop_id,
    )
    s.publish(s.settings.kafka.topic_feedback, event, body.query_id)
    return {"status": "accepted", "query_id": body.query_id, "event_id": str(event.event_id)}
