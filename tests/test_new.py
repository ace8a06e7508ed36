"""`appbuilder new`: a scaffolded app validates and tests green, with or without sample events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import cli_run

from appbuilder.commands.new import pick_group_field, run_new


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_demo_validates_and_tests_green(here: Path) -> None:
    code, out = cli_run("new", "demo")
    assert code == 0 and "wrote demo/app.yaml" in out
    root = here / "demo"
    for name in ("app.yaml", "source.yaml", "queries.yaml", "dashboards/overview.yaml", "samples/events.jsonl",
                 "tests/panels.yaml", "CHANGELOG.md", ".schemas/dashboard.schema.json"):
        assert (root / name).is_file(), name
    assert "backups/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    board = (root / "dashboards/overview.yaml").read_text(encoding="utf-8")
    assert board.startswith("# yaml-language-server: $schema=../.schemas/dashboard.schema.json\n")
    assert (root / "dashboards" / "../.schemas/dashboard.schema.json").resolve().is_file()
    assert cli_run("validate", "demo") == (0, "demo: valid (0 errors, 0 warnings)\n")
    code, out = cli_run("test", "demo")
    assert code == 0 and out.strip().splitlines()[-1].startswith("4 passed, 0 failed")


def test_from_samples_picks_a_field_from_them(here: Path) -> None:
    events = [{"id": f"e{i}", "timestamp": f"2026-03-0{1 + i % 5}T10:00:00Z", "size": i,
               "actor": {"role": ["admin", "user", "user"][i % 3]}, "note": "x" if i else None}
              for i in range(9)]
    (here / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    code, out = cli_run("new", "apps/acme-vpn", "--from-samples", "events.jsonl")
    assert code == 0 and "queries count by 'actor.role'" in out
    root = here / "apps/acme-vpn"
    assert (root / "samples/events.jsonl").read_text(encoding="utf-8") == (here / "events.jsonl").read_text()
    assert "name: Acme Vpn\n" in (root / "app.yaml").read_text(encoding="utf-8")
    tests = (root / "tests/panels.yaml").read_text(encoding="utf-8")
    assert "rowCount: 2" in tests and '{actor_role: "user", _count: 6}' in tests
    assert "timeRange: -5d" in (root / "queries.yaml").read_text(encoding="utf-8")  # 1st..5th of March
    assert cli_run("validate", "apps/acme-vpn")[0] == 0
    code, out = cli_run("test", "apps/acme-vpn")
    assert code == 0, out


def test_pick_group_field_prefers_common_low_cardinality_text() -> None:
    events = [{"id": "a", "kind": "x", "rare": "r"}, {"id": "b", "kind": "y"}, {"id": "c", "kind": "x"}]
    assert pick_group_field(events) == "kind"
    assert pick_group_field([{"id": "a"}, {"id": "b"}]) == "id"  # no better choice: still a text field
    assert pick_group_field([{"n": 1}]) == ""


def test_refusals_write_nothing(here: Path) -> None:
    (here / "bad.jsonl").write_text('{"a": "x"}\n{"a": \n[1]\n', encoding="utf-8")
    code, out = cli_run("new", "fresh", "--from-samples", "bad.jsonl")
    assert code == 1 and "bad.jsonl:2:" in out and "invalid JSON" in out and "bad.jsonl:3:1" in out
    assert not (here / "fresh").exists()
    (here / "taken").mkdir()
    (here / "taken" / "file").write_text("", encoding="utf-8")
    assert "already exists" in cli_run("new", "taken")[1]
    code, out = cli_run("new", "Bad Name")
    assert code == 1 and "not a usable app name" in out
    assert cli_run("new", "x", "--from-samples", "missing.jsonl")[0] == 1
    outcome = run_new(here / "numbers", None)
    assert outcome.ok and outcome.group_field == "category"


def test_unwritable_targets_are_clear_errors(here: Path, app_dir: Path) -> None:
    (here / "blocker").write_text("", encoding="utf-8")
    code, out = cli_run("new", "blocker/demo")
    assert code == 1 and "cannot write" in out and "blocker/demo: not scaffolded" in out
    code, out = cli_run("docs", "app", "-o", "blocker/page.md")
    assert code == 1 and "blocker/page.md: error: cannot write" in out
    assert cli_run("diff", "app", "app", "-o", "blocker/d.md")[0] == 1  # an error; 2 would mean "different"


def test_pick_group_field_counts_by_a_kind_rather_than_an_identifier() -> None:
    events = [{"actor_uuid": f"u{i % 3}", "object_type": f"t{i % 5}", "vault_id": f"v{i % 2}"} for i in range(30)]
    assert pick_group_field(events) == "object_type"


def _schema_comments(root: Path) -> dict[str, str]:
    """Each YAML file's ``$schema`` comment, by path relative to ``root``."""
    out = {}
    for path in sorted(root.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        out[path.relative_to(root).as_posix()] = first.split("=", 1)[1]
    return out


@pytest.mark.parametrize("where", ["app_definitions/acme", "teams/sec/apps/acme"])
def test_in_a_repository_with_schemas_the_comments_point_at_them(here: Path, where: str) -> None:
    assert cli_run("schema", "--write", "schemas")[0] == 0
    code, _ = cli_run("new", where)
    root = here / where
    assert code == 0 and not (root / ".schemas").exists()
    up = "../" * where.count("/") + ".."
    comments = _schema_comments(root)
    assert comments["app.yaml"] == f"{up}/schemas/app.schema.json"
    assert comments["dashboards/overview.yaml"] == f"../{up}/schemas/dashboard.schema.json"
    for name, ref in comments.items():
        assert (root / name).parent.joinpath(ref).resolve().is_file(), (name, ref)
    assert cli_run("validate", where)[0] == 0


def test_outside_a_repository_the_comments_point_at_copies_that_resolve(here: Path) -> None:
    assert cli_run("new", "demo")[0] == 0
    for name, ref in _schema_comments(here / "demo").items():
        target = (here / "demo" / name).parent.joinpath(ref).resolve()
        assert target.is_file() and target.parent == (here / "demo" / ".schemas").resolve(), (name, ref)
