"""Value helpers for the evaluator: timestamps, numbers, strings, wildcards, JSON paths, lookup tables."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from appbuilder.patterns import compile_regex

Row = dict[str, object]
MISSING = object()
HIDDEN_OBJ = "\x00obj"  # the parsed JSON object of _raw

_TS = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s*(Z|z|[+-]\d\d:?\d\d)?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class EvalError(Exception):
    """A query that parses but cannot be evaluated locally."""


def timestamp_ms(text: object) -> int | None:
    """Epoch milliseconds of an RFC 3339 timestamp (``Z`` or offset, 0-9 fractional digits)."""
    if not isinstance(text, str):
        return None
    m = _TS.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        base = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc)
    except ValueError:
        return None
    ms = int((base - _EPOCH).total_seconds()) * 1000
    if frac:
        ms += int((frac + "000")[:3])
    if zone and zone not in "Zz":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60) * 1000
    return ms


def to_number(value: object) -> float | int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                return None
            return f if f == f else None  # drop NaN
    return None


def to_str(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def from_json(value: object) -> object:
    """A JSON value as Sumo gives it to a field: strings as is, objects/arrays as JSON text, scalars as text."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"))


def truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


# -- wildcards ---------------------------------------------------------------------------------------------


def wildcard_matcher(pattern: str) -> Callable[[str], bool]:
    """Whole-string, case-sensitive ``*`` wildcard match (``matches "*succ*"``)."""
    if pattern == "*":
        return lambda s: True
    if "*" not in pattern:
        return lambda s: s == pattern
    inner = pattern.strip("*")
    if "*" not in inner:
        if pattern.startswith("*") and pattern.endswith("*"):
            return lambda s: inner in s
        if pattern.endswith("*"):
            return lambda s: s.startswith(inner)
        return lambda s: s.endswith(inner)
    regex = compile_regex("(?s)" + ".*".join(re.escape(p) for p in pattern.split("*")))  # RE2: linear time
    return lambda s: regex.fullmatch(s) is not None


def keyword_regex(word: str, phrase: bool = False) -> Any:
    """Case-insensitive search for a scope keyword (term boundaries, ``*``/``?`` wildcards) or phrase; compiled
    with RE2 (linear time), so term boundaries are characters or the ends, not lookaround."""
    if phrase:
        body = r"\s+".join(re.escape(p) for p in word.split())
        return compile_regex("(?i)" + (body or r"(?s)."))
    parts = []
    for ch in word:
        parts.append(r"\S*" if ch == "*" else r"\S" if ch == "?" else re.escape(ch))
    body = "".join(parts)
    left = "" if word.startswith(("*", "?")) else r"(?:^|[^A-Za-z0-9_])"
    right = "" if word.endswith(("*", "?")) else r"(?:$|[^A-Za-z0-9_])"
    return compile_regex("(?i)" + left + body + right)


# -- JSON paths ----------------------------------------------------------------------------------------------

_STEP = re.compile(r"\[\s*(\*|\d+|'[^']*'|\"[^\"]*\")\s*\]|\.?([^.\[\]]+)")


def compile_json_path(path: str) -> Callable[[object], object]:
    """A function from a parsed JSON document to the value at ``path`` (``MISSING`` when absent).

    ``a.b``, ``a[0].b``, ``a[*].b`` (the matches as a JSON array), ``['x y'].z``, leading ``$.``.
    """
    text = path.strip()
    if text.startswith("$"):
        text = text[1:]
    steps: list[object] = []
    for m in _STEP.finditer(text):
        bracket, name = m.groups()
        if bracket is None:
            steps.append(name)
        elif bracket == "*":
            steps.append(_STAR)
        elif bracket.isdigit():
            steps.append(int(bracket))
        else:
            steps.append(bracket[1:-1])
    if all(isinstance(s, str) for s in steps):
        keys = tuple(steps)

        def plain(doc: object) -> object:
            for key in keys:
                if isinstance(doc, dict):
                    doc = doc.get(key, MISSING)
                    if doc is MISSING:
                        return MISSING
                else:
                    return MISSING
            return doc
        return plain

    def walk(doc: object, i: int) -> list[object]:
        if i == len(steps):
            return [doc]
        step = steps[i]
        if step is _STAR:
            if not isinstance(doc, list):
                return []
            return [v for item in doc for v in walk(item, i + 1)]
        if isinstance(step, int):
            if isinstance(doc, list) and -len(doc) <= step < len(doc):
                return walk(doc[step], i + 1)
            return []
        if isinstance(doc, dict) and step in doc:
            return walk(doc[step], i + 1)
        return []

    has_star = _STAR in steps

    def complex_path(doc: object) -> object:
        found = walk(doc, 0)
        if has_star:
            return found if found else MISSING
        return found[0] if found else MISSING
    return complex_path


_STAR = object()


# -- lookup tables ---------------------------------------------------------------------------------------------


@dataclass
class Lookups:
    """Stubs of ``geo://location`` and ``sumo://threat/cs``, keyed by IP."""

    geo: dict[str, dict] = field(default_factory=dict)
    threats: dict[str, dict] = field(default_factory=dict)
