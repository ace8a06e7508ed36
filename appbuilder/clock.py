"""Clocks: the system clock, and a virtual one for tests whose ``sleep`` only moves time forward.

The Sumo client (rate budget, retry backoff, Retry-After, job polls) and the fake Sumo (its per-key rate
limiter and timestamps) read time through a ``Clock``; give both the same ``VirtualClock`` and a test of
429s, backoff or rate limits runs without waiting on real time.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals)."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch (for timestamps and HTTP dates)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """Real time."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = SystemClock()


class VirtualClock:
    """Time that moves only when someone sleeps (or calls ``advance``); sleeping returns at once.

    Thread-safe. ``sleeps`` records every sleep, so a test can assert on the waits a client chose.
    """

    def __init__(self, start: float = 1_000.0, epoch: float = 1_767_225_600.0) -> None:
        self._lock = threading.Lock()
        self._now = start
        self._offset = epoch - start  # wall time = monotonic + offset (2026-01-01T00:00:00Z by default)
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def time(self) -> float:
        with self._lock:
            return self._now + self._offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep."""
        with self._lock:
            self._now += max(0.0, seconds)

    @property
    def slept(self) -> float:
        """The total of all sleeps so far."""
        with self._lock:
            return sum(self.sleeps)
