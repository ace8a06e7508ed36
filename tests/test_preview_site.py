"""`appbuilder preview`: the static site, the PNGs, the CLI and the --serve server."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from appbuilder.cli import cli
from appbuilder.commands.preview import run_preview
from appbuilder.preview.serve import PreviewServer

MINIMAL_APP = Path(__file__).resolve().parent / "fixtures" / "minimal"
ONEPASSWORD = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"

SCOPE = '_sourceCategory=${source_category}\n      | json "category", "type" as category, type'
EVENTS = [
    {"timestamp": "2026-11-22T09:00:00Z", "category": "success", "type": "credentials_ok",
     "location": {"latitude": 52.52, "longitude": 13.405}},
    {"timestamp": "2026-11-22T10:00:00Z", "category": "success", "type": "mfa_ok",
     "location": {"latitude": 52.52, "longitude": 13.405}},
    {"timestamp": "2026-11-23T08:00:00Z", "category": "mfa_failed", "type": "totp_bad",
     "location": {"latitude": -33.87, "longitude": 151.21}},
    {"timestamp": "2026-11-23T09:30:00Z", "category": "success", "type": "credentials_ok",
     "location": {"latitude": 40.71, "longitude": -74.0}},
]
# (id, chart, extra YAML lines, query tail after the shared scope and filter)
PANELS = [
    ("by_category", "pie", "", "| count by category"),
    ("by_type", "bar", "", "| count by type"),
    ("over_time", "column", "stacked: true", "| timeslice 1d\n      | count by _timeslice, category\n"
                                             "      | transpose row _timeslice column category"),
    ("trend", "line", "", "| timeslice 1d\n      | count by _timeslice"),
    ("trend_area", "area", "", "| timeslice 1d\n      | count by _timeslice, category\n"
                               "      | transpose row _timeslice column category"),
    ("events", "table", "", "| count by category, type"),
    ("total", "svp", "label: Sign-ins\n    settings: {svp: {thresholds: [{from: 0, to: 3, color: '#16943E'}, "
                     "{from: 3, color: '#BF2121'}]}}", "| count"),
    ("where", "map", "", '| json "location.latitude", "location.longitude" as latitude, longitude\n'
                         "      | count by latitude, longitude"),
    ("cells", "honeyComb", "", "| count by type"),
    ("nothing", "table", "", '| where category = "no_such_category"\n      | count by category'),
    ("broken", "line", "", "| compare with timeshift 1d"),
]


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The vega bundle and chart cache of this module's previews go to a temporary directory, never ~/.cache."""
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        yield cache


