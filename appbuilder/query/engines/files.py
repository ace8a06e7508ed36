"""Events from JSON-lines files (`query run --events`, `preview --events`): checked first, then read by DuckDB
straight from the files, or loaded as Python objects for the Python evaluator (few events, `--engine python`).

Every problem is an ``EventsError`` naming the file (and the line): a missing or unreadable file, a JSON array
instead of JSON lines, a line that is not JSON. DuckDB's own reports of a bad line are located again here (its
line numbers are not reliable), by reading the file line by line, which costs only when there is a problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appbuilder.load.jsonfile import MAX_JSON_BYTES, parse_json_text
from appbuilder.load.textfile import FileKind, path_problem

if TYPE_CHECKING:
    from appbuilder.query.engines.duck import DuckEngine
    from appbuilder.query.evaluate.values import Lookups

# The Python evaluator holds every event as Python objects (about 12 KB each): it loads at most this much (about
# 100,000 1Password events); DuckDB reads any size.
MAX_LOADED_BYTES = MAX_JSON_BYTES
_BOM = b"\xef\xbb\xbf"
_LINES_HINT = "each line of an --events file holds one JSON event object"


class EventsError(Exception):
    """Why events files cannot be read: ``where`` (``file`` or ``file:line:col``), the problem and a hint."""

    def __init__(self, where: str, message: str, hint: str = ""):
        super().__init__(f"{where}: {message}")
        self.where, self.message, self.hint = where, message, hint


def check_files(paths: Sequence[str | Path]) -> list[Path]:
    """``paths`` as paths, each a readable regular file holding JSON lines; an ``EventsError`` for the first
    that is not (a JSON array is refused: convert it first)."""
    if not paths:
        raise EventsError("--events", "no file given", "name one or more JSON-lines files")
    checked = []
    for given in paths:
        path = Path(given)
        problem = path_problem(path, str(given), FileKind("JSON-lines file", MAX_LOADED_BYTES))
        if problem is not None:
            raise EventsError(str(given), problem.message, problem.hint)
        try:
            with path.open("rb") as fh:
                head = fh.read(4096).removeprefix(_BOM).lstrip()
        except OSError as exc:
            raise EventsError(str(given), f"cannot read file: {exc.strerror or exc}",
                              "check that the file exists and is readable") from None
        if head.startswith(b"["):
            raise EventsError(str(given), "holds a JSON array; --events reads JSON lines (one event object per "
                              "line)", f"convert it first, e.g. `jq -c '.[]' {given} > events.jsonl`")
        checked.append(path)
    return checked


def count_lines(paths: Iterable[Path], stop: int) -> int:
    """The lines of ``paths`` (blank ones included), counting no further than ``stop``."""
    count = 0
    for path in paths:
        with path.open("rb") as fh:
            last = b"\n"
            while count < stop and (chunk := fh.read(1 << 20)):
                count += chunk.count(b"\n")
                last = chunk[-1:]
            count += last != b"\n"
        if count >= stop:
            break
    return count


def total_bytes(paths: Iterable[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def _lines(path: Path) -> Iterator[tuple[str, Any]]:
    """Each non-blank line's text (stripped) and JSON value; an ``EventsError`` at the first bad line."""
    shown = str(path)
    try:
        with path.open("rb") as fh:
            for number, data in enumerate(fh, start=1):
                if number == 1:
                    data = data.removeprefix(_BOM)
                try:
                    line = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise EventsError(f"{shown}:{number}:{exc.start + 1}", f"not valid UTF-8 (byte "
                                      f"0x{data[exc.start]:02x})", "save the file as UTF-8") from None
                text = line.strip()
                if not text:
                    continue
                value, problem = parse_json_text(text, shown, number)
                if problem is not None:
                    column = problem.position.column + len(line) - len(line.lstrip())
                    raise EventsError(f"{shown}:{number}:{column}", problem.message, _LINES_HINT)
                yield text, value
    except OSError as exc:
        raise EventsError(shown, f"cannot read file: {exc.strerror or exc}",
                          "check that the file is readable") from None


def load_events(paths: Sequence[Path]) -> tuple[list[Any], list[str]]:
    """Every event of ``paths`` (the JSON value of each non-blank line) and its text, for the Python evaluator;
    an ``EventsError`` at the first bad line, or when the files are larger than it loads."""
    size = total_bytes(paths)
    if size > MAX_LOADED_BYTES:
        raise EventsError(", ".join(map(str, paths)), f"{size / 1048576:.1f} MiB of events: the Python evaluator "
                          f"holds every event in memory and loads at most {MAX_LOADED_BYTES // 1048576} MiB",
                          "use --engine duckdb (or auto), which reads the files without loading them")
    events: list[Any] = []
    raw: list[str] = []
    for path in paths:
        for text, value in _lines(path):
            raw.append(text)
            events.append(value)
    return events, raw


def open_duck(paths: Sequence[Path], lookups: Lookups | None) -> DuckEngine:
    """The DuckDB engine over ``paths`` (checked by ``check_files``); DuckDB's report of a bad line becomes an
    ``EventsError`` at that line."""
    import duckdb

    from appbuilder.query.engines.duck import DuckEngine

    try:
        return DuckEngine.from_jsonl(paths, lookups)
    except duckdb.Error as exc:
        raise _located(exc, paths) from None


def _located(exc: Exception, paths: Sequence[Path]) -> EventsError:
    """DuckDB's error as an ``EventsError``: at the first bad line of the file it names, when one is found."""
    message = str(exc).strip().split("\n")[0]
    named = re.search(r'in file "(.*?)"', message)
    suspects = [p for p in paths if named and str(p) == named.group(1)] or list(paths)
    for path in suspects:
        try:
            for _ in _lines(path):
                pass
        except EventsError as found:
            return found
    detail = re.sub(r"^[A-Za-z ]*Error: ", "", message)
    where = named.group(1) if named else ", ".join(map(str, paths))
    return EventsError(where, f"DuckDB cannot read the events: {detail}", _LINES_HINT)
