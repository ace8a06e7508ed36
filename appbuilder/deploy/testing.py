"""Helpers for tests and benchmarks of the deploy layer against the fake Sumo: fast client settings and
counting of the calls in ``fake.requests``.

A call is a *write* when it changes something: PUT, DELETE, PATCH, and POST except the export start
(``POST …/export`` only reads).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from appbuilder.sumo.ratelimit import changes_state

# Client settings for tests: next to no real waiting on the rate budget, between retries and between polls (at
# 100 requests/s the budget alone held a deploy test ~10 ms per call).
FAST_CLIENT: dict[str, Any] = {
    "rate": 2000.0, "backoff_base": 0.001, "backoff_cap": 0.005, "job_poll_initial": 0.001, "job_poll_cap": 0.005,
    "max_attempts": 4, "timeout": (2.0, 5.0),
}


class Record(Protocol):
    method: str
    path: str
    started: float


def is_write(record: Record) -> bool:
    return changes_state(record.method, record.path)


def without_lock(records: Iterable[Record]) -> list[Record]:
    """The calls of one run that writes, less its lock's own (``deploy.lock``): the lock's create (the run's first
    write, ``POST /v2/content/folders``) and its delete job (the run's last write, and the polls of that job)."""
    items = list(records)
    writes = [i for i, r in enumerate(items) if is_write(r)]
    if not writes:
        return items
    drop: set[int] = set()
    first, last = items[writes[0]], items[writes[-1]]
    if first.method.upper() == "POST" and first.path.rstrip("/").endswith("/v2/content/folders"):
        drop.add(writes[0])
    if last.method.upper() == "DELETE" and last.path.endswith("/delete"):
        drop.update(i for i, r in enumerate(items) if i >= writes[-1] and r.path.startswith(last.path))
    return [r for i, r in enumerate(items) if i not in drop]


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
