"""Realistic question sets for the semantic layer, written before the parser they measure.

Each question comes with its truth as SQL written here, independently of the semantic layer
(``truth.py`` holds the period and status SQL), or ``None`` when the question must be refused.
``heldout.py`` was frozen (committed) before any parser code existed and is never edited after a
miss: a miss becomes a new example in ``tuning.py``. See ``BENCHMARKS.md`` for its date and
commit.
"""
