"""Errors raised by the Sumo client, parsing of Sumo error bodies, and hints of what to do."""

from __future__ import annotations

import json
from dataclasses import dataclass

DUPLICATE_CODES = frozenset({"DuplicateResourceName", "content:duplicate_content", "duplicate"})


class SumoError(Exception):
    """Base class of everything the Sumo layer raises; ``hint`` says what the user can do about it."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} (hint: {self.hint})" if self.hint else self.message


class SumoConfigError(SumoError):
    """Bad or missing configuration: credentials, deployment, base URL."""


@dataclass(frozen=True)
class ErrorBody:
    """What a Sumo error response says: ``code``, ``message`` and the request ``id`` (any may be empty)."""

    code: str = ""
    message: str = ""
    request_id: str = ""
    detail: str = ""


def parse_error_body(text: str) -> ErrorBody:
    """Parse a v2 ``{"id","errors":[{code,message}]}``, a legacy flat ``{status,id,code,message}`` body,
    or anything else (HTML, plain text, empty)."""
    try:
        data = json.loads(text) if text and text.strip() else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        snippet = " ".join((text or "").split())
        return ErrorBody(message=snippet[:300])
    request_id = str(data.get("id") or data.get("requestId") or "")
    errors = data.get("errors")
    if isinstance(errors, dict):
        errors = [errors]
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {"message": str(errors[0])}
        messages = [str(e.get("message", "")) for e in errors if isinstance(e, dict) and e.get("message")]
        return ErrorBody(
            code=str(first.get("code") or ""),
            message="; ".join(messages),
            request_id=request_id,
            detail=str(first.get("detail") or ""),
        )
    error = data.get("error")
    if isinstance(error, dict):
        return ErrorBody(str(error.get("code") or ""), str(error.get("message") or ""), request_id)
    return ErrorBody(str(data.get("code") or ""), str(data.get("message") or ""), request_id)


def hint_for(status: int | None, code: str, where: str, admin_mode: bool = False) -> str:
    """What to do about a failed call; ``where`` names the deployment and base URL used."""
    if status is None:
        return f"could not reach {where}; check the network, the deployment or base URL, and retry"
    if status == 401:
        return (
            f"the access ID/key were rejected by {where}; access keys only work on the deployment "
            "where they were created - check SUMOLOGIC_ENVIRONMENT / SUMOLOGIC_BASE_URL and the key"
        )
    if status == 403:
        mode = "" if admin_mode else "; for Admin Recommended content use admin mode (--admin)"
        return "the access key's user lacks a needed capability (Manage Content / Manage Collectors)" + mode
    if status == 404:
        return "the item does not exist (any more) - it may have been deleted in the Sumo UI; re-run plan"
    if status == 412:
        return "the item changed since it was read (stale ETag); re-read it and apply again"
    if code in DUPLICATE_CODES or status == 409:
        return "an item with this name already exists; pick another name or update the existing item"
    if status == 429:
        return "Sumo's rate limit (4 requests/s, 10 in flight per key) was still exceeded after retries; " \
            "wait a minute, and avoid running other API clients with the same key at the same time"
    if status >= 500:
        return "Sumo Logic returned a server error after retries; try again later"
    if status == 400:
        return "Sumo rejected the request body; check the message above"
    return ""


class SumoApiError(SumoError):
    """A failed call: HTTP status (None for connection errors), Sumo code, message, request id, the call."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int | None,
        code: str = "",
        message: str = "",
        request_id: str = "",
        hint: str = "",
        attempts: int = 1,
    ):
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.request_id = request_id
        self.attempts = attempts
        self.reason = message
        parts = [f"{method} {path} failed"]
        named = status is None and code.startswith("connection.") and code != "connection.error" and message
        if not named:  # a named connection failure (refused, DNS, TLS) says it all in its message
            parts.append(": " + (f"HTTP {status}" if status is not None else "connection error"))
            if code:
                parts.append(f" {code}")
        if message:
            parts.append(f": {message}")
        if request_id:
            parts.append(f" (request id {request_id})")
        if attempts > 1:
            parts.append(f" after {attempts} attempts")
        super().__init__("".join(parts), hint)

    @property
    def call(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_not_found(self) -> bool:
        return self.status == 404

    @property
    def is_duplicate(self) -> bool:
        return self.code in DUPLICATE_CODES or self.status == 409

    @property
    def is_stale(self) -> bool:
        return self.status == 412

    @property
    def outcome_unknown(self) -> bool:
        """No reply or a server error: the call may or may not have been carried out."""
        return self.status is None or self.status >= 500


class SumoJobFailed(SumoError):
    """An async job that ended with status Failed (or did not end in time, ``timed_out``)."""

    def __init__(self, status_path: str, message: str, code: str = "", hint: str = "",
                 timed_out: bool = False, details: object = None):
        self.status_path = status_path
        self.code = code
        self.reason = message
        self.timed_out = timed_out
        self.details = details
        what = "timed out" if timed_out else "failed"
        text = f"Sumo job {status_path} {what}"
        if code:
            text += f": {code}"
        if message:
            text += f": {message}"
        super().__init__(text, hint)
