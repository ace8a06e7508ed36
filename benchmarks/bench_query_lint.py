"""Benchmark: parse and lint every log and metrics query of the six reference app exports.

    python benchmarks/bench_query_lint.py [--runs 7]

Reads ../shared/reference/exports (relative to the repository root; `APPBUILDER_REFERENCE` names another
place) and prints the number of queries, the best time over the runs and the time per query. Target: under
1 ms per query.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPORTS = Path(os.environ.get("APPBUILDER_REFERENCE") or ROOT.parent / "shared" / "reference") / "exports"
sys.path.insert(0, str(ROOT))

from appbuilder.query import LintContext, lint_typed_query  # noqa: E402
from appbuilder.query.parser import parse  # noqa: E402


def _queries(node: object, out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(query type, text) of every panel query, saved search, log-query variable and metadata filter."""
    if isinstance(node, dict):
        if isinstance(node.get("queryString"), str):
            out.append((str(node.get("queryType") or "Logs"), node["queryString"]))
        search = node.get("search")
        if isinstance(search, dict) and isinstance(search.get("queryText"), str):
            out.append(("Logs", search["queryText"]))
        source = node.get("sourceDefinition")
        if isinstance(source, dict) and source.get("variableSourceType") == "LogQueryVariableSourceDefinition":
            out.append(("Logs", source.get("query") or ""))
        elif isinstance(source, dict) and source.get("variableSourceType") == "MetadataVariableSourceDefinition":
            out.append(("metadata", source.get("filter") or ""))
        for value in node.values():
            _queries(value, out)
    elif isinstance(node, list):
        for value in node:
            _queries(value, out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not EXPORTS.is_dir():
        sys.exit(f"reference exports not found at {EXPORTS}")
    queries = [q for path in sorted(EXPORTS.glob("*.json"))
               for q in _queries(json.loads(path.read_text(encoding="utf-8")), [])]
    best = float("inf")
    errors = 0
    for _ in range(args.runs):
        parse.cache_clear()  # every run parses afresh (trees are cached by text)
        began = time.perf_counter()
        found = [lint_typed_query(text, kind, LintContext()) for kind, text in queries]
        best = min(best, time.perf_counter() - began)
        errors = sum(1 for issues in found for i in issues if i.severity == "error")
    kinds = sorted({k.lower() for k, _ in queries})
    print(f"queries                {len(queries)} ({', '.join(kinds)})")
    print(f"parse + lint, best of {args.runs}  {best * 1000:.1f} ms  ({best / len(queries) * 1e6:.0f} us per query)")
    print(f"error-level findings   {errors}")


if __name__ == "__main__":
    main()
