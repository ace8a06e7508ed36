"""The Search Job API over the messages the fake holds (``appbuilder.fakesumo.ingest``).

Paths, states, paging limits and the cookie rule follow Sumo's "Search Job APIs" documentation; request and
response bodies are validated by the contract (``contract.py``) against the OpenAPI spec's ``CreateJobRequest``,
``CreateJobResponse``, ``SearchJobStatusResponse``, ``SearchQueryPaginatedMessages`` / ``…Records`` and
``SearchJobDeleteResponse``, with the two overrides of ``scripts/gen_spec_schemas.py`` where the documentation
disagrees with the spec (``timeZone``; a records page holds ``records``).
Queries run on the local query engine `appbuilder test` uses (``LocalEngine``: the Python evaluator for few
messages, DuckDB with the metadata as columns for many) over the messages whose metadata the scope selects, in
the window ``(from, to]`` on the message time; messages come newest first. An aggregate query over no messages has no
records (Sumo answers "no results" for ``| count`` over nothing; the local evaluator gives a row of 0).
Guesses, named as such: a query that does not parse is refused at create with 400 ``searchjob.query.invalid``;
one the evaluator cannot run ends ``CANCELLED`` with the reason in ``pendingErrors``; an unknown job answers 404
``searchjob.jobid.invalid``; a job ends after ``job_polls`` polls.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import appbuilder.query.ast as ast
from appbuilder.fakesumo.errors import ApiError
from appbuilder.fakesumo.ingest import Message
from appbuilder.fakesumo.routing import Request, Response, Router
from appbuilder.query.evaluate import EvalError
from appbuilder.query.evaluate.values import to_str
from appbuilder.query.parser import parse
from appbuilder.query.prefixes import AGGREGATES, stages

if TYPE_CHECKING:
    from appbuilder.fakesumo.ingest import LogStore

BASE = "/v1/search/jobs"
MAX_PAGE = 10_000  # messages or records per page (documentation)
MAX_ACTIVE_JOBS = 200  # concurrently active search jobs per organization (documentation)
COOKIE = "JSESSIONID"
GATHERING, DONE, CANCELLED = "GATHERING RESULTS", "DONE GATHERING RESULTS", "CANCELLED"
METADATA = {"_sourcecategory": "category", "_sourcename": "name", "_sourcehost": "host", "_collector": "collector",
            "_source": "name"}
_EPOCH_MS = re.compile(r"^\d{1,16}$")


@dataclass
class SearchJob:
    id: str
    owner: str
    cookie: str
    query: str
    aggregate: bool
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    message_count: int = 0
    polls_left: int = 0
    error: str = ""


@dataclass
class SearchJobs:
    """Every search job not yet deleted; ``created`` counts all ever created (tests and benchmarks read both);
