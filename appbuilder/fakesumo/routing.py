"""Request/response values and a small path router shared by the fake's route modules."""

from __future__ import annotations

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
