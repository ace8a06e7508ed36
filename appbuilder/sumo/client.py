"""The Sumo Logic management API client: one session, one rate budget, retries, timeouts, redacted logs."""

from __future__ import annotations

import base64
import json
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from appbuilder import __version__
from appbuilder.clock import SYSTEM_CLOCK, Clock
from appbuilder.sumo.endpoints import Credentials
from appbuilder.sumo.errors import SumoApiError, hint_for, parse_error_body
from appbuilder.sumo.jobs import IN_PROGRESS, JobProgress, job_kind, wait_for_job
from appbuilder.sumo.network import classify
from appbuilder.sumo.once import create_once, update_once
from appbuilder.sumo.ratelimit import (
    DEFAULT_IN_FLIGHT,
    DEFAULT_RATE,
    DEFAULT_THROTTLE_BUDGET,
    ClientStats,
    RateBudget,
    backoff_delay,
    parse_retry_after,
)
from appbuilder.sumo.redact import Redactor

log = logging.getLogger("appbuilder.sumo")

RETRY_STATUSES = frozenset({500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
)
_LOG_BODY_LIMIT = 2000


@dataclass(frozen=True)
class Reply:
    """A successful response: status, parsed JSON body (None when empty) and headers."""

    status: int
    data: Any
    headers: Mapping[str, str]
    elapsed: float = 0.0

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")


class SumoClient:
    """Talks to one Sumo deployment. Thread-safe: share one instance (and so one rate budget) everywhere.

    ``admin_mode`` sends ``isAdminMode: true`` on every call (a call may override it with ``admin=``).
    ``clock`` is what the rate budget, retry backoff, Retry-After and job polls wait on (tests pass an
    ``appbuilder.clock.VirtualClock``, so nothing sleeps on real time). ``progress`` receives one line per
    retry (``503 from Sumo (GET /v1/collectors), retrying in 1.3 s (attempt 2/6)``) and per poll of a running
    job (``import job running, 4 s``); the CLI prints them on stderr.

    ``max_attempts`` bounds the tries after server errors and lost connections. A 429 is not a failure but
    Sumo asking to wait: a streak of them is waited out (Retry-After honoured) until the call has waited
    ``throttle_budget`` seconds in all, each wait reported (``429 from Sumo (…), waiting 1.0 s as asked
    (throttled 3 s of at most 120 s)``).
    """

    def __init__(
        self,
        credentials: Credentials,
        *,
        admin_mode: bool = False,
        rate: float = DEFAULT_RATE,
        max_in_flight: int = DEFAULT_IN_FLIGHT,
        max_attempts: int = 6,
        throttle_budget: float = DEFAULT_THROTTLE_BUDGET,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        job_poll_initial: float = 0.2,
        job_poll_cap: float = 2.0,
        job_timeout: float = 600.0,
        redactor: Redactor | None = None,
        budget: RateBudget | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: Callable[[], float] = random.random,
        clock: Clock = SYSTEM_CLOCK,
        progress: Callable[[str], None] | None = None,
    ):
        self.credentials = credentials
        self.base_url = credentials.base_url.rstrip("/")
        self.admin_mode = admin_mode
        self.max_attempts = max(1, max_attempts)
        self.throttle_budget = throttle_budget
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.job_poll_initial = job_poll_initial
        self.job_poll_cap = job_poll_cap
        self.job_timeout = job_timeout
        self.clock = clock
        self.budget = budget or RateBudget(rate, max_in_flight, clock=clock.monotonic, sleep=clock.sleep)
        self.stats = ClientStats()
        self.redactor = redactor or Redactor()
        self.progress = progress
        self._sleep = sleep or clock.sleep
        self._rng = rng
        self.redactor.add(credentials.access_key)
        token = f"{credentials.access_id}:{credentials.access_key}".encode()
        self.redactor.add(base64.b64encode(token).decode())
        self.session = requests.Session()
        self.session.auth = (credentials.access_id, credentials.access_key)
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=self.budget.max_in_flight, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": f"appbuilder/{__version__}",
        })

    # -- lifecycle ---------------------------------------------------------------------------------
    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SumoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- calls -------------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        admin: bool | None = None,
        replay: bool = True,
    ) -> Reply:
        """Make one API call (``path`` relative to the base URL, e.g. ``/v2/content/folders/personal``),
        retrying 429, 5xx and connection errors; raise SumoApiError on failure.

        ``replay=False`` is for a call that must not run twice (a create): only failures showing the request
        was not carried out (429, a connect timeout) are retried; a lost reply or a server error raises at
        once, with ``SumoApiError.outcome_unknown`` true, so the caller can look the item up first."""
        method = method.upper()
        url = self.base_url + path
        all_headers = dict(headers or {})
        if self.admin_mode if admin is None else admin:
            all_headers["isAdminMode"] = "true"
        data = None if body is None else json.dumps(body)
        if body is not None and log.isEnabledFor(logging.DEBUG):
            shown = json.dumps(self.redactor.redact_json(body))
            log.debug("%s %s body: %s", method, self._redact(url), _clip(self.redactor.redact(shown)))
        attempt = 0
        throttled = 0.0  # seconds this call has waited on 429s
        while True:
            attempt += 1
            started = self.clock.monotonic()
            try:
                with self.budget.slot():
                    self.stats.record_start(method, self.clock.monotonic(), path)
                    response = self.session.request(
                        method, url, params=params, data=data, headers=all_headers,
                        timeout=self.timeout, allow_redirects=False,
                    )
                    text = response.text
            except CONNECTION_ERRORS as exc:
                elapsed = self.clock.monotonic() - started
                reason = self._redact(f"{type(exc).__name__}: {exc}")
                log.debug("%s %s -> %s in %.3fs (attempt %d)", method, self._redact(url), reason,
                          elapsed, attempt)
                failure = classify(exc, self.base_url, self.credentials.where)
                limit = min(self.max_attempts, failure.attempts or self.max_attempts) if failure else self.max_attempts
                not_sent = failure is not None or isinstance(exc, requests.ConnectTimeout)  # safe to send again
                again = attempt < limit and (replay or not_sent)
                self.stats.record_status(None, again)
                if again:
                    delay = self._backoff(attempt)
                    why = failure.message if failure else type(exc).__name__
                    self._report_retry(f"no reply from Sumo: {why}", method, path, delay, attempt, limit)
                    self._sleep(delay)
                    continue
                self.stats.record_failure()
                raise SumoApiError(
                    method=method, path=path, status=None, code=failure.code if failure else "connection.error",
                    message=self._redact(failure.message) if failure else reason,
                    hint=failure.hint if failure else hint_for(None, "", self.credentials.where), attempts=attempt,
                ) from None
            elapsed = self.clock.monotonic() - started
            status = response.status_code
            log.debug("%s %s -> %d in %.3fs (attempt %d)", method, self._redact(response.url or url),
                      status, elapsed, attempt)
            if status == 429:
                after = parse_retry_after(response.headers.get("Retry-After"), now=self.clock.time())
                delay = after if after is not None else self._backoff(attempt)
                wait = throttled + delay <= self.throttle_budget
                self.stats.record_status(status, wait)
                if wait:
                    throttled += delay
                    attempt -= 1  # not a failed attempt: Sumo asked us to wait
                    self.tell(f"429 from Sumo ({method} {path}), waiting {delay:.1f} s as asked (throttled "
                              f"{throttled:.0f} s of at most {self.throttle_budget:.0f} s)")
                    self.budget.penalise(delay)
                    continue
                self.stats.record_failure()
                raise self._error(method, path, status, text, response.headers, attempt)
            retryable = replay and status in RETRY_STATUSES
            self.stats.record_status(status, retryable and attempt < self.max_attempts)
            if 200 <= status < 300:
                return Reply(status, _parse_json(text), response.headers, elapsed)
            if retryable and attempt < self.max_attempts:
                delay = self._backoff(attempt)
                self._report_retry(f"{status} from Sumo", method, path, delay, attempt)
                self._sleep(delay)
                continue
            self.stats.record_failure()
            raise self._error(method, path, status, text, response.headers, attempt)

    def get(self, path: str, *, params: Mapping[str, Any] | None = None, admin: bool | None = None) -> Any:
        return self.request("GET", path, params=params, admin=admin).data

    def post(self, path: str, body: Any = None, *, params: Mapping[str, Any] | None = None,
             admin: bool | None = None, replay: bool = True) -> Any:
        """POST; ``replay=False`` for a create that must not be repeated blindly (see ``request``)."""
        return self.request("POST", path, params=params, body=body, admin=admin, replay=replay).data

    def put(self, path: str, body: Any = None, *, headers: Mapping[str, str] | None = None,
            admin: bool | None = None, replay: bool = True) -> Any:
        """PUT; ``replay=False`` for an update guarded by a version or ETag (see ``update_once``)."""
        return self.request("PUT", path, body=body, headers=headers, admin=admin, replay=replay).data

    def delete(self, path: str, *, admin: bool | None = None) -> Any:
        return self.request("DELETE", path, admin=admin).data

    def wait_for_job(
        self,
        status_path: str,
        *,
        admin: bool | None = None,
        timeout: float | None = None,
        progress: Callable[[JobProgress], None] | None = None,
    ) -> dict[str, Any]:
        """Poll an async job's status path until Success (returned) or Failed (SumoJobFailed).

        ``progress`` gets every poll; without it, polls that find the job running go to ``self.progress``.
        The job runs whether or not it is polled, so a poll still throttled after the 429 budget counts as
        "still running": polling goes on until the job ends or ``timeout`` passes, never giving up on 429."""

        def poll() -> Any:
            try:
                return self.get(status_path, admin=admin)
            except SumoApiError as exc:
                if exc.status != 429:
                    raise
                self.tell(f"{job_kind(status_path)} job started; its status is still rate limited, polling on")
                return {"status": IN_PROGRESS}

        return wait_for_job(
            poll,
            status_path,
            timeout=self.job_timeout if timeout is None else timeout,
            initial=self.job_poll_initial,
            cap=self.job_poll_cap,
            progress=self._job_reporter(progress),
            sleep=self._sleep,
            clock=self.clock.monotonic,
        )

    def create_once(self, post: Callable[[], Any], find: Callable[[], Any]) -> Any:
        """A create made with ``replay=False``, looked up by name (``find``) before it is tried again when its
        outcome is unknown; the look-ups are reported like retries (see ``appbuilder.sumo.once``)."""
        return create_once(post, find, tell=self.tell)

    def update_once(self, write: Callable[[], Any], landed: Callable[[], Any]) -> Any:
        """An update made with ``replay=False``, read back and compared (``landed``) before it is tried again
        when its outcome is unknown (see ``appbuilder.sumo.once``)."""
        return update_once(write, landed, tell=self.tell)

    def tell(self, message: str) -> None:
        """One line for the person waiting (retries, job polls, look-ups): logged, and sent to ``progress``
        with secrets removed."""
        clean = self._redact(message)
        log.debug("%s", clean)
        if self.progress is not None:
            self.progress(clean)

    # -- helpers -----------------------------------------------------------------------------------
    def _report_retry(self, what: str, method: str, path: str, delay: float, attempt: int,
                      limit: int | None = None) -> None:
        """One retry line; ``limit`` is the attempt budget of this kind of failure (default ``max_attempts``)."""
        self.tell(f"{what} ({method} {path}), retrying in {delay:.1f} s "
                  f"(attempt {attempt + 1}/{limit or self.max_attempts})")

    def _job_reporter(self, progress: Callable[[JobProgress], None] | None
                      ) -> Callable[[JobProgress], None] | None:
        """The caller's own job callback when it gives one (it reports the polls), else one printing
        ``<kind> job running, <n> s`` to ``self.progress`` while the job runs."""
        if progress is not None or self.progress is None:
            return progress

        def running(update: JobProgress) -> None:
            if update.status == IN_PROGRESS:
                self.tell(f"{job_kind(update.status_path)} job running, {update.elapsed:.0f} s")

        return running

    def _backoff(self, attempt: int) -> float:
        return backoff_delay(attempt, self.backoff_base, self.backoff_cap, self._rng)

    def _redact(self, text: str) -> str:
        return self.redactor.redact(text)

    def _error(self, method: str, path: str, status: int, text: str, headers: Mapping[str, str],
               attempts: int) -> SumoApiError:
        parsed = parse_error_body(self._redact(text))
        hint = hint_for(status, parsed.code, self.credentials.where, self.admin_mode)
        message = parsed.message
        if status in REDIRECT_STATUSES:
            location = headers.get("Location", "")
            match = re.match(r"(.*?)/v\d+/", location)
            moved_to = match.group(1) if match else location
            hint = (f"this account is not on {self.credentials.where}; use the base URL {moved_to} "
                    "(--base-url / SUMOLOGIC_BASE_URL) or the matching deployment")
        log.debug("%s %s error body: %s", method, path, _clip(self._redact(text)))
        return SumoApiError(
            method=method, path=path, status=status, code=parsed.code, message=message,
            request_id=parsed.request_id, hint=hint, attempts=attempts,
        )


def _parse_json(text: str) -> Any:
    if not text or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _clip(text: str) -> str:
    return text if len(text) <= _LOG_BODY_LIMIT else text[:_LOG_BODY_LIMIT] + "…"
