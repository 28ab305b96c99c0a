"""Each kind of error answers with its own HTTP status: the caller's fault a 4xx, a part that is
down a 503, a misconfigured service a 500."""

from __future__ import annotations

import pytest

from services.ask.errors import AuthError, ImportDataError, Refused, WarehouseError, http_status
from shared.errors import BrokerError, ConfigError, EcomInsightError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Refused("question must not be empty", 422), 422),
        (Refused("unknown shop '99'", 404), 404),
        (AuthError("no key"), 401),
        (AuthError("slow down", 429, retry_after_s=1.0), 429),
        (ImportDataError("orders.csv lacks total_amount"), 422),
        (WarehouseError("the warehouse file is locked"), 503),
        (BrokerError("no broker"), 503),
        (ConfigError("placeholder secret"), 500),
        (EcomInsightError("something else"), 503),
    ],
)
def test_status_by_kind(error: EcomInsightError, status: int) -> None:
    assert http_status(error) == status
