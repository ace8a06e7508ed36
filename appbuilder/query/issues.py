"""What a query lint reports: ``QueryIssue``, the severity of each check, the ``LintContext`` a query is linted in,
and the JSON paths of sample events. Shared by the log and the metrics query linters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from appbuilder.templating import find_parameters, find_variables

ERROR = "error"
WARNING = "warning"
INFO = "info"

# Checks that need to know which fields the source sends: errors only when the app ships sample events and the
# scope reads them directly; informational otherwise (views, partitions, field extraction rules, automatic
# JSON parsing and app parameters bring fields appbuilder cannot see).
FIELD_CHECKS = frozenset({"field-undefined", "group-by-unknown-field", "unknown-json-path"})

# Default severity of every check; ``LintContext.severity`` overrides them ("off" drops the check).
DEFAULT_SEVERITY: dict[str, str] = {
    "syntax": ERROR,
    "json-alias-count": ERROR,
    "field-undefined": ERROR,
    "group-by-unknown-field": ERROR,
    "unknown-operator": WARNING,
    "unknown-json-path": WARNING,
    "unknown-lookup-column": WARNING,
    "map-needs-lat-long": ERROR,
    "compare-needs-aggregate": ERROR,
    "compare-repeated": ERROR,
    "compare-timeslice-alias": WARNING,
    "outlier-needs-timeslice": ERROR,
    "dashboard-forbidden-operator": ERROR,
    "operator-before-aggregate": WARNING,
    "alias-is-operator-name": WARNING,
    "undeclared-variable": ERROR,
    "undeclared-parameter": ERROR,
    "unmodelled-form": WARNING,
    "metrics-no-metric": WARNING,
    "row-reference-undefined": ERROR,
}


@dataclass
class LintContext:
    """What is known around a query. ``None`` means unknown and turns the matching check off (variables,
    parameters) or makes it informational (``event_fields``: the JSON paths of the app's sample events)."""

    variables: set[str] | None = None
    parameters: set[str] | None = None
    event_fields: set[str] | None = None
    chart: str | None = None
    severity: dict[str, str] = field(default_factory=dict)


@dataclass
class QueryIssue:
    """One finding; ``line``/``column`` are 1-based within the query text, ``severity`` error/warning/info."""

    line: int
    column: int
    code: str
    severity: str
    message: str
    hint: str = ""


def json_paths(value: object, item: str = "") -> set[str]:
    """Every dotted key path of a JSON value (objects and leaves); a list item's path is its list's path
    followed by ``item`` (``""``: items share the list's path; ``"[*]"``: ``labels[*].name``)."""
    paths: set[str] = set()

    def walk(value: object, prefix: str) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                path = f"{prefix}.{key}" if prefix else str(key)
                paths.add(path)
                walk(sub, path)
        elif isinstance(value, list):
            for sub in value:
                walk(sub, prefix + item)

    walk(value, "")
    return paths


def event_fields_from_samples(events: Iterable[dict]) -> set[str]:
    """Every dotted JSON path present in ``events`` (objects and leaves; array elements share the path)."""
    return set().union(*(json_paths(event) for event in events))


_INDEX = re.compile(r"\[(?:\d+|\*|[\d:,]+)\]")
_BRACKET_KEY = re.compile(r"\[['\"]([^'\"]*)['\"]\]")


def normalize_json_path(path: str) -> str:
    """``labels[*].name`` → ``labels.name``; ``['a b'].c`` → ``a b.c``; ``$.x`` → ``x``."""
    path = path.strip()
    if path.startswith("$"):
        path = path[1:].lstrip(".")
    path = _BRACKET_KEY.sub(lambda m: "." + m.group(1), path)
    path = _INDEX.sub("", path)
    return path.strip(".").replace("..", ".")


def finish_issues(issues: list[QueryIssue], text: str, ctx: LintContext) -> list[QueryIssue]:
    """Add template-reference findings, apply ``ctx.severity`` (dropping "off") and sort by position."""
    templates = (
        (ctx.variables, find_variables, "undeclared-variable", "dashboard variable '{{{{{}}}}}'", "the dashboard's"),
        (ctx.parameters, find_parameters, "undeclared-parameter", "install parameter '${{{}}}'", "the app's"),
    )
    for declared, find, code, what, where in templates:
        if declared is None:
            continue
        issues.extend(QueryIssue(ref.line, ref.column, code, ERROR, f"{what.format(ref.name)} is not declared",
                                 f"declare it under {where} {'variables' if 'variable' in code else 'parameters'}")
                      for ref in find(text) if ref.name not in declared)
    result = []
    for issue in issues:
        sev = ctx.severity.get(issue.code, issue.severity)
        if sev == "off":
            continue
        issue.severity = INFO if issue.severity == INFO else sev
        result.append(issue)
    result.sort(key=lambda i: (i.line, i.column, i.code))
    return result
