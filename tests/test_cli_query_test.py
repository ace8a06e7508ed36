"""CLI wiring of `appbuilder query lint`, `appbuilder test` and test-target validation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from appbuilder.cli import cli

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app_definitions" / "1password"


def test_query_lint_reads_stdin_and_reports_positions() -> None:
    result = CliRunner().invoke(cli, ["query", "lint", "-"], input='_sourceCategory=x\n| json "a" as a, b\n')
    assert result.exit_code == 1
    assert "<stdin>:2:3: error:" in result.output
    assert "json-alias-count" in result.output


def test_query_lint_passes_a_good_file_and_syntax_only_ignores_fields(tmp_path: Path) -> None:
    good = tmp_path / "good.sumo"
    good.write_text('_sourceCategory=x\n| json "a" as a\n| count by a\n')
    other = tmp_path / "other.sumo"
    other.write_text("_sourceCategory=x\n| count by never_defined\n")
    samples = tmp_path / "events.jsonl"
    samples.write_text('{"a": 1}\n')
    runner = CliRunner()
    assert runner.invoke(cli, ["query", "lint", str(good)]).exit_code == 0
    # the source's fields are known only from samples: without them an unknown field is informational
    assert runner.invoke(cli, ["query", "lint", str(other)]).exit_code == 0
    assert runner.invoke(cli, ["query", "lint", "--samples", str(samples), str(other)]).exit_code == 1
    assert runner.invoke(cli, ["query", "lint", "--syntax-only", "--samples", str(samples), str(other)]).exit_code == 0


def test_app_tests_pass_and_junit_report_is_written(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    result = CliRunner().invoke(cli, ["test", str(APP), "--format", "junit", "-o", str(report)])
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output
    text = report.read_text()
    assert "<testsuite" in text and 'failures="0"' in text
    assert text.endswith(">\n"), repr(text[-5:])  # one line end, no blank line after the document


@pytest.mark.parametrize("fmt", ["json", "junit"])
def test_a_test_report_on_stdout_ends_with_one_line_end(fmt: str) -> None:
    result = CliRunner().invoke(cli, ["test", str(APP), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(("}\n", ">\n")), repr(result.stdout[-5:])


def test_broken_expectation_fails_the_run(tmp_path: Path) -> None:
    app = tmp_path / "1password"
    shutil.copytree(APP, app)
    tests = app / "tests" / "panels.yaml"
    lines = tests.read_text().splitlines()
    row_count = next(i for i, line in enumerate(lines) if line.strip().startswith("rowCount:") and
                     line.strip().split(":", 1)[1].strip().isdigit())
    indent, value = lines[row_count].split("rowCount:")
    lines[row_count] = f"{indent}rowCount: {int(value) + 1000}"
    tests.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["test", str(app), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["failed"] >= 1


def test_unknown_test_target_is_reported_with_its_line(tmp_path: Path) -> None:
    app = tmp_path / "1password"
    shutil.copytree(APP, app)
    tests = app / "tests" / "panels.yaml"
    text = tests.read_text()
    first_target = next(line for line in text.splitlines() if "target:" in line)
    tests.write_text(text.replace(first_target, first_target.replace("target: ", "target: nosuch"), 1))
    line_no = text.splitlines().index(first_target) + 1
    result = CliRunner().invoke(cli, ["validate", str(app)])
    assert result.exit_code == 1
    assert f"panels.yaml:{line_no}:" in result.output
    assert "names no panel, query or monitor" in result.output


def test_an_unknown_monitor_target_names_every_kind_of_target(app_dir: Path) -> None:
    from helpers import edit

    (app_dir / "tests").mkdir()
    (app_dir / "tests" / "t.yaml").write_text("tests:\n  - name: a\n    target: monitor:nope\n    fires: true\n")
    edit(app_dir / "app.yaml", "samples:\n", "tests:\n  - tests/*.yaml\nsamples:\n")
    result = CliRunner().invoke(cli, ["validate", str(app_dir)])
    assert result.exit_code == 1 and "test target 'monitor:nope' names no panel, query or monitor" in result.output
    assert "monitor:<monitor file stem>" in result.output


def test_broken_json_path_in_the_bundled_app_fails_validation_at_its_line(tmp_path: Path) -> None:
    app = tmp_path / "1password"
    shutil.copytree(APP, app)
    fragments = app / "fragments.yaml"  # the sign-in parse is written once, as a fragment
    lines = fragments.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if '| json' in line and '"client.ip_address"' in line)
    lines[index] = lines[index].replace('"client.ip_address"', '"client.ipaddress"')
    fragments.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["validate", str(app)])
    assert result.exit_code == 1
    assert f"fragments.yaml:{index + 1}:" in result.output
    assert "client.ipaddress" in result.output and "did you mean 'client.ip_address'" in result.output
    # reported once, at the fragment's line, with its first use and how many more there are
    assert result.output.count("client.ipaddress' does not occur") == 1
    assert "in fragment 'signin_events' included at " in result.output and "more use(s))" in result.output


def test_test_refuses_an_unknown_var_name_and_counts_rows_in_words(app_dir: Path) -> None:
    typo = CliRunner().invoke(cli, ["test", str(app_dir), "--var", "tpye=x"])
    assert typo.exit_code == 1 and "--var: error: no dashboard variable or saved-search parameter is named 'tpye'" \
        in typo.output and "did you mean 'type'?" in typo.output and "PASS" not in typo.output
    ok = CliRunner().invoke(cli, ["test", str(app_dir)])
    assert ok.exit_code == 0 and "PASS main/by_type (1 row, " in ok.output and "1 rows" not in ok.output


def test_query_lint_masks_token_looking_text_in_every_format(tmp_path: Path) -> None:
    token = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImFiYyJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlc2lnbmF0dXJl"
    key = "k" + "Q3vX9pL2mN8rT5wY7zA1bC4dE6fG0hJ" * 2
    query = tmp_path / "q.sumo"
    query.write_text(f"_sourceCategory=x | where {token} > 1 | count by {key}\n| json\n", encoding="utf-8")
    for fmt in ("text", "json", "github", "sarif", "markdown"):
        result = CliRunner().invoke(cli, ["query", "lint", str(query), "--format", fmt])
        assert result.exit_code == 1 and "********" in result.output, fmt
        assert "eyJ" not in result.output and key[:20] not in result.output, fmt


def test_test_says_once_that_an_app_has_no_sample_events(app_dir: Path) -> None:
    from helpers import edit

    edit(app_dir / "app.yaml", "samples:\n  - samples/*.jsonl\n", "")
    result = CliRunner().invoke(cli, ["test", str(app_dir)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:2] == [
        "FAIL sample events",
        "     the app ships no sample events, so none of its 3 log panels, saved searches and monitors can be "
        "tested: app.yaml's `samples` setting names the sample files, and it is missing or matches no file; add "
        "events (one JSON object per line) as samples/*.jsonl and list them under `samples:` in app.yaml "
        "(`appbuilder new NAME --from-samples EVENTS.jsonl` shows the format)"]
    assert len(lines) == 3 and lines[2].startswith("0 passed, 1 failed;")  # the panels are not run one by one


def test_a_metrics_query_linted_as_logs_hints_at_the_type(tmp_path: Path) -> None:
    query = tmp_path / "cpu.sumo"
    query.write_text("metric=CPU_Total | avg by host | topk(5, avg\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["query", "lint", str(query)])
    assert result.exit_code == 1 and "hint: is this a metrics query? lint it with --type metrics" in result.output
    logs = tmp_path / "logs.sumo"
    logs.write_text("_sourceCategory=x | count by\n", encoding="utf-8")
    assert "--type metrics" not in CliRunner().invoke(cli, ["query", "lint", str(logs)]).output


def test_a_misspelt_test_variable_is_an_error_at_its_key(app_dir: Path) -> None:
    from helpers import edit

    (app_dir / "tests").mkdir()
    (app_dir / "tests" / "t.yaml").write_text("variables: {typ: x}\ntests:\n  - name: a\n    target: main/by_category\n"
                                             "    variables: {tpye: x, type: y}\n    rowCount: 0\n")
    edit(app_dir / "app.yaml", "samples:\n", "tests:\n  - tests/*.yaml\nsamples:\n")
    result = CliRunner().invoke(cli, ["validate", str(app_dir)])
    assert result.exit_code == 1
    assert f"{app_dir}/tests/t.yaml:1:13: error: test variable 'typ' is not declared" in result.output
    assert f"{app_dir}/tests/t.yaml:5:17: error: test variable 'tpye' is not declared" in result.output
    assert "did you mean 'type'?" in result.output and "'type' is not declared" not in result.output


def test_test_of_an_invalid_app_reports_in_the_format_asked_for(app_dir: Path) -> None:
    from helpers import edit

    edit(app_dir / "dashboards" / "main.yaml", "chart: pie", "chart: pi")
    as_json = CliRunner().invoke(cli, ["test", str(app_dir), "--format", "json"])
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["valid"] is False and report["problems"][0]["file"].endswith("dashboards/main.yaml")
    as_github = CliRunner().invoke(cli, ["test", str(app_dir), "--format", "github"])
    assert as_github.exit_code == 1 and as_github.stdout.startswith("::error file=")


def test_test_of_an_invalid_app_still_writes_the_junit_file(app_dir: Path) -> None:
    """A CI test publisher fails on a missing file: the report names the validation problem instead."""
    import xml.etree.ElementTree as ET

    from helpers import edit

    edit(app_dir / "dashboards" / "main.yaml", "chart: pie", "chart: pi")
    result = CliRunner().invoke(cli, ["test", str(app_dir), "--format", "junit", "-o", "junit.xml"])
    assert result.exit_code == 1 and "invalid, not tested" in result.output
    suite = ET.parse("junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    error = suite.find("testcase/error")
    assert error is not None and "dashboards/main.yaml" in (error.text or "")
    as_json = CliRunner().invoke(cli, ["test", str(app_dir), "--format", "json", "-o", "report.json"])
    assert as_json.exit_code == 1 and json.loads(Path("report.json").read_text())["valid"] is False
