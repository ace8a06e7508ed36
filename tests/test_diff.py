"""`appbuilder diff`: semantic diff of two app definitions (directories or --base REF), text/json/markdown."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import cli_run, edit

from appbuilder.appdiff import diff_apps
from appbuilder.report import render

REPO = Path(__file__).resolve().parents[1]
ONEPASSWORD = REPO / "app_definitions" / "1password"
QUERY_LINE = "      | json \"category\", \"type\" as category, type\n"


run = cli_run


@pytest.fixture
def two(app_dir: Path) -> tuple[Path, Path]:
    shutil.copytree(app_dir, Path("new"))
    return app_dir, Path("new")


def test_equal_exits_0(two: tuple[Path, Path]) -> None:
    assert run("diff", *map(str, two)) == (0, "no changes\n")


def test_panel_variable_query_and_saved_search_changes(two: tuple[Path, Path]) -> None:
    old, new = two
    board = new / "dashboards/main.yaml"
    edit(board, "title: Events by Category", "title: Events per Category")
    edit(board, QUERY_LINE, QUERY_LINE + "      | where category != \"\"\n")
    edit(board, "      field: type\n", "      field: type\n  - name: extra\n    values: [a, b]\n")
    edit(board, "  - id: by_type\n    title: Events by Type\n    chart: bar\n    queryRef: by_type\n", "")
    edit(new / "queries.yaml", "name: Minimal - All Events", "name: Minimal - Every Event")
    code, out = run("diff", str(old), str(new))
    assert code == 2
    assert out.splitlines() == [
        "~ saved search all_events (Minimal - Every Event)",
        '    name: "Minimal - All Events" -> "Minimal - Every Event"',
        "~ panel main/by_category (Events per Category)",
        '    title: "Events by Category" -> "Events per Category"',
        "    query:",
        "      @@ -1,4 +1,5 @@",
        "       _sourceCategory=${source_category}",
        '       | json "category", "type" as category, type',
        '      +| where category != ""',
        '       | where type matches "{{type}}"',
        "       | count by category",
        "- panel main/by_type (Events by Type)",
        "+ variable main/extra",
        "4 changes (1 added, 1 removed, 2 changed)",
    ]
    report = json.loads(run("diff", str(old), str(new), "--format", "json")[1])
    assert report["equal"] is False and report["summary"] == {"added": 1, "removed": 1, "changed": 2}
    panel = next(c for c in report["changes"] if c["item"] == "main/by_category")
    query = next(f for f in panel["fields"] if f["field"] == "query")
    assert '+| where category != ""' in query["diff"] and query["new"].count("\n") == 5


def test_app_fields_source_and_added_dashboard(two: tuple[Path, Path]) -> None:
    old, new = two
    edit(new / "app.yaml", "version: 0.1.0", "version: 0.2.0")
    shutil.copy(new / "dashboards/main.yaml", new / "dashboards/second.yaml")
    edit(new / "app.yaml", "  - dashboards/main.yaml\n", "  - dashboards/main.yaml\n  - dashboards/second.yaml\n")
    edit(new / "dashboards/second.yaml", "title: Minimal - Main", "title: Minimal - Second")
    source_text = (new / "source.yaml").read_text(encoding="utf-8")
    assert "category: " in source_text
    edit(new / "source.yaml", "category: ", "category: renamed/")
    diff = diff_apps(*(__import__("appbuilder.load", fromlist=["load_app"]).load_app(p)[0] for p in (old, new)))
    labels = [(c.action, c.kind, c.item) for c in diff.changes]
    assert labels[0] == ("changed", "app", "Minimal") and diff.changes[0].fields[0].name == "version"
    assert ("added", "dashboard", "second") in labels
    source = next(c for c in diff.changes if c.kind == "source")
    assert source.item == "source" and source.fields[0].name == "category"
    assert "variable" not in {k for _, k, i in labels if i.startswith("second/")}  # added as a whole


def test_markdown_collapses_long_query_diffs(two: tuple[Path, Path]) -> None:
    old, new = two
    board = new / "dashboards/main.yaml"
    edit(board, "title: Events by Category", "title: Events | Category")
    edit(board, QUERY_LINE, QUERY_LINE + "".join(f"      | where category != \"c{i}\"\n" for i in range(15)))
    edit(board, "        | json \"type\" as type\n", "        | json \"type\" as type\n        | where type != \"\"\n")
    code, out = run("diff", str(old), str(new), "--format", "markdown")
    assert code == 2
    assert "| changed | panel `main/by_category` (Events \\| Category) | title, query |" in out
    assert "- **title**: `\"Events by Category\"` → `\"Events | Category\"`" in out
    assert "<details><summary>query of panel main/by_category: " in out  # 15 added lines: collapsed
    short = out.split("#### variable `main/type`")[1]
    assert "<details>" not in short and "```diff" in short and '+| where type != ""' in short


def test_monitors_and_other_lists_are_diffed_generically() -> None:
    @dataclasses.dataclass
    class Trigger:
        level: str
        threshold: int

    @dataclasses.dataclass
    class Monitor:
        id: str
        name: str
        query: str
        threshold: int
        triggers: list[Trigger] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass
    class Model:
        name: str
        version: str
        monitors: list[Monitor]

    old = Model("A", "1", [Monitor("m1", "Many failures", "a\nb\n", 5), Monitor("m2", "Gone", "x", 1)])
    new = Model("A", "1", [Monitor("m1", "Many failures", "a\nc\n", 10, [Trigger("Critical", 3)]),
                           Monitor("m3", "New", "y", 1)])
    old.monitors[0].triggers = [Trigger("Critical", 2), Trigger("Warning", 1)]
    diff = diff_apps(old, new)  # type: ignore[arg-type]
    assert [(c.action, c.kind, c.item) for c in diff.changes] == [
        ("changed", "monitor", "m1"), ("added", "monitor", "m3"), ("removed", "monitor", "m2")]
    fields = {f.name: (f.old, f.new) for f in diff.changes[0].fields}
    assert fields == {"query": ("a\nb\n", "a\nc\n"), "threshold": (5, 10), "triggers[0].threshold": (2, 3),
                      "triggers[1].level": ("Warning", None), "triggers[1].threshold": (1, None)}
    assert diff.changes[0].fields[0].line_diff() == ["@@ -1,2 +1,2 @@", " a", "-b", "+c"]
    assert "~ monitor m1 (Many failures)" in render(diff, "text")


def test_errors_exit_2(two: tuple[Path, Path]) -> None:
    old, new = two
    edit(new / "dashboards/main.yaml", "panels:", "panels: [")
    code, out = run("diff", str(old), str(new))
    assert code == 1 and "new/dashboards/main.yaml:" in out and "cannot compare" in out
    assert run("diff", str(old))[0] == 1
    assert run("diff", str(old), "missing")[0] == 1
    assert run("diff", "--base", "HEAD", str(old), str(new))[0] == 1


def test_an_output_file_that_cannot_be_written_exits_2_not_1(two: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two
    edit(new / "dashboards/main.yaml", "chart: pie", "chart: bar")
    code, out = run("diff", str(old), str(new), "-o", str(tmp_path / "missing" / "diff.md"))
    assert code == 1 and "cannot write" in out  # 2 would read as "the apps differ"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                   capture_output=True)


def test_base_ref_compares_working_tree_with_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ONEPASSWORD, repo / "apps" / "1password")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    monkeypatch.chdir(repo)
    app = Path("apps/1password")
    assert run("diff", "--base", "main", str(app)) == (0, "no changes\n")
    board = next(iter(sorted((app / "dashboards").glob("*.yaml"))))
    text = board.read_text(encoding="utf-8")
    start = text.index("panels:")
    at = text.index("    query: |-\n", start) + len("    query: |-\n")
    first_line_end = text.index("\n", at) + 1
    board.write_text(text[:first_line_end] + "      | where true\n" + text[first_line_end:], encoding="utf-8")
    code, out = run("diff", "--base", "main", str(app), "--format", "markdown")
    assert code == 2 and "| changed | panel `" in out and "+| where true" in out and "```diff" in out
    assert run("diff", "--base", "no-such-ref", str(app))[0] == 1
    shutil.copytree(app, Path("apps/copy"))
    code, out = run("diff", "--base", "main", "apps/copy")  # new since the ref: everything is added
    assert code == 2 and "+ dashboard " in out and not any(ln.startswith("- ") for ln in out.splitlines())


def test_a_token_in_a_changed_query_is_masked_in_every_format(two: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = two
    token = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImFiYyJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    edit(new / "queries.yaml", '| json "category" as category', f'| json "category" as category | where x != "{token}"')
    for fmt in ("text", "json", "markdown"):
        code, out = run("diff", str(old), str(new), "--format", fmt)
        assert code == 2 and "********" in out and "eyJhbGci" not in out, fmt
    run("diff", str(old), str(new), "-o", str(tmp_path / "d.md"))
    assert "eyJhbGci" not in (tmp_path / "d.md").read_text(encoding="utf-8")


def test_a_panel_renamed_with_its_sumo_key_is_a_rename(two: tuple[Path, Path]) -> None:
    """Both sides carry the panel's Sumo key (as exports do): a new id is a change of id, not remove + add."""
    old, new = two
    for side in (old, new):
        edit(side / "dashboards/main.yaml", "  - id: by_category\n", "  - id: by_category\n    key: panelK42\n")
    edit(new / "dashboards/main.yaml", "  - id: by_category\n", "  - id: per_category\n")
    code, out = run("diff", str(old), str(new))
    assert code == 2
    assert out.splitlines()[:2] == ["~ panel main/per_category (Events by Category)",
                                    '    id: "by_category" -> "per_category"']
    assert "no changes" not in out and "+ panel" not in out and "- panel" not in out


def test_without_a_shared_key_a_renamed_panel_is_removed_and_added(two: tuple[Path, Path]) -> None:
    old, new = two
    edit(new / "dashboards/main.yaml", "  - id: by_category\n", "  - id: per_category\n")
    out = run("diff", str(old), str(new))[1]
    assert "+ panel main/per_category" in out and "- panel main/by_category" in out
