"""`appbuilder test --live`: every panel, saved search and monitor query of an app run on an org's data through
the Search Job API, each empty one explained; the same report types as `appbuilder test`."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from appbuilder.commands.sample_runner import app_targets, locator, target_origins
from appbuilder.commands.test import CaseResult, TestOutcome, TestRunResult, metrics_panels, unknown_variables
from appbuilder.deploy.session import DeployOptions, open_remote
from appbuilder.diagnostics import Diagnostic
from appbuilder.live.jobs import Interrupted, SearchJobs, Window
from appbuilder.live.run import ERROR, NO_DATA, SKIPPED, LiveCase, LiveQuery, run_live
from appbuilder.model import App, Position
from appbuilder.pipeline import run_pipeline
from appbuilder.sumo.errors import SumoError
from appbuilder.templating import expand_query

DEFAULT_WINDOW = "24h"
METRICS_SKIPPED = "a metrics panel: the Search Job API runs log queries"
_SPAN = re.compile(r"^(\d+)([smhdw])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


@dataclass(frozen=True)
class LiveSettings:
    """Where and when to search: the connection, the window, and the targets allowed to find nothing."""

    options: DeployOptions
    window: Window
    allow_empty: frozenset[str] = frozenset()


def parse_window(span: str | None, start: str | None, end: str | None, now: float) -> Window:
    """``--window 24h`` ending now (``now`` epoch seconds), or ``--from``/``--to`` (ISO 8601 in UTC or epoch
    milliseconds; ``--to`` defaults to now, ``--from`` to ``--to`` minus the window). ValueError says what is
    wrong."""
    if start and span:
        raise ValueError("give --window or --from, not both (--to with --window ends the window there)")
    last = _instant(end, "--to") if end else int(now * 1000)
    if start:
        first = _instant(start, "--from")
    else:
        m = _SPAN.match((span or DEFAULT_WINDOW).strip())
        if not m or int(m.group(1)) == 0:
            raise ValueError(f"--window '{span}' is not a duration such as 15m, 24h or 7d")
        first = last - int(m.group(1)) * _UNIT[m.group(2)] * 1000
    if first >= last:
        raise ValueError("the window is empty: --from must be earlier than --to")
    return Window(first, last)


def _instant(text: str, option: str) -> int:
    if text.strip().isdigit():
        return int(text.strip())
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{option} '{text}' is not an ISO 8601 date-time (2026-11-23T09:00:00Z) or epoch "
                         f"milliseconds") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def live_queries(app: App, variables: Mapping[str, str], parameters: Mapping[str, str],
                 allow_empty: Iterable[str] = ()) -> list[LiveQuery]:
    """Every log panel, saved search and monitor query of ``app`` as Sumo runs it (dashboard variables at their
    defaults unless ``variables`` sets them); metrics panels are listed as skipped."""
    allowed = set(allow_empty)
    saved = {f"query:{q.id}" for q in app.saved_searches}
    metrics = metrics_panels(app)
    origins = target_origins(app)
    params = {**app.parameter_defaults(), **parameters}
    out = []
    allowed |= {f"{d.slug}/{p.id}" for d in app.dashboards for p in d.panels if p.live_optional}
    allowed |= {f"query:{q.id}" for q in app.queries if q.live_optional}
    allowed |= {f"monitor:{m.slug}" for m in app.monitors if m.live_optional}
    for target, (text, _, defaults, kind) in app_targets(app).items():
        if kind == "query" and target not in saved:
            continue
        out.append(LiveQuery(target, kind, expand_query(text, {**defaults, **variables}, params),
                             locator(origins.get(target)), target in allowed,
                             METRICS_SKIPPED if target in metrics else ""))
    return out


def run_live_test(path: Path, *, variables: Mapping[str, str], parameters: Mapping[str, str],
                  settings: LiveSettings, progress: Callable[[str], None] | None = None) -> TestOutcome:
    """Validate the app, then run its queries on the org; ``outcome.result.live`` holds the cost."""
    pipeline = run_pipeline(path, parameters, until="validate", lint_queries=False)
    outcome = TestOutcome(pipeline.validation)
    app = pipeline.app
    if app is not None:
        pipeline.validation.add(unknown_variables(app, variables))
        pipeline.validation.add(_unknown_targets(settings.allow_empty, set(app_targets(app))))
    if not pipeline.ok or app is None:
        return outcome
    began = time.perf_counter()
    queries = live_queries(app, variables, pipeline.parameters, settings.allow_empty)
    result = TestRunResult(app.name)
    outcome.result = result
    try:
        remote = open_remote(settings.options, progress)
    except SumoError as exc:
        result.cases.append(CaseResult("connection", "org", "org", [str(exc)]))
        result.seconds = time.perf_counter() - began
        result.live = _live_summary(settings, 0, 0, [])  # a live run, even one that never reached the org
        return outcome
    client = remote.client
    cases: list[LiveCase] = []
    with client:
        jobs = SearchJobs(client, settings.window, progress=progress)
        try:
            cases = run_live(queries, jobs, progress=progress)
        except (KeyboardInterrupt, Interrupted):
            result.interrupted = True
        except SumoError as exc:
            result.cases.append(CaseResult("search jobs", "org", "org", [client.redactor.redact(str(exc))]))
        finally:
            jobs.close()
        result.cases[:0] = [_case(c) for c in cases]
        result.seconds = time.perf_counter() - began
        result.live = _live_summary(settings, jobs.created, client.stats.calls, jobs.open_jobs)
    return outcome


def _live_summary(settings: LiveSettings, search_jobs: int, requests: int, left_open: list[str]) -> dict[str, Any]:
    """The window a live run searched and what it cost (``TestRunResult.live``)."""
    return {"window": str(settings.window), "from": settings.window.start, "to": settings.window.end,
            "searchJobs": search_jobs, "requests": requests, "leftOpen": left_open}


def _case(live: LiveCase) -> CaseResult:
    case = CaseResult(live.target, live.target, live.kind, rows=live.rows, columns=live.columns,
                      seconds=live.seconds, status=live.status)
    if live.status == SKIPPED:
        case.skipped = live.message
    elif live.status == ERROR or (live.status == NO_DATA and not live.allow_empty):
        case.failures.append(f"{live.status}: {live.message}" if live.message else live.status)
    elif live.status == NO_DATA:
        case.detail = f"no data (allowed): {live.message}"
    return case


def _unknown_targets(names: Iterable[str], known: set[str]) -> list[Diagnostic]:
    return [Diagnostic(Position("--allow-empty"), f"'{name}' names no panel, saved search or monitor",
                       code="unknown-target", hint="use <dashboard file stem>/<panel id>, query:<id> or "
                       "monitor:<file stem>") for name in sorted(set(names) - known)]
