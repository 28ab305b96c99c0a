"""The stack's error classes (the launcher raises them; ``ecominsight up`` reports them)."""

from __future__ import annotations

from shared.errors import EcomInsightError


class StackError(EcomInsightError):
    """A service did not start or became unhealthy."""
