"""End to end through the CLI against the fake Sumo (async jobs): install → no changes → YAML edit → exactly that
panel → install → UI edit (drift) → refused → --force with a backup → restore brings the UI edit back →
uninstall with a backup. Plus: secrets never show anywhere; nothing is written without a terminal or --yes.

These run with a fast client and no rate limit in the fake; one test runs at Sumo's real 4 requests/s (on a
virtual clock)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import cli_client_options, fast_cli_client

from appbuilder.cli import cli
from appbuilder.clock import VirtualClock
from appbuilder.deploy.testing import count_calls, peak_rate, without_lock
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.fakesumo.traffic import RateLimiter

APP = Path(__file__).parent.parent / "app_definitions" / "1password"
TOKEN = "ops_E2E_TOKEN_7c1d9a2f4b"
ACCESS_KEY = "SUMOKEY_e2e_5a4b3c2d1e0f"
OVERVIEW = "1Password - Overview"


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch):
    """A fake without a rate limit, and a CLI whose client does not wait between retries and polls."""
    fast_cli_client(monkeypatch)
    with FakeSumo(keys={"e2eid": ACCESS_KEY}, user_email="e2e@example.com", rate_limit=None,
                  job_polls=1) as server:
        yield server


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "1password"
    shutil.copytree(APP, target)
    return target


class Cli:
    def __init__(self, fake: FakeSumo, tmp_path: Path):
        self.env = {"SUMOLOGIC_ACCESSID": "e2eid", "SUMOLOGIC_ACCESSKEY": ACCESS_KEY,
                    "SUMOLOGIC_BASE_URL": fake.base_url, "ONEPASSWORD_EVENTS_TOKEN": TOKEN}
        self.backups = tmp_path / "backups"
        self.outputs: list[str] = []

    def __call__(self, *args: str, code: int = 0, env: dict[str, str] | None = None, input: str | None = None):
        result = CliRunner().invoke(cli, list(args), env={**self.env, **(env or {})}, input=input)
        text = result.output + (getattr(result, "stderr", "") if not _mixed(result) else "")
        self.outputs.append(text)
        assert result.exception is None or isinstance(result.exception, SystemExit), text
        assert result.exit_code == code, text
        return text


def _mixed(result: object) -> bool:
    try:
        return not getattr(result, "stderr_bytes", None) or result.stderr in result.output  # type: ignore[attr-defined]
    except ValueError:
        return True


def _panel_titles(fake: FakeSumo, name: str) -> list[str]:
    item = fake.state.find_by_path(f"/Library/Users/{fake.user_email}/1Password/{name}")
    assert item is not None and item.definition is not None
    return [p["title"] for p in item.definition["panels"]]


@pytest.mark.slow
def test_full_lifecycle(fake: FakeSumo, app: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    run = Cli(fake, tmp_path)
    backups = ["--backup-dir", str(run.backups), "--yes"]
    out = run("install", str(app), *backups)
    assert "created collector" in out and "installed" in out
    run("plan", str(app), "--exit-code")
    assert "No changes." in run.outputs[-1]

    overview = app / "dashboards" / "overview.yaml"
    text = overview.read_text()
    first_title = next(line.split("title:", 1)[1].strip() for line in text.splitlines()
                       if line.strip().startswith("title:") and line.startswith("  "))
    overview.write_text(text.replace(f"title: {first_title}", "title: Renamed panel", 1))
    out = run("plan", str(app), "--exit-code", "--format", "json", code=2)
    plan = json.loads(out[out.index("{"):])["plan"]
    changed = [r for r in plan["resources"] if r["action"] != "no-op"]
    assert [(r["kind"], r["action"]) for r in changed] == [("folder", "record"), ("dashboard", "update")]
    assert changed[1]["name"] == OVERVIEW
    assert [c["path"] for c in changed[1]["changes"]] == ['panels["Renamed panel"].title']
    out = run("install", str(app), *backups)
    assert "backup saved in" in out and "Renamed panel" in _panel_titles(fake, OVERVIEW)

    def ui_edit(defn: dict) -> None:
        defn["panels"][0]["title"] = "Changed in the UI"

    fake.ui_edit(f"/Library/Users/{fake.user_email}/1Password/{OVERVIEW}", ui_edit)
    out = run("plan", str(app), "--exit-code", code=2)
    assert "drifted" in out and '"Changed in the UI" → "Renamed panel"' in out
    out = run("install", str(app), *backups, code=1)
    assert "changed in Sumo since the last install" in out and "--force" in out
    assert "Changed in the UI" in _panel_titles(fake, OVERVIEW)
    out = run("install", str(app), "--force", *backups)
    backup_dir = Path(out.split("backup saved in ", 1)[1].split()[0])
    assert "Changed in the UI" in (backup_dir / "content.json").read_text()
    assert "Changed in the UI" not in _panel_titles(fake, OVERVIEW)

    out = run("restore", str(backup_dir), "--backup-dir", str(run.backups), "--yes")
    assert "restored" in out and "Changed in the UI" in _panel_titles(fake, OVERVIEW)

    monkeypatch.setattr("appbuilder.cli.deploy.is_terminal", lambda: True)
    out = run("uninstall", str(app), "--with-source", "--backup-dir", str(run.backups), input="n\n", code=1)
    assert "aborted" in out and fake.state.find_by_path(f"/Library/Users/{fake.user_email}/1Password")
    assert "Uninstall plan" in out and "REMOVED" in out
    monkeypatch.setattr("appbuilder.cli.deploy.is_terminal", lambda: False)
    out = run("uninstall", str(app), "--with-source", "--yes", *backups)
    assert "removed folder" in out and "removed source" in out and "removed collector" in out
    assert fake.state.find_by_path(f"/Library/Users/{fake.user_email}/1Password") is None
    assert not fake.state.collectors and not fake.state.sources
    last = Path(out.split("backup saved in ", 1)[1].split()[0])
    # items.json: the app's monitors, removed with it
    assert {p.name for p in last.iterdir()} == {"backup.json", "content.json", "source.json", "collector.json",
                                                "items.json"}
    assert fake.state.monitors.find_by_path("/Monitors/1Password") is None
    out = run("uninstall", str(app), "--yes", *backups)
    assert "nothing to uninstall" in out and "No changes: nothing of the app is there." in out

    # no secret anywhere: outputs, logs, backups, built files
    out = run("--debug", "build", str(app), "-o", str(tmp_path / "dist"))
    out = run("--debug", "install", str(app), *backups)
    out = run("--debug", "uninstall", str(app), "--with-source", "--yes", *backups)
    run("--debug", "restore", out.split("backup saved in ", 1)[1].split()[0], "--backup-dir", str(run.backups),
        "--yes")
    files = [p for p in [*run.backups.rglob("*"), *(tmp_path / "dist").rglob("*")] if p.is_file()]
    texts = run.outputs + [r.getMessage() for r in caplog.records] + [p.read_text() for p in files]
    for secret in (TOKEN, ACCESS_KEY):
        assert not [t for t in texts if secret in t], secret
    assert any("body:" in r.getMessage() for r in caplog.records)  # the debug log did show request bodies
    assert fake.state.sources and next(iter(fake.state.sources.values())).data["config"]["api_token"] == TOKEN


def test_cli_errors_are_clear(fake: FakeSumo, app: Path, tmp_path: Path) -> None:
    run = Cli(fake, tmp_path)
    out = run("install", str(app), env={"ONEPASSWORD_EVENTS_TOKEN": ""}, code=1)
    assert "ONEPASSWORD_EVENTS_TOKEN" in out and "Traceback" not in out
    assert not [r for r in fake.requests if r.method != "GET"]
    out = run("plan", str(app), "--exit-code", env={"SUMOLOGIC_ACCESSKEY": "wrong"}, code=1)
    assert "401" in out and "hint:" in out
    out = run("plan", str(app), env={"SUMOLOGIC_ACCESSID": ""}, code=1)
    assert "SUMOLOGIC_ACCESSID" in out
    out = run("install", str(app), "--dry-run", "--yes")
    assert "create" in out and not fake.state.collectors
    assert out.splitlines()[-1] == "dry run: nothing was written"
    out = run("restore", str(tmp_path), code=1)
    assert "not an appbuilder backup" in out


def test_nothing_is_written_without_a_terminal_or_yes(fake: FakeSumo, app: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    run = Cli(fake, tmp_path)
    out = run("install", str(app), code=1)
    assert "Plan for 1Password" in out and "no terminal" in out and "--yes" in out
    assert count_calls(fake.requests)["writes"] == 0
    monkeypatch.setattr("appbuilder.cli.deploy.is_terminal", lambda: True)
    out = run("install", str(app), input="n\n", code=1)
    assert "Apply these changes?" in out and "aborted" in out and count_calls(fake.requests)["writes"] == 0
    out = run("install", str(app), input="y\n")
    assert "installed" in out and fake.state.collectors
    monkeypatch.setattr("appbuilder.cli.deploy.is_terminal", lambda: False)
    fake.reset_log()
    out = run("uninstall", str(app), "--with-source", code=1)
    assert "no terminal" in out and count_calls(fake.requests)["writes"] == 0


def test_one_panel_change_at_the_real_rate_limit(fake: FakeSumo, app: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The one end-to-end run at Sumo's real 4 requests/s and the client's default settings, on a virtual clock
    that the CLI's client and the fake share (the waits take no real time, and arrivals are exactly when sent)."""
    run = Cli(fake, tmp_path)
    run("install", str(app), "--yes", "--backup-dir", str(run.backups))
    monkeypatch.undo()  # the CLI's real client settings from here on, on the shared clock
    clock = VirtualClock()
    cli_client_options(monkeypatch, {"clock": clock})
    fake.clock, fake.rate_limit = clock, 4.0
    fake.limiter = RateLimiter(clock)  # a fresh window: the fast install above does not count
    overview = app / "dashboards" / "overview.yaml"
    overview.write_text(overview.read_text().replace("title: Sign In Events by Category\n",
                                                     "title: Sign-in events per category\n", 1))
    fake.reset_log()
    out = run("install", str(app), "--yes", "--backup-dir", str(run.backups))
    assert "updated dashboard '1Password - Overview'" in out and "same ids" in out
    counted = count_calls(without_lock(fake.requests))
    assert counted["writes"] <= 2 and peak_rate(fake.requests) == 4
    assert [r for r in fake.requests if r.status == 429] == []  # the client paced itself: never refused
    assert clock.slept >= (len(fake.requests) - 4) / 4  # what real time would have taken
