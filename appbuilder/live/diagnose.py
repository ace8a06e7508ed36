"""Why does a query return no rows? Its scope alone, then growing prefixes of its pipeline, on any backend that
can count a query's rows and sample its events: the org through search jobs, or the sample events locally."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import appbuilder.query.ast as ast
from appbuilder.query.prefixes import missing_paths, shape_scope, stages

SAMPLE_SIZE = 100  # messages sampled to name the keys the events do have
CATEGORY_LIMIT = 5  # source categories named when the scope finds nothing


class Backend(Protocol):
    """Runs diagnostic queries. ``count`` returns the ``_count`` of a ``… | count`` query (0 when it returns no
    row); ``raw`` returns up to ``limit`` ``_raw`` texts of a non-aggregate query; ``where`` (optional, None
    when the backend has no metadata) lists ``(category, name, events)`` holding events of ``query``'s shape."""

    def count(self, query: str) -> int: ...

    def raw(self, query: str, limit: int) -> list[str]: ...

    def where(self, query: str) -> list[tuple[str, str, int]] | None: ...


@dataclass
class Diagnosis:
    """Where a query loses its events: ``stage`` is ``scope`` or ``operator`` (or ``none`` when every prefix
    keeps some); ``line`` is the operator's line in the query; ``message`` says it in one sentence."""

    stage: str
    message: str
    line: int = 0
    operator: str = ""
    categories: list[tuple[str, str, int]] = field(default_factory=list)


def diagnose(query: str, backend: Backend, *, locate: Callable[[int], str] | None = None) -> Diagnosis:
    """Find where ``query`` (parameters and variables substituted) loses every event. ``locate`` turns a line of
    the query into the place it was written (``dashboards/x.yaml:12``)."""
    cut = stages(query)
    if backend.count(cut.scope_count) == 0:
        shape = category_query(query)
        found = backend.where(shape) if shape is not None else None
        scope = " ".join(cut.scope.split())
        message = f"no events match the scope `{scope}` in the window"
        if found:
            listed = ", ".join(f"_sourceCategory={c} (_sourceName={n}, {e} events)" for c, n, e in found)
            message += f"; events of this query's shape are in {listed}: is the source category parameter wrong?"
        elif found is not None:
            message += "; no source in the window holds events of this query's shape: is the source collecting?"
        return Diagnosis("scope", message, categories=found or [])
    for index, stage in enumerate(cut.stages):
        if backend.count(stage.count_query) > 0:
            continue
        where = locate(stage.line) if locate else f"line {stage.line}"
        message = f"loses every event at {where}: {stage.text}"
        hint = _json_hint(stage.operator, backend, cut.before(index)) if isinstance(stage.operator, ast.JsonOp) \
            else ""
        return Diagnosis("operator", message + hint, stage.line, stage.text)
    return Diagnosis("none", "every operator keeps some events over the whole window; the panel's own time "
                             "range or a later step (compare, a time window) leaves no rows")


def category_query(query: str) -> str | None:
    """The one bounded metadata query: where events of ``query``'s shape are, by source category and name (None
    when the query's scope and first parse say nothing about the shape)."""
    shape = shape_scope(query)
    if shape is None:
        return None
    return f"{shape}\n| count by _sourceCategory, _sourceName\n| sort by _count\n| limit {CATEGORY_LIMIT}"


def _json_hint(op: ast.JsonOp, backend: Backend, before: str) -> str:
    """`` — the events have client.ip_address`` from the keys of messages sampled just before ``op``."""
    events = []
    for text in backend.raw(before, SAMPLE_SIZE):
        try:
            events.append(json.loads(text))
        except ValueError:
            continue
    if not events:
        return ""
    missing = missing_paths(op, events)
    if not missing:
        return ""
    parts = []
    for path, close in missing:
        have = f"the events have {' or '.join(close)}" if close else "no sampled event has it"
        parts.append(f'"{path}": {have}')
    return " — " + "; ".join(parts)
