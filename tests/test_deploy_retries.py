"""Retries that cannot duplicate or abort wrongly, end to end through `appbuilder install --yes`: a write whose
reply is lost (the fake's ``lost_reply`` fault: carried out, then the connection dropped) reaches Sumo exactly
once, and a streak of 429s mid-apply is waited out. The client and the fake share a virtual clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import cli_client_options
from test_monitors_deploy import MONITOR, app_with_monitors

from appbuilder.cli import cli
from appbuilder.clock import VirtualClock
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.fakesumo import state
from appbuilder.fakesumo.server import FakeSumo

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
ENV = {"SUMOLOGIC_ACCESSID": "id", "SUMOLOGIC_ACCESSKEY": "key-retries-1234", "MINIMAL_TOKEN": "tok-retries-5678"}


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSumo]:
    """A fake on a virtual clock, and the CLI's client on the same clock (Retry-After waits cost nothing)."""
    clock = VirtualClock()
    cli_client_options(monkeypatch, {**FAST_CLIENT, "clock": clock})
    with FakeSumo(keys={"id": ENV["SUMOLOGIC_ACCESSKEY"]}, rate_limit=None, max_in_flight=None, job_polls=2,
                  clock=clock) as server:
        yield server


def install(app: Path, fake: FakeSumo) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["install", str(app), "--yes", "--backup-dir", str(app.parent / "backups")],
                                env={**ENV, "SUMOLOGIC_BASE_URL": fake.base_url})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def calls(fake: FakeSumo, method: str, ending: str) -> list[int]:
    """The statuses of the calls of ``method`` whose path ends with ``ending`` (0: the reply was lost)."""
    return [r.status for r in fake.requests if r.method == method and r.path.endswith(ending)]


def test_a_lost_reply_on_the_content_import_is_looked_up_not_sent_again(fake: FakeSumo, tmp_path: Path) -> None:
    app = tmp_path / "minimal"
    shutil.copytree(FIXTURE, app)
    fake.inject("lost_reply", path="/import", method="POST")
    code, out = install(app, fake)
    assert code == 0, out
    assert calls(fake, "POST", "/import") == [0]  # exactly one import reached the fake
    assert "the import had landed" in out
    folder = fake.state.find_by_path(f"/Library/Users/{fake.user_email}/Minimal mini")
    assert folder is not None and len(folder.children) == 2
    code, out = install(app, fake)
    assert code == 0 and "nothing to do: already installed" in out


@pytest.fixture(params=["random ids", "ids holding 409"])
def fake_ids(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fake's random hex ids, or ids that all hold "409": an id (or a path, a timestamp) printed in the
    output must not pass for a conflict."""
    if request.param == "ids holding 409":
        serial = iter(range(1, 1 << 16))
        monkeypatch.setattr(state, "hex_id", lambda: f"409{next(serial):013X}")
    return str(request.param)


def test_a_lost_reply_on_a_monitor_update_is_read_back_not_sent_again(fake: FakeSumo, tmp_path: Path,
                                                                      fake_ids: str) -> None:
    app = app_with_monitors(tmp_path, {"failed": MONITOR})
    assert install(app, fake)[0] == 0
    monitor = (app / "monitors" / "failed.yaml")
    monitor.write_text(MONITOR.replace("threshold: 0", "threshold: 5"))
    node = fake.state.monitors.find_by_path("/Monitors/Minimal mini/Minimal - Failed sign-ins")
    assert node is not None
    version = node.version
    fake.inject("lost_reply", path=f"/v1/monitors/{node.id}", method="PUT")
    code, out = install(app, fake)
    assert code == 0, out
    assert calls(fake, "PUT", f"/v1/monitors/{node.id}") == [0]  # one update; not replayed with a stale version
    assert "the update had landed" in out
    assert node.version == version + 1  # written once: no conflict on a stale version, asked or shown
    assert 409 not in [r.status for r in fake.requests] and "HTTP 409" not in out
    code, out = install(app, fake)
    assert code == 0 and "nothing to do: already installed" in out


def test_a_streak_of_six_429s_mid_apply_is_waited_out(fake: FakeSumo, tmp_path: Path) -> None:
    app = tmp_path / "minimal"
    shutil.copytree(FIXTURE, app)
    assert install(app, fake)[0] == 0
    board = app / "dashboards" / "main.yaml"
    board.write_text(board.read_text().replace("title: Events by Category", "title: Events per category"))
    fake.inject("429", count=6, path="/v2/dashboards/", method="PUT")  # more than the client's 4 attempts
    code, out = install(app, fake)
    assert code == 0, out
    assert calls(fake, "PUT", "").count(429) == 6
    assert out.count("429 from Sumo (PUT /v2/dashboards/") == 6 and "(throttled 6 s of at most 120 s)" in out
    assert "updated dashboard 'Minimal - Main'" in out
