"""``ecominsight generator`` (serve) and ``ecominsight model list|promote|rollback``.

``promote`` and ``rollback`` move the registry's CURRENT pointer and publish ``ModelReady`` on
``kafka.topic_models``, so every generator replica loads that version. ``promote template``, and
a rollback past the first promoted version, restore the template phrasing (``ModelReady`` with
version ``template``: replicas unload their model).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from services.generator.settings import Settings
from shared.errors import BrokerError
from shared.events import ModelReady
from shared.kafka import EventProducer
from shared.registry import TEMPLATE, ModelMeta, ModelRegistry


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


def publish_ready(settings: Settings, registry: ModelRegistry, meta: ModelMeta | None) -> None:
    """Tell every generator replica to serve ``meta.version`` (None: the template)."""
    event = ModelReady.template("ecominsight-cli") if meta is None else model_ready(registry, meta)
    try:
        with EventProducer(settings.kafka, client_id="ecominsight-model-cli") as producer:
            producer.publish_sync(settings.kafka.topic_models, event, key="model")
    except BrokerError as exc:
        raise BrokerError(
            f"{event.version} is now CURRENT in {registry.root}, but running generators were not told: {exc} "
            f"(they load it on restart, or run the command again once Kafka is up)"
        ) from exc


def _list(args: argparse.Namespace) -> int:
    registry = ModelRegistry(Settings().paths.models)
    versions = registry.versions()
    if args.json:
        current = registry.current_version()
        print(
            json.dumps(
                [{**m.model_dump(mode="json"), "current": m.version == current} for m in versions], indent=2
            )
        )
        return 0
    if not versions:
        print(f"no model versions in {registry.root}")
        return 0
    current = registry.current_version()
    print(f"{'':2}{'version':<9} {'status':<10} {'base':<22} {'parent':<8} {'created (UTC)':<17} metrics")
    for m in versions:
        mark = "* " if m.version == current else "  "
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
    publish_ready(settings, registry, meta)
    print(f"promoted {args.version}; ModelReady published on {settings.kafka.topic_models}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    settings = Settings()
    registry = ModelRegistry(settings.paths.models)
    meta = registry.rollback()
    publish_ready(settings, registry, meta)
    print(
        f"rolled back to {meta.version if meta else TEMPLATE}; ModelReady published on {settings.kafka.topic_models}"
    )
    return 0


def register(sub: Any) -> None:
    gen = sub.add_parser("generator", help="serve the answer generator (POST /generate)")
    gen.add_argument("--host")
    gen.add_argument("--port", type=int)
    gen.add_argument("--model", help="hub id or folder used when no version is promoted")
    gen.add_argument("--device")
    gen.set_defaults(func=_serve)

    model = sub.add_parser("model", help="the model registry: list, promote, rollback")
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
