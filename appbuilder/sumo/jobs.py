"""Polling of Sumo's asynchronous jobs (``{"status": "InProgress"|"Success"|"Failed", …}``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appbuilder.sumo.errors import SumoJobFailed
from appbuilder.sumo.ratelimit import poll_delays

IN_PROGRESS = "InProgress"
SUCCESS = "Success"
FAILED = "Failed"


@dataclass(frozen=True)
class JobProgress:
    """Passed to a progress callback after each poll."""

    status_path: str
    status: str
    polls: int
    elapsed: float
    message: str = ""


def job_kind(status_path: str) -> str:
    """What a job does, from its status path: ``…/import/{job}/status`` → ``import``."""
    parts = [p for p in status_path.split("/") if p]
    kind = parts[-3] if len(parts) >= 3 and parts[-1] == "status" else "async"
    return {"global": "global folder", "adminRecommended": "Admin Recommended folder"}.get(kind, kind)


def job_error(status: dict[str, Any]) -> tuple[str, str]:
    """(code, message) of a Failed status; accepts ``error`` (object), ``errors`` (object or list)."""
    error = status.get("error") or status.get("errors")
    if isinstance(error, list):
        error = error[0] if error else None
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        detail = str(error.get("detail") or "")
        if detail and detail not in message:
            message = f"{message} ({detail})" if message else detail
        return str(error.get("code") or ""), message
    if isinstance(error, str):
        return "", error
    return "", str(status.get("statusMessage") or "")


def wait_for_job(
    fetch: Callable[[], Any],
    status_path: str,
    *,
    timeout: float = 600.0,
    initial: float = 0.2,
    cap: float = 2.0,
    progress: Callable[[JobProgress], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    """Call ``fetch`` (which GETs the status) until the job succeeds; backoff from ``initial`` to ``cap``.

    Returns the final status object. Raises SumoJobFailed when the job fails or ``timeout`` passes.
    """
    start = clock()
    delays = poll_delays(initial, cap)
    polls = 0
    while True:
        status = fetch()
        polls += 1
        if not isinstance(status, dict):
            status = {"status": str(status)}
        state = str(status.get("status") or "")
        elapsed = clock() - start
        if progress is not None:
            progress(JobProgress(status_path, state, polls, elapsed, str(status.get("statusMessage") or "")))
        if state == SUCCESS:
            return status
        if state == FAILED:
            code, message = job_error(status)
            raise SumoJobFailed(status_path, message or "no reason given", code=code,
                                hint="see the message; fix the content or retry", details=status)
        delay = next(delays)
        if elapsed + delay > timeout:
            raise SumoJobFailed(
                status_path, f"still {state or 'unknown'} after {elapsed:.1f}s", timed_out=True,
                hint="Sumo may be slow; retry later or raise the job timeout",
            )
        sleep(delay)
