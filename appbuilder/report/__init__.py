"""One registry of renderers: each output format is one module that registers a renderer per result type.

A command builds a typed result (a :class:`DiagnosticReport`, a diff, ...) and asks :func:`render` for it in the
format the user chose; :func:`formats_for` lists the formats a result type offers (for ``--format`` choices).
A new format is a new module here, registering its renderers, plus its name in ``_FORMAT_MODULES``. A renderer
may name its result type as ``"module.QualName"`` instead of importing it, so that rendering never imports a
heavy command module (the query engine behind `test`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from appbuilder.diagnostics import WARNING, Diagnostic

T = TypeVar("T")
Renderer = Callable[[Any], str]

_FORMAT_MODULES = ("text", "json", "github", "sarif", "markdown", "junit")
_REGISTRY: dict[tuple[str, str], Renderer] = {}
_loaded = False


@dataclass(frozen=True)
class DiagnosticReport:
    """Problems found by a command (validate, build, query lint), with a one-line summary for text output."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    summary: str = ""
    tool: str = "appbuilder"

    @property
    def ordered(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

    @property
    def errors(self) -> int:
        return sum(d.is_error for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        """Warnings only: informational findings (severity ``info``) are not counted as problems."""
        return sum(d.severity == WARNING for d in self.diagnostics)


def _name(kind: type | str) -> str:
    return kind if isinstance(kind, str) else f"{kind.__module__}.{kind.__qualname__}"


def register(fmt: str, kind: type | str) -> Callable[[Callable[[T], str]], Callable[[T], str]]:
    """Decorator: the function renders results of type ``kind`` (a type or its ``module.QualName``) in ``fmt``."""

    def decorate(fn: Callable[[T], str]) -> Callable[[T], str]:
        _REGISTRY[(_name(kind), fmt)] = fn
        return fn

    return decorate


def _load(fmt: str | None = None) -> None:
    """Import the renderers of ``fmt`` (of every format when None): a command pays only for the format it prints."""
    global _loaded
    if fmt in _FORMAT_MODULES:
        importlib.import_module(f"appbuilder.report.{fmt}")
    elif not _loaded:
        for name in _FORMAT_MODULES:
            importlib.import_module(f"appbuilder.report.{name}")
        _loaded = True


def formats_for(kind: type | str) -> tuple[str, ...]:
    """Every format with a renderer for ``kind``, in registry order (text first)."""
    _load()
    name = _name(kind)
    return tuple(fmt for fmt in _FORMAT_MODULES if (name, fmt) in _REGISTRY)


def render(result: object, fmt: str) -> str:
    """``result`` rendered in ``fmt``; ValueError when that format does not render this type."""
    _load(fmt)
    renderer = _REGISTRY.get((_name(type(result)), fmt))
    if renderer is None:
        offered = ", ".join(formats_for(type(result))) or "none"
        raise ValueError(f"format '{fmt}' is not offered for {type(result).__name__} (offered: {offered})")
    return renderer(result)


__all__ = ["DiagnosticReport", "formats_for", "register", "render"]
