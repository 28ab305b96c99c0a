"""Review: the queue of questions to label, reviewers' labels (``queue.py``) and owners'
corrections (``corrections.py``)."""
