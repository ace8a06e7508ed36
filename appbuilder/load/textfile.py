"""Read a user's text file safely: missing, a directory, too large, unreadable or not UTF-8 each become one
positioned diagnostic (never an exception); a UTF-8 byte-order mark is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from appbuilder.diagnostics import Diagnostic
from appbuilder.model import Position


@dataclass(frozen=True)
class FileKind:
    """What the file should be, for messages: its name, size limit and hints."""

    name: str  # "YAML file", "JSON file" …
    max_bytes: int
    missing_hint: str = "check the path"
    directory_hint: str = "name the file itself"
    size_hint: str = "is this the right file?"


def path_problem(path: Path, shown: str, kind: FileKind) -> Diagnostic | None:
    """Why ``path`` is not a file to read (missing, a directory, a pipe, a path that cannot be followed), if so."""
    here = Position(shown)
    try:
        path.stat()
    except FileNotFoundError:
        pass
    except OSError as exc:  # a name too long, a permission denied on the way, a loop of links...
        return Diagnostic(here, f"cannot read file: {exc.strerror or exc}", code="file-unreadable",
                          hint="check the path: that it is not too long and that every directory on it can be read")
    if not path.exists():
        return Diagnostic(here, "file not found", code="file-missing", hint=kind.missing_hint)
    if path.is_dir():
        return Diagnostic(here, f"is a directory, expected a {kind.name}", code="file-is-directory",
                          hint=kind.directory_hint)
    if not path.is_file():
        return Diagnostic(here, f"is not a regular file, expected a {kind.name}", code="file-not-regular",
                          hint="name a regular file, not a pipe or a device")
    return None


def read_text(path: Path, shown: str, kind: FileKind) -> tuple[str | None, list[Diagnostic]]:
    """The text of ``path`` (shown as ``shown`` in messages), or None and the reason it cannot be read."""
    here = Position(shown)
    problem = path_problem(path, shown, kind)
    if problem is not None:
        return None, [problem]
    try:
        size = path.stat().st_size
        if size > kind.max_bytes:
            return None, [Diagnostic(here, f"file is too large ({size / 1048576:.1f} MiB; the limit is "
                                           f"{kind.max_bytes // 1048576} MiB)", code="file-too-large",
                                     hint=kind.size_hint)]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic(here, f"cannot read file: {exc.strerror or exc}", code="file-unreadable",
                                 hint="check that the file exists and is readable")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Diagnostic(Position(shown, line, column), f"file is not valid UTF-8 (byte "
                                 f"0x{raw[exc.start]:02x})", code="encoding", hint="save the file as UTF-8")]


TOKEN_FILE = FileKind("token file", 64 * 1024, "check the --token-file path (or tokenFile in source.yaml)",
                      "name the file holding the token", "a token file holds one token")


def read_token_file(path: Path) -> tuple[str | None, Diagnostic | None]:
    """The token in ``path`` (stripped; None when empty), or a problem naming the path. The message never
    quotes the file's content, not even the byte that is not UTF-8."""
    text, problems = read_text(path, str(path), TOKEN_FILE)
    if text is not None:
        return text.strip() or None, None
    problem = problems[0]
    if problem.code == "encoding":
        problem = Diagnostic(Position(str(path)), "the token file is not valid UTF-8 text", code="encoding",
                             hint="write the token as plain text, e.g. printf %s \"$TOKEN\" > FILE")
    return None, problem
