"""`appbuilder test` on an app that ships no sample events (as `appbuilder export` makes them): one clear failure
naming app.yaml's `samples` setting and what to do, in every format, instead of a "no rows" failure per panel.
An app with samples keeps failing a panel that returns no rows."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import synthetic_exports
from helpers import cli_run, edit

from appbuilder.commands.export import run_export_file

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An app exported from Sumo (the synthetic Directory Audit export): it ships no sample events."""
    where = tmp_path_factory.mktemp("export")
    out = where / "directory_audit"
    outcome = run_export_file(synthetic_exports.write("directory_audit", where), out, {})
    assert outcome.error is None, (outcome.error, outcome.hint)
    return out


def _says_what_to_do(text: str) -> None:
    assert "no sample events" in text and "app.yaml's `samples` setting" in text
    assert "samples/*.jsonl" in text and "appbuilder new NAME --from-samples" in text
    assert "no rows" not in text


def test_an_exported_app_fails_once_with_the_samples_setting_named(exported: Path) -> None:
    code, out = cli_run("test", str(exported))
    assert code == 1
    _says_what_to_do(out)
    assert out.count("FAIL") == 1 and "PASS" not in out and "0 passed, 1 failed" in out


def test_every_format_carries_the_one_message(exported: Path) -> None:
    code, out = cli_run("test", str(exported), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and not doc["ok"] and doc["failed"] == 1 and len(doc["cases"]) == 1
    assert doc["cases"][0]["file"] == str(exported / "app.yaml")
    _says_what_to_do(doc["cases"][0]["failures"][0])
    code, out = cli_run("test", str(exported), "--format", "junit")
    assert code == 1 and 'tests="1" failures="1"' in out and out.count("<failure") == 1
    _says_what_to_do(out)
    code, out = cli_run("test", str(exported), "--format", "github")
    errors = [line for line in out.splitlines() if line.startswith("::error")]
    assert code == 1 and len(errors) == 1 and f"file={exported / 'app.yaml'}" in errors[0]
    _says_what_to_do(errors[0])


def test_sample_files_without_events_are_the_same_outcome(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(MINIMAL, app)
    (app / "samples" / "events.jsonl").write_text("", encoding="utf-8")
    code, out = cli_run("test", str(app))
    assert code == 1 and out.count("FAIL") == 1 and "its files hold no events" in out
    _says_what_to_do(out)


def test_with_samples_a_panel_without_rows_still_fails(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(MINIMAL, app)
    assert cli_run("test", str(app))[0] == 0
    edit(app / "dashboards" / "main.yaml", '| where type matches "{{type}}"', '| where type = "no-such-type"')
    code, out = cli_run("test", str(app))
    assert code == 1 and "FAIL main/by_category" in out and "the query returns no rows on the sample events" in out
    assert "PASS main/by_type" in out and "`samples`" not in out
