"""Read one YAML file safely, keeping the line and column of every node.

Whatever the input (empty, not UTF-8, huge, an alias bomb, a directory), the result is either a document or
diagnostics; never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from appbuilder.diagnostics import Diagnostic
from appbuilder.model import Position, TextOrigin

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000

PathKey = Sequence[str | int]


@dataclass
class YamlDocument:
    """A parsed YAML file: plain data for validation plus the position-carrying tree."""

    path: Path
    display: str
    text: str
    data: Any
    tree: Any

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """Position of the node at ``path`` (of its key when ``key`` is set); falls back to the nearest parent."""
        node = self.tree
        line, col = 0, 0
        if isinstance(node, (CommentedMap, CommentedSeq)):
            line, col = node.lc.line + 1, node.lc.col + 1
        for step in path:
            try:
                if isinstance(node, CommentedMap) and step in node:
                    where = node.lc.key(step) if key and step == path[-1] else node.lc.value(step)
                    line, col = where[0] + 1, where[1] + 1
                    node = node[step]
                elif isinstance(node, CommentedSeq) and isinstance(step, int) and 0 <= step < len(node):
                    where = node.lc.item(step)
                    line, col = where[0] + 1, where[1] + 1
                    node = node[step]
                else:
                    break
            except (KeyError, IndexError, TypeError, AttributeError):
                break
        return Position(self.display, line, col)

    def text_origin(self, path: PathKey) -> TextOrigin:
        """Where the string at ``path`` starts, precise per line for ``|`` / ``>`` block scalars."""
        position = self.position(path)
        node: Any = self.tree
        for step in path:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                return TextOrigin(position)
        if isinstance(node, (LiteralScalarString, FoldedScalarString)) and position.line:
            lines = self.text.splitlines()
            for index in range(position.line, len(lines)):
                content = lines[index]
                if content.strip():
                    indent = len(content) - len(content.lstrip(" "))
                    return TextOrigin(position, block=True, first_line=index + 1, indent=indent)
        # A plain or quoted scalar: the text starts at the value (after an opening quote).
        return TextOrigin(position)


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _to_plain(node: Any, budget: list[int]) -> Any:
    """Convert ruamel containers to dicts and lists, counting nodes so aliases cannot explode memory."""
    budget[0] -= 1
    if budget[0] < 0:
        raise OverflowError
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, (str, int, float, bool)) else k: _to_plain(v, budget)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v, budget) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def read_yaml(path: Path, display: str | None = None) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Read and parse ``path``. Returns the document, or None and the reasons it could not be read."""
    shown = display or str(path)
    here = Position(shown)
    if not path.exists():
        return None, [Diagnostic(here, "file not found", code="file-missing",
                                 hint="check the path; paths in app.yaml are relative to app.yaml")]
    if path.is_dir():
        return None, [Diagnostic(here, "is a directory, expected a YAML file", code="file-is-directory",
                                 hint="name a .yaml file, or point at the app directory holding app.yaml")]
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Diagnostic(here, f"file is too large ({size / 1048576:.1f} MiB; the limit is "
                                           f"{MAX_FILE_BYTES // 1048576} MiB)", code="file-too-large",
                                     hint="app definition files are small; is this the right file?")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic(here, f"cannot read file: {exc.strerror or exc}", code="file-unreadable")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        return None, [Diagnostic(Position(shown, line, col),
                                 f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", code="encoding",
                                 hint="save the file as UTF-8")]
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [Diagnostic(Position(shown, 1, 1), "file is empty", code="empty-file",
                                 hint="a definition file must hold a YAML mapping")]
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        message = f"YAML syntax error: {problem}"
        hint = "fix the YAML syntax at this place"
        if "duplicate key" in str(exc):
            message = f"duplicate key: {problem}"
            hint = "each key may appear once in a mapping; remove or rename one of them"
        return None, [Diagnostic(Position(shown, line, col), message, code="yaml-syntax", hint=hint)]
    except (YAMLError, RecursionError, ValueError) as exc:
        return None, [Diagnostic(Position(shown, 1, 1), f"YAML error: {exc}", code="yaml-syntax")]
    try:
        data = _to_plain(tree, [MAX_NODES])
    except (OverflowError, RecursionError):
        return None, [Diagnostic(Position(shown, 1, 1),
                                 f"document expands to more than {MAX_NODES} nodes (aliases?)",
                                 code="too-many-nodes", hint="avoid deeply nested YAML aliases (&anchor/*alias)")]
    return YamlDocument(path, shown, text, data, tree), []
