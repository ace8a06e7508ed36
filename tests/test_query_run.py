"""`appbuilder query run`: the rows a panel, saved search, monitor or query file returns on the samples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_app_definition import generator

from appbuilder.cli import cli
from appbuilder.commands.query_run import render_table, run_query
from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.load import load_app
from appbuilder.load.samples import LOOKUP_DIR, SampleData, read_lookup_tables
from appbuilder.query.engines import local

APP = Path(__file__).resolve().parent.parent / "app_definitions" / "1password"


def invoke(*args: str):
    return CliRunner().invoke(cli, ["query", "run", *args])


def test_panel_rows_as_a_table() -> None:
    result = invoke(str(APP), "--panel", "item_usage/breakdown_by_action")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["action", "_count"]
    assert lines[2].split() == ["fill", "40"]
    assert lines[-1] == "(12 rows)"


def test_variables_and_json_format() -> None:
    result = invoke(str(APP), "--panel", "item_usage/breakdown_by_action", "--var", "action=reveal",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["columns"] == ["action", "_count"] and doc["rows"] == [{"action": "reveal", "_count": 24}]


def test_saved_search_and_monitor_targets() -> None:
    searches = run_query(APP, panel="query:recent_access_activities")
    assert searches.ok and searches.rows and set(searches.columns) >= {"actor_email", "frequency"}
    monitor = run_query(APP, panel="monitor:mfa_changes")
    assert monitor.ok and len(monitor.rows) == 11  # per user whose MFA settings changed
    assert sum(row["changes"] for row in monitor.rows) == 14 and {"user_email", "changes"} <= set(monitor.columns)


def test_query_file_with_variables_defaulting_to_star(tmp_path: Path) -> None:
    query = tmp_path / "q.sumo"
    query.write_text('_sourceCategory=1pw\n| json "object_type" as object_type\n'
                     '| where object_type matches "{{kind}}"\n| count by object_type\n| sort by _count\n')
    every = run_query(APP, query_file=str(query))
    assert every.ok and len(every.rows) == 15
    one = invoke(str(APP), "--query", str(query), "--var", "kind=satoken")
    assert one.exit_code == 0 and one.output.splitlines()[2].split() == ["satoken", "4"]


def test_unknown_panel_suggests_the_closest() -> None:
    result = invoke(str(APP), "--panel", "audit_security/role_change")
    assert result.exit_code == 1
    assert "names no panel" in result.output and "did you mean 'audit_security/role_changes'?" in result.output


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    assert invoke(str(APP)).exit_code == 1
    assert invoke(str(APP), "--panel", "a/b", "--query", "x").exit_code == 1
    missing = invoke(str(APP), "--query", str(tmp_path / "nope.sumo"))
    assert missing.exit_code == 1 and "nope.sumo: error: file not found" in missing.output
    assert "Traceback" not in missing.output
    broken = tmp_path / "1password"
    shutil.copytree(APP, broken)
    (broken / "fragments.yaml").write_text((broken / "fragments.yaml").read_text().replace("signin_events:",
                                                                                           "signin_eventz:", 1))
    invalid = invoke(str(broken), "--panel", "overview/events_by_category")
    assert invalid.exit_code == 1 and "unknown query fragment 'signin_events'" in invalid.output
    assert "not valid" in invalid.output


def test_table_of_no_rows() -> None:
    outcome = run_query(APP, panel="item_usage/breakdown_by_action", variables={"action": "nothing"})
    assert outcome.ok and render_table(outcome).splitlines()[-1] == "(0 rows)"


def test_a_query_file_that_does_not_parse_is_positioned_in_the_file(tmp_path: Path) -> None:
    query = tmp_path / "q.sumo"
    query.write_text('_sourceCategory=1pw | where type matches "{{type}}" | json "a" as | count\n')
    result = invoke(str(APP), "--query", str(query))
    # just past 'as' in the file as written (the evaluator sees {{type}} replaced by *, 7 characters shorter)
    assert result.exit_code == 1 and f"{query}:1:66: error: expected a field name" in result.output


def test_an_empty_query_file_is_refused_not_run_as_every_event(tmp_path: Path) -> None:
    (tmp_path / "empty.sumo").write_text("// nothing yet\n")
    result = invoke(str(APP), "--query", str(tmp_path / "empty.sumo"))
    assert result.exit_code == 1 and "empty.sumo:1:1: error: the file holds no query" in result.output


def test_query_from_standard_input() -> None:
    result = CliRunner().invoke(cli, ["query", "run", str(APP), "--query", "-"],
                                input='_sourceCategory=1pw | json "object_type" as t | count by t | limit 1\n')
    assert result.exit_code == 0 and result.output.splitlines()[-1] == "(1 row)"
    bad = CliRunner().invoke(cli, ["query", "run", str(APP), "--query", "-"], input="x | count by\n")
    assert bad.exit_code == 1 and "<stdin>:1:13: error: 'count by' needs at least one field" in bad.output


def test_an_unknown_var_name_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    result = invoke(str(APP), "--panel", "item_usage/breakdown_by_action", "--var", "acton=reveal")
    assert result.exit_code == 1 and "no dashboard variable or saved-search parameter is named 'acton'" in result.output
    assert "did you mean 'action'?" in result.output
    query = tmp_path / "q.sumo"
    query.write_text('_sourceCategory=1pw | json "object_type" as t | where t matches "{{kind}}" | count by t\n')
    assert invoke(str(APP), "--query", str(query), "--var", "kind=user").exit_code == 0  # the file's own variable


def test_a_panel_syntax_error_names_the_yaml_position(tmp_path: Path) -> None:
    from helpers import edit

    app = tmp_path / "1password"
    shutil.copytree(APP, app)
    edit(app / "dashboards" / "item_usage.yaml", '"{{action}}"\n      | count by action',
         '"{{action}}"\n      | count by')
    where = f"{app / 'dashboards' / 'item_usage.yaml'}:43:17: syntax error: 'count by' needs at least one field"
    result = invoke(str(app), "--panel", "item_usage/breakdown_by_action")
    assert result.exit_code == 1 and where in result.output
    test_run = CliRunner().invoke(cli, ["test", str(app)])
    assert test_run.exit_code == 1 and where in test_run.output


def test_a_malformed_var_names_the_var_option() -> None:
    result = invoke(str(APP), "--panel", "item_usage/breakdown_by_action", "--var", "novalue")
    assert result.exit_code == 1 and "Invalid value for --var: 'novalue' is not name=value" in result.output


def test_explain_shows_which_part_ran_as_sql_and_which_on_python(tmp_path: Path) -> None:
    default = invoke(str(APP), "--panel", "item_usage/breakdown_by_action", "--explain")
    assert default.exit_code == 0 and default.output.startswith("engine: python (fewer than 10,000 events")
    chosen = invoke(str(APP), "--panel", "item_usage/breakdown_by_action", "--explain", "--engine", "python")
    assert chosen.exit_code == 0 and chosen.output.startswith("engine: python\n\n")  # asked for: no excuse
    result = invoke(str(APP), "--panel", "item_usage/breakdown_by_action", "--explain", "--engine", "duckdb")
    assert result.exit_code == 0, result.output
    head, table = result.output.split("\n\n", 1)
    assert head.startswith("engine: duckdb\n") and "python: (nothing)" in head
    assert "count by action | sort by _count" in head.splitlines()[1]
    # one query: nothing is kept for another, it reads the events straight
    assert "CREATE TABLE head_" not in head and "FROM events" in head and "GROUP BY \"action\"" in head
    assert table.splitlines()[2].split() == ["fill", "40"]
    query = tmp_path / "q.sumo"
    query.write_text('* | json "action" nodrop | substring(action, 0, 2) as a | count by a\n', encoding="utf-8")
    doc = json.loads(invoke(str(APP), "--query", str(query), "--explain", "--format", "json", "--engine",
                            "duckdb").output)
    assert doc["plan"].startswith("engine: duckdb then python ('substring' at 1:")
    assert "python: substring(action, 0, 2) as a | count by a" in doc["plan"] and doc["rows"]
    plain = json.loads(invoke(str(APP), "--query", str(query), "--format", "json").output)
    assert "plan" not in plain and plain["rows"] == doc["rows"]


# -- --events: JSON-lines files instead of the samples ------------------------------------------------------------
EVENTS_TARGETS = ["overview/events_by_type", "overview/one_day_time_comparison", "threat_intel/threat_table",
                  "item_usage/breakdown_by_action", "query:failed_signin", "monitor:mfa_changes"]


@pytest.fixture(scope="module")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SampleRunner]:
    """2,000 generated events (sign-ins, item usages and audit events over two days) as a JSON-lines file, and
    the runner over the same events loaded as the app's samples, on the Python evaluator (the reference)."""
    gen = generator()
    events = gen.generate(1800, 7) + gen.generate_audits(200, 7)
    raw = [json.dumps(e, separators=(",", ":")) for e in events]
    path = tmp_path_factory.mktemp("events") / "events.jsonl"
    path.write_text("".join(line + "\n" for line in raw), encoding="utf-8")
    app, _ = load_app(APP)
    assert app is not None
    samples = SampleData(events, raw, read_lookup_tables(APP / LOOKUP_DIR)[0])
    return path, SampleRunner(app, {}, {}, samples, engine="python")


