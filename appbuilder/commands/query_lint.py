"""`appbuilder query lint`: check query files (one query per file) and report ``file:line:col`` problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.jsonfile import read_jsonl
from appbuilder.load.textfile import FileKind, read_text
from appbuilder.model import Position
from appbuilder.query.ast import SyntaxIssue
from appbuilder.query.lint import LintContext, QueryIssue, event_fields_from_samples, lint_tree
from appbuilder.query.metrics import lint_metrics_query, parse_metrics_query
from appbuilder.query.parser import parse
from appbuilder.tokens import mask_tokens
from appbuilder.validate.querylint import too_deep_issue

STDIN = "<stdin>"
MAX_QUERY_BYTES = 1024 * 1024


@dataclass
class FileLint:
    path: str
    issues: list[QueryIssue] = field(default_factory=list)
    error: str | None = None  # the file could not be read

    def __post_init__(self) -> None:
        """Messages quote the query: a token-looking word in it (a pasted secret) is masked in every format."""
        for issue in self.issues:
            issue.message, issue.hint = mask_tokens(issue.message), mask_tokens(issue.hint)
        self.error = mask_tokens(self.error) if self.error else self.error

    @property
    def lines(self) -> list[str]:
        if self.error:
            return [f"{self.path}: error: {self.error}"]
        lines = []
        for i in self.issues:
            lines.append(f"{self.path}:{i.line}:{i.column}: {i.severity}: {i.message}"
                         + (f" [{i.code}]" if i.code else ""))
            if i.hint:
                lines.append(f"    hint: {i.hint}")
        return lines

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
    """Lint one query (``query_type`` logs or metrics); a file without a query (empty, blanks or comments only)
    is an error, and so is one nested too deeply for the parser."""
    if not text.strip() or all(not ln.strip() or ln.strip().startswith("//") for ln in text.splitlines()):
        return FileLint(path, [QueryIssue(1, 1, "empty-query", "error", "the file holds no query",
                                          "a query file holds one Sumo query; is this the right file?")])
    try:
        if query_type == "metrics":
            if syntax_only:
                return FileLint(path, _syntax(parse_metrics_query(text).issues))
            return FileLint(path, lint_metrics_query(text, ctx))
        tree = parse(text)
        issues = _syntax(tree.issues) if syntax_only else lint_tree(tree, ctx or LintContext())
        return FileLint(path, _metrics_hint(text, issues))
    except RecursionError:
        return FileLint(path, [too_deep_issue()])


def _metrics_hint(text: str, issues: list[QueryIssue]) -> list[QueryIssue]:
    """A metrics query linted as a log query fails to parse: say so on its first error."""
    scope = text.split("|", 1)[0].lower()
    first = next((i for i in issues if i.severity == "error"), None)
    if first is not None and ("metric=" in scope.replace(" ", "") or "#" in scope):
        first.hint = "is this a metrics query? lint it with --type metrics" + (f"; {first.hint}" if first.hint else "")
    return issues


def _unreadable(problem: Diagnostic) -> FileLint:
    """A file that could not be read (or a sample line that is not an event), at its position when known."""
    where = problem.position
    if where.line:
        return FileLint(where.file, [QueryIssue(where.line, where.column, problem.code, "error", problem.message,
                                                problem.hint)])
    return FileLint(where.file, error=f"{problem.message} ({problem.hint})")


def _syntax(issues: list[SyntaxIssue]) -> list[QueryIssue]:
    return [QueryIssue(i.line, i.column, "syntax", "error", i.message, i.hint) for i in issues]


def lint_files(paths: list[str], *, syntax_only: bool, stdin_text: str | None, query_type: str = "logs",
               samples: list[Path] | None = None) -> LintFilesResult:
    """Lint each file (``-`` or ``stdin_text`` is standard input). With ``samples`` (JSON-lines events) the
    fields the source sends are known, so field checks are errors. Nothing is printed."""
    result = LintFilesResult()
    ctx = LintContext()
    if samples:
        events: list[dict] = []
        for sample in samples:
            lines = read_jsonl(sample, str(sample), what="sample event")
            events.extend(row for _, row in lines.rows)
            result.files.extend(_unreadable(p) for p in lines.diagnostics)
        if result.files:  # broken samples: nothing is linted against a partial field list
            return result
        ctx.event_fields = event_fields_from_samples(events)

    def one(path: str, text: str) -> FileLint:
        return lint_text(path, text, syntax_only=syntax_only, ctx=ctx, query_type=query_type)

    if stdin_text is not None and "-" not in paths:
        result.files.append(one(STDIN, stdin_text))
    for path in paths:
        if path == "-":
            result.files.append(one(STDIN, stdin_text or ""))
            continue
        text, problems = read_text(Path(path), path, FileKind("query file", MAX_QUERY_BYTES))
        if text is None:
            result.files.append(_unreadable(problems[0]))
            continue
        result.files.append(one(path, text))
    return result
