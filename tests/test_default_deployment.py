"""With no deployment or base URL given anywhere, us1 is used (as Sumo's Terraform provider does), and one line
on stderr says so and how to choose another; any choice silences it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import fast_cli_client

from appbuilder.deploy.session import DeployOptions, open_remote
from appbuilder.sumo.endpoints import DEPLOYMENTS, resolve_credentials


def notes(**given: Any) -> list[str]:
    env = given.pop("env", {})
    told: list[str] = []
    remote = open_remote(DeployOptions(access_id="id", access_key="secretkey", env=env, **given), told.append)
    remote.client.close()
    return told


def test_the_default_deployment_is_announced_once() -> None:
    (line,) = notes()
    assert "us1" in line and DEPLOYMENTS["us1"] in line
    assert "SUMOLOGIC_ENVIRONMENT" in line and "SUMOLOGIC_BASE_URL" in line and "--deployment" in line
    assert "\n" not in line and "secretkey" not in line


@pytest.mark.parametrize("given", [
    {"env": {"SUMOLOGIC_ENVIRONMENT": "us1"}},
    {"env": {"SUMOLOGIC_BASE_URL": "https://api.eu.sumologic.com/api"}},
    {"deployment": "us2"},
    {"base_url": "http://127.0.0.1:9/api"},
])
def test_any_choice_silences_the_note(given: dict[str, Any]) -> None:
    assert notes(**given) == []


def test_credentials_say_whether_the_default_was_taken() -> None:
    assert resolve_credentials("id", "key", env={}).defaulted
    assert not resolve_credentials("id", "key", "us1", env={}).defaulted
    assert resolve_credentials("id", "key", env={}).base_url == DEPLOYMENTS["us1"]


def test_the_cli_prints_the_note_on_stderr_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from appbuilder.cli import cli
    from appbuilder.fakesumo import FakeSumo

    fast_cli_client(monkeypatch)
    app = tmp_path / "mini"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "minimal", app)
    with FakeSumo(keys={"pid": "pkey"}, rate_limit=None, max_in_flight=None, job_polls=0) as fake:
        monkeypatch.setitem(DEPLOYMENTS, "us1", fake.base_url)  # the default deployment, served by the fake
        env = {"SUMOLOGIC_ACCESSID": "pid", "SUMOLOGIC_ACCESSKEY": "pkey", "SUMOLOGIC_ENVIRONMENT": None,
               "SUMOLOGIC_BASE_URL": None}
        result = CliRunner().invoke(cli, ["plan", str(app), "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plan"]["changed"] is True
    (note,) = [line for line in result.stderr.splitlines() if line.startswith("note: using")]
    assert "us1" in note and "SUMOLOGIC_ENVIRONMENT" in note
