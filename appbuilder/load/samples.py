"""The data an app's queries run on locally: sample events (``samples:``) and lookup tables (``tests/lookups``).

Read once per command; every broken line is a positioned problem (a BOM is accepted, as for YAML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.jsonfile import JsonLines, read_jsonl
from appbuilder.load.yamlfile import display_path
from appbuilder.model import App, Position
from appbuilder.tokens import find_tokens

if TYPE_CHECKING:
    from appbuilder.query.evaluate.values import Lookups

LOOKUP_DIR = Path("tests") / "lookups"


@dataclass
class SampleData:
    """Sample events (with their JSON text), lookup rows per table (file stem), and the problems found."""

    events: list[dict[str, Any]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    lookups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _secrets(lines: JsonLines, shown: str) -> list[Diagnostic]:
    """An error for each line holding a token-looking value: samples end up in docs pages and previews."""
    found = []
    for (number, _), text in zip(lines.rows, lines.raw, strict=True):
        tokens = find_tokens(text)
        if tokens:
            found.append(Diagnostic(Position(shown, number, text.find(tokens[0]) + 1), "this event holds a value "
                                    "that looks like a secret (a 1Password token or a Sumo access key)",
                                    code="secret-in-definition", hint="replace it with a placeholder such as "
                                    "REDACTED; sample events are copied into docs pages and previews"))
    return found


def read_sample_data(app: App) -> SampleData:
    """Every sample event and lookup row of ``app``; lines that are not JSON objects, or that hold a token-looking
    value, become diagnostics."""
    data = SampleData()
    for path in app.sample_files:
        lines = read_jsonl(path, display_path(path), what="sample event")
        data.events.extend(row for _, row in lines.rows)
        data.raw.extend(lines.raw)
        data.diagnostics.extend(lines.diagnostics + _secrets(lines, display_path(path)))
    data.lookups, problems = read_lookup_tables(app.root / LOOKUP_DIR)
    data.diagnostics.extend(problems)
    return data


def read_lookup_tables(directory: Path) -> tuple[dict[str, list[dict[str, Any]]], list[Diagnostic]]:
    """The rows of each ``*.jsonl`` lookup table in ``directory`` (by file stem; none when it is missing),
    and the problems of their lines."""
    tables: dict[str, list[dict[str, Any]]] = {}
    problems: list[Diagnostic] = []
    if directory.is_dir():
        for path in sorted(directory.glob("*.jsonl")):
            lines = read_jsonl(path, display_path(path), what="lookup row")
            tables[path.stem] = [row for _, row in lines.rows]
            problems.extend(lines.diagnostics + _secrets(lines, display_path(path)))
    return tables, problems


def evaluator_lookups(tables: dict[str, list[dict[str, Any]]]) -> Lookups:
    """The geo and threat-intel stubs of the query evaluator from lookup tables: ``geo`` (by ``ip``) and
    ``threat_cs`` (by ``threat``)."""
    from appbuilder.query.evaluate.values import Lookups

    def keyed(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
        return {str(row[key]): row for row in rows if row.get(key) is not None}

    return Lookups(geo=keyed(tables.get("geo", []), "ip"), threats=keyed(tables.get("threat_cs", []), "threat"))
