"""Log queries run on an org through Sumo's Search Job API: create, poll with backoff, read, delete.

Every call goes through the one ``SumoClient`` (its rate budget of 4 requests/s is shared with everything else);
at most ``MAX_RUNNING_JOBS`` jobs run at once; each job is deleted as soon as it is read, and the ones still open
when the run stops (an error, Ctrl-C) are deleted by ``close``. Results are cached per run by query text, so a
query that several panels (or diagnoses) share runs once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from appbuilder.query.evaluate.values import to_number
from appbuilder.query.prefixes import is_aggregate
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.errors import SumoApiError, SumoError
from appbuilder.sumo.ratelimit import poll_delays

MAX_RUNNING_JOBS = 3  # search jobs running at once: well under Sumo's per-org cap, and the 4 requests/s budget
POLL_INITIAL, POLL_CAP = 1.0, 5.0  # seconds between polls of one job, growing by half each time
JOB_TIMEOUT = 600.0  # seconds a job may gather results before it is given up (and deleted)
PAGE = 10_000  # records or messages per page (Sumo's maximum)
MAX_ROWS = 10_000  # rows read per query (a dashboard panel shows far fewer)
DONE, CANCELLED = "DONE GATHERING RESULTS", "CANCELLED"


@dataclass(frozen=True)
class Window:
    """The time range searched: epoch milliseconds, ``start`` excluded, ``end`` included."""

    start: int
    end: int

    def iso(self, ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")

    def __str__(self) -> str:
        return f"{self.iso(self.start)}Z to {self.iso(self.end)}Z"


@dataclass
class SearchResult:
    """The rows of one query (records of an aggregate query, messages otherwise), or Sumo's error."""

    query: str
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0  # recordCount or messageCount (rows holds at most MAX_ROWS of them)
    error: str = ""
    seconds: float = 0.0  # from create to the last page read


class Interrupted(Exception):
    """The run was stopped (Ctrl-C): jobs still running are abandoned and deleted."""


