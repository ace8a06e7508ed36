"""Every log and metrics query of the six reference app exports (when present) and of the synthetic exports
parses and lints with zero errors."""

import json
from collections import Counter

import pytest
from reference import REAL_EXPORTS, absent_reason
from synthetic_exports import EXPORTS as SYNTHETIC

from appbuilder.query import LintContext, lint_metrics_query, lint_query, parse, parse_metrics_query

EXPORTS = REAL_EXPORTS
# the least each source holds: (logs, metrics, metadata filters, queries checked against their variables)
LEAST = {"real": (190, 15, 4, 150), "synthetic": (15, 4, 3, 4)}


Query = tuple[str, str, frozenset[str], "set[str] | None"]


def collect(node, out: list[Query], variables: set[str] | None = None) -> list[Query]:
    """(kind, text, row keys of the panel, variables of the dashboard) of every query: panel queries
    (logs/metrics), saved searches, log-query variables and metadata-variable filters."""
    if isinstance(node, dict):
        if isinstance(node.get("variables"), list) and "panels" in node:
            variables = {v["name"] for v in node["variables"]}
        queries = node.get("queries")
        if isinstance(queries, list):
            keys = frozenset(q.get("queryKey") for q in queries if isinstance(q, dict) and q.get("queryKey"))
            for q in queries:
                if isinstance(q, dict) and isinstance(q.get("queryString"), str):
                    out.append((str(q.get("queryType", "Logs")).lower(), q["queryString"], keys, variables))
        search = node.get("search")
        if isinstance(search, dict) and isinstance(search.get("queryText"), str):
            out.append(("logs", search["queryText"], frozenset(), None))
        source = node.get("sourceDefinition")
        if isinstance(source, dict):
            kind = source.get("variableSourceType")
            if kind == "LogQueryVariableSourceDefinition":
                out.append(("logs", source["query"], frozenset(), variables))
            elif kind == "MetadataVariableSourceDefinition":
                out.append(("metadata", source.get("filter") or "", frozenset(), variables))
        for key, value in node.items():
            if key != "queries":
                collect(value, out, variables)
    elif isinstance(node, list):
        for value in node:
            collect(value, out, variables)
    return out


def all_queries(source: str) -> list[tuple[str, str, str, frozenset[str], set[str] | None]]:
    if source == "synthetic":
        return [(name, *query) for name, make in sorted(SYNTHETIC.items()) for query in collect(make(), [])]
    if not EXPORTS.is_dir():
        pytest.skip(absent_reason("exports"))
    files = sorted(EXPORTS.glob("*.json"))
    assert len(files) == 6
    return [(path.name, *query) for path in files
            for query in collect(json.loads(path.read_text(encoding="utf-8")), [])]


@pytest.mark.parametrize("source", ["real", "synthetic"])
def test_every_query_of_the_exports_parses(source: str):
    queries = all_queries(source)
    kinds = Counter(kind for _, kind, _, _, _ in queries)
    logs, metrics, metadata, _ = LEAST[source]
    assert kinds["logs"] >= logs and kinds["metrics"] >= metrics and kinds["metadata"] >= metadata
    failures = []
    for name, kind, text, _, _ in queries:
        tree = parse(text) if kind == "logs" else parse_metrics_query(text, metadata_filter=kind == "metadata")
        failures += [(name, kind, text.splitlines()[i.line - 1] if text else "", i.message) for i in tree.issues]
    assert failures == []


@pytest.mark.parametrize("source", ["real", "synthetic"])
def test_every_query_of_the_exports_lints_without_errors(source: str):
    errors = []
    checked_variables = 0
    for name, kind, text, keys, variables in all_queries(source):
        checked_variables += variables is not None
        ctx = LintContext(variables=variables)
        if kind == "logs":
            found = lint_query(text, ctx)
        else:
            found = lint_metrics_query(text, ctx, rows=set(keys), metadata_filter=kind == "metadata")
        errors += [(name, i.code, i.message) for i in found if i.severity == "error"]
    assert errors == []
    assert checked_variables >= LEAST[source][3]  # dashboard queries are checked against their dashboard's variables