``sessions`` are the session cookies handed out (a job answers only to the session that created it)."""

    jobs: dict[str, SearchJob] = field(default_factory=dict)
    created: int = 0
    sessions: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def active(self) -> list[str]:
        with self.lock:
            return sorted(self.jobs)


def register(router: Router) -> None:
    router.add("POST", BASE, create)
    router.add("GET", f"{BASE}/{{job}}", status)
    router.add("DELETE", f"{BASE}/{{job}}", delete)
    router.add("GET", f"{BASE}/{{job}}/messages", messages)
    router.add("GET", f"{BASE}/{{job}}/records", records)


# -- handlers ------------------------------------------------------------------------------------------------


def create(fake: Any, req: Request) -> Response:
    body = req.object_body()  # the contract checked the types and required properties (CreateJobRequest)
    query, zone = body["query"], body["timeZone"]
    if not query.strip():  # beyond the schema (documentation: the search expression)
        raise ApiError(400, "searchjob.query.invalid", "The field 'query' must not be empty.")
    start, end = _instant(body.get("from"), zone, "from"), _instant(body.get("to"), zone, "to")
    if end <= start:
        raise ApiError(400, "searchjob.invalid.timerange", "'to' must be later than 'from'.")
    tree = parse(query)
    if tree.issues:
        first = tree.issues[0]
        raise ApiError(400, "searchjob.query.invalid",
                       f"Parse error at line {first.line}, column {first.column}: {first.message}")
    jobs: SearchJobs = fake.search_jobs
    with jobs.lock:
        if len(jobs.jobs) >= MAX_ACTIVE_JOBS:
            raise ApiError(429, "searchjob.limit.exceeded",
                           f"Too many active search jobs (at most {MAX_ACTIVE_JOBS}); delete finished jobs.")
    session = _cookie(req.headers.get("Cookie", ""))
    if session not in jobs.sessions:  # a client's first create opens its session (the cookie it keeps sending)
        session = secrets.token_hex(16)
        with jobs.lock:
            jobs.sessions.add(session)
    job = SearchJob(secrets.token_hex(8).upper(), req.access_id, session, query,
                    any(isinstance(op, AGGREGATES) for op in tree.operators), polls_left=fake.job_polls)
    _run(fake.logs, job, tree, start, end)
    with jobs.lock:
        jobs.jobs[job.id] = job
        jobs.created += 1
    host = req.headers.get("Host", "127.0.0.1")
    return Response(202, {"id": job.id, "link": {"rel": "self", "href": f"http://{host}/api{BASE}/{job.id}"}},
                    {"Set-Cookie": f"{COOKIE}={job.cookie}; Path=/api; HttpOnly"})


def status(fake: Any, req: Request) -> Response:
    job = _job(fake, req)
    job.polls_left = max(0, job.polls_left - 1)
    state = CANCELLED if job.error else GATHERING if job.polls_left else DONE
    return Response(200, {"state": state, "messageCount": job.message_count,
                          "recordCount": len(job.rows) if job.aggregate else 0, "histogramBuckets": [],
                          "pendingWarnings": [], "pendingErrors": [job.error] if job.error else []})


def delete(fake: Any, req: Request) -> Response:
    job = _job(fake, req)
    with fake.search_jobs.lock:
        fake.search_jobs.jobs.pop(job.id, None)
    return Response(200, {"id": job.id, "jobId": job.id})  # "id" in the documentation, "jobId" in the spec


def messages(fake: Any, req: Request) -> Response:
    job = _job(fake, req)
    rows = [] if job.aggregate or job.error else job.rows
    chunk, fields = _page(req, rows), _fields(job.columns if rows else [])
    return Response(200, {"warning": "", "fields": fields, "messages": [{"map": _strings(r)} for r in chunk]})


def records(fake: Any, req: Request) -> Response:
    job = _job(fake, req)
    rows = job.rows if job.aggregate and not job.error else []
    chunk = _page(req, rows)
    return Response(200, {"warning": "", "fields": _fields(job.columns if job.aggregate else []),
                          "records": [{"map": _strings(r)} for r in chunk]})


# -- the search ----------------------------------------------------------------------------------------------


def _run(store: LogStore, job: SearchJob, tree: ast.QueryAST, start: int, end: int) -> None:
    """Evaluate the job's query now; results are served as the job is polled."""
    keep = metadata_filter(tree.scope)
    with store.lock:
        chosen = [i for i, m in enumerate(store.messages) if keep(m) is not False]
        picked = {(store.messages[i].raw, store.messages[i].message_time): store.messages[i] for i in chosen}
    evaluator = store.evaluator(chosen)
    now, span = datetime.fromtimestamp(end / 1000, tz=timezone.utc), f"-{-(-(end - start) // 1000)}s"
    try:
        table = evaluator.run(job.query, now=now, time_range=span)
        if job.aggregate:  # the messages that reach the first aggregate
            rows = evaluator.run(_before_aggregate(job.query), now=now, time_range=span).rows
            job.message_count = int(next(iter(rows[0].values()))) if rows else 0
    except EvalError as exc:
        job.error = str(exc)
        return
    except Exception as exc:  # noqa: BLE001 - a gap of the local evaluator is the job's error, not a 500
        job.error = f"the fake's query evaluator cannot run this query ({type(exc).__name__}: {exc})"
        return
    job.columns = list(table.columns)
    job.rows = table.rows if job.message_count or not job.aggregate else []  # no messages, no records
    if job.aggregate:
        return
    job.rows.sort(key=lambda r: -r["_messageTime"] if isinstance(r.get("_messageTime"), int) else 0)  # newest first
    for row in job.rows:  # a message carries its metadata
        found = picked.get((row.get("_raw"), row.get("_messageTime")))
        if found is not None:
            row.update({k: v for k, v in found.fields().items() if k not in row})
    job.message_count = len(job.rows)


