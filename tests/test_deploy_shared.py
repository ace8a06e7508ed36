"""Two copies of an app in different Library folders share the monitor folder: uninstalling one keeps the
monitors the other still uses (against the fake Sumo)."""

from __future__ import annotations

from pathlib import Path

from test_monitors_deploy import FOLDER, app, apps_folder, fake, install, monitor_actions, options  # noqa: F401 - the fixtures are shared

from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.uninstall import run_uninstall
from appbuilder.deploy.changes import ResourceChange, Target
from appbuilder.deploy.plan import NOOP, UPDATE
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.shared import record_copy
from appbuilder.deploy.state import RemoteState
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.kinds.monitor_body import normalise_folder, read_marker, with_copies, with_marker


def two_copies(server: FakeSumo, app_dir: Path, tmp_path: Path) -> DeployOptions:
    """The app installed in the personal folder and in ``Apps``; the options of the second copy."""
    install(app_dir, server, tmp_path)
    second = apps_folder(server)
    made = run_install(app_dir, {}, second, backup_root=tmp_path / "backups")
    assert made.ok, (made.error, made.hint)
    return second


def monitor_count(server: FakeSumo) -> int:
    """The monitors in the shared monitor folder; -1 when the folder is gone."""
    folder = server.state.monitors.find_by_path(FOLDER)
    return -1 if folder is None else len(folder.children)


def test_uninstalling_one_copy_keeps_the_monitors_the_other_uses(
        fake: FakeSumo, app: Path, tmp_path: Path) -> None:  # noqa: F811
    second = two_copies(fake, app, tmp_path)
    folder = fake.state.monitors.find_by_path(FOLDER)
    assert folder is not None and len(read_marker(folder.description).copies) == 2  # both copies recorded
    assert not run_plan(app, {}, options(fake)).plan.changed  # type: ignore[union-attr]
    assert not run_plan(app, {}, second).plan.changed  # type: ignore[union-attr]

    outcome = run_uninstall(app, {}, options(fake), backup_root=tmp_path / "backups")  # the personal copy
    assert outcome.ok, (outcome.error, outcome.hint)
    assert outcome.plan is not None
    assert monitor_actions(outcome.plan) == {("monitor folder", "Minimal mini"): NOOP,
                                             ("monitor", "Minimal - Failed sign-ins"): NOOP}
    notes = {c.note for c in outcome.plan.changes if c.kind.startswith("monitor")}
    assert notes == {f"kept: used by the copy at /Library/Users/{fake.user_email}/Apps/Minimal mini"}
    assert monitor_count(fake) == 1
    assert not run_plan(app, {}, second).plan.changed  # type: ignore[union-attr]

    last = run_uninstall(app, {}, second, backup_root=tmp_path / "backups")  # the other copy is gone now
    assert last.ok, (last.error, last.hint)
    assert "monitor 'Minimal - Failed sign-ins'" in last.removals
    assert monitor_count(fake) == -1


def test_a_single_copy_records_itself_and_uninstall_removes_its_monitors(
        fake: FakeSumo, app: Path, tmp_path: Path) -> None:  # noqa: F811
    install(app, fake, tmp_path)
    folder = fake.state.monitors.find_by_path(FOLDER)
    assert folder is not None and len(read_marker(folder.description).copies) == 1
    outcome = run_uninstall(app, {}, options(fake), backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint)
    assert outcome.plan is not None
    assert set(monitor_actions(outcome.plan).values()) == {"delete"}
    assert monitor_count(fake) == -1


def test_with_source_the_source_the_other_copy_may_read_stays(
        fake: FakeSumo, app: Path, tmp_path: Path) -> None:  # noqa: F811
    second = two_copies(fake, app, tmp_path)
    outcome = run_uninstall(app, {}, options(fake), with_source=True, backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint)
    assert outcome.plan is not None
    kept = {c.kind: c for c in outcome.plan.changes if c.kind in ("source", "collector")}
    assert kept and {c.action for c in kept.values()} == {NOOP}
    assert kept["source"].note.startswith("kept: used by the copy at ")
    assert not run_plan(app, {}, second).plan.changed  # type: ignore[union-attr]


def test_the_monitor_folder_marker_records_the_copies() -> None:
    folder = with_marker({"name": "X", "description": "Alerts."}, normalise_folder)
    recorded = with_copies(folder["description"], ("0000A", "0000B"))
    assert recorded.endswith(", in 0000A 0000B)") and recorded.startswith("Alerts.")
    marked = read_marker(recorded)
    assert (marked.hash, marked.copies) == (read_marker(folder["description"]).hash, ("0000A", "0000B"))
    assert with_copies(recorded, ()) == folder["description"]  # byte-identical without a record
    monitor = read_marker(with_marker({"name": "M", "description": "d"}, key="failed")["description"])
    assert (monitor.key, monitor.copies) == ("failed", ())
    assert with_copies("no marker here", ("1",)) == "no marker here"


def test_an_update_of_the_monitor_folder_keeps_the_copies_recorded() -> None:
    before = {"name": "X", "description": with_copies(with_marker({"name": "X", "description": "Old."},
                                                                  normalise_folder)["description"], ("P1", "P2"))}
    after = with_marker({"name": "X", "description": "New."}, normalise_folder)
    state = RemoteState(Target("P1", None, False, "X"), folder={"id": "F1"})
    (change,) = record_copy([ResourceChange("monitor folder", "X", UPDATE, before, after)], state)
    assert read_marker(change.after["description"]).copies == ("P1", "P2")  # type: ignore[index]
    assert read_marker(change.after["description"]).text == "New."  # type: ignore[index]
    unchanged = ResourceChange("monitor folder", "X", NOOP, before, before)
    assert record_copy([unchanged], state) == [unchanged]  # a recorded copy's plan stays a no-op


def test_a_monitor_folder_from_before_copies_were_recorded_learns_them_on_their_installs(
        fake: FakeSumo, app: Path, tmp_path: Path) -> None:  # noqa: F811
    install(app, fake, tmp_path)
    folder = fake.state.monitors.find_by_path(FOLDER)
    assert folder is not None
    folder.description = with_copies(folder.description, ())  # as installed before copies were recorded
    assert not run_plan(app, {}, options(fake)).plan.changed  # type: ignore[union-attr]  # its own copy: as it was
    second = apps_folder(fake)
    made = run_install(app, {}, second, backup_root=tmp_path / "backups")
    assert made.ok, (made.error, made.hint)
    assert len(read_marker(folder.description).copies) == 1  # the new copy; the first one is not known yet
    plan = run_plan(app, {}, options(fake)).plan
    assert plan is not None and monitor_actions(plan)[("monitor folder", "Minimal mini")] == UPDATE
    install(app, fake, tmp_path)  # the first copy records itself too
    outcome = run_uninstall(app, {}, second, backup_root=tmp_path / "backups")
    assert outcome.ok, (outcome.error, outcome.hint)
    assert monitor_count(fake) == 1  # the personal copy still uses them
