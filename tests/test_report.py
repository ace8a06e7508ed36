"""appbuilder.report: the renderer registry, SARIF 2.1.0 (checked against the OASIS schema) and Markdown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import edit
from jsonschema import Draft4Validator, ValidationError
from reference import reference_path

from appbuilder.cli import cli
from appbuilder.diagnostics import WARNING, Diagnostic
from appbuilder.model import Position
from appbuilder.report import DiagnosticReport, formats_for, register, render

SARIF_SCHEMA = reference_path("sarif-schema-2.1.0.json")  # OASIS's schema, in the reference data
SARIF_SUBSET = Path(__file__).resolve().parent / "fixtures" / "sarif-2.1.0-subset.schema.json"  # ours, always
ERR = Diagnostic(Position("app/b.yaml", 3, 7), "bad | value", code="schema", path="panels[0].chart", hint="use pie")
WARN = Diagnostic(Position("app/a.yaml", 9, 1), "unused", severity=WARNING, code="unused-variable")
UNCODED = Diagnostic(Position("app/c.yaml"), "file is empty")


class SarifValidator:
    """OASIS's SARIF 2.1.0 schema where the reference data has it, and always the project's own subset of it."""

    def __init__(self) -> None:
        schemas = [path for path in (SARIF_SCHEMA, SARIF_SUBSET) if path.exists()]
        self.validators = [Draft4Validator(json.loads(path.read_text(encoding="utf-8")),
                                           format_checker=Draft4Validator.FORMAT_CHECKER) for path in schemas]

    def iter_errors(self, log: object) -> Iterator[ValidationError]:
        for validator in self.validators:
            yield from validator.iter_errors(log)


def sarif_validator() -> SarifValidator:
    return SarifValidator()


def test_the_sarif_subset_catches_what_the_schema_would() -> None:
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "level": "fatal", "locations": [
            {"physicalLocation": {"region": {"startLine": 0}}}]}]}]}
    found = {e.validator for e in sarif_validator().iter_errors(broken)}
    assert {"enum", "minimum"} <= found


def test_registry_lists_formats_and_refuses_unknown() -> None:
    assert formats_for(DiagnosticReport) == ("text", "json", "github", "sarif", "markdown", "junit")
    with pytest.raises(ValueError, match="format 'sarif' is not offered for AppDiff"):
        from appbuilder.appdiff import AppDiff

        render(AppDiff("a", "b", "1", "1"), "sarif")


def test_a_new_format_is_one_registration() -> None:
    class Shout:
        pass

    register("text", Shout)(lambda _: "HI")
    assert render(Shout(), "text") == "HI"
    assert formats_for(Shout) == ("text",)


def test_sarif_is_valid_with_rules_and_regions() -> None:
    log = json.loads(render(DiagnosticReport([ERR, WARN, UNCODED]), "sarif"))
    errors = sorted(sarif_validator().iter_errors(log), key=str)
    assert not errors, errors[0].message
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rules == ["appbuilder", "schema", "unused-variable"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    err = by_rule["schema"]
    assert err["level"] == "error" and rules[err["ruleIndex"]] == "schema"
    assert err["message"]["text"] == "bad | value (use pie)"
    loc = err["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "app/b.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 7}
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "panels[0].chart"}]
    assert by_rule["unused-variable"]["level"] == "warning"
    assert "region" not in by_rule["appbuilder"]["locations"][0]["physicalLocation"]  # no line: no region


def test_sarif_empty_is_valid() -> None:
    log = json.loads(render(DiagnosticReport([]), "sarif"))
    assert not list(sarif_validator().iter_errors(log))
    assert log["runs"][0]["results"] == []


def test_markdown_table_escapes_cells() -> None:
    out = render(DiagnosticReport([ERR, WARN], summary="app: invalid"), "markdown")
    lines = out.splitlines()
    assert lines[0] == "**app: invalid**"
    assert lines[2] == "| Severity | Location | Code | Problem |"
    assert lines[4] == "| warning | `app/a.yaml:9:1` | unused-variable | unused |"
    assert lines[5] == "| error | `app/b.yaml:3:7` | schema | bad \\| value (hint: use pie) |"


def test_validate_sarif_from_cli(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "chart: ", "chart: piee #")
    result = CliRunner().invoke(cli, ["validate", "app", "--format", "sarif"])
    assert result.exit_code == 1
    log = json.loads(result.output)
    assert not list(sarif_validator().iter_errors(log))
    results = log["runs"][0]["results"]
    assert results and all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("app/")
                           for r in results)
    assert any(r["level"] == "error" and "region" in r["locations"][0]["physicalLocation"] for r in results)


def test_info_findings_are_notices_not_warnings() -> None:
    info = Diagnostic(Position("app/q.yaml", 2, 3), "field unknown here", severity="info", code="unknown-field")
    report = DiagnosticReport([WARN, info])
    assert (report.errors, report.warnings) == (0, 1)
    assert render(report, "github").splitlines()[1].startswith("::notice file=app/q.yaml,line=2,col=3,")
    log = json.loads(render(report, "sarif"))
    assert [r["level"] for r in log["runs"][0]["results"]] == ["warning", "note"]
    assert not list(sarif_validator().iter_errors(log))


def test_query_lint_sarif(tmp_path: Path) -> None:
    query = tmp_path / "q.sumo"
    query.write_text('_sourceCategory=x\n| json "a" as a\n| count by a\n| where (', encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", "lint", str(query), "--format", "sarif"])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert not list(sarif_validator().iter_errors(log))
    errors = [r for r in log["runs"][0]["results"] if r["level"] == "error"]
    assert errors and errors[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == query.as_uri()
    assert errors[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    assert errors[0]["ruleId"] in [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]


def test_test_results_render_in_every_offered_format() -> None:
    from appbuilder.commands.test import CaseResult, TestRunResult

    result = TestRunResult("Mini", [CaseResult("counts", "main/by_type", "expectation", ["expected 2 rows, got 1"],
                                               rows=1, file="app/tests/t.yaml"),
                                    CaseResult("main/by_type", "main/by_type", "panel", rows=1)], events=3)
    assert formats_for(TestRunResult) == ("text", "json", "github", "junit")
    assert render(result, "github").splitlines() == [
        "::error file=app/tests/t.yaml,title=appbuilder test%3A counts::expected 2 rows, got 1",
        "::notice title=appbuilder test::1 passed, 1 failed"]
    assert render(result, "text").startswith("FAIL counts (1 row, 0 ms)\n     expected 2 rows, got 1\n")
    assert json.loads(render(result, "json"))["failed"] == 1
    assert '<failure message="expected 2 rows, got 1">' in render(result, "junit")


def test_loading_the_registry_stays_light() -> None:
    import subprocess
    import sys

    probe = ("import sys; from appbuilder.report import formats_for, DiagnosticReport; formats_for(DiagnosticReport);"
             "print([m for m in ('appbuilder.query.evaluate', 'appbuilder.commands.test', 'requests') "
             "if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize(("file", "uri", "base"), [
    ("app/dash boards/a#1.yaml", "app/dash%20boards/a%231.yaml", True), ("<stdin>", "%3Cstdin%3E", True),
    ("/work/app x/app.yaml", "file:///work/app%20x/app.yaml", False)], ids=["relative", "stdin", "absolute"])
def test_sarif_uris_are_uris(file: str, uri: str, base: bool) -> None:
    log = json.loads(render(DiagnosticReport([Diagnostic(Position(file, 1, 1), "m", code="c")]), "sarif"))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"] == uri and ("uriBaseId" in artifact) == base


def test_markdown_counts_in_words() -> None:
    one = render(DiagnosticReport([ERR]), "markdown")
    assert one.startswith("**1 error, 0 warnings**")


def test_diagnostics_in_json_or_markdown_load_neither_the_diff_nor_environments() -> None:
    import subprocess
    import sys

    probe = ("import sys; from appbuilder.report import render, DiagnosticReport;"
             "[render(DiagnosticReport(), fmt) for fmt in ('json', 'markdown')];"
             "print([m for m in ('appbuilder.appdiff', 'appbuilder.environments') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.stdout.strip() == "[]", done.stderr
