"""Environments (appbuilder.yaml): the loader, and plan / install across two orgs (two fake Sumos) in parallel."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers import two_environments_yaml

from appbuilder.commands.environments import count_actions, run_across
from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.environments import Environment, find_environments_file, load_environments, select
from appbuilder.fakesumo import FakeSumo
from appbuilder.model import Position
from appbuilder.report import render

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"
TOKEN = {"MINIMAL_TOKEN": "ops_minimal_token_value"}


def sources_json(fake: FakeSumo, auth: tuple[str, str]) -> str:
    """Every source of the org, as the API returns them."""
    with requests.Session() as api:
        api.auth = auth
        collectors = api.get(f"{fake.base_url}/v1/collectors", timeout=10).json()["collectors"]
        return json.dumps([api.get(f"{fake.base_url}/v1/collectors/{c['id']}/sources", timeout=10).json()
                           for c in collectors])


def write_envs(root: Path, text: str) -> Path:
    path = root / "appbuilder.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loader_defaults_and_positions(tmp_path: Path) -> None:
    path = write_envs(tmp_path, """environments:
  prod:
    deployment: us2
    folder: /Library/Admin Recommended/Apps
    adminMode: true
    parameters: {source_category: prod/1pw, retries: 3}
  staging:
    baseUrl: https://api.us2.sumologic.com/api
    accessIdEnv: STAGING_ACCESSID
    accessKeyEnv: STAGING_ACCESSKEY
