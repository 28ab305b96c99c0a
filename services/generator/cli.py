"""``ecominsight generator`` (serve) and ``ecominsight model list|promote|rollback|canary``.

``promote`` and ``rollback`` move the registry's CURRENT pointer and publish ``ModelReady`` on
``kafka.topic_models``, so every generator replica loads that version. ``promote template``, and
a rollback past the first promoted version, restore the template phrasing (``ModelReady`` with
version ``template``: replicas unload their model). Both end any canary.

``canary VERSION --fraction F`` writes ``canary.json`` in the registry (``canary.py``) and
publishes ``ModelReady`` with ``canary_fraction=F``: every replica loads VERSION beside the
serving one and gives it that share of each shop's requests; ``canary --stop`` removes the file
and publishes ``canary_fraction=0``. ``canary --decide`` applies the canary policy
(``policy.py``) to the logger's statistics since the canary started and prints the verdict; with
``--apply`` it promotes the canary or stops it accordingly (exit 0 only for a promotion).
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from services.generator.canary import Canary, end_canary, read_canary, start_canary
from services.generator.errors import GeneratorError
from services.generator.policy import decide
from services.generator.settings import Settings
from shared.errors import BrokerError
from shared.events import ModelReady
from shared.kafka import EventProducer
from shared.logger_client import LoggerApiError
from shared.registry import TEMPLATE, ModelMeta, ModelRegistry, RegistryError


def serve(settings: Settings) -> int:
    import uvicorn

    from services.generator.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


def _serve(args: argparse.Namespace) -> int:
    overrides: dict[str, Any] = {}
    for key in ("host", "port", "model", "device"):
        if getattr(args, key, None) is not None:
            overrides[key] = getattr(args, key)
    return serve(Settings(**overrides))


def model_ready(registry: ModelRegistry, meta: ModelMeta) -> ModelReady:
    return ModelReady.from_metadata(meta, registry.path(meta.version), source="ecominsight-cli")


def publish_ready(
    settings: Settings, registry: ModelRegistry, meta: ModelMeta | None, canary_fraction: float | None = None
) -> None:
    """Tell every generator replica to serve ``meta.version`` (None: the template), or with
    ``canary_fraction`` to serve it as the canary at that fraction (0: no canary)."""
    event = ModelReady.template("ecominsight-cli") if meta is None else model_ready(registry, meta)
    if canary_fraction is not None:
        event = event.model_copy(update={"canary_fraction": canary_fraction})
    what = f"the canary ({canary_fraction:g})" if canary_fraction is not None else "CURRENT"
    try:
        with EventProducer(settings.kafka, client_id="ecominsight-model-cli") as producer:
            producer.publish_sync(settings.kafka.topic_models, event, key="model")
    except BrokerError as exc:
        raise BrokerError(
            f"{event.version} is now {what} in {registry.root}, but running generators were not told: {exc} "
            f"(they load it on restart, or run the command again once Kafka is up)"
        ) from exc


def _list(args: argparse.Namespace) -> int:
    registry = ModelRegistry(Settings().paths.models)
    versions = registry.versions()
    canary = read_canary(registry)
    if args.json:
        current = registry.current_version()
        listed = [
            {
                **m.model_dump(mode="json"),
                "current": m.version == current,
                "canary_fraction": canary.fraction if canary and canary.version == m.version else None,
            }
            for m in versions
        ]
        print(json.dumps(listed, indent=2))
        return 0
    if not versions:
        print(f"no model versions in {registry.root}")
        return 0
    current = registry.current_version()
    print(f"{'':2}{'version':<9} {'status':<10} {'base':<22} {'parent':<8} {'created (UTC)':<17} metrics")
    for m in versions:
        mark = "* " if m.version == current else "~ " if canary and m.version == canary.version else "  "
        metrics = ", ".join(
            f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in m.metrics.items()
        )
        shown = ("fact_accuracy", "invented_number_rate", "preference_match")
        if m.baseline_metrics:  # the gain and what the serving model scored on the same examples
            metrics += f" | vs {m.metrics.get('baseline', 'serving')}: " + ", ".join(
                f"{k}={m.baseline_metrics[k]:.3g}" for k in shown if k in m.baseline_metrics
            )
        created = m.created_at.strftime("%Y-%m-%d %H:%M")
        print(
            f"{mark}{m.version:<9} {m.status:<10} {m.base_model[:22]:<22} {m.parent_version or '-':<8} "
            f"{created:<17} {metrics or '-'}"
        )
    if canary:
        print(
            f"(~ = canary, phrasing {canary.fraction:.0%} of each shop's requests since {canary.started_at:%Y-%m-%d %H:%M})"
        )
    if current:
        print("(* = current, served by the generators)")
    elif registry.serves_template():
        print("(the template phrasing is serving: `model promote VERSION` serves a version)")
    else:
        print("(no version promoted: generators use settings.model)")
    return 0


def _promote(args: argparse.Namespace) -> int:
    settings = Settings()
    registry = ModelRegistry(settings.paths.models)
    meta = None if args.version == TEMPLATE else registry.promote(args.version)
    if meta is None:
        registry.promote_template()
    ended = end_canary(registry)
    publish_ready(settings, registry, meta)
    print(f"promoted {args.version}; ModelReady published on {settings.kafka.topic_models}{_ended(ended)}")
    return 0


def _ended(canary: Canary | None) -> str:
    return f" (the canary of {canary.version} ended)" if canary else ""


def _rollback(args: argparse.Namespace) -> int:
    settings = Settings()
    registry = ModelRegistry(settings.paths.models)
    meta = registry.rollback()
    ended = end_canary(registry)
    publish_ready(settings, registry, meta)
    print(
        f"rolled back to {meta.version if meta else TEMPLATE}; ModelReady published on "
        f"{settings.kafka.topic_models}{_ended(ended)}"
    )
    return 0


def _canary(args: argparse.Namespace) -> int:
    settings = Settings()
    registry = ModelRegistry(settings.paths.models)
    if args.decide:
        if args.version is not None or args.stop:
            raise RegistryError("--decide takes no VERSION and no --stop")
        return _decide(settings, registry, args.apply)
    if args.stop:
        if args.version is not None:
            raise RegistryError("give either VERSION (start a canary) or --stop, not both")
        ended = end_canary(registry)
        publish_ready(settings, registry, registry.get(ended.version) if ended else None, canary_fraction=0.0)
        print(
            f"{f'stopped the canary of {ended.version}' if ended else 'no canary was running'}; "
            f"ModelReady published on {settings.kafka.topic_models}"
        )
        return 0
    if args.version is None:
        raise RegistryError("give the VERSION to serve as the canary (or --stop)")
    canary = start_canary(registry, args.version, args.fraction)
    publish_ready(settings, registry, registry.get(canary.version), canary_fraction=canary.fraction)
    print(
        f"canary {canary.version} phrases {canary.fraction:.0%} of each shop's requests beside "
        f"{canary.base or 'the base model'}; ModelReady published on {settings.kafka.topic_models}"
    )
    return 0


def logged_versions(settings: Settings, since: datetime) -> dict[str, Any]:
    """The logger's per-version statistics since ``since`` (``GET /stats``, over HTTP: services
    talk to each other through their APIs, never by importing each other)."""
    logger = settings.logger_client(timeout_s=30.0)
    try:
        stats = logger.stats(since=since.isoformat())
    except LoggerApiError as exc:
        raise GeneratorError(f"cannot read the logger's statistics at {logger.base_url}/stats: {exc}") from exc
    versions: dict[str, Any] = stats["versions"]
    return versions


def _decide(settings: Settings, registry: ModelRegistry, apply: bool) -> int:
    canary = read_canary(registry)
    if canary is None:
        raise RegistryError(f"no canary in force in {registry.root} (`model canary VERSION` starts one)")
    base = canary.base or TEMPLATE
    versions = logged_versions(settings, canary.started_at)
    decision = decide(settings, versions, canary.version, base)
    print(
        f"canary {canary.version} vs {base} (logs since {canary.started_at:%Y-%m-%d %H:%M} UTC, {settings.logger_url}):"
    )
    print(f"{decision.verdict}: " + "; ".join(decision.reasons))
    if apply and decision.verdict == "promote":
        publish_ready(settings, registry, registry.promote(canary.version))
        end_canary(registry)
        print(f"promoted {canary.version}; ModelReady published on {settings.kafka.topic_models}")
    elif apply and decision.verdict == "stop":
        end_canary(registry)
        publish_ready(settings, registry, registry.get(canary.version), canary_fraction=0.0)
        print(
            f"stopped the canary of {canary.version}; ModelReady published on {settings.kafka.topic_models}"
        )
    return 0 if decision.verdict == "promote" else 1


def register(sub: Any) -> None:
    gen = sub.add_parser("generator", help="serve the answer generator (POST /generate)")
    gen.add_argument("--host")
    gen.add_argument("--port", type=int)
    gen.add_argument("--model", help="hub id or folder used when no version is promoted")
    gen.add_argument("--device")
    gen.set_defaults(func=_serve)

    model = sub.add_parser("model", help="the model registry: list, promote, rollback, canary")
    msub = model.add_subparsers(dest="model_command", required=True, metavar="ACTION")
    ls = msub.add_parser("list", help="versions with metrics; the current one is marked *")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=_list)
    promote = msub.add_parser(
        "promote",
        help="serve VERSION on every generator (publishes ModelReady); 'template' restores the template",
    )
    promote.add_argument("version")
    promote.set_defaults(func=_promote)
    rollback = msub.add_parser(
        "rollback", help="serve the previously promoted version again (the template before the first one)"
    )
    rollback.set_defaults(func=_rollback)
    canary = msub.add_parser(
        "canary",
        help="serve VERSION to a fraction of each shop's requests beside the current one (--stop ends it)",
    )
    canary.add_argument("version", nargs="?", help="a registered version that is not the current one")
    canary.add_argument(
        "--fraction", type=float, default=0.1, help="share of each shop's requests, in (0, 1]"
    )
    canary.add_argument(
        "--stop", action="store_true", help="end the canary: the current version phrases everything"
    )
    canary.add_argument(
        "--decide",
        action="store_true",
        help="the canary policy's verdict from the logs: promote, stop or wait",
    )
    canary.add_argument("--apply", action="store_true", help="with --decide: promote or stop as decided")
    canary.set_defaults(func=_canary)
