"""Read JSON and JSON-lines files safely (backups, exports, sample events, lookup tables).

Like ``read_yaml``: whatever the input (missing, a directory, huge, not UTF-8, a BOM, broken JSON, nested
tens of thousands of levels), the result is data or positioned diagnostics, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic, InputError
from appbuilder.load.textfile import FileKind, read_text
from appbuilder.model import Position

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 200
MAX_LINE_PROBLEMS = 10  # per JSON-lines file


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (iterative: safe on any input)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return False


class _NotJson(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's json module reads them, JSON (and Sumo) does not."""


def _refuse_constant(name: str) -> Any:
    raise _NotJson(name)


def parse_json_text(text: str, shown: str, line: int = 1) -> tuple[Any, Diagnostic | None]:
    """One JSON value from ``text`` (``line`` is the file line it starts on); the value or a positioned problem."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        return None, Diagnostic(Position(shown, line + exc.lineno - 1, exc.colno), f"invalid JSON: {exc.msg}",
                                code="json-syntax", hint="fix the JSON at this place")
    except _NotJson as exc:
        return None, Diagnostic(Position(shown, line, 1), f"invalid JSON: {exc} is not a JSON value",
                                code="json-syntax", hint="write a number, a string or null instead")
    except (RecursionError, ValueError):
        value = None
    else:
        if text.count("[") + text.count("{") <= MAX_JSON_DEPTH or not _depth_exceeds(value, MAX_JSON_DEPTH):
            return value, None
    return None, Diagnostic(Position(shown, line, 1), f"JSON nested more than {MAX_JSON_DEPTH} levels deep",
                            code="too-deep", hint="is this the right file?")


def read_json(path: Path, display: str | None = None, *,
              max_bytes: int = MAX_JSON_BYTES) -> tuple[Any, list[Diagnostic]]:
    """The JSON value in ``path``, or None and the reasons it could not be read (never raises)."""
    shown = display or str(path)
    text, problems = read_text(path, shown, FileKind("JSON file", max_bytes))
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Diagnostic(Position(shown, 1, 1), "file is empty", code="empty-file",
                                 hint="a JSON file must hold a value")]
    value, problem = parse_json_text(text, shown)
    return value, [problem] if problem else []


def load_json(path: Path, display: str | None = None) -> Any:
    """The JSON value in ``path``; raises InputError (with positioned diagnostics) when it cannot be read."""
    value, problems = read_json(path, display)
    if problems:
        raise InputError(problems)
    return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else "an array"


@dataclass
class JsonLines:
    """The objects of a JSON-lines file with their 1-based line numbers, and the problems of the other lines."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def read_jsonl(path: Path, display: str | None = None, *, what: str = "event") -> JsonLines:
    """Every line of a JSON-lines file that is a JSON object; the other non-blank lines are diagnostics (the first
    ``MAX_LINE_PROBLEMS`` of them, then one saying there are more)."""
    shown = display or str(path)
    result = JsonLines()
    text, problems = read_text(path, shown, FileKind("JSON-lines file", MAX_JSON_BYTES))
    if text is None:
        result.diagnostics.extend(problems)
        return result
    hint = f"each line holds one JSON object (one {what})"
    bad: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip())
        value, problem = parse_json_text(stripped, shown, number)
        if problem is not None:
            bad.append(Diagnostic(Position(shown, number, problem.position.column + indent), problem.message,
                                  code=problem.code, hint=hint))
        elif not isinstance(value, dict):
            bad.append(Diagnostic(Position(shown, number, 1 + indent),
                                  f"line is not a JSON object (found {_json_kind(value)})", code="json-not-object",
                                  hint=hint))
        else:
            result.rows.append((number, value))
            result.raw.append(stripped)
    result.diagnostics.extend(bad[:MAX_LINE_PROBLEMS])
    if len(bad) > MAX_LINE_PROBLEMS:
        more = bad[MAX_LINE_PROBLEMS].position
        result.diagnostics.append(Diagnostic(more, f"{len(bad) - MAX_LINE_PROBLEMS} more lines of this file are not "
                                             f"JSON objects", code="json-not-object",
                                             hint="is this a JSON-lines file? only the first problems are listed"))
    return result
