"""Export is the inverse of install, against the fake Sumo: the 1Password app installed by appbuilder comes back
whole (dashboards, saved searches, monitors, source), with its names, version and description, without any
install marker; a plan of the export changes nothing and diff finds no change."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import FAKE_AUTH

from appbuilder.commands.diff import run_diff
from appbuilder.commands.export import Connection, run_export_folder
from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT, count_calls
from appbuilder.export.whole import PartsWanted
from appbuilder.fakesumo import FakeSumo
from appbuilder.validate import validate_app

APP = Path(__file__).resolve().parent.parent / "app_definitions" / "1password"
FOLDER = "/Library/Users/dev@example.com/1Password"
TOKEN = "ops_whole_export_token_9f8e7d"
ENV = {"ONEPASSWORD_EVENTS_TOKEN": TOKEN}
RECIPIENTS, CONNECTION = "soc@example.com, oncall@example.com", "00000000000A1B2C"


def options(fake: FakeSumo) -> DeployOptions:
    return DeployOptions(access_id=FAKE_AUTH[0], access_key=FAKE_AUTH[1], base_url=fake.base_url,
                         client_options=dict(FAST_CLIENT), env=ENV)


def connection(fake: FakeSumo) -> Connection:
    return Connection(access_id=FAKE_AUTH[0], access_key=FAKE_AUTH[1], base_url=fake.base_url,
                      client_options=dict(FAST_CLIENT), env={})


def install(fake: FakeSumo, tmp_path: Path, parameters: dict[str, str] | None = None) -> None:
    outcome = run_install(APP, parameters or {}, options(fake), backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint)


def plan_actions(fake: FakeSumo, path: Path, parameters: dict[str, str] | None = None) -> list[dict[str, Any]]:
    outcome = run_plan(path, parameters or {}, options(fake))
    assert outcome.ok and outcome.plan is not None, (outcome.error, [str(d) for d in outcome.diagnostics][:5])
    return list(outcome.plan.to_dict()["resources"])


def texts(directory: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(directory.rglob("*.yaml")))


def test_an_installed_app_exports_whole_and_plans_and_diffs_as_unchanged(fake: FakeSumo, tmp_path: Path) -> None:
    install(fake, tmp_path)
    out = tmp_path / "exported"
    outcome = run_export_folder(FOLDER, out, {}, connection(fake))
    assert outcome.ok, (outcome.error, outcome.hint, [str(d) for d in outcome.diagnostics][:5])
    result = outcome.result
    assert result is not None and (result.dashboards, result.saved_searches, result.monitors) == (6, 4, 6)
    assert result.source and result.left_out == []
    # the names the definition used: dashboard files and monitor files as in app_definitions/1password
    assert sorted(p.name for p in (out / "dashboards").iterdir()) == sorted(p.name for p in
                                                                            (APP / "dashboards").iterdir())
    assert sorted(p.name for p in (out / "monitors").iterdir()) == sorted(p.name for p in (APP / "monitors").iterdir())
    assert validate_app(out).ok
    resources = plan_actions(fake, out)
    assert {r["action"] for r in resources} == {"no-op"}, [(r["kind"], r["name"], r["action"]) for r in resources]
    assert {r["kind"] for r in resources} >= {"collector", "source", "folder", "dashboard", "saved search",
                                              "monitor folder", "monitor"}
    diff = run_diff(APP, out)
    assert diff.diff is not None and diff.diff.equal, [c.label for c in diff.diff.changes] if diff.diff else diff
    assert diff.diff.basis.startswith("compared as installed")


def test_the_export_holds_no_bookkeeping_and_its_schemas_resolve(fake: FakeSumo, tmp_path: Path) -> None:
    install(fake, tmp_path)
    out = tmp_path / "exported"
    assert run_export_folder(FOLDER, out, {}, connection(fake)).ok
    app_yaml = (out / "app.yaml").read_text(encoding="utf-8")
    version = next(line for line in (APP / "app.yaml").read_text().splitlines() if line.startswith("version:"))
    assert f"\n{version}\n" in app_yaml and "\nname: 1Password\n" in app_yaml
    assert "six monitors." in app_yaml  # the full description (the folder's is shortened to fit the marker)
    everything = texts(out)
    for bookkeeping in ("[appbuilder", "installed by appbuilder", "sha256:", "appbuilder created"):
        assert bookkeeping not in everything
    assert TOKEN not in everything and "tokenEnv: ONEPASSWORD_EVENTS_TOKEN" in everything
    for path in out.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, path
        target = (path.parent / match.group(1)).resolve()
        assert target.is_file() and target.is_relative_to(out.resolve()), (path, target)
        assert "site-packages" not in match.group(1) and not match.group(1).startswith("/")


def test_schemas_of_a_repository_around_the_output_are_used(fake: FakeSumo, tmp_path: Path) -> None:
    install(fake, tmp_path)
    repo = tmp_path / "repo"
    shutil.copytree(Path(__file__).resolve().parent.parent / "appbuilder" / "schemas", repo / "schemas")
    out = repo / "app_definitions" / "onepassword"
    result = run_export_folder(FOLDER, out, {}, connection(fake), wanted=None).result
    assert result is not None and not (out / "schemas").exists()
    assert (out / "app.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schemas/app.schema.json\n")
    assert (out / "dashboards" / "overview.yaml").read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../../schemas/dashboard.schema.json\n")


def test_monitors_not_asked_for_are_left_alone_by_plan_and_uninstall(fake: FakeSumo, tmp_path: Path) -> None:
    from appbuilder.commands.uninstall import run_uninstall

    install(fake, tmp_path)
    out = tmp_path / "content_only"
    outcome = run_export_folder(FOLDER, out, {}, connection(fake), wanted=PartsWanted(monitors=None, source=None))
    assert outcome.ok and outcome.result is not None and outcome.result.monitors == 0
    assert any(note.startswith("monitors: not asked for") for note in outcome.result.left_out)
    assert "unmanaged:\n  - source\n  - monitors\n" in (out / "app.yaml").read_text(encoding="utf-8")
    resources = plan_actions(fake, out)
    assert {r["action"] for r in resources} == {"no-op"}  # no monitor delete; nothing to record either
    monitors = [r for r in resources if r["kind"] in ("monitor folder", "monitor")]
    assert len(monitors) == 7 and {(r["action"], r["note"]) for r in monitors} == {
        ("no-op", "not managed by this definition")}
    diff = run_diff(APP, out).diff
    # the folder description Sumo keeps is shortened (no monitor folder to recover it from), as the install left it
    assert diff is not None and diff.changes == []
    fake.reset_log()
    removed = run_uninstall(out, {}, options(fake), with_source=True, backup_root=tmp_path / "b")
    assert removed.ok and removed.plan is not None, (removed.error, removed.hint)
    assert {c.kind for c in removed.plan.changes} == {"folder", "dashboard", "saved search"}
    deletes = [r.path for r in fake.requests if r.method == "DELETE"]
    assert deletes and not [path for path in deletes if "/v1/monitors" in path or "/v1/collectors" in path]


def test_alert_destinations_become_parameters_never_written(fake: FakeSumo, tmp_path: Path) -> None:
    given = {"alert_recipients": RECIPIENTS, "alert_connection_id": CONNECTION, "source_category": "prod/1pw"}
    install(fake, tmp_path, given)
    out = tmp_path / "exported"
    outcome = run_export_folder(FOLDER, out, {}, connection(fake))
    assert outcome.ok and outcome.result is not None
    assert outcome.result.values == {"alert_recipients": "soc@example.com,oncall@example.com",
                                     "alert_connection_id": CONNECTION}
    everything = texts(out)
    assert "example.com" not in everything and CONNECTION not in everything
    assert "recipients: ${alert_recipients}" in everything and "id: ${alert_connection_id}" in everything
    assert "default: prod/1pw" in everything  # the source's category, lifted as ${source_category}
    fake.reset_log()
    resources = plan_actions(fake, out, outcome.result.values)
    assert {r["action"] for r in resources} == {"no-op"}
    assert count_calls(fake.requests)["writes"] == 0, [(r.method, r.path) for r in fake.requests]
    diff = run_diff(APP, out).diff  # the definition built with the values the export found
    assert diff is not None and diff.equal, [c.label for c in diff.changes]
    without = plan_actions(fake, out)  # without the values the monitors would lose their notifications
    assert {r["action"] for r in without if r["kind"] == "monitor"} == {"update"}


def test_an_export_without_an_install_marker_asks_for_the_source(fake: FakeSumo, tmp_path: Path,
                                                                 api: Any) -> None:
    personal = api.get(f"{fake.base_url}/v2/content/folders/personal").json()
    made = api.post(f"{fake.base_url}/v2/content/folders", json={"name": "Hand made", "description": "by hand",
                                                                 "parentId": personal["id"]})
    assert made.status_code == 200, made.text
    outcome = run_export_folder("/Library/Users/dev@example.com/Hand made", tmp_path / "hand", {}, connection(fake))
    assert outcome.ok and outcome.result is not None
    assert any("--source COLLECTOR/SOURCE" in note for note in outcome.result.left_out)
    assert any("no monitor folder /Monitors/Hand made" in note for note in outcome.result.left_out)
    app_yaml = (tmp_path / "hand" / "app.yaml").read_text(encoding="utf-8")
    assert "version: 1.0.0" in app_yaml and "unmanaged:\n  - source\n" in app_yaml


@pytest.mark.parametrize("given", ["/Monitors/a/b", "x/y/z"])
def test_a_nested_monitor_folder_is_refused_clearly(given: str) -> None:
    from appbuilder.commands.export_parts import monitor_folder_name
    from appbuilder.export import ExportError

    with pytest.raises(ExportError, match="only a folder directly under /Monitors"):
        monitor_folder_name(given, "App")
    assert monitor_folder_name("/Monitors/Other", "App") == "Other" and monitor_folder_name("", "App") == "App"


def test_cli_lists_what_it_did_not_export(fake: FakeSumo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from helpers import fast_cli_client

    from appbuilder.cli import cli

    fast_cli_client(monkeypatch)

    install(fake, tmp_path, {"alert_recipients": RECIPIENTS})
    env = {"SUMOLOGIC_ACCESSID": FAKE_AUTH[0], "SUMOLOGIC_ACCESSKEY": FAKE_AUTH[1],
           "SUMOLOGIC_BASE_URL": fake.base_url}
    runner = CliRunner()
    done = runner.invoke(cli, ["export", "--folder", FOLDER, "-o", str(tmp_path / "a"), "--no-source"], env=env)
    assert done.exit_code == 0, done.output
    assert "exported 6 dashboards, 6 monitors and 4 saved searches" in done.output
    assert done.output.rstrip().splitlines()[-1] == ("not exported: source: not asked for; app.yaml lists it as "
                                                     "unmanaged")
    assert "--param alert_recipients=soc@example.com,oncall@example.com\n" in done.output
    both = runner.invoke(cli, ["export", "--folder", FOLDER, "-o", str(tmp_path / "b"), "--monitors", "X",
                               "--no-monitors"], env=env)
    assert both.exit_code == 1 and "give one of each pair" in both.output


def test_monitors_that_cannot_be_read_leave_the_content_export_whole(fake: FakeSumo, tmp_path: Path) -> None:
    install(fake, tmp_path)
    fake.faults.add("500", count=20, path="/v1/monitors")
    outcome = run_export_folder(FOLDER, tmp_path / "out", {}, connection(fake))
    assert outcome.ok and outcome.result is not None and outcome.result.dashboards == 6
    assert [n for n in outcome.result.left_out if n.startswith("monitors: could not be read (")]
    assert "  - monitors\n" in (tmp_path / "out" / "app.yaml").read_text(encoding="utf-8")
    assert FAKE_AUTH[1] not in " ".join(outcome.result.left_out)
