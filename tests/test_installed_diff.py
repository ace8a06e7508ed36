"""Diff as installed: an export is compared with a definition by what each build puts in Sumo."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import cli_run, edit

from appbuilder.build import build_app
from appbuilder.deploy.marker import Marker, compose_description
from appbuilder.export import export_definition
from appbuilder.installed_diff import is_export
from appbuilder.load.app import load_app


def export_of(app_dir: Path, out: Path, parameters: dict[str, str] | None = None) -> Path:
    """``app_dir`` built (with ``parameters``), marked as install marks it, and exported back."""
    app = load_app(app_dir)[0]
    assert app is not None
    build = build_app(app, parameters or {})
    content = json.loads(json.dumps(build.content))
    marker = Marker(app.name, app.version, build.manifest.content_hash, "0" * 16, "mxdtpy6m.3")
    content["description"] = compose_description(content["description"], marker)
    export_definition(content, out, {"source_category": (parameters or {}).get("source_category", "mini")})
    return out


def test_a_definition_and_its_export_are_equal_as_installed(app_dir: Path) -> None:
    out = export_of(app_dir, Path("exported"))
    assert is_export(load_app(out)[0]) and not is_export(load_app(app_dir)[0])  # type: ignore[arg-type]
    code, text = cli_run("diff", str(app_dir), str(out))
    assert (code, text.splitlines()[-1].split(" — ")[0]) == (0, "no changes")
    assert "compared as installed in Sumo" in text
    # as definitions they differ: the export has no samples, no source, no parameter description...
    code, text = cli_run("diff", str(app_dir), str(app_dir))
    assert (code, text) == (0, "no changes\n")


def test_a_long_description_shortened_by_install_is_no_change(app_dir: Path) -> None:
    long = "A tiny app used by the tests, described at length with " + "every panel, every query and more. " * 4
    edit(app_dir / "app.yaml", "description: A tiny app used by the tests.", f"description: {long.strip()}")
    out = export_of(app_dir, Path("exported"))
    assert load_app(out)[0].description.endswith("…")  # type: ignore[union-attr]  # Sumo holds it shortened
    code, text = cli_run("diff", str(app_dir), str(out))
    assert code == 0 and text.startswith("no changes"), text


def test_installed_with_other_values_is_compared_with_the_export_s_values(app_dir: Path) -> None:
    out = export_of(app_dir, Path("exported"), {"source_category": "prod/min"})
    assert cli_run("diff", str(app_dir), str(out))[0] == 0  # the definition is built with prod/min too


def test_a_changed_panel_shows_as_a_field_of_its_dashboard(app_dir: Path) -> None:
    out = export_of(app_dir, Path("exported"))
    edit(out / "dashboards" / "main.yaml", "title: Events by Category", "title: Events per Category")
    code, text = cli_run("diff", "--format", "json", str(app_dir), str(out))
    report = json.loads(text)
    assert code == 2 and report["basis"].startswith("compared as installed")
    assert [(c["kind"], c["item"], [f["field"] for f in c["fields"]]) for c in report["changes"]] == [
        ("dashboard", "Minimal - Main", ["panels.panel-main-by_category.title"])]
    assert report["changes"][0]["fields"][0]["new"] == "Events per Category"


def test_a_panel_added_in_the_middle_is_one_new_panel(app_dir: Path) -> None:
    out = export_of(app_dir, Path("exported"))
    edit(app_dir / "dashboards" / "main.yaml", "  - id: by_category\n",
         "  - id: note\n    title: Note\n    chart: text\n    width: 24\n    height: 2\n    text: hi\n"
         "  - id: by_category\n")
    report = json.loads(cli_run("diff", "--format", "json", str(out), str(app_dir))[1])
    fields = [f["field"] for c in report["changes"] for f in c["fields"]]
    assert "panels.panel-main-note" in fields and not [f for f in fields if f.startswith("panels.panel-main-by")]


def test_as_installed_on_two_definitions_and_unmanaged_parts(app_dir: Path) -> None:
    other = Path("other")
    shutil.copytree(app_dir, other)
    edit(other / "source.yaml", "name: Minimal Source", "name: Renamed Source")
    assert cli_run("diff", "--as-installed", str(app_dir), str(other))[0] == 2
    code, text = cli_run("diff", "--as-installed", str(app_dir), str(app_dir))
    assert code == 0 and "compared as installed" in text
    edit(other / "app.yaml", "folder:", "unmanaged: [source]\nfolder:")
    code, text = cli_run("diff", "--as-installed", str(app_dir), str(other))
    assert code == 0, text  # the source is left alone by the other side: not compared


def test_the_export_of_an_installed_app_has_its_names_version_and_no_marker(app_dir: Path) -> None:
    """File stems and panel ids come back from the panel keys, name and version from the folder marker."""
    out = export_of(app_dir, Path("exported"))
    board = (out / "dashboards" / "main.yaml").read_text(encoding="utf-8")
    assert [line.strip() for line in board.splitlines() if line.strip().startswith("- id:")] == [
        "- id: intro", "- id: by_category", "- id: by_type"]
    assert "key:" not in board  # the build makes the same keys from the names
    app_yaml = (out / "app.yaml").read_text(encoding="utf-8")
    assert "name: Minimal\nversion: 0.1.0\ndescription: A tiny app used by the tests.\n" in app_yaml
    assert "[appbuilder" not in app_yaml and "sha256" not in app_yaml
