"""Measuring sticks shared by the tests and the benchmarks, kept out of ``tests/`` so that
``bench/`` never imports test code: the question sets with their SQL truth (``questions``), a tiny
T5 trained for real to phrase answers (``phrasers``), and realistic export files (``exports``).
Nothing under ``services/`` or ``shared/`` imports this package.
"""
