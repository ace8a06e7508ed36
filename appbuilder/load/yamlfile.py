"""Read one YAML file safely, keeping the line and column of every node.

Whatever the input (empty, not UTF-8, huge, an alias bomb, a directory), the result is either a document or
diagnostics; never an exception.
"""

from __future__ import annotations

import math
import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.reader import ReaderError

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.textfile import FileKind, read_text
from appbuilder.model import Position, TextOrigin
from appbuilder.recent import Recent

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 200
MERGE_TAG = "tag:yaml.org,2002:merge"

try:  # the C parser is ~10x faster; the pure-Python one gives the same nodes and marks
    import _ruamel_yaml  # noqa: F401

    _HAVE_CLIB = True
except ImportError:
    _HAVE_CLIB = False

PathKey = Sequence[str | int]
Location = tuple[int, int, str | None]  # 1-based line, column, scalar style


@dataclass
class YamlDocument:
    """A parsed YAML file: plain data for validation plus the position of every node."""

    path: Path
    display: str
    text: str
    data: Any
    values: dict[tuple[str | int, ...], Location] = field(default_factory=dict)
    keys: dict[tuple[str | int, ...], Location] = field(default_factory=dict)
    merged_at: dict[tuple[str | int, ...], tuple[int, int]] = field(default_factory=dict)

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the node at ``path`` (of its key when ``key`` is set); falls back to the nearest parent."""
        steps = tuple(path)
        if key and steps in self.keys:
            line, column, _ = self.keys[steps]
            return Position(self.display, line, column)
        while steps not in self.values and steps:
            steps = steps[:-1]
        line, column, _ = self.values.get(steps, (1, 1, None))
        return Position(self.display, line, column)

    def merge_note(self, path: PathKey) -> str:
        """`` (merged in with << at file:line:col)`` when the value at ``path`` came through a merge key."""
        steps = tuple(path)
        while steps:
            if steps in self.merged_at:
                line, column = self.merged_at[steps]
                return f" (merged in with << at {self.display}:{line}:{column})"
            steps = steps[:-1]
        return ""

    def text_origin(self, path: PathKey) -> TextOrigin:
        """Where the string at ``path`` starts, precise per line for ``|`` / ``>`` block scalars."""
        position = self.position(path)
        location = self.values.get(tuple(path))
        if location and location[2] in ("|", ">"):
            lines = self.text.splitlines()
            for index in range(position.line, len(lines)):
                content = lines[index]
                if content.strip():
                    indent = len(content) - len(content.lstrip(" "))
                    return TextOrigin(position, block=True, first_line=index + 1, indent=indent)
        if location and location[2] in ("'", '"'):
            return TextOrigin(Position(position.file, position.line, position.column + 1))
        return TextOrigin(position)


def display_path(path: Path) -> str:
    """``path`` as shown in messages: relative to the working directory when below it, else as given."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


class _TooDeepError(Exception):
    """The document nests deeper than MAX_DEPTH."""


def _depth_bound(text: str) -> int:
    """A cheap upper bound of the nesting depth: bracket depth plus block indentation and indicators per line.

    Real definition files stay far below MAX_DEPTH; only a text over the bound is scanned exactly.
    """
    flow = deepest = 0
    for char in text:
        if char in "[{":
            flow += 1
            deepest = max(deepest, flow)
        elif char in "]}" and flow:
            flow -= 1
    block = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        block = max(block, len(line) - len(stripped) + stripped.count("- ") + stripped.count(": ")
                    + stripped.count("? "))
    return deepest + 2 * block + 2


def _too_deep_at(yaml: YAML, text: str) -> tuple[int, int] | None:
    """Where the nesting first exceeds MAX_DEPTH (1-based line, column), checked before composing: the C composer
    recurses per level and would overflow the stack long before a Python limit applies. The event parser does not
    recurse, so counting its collection events is safe at any depth."""
    if _depth_bound(text) <= MAX_DEPTH:
        return None
    depth = 0
    for event in yaml.parse(text):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1, event.start_mark.column + 1
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return None


