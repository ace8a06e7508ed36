"""The shared rate budget (requests per second + requests in flight), backoff schedules, call statistics."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

DEFAULT_RATE = 4.0
DEFAULT_IN_FLIGHT = 10
DEFAULT_THROTTLE_BUDGET = 120.0  # seconds one call may wait on a streak of 429s before it gives up


class RateBudget:
    """A thread-safe token bucket (``rate`` starts per second, ``burst`` tokens at most) combined with a cap
    on requests in flight. One instance is shared by every call of a client.

    The default burst of 1 spaces request starts evenly (1/rate apart). ``slack`` widens the spacing slightly.

    Even spacing of starts is not enough: Sumo counts requests when they arrive, somewhere between the client's
    start and its end, so a request held up after its start (the thread descheduled, a slow connection; on a
    virtual clock, another thread's sleep) lands next to the ones after it, and the server sees ``rate + 1`` in
    one second. So a request through ``slot`` also holds a place in a window until ``1 + slack`` seconds after
    it *ends*, and at most ``rate`` places are held: any ``rate + 1`` requests then arrive more than a second
    apart, whatever their latency (its arrival is no later than its end).
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        max_in_flight: int = DEFAULT_IN_FLIGHT,
        burst: float = 1.0,
        slack: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate <= 0:
            raise ValueError("rate must be positive")
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.rate = rate
        self.max_in_flight = max_in_flight
        self.burst = max(1.0, burst)
        self._interval = (1.0 + slack) / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._updated = clock()
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._in_flight = 0
        self.peak_in_flight = 0
        self._places = max(1, math.floor(rate))  # requests in any window of ``_span`` seconds after their end
        self._span = 1.0 + slack
        self._ended: deque[float] = deque()  # end times of requests still holding a place
        self._ended_now = threading.Condition(self._lock)

    def _take_token(self, place: bool = False) -> float | None:
        """Take a token (and with ``place``, a place in the window) if available; otherwise return how long to
        wait, or None to wait for a request to end."""
        with self._lock:
            now = self._clock()
            if place:
                while self._ended and self._ended[0] <= now - self._span + 1e-6:
                    self._ended.popleft()
                if self._in_flight + len(self._ended) >= self._places:
                    return self._ended[0] + self._span - now if self._ended else None
            self._tokens = min(self.burst, self._tokens + (now - self._updated) / self._interval)
            self._updated = now
            if self._tokens >= 1.0 - 1e-9:  # tolerance: a clock too coarse for the last ulp must not spin
                self._tokens = max(0.0, self._tokens - 1.0)
                if place:
                    self._in_flight += 1
                    self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
                return 0.0
            return (1.0 - self._tokens) * self._interval

    def acquire_rate(self, place: bool = False) -> None:
        """Block until a request may start (rate part; with ``place``, also a place in the window, held until
        ``_release``)."""
        while True:
            wait = self._take_token(place)
            if wait is None:
                with self._ended_now:
                    self._ended_now.wait(0.05)  # real time: a request in flight ends
                continue
            if wait <= 0:
                return
            self._sleep(wait)

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._ended.append(self._clock())
            self._ended_now.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one in-flight slot, one rate token and a place in the window for the duration of a request."""
        self._slots.acquire()
        try:
            self.acquire_rate(place=True)
            try:
                yield
            finally:
                self._release()
        finally:
            self._slots.release()

    def penalise(self, seconds: float) -> None:
        """After a 429, make every caller wait: drain the bucket so the next start is ``seconds`` away."""
        with self._lock:
            self._tokens = min(self._tokens, 1.0 - seconds / self._interval)


def backoff_delay(attempt: int, base: float = 0.5, cap: float = 30.0,
                  rng: Callable[[], float] = random.random) -> float:
    """Capped exponential backoff with equal jitter for retry number ``attempt`` (1-based):
    the delay lies in [d/2, d] where d = min(cap, base * 2**(attempt-1))."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + rng() * ceiling / 2


def parse_retry_after(value: str | None, now: float | None = None, cap: float = 120.0) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped; None if absent/bad."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(cap, seconds))


def poll_delays(initial: float = 0.2, cap: float = 2.0, factor: float = 1.5) -> Iterator[float]:
    """The delays between polls of an async job: ``initial``, growing by ``factor`` up to ``cap``."""
    delay = initial
    while True:
        yield delay
        delay = min(cap, delay * factor)


WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


def changes_state(method: str, path: str) -> bool:
    """Whether a request changes the org: PUT, DELETE, PATCH, and POST except the one that starts an export job
    (``POST …/export`` only reads, as Sumo's content API describes it)."""
    verb = method.upper()
    if verb == "POST":
        return not path.split("?", 1)[0].rstrip("/").endswith("/export")
    return verb in WRITE_METHODS


@dataclass
class ClientStats:
    """Counts of what a client did, for benchmarks and summaries; thread-safe through ``record``."""

    calls: int = 0
    reads: int = 0
    writes: int = 0
    retries: int = 0
    throttled: int = 0
    failures: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    peak_per_second: int = 0
    _starts: deque[float] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record_start(self, method: str, when: float, path: str = "") -> None:
        """One HTTP request started (every attempt counts as a call; a write is a call that changes the org)."""
        with self._lock:
            self.calls += 1
            if changes_state(method, path):
                self.writes += 1
            else:
                self.reads += 1
            self._starts.append(when)
            while self._starts and when - self._starts[0] >= 1.0:
                self._starts.popleft()
            self.peak_per_second = max(self.peak_per_second, len(self._starts))

    def record_status(self, status: int | None, retried: bool) -> None:
        with self._lock:
            if status is not None:
                self.by_status[status] = self.by_status.get(status, 0) + 1
                if status == 429:
                    self.throttled += 1
            if retried:
                self.retries += 1

    def record_failure(self) -> None:
        with self._lock:
            self.failures += 1

    def as_dict(self) -> dict[str, object]:
        with self._lock:
            return {
                "calls": self.calls,
                "reads": self.reads,
                "writes": self.writes,
                "retries": self.retries,
                "throttled": self.throttled,
                "failures": self.failures,
                "by_status": dict(sorted(self.by_status.items())),
                "peak_per_second": self.peak_per_second,
            }