def _before_aggregate(query: str) -> str:
    """``… | count`` of the query up to its first aggregate operator."""
    cut = stages(query)
    first = next(i for i, stage in enumerate(cut.stages) if isinstance(stage.operator, AGGREGATES))
    return f"{cut.before(first)}\n| count"


def metadata_filter(scope: ast.ScopeExpr | None) -> Callable[[Message], bool | None]:
    """Whether a message's metadata satisfies the metadata terms of ``scope``: True, False, or None where the
    scope's other terms decide (the evaluator applies those)."""
    if scope is None:
        return lambda m: None
    if isinstance(scope, ast.ScopeTerm):
        attr = METADATA.get((scope.key or "").lower()) if scope.kind == "field" else None
        if attr is None:
            return lambda m: None
        match = _wildcard(scope.value)
        negated = scope.negated
        return lambda m: match(getattr(m.meta, attr)) != negated
    if isinstance(scope, ast.ScopeNot):
        inner = metadata_filter(scope.item)
        return lambda m: None if (v := inner(m)) is None else not v
    parts = [metadata_filter(item) for item in scope.items]
    if scope.op == "and":
        return lambda m: False if any(p(m) is False for p in parts) else (
            True if all(p(m) is True for p in parts) else None)
    return lambda m: True if any(p(m) is True for p in parts) else (
        False if all(p(m) is False for p in parts) else None)


def _wildcard(pattern: str) -> Callable[[str], bool]:
    """A metadata value pattern (``*`` any run of characters; case-insensitive, as Sumo matches metadata)."""
    rx = re.compile("^" + ".*".join(re.escape(p) for p in pattern.strip('"').split("*")) + "$", re.IGNORECASE)
    return lambda value: rx.match(value) is not None


# -- helpers -------------------------------------------------------------------------------------------------


def _job(fake: Any, req: Request) -> SearchJob:
    """The job named in the path, visible only to its creator's key and session cookie (documentation: a
    follow-up call without the create call's cookies answers 404)."""
    with fake.search_jobs.lock:
        job = fake.search_jobs.jobs.get(req.params["job"])
    cookie = _cookie(req.headers.get("Cookie", ""))
    if job is None or job.owner != req.access_id or cookie != job.cookie:
        raise ApiError(404, "searchjob.jobid.invalid", "Job ID is invalid.")
    return job


def _cookie(header: str) -> str:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return ""


def _instant(value: object, zone: object, name: str) -> int:
    """Epoch ms of ``from`` / ``to``: epoch milliseconds, or an ISO 8601 date-time local to ``zone``."""
    text = str(value).strip()  # a string of at most 20 characters (the contract checked CreateJobRequest)
    if _EPOCH_MS.match(text):
        return int(text)
    try:
        moment = datetime.fromisoformat(text)
        tz = ZoneInfo(str(zone))
    except (ValueError, ZoneInfoNotFoundError):
        raise ApiError(400, "searchjob.invalid.timerange",
                       f"'{name}' must be an ISO 8601 date-time or epoch milliseconds, and the time zone a "
                       f"tz database name; got {value!r} in {zone!r}.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return int(moment.timestamp() * 1000)


def _page(req: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    offset = req.integer("offset", 0, 0, 1 << 31)
    limit = req.integer("limit", 100, 1, MAX_PAGE)
    return rows[offset:offset + limit]


def _fields(columns: list[str]) -> list[dict[str, Any]]:
    return [{"name": c.lower(), "fieldType": "string", "keyField": False} for c in columns]


def _strings(row: dict[str, Any]) -> dict[str, str]:
    """A row as the API's map: lower-case field names, every value a string."""
    return {k.lower(): "" if v is None else (to_str(v) or "") for k, v in row.items()}
