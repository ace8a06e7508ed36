"""Removal of secrets (access keys, API tokens, Authorization headers) from anything logged or raised."""

from __future__ import annotations

import re
import threading
from typing import Any

MASK = "********"

# JSON keys whose values are secrets wherever they appear in a body.
SECRET_KEYS = frozenset({"api_token", "accesskey", "access_key", "password", "token", "secret", "apitoken"})

_AUTH_RE = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic|bearer)\s+[A-Za-z0-9+/=._\-]+")
_MIN_SECRET = 4


class Redactor:
    """Collects secret strings and replaces them by ``********`` in text; thread-safe.

    Authorization header values (``Basic …`` / ``Bearer …``) are always masked, registered or not.
    """

    def __init__(self, secrets: list[str] | None = None):
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        for secret in secrets or []:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Register a secret; very short strings are ignored (they would mask ordinary text)."""
        if secret and len(secret) >= _MIN_SECRET:
            with self._lock:
                self._secrets.add(secret)

    def __contains__(self, secret: str) -> bool:
        return secret in self._secrets

    def redact(self, text: str) -> str:
        if not text:
            return text
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return _AUTH_RE.sub(lambda m: f"{m.group(1)}{m.group(2)} {MASK}", text)

    def redact_json(self, value: Any) -> Any:
        """A copy of a JSON value with secret-named keys masked (and their values registered) and
        registered secrets masked inside strings."""
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if str(key).lower() in SECRET_KEYS and isinstance(item, str):
                    self.add(item)
                    out[key] = MASK if item else item
                else:
                    out[key] = self.redact_json(item)
            return out
        if isinstance(value, list):
            return [self.redact_json(item) for item in value]
        if isinstance(value, str):
            return self.redact(value)
        return value

    def register_from(self, value: Any) -> None:
        """Register every secret-named value found in a JSON value (e.g. a source body about to be sent)."""
        self.redact_json(value)
