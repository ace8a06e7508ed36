"""Reading the YAML files of one app: the parsed documents kept for the validate stage, the problems of each, and
the lenient accessors the model is built with (a value of the wrong type counts as absent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic, field_path
from appbuilder.load.yamlfile import YamlDocument, display_path, read_yaml


@dataclass(frozen=True)
class LoadedDocument:
    """One parsed YAML file of the app and its kind (app, source, queries, dashboard, tests)."""

    kind: str
    doc: YamlDocument


def _yaml_kind(value: Any) -> str:
    """How a YAML user would call ``value`` (not the Python type name)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else "a mapping"


SchemaCheck = Callable[[YamlDocument, str], list[Diagnostic]]


class AppReader:
    """Reads the files of one app, keeping the documents and the problems. ``check`` (the validate stage's schema
    check, handed in by the caller so that loading imports no validation) runs on each document when given."""

    def __init__(self, check: SchemaCheck | None = None) -> None:
        self.check = check
        self.documents: list[LoadedDocument] = []
        self.diagnostics: list[Diagnostic] = []

    def __call__(self, path: Path, kind: str, diagnostics: list[Diagnostic]) -> tuple[YamlDocument | None, bool]:
        """Read one file (the ``Reader`` of ``load.fragments``): the document, or None when it cannot be used,
        and whether it passed the schema check; problems go to ``diagnostics``."""
        doc, problems = read_yaml(path, display_path(path))
        diagnostics.extend(problems)
        if doc is None:
            return None, False
        if not isinstance(doc.data, dict):
            diagnostics.append(Diagnostic(doc.position([]), f"expected a mapping at the top of this {kind} file, "
                                          f"found {_yaml_kind(doc.data)}", code="schema",
                                          hint=f"see `appbuilder schema {kind}`"))
            return None, False
        self.documents.append(LoadedDocument(kind, doc))
        schema_problems = self.check(doc, kind) if self.check else []
        diagnostics.extend(schema_problems)
        return doc, not schema_problems

    def read(self, path: Path, kind: str) -> YamlDocument | None:
        return self(path, kind, self.diagnostics)[0]


def as_str(value: Any, default: str = "") -> str:
    """``value`` when it is a string, else ``default`` (and so on for the others)."""
    return value if isinstance(value, str) else default


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def inside_app(root: Path, target: Path) -> bool:
    """Whether ``target`` (symbolic links followed) lies inside the app directory ``root``."""
    try:
        target.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def outside_app(doc: YamlDocument, at: list[str | int], ref: str) -> Diagnostic:
    """The problem of a file reference ``ref`` (at ``at`` in ``doc``) that leads out of the app directory."""
    return Diagnostic(doc.position(at), f"'{ref}' is outside the app directory", code="outside-app",
                      path=field_path(at),
                      hint="files of an app live in its directory; give a path relative to app.yaml without '..'")
