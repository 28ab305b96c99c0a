"""The generator's Prometheus series, beside the HTTP ones of ``shared.metrics``: the version
serving, answers by generator (model or template), batches, queue depth, and hot swaps (count and
the time to load, check and swap in a version)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import Metric, SummaryMetricFamily

from services.generator.service import GeneratorService
from shared.metrics import counter, gauge


def generator_series(svc: GeneratorService) -> Iterator[Metric]:
    s = svc.stats
    generator = "model" if svc.slot.current is not None else "template"
    yield gauge("ecominsight_generator_model_info", "the model version serving (1 for the serving one)", 1,
                {"version": svc.version, "generator": generator})
    answers = counter("ecominsight_generator_answers", "answers phrased, by generator", s.model_answers,
                      {"generator": "model"})
    answers.add_metric(["template"], s.template_answers)
    yield answers
    yield counter("ecominsight_generator_batches", "batches run", s.batches)
    yield gauge("ecominsight_generator_queue_depth", "requests waiting for a batch", svc.batcher.depth)
    yield counter("ecominsight_generator_swaps", "hot swaps to a new version (or to the template)", s.swaps)
    yield SummaryMetricFamily("ecominsight_generator_swap_duration_seconds",
                              "time to load, check and swap in a version", count_value=s.swaps,
                              sum_value=s.swap_seconds)
