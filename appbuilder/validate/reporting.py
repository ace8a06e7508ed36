"""Render diagnostics as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json

from appbuilder.diagnostics import WARNING, Diagnostic

FORMATS = ("text", "json", "github")


def _escape_github(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render(diagnostics: list[Diagnostic], fmt: str, *, summary: str = "") -> str:
    """All diagnostics in one output format; ``summary`` is appended to text output."""
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    if fmt == "json":
        errors = sum(d.is_error for d in ordered)
        warnings = sum(d.severity == WARNING for d in ordered)
        return json.dumps({"valid": errors == 0, "errors": errors, "warnings": warnings,
                           "problems": [d.to_dict() for d in ordered]}, indent=2)
    lines: list[str] = []
    for d in ordered:
        if fmt == "github":
            level = "error" if d.is_error else "warning" if d.severity == WARNING else "notice"
            props = [f"file={_escape_github(d.position.file, prop=True)}"]
            if d.position.line:
                props.append(f"line={d.position.line}")
                props.append(f"col={d.position.column}")
            if d.code:
                props.append(f"title={_escape_github(d.code, prop=True)}")
            text = d.message + (f" ({d.hint})" if d.hint else "")
            lines.append(f"::{level} {','.join(props)}::{_escape_github(text)}")
        else:
            where = f" [{d.path}]" if d.path else ""
            lines.append(f"{d.position}: {d.severity}: {d.message}{where}")
            if d.hint:
                lines.append(f"    hint: {d.hint}")
    if summary and fmt == "text":
        lines.append(summary)
    return "\n".join(lines)
