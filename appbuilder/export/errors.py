"""The one error export raises."""

from __future__ import annotations

from appbuilder.diagnostics import Diagnostic


class ExportError(Exception):
    """Export refused or failed: a message, a hint, and the problems behind it (if any)."""

    def __init__(self, message: str, hint: str = "", diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.diagnostics = diagnostics or []
