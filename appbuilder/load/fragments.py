"""Shared definitions: named query fragments (``@include NAME``) and dashboard variable sets (``use: NAME``).

Both are expanded while loading, so every later stage (validation, lint, tests, build) sees the queries and
variables as if they had been written out in place. An expanded query remembers, line by line, where each line
came from, so a problem inside a fragment is reported at the fragment's line and names the include that used it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.reader import as_dict
from appbuilder.load.yamlfile import YamlDocument
from appbuilder.model import LinePiece, Position, TextOrigin

INCLUDE_RE = re.compile(r"^[ \t]*@include[ \t]+(\S+)[ \t]*$")
MAX_NESTING = 20

Reader = Callable[[Path, str, list[Diagnostic]], tuple[YamlDocument | None, bool]]


@dataclass(frozen=True)
class Fragment:
    name: str
    text: str
    origin: TextOrigin


@dataclass
class SharedDefinitions:
    """The fragments and variable sets of one app (empty when the app has no fragments file)."""

    fragments: dict[str, Fragment] = field(default_factory=dict)
    variable_sets: dict[str, tuple[YamlDocument, list[Any]]] = field(default_factory=dict)
    unreadable: bool = False  # the file has problems (reported): names missing from it are not reported again


def has_unexpanded_include(text: str) -> bool:
    """Whether an ``@include`` line is left (its fragment is unknown, or the fragments file unreadable)."""
    return "@include" in text and any(INCLUDE_RE.match(line) for line in text.split("\n"))


def load_shared(path: Path, read: Reader, diagnostics: list[Diagnostic]) -> SharedDefinitions:
    """Read ``fragments.yaml`` (schema-checked by ``read``)."""
    doc, valid = read(path, "fragments", diagnostics)
    shared = SharedDefinitions(unreadable=not valid)
    if doc is None:
        return shared
    for name, item in as_dict(doc.data.get("fragments")).items():
        if isinstance(item, dict) and isinstance(item.get("query"), str):
            shared.fragments[str(name)] = Fragment(str(name), item["query"],
                                                   doc.text_origin(["fragments", name, "query"]))
    for name, items in as_dict(doc.data.get("variableSets")).items():
        if isinstance(items, list):
            shared.variable_sets[str(name)] = (doc, items)
    return shared


def _unknown(kind: str, name: str, known: list[str], where: Position, path: str) -> Diagnostic:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else (
        f"defined: {', '.join(sorted(known))}" if known else "define it in the app's fragments file")
    return Diagnostic(where, f"unknown {kind} '{name}'", code="unresolved-reference", path=path, hint=hint)


def expand_query(text: str, origin: TextOrigin, shared: SharedDefinitions, path: str,
                 diagnostics: list[Diagnostic]) -> tuple[str, TextOrigin]:
    """``text`` with every ``@include NAME`` line replaced by the fragment; unchanged when it has none."""
    if "@include" not in text:
        return text, origin
    lines: list[tuple[str, LinePiece]] = []
    _expand(text, origin, "", shared, path, diagnostics, lines, ())
    expanded = "\n".join(line for line, _ in lines)
    return expanded, TextOrigin(origin.position, origin.block, origin.first_line, origin.indent,
                                tuple(piece for _, piece in lines))


def _expand(text: str, origin: TextOrigin, via: str, shared: SharedDefinitions, path: str,
            diagnostics: list[Diagnostic], out: list[tuple[str, LinePiece]], stack: tuple[str, ...]) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        match = INCLUDE_RE.match(line)
        if not match:
            out.append((line, LinePiece(origin, number, via)))
            continue
        name = match.group(1)
        where = origin.locate(number, line.index("@") + 1)
        fragment = shared.fragments.get(name)
        problem = None
        if fragment is None:
            problem = _unknown("query fragment", name, list(shared.fragments), where, path)
        elif name in stack or len(stack) >= MAX_NESTING:
            chain = " → ".join((*stack, name))
            problem = Diagnostic(where, f"query fragment '{name}' includes itself ({chain})", code="fragment-cycle",
                                 path=path, hint="a fragment may include others, but never itself")
        if problem or fragment is None:
            if problem and not (fragment is None and shared.unreadable):
                diagnostics.append(Diagnostic(problem.position, problem.message + (f" ({via})" if via else ""),
                                              code=problem.code, path=path, hint=problem.hint))
            out.append((line, LinePiece(origin, number, via)))
            continue
        note = f"in fragment '{name}' included at {where}" + (f", {via}" if via else "")
        _expand(fragment.text, fragment.origin, note, shared, path, diagnostics, out, (*stack, name))


def expand_variables(doc: YamlDocument, items: list[Any], shared: SharedDefinitions,
                     diagnostics: list[Diagnostic]) -> list[tuple[YamlDocument, list[str | int], dict[str, Any]]]:
    """The dashboard's variable entries with each ``use: NAME`` replaced by the set's variables:
    (document, YAML path, item) so that each variable keeps the position it was written at."""
    out: list[tuple[YamlDocument, list[str | int], dict[str, Any]]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        if "use" not in item:
            out.append((doc, ["variables", index], item))
            continue
        name = str(item["use"])
        found = shared.variable_sets.get(name)
        if found is None and shared.unreadable:
            out.append((doc, ["variables", index], {}))  # stands for the set that could not be read
            continue
        if found is None:
            diagnostics.append(_unknown("variable set", name, list(shared.variable_sets),
                                        doc.position(["variables", index, "use"]), f"variables[{index}].use"))
            continue
        set_doc, set_items = found
        out.extend((set_doc, ["variableSets", name, i], v) for i, v in enumerate(set_items) if isinstance(v, dict))
    return out