class SearchJobs:
    """Runs queries as search jobs over ``window``; use as a context manager (``close`` deletes what is left)."""

    def __init__(self, client: SumoClient, window: Window, *, max_running: int = MAX_RUNNING_JOBS,
                 progress: Callable[[str], None] | None = None) -> None:
        self.client = client
        self.window = window
        self.progress = progress
        self.created = 0
        self._open: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._session = threading.Event()  # set once the first create came back (with the session cookie)
        self._first = threading.Lock()
        self._cache: dict[tuple[str, int], Future[SearchResult]] = {}
        self._pool = ThreadPoolExecutor(max_workers=max_running, thread_name_prefix="search-job")

    def __enter__(self) -> SearchJobs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running -------------------------------------------------------------------------------------------
    def submit(self, query: str, max_rows: int | None = None) -> Future[SearchResult]:
        """Start ``query`` reading at most ``max_rows`` rows (default ``MAX_ROWS``), or return the run already
        started for the same text and limit."""
        key = (query, max_rows or MAX_ROWS)
        with self._lock:
            if self._stop.is_set():
                raise Interrupted()
            found = self._cache.get(key)
            if found is None:
                found = self._pool.submit(self._run, query, key[1])
                self._cache[key] = found
            return found

    def run(self, query: str, max_rows: int | None = None) -> SearchResult:
        return self.submit(query, max_rows).result()

    def close(self) -> None:
        """Stop waiting, let running jobs end, and delete every job this run created that is still open."""
        self._stop.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            left = sorted(self._open)
        for job in left:
            self._delete(job)

    @property
    def open_jobs(self) -> list[str]:
        with self._lock:
            return sorted(self._open)

    # -- one job ---------------------------------------------------------------------------------------
    def _run(self, query: str, max_rows: int) -> SearchResult:
        began = self.client.clock.monotonic()
        result = self._search(query, max_rows)
        result.seconds = self.client.clock.monotonic() - began
        return result

    def _search(self, query: str, max_rows: int) -> SearchResult:
        if self._stop.is_set():
            raise Interrupted()
        body = {"query": query, "from": str(self.window.start), "to": str(self.window.end),
                "timeZone": "UTC",  # the documented name, which the fake's contract requires (an override of
                "timezone": "UTC",  # the spec's CreateJobRequest); the spec's name too, harmless if unread
                "autoParsingMode": "Manual"}
        try:
            created = self._create(body)
        except SumoApiError as exc:  # Sumo refused this query; no answer at all, or bad credentials, stop the run
            if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (401, 403, 429):
                return SearchResult(query, error=exc.message or str(exc))
            raise
        job = str((created or {}).get("id") or "")
        if not job:
            return SearchResult(query, error="Sumo answered the search job create without a job id")
        with self._lock:
            self._open.add(job)
            self.created += 1
        try:
            return self._gather(job, query, max_rows)
        except SumoApiError as exc:  # this job failed (gone, refused): the query's error, not the run's
            return SearchResult(query, error=exc.message or str(exc))
        finally:
            self._delete(job)

    def _create(self, body: dict[str, Any]) -> Any:
        """POST the job. Follow-up calls must carry the session cookie the first create sets (documentation),
        so the first create runs alone: jobs created in parallel before it would each open a session of their
        own, and the cookie jar keeps only one."""
        if not self._session.is_set():
            with self._first:
                if not self._session.is_set():
                    try:
                        return self.client.post("/v1/search/jobs", body, replay=False)
                    finally:
                        self._session.set()
        return self.client.post("/v1/search/jobs", body, replay=False)

    def _gather(self, job: str, query: str, max_rows: int) -> SearchResult:
        path = f"/v1/search/jobs/{job}"
        delays = poll_delays(POLL_INITIAL, POLL_CAP)
        waited = 0.0
        while True:
            status = self.client.get(path) or {}
            state = str(status.get("state") or "")
            errors = [str(e) for e in status.get("pendingErrors") or []]
            if state == CANCELLED or (errors and state == DONE):
                return SearchResult(query, error="; ".join(errors) or "Sumo cancelled the search job")
            if state == DONE:
                break
            if self._stop.is_set():
                raise Interrupted()
            if waited > JOB_TIMEOUT:
                return SearchResult(query, error=f"the search job was still {state or 'running'} after "
                                                 f"{JOB_TIMEOUT:.0f} s")
            delay = next(delays)
            self.client.clock.sleep(delay)
            waited += delay
        aggregate = is_aggregate(query)
        total = int(status.get("recordCount" if aggregate else "messageCount") or 0)
        return self._read(path, query, aggregate, total, max_rows)

    def _read(self, path: str, query: str, aggregate: bool, total: int, max_rows: int) -> SearchResult:
        kind = "records" if aggregate else "messages"
        result = SearchResult(query, total=total)
        offset = 0
        while offset < min(total, max_rows):
            limit = min(PAGE, max_rows - offset)
            page = self.client.get(f"{path}/{kind}", params={"offset": offset, "limit": limit}) or {}
            items = page.get(kind) or []
            if not result.columns:
                result.columns = [str(f.get("name")) for f in page.get("fields") or [] if isinstance(f, dict)]
            result.rows += [_typed(item.get("map") or {}) for item in items if isinstance(item, dict)]
            if not items:
                break
            offset += len(items)
        return result

    def _delete(self, job: str) -> None:
        try:
            self.client.delete(f"/v1/search/jobs/{job}")
        except SumoError as exc:
            if self.progress is not None:
                self.progress(f"could not delete search job {job}: {exc.message}")
            if not (isinstance(exc, SumoApiError) and exc.status == 404):
                return  # still open: close() tries again
        with self._lock:
            self._open.discard(job)


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """A result map (every value a string) with numbers as numbers, as charts and row checks want them."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        number = to_number(value) if isinstance(value, str) and value.strip() else None
        out[key] = value if number is None else number
    return out
