"""Problems found in user input, with their position, and the exception that carries them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from appbuilder.model import Position

ERROR = "error"
WARNING = "warning"
INFO = "info"  # worth knowing, not a problem (e.g. a field check where the source's fields are unknown)


@dataclass(frozen=True)
class Diagnostic:
    """One problem: where it is, what it is, and what to do about it."""

    position: Position
    message: str
    severity: str = ERROR
    code: str = ""
    path: str = ""
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.position.file, self.position.line, self.position.column, self.message)

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.position.file,
            "line": self.position.line,
            "column": self.position.column,
            "severity": self.severity,
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


class InputError(Exception):
    """Raised when input cannot be used; carries every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


def field_path(path: Sequence[str | int]) -> str:
    """A document path as shown in messages: ``panels[2].query``."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(document)"


def has_errors(diagnostics: list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)
