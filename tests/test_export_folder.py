"""`export --folder` against the fake Sumo: a folder made the way a person makes one (created in the Library,
filled through the fake's UI-edit control endpoint) is exported through the content export job."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from helpers import FAKE_AUTH
from test_export import rich_dashboard, saved_search

from appbuilder.build import build_app
from appbuilder.cli import cli
from appbuilder.commands.export import Connection, run_export_folder
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.export.residual import differences
from appbuilder.fakesumo import FakeSumo
from appbuilder.validate import validate_app

FAST = {**FAST_CLIENT, "max_attempts": 3}
FOLDER = "/Library/Users/dev@example.com/Team Web"


def connection(fake: FakeSumo) -> Connection:
    return Connection(access_id=FAKE_AUTH[0], access_key=FAKE_AUTH[1], base_url=fake.base_url,
                      client_options=dict(FAST), env={})


def make_folder_in_the_ui(fake: FakeSumo, api: requests.Session) -> dict[str, Any]:
    """Create ``Team Web`` in the personal folder and fill it through ``POST /__fake/ui_edit``; returns it as the
    fake holds it (``GET /__fake/state``)."""
    personal = api.get(f"{fake.base_url}/v2/content/folders/personal").json()
    created = api.post(f"{fake.base_url}/v2/content/folders",
                       json={"name": "Team Web", "description": "made in the UI", "parentId": personal["id"]})
    assert created.status_code == 200, created.text
    sub = {"type": "FolderSyncDefinition", "name": "Alerts", "description": "",
           "children": [saved_search("5xx burst", "_sourceCategory=web status=5*\n| count")]}
    children = [rich_dashboard(), sub, saved_search("All web", "_sourceCategory=web")]
    edit = requests.post(f"{fake.url}/__fake/ui_edit", json={"path": FOLDER, "set": {"children": children}},
                         timeout=5)
    assert edit.status_code == 200, edit.text
    state = requests.get(f"{fake.url}/__fake/state", timeout=5).json()
    return next(c for c in state["personal"]["children"] if c["name"] == "Team Web")


def test_export_folder_by_path_and_by_id(fake: FakeSumo, api: requests.Session, tmp_path: Path) -> None:
    installed = make_folder_in_the_ui(fake, api)
    outcome = run_export_folder(FOLDER, tmp_path / "web", {"source_category": "web"}, connection(fake))
    assert outcome.ok, (outcome.error, outcome.hint)
    assert outcome.result is not None and outcome.result.dashboards == 1 and outcome.result.saved_searches == 2
    assert outcome.calls["calls"] >= 4  # path lookup, export job, its status and result
    assert not [r for r in fake.requests if r.method in ("PUT", "DELETE") or "/import" in r.path]
    validation = validate_app(tmp_path / "web")
    assert validation.ok, [str(d) for d in validation.errors]
    assert validation.app is not None
    assert differences(installed, build_app(validation.app).content) == []
    texts = (tmp_path / "web" / "dashboards" / "web_traffic.yaml").read_text(encoding="utf-8")
    assert "_sourceCategory=${source_category}" in texts

    content_id = api.get(f"{fake.base_url}/v2/content/path", params={"path": FOLDER}).json()["id"]
    again = run_export_folder(content_id, tmp_path / "by_id", {}, connection(fake))
    assert again.ok, again.error
    assert (tmp_path / "by_id" / "queries.yaml").read_bytes() != b""


def test_export_folder_errors_are_clear(fake: FakeSumo, tmp_path: Path) -> None:
    missing = run_export_folder("/Library/Users/dev@example.com/Nope", tmp_path / "a", {}, connection(fake))
    assert not missing.ok and missing.error == "nothing at /Library/Users/dev@example.com/Nope in the Sumo Library"
    no_id = run_export_folder("00000000DEADBEEF", tmp_path / "b", {}, connection(fake))
    assert not no_id.ok and "no content with id 00000000DEADBEEF" in (no_id.error or "")
    wrong = Connection(access_id=FAKE_AUTH[0], access_key="not-the-key", base_url=fake.base_url,
                       client_options=dict(FAST), env={})
    denied = run_export_folder(FOLDER, tmp_path / "c", {}, wrong)
    assert not denied.ok and "not-the-key" not in f"{denied.error} {denied.hint}"
    nobody = run_export_folder(FOLDER, tmp_path / "d", {}, Connection(base_url=fake.base_url, env={}))
    assert not nobody.ok and "SUMOLOGIC_ACCESSID" in f"{nobody.error} {nobody.hint}"
    assert not [p for p in tmp_path.iterdir()]  # nothing written when nothing was read


def test_cli_export_folder(fake: FakeSumo, api: requests.Session, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import fast_cli_client

    fast_cli_client(monkeypatch)
    make_folder_in_the_ui(fake, api)
    env = {"SUMOLOGIC_ACCESSID": FAKE_AUTH[0], "SUMOLOGIC_ACCESSKEY": FAKE_AUTH[1],
           "SUMOLOGIC_BASE_URL": fake.base_url}
    result = CliRunner().invoke(cli, ["export", "--folder", FOLDER, "-o", str(tmp_path / "out")], env=env)
    assert result.exit_code == 0, result.output
    assert "exported 1 dashboard and 2 saved searches" in result.output
    assert (tmp_path / "out" / "app.yaml").is_file()


def test_plan_after_export_shows_no_change(fake: FakeSumo, api: requests.Session, tmp_path: Path) -> None:
    """Adopting in three commands: export, validate, plan — every item a no-op, no field changes anywhere
    (the folder only needs appbuilder's marker recorded in its description)."""
    from appbuilder.commands.plan import run_plan
    from appbuilder.deploy.session import DeployOptions

    make_folder_in_the_ui(fake, api)
    assert run_export_folder(FOLDER, tmp_path / "web", {"source_category": "web"}, connection(fake)).ok
    assert validate_app(tmp_path / "web").ok
    options = DeployOptions(access_id=FAKE_AUTH[0], access_key=FAKE_AUTH[1], base_url=fake.base_url,
                            folder="/Library/Users/dev@example.com", client_options=dict(FAST), env={})
    outcome = run_plan(tmp_path / "web", {}, options)
    assert outcome.ok and outcome.plan is not None, outcome.error
    resources = outcome.plan.to_dict()["resources"]
    assert [r["changes"] for r in resources] == [[]] * len(resources)
    assert [(r["kind"], r["name"], r["action"]) for r in resources] == [
        ("folder", "Team Web", "record"), ("sub-folder", "Alerts", "no-op"), ("dashboard", "Web - Traffic", "no-op"),
        ("saved search", "Alerts/5xx burst", "no-op"), ("saved search", "All web", "no-op")]  # nested too
