"""Exports of the fine-tuning set: which logged answers qualify (``examples.py``) and writing
one versioned export and announcing it (``training_set.py``)."""
