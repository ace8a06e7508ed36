"""The pipeline (load → validate → build) every command walks, and the messages of the offline commands."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import edit

from appbuilder.cli import cli
from appbuilder.pipeline import run_pipeline
from appbuilder.sumo.endpoints import base_url_for
from appbuilder.sumo.errors import SumoConfigError

REPO = Path(__file__).resolve().parents[1]
ONEPASSWORD = REPO / "app_definitions" / "1password"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def test_pipeline_stops_where_asked() -> None:
    full = run_pipeline(ONEPASSWORD, {"source_category": "security/1password"})
    assert full.ok and full.build is not None and full.parameters["source_category"] == "security/1password"
    assert full.build.manifest.parameters == full.parameters
    assert full.validation.samples is not None and len(full.validation.samples.events) > 100
    checked = run_pipeline(ONEPASSWORD, until="validate")
    assert checked.ok and checked.build is None and checked.parameters["source_category"] == "1pw"


def test_pipeline_collects_parameter_problems_without_building() -> None:
    result = run_pipeline(ONEPASSWORD, {"source_category": "a b"})
    assert not result.ok and result.build is None
    assert [d.code for d in result.diagnostics] == ["parameter-value"]


def test_pipeline_on_nothing_usable(tmp_path: Path) -> None:
    result = run_pipeline(tmp_path)
    assert result.app is None and not result.ok and result.build is None
    assert [d.code for d in result.diagnostics] == ["missing-file"]


def test_load_does_not_import_validate() -> None:
    """The load ↔ validate cycle is gone: loading imports no validation module."""
    code = ("import sys, appbuilder.load; "
            "print([m for m in sys.modules if m.startswith(('appbuilder.validate', 'appbuilder.build'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unreadable_dashboard_adds_no_follow_on_errors(app_dir: Path) -> None:
    (app_dir / "tests").mkdir()
    (app_dir / "tests" / "cases.yaml").write_text(
        "tests:\n  - name: a\n    target: main/by_category\n    rowCount: 1\n", encoding="utf-8")
    edit(app_dir / "app.yaml", "samples:\n", "tests:\n  - tests/*.yaml\nsamples:\n")
    edit(app_dir / "dashboards/main.yaml", "title: Minimal - Main", "title: [unclosed")
    code, out = _run("validate", "app")
    assert code == 1
    errors = [line for line in out.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("app/dashboards/main.yaml:") and "YAML syntax" in errors[0]


def test_plurals(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "chart: pie", "chart: pi")
    assert _run("validate", "app")[1].strip().endswith("app: invalid (1 error, 0 warnings)")
    edit(app_dir / "dashboards/main.yaml", "chart: bar", "chart: ba")
    assert _run("validate", "app")[1].strip().endswith("app: invalid (2 errors, 0 warnings)")


def test_unknown_deployment_hint_names_real_flags() -> None:
    with pytest.raises(SumoConfigError) as raised:
        base_url_for("mars")
    flags = re.findall(r"--[a-z-]+", raised.value.hint)
    _, help_text = _run("plan", "--help")
    assert flags and all(flag in help_text for flag in flags)


def test_no_samples_turns_the_json_path_check_off_visibly(app_dir: Path) -> None:
    edit(app_dir / "app.yaml", "samples:\n  - samples/*.jsonl\n", "")
    code, out = _run("validate", "app", "--format", "json")
    assert code == 0
    [warning] = json.loads(out)["problems"]
    assert warning["code"] == "lint-off" and "unknown-json-path check is off" in warning["message"]


# --- test command: sample data and report paths ---------------------------------------------------------------


def test_broken_samples_stop_test_with_positions(app_dir: Path) -> None:
    with (app_dir / "samples" / "events.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"uuid": "A3",\n')
    code, out = _run("test", "app")
    assert code == 1
    assert "app/samples/events.jsonl:3:15: error: invalid JSON" in out and "not tested" in out


def test_lookup_tables_are_checked(app_dir: Path) -> None:
    (app_dir / "tests" / "lookups").mkdir(parents=True)
    (app_dir / "tests" / "lookups" / "geo.jsonl").write_bytes(b'\xef\xbb\xbf{"ip": "192.0.2.10"}\n[1]\n')
    code, out = _run("validate", "app")
    assert code == 1 and "app/tests/lookups/geo.jsonl:2:1: error: line is not a JSON object" in out
    assert "one lookup row" in out


@pytest.mark.parametrize("target", ["afile/report.xml", "missing/report.xml", "adir"])
def test_test_report_path_problems(app_dir: Path, target: str) -> None:
    Path("afile").write_text("x", encoding="utf-8")
    Path("adir").mkdir()
    code, out = _run("test", "app", "--format", "junit", "-o", target)
    assert code in (1, 2) and target in out  # 2: click refuses a directory itself
    assert "cannot write" in out or "is a directory" in out
    assert Path("afile").read_text(encoding="utf-8") == "x" and not Path("missing").exists()


@pytest.mark.parametrize("target", ["afile", "afile/out"])
def test_build_output_under_a_file(app_dir: Path, target: str) -> None:
    Path("afile").write_text("x", encoding="utf-8")
    code, out = _run("build", "app", "-o", target)
    assert code in (1, 2) and "'afile' is a file" in out.replace('"', "'")
    assert Path("afile").read_text(encoding="utf-8") == "x"


def test_build_output_with_missing_parents_is_created(app_dir: Path) -> None:
    code, _ = _run("build", "app", "-o", "a/b/c")
    assert code == 0 and (Path("a/b/c") / "content.json").is_file()


# --- query lint -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  \n\n", "// only a comment\n"])
def test_query_lint_of_an_empty_file_is_an_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "q.sumo"
    path.write_text(text, encoding="utf-8")
    code, out = _run("query", "lint", str(path))
    assert code == 1 and f"{path}:1:1: error: the file holds no query" in out
    assert "1 file, 1 error, 0 warnings" in out


def test_query_lint_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "bin.sumo").write_bytes(b"\xff\xfe")
    code, out = _run("query", "lint", str(tmp_path / "bin.sumo"), str(tmp_path / "none.sumo"), str(tmp_path))
    assert code == 1 and "not valid UTF-8" in out and "file not found" in out and "is a directory" in out
    assert "3 files, 3 errors" in out


def test_the_1password_app_makes_unknown_operators_errors(tmp_path: Path) -> None:
    app = tmp_path / "1password"
    import shutil

    shutil.copytree(ONEPASSWORD, app)
    edit(app / "queries.yaml", "| count by", "| cuont by")
    result = run_pipeline(app, until="validate")
    assert any(d.code == "unknown-operator" and d.is_error for d in result.diagnostics)


@pytest.mark.parametrize(("query", "column"), [("(" * 5000, 65), ("x | where " + "not " * 5000 + "true", 263),
                                               ("x | where a = " + "-" * 5000 + "1", 78)],
                         ids=["parentheses", "not", "signs"])
def test_queries_too_deep_for_the_parser_are_reported(app_dir: Path, tmp_path: Path, query: str,
                                                      column: int) -> None:
    edit(app_dir / "queries.yaml", '      | json "category" as category\n      | count by category',
         f"      {query}")
    code, out = _run("validate", "app")
    assert code == 1 and f"app/queries.yaml:9:{column + 6}: error: the query nests more than 64 levels deep" in out
    (tmp_path / "deep.sumo").write_text(query, encoding="utf-8")
    for extra in ([], ["--syntax-only"]):
        code, out = _run("query", "lint", str(tmp_path / "deep.sumo"), *extra)
        assert code == 1 and f"deep.sumo:1:{column}: error: the query nests more than 64 levels deep" in out
    code, out = _run("query", "run", "app", "--query", str(tmp_path / "deep.sumo"))
    assert code == 1 and "nests more than 64 levels deep" in out and "RecursionError" not in out


def test_a_pipe_is_refused_not_read(app_dir: Path) -> None:
    import os

    os.mkfifo(app_dir / "dashboards" / "pipe.yaml")
    edit(app_dir / "app.yaml", "  - dashboards/main.yaml\n", "  - dashboards/main.yaml\n  - dashboards/pipe.yaml\n")
    code, out = _run("validate", "app")
    assert code == 1 and "app/app.yaml:14:5: error: 'dashboards/pipe.yaml' is not a regular file" in out
    code, out = _run("query", "lint", str(app_dir / "dashboards" / "pipe.yaml"))
    assert code == 1 and "is not a regular file" in out


def test_a_samples_error_is_not_followed_by_a_lint_notice(app_dir: Path) -> None:
    edit(app_dir / "app.yaml", "samples:\n  - samples/*.jsonl", "samples: samples/*.jsonl")
    code, out = _run("validate", "app")
    assert code == 1 and "expected array, got string [samples]" in out and "check is off" not in out


@functools.cache  # two tests read it; parsing every module of the package takes ~1 s
def _import_graph() -> dict[str, set[str]]:
    """appbuilder module → the appbuilder modules its imports run (function-level imports included, TYPE_CHECKING
    not): the module named and the packages above it, except packages the importing module is already in; and
    `from PACKAGE import name` reads PACKAGE's __init__ even from inside PACKAGE (so a re-exporting __init__ and a
    submodule importing its siblings through it form a cycle)."""
    import ast

    package = REPO / "appbuilder"
    modules = {}
    for file in package.rglob("*.py"):
        parts = list(file.relative_to(REPO).with_suffix("").parts)
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    graph: dict[str, set[str]] = {}
    for name, file in modules.items():
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in list(ast.walk(tree)):  # ast.walk queues children before yielding: clear bodies first
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
                node.body = [ast.Pass()]
        own_packages = {name.rsplit(".", n)[0] for n in range(1, name.count(".") + 1)} | {name}
        resolved: set[str] = set()

        def add(target: str, _name: str = name, _own: set[str] = own_packages, _out: set[str] = resolved) -> None:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != _name:
                _out.add(target)
            target = target.rpartition(".")[0]
            while target and target not in _own:  # importing a.b.c runs a.b's __init__ too
                _out.add(target)
                target = target.rpartition(".")[0]

        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module:
                add(node.module)
                for alias in node.names:
                    if f"{node.module}.{alias.name}" in modules:
                        add(f"{node.module}.{alias.name}")
        graph[name] = resolved
    return graph


def test_import_graph_sees_through_package_init_and_type_checking() -> None:
    graph = _import_graph()
    assert "appbuilder.fakesumo.server" in graph["appbuilder.fakesumo"]  # the re-export
    assert "appbuilder.fakesumo.server" not in graph["appbuilder.fakesumo.control"]  # TYPE_CHECKING only
    assert "appbuilder.query.ast" in graph["appbuilder.query.lint"]


def test_no_import_cycle_anywhere_in_the_package() -> None:
    graph = _import_graph()
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            current = todo.pop()
            assert current != start, f"{start} imports itself through {sorted(seen)}"
            if current not in seen:
                seen.add(current)
                todo.extend(graph.get(current, ()))


def test_a_malformed_var_names_its_option(app_dir: Path) -> None:
    result = CliRunner().invoke(cli, ["test", "app", "--var", "novalue"])
    assert result.exit_code == 1 and "Invalid value for --var: 'novalue' is not name=value" in result.output


def test_query_lint_broken_samples_are_positioned(tmp_path: Path) -> None:
    (tmp_path / "q.sumo").write_text('_sourceCategory=x | json "a" as a | count by a', encoding="utf-8")
    (tmp_path / "events.jsonl").write_text('{"a": 1}\n{"a": \n', encoding="utf-8")
    code, out = _run("query", "lint", str(tmp_path / "q.sumo"), "--samples", str(tmp_path / "events.jsonl"))
    assert code == 1 and f"{tmp_path / 'events.jsonl'}:2:6: error: invalid JSON" in out


def test_globs_work_in_a_directory_named_like_a_glob(tmp_path: Path) -> None:
    import shutil

    app = tmp_path / "apps[1]" / "minimal"
    shutil.copytree(REPO / "tests" / "fixtures" / "minimal", app)
    result = run_pipeline(app, until="validate")
    assert result.ok and result.validation.samples is not None and len(result.validation.samples.events) == 2


@pytest.mark.parametrize(("key", "pattern", "line"), [("samples", "samples/*.json", 15), ("tests", "tests/*.yaml", 17)])
def test_a_glob_that_matches_nothing_is_a_warning_at_its_line(app_dir: Path, key: str, pattern: str,
                                                                line: int) -> None:
    if key == "samples":
        edit(app_dir / "app.yaml", "samples/*.jsonl", pattern)
    else:
        (app_dir / "app.yaml").write_text((app_dir / "app.yaml").read_text() + f"tests:\n  - {pattern}\n")
    code, out = _run("validate", "app")
    assert code == 0
    assert f"app/app.yaml:{line}:5: warning: '{pattern}' matches no file" in out
    assert "hint: paths and globs are relative to app/app.yaml" in out


def test_a_path_too_long_for_the_file_system_is_a_clear_error(app_dir: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from appbuilder.cli import main

    long = "x" * 300
    edit(app_dir / "app.yaml", "  - dashboards/main.yaml\n", f"  - dashboards/main.yaml\n  - dashboards/{long}.yaml\n")
    code, out = _run("validate", "app")
    assert code == 1 and "app/app.yaml:14:5: error: 'dashboards/" in out and "File name too long" in out
    code, out = _run("query", "lint", long)
    assert code == 1 and "cannot read file: File name too long" in out
    for args in (["build", "app", "-o", long], ["new", "ok", "--from-samples", long], ["validate", long]):
        monkeypatch.setattr(sys, "argv", ["appbuilder", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        err = capsys.readouterr().err
        assert exited.value.code == 1 and "File name too long" in err and "internal error" not in err, args
