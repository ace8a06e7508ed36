"""Run an app's queries on an org's data (search jobs) and say, for each one that finds nothing, why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from appbuilder.live.diagnose import Diagnosis, diagnose
from appbuilder.live.jobs import SearchJobs, SearchResult

OK, NO_DATA, ERROR, SKIPPED = "ok", "no data", "error", "skipped"


@dataclass(frozen=True)
class LiveQuery:
    """One panel, saved search or monitor query, with its variables and parameters substituted.
    ``locate`` maps a line of ``text`` to where it is written; ``allow_empty`` makes "no data" no failure."""

    target: str
    kind: str
    text: str
    locate: Callable[[int], str] | None = None
    allow_empty: bool = False
    skipped: str = ""


@dataclass
class LiveCase:
    target: str
    kind: str
    status: str
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    message: str = ""
    diagnosis: Diagnosis | None = None
    seconds: float = 0.0
    allow_empty: bool = False

    @property
    def failed(self) -> bool:
        return self.status == ERROR or (self.status == NO_DATA and not self.allow_empty)


class JobBackend:
    """The diagnosis backend over search jobs (shared cache: a scope several panels share is counted once)."""

    def __init__(self, jobs: SearchJobs) -> None:
        self.jobs = jobs

    def _ok(self, query: str, max_rows: int | None = None) -> SearchResult:
        result = self.jobs.run(query, max_rows=max_rows)
        if result.error:
            raise QueryFailed(result.error)
        return result

    def count(self, query: str) -> int:
        rows = self._ok(query).rows
        value = rows[0].get("_count") if rows else 0
        return int(value) if isinstance(value, (int, float)) else 0

    def raw(self, query: str, limit: int) -> list[str]:
        return [str(r.get("_raw")) for r in self._ok(query, max_rows=limit).rows[:limit] if r.get("_raw")]

    def where(self, query: str) -> list[tuple[str, str, int]] | None:
        rows = self._ok(query).rows
        return [(str(r.get("_sourcecategory", "")), str(r.get("_sourcename", "")), int(r.get("_count") or 0))
                for r in rows]


class QueryFailed(Exception):
    """A diagnostic query failed on the org (its message says why)."""


def run_live(queries: list[LiveQuery], jobs: SearchJobs, *, explain: bool = True,
             progress: Callable[[str], None] | None = None) -> list[LiveCase]:
    """Every query as a search job (all submitted at once; ``jobs`` bounds how many run), then a diagnosis of
    each one that returned no rows."""
    runnable = [q for q in queries if not q.skipped]
    futures = {q.target: jobs.submit(q.text) for q in runnable}
    cases = []
    for done, query in enumerate(queries, 1):
        if query.skipped:
            cases.append(LiveCase(query.target, query.kind, SKIPPED, message=query.skipped))
            continue
        result = futures[query.target].result()
        case = LiveCase(query.target, query.kind, OK, len(result.rows), result.columns,
                        seconds=result.seconds, allow_empty=query.allow_empty)
        if result.error:
            case.status, case.message = ERROR, f"Sumo: {result.error}"
        elif not result.rows:
            case.status = NO_DATA
            if explain:
                case.diagnosis = _explain(query, JobBackend(jobs))
                case.message = case.diagnosis.message
        cases.append(case)
        if progress is not None:
            progress(f"{done}/{len(queries)} {query.target}: {case.status} ({case.rows} rows), "
                     f"{jobs.created} search jobs so far")
    return cases


def _explain(query: LiveQuery, backend: JobBackend) -> Diagnosis:
    try:
        return diagnose(query.text, backend, locate=query.locate)
    except QueryFailed as exc:
        return Diagnosis("error", f"no rows; a diagnostic search failed: {exc}")
