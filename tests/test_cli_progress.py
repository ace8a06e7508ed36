"""Retries, job polls and look-ups of the deploy verbs reach stderr through one path (the client's progress),
exactly once each, and with the environment's name in front when several orgs run at once."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import cli_client_options, two_environments_yaml

from appbuilder.cli import cli
from appbuilder.clock import VirtualClock
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.fakesumo import FakeSumo

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "minimal"
ENV = {"SUMOLOGIC_ACCESSID": "pid", "SUMOLOGIC_ACCESSKEY": "pkey-progress-1234", "MINIMAL_TOKEN": "tok-progress-5678"}
RETRY = "429 from Sumo (GET /v2/content/folders/personal), waiting"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # the client's own waits (a 429's Retry-After, job polls) on a clock of its own: no real waiting
    cli_client_options(monkeypatch, {**FAST_CLIENT, "clock": VirtualClock(epoch=time.time())})
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURE, tmp_path / "mini")
    return tmp_path / "mini"


@pytest.fixture
def fake() -> Iterator[FakeSumo]:
    with FakeSumo(keys={"pid": ENV["SUMOLOGIC_ACCESSKEY"]}, rate_limit=None, max_in_flight=None, job_polls=2) as f:
        yield f


def run(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_retries_and_job_polls_are_printed_once_on_stderr(app: Path, fake: FakeSumo) -> None:
    env = {**ENV, "SUMOLOGIC_BASE_URL": fake.base_url}
    fake.inject("429", 1, path="/v2/content/folders/personal")
    code, out, err = run("install", str(app), "--yes", env=env)
    assert code == 0, err
    lines = err.splitlines()
    assert sum(RETRY in line for line in lines) == 1, err
    polls = [line for line in lines if line.startswith("import job running")]
    assert len(polls) == 2, err  # the fake answers InProgress twice, then Success
    assert RETRY not in out and "job running" not in out


def test_a_lost_create_is_looked_up_and_says_so(app: Path, fake: FakeSumo) -> None:
    env = {**ENV, "SUMOLOGIC_BASE_URL": fake.base_url}
    fake.inject("500", 1, path="/v1/collectors", method="POST")
    code, _, err = run("install", str(app), "--yes", env=env)
    assert code == 0, err
    said = [line for line in err.splitlines() if line.startswith("POST /v1/collectors")]
    assert said == ["POST /v1/collectors: no answer (500); looked it up by name: not there, creating it again "
                    "(attempt 2/3)"], err


def test_each_environment_reports_its_own_retries_with_its_name(app: Path, tmp_path: Path) -> None:
    with FakeSumo(keys={"idA": "keyA-progress"}, rate_limit=None, max_in_flight=None, job_polls=1) as a, \
            FakeSumo(keys={"idB": "keyB-progress"}, rate_limit=None, max_in_flight=None, job_polls=1) as b:
        (tmp_path / "appbuilder.yaml").write_text(two_environments_yaml(a.base_url, b.base_url), encoding="utf-8")
        env = {"STG_ID": "idA", "STG_KEY": "keyA-progress", "SUMOLOGIC_ACCESSID": "idB",
               "SUMOLOGIC_ACCESSKEY": "keyB-progress", "MINIMAL_TOKEN": "tok-progress-5678"}
        a.inject("429", 1, path="/v2/content/folders/personal")
        code, _, err = run("install", str(app), "--all-envs", "--yes", env=env)
    assert code == 0, err
    lines = err.splitlines()
    retries = [line for line in lines if RETRY in line]
    assert len(retries) == 1 and retries[0].startswith(f"[staging] {RETRY}"), err
    polls = [line for line in lines if "job running" in line]
    assert sorted(line.split("]")[0] for line in polls) == ["[prod", "[staging"], err


def test_ctrl_c_mid_install_reports_what_was_done_and_a_rerun_finishes(app: Path, fake: FakeSumo,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from appbuilder.cli import deploy

    env = {**ENV, "SUMOLOGIC_BASE_URL": fake.base_url}
    real = deploy.progress

    def interrupt(message: str) -> None:  # Ctrl-C while the app folder's import job runs
        real(message)
        if message.startswith("import job running"):
            raise KeyboardInterrupt

    monkeypatch.setattr(deploy, "progress", interrupt)
    code, out, err = run("install", str(app), "--yes", env=env)
    assert code == 130, (out, err)
    assert "done: created collector 'Minimal Collector'" in out and "done: created source" in out
    assert not [line for line in out.splitlines() if line.startswith("installed")]
    assert "error: interrupted (Ctrl-C)" in err and "hint: run `appbuilder plan`" in err
    monkeypatch.setattr(deploy, "progress", real)
    code, out, err = run("install", str(app), "--yes", env=env)
    assert code == 0, err
    # the interrupted run's import job went on in Sumo (jobs run on their own), so the rerun finds the content it
    # wrote and only records the install: nothing is created twice
    assert "done: created collector" not in out and out.splitlines()[-1] == "installed: 1 recorded, 4 unchanged"
    assert run("plan", str(app), "--exit-code", env=env)[0] == 0
