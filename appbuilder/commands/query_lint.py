"""`appbuilder query lint`: check query files (one query per file) and report ``file:line:col`` problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.load.textfile import FileKind, read_text
from appbuilder.query.lint import LintContext, QueryIssue, lint_tree
from appbuilder.query.parser import parse
from appbuilder.validate.querylint import too_deep_issue

STDIN = "<stdin>"
MAX_QUERY_BYTES = 1024 * 1024


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


@dataclass
class LintFilesResult:
    files: list[FileLint] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def lines(self) -> list[str]:
        return [line for f in self.files for line in f.lines]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.files for i in f.issues if i.severity == severity) + (
            sum(1 for f in self.files if f.error) if severity == "error" else 0)


def lint_text(path: str, text: str, *, syntax_only: bool, ctx: LintContext | None = None) -> FileLint:
    """Lint one query; a file without a query (empty, blanks or comments only) is an error."""
    if not text.strip() or all(not ln.strip() or ln.strip().startswith("//") for ln in text.splitlines()):
        return FileLint(path, [QueryIssue(1, 1, "empty-query", "error", "the file holds no query",
                                          "a query file holds one Sumo query; is this the right file?")])
    try:
        tree = parse(text)
        if syntax_only:
            issues = [QueryIssue(i.line, i.column, "syntax", "error", i.message, i.hint) for i in tree.issues]
        else:
            issues = lint_tree(tree, ctx or LintContext())
    except RecursionError:
        issues = [too_deep_issue()]
    return FileLint(path, issues)


def lint_files(paths: list[str], *, syntax_only: bool, stdin_text: str | None) -> LintFilesResult:
    """Lint each file (``-`` or ``stdin_text`` is standard input). Nothing is printed."""
    result = LintFilesResult()
    ctx = LintContext()
    if stdin_text is not None and "-" not in paths:
        result.files.append(lint_text(STDIN, stdin_text, syntax_only=syntax_only, ctx=ctx))
    for path in paths:
        if path == "-":
            result.files.append(lint_text(STDIN, stdin_text or "", syntax_only=syntax_only, ctx=ctx))
            continue
        text, problems = read_text(Path(path), path, FileKind("query file", MAX_QUERY_BYTES))
        if text is None:
            problem = problems[0]
            result.files.append(FileLint(str(problem.position), error=f"{problem.message} ({problem.hint})"))
            continue
        result.files.append(lint_text(path, text, syntax_only=syntax_only, ctx=ctx))
    return result
