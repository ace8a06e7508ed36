"""`appbuilder query lint`: check query files (one query per file) and report ``file:line:col`` problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.diagnostics import Diagnostic
from appbuilder.model import Position
from appbuilder.query.ast import SyntaxIssue
from appbuilder.query.lint import LintContext, QueryIssue, event_fields_from_samples, lint_tree
from appbuilder.query.metrics import lint_metrics_query, parse_metrics_query
from appbuilder.query.parser import parse
from appbuilder.validate.querylint import read_samples

STDIN = "<stdin>"


@dataclass
class FileLint:
    path: str
    issues: list[QueryIssue] = field(default_factory=list)
    error: str | None = None  # the file could not be read

    @property
    def lines(self) -> list[str]:
        if self.error:
            return [f"{self.path}: error: {self.error}"]
        return [f"{self.path}:{i.line}:{i.column}: {i.severity}: {i.message}"
                + (f" [{i.code}]" if i.code else "") for i in self.issues]

    @property
    def ok(self) -> bool:
        return self.error is None and not any(i.severity == "error" for i in self.issues)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        if self.error:
            return [Diagnostic(Position(self.path), self.error, code="unreadable")]
        return [Diagnostic(Position(self.path, i.line, i.column), i.message, severity=i.severity, code=i.code,
                           hint=i.hint) for i in self.issues]


@dataclass
class LintFilesResult:
    files: list[FileLint] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def lines(self) -> list[str]:
        return [line for f in self.files for line in f.lines]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.files for i in f.issues if i.severity == severity) + (
            sum(1 for f in self.files if f.error) if severity == "error" else 0)


def lint_text(path: str, text: str, *, syntax_only: bool, ctx: LintContext | None = None,
              query_type: str = "logs") -> FileLint:
    """Lint one query (``query_type`` logs or metrics)."""
    if query_type == "metrics":
        if syntax_only:
            return FileLint(path, _syntax(parse_metrics_query(text).issues))
        return FileLint(path, lint_metrics_query(text, ctx))
    tree = parse(text)
    if syntax_only:
        return FileLint(path, _syntax(tree.issues))
    return FileLint(path, lint_tree(tree, ctx or LintContext()))


def _reason(exc: OSError | UnicodeDecodeError) -> str:
    return (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)


def _syntax(issues: list[SyntaxIssue]) -> list[QueryIssue]:
    return [QueryIssue(i.line, i.column, "syntax", "error", i.message, i.hint) for i in issues]


def lint_files(paths: list[str], *, syntax_only: bool, stdin_text: str | None, query_type: str = "logs",
               samples: list[Path] | None = None) -> LintFilesResult:
    """Lint each file (``-`` or ``stdin_text`` is standard input). With ``samples`` (JSON-lines events) the
    fields the source sends are known, so field checks are errors. Nothing is printed."""
    result = LintFilesResult()
    ctx = LintContext()
    if samples:
        try:
            ctx.event_fields = event_fields_from_samples(read_samples(samples))
        except (OSError, UnicodeDecodeError) as exc:
            result.files.append(FileLint(str(getattr(exc, "filename", None) or samples[0]),
                                         error=f"cannot read the samples: {_reason(exc)}"))
            return result

    def one(path: str, text: str) -> FileLint:
        return lint_text(path, text, syntax_only=syntax_only, ctx=ctx, query_type=query_type)

    if stdin_text is not None and "-" not in paths:
        result.files.append(one(STDIN, stdin_text))
    for path in paths:
        if path == "-":
            result.files.append(one(STDIN, stdin_text or ""))
            continue
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            result.files.append(FileLint(path, error=f"cannot read: {_reason(exc)}"))
            continue
        result.files.append(one(path, text))
    return result
