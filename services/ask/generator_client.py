"""Asks the generator service to phrase an answer; falls back to the template phrasing.

The generator (``POST /generate``) already checks its model's output against the data; this
client checks once more that every number in the text it gets back is one of the result's values
(``shared.phrasing.delexicalise``). Whenever the generator is unreachable, slower than the timeout,
answers with an error or with a number that is not in the data, the deterministic template answers
and the reply says ``generator: "template"``. After a failure the generator is skipped for
``retry_after_s`` so that a dead generator costs requests nothing.

One pooled keep-alive ``httpx.Client`` serves every request thread: each call reuses an open
connection instead of a TCP handshake. Idle connections are dropped after
``KEEPALIVE_EXPIRY_S``, before the generator's server (uvicorn: 5 s) closes them, and a request
that meets a connection the server closed anyway is sent once more on a fresh one.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import httpx

from shared.phrasing import delexicalise, template_answer
from shared.results import ToolResult

log = logging.getLogger(__name__)

TEMPLATE = "template"
KEEPALIVE_EXPIRY_S = 3.0
POOL_SIZE = 64  # at least the ask server's request threads (anyio's default: 40)


@dataclass(frozen=True)
class Phrased:
    text: str
    generator: str  # "model" | "template"
    model_version: str
    fallback_reason: str | None = None


def template(result: ToolResult, reason: str | None = None) -> Phrased:
    return Phrased(template_answer(result), TEMPLATE, TEMPLATE, reason)


class GeneratorClient:
    def __init__(
        self, base_url: str, timeout_s: float = 2.0, retry_after_s: float = 5.0, enabled: bool = True
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.retry_after_s = retry_after_s
        self.enabled = enabled
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(
                max_connections=POOL_SIZE,
                max_keepalive_connections=POOL_SIZE,
                keepalive_expiry=KEEPALIVE_EXPIRY_S,
            ),
            trust_env=False,
        )
        self._skip_until = 0.0
        self._lock = threading.Lock()

    def phrase(self, question: str, result: ToolResult, shop_id: str | None = None) -> Phrased:
        if not self.enabled:
            return template(result, "generator disabled")
        if time.monotonic() < self._skip_until:
            return template(result, "generator unavailable (recent failure)")
        try:
            body_out: dict[str, object] = {"question": question, "result": result.model_dump(mode="json")}
            if shop_id is not None:
                body_out["shop_id"] = shop_id
            response = self._post(body_out)
            response.raise_for_status()
            body = response.json()
            text = body["text"]
            if not isinstance(text, str) or not text.strip():
                raise ValueError("empty text")
            if delexicalise(text, result) is None:
                raise ValueError(f"answer states a number that is not in the data: {text!r}")
            generator = "model" if body.get("generator") == "model" else TEMPLATE
            version = str(body.get("model_version") or TEMPLATE)
            return Phrased(text, generator, version, body.get("fallback_reason"))
        except httpx.TimeoutException:
            return self._failed(result, f"generator slower than {self.timeout_s:g}s")
        except httpx.HTTPError as exc:
            return self._failed(result, f"generator unreachable: {type(exc).__name__}")
        except (ValueError, KeyError, TypeError) as exc:
            return self._failed(result, f"bad generator response: {exc}")

    def _post(self, body: dict[str, object]) -> httpx.Response:
        url = f"{self.base_url}/generate"
        try:
            return self._http.post(url, json=body)
        except httpx.RemoteProtocolError:  # a kept-alive connection the server had just closed
            return self._http.post(url, json=body)

    def _failed(self, result: ToolResult, reason: str) -> Phrased:
        log.warning("%s; answering with the template", reason)
        with self._lock:
            self._skip_until = time.monotonic() + self.retry_after_s
        return template(result, reason)

    def close(self) -> None:
        self._http.close()
