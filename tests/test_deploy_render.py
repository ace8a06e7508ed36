"""How deploy commands show plans and results: unchanged items folded into a count unless -v, colour on a
terminal only (NO_COLOR and --no-color respected), a summary line with counts at the end, an uninstall plan
that says what stays, and JSON that counts as writes only the calls that change the org."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FAKE_AUTH, fast_cli_client

from appbuilder.cli import cli, common
from appbuilder.fakesumo import FakeSumo

ANSI = "\x1b["


@pytest.fixture
def org(fake: FakeSumo, monkeypatch: pytest.MonkeyPatch) -> FakeSumo:
    for name, value in (("SUMOLOGIC_ACCESSID", FAKE_AUTH[0]), ("SUMOLOGIC_ACCESSKEY", FAKE_AUTH[1]),
                        ("SUMOLOGIC_BASE_URL", fake.base_url), ("MINIMAL_TOKEN", "t0ken-for-tests")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NO_COLOR", raising=False)
    fast_cli_client(monkeypatch)
    return fake


def run(*args: str, terminal: bool = False, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str]:
    if monkeypatch is not None:
        monkeypatch.setattr(common, "stdout_is_terminal", lambda: terminal)
    result = CliRunner().invoke(cli, list(args), color=True)  # color=True: click keeps what we print as it is
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def test_unchanged_items_are_folded_unless_verbose(app_dir: Path, org: FakeSumo) -> None:
    assert run("install", str(app_dir), "--yes")[0] == 0
    code, out = run("plan", str(app_dir))
    assert code == 0
    # only the source stays listed: it shows what Sumo holds (its supported_apis)
    assert [line.split(":")[0].split()[-2:] for line in out.splitlines() if line.endswith(": no-op")] == [
        ["Minimal", "Source"]]
    assert "= 4 unchanged items (-v lists them)" in out and "No changes. (5 no-op)" in out
    code, verbose = run("plan", str(app_dir), "-v")
    assert verbose.count(": no-op") == 5 and "(-v lists them)" not in verbose


def test_colour_only_on_a_terminal_and_never_with_no_color(app_dir: Path, org: FakeSumo,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    code, coloured = run("plan", str(app_dir), terminal=True, monkeypatch=monkeypatch)
    assert code == 0 and ANSI in coloured and "create" in coloured
    assert ANSI not in run("plan", str(app_dir), terminal=False, monkeypatch=monkeypatch)[1]
    assert ANSI not in run("plan", str(app_dir), "--no-color", terminal=True, monkeypatch=monkeypatch)[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in run("plan", str(app_dir), terminal=True, monkeypatch=monkeypatch)[1]


def test_deploy_commands_end_with_counts(app_dir: Path, org: FakeSumo, tmp_path: Path) -> None:
    code, out = run("install", str(app_dir), "--yes", "--backup-dir", str(tmp_path / "b"))
    assert code == 0 and out.splitlines()[-1].startswith("installed: ") and " created" in out.splitlines()[-1]
    code, out = run("uninstall", str(app_dir), "--yes", "--backup-dir", str(tmp_path / "b"))
    assert code == 0, out
    last = out.splitlines()[-1]
    assert last.startswith("uninstalled: ") and " deleted" in last, out


def test_the_uninstall_plan_says_what_stays_and_how_to_remove_it(app_dir: Path, org: FakeSumo,
                                                                 tmp_path: Path) -> None:
    assert run("install", str(app_dir), "--yes")[0] == 0
    code, out = run("uninstall", str(app_dir), "--yes", "--backup-dir", str(tmp_path / "b"))
    assert code == 0
    note = next(line for line in out.splitlines() if line.startswith("Note: this uninstall leaves"))
    assert "the collector 'Minimal Collector' and its source 'Minimal Source'" in note
    assert "keeps collecting" in note and "--with-source" in note
    assert [c.data["name"] for c in org.state.collectors.values()] == ["Minimal Collector"]  # it did stay
    code, out = run("uninstall", str(app_dir), "--yes", "--with-source", "--backup-dir", str(tmp_path / "b"))
    assert "this uninstall leaves" not in out


def test_plan_json_counts_only_requests_that_change_the_org(app_dir: Path, org: FakeSumo) -> None:
    assert run("install", str(app_dir), "--yes")[0] == 0
    org.reset_log()
    code, out = run("plan", str(app_dir), "--verify", "--format", "json")
    assert code == 0
    assert any(r.method == "POST" and r.path.endswith("/export") for r in org.requests)  # the export job ran
    calls = json.loads(out)["calls"]
    assert calls["writes"] == 0 and calls["reads"] == calls["calls"] == len(org.requests)
