"""`plan` / `install` with --env / --all-envs through the CLI: two orgs (two fake Sumos), one summary table."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import cli_run, fast_cli_client, two_environments_yaml

from appbuilder.fakesumo import FakeSumo

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"


@pytest.fixture
def orgs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeSumo, FakeSumo]]:
    """Two orgs, an app at ./apps/mini and appbuilder.yaml naming both; a fast client (no real waiting)."""
    fast_cli_client(monkeypatch)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURE, tmp_path / "apps" / "mini")
    for name, value in {"STG_ID": "idA", "STG_KEY": "keyA", "SUMOLOGIC_ACCESSID": "idB",
                        "SUMOLOGIC_ACCESSKEY": "keyB", "MINIMAL_TOKEN": "ops_minimal_token_value"}.items():
        monkeypatch.setenv(name, value)
    with FakeSumo(keys={"idA": "keyA"}, rate_limit=None, max_in_flight=None, job_polls=0) as a, \
            FakeSumo(keys={"idB": "keyB"}, rate_limit=None, max_in_flight=None, job_polls=0) as b:
        (tmp_path / "appbuilder.yaml").write_text(two_environments_yaml(a.base_url, b.base_url), encoding="utf-8")
        yield a, b


def test_plan_install_plan_across_two_orgs(orgs: tuple[FakeSumo, FakeSumo]) -> None:
    a, b = orgs
    code, out = cli_run("plan", "apps/mini", "--all-envs", "--exit-code")
    assert code == 2, out
    assert "== staging (" in out and "== prod (" in out  # each org's plan, then the table
    assert out.strip().splitlines()[-1] == "plan: 2 of 2 environments ok"
    before = (len(a.requests), len(b.requests))
    code, out = cli_run("install", "apps/mini", "--all-envs")
    assert code == 1 and "needs --yes; nothing was written" in out
    assert (len(a.requests), len(b.requests)) == before
    code, out = cli_run("install", "apps/mini", "--all-envs", "--yes")
    assert code == 0, out
    code, out = cli_run("plan", "apps/mini", "--all-envs", "--exit-code")
    assert code == 0, out  # both orgs are now up to date
    code, out = cli_run("plan", "apps/mini", "--env", "prod", "--format", "json", "--exit-code")
    assert code == 0, out
    doc = json.loads(out[out.index("{"):])
    assert [e["name"] for e in doc["environments"]] == ["prod"] and doc["changed"] is False
    assert doc["environments"][0]["org"] == b.base_url


def test_environment_errors(orgs: tuple[FakeSumo, FakeSumo], tmp_path: Path) -> None:
    code, out = cli_run("plan", "apps/mini", "--env", "qa")
    assert code == 1 and "no environment named 'qa'" in out and "staging, prod" in out
    (tmp_path / "appbuilder.yaml").write_text("environments:\n  x:\n    deploymnt: us2\n", encoding="utf-8")
    code, out = cli_run("plan", "apps/mini", "--all-envs")
    assert code == 1 and "appbuilder.yaml:3:5" in out
    code, out = cli_run("plan", "apps/mini", "--all-envs", "--environments", "missing.yaml")
    assert code == 1 and "no appbuilder.yaml" in out


def test_plan_needs_no_token_an_environment_maps_but_install_does(orgs: tuple[FakeSumo, FakeSumo],
                                                                     tmp_path: Path) -> None:
    a, b = orgs
    text = two_environments_yaml(a.base_url, b.base_url).replace(
        "    parameters: {source_category: stg/mini}", "    parameters: {source_category: stg/mini}\n"
        "    variables: {MINIMAL_TOKEN: STG_MINIMAL_TOKEN}")
    (tmp_path / "appbuilder.yaml").write_text(text, encoding="utf-8")
    code, out = cli_run("plan", "apps/mini", "--env", "staging")
    assert code == 0 and "set STG_MINIMAL_TOKEN" not in out, out  # a plan writes nothing: no source token needed
    code, out = cli_run("install", "apps/mini", "--env", "staging", "--yes")
    assert code == 1 and "environment 'staging': set STG_MINIMAL_TOKEN" in out, out


def test_saved_plans_are_for_one_org(orgs: tuple[FakeSumo, FakeSumo]) -> None:
    assert cli_run("plan", "apps/mini", "--all-envs", "--out", "p.json")[0] == 1
    assert not Path("p.json").exists()


def test_install_across_orgs_shows_what_each_did_its_backup_and_its_hint(orgs: tuple[FakeSumo, FakeSumo],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli_run("install", "apps/mini", "--all-envs", "--yes")[0] == 0
    dashboard = Path("apps/mini/dashboards/main.yaml")
    dashboard.write_text(dashboard.read_text().replace("title: Events by Category", "title: Events per Category"))
    code, out = cli_run("install", "apps/mini", "--all-envs", "--yes")
    assert code == 0, out
    staging, prod = out.split("== prod (")
    for org, text in (("staging", staging), ("prod", prod)):
        assert "done: updated dashboard 'Minimal - Main'" in text, out
        assert f"backup saved in {Path('.appbuilder', 'backups', org, 'Minimal-')}" in text, out
    monkeypatch.setenv("STG_KEY", "not-the-key")
    code, out = cli_run("plan", "apps/mini", "--all-envs")
    assert code == 1
    assert "error: GET /v2/content/folders/personal failed: HTTP 401" in out
    assert "hint: the access ID/key were rejected" in out  # the table has room for the error alone
