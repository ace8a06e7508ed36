"""Request/response values and a small path router shared by the fake's route modules."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import unquote

from appbuilder.fakesumo.errors import ApiError
from appbuilder.fakesumo.state import Store


class Backend(Protocol):
    """What route handlers may use of the running fake."""

    state: Store
    job_polls: int
    fill_defaults: bool

    def take_job_failure(self, path: str, method: str) -> bool: ...


@dataclass
class Request:
    method: str
    path: str  # the API path below /api, still percent-encoded, e.g. /v2/content/folders/personal
    full_path: str  # as requested, e.g. /api/v2/content/folders/personal
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    access_id: str = ""
    params: dict[str, str] = field(default_factory=dict)
    multi: dict[str, list[str]] = field(default_factory=dict)  # every value of repeated query parameters

    @property
    def admin_mode(self) -> bool:
        return str(self.headers.get("isAdminMode", "")).strip().lower() == "true"

    def json(self) -> Any:
        if not self.body:
            raise ApiError(400, "bad.request", "A JSON request body is required.")
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise ApiError(400, "bad.request", f"The request body is not valid JSON: {exc}") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.query.get(name)
        if value is None:
            return default
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ApiError(400, "bad.request", f"Query parameter {name!r} must be true or false, not {value!r}.")

    def object_body(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError(400, "bad.request", "The request body must be a JSON object.")
        return body

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.query.get(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = low - 1
        if not low <= number <= high:
            raise ApiError(400, "bad.request",
                           f"Query parameter {name!r} must be an integer from {low} to {high}.")
        return number


def page(items: list[Any], req: Request, default_limit: int = 50,
         max_limit: int = 100) -> tuple[list[Any], str | None]:
    """One page of ``items`` for the ``limit`` and continuation ``token`` of a list call, and the next token."""
    limit = req.integer("limit", default_limit, 1, max_limit)
    token = req.query.get("token") or ""
    offset = 0
    if token:
        try:
            offset = int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ApiError(400, "bad.request", f"Invalid continuation token {token!r}.") from None
    chunk = items[offset:offset + limit]
    more = offset + limit < len(items)
    return chunk, base64.urlsafe_b64encode(f"offset:{offset + limit}".encode()).decode() if more else None


NO_BODY = object()


@dataclass
class Response:
    status: int = 200
    body: Any = NO_BODY
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Backend, Request], Response]


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._routes.append((method, re.compile(f"^{regex}/?$"), handler))

    def add_resource(self, base: str, *, list_all: Handler, create: Handler, get: Handler, update: Handler,
                     delete: Handler, key: str = "id") -> None:
        """The five routes of a collection at ``base``: list and create on it, get, update and delete on
        ``base/{key}``."""
        self.add("GET", base, list_all)
        self.add("POST", base, create)
        self.add("GET", f"{base}/{{{key}}}", get)
        self.add("PUT", f"{base}/{{{key}}}", update)
        self.add("DELETE", f"{base}/{{{key}}}", delete)

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The first route matching method and path; 405 if only other methods match, else 404."""
        lookup = "GET" if method == "HEAD" else method
        path_matched = False
        for route_method, regex, handler in self._routes:
            m = regex.match(path)
            if m is None:
                continue
            path_matched = True
            if route_method == lookup:
                return handler, {k: unquote(v) for k, v in m.groupdict().items()}
        if path_matched:
            raise ApiError(405, "method.unsupported", f"Method {method} is not supported for {path}.")
        raise ApiError(404, "notfound", f"The requested resource {path} does not exist.")
