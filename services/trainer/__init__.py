"""The trainer service: fine-tunes on the logger's exports, gates, and publishes models.

* ``settings.py``: the one ``Settings`` (env prefix ``ECOMINSIGHT_TRAINER_``).
* ``data.py``: export JSONL -> delexicalised examples -> 90/10 split -> token ids.
* ``tiny.py``: a small T5 built from scratch (byte-level, or a word-level vocabulary).
* ``scores.py``: fact accuracy, invented numbers, exact match, ROUGE-L, repetition, latency.
* ``gate.py``: promote only if better than the serving model (or, first time, good enough).
* ``training.py``: fine-tuning (start model, trainer arguments, best checkpoint);
  ``registration.py``: a trained model becomes a registry version.
* ``job.py``: one run, data to registry entry; ``worker.py``: ExportComplete in, ModelReady or
  TrainingFailed out; ``telemetry.py``: its Prometheus series; ``cli.py``:
  ``ecominsight trainer | train | evaluate``.
"""
