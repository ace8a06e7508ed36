"""appbuilder.validate.reporting: text, JSON and GitHub-annotation renderings of diagnostics."""

from __future__ import annotations

import json

from appbuilder.diagnostics import WARNING, Diagnostic
from appbuilder.model import Position
from appbuilder.validate.reporting import FORMATS, render

ERR = Diagnostic(Position("b.yaml", 3, 7), "bad value", code="schema", path="panels[0].chart",
                 hint="did you mean 'pie'?")
WARN = Diagnostic(Position("a.yaml", 9, 1), "unused", severity=WARNING, code="unused-variable")
FILE_LEVEL = Diagnostic(Position("c.yaml"), "file is empty", code="empty-file")


def test_formats() -> None:
    assert FORMATS == ("text", "json", "github")


def test_text_lines_hint_and_summary() -> None:
    out = render([ERR, WARN], "text", summary="app: invalid (1 errors, 1 warnings)")
    assert out.splitlines() == [
        "a.yaml:9:1: warning: unused",
        "b.yaml:3:7: error: bad value [panels[0].chart]",
        "    hint: did you mean 'pie'?",
        "app: invalid (1 errors, 1 warnings)",
    ]


def test_text_file_level_has_no_line() -> None:
    assert render([FILE_LEVEL], "text") == "c.yaml: error: file is empty"


def test_text_sorted_by_file_line_column() -> None:
    late = Diagnostic(Position("b.yaml", 10, 1), "later")
    same_line = Diagnostic(Position("b.yaml", 3, 2), "earlier column")
    lines = [ln for ln in render([late, ERR, same_line], "text").splitlines() if not ln.startswith(" ")]
    assert [ln.split(": ")[0] for ln in lines] == ["b.yaml:3:2", "b.yaml:3:7", "b.yaml:10:1"]


def test_empty() -> None:
    assert render([], "text") == ""
    assert render([], "github") == ""
    assert json.loads(render([], "json")) == {"valid": True, "errors": 0, "warnings": 0, "problems": []}


def test_json() -> None:
    report = json.loads(render([ERR, WARN, FILE_LEVEL], "json", summary="ignored"))
    assert report["valid"] is False
    assert (report["errors"], report["warnings"]) == (2, 1)
    assert report["problems"][0] == {"file": "a.yaml", "line": 9, "column": 1, "severity": "warning",
                                     "code": "unused-variable", "path": "", "message": "unused", "hint": ""}
    assert [p["file"] for p in report["problems"]] == ["a.yaml", "b.yaml", "c.yaml"]
    assert report["problems"][2]["line"] == 0


def test_json_only_warnings_is_valid() -> None:
    assert json.loads(render([WARN], "json"))["valid"] is True


def test_github() -> None:
    lines = render([ERR, WARN, FILE_LEVEL], "github", summary="not shown").splitlines()
    assert lines == [
        "::warning file=a.yaml,line=9,col=1,title=unused-variable::unused",
        "::error file=b.yaml,line=3,col=7,title=schema::bad value (did you mean 'pie'?)",
        "::error file=c.yaml,title=empty-file::file is empty",
    ]


def test_github_escaping() -> None:
    nasty = Diagnostic(Position("dir,x/a:b.yaml", 1, 2), "50% bad\nsecond line\r", code="c:d,e")
    [line] = render([nasty], "github").splitlines()
    assert line == "::error file=dir%2Cx/a%3Ab.yaml,line=1,col=2,title=c%3Ad%2Ce::50%25 bad%0Asecond line%0D"
