"""`appbuilder test --live` against the fake Sumo holding the 1Password samples: every query as a search job at
Sumo's real rate (on a virtual clock), empty panels explained, every job deleted (also on Ctrl-C)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from appbuilder.commands.fake_sumo import preload
from appbuilder.commands.test import run_test
from appbuilder.commands.test_live import LiveSettings, live_queries, parse_window, run_live_test
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import peak_rate
from appbuilder.fakesumo.virtual import VirtualSumo
from appbuilder.live.jobs import MAX_RUNNING_JOBS, SearchJobs
from appbuilder.pipeline import run_pipeline
from appbuilder.report import render

APP = Path(__file__).resolve().parents[1] / "app_definitions" / "1password"
WINDOW = parse_window("7d", None, "2026-11-24T00:00:00Z", 0)  # the samples' week
SAMPLE_LINES = {p.name: len(p.read_text().splitlines()) for p in (APP / "samples").glob("*.jsonl")}
# the line of fragments.yaml whose json operator reads the sign-ins' client.ip_address
SIGNIN_JSON_LINE = next(n for n, line in enumerate((APP / "fragments.yaml").read_text().splitlines(), 1)
                        if line.lstrip().startswith("| json") and '"client.ip_address"' in line)


def _query_count() -> int:
    """How many log queries the app has: every panel, saved search and monitor query the local run reports."""
    return len([c for c in run_test(APP, variables={}, parameters={}).result.cases if c.kind != "expectation"])


def _sumo(events: Path = APP / "samples", category: str = "1pw") -> VirtualSumo:
    sumo = VirtualSumo(job_polls=2)
    assert preload(sumo.fake, sorted(events.glob("*.jsonl")), category, APP / "tests" / "lookups") is None
    return sumo


def _settings(sumo: VirtualSumo, allow_empty: frozenset[str] = frozenset()) -> LiveSettings:
    options = DeployOptions(base_url=sumo.base_url, access_id=sumo.access_id, access_key=sumo.access_key,
                            client_options=sumo.client_options(), env={})
    return LiveSettings(options, WINDOW, allow_empty)


def _live(sumo: VirtualSumo, app: Path = APP, parameters: dict[str, str] | None = None, **kwargs: object):
    outcome = run_live_test(app, variables={}, parameters=parameters or {}, settings=_settings(sumo), **kwargs)
    assert outcome.result is not None, outcome.validation.diagnostics
    return outcome.result


def test_every_query_runs_ok_on_the_org_and_counts_match_the_local_run() -> None:
    with _sumo() as sumo:
        result = _live(sumo)
        assert sumo.fake.search_jobs.active() == []  # every job deleted
        created = sumo.fake.search_jobs.created
    statuses = {c.target: c.status for c in result.cases}
    assert set(statuses.values()) == {"ok"}, [c for c in result.cases if c.status != "ok"]
    queries = _query_count()
    assert result.ok and len(statuses) == queries
    assert {"query:successful_signin", "monitor:mfa_changes", "threat_intel/threat_table"} <= set(statuses)
    pipeline = run_pipeline(APP, {}, until="validate", lint_queries=False)
    texts = {q.text for q in live_queries(pipeline.app, {}, {}) if q.kind != "metrics"}
    assert result.live["searchJobs"] == created == len(texts)  # one job per distinct query: no diagnosis needed
    assert result.live["requests"] >= 4 * queries  # create, polls, read, delete
    local = {c.target: c.rows for c in run_test(APP, variables={}, parameters={}).result.cases
             if c.kind != "expectation"}
    live = {c.target: c.rows for c in result.cases}
    for target in ("overview/events_by_category", "item_usage/breakdown_by_action", "audit_security/top_actions"):
        assert live[target] == local[target] > 0, target
    same = [t for t in live if live[t] == local[t]]
    assert len(same) >= 40, sorted(set(live) - set(same))  # the rest differ by time range (-1d panels, monitors)


def test_a_wrong_source_category_fails_every_panel_and_names_the_category_holding_the_events(tmp_path: Path) -> None:
    from dataclasses import replace

    from appbuilder.commands.install import run_install

    with _sumo() as sumo:
        options = replace(_settings(sumo).options, env={"ONEPASSWORD_EVENTS_TOKEN": "ops_live_token_1234"})
        installed = run_install(APP, {"source_category": "wrong"}, options, backup_root=tmp_path / "backups")
        assert installed.ok and installed.steps, (installed.error, installed.hint)
        result = _live(sumo, parameters={"source_category": "wrong"})
        assert sumo.fake.search_jobs.active() == []
        jobs = sumo.fake.search_jobs.created
    assert not result.ok
    assert {c.status for c in result.cases} == {"no data"}
    for case in result.cases:
        assert "no events match the scope `_sourceCategory=wrong`" in case.failures[0], case.failures
        assert "_sourceCategory=1pw" in case.failures[0], case.failures
    queries = _query_count()
    # the scope and the shape queries are shared, run once each
    assert len(result.cases) == queries and jobs < queries + 10
    text = render(result, "text")
    assert "FAIL overview/events_by_type (0 rows, " in text and "ms, no data)" in text
    assert "\n     no data: no events match the scope `_sourceCategory=wrong` in the window; events of this " \
           "query's shape are in _sourceCategory=1pw (_sourceName=signin_attempts.jsonl, " in text
    assert text.splitlines()[-1].startswith(f"0 passed, {queries} failed; window 2026-11-17T00:00:00Z to "
                                            "2026-11-24T00:00:00Z,")
    junit = render(result, "junit")
    assert junit.count("<failure ") == queries
    assert "::error title=appbuilder test%3A overview/events_by_type::no data: no events match" in \
        render(result, "github")


def test_a_renamed_field_names_the_json_line_that_loses_the_events(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    for path in (APP / "samples").glob("*.jsonl"):
        (samples / path.name).write_text(path.read_text().replace('"ip_address"', '"ip"'))
    with _sumo(samples) as sumo:
        result = _live(sumo)
    cases = {c.target: c for c in result.cases}
    signin = cases["overview/events_by_category"]
    assert signin.status == "no data"
    assert f"loses every event at line 2 (app_definitions/1password/fragments.yaml:{SIGNIN_JSON_LINE}): json" \
        in signin.failures[0] or f"fragments.yaml:{SIGNIN_JSON_LINE}): json" in signin.failures[0]
    assert '"client.ip_address": the events have client.ip' in signin.failures[0]
    assert cases["audit_security/top_actions"].status == "ok"  # audit panels do not read the client IP


def test_live_optional_in_the_definition_allows_no_data(tmp_path: Path) -> None:
    from helpers import edit

    app = tmp_path / "1password"
    shutil.copytree(APP, app)
    edit(app / "dashboards" / "overview.yaml", "  - id: events_by_category\n", "  - id: events_by_category\n"
         "    live: optional\n")
    edit(app / "monitors" / "mfa_changes.yaml", "name: ", "live: optional\nname: ")
    pipeline = run_pipeline(app, {}, until="validate", lint_queries=False)
    assert pipeline.ok, [str(d) for d in pipeline.validation.errors]
    optional = {q.target for q in live_queries(pipeline.app, {}, {}) if q.allow_empty}
    assert optional == {"overview/events_by_category", "monitor:mfa_changes"}
    edit(app / "monitors" / "mfa_changes.yaml", "live: optional", "live: maybe")
    assert not run_pipeline(app, {}, until="validate", lint_queries=False).ok  # the schema knows the one value


def test_allow_empty_and_metrics_skips() -> None:
    pipeline = run_pipeline(APP, {}, until="validate", lint_queries=False)
    queries = live_queries(pipeline.app, {}, {}, ["overview/events_by_type"])
    by_target = {q.target: q for q in queries}
    assert by_target["overview/events_by_type"].allow_empty
    assert "_sourceCategory=1pw" in by_target["overview/events_by_type"].text
    assert "{{" not in "".join(q.text for q in queries) and "${" not in "".join(q.text for q in queries)
    minimal = Path(__file__).resolve().parent / "fixtures" / "minimal"
    sumo = VirtualSumo(job_polls=1)
    assert preload(sumo.fake, [minimal / "samples" / "events.jsonl"], "elsewhere", None) is None
    with sumo:
        outcome = run_live_test(minimal, variables={}, parameters={},
                                settings=_settings(sumo, frozenset({"main/by_type"})))
    cases = {c.target: c for c in outcome.result.cases}
    assert cases["main/by_type"].ok and "no data (allowed)" in cases["main/by_type"].detail
    assert "_sourceCategory=elsewhere" in cases["main/by_type"].detail
    assert not cases["main/by_category"].ok and not outcome.result.ok


def test_bad_credentials_stop_the_run_with_one_clear_failure() -> None:
    with _sumo() as sumo:
        wrong = LiveSettings(DeployOptions(base_url=sumo.base_url, access_id=sumo.access_id, access_key="nope",
                                           client_options=sumo.client_options(), env={}), WINDOW)
        result = run_live_test(APP, variables={}, parameters={}, settings=wrong).result
        assert sumo.fake.search_jobs.created == 0
    assert [c.name for c in result.cases] == ["search jobs"] and not result.ok
    assert "401" in result.cases[0].failures[0] and "nope" not in result.cases[0].failures[0]
    assert render(result, "text").splitlines()[0] == "FAIL search jobs"  # no row count for the run itself


def test_a_run_without_credentials_is_still_reported_as_a_live_run() -> None:
    missing = LiveSettings(DeployOptions(base_url="http://127.0.0.1:9/api", env={}), WINDOW)
    result = run_live_test(APP, variables={}, parameters={}, settings=missing).result
    assert [c.name for c in result.cases] == ["connection"] and not result.ok
    assert "missing Sumo Logic credentials" in result.cases[0].failures[0]
    summary = render(result, "text").splitlines()[-1]
    assert "sample events" not in summary and "0 search jobs, 0 requests" in summary, summary


def test_cli_a_run_without_credentials_ends_its_summary_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import cli_run

    for name in ("SUMOLOGIC_ACCESSID", "SUMOLOGIC_ACCESSKEY", "SUMOLOGIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    code, out = cli_run("test", str(APP), "--live", "--base-url", "http://127.0.0.1:9/api")
    assert code == 1
    lines = out.splitlines()
    summary = next(line for line in lines if line.startswith("0 passed, 1 failed"))
    assert re.fullmatch(r"0 passed, 1 failed; window \S+ to \S+, 0 search jobs, 0 requests, \d\.\d\d s", summary)


def test_ctrl_c_deletes_every_search_job_created() -> None:
    seen: list[str] = []

    def interrupt(line: str) -> None:
        seen.append(line)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with _sumo() as sumo:
        result = _live(sumo, progress=interrupt)
        assert result.interrupted and not result.ok
        assert sumo.fake.search_jobs.created >= 3
        assert sumo.fake.search_jobs.active() == []
        assert result.live["leftOpen"] == []


def test_search_jobs_bound_concurrency_share_the_rate_budget_and_cache_by_text() -> None:
    with _sumo() as sumo, sumo.client() as client:
        running: list[int] = []
        original = sumo.fake.search_jobs

        with SearchJobs(client, WINDOW) as jobs:
            futures = [jobs.submit(f"_sourceCategory=1pw | count by {field}")
                       for field in ("_sourceName", "_sourceHost", "_collector", "_sourceCategory", "_source")]
            again = jobs.submit("_sourceCategory=1pw | count by _sourceName")
            running.append(len(original.active()))
            results = [f.result() for f in futures]
        assert again is futures[0]
        assert running[0] <= MAX_RUNNING_JOBS
        assert [r.rows[0]["_count"] for r in results[:1]] == [SAMPLE_LINES["audit_events.jsonl"]]  # audit first
        assert sorted(r["_sourcename"] for r in results[0].rows) == ["audit_events.jsonl", "item_usages.jsonl",
                                                                     "signin_attempts.jsonl"]
        assert original.created == 5 and original.active() == []
        assert client.stats.peak_per_second <= 4
        seen = sumo.fake.requests  # as Sumo counts: on arrival (a job's polls sleep while others are in flight)
        assert peak_rate(seen) <= 4 and [r for r in seen if r.status == 429] == []


def test_every_search_job_create_is_held_to_the_spec(request: pytest.FixtureRequest) -> None:
    with _sumo() as sumo, sumo.client() as client, SearchJobs(client, WINDOW) as jobs:
        assert jobs.run("_sourceCategory=1pw | count").rows == [{"_count": sum(SAMPLE_LINES.values())}]
        assert sumo.fake.violations == []  # the fake's replies followed the spec
    creates = [e.body for e in request.node.sent_to_spec if e.path == "/api/v1/search/jobs"]
    assert creates and all(b["timeZone"] == "UTC" for b in creates)  # conftest validates each at teardown


def test_cli_test_live_reports_and_refuses_live_options_without_live(tmp_path: Path) -> None:
    from helpers import cli_run

    code, out = cli_run("test", str(APP), "--window", "7d")
    assert code == 1 and "--window is for --live runs" in out
    code, out = cli_run("test", str(APP), "--live", "--window", "soon", "--base-url", "http://127.0.0.1:9/api")
    assert code == 1 and "not a duration" in out
    app = tmp_path / "app"
    shutil.copytree(APP, app)
    code, out = cli_run("test", str(app), "--live", "--allow-empty", "nope/nothing", "--base-url",
                        "http://127.0.0.1:9/api", "--access-id", "a", "--access-key", "b")
    assert code == 1 and "'nope/nothing' names no panel" in out


def test_parse_window() -> None:
    window = parse_window(None, None, None, 1_000_000)
    assert (window.start, window.end) == (1_000_000_000 - 86_400_000, 1_000_000_000)
    assert parse_window(None, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z", 0).end - \
        parse_window(None, "2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z", 0).start == 86_400_000
    with pytest.raises(ValueError, match="earlier"):
        parse_window(None, "2026-11-24T00:00:00Z", "2026-11-23T00:00:00Z", 0)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_window(None, "yesterday", None, 0)
    with pytest.raises(ValueError, match="--window or --from, not both"):  # the window was silently ignored
        parse_window("1h", "2026-11-24T00:00:00Z", None, 0)
    until = parse_window("1h", None, "2026-11-24T00:00:00Z", 0)  # --to with --window: the hour before it
    assert until.end - until.start == 3_600_000


def test_cli_test_live_end_to_end_at_sumos_real_rate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's own client (4 requests/s, its default settings) against a fake at Sumo's limits, both on one
    virtual clock (the waits take no real time)."""
    import json

    from helpers import cli_client_options, cli_run

    from appbuilder.clock import VirtualClock
    from appbuilder.fakesumo import FakeSumo

    minimal = Path(__file__).resolve().parent / "fixtures" / "minimal"
    clock = VirtualClock()
    cli_client_options(monkeypatch, {"clock": clock})
    with FakeSumo(keys={"id": "key"}, job_polls=0, clock=clock) as fake:
        assert preload(fake, [minimal / "samples" / "events.jsonl"], "mini", None) is None
        args = ("test", str(minimal), "--live", "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-24T00:00:00Z",
                "--base-url", fake.base_url, "--access-id", "id", "--access-key", "key")
        code, out = cli_run(*args, "--format", "json")
        assert fake.search_jobs.active() == []
        report = json.loads(out[out.index("{"):out.rindex("}") + 1])
        assert code == 0 and report["ok"] and report["live"]["searchJobs"] == fake.search_jobs.created == 3
        assert {c["status"] for c in report["cases"]} == {"ok"}
        assert "cost: 3 search jobs, " in out  # on stderr
        seen = fake.requests
        assert peak_rate(seen) <= 4 and [r for r in seen if r.status == 429] == [] and clock.slept > 0