""")
    (tmp_path / "apps" / "x").mkdir(parents=True)
    assert find_environments_file(tmp_path / "apps" / "x") == path
    envs, problems = load_environments(path)
    assert problems == []
    prod, staging = envs
    assert (prod.name, prod.deployment, prod.access_id_env, prod.access_key_env) == (
        "prod", "us2", "SUMOLOGIC_ACCESSID", "SUMOLOGIC_ACCESSKEY")
    assert prod.parameters == {"source_category": "prod/1pw", "retries": "3"} and prod.admin_mode
    assert staging.target == "https://api.us2.sumologic.com/api" and staging.access_key_env == "STAGING_ACCESSKEY"
    assert prod.position == Position(str(path), 2, 3)
    chosen, unknown = select(envs, ("staging", "prod", "staging"), False, Position("f"))
    assert [e.name for e in chosen] == ["staging", "prod"] and unknown == []
    chosen, unknown = select(envs, ("qa",), False, Position("f"))
    assert chosen == [] and "no environment named 'qa'" in unknown[0].message
    assert "prod, staging" in unknown[0].hint
    with pytest.raises(ValueError, match="environment 'staging': set STAGING_ACCESSID and STAGING_ACCESSKEY"):
        staging.credentials({"SUMOLOGIC_ACCESSID": "x"})


def test_loader_reports_schema_problems_at_their_line(tmp_path: Path) -> None:
    path = write_envs(tmp_path, "environments:\n  prod:\n    deployment: us2\n    acessIdEnv: X\n")
    envs, problems = load_environments(path)
    assert envs == [] and problems[0].position.line == 4 and problems[0].code == "schema"
    both = write_envs(tmp_path, "environments:\n  p:\n    deployment: us2\n    baseUrl: http://x\n")
    assert load_environments(both)[1]


@pytest.fixture
def two_fakes() -> Iterator[tuple[FakeSumo, FakeSumo]]:
    with FakeSumo(keys={"idA": "keyA"}, rate_limit=None, max_in_flight=None, job_polls=0) as a, \
            FakeSumo(keys={"idB": "keyB"}, rate_limit=None, max_in_flight=None, job_polls=0) as b:
        yield a, b


def test_plan_and_install_two_orgs_in_parallel(tmp_path: Path, two_fakes: tuple[FakeSumo, FakeSumo]) -> None:
    a, b = two_fakes
    app = tmp_path / "apps" / "mini"
    shutil.copytree(FIXTURE, app)
    write_envs(tmp_path, two_environments_yaml(a.base_url, b.base_url))
    envs, problems = load_environments(find_environments_file(app))  # type: ignore[arg-type]
    assert not problems
    environ = {"STG_ID": "idA", "STG_KEY": "keyA", "SUMOLOGIC_ACCESSID": "idB",
               "SUMOLOGIC_ACCESSKEY": "keyB", **TOKEN}
    base = DeployOptions(client_options=dict(FAST_CLIENT), env=environ)
    lines: list[str] = []

    def plan(env: Environment, params: dict[str, str], options: DeployOptions, progress):  # type: ignore[no-untyped-def]
        return run_plan(app, params, options, progress=progress)

    def install(env: Environment, params: dict[str, str], options: DeployOptions, progress):  # type: ignore[no-untyped-def]
        return run_install(app, params, options, backup_root=tmp_path / "backups" / env.name, progress=progress)

    planned = run_across("plan", envs, plan, {}, base, environ, lines.append)
    assert planned.ok and planned.changed
    assert [r.environment for r in planned.results] == ["staging", "prod"]
    assert all(r.changes.get("create") for r in planned.results) and all(r.calls > 0 for r in planned.results)
    installed = run_across("install", envs, install, {}, base, environ, lines.append)
    assert installed.ok, [r.error for r in installed.results]
    assert all(line.startswith(("[staging] ", "[prod] ")) for line in lines)
    org_a, org_b = sources_json(a, ("idA", "keyA")), sources_json(b, ("idB", "keyB"))
    assert "stg/mini" in org_a and "prod/mini" not in org_a  # each org got its own parameters
    assert "prod/mini" in org_b and "stg/mini" not in org_b
    again = run_across("plan", envs, plan, {}, base, environ)
    assert again.ok and not again.changed, [r.changes for r in again.results]
    table = render(again, "text").splitlines()
    assert table[0].split() == ["environment", "org", "result", "changes", "API", "calls", "error"]
    assert table[1].startswith("staging") and a.base_url in table[1] and " ok " in table[1]
    assert table[-1] == "plan: 2 of 2 environments ok"
    doc = json.loads(render(again, "json"))
    assert [e["name"] for e in doc["environments"]] == ["staging", "prod"] and doc["changed"] is False
    assert render(again, "markdown").splitlines()[1] == "| --- | --- | --- | --- | --- | --- |"


def test_one_org_failing_does_not_stop_the_other(tmp_path: Path, two_fakes: tuple[FakeSumo, FakeSumo]) -> None:
    a, b = two_fakes
    app = tmp_path / "mini"
    shutil.copytree(FIXTURE, app)
    envs = [Environment("good", base_url=a.base_url), Environment("nokey", base_url=b.base_url,
                                                                    access_key_env="MISSING_KEY"),
            Environment("wrong", base_url=b.base_url)]
    environ = {"SUMOLOGIC_ACCESSID": "idA", "SUMOLOGIC_ACCESSKEY": "keyA", **TOKEN}
    base = DeployOptions(client_options=dict(FAST_CLIENT), env=environ)
    report = run_across("plan", envs, lambda e, p, o, g: run_plan(app, p, o, progress=g), {}, base, environ)
    good, nokey, wrong = report.results
    assert good.ok and not report.ok
    assert not nokey.ok and "set MISSING_KEY" in nokey.error and nokey.calls == 0
    assert not wrong.ok and wrong.error  # keyA is not a key of org B
    assert "keyA" not in render(report, "json")  # no secret in the report


def test_count_actions_reads_any_plan_shape() -> None:
    report = {"plan": {"resources": [{"kind": "folder", "action": "create"}, {"kind": "dashboard",
                                                                              "action": "create"},
                                     {"kind": "source", "action": "unchanged", "changes": [{"field": "x"}]}]}}
    assert count_actions(report) == {"create": 2, "unchanged": 1}


def test_an_org_reads_its_own_token_through_variables(tmp_path: Path, two_fakes: tuple[FakeSumo, FakeSumo]) -> None:
    a, b = two_fakes
    app = tmp_path / "mini"
    shutil.copytree(FIXTURE, app)
    path = write_envs(tmp_path, f"""environments:
  mapped:
    baseUrl: {a.base_url}
    variables: {{MINIMAL_TOKEN: ORG_A_TOKEN}}
  unmapped:
    baseUrl: {b.base_url}
    accessIdEnv: B_ID
    accessKeyEnv: B_KEY
  unset:
    baseUrl: {b.base_url}
    variables: {{MINIMAL_TOKEN: NOT_SET}}
""")
    envs, problems = load_environments(path)
    assert not problems and envs[0].variables == {"MINIMAL_TOKEN": "ORG_A_TOKEN"}
    environ = {"SUMOLOGIC_ACCESSID": "idA", "SUMOLOGIC_ACCESSKEY": "keyA", "B_ID": "idB", "B_KEY": "keyB",
               "ORG_A_TOKEN": "ops_org_a_token"}  # no MINIMAL_TOKEN itself
    base = DeployOptions(client_options=dict(FAST_CLIENT), env=environ)

    def install(env: Environment, params: dict[str, str], options: DeployOptions, progress):  # type: ignore[no-untyped-def]
        return run_install(app, params, options, backup_root=tmp_path / "backups" / env.name, progress=progress,
                           approve=lambda plan: True)

    mapped, unmapped, unset = run_across("install", envs, install, {}, base, environ).results
    assert mapped.ok, mapped.error
    assert not unmapped.ok and "MINIMAL_TOKEN" in unmapped.error  # the source's own variable is not set
    assert not unset.ok and unset.error == "environment 'unset': set NOT_SET" and unset.calls == 0
    assert "ops_org_a_token" not in json.dumps([r.report for r in (mapped, unmapped, unset)])
