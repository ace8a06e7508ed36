"""Helpers for tests and benchmarks of the deploy layer against the fake Sumo: fast client settings and
counting of the calls in ``fake.requests``.

A call is a *write* when it changes something: PUT, DELETE, PATCH, and POST except the export start
(``POST …/export`` only reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from appbuilder.sumo.ratelimit import changes_state

# Client settings for tests: no real waiting between retries and polls.
FAST_CLIENT: dict[str, Any] = {
    "rate": 100.0, "backoff_base": 0.01, "backoff_cap": 0.05, "job_poll_initial": 0.01, "job_poll_cap": 0.05,
    "max_attempts": 4, "timeout": (2.0, 5.0),
}


class Record(Protocol):
    method: str
    path: str
    started: float


def is_write(record: Record) -> bool:
    return changes_state(record.method, record.path)


def count_calls(records: Iterable[Record]) -> dict[str, int]:
    items = list(records)
    writes = sum(1 for r in items if is_write(r))
    return {"calls": len(items), "reads": len(items) - writes, "writes": writes}


def peak_rate(records: Iterable[Record], window: float = 1.0) -> int:
    """The most request starts seen in any sliding window of ``window`` seconds."""
    starts = sorted(r.started for r in records)
    best, first = 0, 0
    for last, when in enumerate(starts):
        while when - starts[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best