def _mark_diagnostic(shown: str, exc: MarkedYAMLError, text: str) -> Diagnostic:
    """A syntax or construction error at the problem mark, with the context mark as a second place when it
    differs. Two marks move: a problem found at the end of the input (an unclosed flow list on the last line)
    is reported at its context (where the list opens), and a problem right after a quoted string that runs over
    several lines (an unclosed quote) at the string's opening quote."""
    problem_mark, context_mark = exc.problem_mark, exc.context_mark
    mark, note = problem_mark or context_mark, ""
    problem = exc.problem or exc.context or "invalid YAML"
    at_end = problem_mark is not None and problem_mark.index >= len(text.rstrip())
    opened = _unclosed_quote(text, problem_mark) if problem_mark is not None and not at_end else None
    if opened is not None:
        problem = (f"a quoted string opened here runs on to line {problem_mark.line + 1}, where the YAML breaks "
                   f"({exc.problem}); is its closing quote missing?")
        return Diagnostic(Position(shown, opened[0], opened[1]), f"YAML syntax error: {problem}",
                          code="yaml-syntax", hint="close the quote on the line where it opens")
    if at_end and context_mark is not None:
        mark = context_mark
        problem = f"{exc.context}: {exc.problem}" if exc.context and exc.problem else problem
    elif exc.context and context_mark is not None and problem_mark is not None:
        where = (context_mark.line + 1, context_mark.column + 1)
        if where != (problem_mark.line + 1, problem_mark.column + 1):
            note = f" ({exc.context} at {shown}:{where[0]}:{where[1]})"
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Diagnostic(Position(shown, line, col), f"YAML syntax error: {problem}{note}", code="yaml-syntax",
                      hint="fix the YAML syntax at this place")


def _unclosed_quote(text: str, problem: Any) -> tuple[int, int] | None:
    """Where a quoted scalar spanning several lines opens, when it ends on the problem's line (1-based)."""
    from ruamel.yaml.tokens import ScalarToken

    found = None
    try:
        for token in YAML(typ="safe", pure=True).scan(text):
            start, end = token.start_mark, token.end_mark
            if (end.line, end.column) > (problem.line, problem.column):
                break
            if isinstance(token, ScalarToken) and token.style in ("'", '"') and start.line < end.line:
                found = (start.line + 1, start.column + 1, end.line)
    except YAMLError:
        return None
    return found[:2] if found and found[2] == problem.line else None