def make_app(root: Path) -> Path:
    """The minimal fixture app plus a dashboard with every chart kind, an empty panel and a failing one."""
    app = root / "app"
    shutil.copytree(MINIMAL_APP, app)
    (app / "samples" / "preview.jsonl").write_text("".join(json.dumps(e) + "\n" for e in EVENTS), encoding="utf-8")
    manifest = app / "app.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "  - dashboards/main.yaml", "  - dashboards/main.yaml\n  - dashboards/charts.yaml"), encoding="utf-8")
    lines = ["title: Minimal - All Charts", "timeRange: -7d", "variables:", "  - name: category",
             "    displayName: Category", "    fromQuery:", "      query: |",
             "        _sourceCategory=${source_category}", '        | json "category" as category',
             "        | count by category", "      field: category", "panels:",
             "  - id: notes", "    title: Notes", "    chart: text", "    width: 24", "    height: 2",
             '    text: "## Read me\\n\\nDrawn from **samples**."']
    for i, (panel_id, chart, extra, tail) in enumerate(PANELS):
        lines += [f"  - id: {panel_id}", f"    title: {panel_id.replace('_', ' ').title()} of {{{{category}}}}",
                  f"    chart: {chart}", "    width: 8", f"    height: {6 + i % 2}"]
        lines += [f"    {extra}"] if extra else []
        lines += ["    query: |-", f"      {SCOPE}", '      | where category matches "{{category}}"', f"      {tail}"]
    (app / "dashboards" / "charts.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return app


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("preview")
    app = make_app(root)
    outcome = run_preview(app, site=root / "site", png=root / "png", parameters={})
    assert outcome.ok, outcome.validation.diagnostics
    return app, root / "site", root / "png"


def page_data(page: Path) -> dict:
    match = re.search(r'<script type="application/json" id="preview-data">(.*?)</script>', page.read_text(), re.S)
    assert match
    return json.loads(match.group(1).replace("<\\/", "</"))


def default_payloads(page: Path) -> dict[str, dict]:
    data = page_data(page)
    return {panel: data["payloads"][i] for panel, i in data["views"][""].items()}


def test_one_page_per_dashboard_and_an_index(built):
    _, site, _ = built
    assert sorted(p.name for p in site.glob("*.html")) == ["charts.html", "index.html", "main.html"]
    index = (site / "index.html").read_text()
    assert 'href="charts.html"' in index and 'href="main.html"' in index and "Minimal - All Charts" in index
    assert sorted(p.name for p in (site / "assets").iterdir()) == ["land.js", "preview.css", "preview.js", "vega.js"]


def test_every_panel_has_its_element_on_the_grid_with_id_and_title(built):
    _, site, _ = built
    html = (site / "charts.html").read_text()
    sections = re.findall(r'<section class="panel" data-panel="([^"]+)" data-chart="([^"]+)" title="([^"]*)"'
                          r'[^>]* style="grid-column:(\d+) / span (\d+);grid-row:(\d+) / span (\d+)"', html)
    assert [s[0] for s in sections] == ["notes"] + [p[0] for p in PANELS]
    notes = sections[0]
    assert notes[1:] == ("text", "Notes", "1", "24", "1", "2")
    assert sections[1][2] == "By Category of {{category}}"  # the page fills in the variable's value
    assert '<h2 class="panel-title">By Category of *</h2>' in html
    assert '<h2 class="panel-title">Notes</h2>' not in html  # Sumo hides a text panel's title by default
    assert sections[2][3:5] == ("9", "8")  # second panel flows to column 9 of 24


def test_each_panel_kind_and_empty_and_error_results(built):
    _, site, _ = built
    payloads = default_payloads(site / "charts.html")
    kinds = {panel: p["kind"] for panel, p in payloads.items()}
    assert kinds == {"notes": "text", "by_category": "vega", "by_type": "vega", "over_time": "vega",
                     "trend": "vega", "trend_area": "vega", "events": "table", "total": "svg", "where": "vega",
                     "cells": "svg", "nothing": "empty", "broken": "error"}
    assert "<strong>samples</strong>" in payloads["notes"]["html"]
    assert payloads["total"]["value"] == "6" and payloads["total"]["color"] == "#BF2121"
    assert payloads["broken"]["message"] == "compare must follow an aggregate"
    assert payloads["where"]["spec"]["layer"][1]["data"]["values"][0]["value"] == 2  # Berlin: two events
    assert payloads["cells"]["svg"].count("<polygon") == 4  # one per type


def test_variable_values_come_from_its_query_and_each_is_precomputed(built):
    _, site, _ = built
    data = page_data(site / "charts.html")
    assert data["variables"] == [{"name": "category", "label": "Category", "default": "*",
                                  "options": ["*", "success", "credentials_failed", "mfa_failed"]}]
    html = (site / "charts.html").read_text()
    assert '<option value="*" selected>All</option><option value="success">success</option>' in html
    success = {panel: data["payloads"][i] for panel, i in data["views"]["category=success"].items()}
    assert "notes" not in success  # the text panel does not use the variable
    assert [r["x"] for r in success["by_category"]["spec"]["data"]["values"]] == ["success"]
    assert success["total"]["value"] == "4"
    assert data["payloads"][data["views"]["category=mfa_failed"]["total"]]["value"] == "1"


def test_site_is_offline_and_deterministic(built, tmp_path):
    app, site, _ = built
    for page in site.glob("*.html"):
        assert not re.search(r'(src|href)="(https?:)?//', page.read_text()), page
    assert "window.vegaEmbed=" in (site / "assets" / "vega.js").read_text()
    again = run_preview(app, site=tmp_path / "again", png=None, parameters={})
    assert again.ok
    for path in sorted(site.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (tmp_path / "again" / path.relative_to(site)).read_bytes(), path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_one_png_per_dashboard_on_the_grid(built, tmp_path):
    app, _, png = built
    assert sorted(p.name for p in png.iterdir()) == ["charts.png", "main.png"]
    width, height = png_size(png / "charts.png")
    assert width == 24 * 60 + 32 and height > 600
    again = run_preview(app, site=None, png=tmp_path, parameters={})
    assert (tmp_path / "charts.png").read_bytes() == (png / "charts.png").read_bytes()
    assert again.errors == ["charts/broken: compare must follow an aggregate"]


def test_cli_writes_site_and_images(tmp_path, monkeypatch):
    app = make_app(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["preview", str(app), "-o", "site"])
    assert result.exit_code == 0, result.output
    assert "wrote site/charts.html" in result.output
    assert "panel error: charts/broken: compare must follow an aggregate" in result.output
    assert "15 panels, 1 with errors" in result.output
    usage = CliRunner().invoke(cli, ["preview", str(app)])
    assert usage.exit_code == 1 and "-o DIR" in usage.output


def test_cli_reports_an_unwritable_output_without_a_traceback(tmp_path):
    app = make_app(tmp_path)
    (tmp_path / "file").write_text("not a directory")
    result = CliRunner().invoke(cli, ["preview", str(app), "--png", str(tmp_path / "file" / "png")])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_cli_serve_on_a_busy_port_says_so(tmp_path):
    app = make_app(tmp_path)
    with PreviewServer(app, tmp_path / "first", {}, port=0, interval=3600) as server:
        port = server.httpd.server_address[1]
        result = CliRunner().invoke(cli, ["preview", str(app), "--serve", "--port", str(port)])
    assert result.exit_code == 1 and f"cannot serve on 127.0.0.1:{port}" in result.output


def test_fixed_and_metadata_variables(tmp_path):
    app = make_app(tmp_path)
    charts = app / "dashboards" / "charts.yaml"
    charts.write_text(charts.read_text().replace("panels:\n", "\n".join([
        "  - name: region", "    values: [eu, us]", "    includeAll: false", "    default: eu",
        "  - name: source", "    metadata: {key: _sourceCategory}", "panels:", ""])))
    assert run_preview(app, site=tmp_path / "site", png=None, parameters={}).ok
    data = page_data(tmp_path / "site" / "charts.html")
    by_name = {v["name"]: v for v in data["variables"]}
    assert by_name["region"]["options"] == ["eu", "us"] and by_name["region"]["default"] == "eu"
    assert by_name["source"]["options"] == ["*"]
    assert "metadata values are not in the sample events" in (tmp_path / "site" / "charts.html").read_text()


def test_a_metrics_panel_says_it_is_not_run_locally(tmp_path):
    from appbuilder.commands.sample_runner import SampleRunner
    from appbuilder.preview.results import METRICS, dashboard_view
    from appbuilder.validate import validate_app

    app = validate_app(make_app(tmp_path), lint_queries=False).app
    dashboard = next(d for d in app.dashboards if d.slug == "charts")
    dashboard.panels[3].query_type = "Metrics"  # type: ignore[attr-defined]
    view = dashboard_view(SampleRunner(app, {}, {}), dashboard, variants=False)
    assert view.views[""][dashboard.panels[3].id] == {"kind": "empty", "message": METRICS}


def test_cli_reports_an_invalid_app_at_its_line(tmp_path):
    app = make_app(tmp_path)
    charts = app / "dashboards" / "charts.yaml"
    charts.write_text(charts.read_text().replace("chart: honeyComb", "chart: hexagons"))
    result = CliRunner().invoke(cli, ["preview", str(app), "-o", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert re.search(r"charts\.yaml:\d+:\d+", result.output) and "no preview" in result.output
    assert not (tmp_path / "site").exists()


def test_serve_renders_again_when_a_yaml_file_changes(tmp_path):
    app = make_app(tmp_path)
    with PreviewServer(app, tmp_path / "site", {}, port=0, interval=3600) as server:
        assert requests.get(server.url, timeout=5).status_code == 200
        assert requests.get(server.url + "__preview/version", timeout=5).text == "1"
        page = requests.get(server.url + "charts.html", timeout=5).text
        assert '"serve":true' in page and "Minimal - All Charts" in page
        combined = requests.get(server.url + "__preview/panels",
                                params={"dashboard": "charts", "var": "category=mfa_failed"}, timeout=5).json()
        assert combined["total"]["value"] == "1" and len(combined) == 1 + len(PANELS)
        assert requests.get(server.url + "__preview/panels", params={"dashboard": "nope"}, timeout=5).status_code \
            == 404

        assert server.check() is False
        charts = app / "dashboards" / "charts.yaml"
        charts.write_text(charts.read_text().replace("Minimal - All Charts", "Renamed Charts"))
        os.utime(charts, ns=(charts.stat().st_mtime_ns + 10**9,) * 2)
        assert server.check() is True
        assert requests.get(server.url + "__preview/version", timeout=5).text == "2"
        assert "Renamed Charts" in requests.get(server.url + "charts.html", timeout=5).text

        charts.write_text(charts.read_text().replace("chart: pie", "chart: donut"))
        os.utime(charts, ns=(charts.stat().st_mtime_ns + 2 * 10**9,) * 2)
        assert server.check() is True
        broken = requests.get(server.url + "charts.html", timeout=5).text
        assert "does not validate" in broken and re.search(r"charts\.yaml:\d+:\d+", broken)


@pytest.mark.skipif(not ONEPASSWORD.is_dir(), reason="the bundled app is not in this checkout")
def test_onepassword_app_previews_without_panel_errors(tmp_path):
    outcome = run_preview(ONEPASSWORD, site=tmp_path, png=None, parameters={}, variants=False)
    assert outcome.ok and outcome.errors == []
    pages = sorted(p.stem for p in tmp_path.glob("*.html"))
    assert pages == sorted(["index", *(p.stem for p in (ONEPASSWORD / "dashboards").glob("*.yaml"))])
    for page in tmp_path.glob("*.html"):
        if page.stem != "index":
            assert all(p["kind"] in ("vega", "svg", "table") for p in default_payloads(page).values()), page


def test_previews_keep_the_bundle_and_charts_in_the_cache_directory(built, private_cache):
    assert list(private_cache.glob("appbuilder/vega-bundle-*.js"))
    assert list(private_cache.glob("appbuilder/charts/*.svg"))
