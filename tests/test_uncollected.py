"""`appbuilder.commands.uncollected`: while `audit_events_api` is empty, plan and install name what stays empty
(measured on the samples) and how to set it."""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import edit, fast_cli_client

from appbuilder.cli import cli
from appbuilder.commands.uncollected import uncollected_notes
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.load.app import load_app
from appbuilder.model import App

APP = Path(__file__).resolve().parent.parent / "app_definitions" / "1password"
AUDIT_MONITORS = ["1Password - Privileged vault and group access control changes",
                  "1Password - Grant User Vault Access", "1Password - Changes to a User's MFA settings",
                  "1Password - Audit Events from Risky Locations", "1Password tenant-level Changes"]


@cache
def app() -> App:
    loaded, problems = load_app(APP)
    assert loaded is not None and not problems
    return loaded


def test_an_empty_audit_events_api_names_what_stays_empty_and_how_to_set_it() -> None:
    [note] = uncollected_notes(app(), {})
    assert note.startswith("audit_events_api is empty, so the events of samples/audit_events.jsonl are not "
                           "collected and these stay empty: ")
    assert "dashboard '1Password - Audit Security' (all 11 panels)" in note
    assert "panel 'Audit Events by Type' of dashboard '1Password - Overview'" in note
    assert "saved search '1Password - Recent Access Activities'" in note
    assert "5 monitors (they never fire): " + ", ".join(f"'{m}'" for m in AUDIT_MONITORS) in note
    assert "Login Exceeds Set Parameters" not in note and "Successful Sign-ins" not in note  # sign-ins still flow
    assert "To collect them, install with --param audit_events_api=VALUE (The Cloud-to-Cloud source's" in note


def test_no_note_once_it_is_set() -> None:
    assert uncollected_notes(app(), {"audit_events_api": "auditEvents"}) == []


def test_no_note_for_a_parameter_that_collects_nothing_the_queries_need(tmp_path: Path) -> None:
    copy = tmp_path / "1password"
    shutil.copytree(APP, copy)
    edit(copy / "app.yaml", "collects: [samples/audit_events.jsonl]", "collects: [samples/none.jsonl]")
    loaded, _ = load_app(copy)
    assert loaded is not None and uncollected_notes(loaded, {}) == []


def test_the_measurement_is_made_once_per_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plan, install, each environment: the same app on the same samples is measured once; a changed sample file,
    lookup table, query or parameter value is measured again."""
    from appbuilder.commands import uncollected

    measured: list[Path] = []
    real = uncollected._measure
    monkeypatch.setattr(uncollected, "_measure",
                        lambda app, values, kept: measured.append(app.root) or real(app, values, kept))
    copy = tmp_path / "1password"
    shutil.copytree(APP, copy)

    def notes(**given: str) -> list[str]:
        loaded, _ = load_app(copy)
        assert loaded is not None
        return uncollected_notes(loaded, given)

    first = notes()
    assert notes() == first and len(measured) == 1
    audit = copy / "samples" / "audit_events.jsonl"
    audit.write_text(audit.read_text(encoding="utf-8").replace('"action":', '"act":'), encoding="utf-8")
    assert notes() != first and len(measured) == 2
    lookup = next((copy / "tests" / "lookups").glob("*.jsonl"))
    lookup.write_text(lookup.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    notes()
    notes(source_category="elsewhere")
    edit(copy / "queries.yaml", "| sort by _messageTime\n", "| sort by _messageTime asc\n")
    notes()
    assert len(measured) == 5


@pytest.fixture()
def fake(monkeypatch: pytest.MonkeyPatch):
    fast_cli_client(monkeypatch)
    with FakeSumo(keys={"uid": "ukey"}, rate_limit=None, job_polls=1) as server:
        yield server


def _cli(fake: FakeSumo, *args: str) -> tuple[int, str]:
    env = {"SUMOLOGIC_ACCESSID": "uid", "SUMOLOGIC_ACCESSKEY": "ukey", "SUMOLOGIC_BASE_URL": fake.base_url,
           "ONEPASSWORD_EVENTS_TOKEN": "dummy-token"}
    result = CliRunner().invoke(cli, list(args), env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_plan_and_install_show_the_note(fake: FakeSumo) -> None:
    code, out = _cli(fake, "plan", str(APP))
    assert code == 0 and "Note: audit_events_api is empty, so the events of samples/audit_events.jsonl" in out
    code, out = _cli(fake, "plan", str(APP), "--format", "json")
    assert code == 0 and any("audit_events_api is empty" in n for n in json.loads(out)["plan"]["notes"])
    code, out = _cli(fake, "install", str(APP), "--dry-run")
    assert code == 0 and "Note: audit_events_api is empty" in out
    code, out = _cli(fake, "plan", str(APP), "--param", "audit_events_api=auditEvents")
    assert code == 0 and "audit_events_api is empty" not in out
