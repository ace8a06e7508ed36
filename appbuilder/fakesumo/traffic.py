"""Rate limiting, injected faults and the request log of the fake Sumo."""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

from appbuilder.clock import SYSTEM_CLOCK, Clock

# ``drop`` hangs up before the request is carried out; ``lost_reply`` carries it out, then hangs up (the client
# cannot tell the two apart: a write whose reply was lost may have landed).
FAULTS = ("429", "500", "502", "503", "slow", "drop", "lost_reply", "job_failed")


@dataclass
class RequestRecord:
    """One API request as the fake saw it, logged before its reply is sent. ``started``/``finished`` (the reply
    ready) are wall-clock seconds of the fake's clock."""

    method: str
    path: str
    query: dict[str, str]
    status: int  # 0 when the connection was dropped (``drop``, ``lost_reply``)
    started: float
    finished: float
    headers_redacted: dict[str, str]
    body: Any = None  # the JSON request body of an operation in Sumo's OpenAPI spec (no secrets travel there)

    @property
    def duration(self) -> float:
        return self.finished - self.started

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fault:
    fault: str
    count: int = 1
    path: str | None = None
    method: str | None = None

    def matches(self, path: str, method: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in path


class FaultQueue:
    """Pending faults; each applies to the next ``count`` matching requests (or job starts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: str, count: int = 1, path: str | None = None, method: str | None = None) -> Fault:
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; expected one of {', '.join(FAULTS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        item = Fault(fault, count, path or None, method.upper() if method else None)
        with self._lock:
            self._faults.append(item)
        return item

    def take(self, path: str, method: str, job: bool) -> str | None:
        """Consume one matching fault: job faults when ``job`` is true, the others otherwise."""
        with self._lock:
            for item in self._faults:
                if (item.fault == "job_failed") == job and item.matches(path, method):
                    item.count -= 1
                    if item.count <= 0:
                        self._faults.remove(item)
                    return item.fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.fault, f.count, f.path, f.method) for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


# The fake's adjustable settings: (may be null = no limit, whole number, smallest value, the smallest is allowed).
SETTINGS: dict[str, tuple[bool, bool, float, bool]] = {
    "rate_limit": (True, False, 0, False),
    "max_in_flight": (True, True, 1, True),
    "job_polls": (False, True, 0, True),
    "latency": (False, False, 0, True),
    "slow_seconds": (False, False, 0, True),
}


def checked_setting(name: str, value: Any, *, nullable: bool = True) -> Any:
    """``value`` if it suits the setting ``name``; ValueError saying what it must be otherwise. ``nullable``
    False refuses None (no limit) where the setting would take it."""
    can_be_null, whole, least, inclusive = SETTINGS[name]
    nullable = nullable and can_be_null
    if value is None and nullable:
        return None
    kind = "a whole number" if whole else "a number"
    bound = f"at least {least:g}" if inclusive else f"greater than {least:g}"
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and (value >= least if inclusive else value > least) and (not whole or float(value).is_integer())
    if not ok:
        unlimited = " (or null for no limit)" if nullable else ""
        raise ValueError(f"{name} must be {kind} {bound}{unlimited}, not {value!r}")
    return int(value) if whole else float(value)


class RateLimiter:
    """Per access id: at most ``rate`` accepted requests in any 1 s window (of ``clock``), ``max_in_flight``
    at once."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}
        self._in_flight: dict[str, int] = {}

    def acquire(self, access_id: str, rate: float | None, max_in_flight: int | None) -> int | None:
        """Admit a request (returns None) or refuse it (returns a Retry-After in whole seconds)."""
        now = self._clock.monotonic()
        with self._lock:
            window = self._windows.setdefault(access_id, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            in_flight = self._in_flight.get(access_id, 0)
            if max_in_flight is not None and in_flight >= max_in_flight:
                return 1
            if rate is not None and len(window) >= rate:
                return max(1, math.ceil(window[0] + 1.0 - now))
            window.append(now)
            self._in_flight[access_id] = in_flight + 1
            return None

    def release(self, access_id: str) -> None:
        with self._lock:
            self._in_flight[access_id] = max(0, self._in_flight.get(access_id, 1) - 1)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


def redact_headers(headers: Any) -> dict[str, str]:
    """Request headers with credentials and cookies replaced; the access id stays visible."""
    out: dict[str, str] = {}
    for key, value in headers.items():
        lower = key.lower()
        if lower == "authorization":
            scheme = value.split(" ", 1)[0]
            out[key] = f"{scheme} <redacted>"
        elif lower in ("cookie", "set-cookie", "x-api-key"):
            out[key] = "<redacted>"
        else:
            out[key] = value
    return out