def rows_of(*args: str) -> dict:
    result = invoke(str(APP), *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("target", EVENTS_TARGETS)
def test_events_files_give_the_rows_the_events_give_as_samples(events_file, target) -> None:
    path, runner = events_file
    duck = rows_of("--panel", target, "--events", str(path), "--engine", "duckdb")
    python = rows_of("--panel", target, "--events", str(path), "--engine", "python")
    table, error, _ = runner.run(target, runner.targets()[target], {})
    assert error is None and table is not None
    assert duck == python and duck["rows"] == json.loads(json.dumps(table.rows, default=str)), target
    assert duck["rows"], f"{target} returns no rows on the generated events: the comparison proves little"


def test_events_replace_the_samples_and_explain_says_duckdb_read_them(events_file, monkeypatch) -> None:
    path, _ = events_file
    monkeypatch.setattr(local, "SMALL_INPUT", 1000)  # auto: DuckDB from 1,000 events on
    on_samples = rows_of("--panel", "item_usage/breakdown_by_action")
    on_file = rows_of("--panel", "item_usage/breakdown_by_action", "--events", str(path), "--explain")
    assert on_file["plan"].startswith("engine: duckdb") and "\nsql:" in on_file["plan"]
    total = sum(row["_count"] for row in on_file["rows"])
    assert total != sum(row["_count"] for row in on_samples["rows"])  # not the samples' counts


def test_bad_events_files_are_one_clear_error(tmp_path: Path, events_file) -> None:
    path, _ = events_file
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    array = tmp_path / "events.json"
    array.write_text('[{"a": 1}]', encoding="utf-8")
    cases = {str(broken): f"{broken}:2:6: invalid JSON", str(tmp_path / "nope.jsonl"): "nope.jsonl: file not found",
             str(array): "events.json: holds a JSON array"}
    for given, expected in cases.items():
        for engine in ("duckdb", "python"):
            result = invoke(str(APP), "--panel", "overview/events_by_type", "--events", str(path), "--events", given,
                            "--engine", engine)
            assert result.exit_code == 1 and "Traceback" not in result.output, result.output
            first, hint = result.output.splitlines()
            assert first == f"error: cannot read the events: {given}" + first.split(given, 1)[1]
            assert expected in first and hint.startswith("hint: ")
