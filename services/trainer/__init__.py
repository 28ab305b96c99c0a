"""The trainer service: fine-tunes on the logger's exports, gates, and publishes models.

* ``settings.py``: the one ``Settings`` (env prefix ``ECOMINSIGHT_TRAINER_``).
* ``data.py``: export JSONL -> delexicalised examples -> 90/10 split -> token ids.
* ``tiny.py``: a small T5 built from scratch (byte-level, or a word-level vocabulary).
* ``metrics.py``: fact accuracy, invented numbers, exact match, ROUGE-L, repetition, latency.
* ``gate.py``: promote only if better than the serving model (or, first time, good enough).
* ``job.py``: one run, data to registry entry; ``worker.py``: ExportComplete in, ModelReady or
  TrainingFailed out; ``cli.py``: ``ecominsight trainer | train | evaluate``.
"""
