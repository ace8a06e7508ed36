"""`appbuilder preview --live`: every panel drawn from the fake's search jobs, one job per distinct query."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_live import APP, WINDOW, _settings, _sumo

from appbuilder.commands.preview import live_views, run_preview
from appbuilder.pipeline import run_pipeline


def test_every_panel_is_drawn_from_search_jobs_and_no_job_is_left(tmp_path: Path) -> None:
    app = run_pipeline(APP, {}, until="validate", lint_queries=False).app
    with _sumo() as sumo:
        views, cost, problem = live_views(app, {}, _settings(sumo).options, WINDOW)
        assert problem == "" and sumo.fake.search_jobs.active() == []
        created = sumo.fake.search_jobs.created
    drawn = {f"{v.dashboard.slug}/{pid}": p for v in views for pid, p in v.views[""].items()}
    assert len(drawn) == 47
    shown = {target: p["kind"] for target, p in drawn.items()}
    assert "message" not in shown.values(), {t: drawn[t] for t, k in shown.items() if k == "message"}
    queries = {p.query for d in app.dashboards for p in d.panels if p.query}
    assert cost["searchJobs"] == created <= len(queries) + sum(len(d.variables) for d in app.dashboards)
    assert all(len(v.views) == 1 for v in views)  # the defaults only: no per-value variants


def test_preview_live_reports_the_cost() -> None:
    """The command's --live branch (the site and PNG writers are those of the sample preview, tested there)."""
    with _sumo() as sumo:
        outcome = run_preview(APP, site=None, png=None, parameters={}, live=_settings(sumo))
        assert sumo.fake.search_jobs.active() == []
    assert outcome.ok and outcome.errors == [] and outcome.panels == 47
    assert outcome.live["searchJobs"] == sumo.fake.search_jobs.created > 0


def test_preview_live_without_an_org_says_so(tmp_path: Path) -> None:
    from appbuilder.commands.test_live import LiveSettings
    from appbuilder.deploy.session import DeployOptions

    settings = LiveSettings(DeployOptions(env={}, base_url="http://127.0.0.1:9/api"), WINDOW)
    outcome = run_preview(APP, site=tmp_path / "site", png=None, parameters={}, live=settings)
    assert not outcome.ok and "access" in outcome.live_error.lower(), outcome.live_error


def test_preview_live_options_are_checked() -> None:
    from helpers import cli_run

    code, out = cli_run("preview", str(APP), "--live", "--serve")
    assert code == 1 and "not --serve" in out
    code, out = cli_run("preview", str(APP), "-o", "x", "--window", "1h")
    assert code == 1 and "--window is for --live runs" in out


def test_ctrl_c_while_drawing_deletes_every_search_job(monkeypatch: pytest.MonkeyPatch) -> None:
    from appbuilder.live.preview import LiveRunner

    real = LiveRunner.run
    calls: list[str] = []

    def interrupted(self: LiveRunner, target: str, spec: tuple, values: dict) -> tuple:
        calls.append(target)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, target, spec, values)

    monkeypatch.setattr(LiveRunner, "run", interrupted)
    app = run_pipeline(APP, {}, until="validate", lint_queries=False).app
    with _sumo() as sumo:
        with pytest.raises(KeyboardInterrupt):
            live_views(app, {}, _settings(sumo).options, WINDOW)
        assert sumo.fake.search_jobs.created >= 3 and sumo.fake.search_jobs.active() == []
