"""Error bodies in the two shapes the Sumo API uses.

OpenAPI endpoints (every v2 path, and the v1 Log Searches and Monitors APIs) answer
``{"id": ..., "errors": [{"code", "message"}]}``; the legacy gateway and the v1 Collector API answer the flat
``{"status", "id", "code", "message"}``.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from typing import Any

_ID_ALPHABET = string.ascii_uppercase + string.digits


def request_id() -> str:
    """A Sumo-style request id such as ``IUUQI-DGH5I-TJ045``."""
    return "-".join("".join(random.choices(_ID_ALPHABET, k=5)) for _ in range(3))


def flat_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"status": status, "id": request_id(), "code": code, "message": message}


def v2_body(errors: list[tuple[str, str]]) -> dict[str, Any]:
    return {"id": request_id(), "errors": [{"code": c, "message": m} for c, m in errors]}


OPENAPI_V1 = ("/v1/logSearches", "/v1/monitors")


def is_v1_path(api_path: str) -> bool:
    """True for paths answered with the legacy flat error shape (the v1 API outside the OpenAPI spec)."""
    if api_path.startswith(OPENAPI_V1):
        return False
    return api_path.startswith("/v1/") or api_path == "/v1"


@dataclass
class ApiError(Exception):
    """Raised by route handlers; rendered in the shape matching the request's API version."""

    status: int
    code: str
    message: str
    more: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self, api_path: str) -> dict[str, Any]:
        if is_v1_path(api_path):
            return flat_body(self.status, self.code, self.message)
        return v2_body([(self.code, self.message), *self.more])


def not_found(message: str = "The requested resource does not exist.", code: str = "notfound") -> ApiError:
    return ApiError(404, code, message)


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def refuse(code: str, problems: list[str]) -> None:
    """Raise a 400 listing ``problems`` (the first 20) under ``code``; do nothing when there are none."""
    if problems:
        raise ApiError(400, code, problems[0], more=[(code, p) for p in problems[1:20]])
