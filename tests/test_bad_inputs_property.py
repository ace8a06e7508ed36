"""Property: whatever one edit does to a YAML file of the 1Password app, `appbuilder build` exits 0 or 1, prints no
traceback and no "internal error", and writes nothing when it fails.

The examples are derandomised (the same ones on every run, so CI is stable); to search further, run with
``APPBUILDER_FUZZ_EXAMPLES=5000`` (and a fresh seed each run).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appbuilder.cli import cli

ONEPASSWORD = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"
FILES = sorted(str(p.relative_to(ONEPASSWORD)) for p in ONEPASSWORD.rglob("*.yaml"))
FUZZ = int(os.environ.get("APPBUILDER_FUZZ_EXAMPLES", "0"))

# what YAML (and our templates) give meaning to, plus a few values of other types
SNIPPETS = ["[", "]", "{", "}", ":", ": ", "- ", "? ", ",", "\t", '"', "'", "&a ", "*a", "<<: *a", "!!binary ",
            "!tag ", "|", ">-", "#", "\x00", "\ufeff", "\x85", "${x}", "${source_category}", "{{y}}", "\n", "  ",
            "~", "null", "-1", "1e999", ".nan", "0x1F", "2026-01-01", "yes", "%YAML 1.1\n", "---\n", "...\n",
            "\\", "é", "\U0001f600", "eyJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln"]


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, str]:
    """(file, new text): one edit of one file of the app."""
    name = draw(st.sampled_from(FILES))
    text = (ONEPASSWORD / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    offset = draw(st.integers(0, len(text)))
    piece = draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=6)))
    kind = draw(st.sampled_from(["insert", "delete-line", "duplicate-line", "replace-value", "truncate",
                                 "indent", "dedent", "swap-lines"]))
    if kind == "insert":
        text = text[:offset] + piece + text[offset:]
    elif kind == "delete-line":
        text = "".join(lines[:index] + lines[index + 1:])
    elif kind == "duplicate-line":
        text = "".join(lines[:index + 1] + lines[index:])
    elif kind == "replace-value":
        key, sep, _ = lines[index].partition(": ")
        text = "".join(lines[:index] + [f"{key}{sep or ': '}{piece}\n"] + lines[index + 1:])
    elif kind == "truncate":
        text = text[:offset]
    elif kind == "indent":
        text = "".join(lines[:index] + ["  " + lines[index]] + lines[index + 1:])
    elif kind == "dedent":
        text = "".join(lines[:index] + [lines[index][2:]] + lines[index + 1:])
    else:
        other = draw(st.integers(0, len(lines) - 1))
        lines[index], lines[other] = lines[other], lines[index]
        text = "".join(lines)
    return name, text


@pytest.mark.slow
@settings(max_examples=FUZZ or 25, deadline=None, derandomize=not FUZZ, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutation=mutations())
def test_any_single_edit_is_handled(tmp_path: Path, mutation: tuple[str, str]) -> None:
    app, out = tmp_path / "1password", tmp_path / "out"
    if not app.exists():
        shutil.copytree(ONEPASSWORD, app)
    name, text = mutation
    target = app / name
    original = target.read_bytes()
    target.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        result = CliRunner().invoke(cli, ["build", str(app), "-o", str(out)])
    finally:
        target.write_bytes(original)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 0:
        assert (out / "content.json").is_file()
        shutil.rmtree(out)
    else:
        assert not out.exists(), "a failed build wrote files"
        assert ": error: " in result.output
