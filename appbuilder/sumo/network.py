"""What a failed connection means, in one line with what to do: refused, unknown host, TLS, timeout.

requests wraps the cause several layers deep (``ConnectionError(MaxRetryError(NewConnectionError(...)))``) and
prints all of them; here the cause is found and named, and the number of attempts worth making is given: a
refused connection or an unknown host is tried once more (it does not heal in seconds), a TLS failure not at all.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import requests

PROXY_VARIABLES = "HTTPS_PROXY / HTTP_PROXY / NO_PROXY"


@dataclass(frozen=True)
class NetworkFailure:
    """One connection failure: a code (``connection.refused``), a one-line message, a hint, attempts worth making
    (None: the client's usual number)."""

    code: str
    message: str
    hint: str
    attempts: int | None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and everything it wraps (arguments, urllib3's ``reason``, causes and contexts)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [a for a in current.args if isinstance(a, BaseException)]
        reason = getattr(current, "reason", None)
        nested += [reason] if isinstance(reason, BaseException) else []
        nested += [c for c in (current.__cause__, current.__context__) if c is not None]
        todo.extend(nested)


def _is_dns(cause: BaseException) -> bool:
    return isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError"


def classify(exc: BaseException, base_url: str, where: str) -> NetworkFailure | None:
    """The failure ``exc`` (raised by requests for a call to ``base_url``) stands for; None when it is none of
    the known kinds (the caller keeps its generic message)."""
    parsed = urlparse(base_url)
    host = parsed.hostname or base_url
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    target = f"{host}:{port}"
    check = f"check --deployment / --base-url (now {where})"
    causes = list(_causes(exc))
    if isinstance(exc, requests.exceptions.SSLError) or any(isinstance(c, ssl.SSLError) for c in causes):
        detail = next((str(c.reason or c) for c in causes if isinstance(c, ssl.SSLError)), "handshake failed")
        return NetworkFailure(
            "connection.tls", f"TLS error talking to {target}: {detail}",
            f"{check}; behind a TLS-inspecting proxy set REQUESTS_CA_BUNDLE to its CA certificate", 1)
    if any(_is_dns(c) for c in causes):
        return NetworkFailure(
            "connection.dns", f"cannot resolve the host name {host}",
            f"{check}; check the network and the proxy variables {PROXY_VARIABLES}", 2)
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return NetworkFailure(
            "connection.refused", f"connection refused by {target} (nothing listens there)",
            f"{check}; behind a proxy, check {PROXY_VARIABLES}", 2)
    if isinstance(exc, requests.ConnectTimeout):
        return NetworkFailure(
            "connection.timeout", f"no answer from {target} (connect timeout)",
            f"{check}; check the network, a firewall, and the proxy variables {PROXY_VARIABLES}", None)
    return None
