"""`appbuilder schema --write DIR`: the packaged schemas copied out for editors' $schema comments."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from appbuilder.cli import cli
from appbuilder.commands.schema import KINDS, schema_text, write_schemas


def test_write_all_then_rewrite_only_what_changed(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "schemas"
    written = write_schemas(target)
    assert [p.name for p in written] == [f"{k}.schema.json" for k in KINDS]
    assert all(p.read_text(encoding="utf-8") == schema_text(p.name.split(".")[0]) for p in written)
    stale = target / "dashboard.schema.json"
    stale.write_text("{}", encoding="utf-8")
    untouched = target / "app.schema.json"
    before = untouched.stat().st_mtime_ns
    write_schemas(target)
    assert json.loads(stale.read_text(encoding="utf-8"))["$id"].endswith("/dashboard.schema.json")
    assert untouched.stat().st_mtime_ns == before


def test_cli_write_one_kind_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["schema", "queries", "--write", str(tmp_path / "s")])
    assert done.exit_code == 0 and done.output == f"wrote {tmp_path / 's' / 'queries.schema.json'}\n"
    again = runner.invoke(cli, ["schema", "queries", "--write", str(tmp_path / "s")])  # README: only what changed
    assert again.exit_code == 0 and again.output == f"up to date {tmp_path / 's' / 'queries.schema.json'}\n"
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["queries.schema.json"]
    missing = runner.invoke(cli, ["schema"])
    assert missing.exit_code == 1 and "give a KIND to print, or --write DIR" in missing.output
    (tmp_path / "file").write_text("", encoding="utf-8")
    blocked = runner.invoke(cli, ["schema", "--write", str(tmp_path / "file" / "x")])
    assert blocked.exit_code == 1 and "cannot write schemas to" in blocked.output
    assert "Traceback" not in blocked.output