def _control_character(shown: str, text: str, exc: ReaderError) -> Diagnostic:
    """A character YAML does not allow (NUL, other control bytes) at its line and column."""
    before = text[:exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    code = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
    return Diagnostic(Position(shown, line, column), f"YAML error: character U+{code:04X} is not allowed "
                      f"({exc.reason})", code="yaml-syntax",
                      hint="remove the control character; is this a text file saved by an editor?")


class _Walker:
    """Turns composed YAML nodes into plain data, recording positions and duplicate keys on the way."""

    def __init__(self, constructor: Any, budget: int) -> None:
        self.constructor = constructor
        self.budget = budget
        self.values: dict[tuple[str | int, ...], Location] = {}
        self.keys: dict[tuple[str | int, ...], Location] = {}
        self.duplicates: list[tuple[str, int, int]] = []
        self.merged_at: dict[tuple[str | int, ...], tuple[int, int]] = {}
        self.bad_merges: list[tuple[int, int]] = []

    def _merge(self, result: dict[Any, Any], merged: Node, path: tuple[str | int, ...], depth: int,
               at: tuple[int, int]) -> None:
        """Apply a ``<<`` merge key: the keys of the merged mapping(s) (earlier ones win) not set explicitly.

        Merged values keep the position of the anchored mapping they come from; ``merged_at`` remembers where
        they were merged in, so a problem in one can name both places."""
        sources = merged.value if isinstance(merged, SequenceNode) else [merged]
        for source in reversed(sources):
            if not isinstance(source, MappingNode):
                self.bad_merges.append((source.start_mark.line + 1, source.start_mark.column + 1))
                continue
            saved = self.values.get(path)
            data = self.walk(source, path, depth + 1)
            if saved is not None:
                self.values[path] = saved
            for key in data:
                self.merged_at[(*path, key)] = at
            result.update(data)

    def walk(self, node: Node, path: tuple[str | int, ...], depth: int = 0) -> Any:
        self.budget -= 1
        if depth > MAX_DEPTH:
            raise _TooDeepError
        if self.budget < 0:
            raise OverflowError
        mark = node.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1, getattr(node, "style", None))
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            explicit = [(k, v) for k, v in node.value if k.tag != MERGE_TAG]
            for merge_key, merged in reversed([(k, v) for k, v in node.value if k.tag == MERGE_TAG]):
                self._merge(result, merged, path, depth, (merge_key.start_mark.line + 1,
                                                          merge_key.start_mark.column + 1))
            seen: set[Any] = set()
            for key_node, value_node in explicit:
                key = self.walk(key_node, (*path, "<key>"), depth + 1)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    key = str(key)
                if key in seen:
                    self.duplicates.append((str(key), key_node.start_mark.line + 1, key_node.start_mark.column + 1))
                    continue
                seen.add(key)
                self.merged_at.pop((*path, key), None)
                self.keys[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1, None)
                result[key] = self.walk(value_node, (*path, key), depth + 1)
            self.values.pop((*path, "<key>"), None)
            return result
        if isinstance(node, SequenceNode):
            return [self.walk(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        value = self.constructor.construct_object(node, deep=True)
        if value is not None and not isinstance(value, (str, int, float, bool)):
            return str(node.value)  # dates, timestamps, !!binary: keep the text so the data stays JSON
        if isinstance(value, float) and not math.isfinite(value):
            return str(node.value)  # .nan / .inf have no JSON form
        return value


def _too_deep(shown: str, line: int, column: int) -> Diagnostic:
    return Diagnostic(Position(shown, line, column), f"document is nested more than {MAX_DEPTH} levels deep",
                      code="too-deep", hint="definition files are shallow; is this the right file?")


# the documents parsed from recent texts, by text and limits: a pickle of their data and positions, so that every
# reader gets objects of its own. An app is loaded again and again (plan, then install under the lock; every
# environment; every test), and composing YAML costs ~50 times more than unpickling the result. Texts over
# 256 KB are parsed every time.
_PARSED: Recent[tuple[str, int, int], bytes] = Recent(512)
_LARGEST = 256 * 1024


def read_yaml(path: Path, display: str | None = None) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Read and parse ``path``. Returns the document, or None and the reasons it could not be read."""
    shown = display or str(path)
    text, problems = read_text(path, shown, FileKind(
        "YAML file", MAX_FILE_BYTES, "check the path; paths in app.yaml are relative to app.yaml",
        "name a .yaml file, or point at the app directory holding app.yaml",
        "app definition files are small; is this the right file?"))
    if text is None:
        return None, problems
    key = (text, MAX_NODES, MAX_DEPTH)
    parsed = _PARSED.get(key)
    if parsed is not None:
        return YamlDocument(path, shown, text, *pickle.loads(parsed)), []
    doc, problems = _parse(path, shown, text)
    if doc is not None and len(text) <= _LARGEST:
        _PARSED.put(key, pickle.dumps((doc.data, doc.values, doc.keys, doc.merged_at), pickle.HIGHEST_PROTOCOL))
    return doc, problems


def _parse(path: Path, shown: str, text: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [Diagnostic(Position(shown, 1, 1), "file is empty", code="empty-file",
                                 hint="a definition file must hold a YAML mapping")]
    yaml = YAML(typ="safe", pure=not _HAVE_CLIB)
    try:
        deep = _too_deep_at(yaml, text)
        if deep is not None:
            return None, [_too_deep(shown, *deep)]
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        return None, [_mark_diagnostic(shown, exc, text)]
    except ReaderError as exc:
        return None, [_control_character(shown, text, exc)]
    except (YAMLError, RecursionError, ValueError) as exc:
        return None, [Diagnostic(Position(shown, 1, 1), f"YAML error: {exc}", code="yaml-syntax",
                                 hint="fix the YAML of this file")]
    walker = _Walker(yaml.constructor, MAX_NODES)
    try:
        data = walker.walk(root, ()) if root is not None else None
    except (_TooDeepError, RecursionError):
        return None, [_too_deep(shown, 1, 1)]
    except OverflowError:
        return None, [Diagnostic(Position(shown, 1, 1),
                                 f"document expands to more than {MAX_NODES} nodes (aliases?)",
                                 code="too-many-nodes", hint="avoid deeply nested YAML aliases (&anchor/*alias)")]
    except MarkedYAMLError as exc:  # e.g. an unknown tag, found while constructing a scalar
        return None, [_mark_diagnostic(shown, exc, text)]
    except (YAMLError, ValueError, TypeError) as exc:
        return None, [Diagnostic(Position(shown, 1, 1), f"YAML error: {exc}", code="yaml-syntax",
                                 hint="fix the YAML of this file")]
    if walker.bad_merges:
        return None, [Diagnostic(Position(shown, line, col), "a merge key (<<) must name a mapping or a list of "
                                 "mappings", code="yaml-merge", hint="write `<<: *anchor` where `&anchor` marks a "
                                 "mapping") for line, col in walker.bad_merges]
    if walker.duplicates:
        return None, [Diagnostic(Position(shown, line, col), f"duplicate key '{key}'", code="duplicate-key",
                                 hint="each key may appear once in a mapping; remove or rename one of them")
                      for key, line, col in walker.duplicates]
    return YamlDocument(path, shown, text, data, walker.values, walker.keys, walker.merged_at), []