def test_a_metrics_panel_is_skipped_not_searched(tmp_path: Path) -> None:
    from helpers import edit

    minimal = Path(__file__).resolve().parent / "fixtures" / "minimal"
    app = tmp_path / "app"
    shutil.copytree(minimal, app)
    edit(app / "dashboards" / "main.yaml", "panels:\n", "panels:\n  - id: cpu\n    title: CPU\n    chart: line\n"
         "    queries:\n      - type: metrics\n        query: metric=cpu_idle | avg by host\n")
    sumo = VirtualSumo(job_polls=1)
    assert preload(sumo.fake, [minimal / "samples" / "events.jsonl"], "mini", None) is None
    with sumo:
        result = run_live_test(app, variables={}, parameters={}, settings=_settings(sumo)).result
    cases = {c.target: c for c in result.cases}
    assert cases["main/cpu"].status == "skipped" and "Search Job API runs log queries" in cases["main/cpu"].skipped
    assert result.ok and result.skipped == 1 and result.live["searchJobs"] == len(cases) - 1


def test_env_names_the_org_and_its_parameters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import click
    from helpers import two_environments_yaml

    from appbuilder.cli.live import live_settings

    app = tmp_path / "app"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "minimal", app)
    (tmp_path / "appbuilder.yaml").write_text(two_environments_yaml("http://127.0.0.1:9/api", "http://127.0.0.1:8/api"))
    monkeypatch.setenv("STG_ID", "stg-id")
    monkeypatch.setenv("STG_KEY", "stg-key")
    kwargs = {"env_names": ("staging",), "env_file": None, "window": "1h"}
    settings, params = live_settings(app, kwargs, {"other": "x"})
    assert (settings.options.base_url, settings.options.access_id) == ("http://127.0.0.1:9/api", "stg-id")
    assert params == {"source_category": "stg/mini", "other": "x"}
    assert live_settings(app, kwargs, {"source_category": "mine"})[1]["source_category"] == "mine"  # --param wins
    with pytest.raises(click.UsageError, match="one --env"):
        live_settings(app, {**kwargs, "env_names": ("staging", "prod")}, {})
    monkeypatch.delenv("STG_KEY")
    with pytest.raises(click.UsageError, match="STG_KEY"):
        live_settings(app, kwargs, {})
