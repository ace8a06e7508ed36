"""`appbuilder preview --events`: the site drawn from JSON-lines files instead of the app's samples."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import requests
from click.testing import CliRunner
from test_preview_site import default_payloads, make_app, private_cache  # noqa: F401 - the fixture is autouse

from appbuilder.cli import cli
from appbuilder.preview.serve import PreviewServer
from appbuilder.query.engines import local

# not the samples' categories; the last is eight days before the newest, outside the dashboards' -7d window
FILE_EVENTS = [
    {"timestamp": "2026-12-01T09:00:00Z", "category": "from_file", "type": "file_ok"},
    {"timestamp": "2026-12-01T10:00:00Z", "category": "from_file", "type": "file_ok"},
    {"timestamp": "2026-12-01T11:00:00Z", "category": "also_file", "type": "file_bad"},
    {"timestamp": "2026-11-23T11:00:00Z", "category": "too_old", "type": "file_old"},
]


def events_file(root: Path, events: list[dict] = FILE_EVENTS) -> Path:
    path = root / "exported.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def preview(*args: str):
    return CliRunner().invoke(cli, ["preview", *args])


def test_the_site_is_drawn_from_the_events_deterministically_on_either_engine(tmp_path, monkeypatch):
    app, events = make_app(tmp_path), events_file(tmp_path)
    sites = []
    for name, small in (("python", 10_000), ("duckdb", 0)):
        monkeypatch.setattr(local, "SMALL_INPUT", small)  # auto: Python below it, DuckDB from it on
        site = tmp_path / name
        result = preview(str(app), "-o", str(site), "--events", str(events))
        assert result.exit_code == 0, result.output
        assert "1 with errors" in result.output  # the fixture's deliberately broken panel
        sites.append(site)
    payloads = default_payloads(sites[0] / "charts.html")
    assert payloads["total"]["value"] == "3"  # the events within the -7d window ending at the newest one
    table = json.dumps(payloads["events"])
    assert "from_file" in table and "also_file" in table and "too_old" not in table and "success" not in table
    for page in sorted(p.name for p in sites[0].glob("*.html")):
        assert (sites[0] / page).read_bytes() == (sites[1] / page).read_bytes(), page


def test_a_bad_events_file_fails_the_preview_naming_the_line(tmp_path):
    app, events = make_app(tmp_path), events_file(tmp_path)
    events.write_text(events.read_text() + '{"category": \n', encoding="utf-8")
    result = preview(str(app), "-o", str(tmp_path / "site"), "--events", str(events))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"cannot read the events: {events}:5:" in result.output and "hint:" in result.output
    assert not (tmp_path / "site").exists()


def test_events_and_live_are_refused_together(tmp_path):
    result = preview(str(make_app(tmp_path)), "-o", str(tmp_path / "site"), "--events", "x.jsonl", "--live")
    assert result.exit_code != 0 and "--events" in result.output and "--live" in result.output


def test_serve_draws_from_the_events_and_again_when_the_file_changes(tmp_path):
    app, events = make_app(tmp_path), events_file(tmp_path)
    with PreviewServer(app, tmp_path / "site", {}, port=0, interval=3600, events=[str(events)]) as server:
        panels = requests.get(server.url + "__preview/panels", params={"dashboard": "charts"}, timeout=5).json()
        assert panels["total"]["value"] == "3"
        events_file(tmp_path, FILE_EVENTS[:1])
        os.utime(events, ns=(events.stat().st_mtime_ns + 10**9,) * 2)
        assert server.check() is True
        panels = requests.get(server.url + "__preview/panels", params={"dashboard": "charts"}, timeout=5).json()
        assert panels["total"]["value"] == "1"
        events.write_text("not json\n", encoding="utf-8")
        os.utime(events, ns=(events.stat().st_mtime_ns + 2 * 10**9,) * 2)
        assert server.check() is True
        page = requests.get(server.url + "charts.html", timeout=5).text
        assert "The events cannot be read" in page and f"{events}:1:1" in page


def test_variable_views_made_side_by_side_are_the_views_made_one_at_a_time(tmp_path, monkeypatch):
    from appbuilder.commands.sample_runner import SampleRunner

    app, events = make_app(tmp_path), events_file(tmp_path)
    monkeypatch.setattr(local, "SMALL_INPUT", 0)  # DuckDB, which runs queries side by side
    threads: set[int] = set()
    run = SampleRunner.run

    def spy(self, *args, **kwargs):
        threads.add(threading.get_ident())
        return run(self, *args, **kwargs)

    monkeypatch.setattr(SampleRunner, "run", spy)
    sites = []
    for workers in (1, 3):
        monkeypatch.setattr(SampleRunner, "concurrency", property(lambda self, n=workers: n))
        threads.clear()
        site = tmp_path / f"site{workers}"
        result = preview(str(app), "-o", str(site), "--events", str(events))
        assert result.exit_code == 0, result.output
        assert (len(threads) > 1) == (workers > 1)  # the main thread alone, or workers for the values too
        sites.append(site)
    for page in sorted(p.name for p in sites[0].glob("*.html")):
        assert (sites[0] / page).read_bytes() == (sites[1] / page).read_bytes(), page


def test_a_table_panel_fetches_the_rows_it_shows_and_counts_the_rest(tmp_path, monkeypatch):
    from appbuilder.commands.sample_runner import SampleRunner
    from appbuilder.preview import payload

    app, events = make_app(tmp_path), events_file(tmp_path, FILE_EVENTS * 3)
    monkeypatch.setattr(local, "SMALL_INPUT", 0)
    asked: list[int | None] = []
    run = SampleRunner.run

    def spy(self, target, spec, values, max_rows=None):
        asked.append(max_rows)
        return run(self, target, spec, values, max_rows)

    monkeypatch.setattr(SampleRunner, "run", spy)
    monkeypatch.setattr(payload, "page_size", lambda settings: 1)  # one row a page: the rest only counted
    result = preview(str(app), "-o", str(tmp_path / "site"), "--events", str(events))
    assert result.exit_code == 0, result.output
    assert 1 in asked and None in asked  # the table's page; every row for a chart
    table = default_payloads(tmp_path / "site" / "charts.html")["events"]
    assert len(table["rows"]) == 1 and table["total"] > 1
