"""A saved plan is refused, with nothing written, when anything it touches was changed in Sumo between `plan --out`
and `install --plan`: a monitor, the monitor folder, the source, an item of the app folder, an item in a
sub-folder (the fingerprint covers every kind in the registry)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import edit
from test_deploy_subfolders import ALERTS, UDP, exported  # noqa: F401  (the module-scoped export fixture)
from test_deploy_subfolders import FOLDER as SUB_FOLDERS_APP
from test_monitors_bulk import FIRST, app_with_monitors, install, options
from test_monitors_deploy import FOLDER, MONITOR

from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import count_calls
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.fakesumo.virtual import VirtualSumo


def _disable_monitor(fake: FakeSumo) -> None:
    fake.ui_edit(f"{FOLDER}/{FIRST}", lambda m: m.update(isDisabled=True))


def _describe_monitor_folder(fake: FakeSumo) -> None:
    fake.ui_edit(FOLDER, lambda f: f.update(description="Edited in the UI"))


def _edit_source(fake: FakeSumo) -> None:
    with fake.state.lock:  # what a person changing the source's settings in the UI leaves behind
        source = next(iter(fake.state.sources.values()))
        source.data["config"] = {**source.data["config"], "base_url": "https://events.example.com"}


def _edit_dashboard(fake: FakeSumo) -> None:
    fake.ui_edit(f"/Library/Users/{fake.user_email}/Minimal mini/Minimal - Main",
                 lambda d: d.update(description="edited in the UI"))


def _refused(app: Path, opts: DeployOptions, fake: FakeSumo, saved: Path, tmp_path: Path) -> None:
    fake.reset_log()
    stale = run_install(app, {}, opts, plan_file=saved, backup_root=tmp_path / "stale")
    assert not stale.ok and "the Sumo org changed since the plan was made; nothing was written" in (stale.error or "")
    assert "plan --out" in stale.hint and not stale.steps
    assert count_calls(fake.requests)["writes"] == 0


@pytest.mark.parametrize("ui_edit", [_disable_monitor, _describe_monitor_folder, _edit_source, _edit_dashboard],
                         ids=["monitor", "monitor folder", "source", "dashboard"])
def test_a_ui_edit_after_plan_out_makes_install_plan_refuse(virtual_sumo: VirtualSumo, tmp_path: Path,
                                                            ui_edit: Callable[[FakeSumo], None]) -> None:
    app = app_with_monitors(tmp_path, {"failed": MONITOR})
    install(app, virtual_sumo, tmp_path)
    edit(app / "queries.yaml", "| count by category", "| count as n by category")  # a change to plan
    saved = tmp_path / "plan.json"
    assert run_plan(app, {}, options(virtual_sumo), out=saved).ok
    ui_edit(virtual_sumo.fake)
    _refused(app, options(virtual_sumo), virtual_sumo.fake, saved, tmp_path)


def test_an_unchanged_org_takes_the_saved_plan(virtual_sumo: VirtualSumo, tmp_path: Path) -> None:
    app = app_with_monitors(tmp_path, {"failed": MONITOR})
    install(app, virtual_sumo, tmp_path)
    edit(app / "queries.yaml", "| count by category", "| count as n by category")
    saved = tmp_path / "plan.json"
    assert run_plan(app, {}, options(virtual_sumo), out=saved).ok
    applied = run_install(app, {}, options(virtual_sumo), plan_file=saved, backup_root=tmp_path / "b")
    assert applied.ok and applied.steps, (applied.error, applied.hint)


def test_a_ui_edit_in_a_sub_folder_makes_install_plan_refuse(exported: Path, virtual_sumo: VirtualSumo,  # noqa: F811
                                                             tmp_path: Path) -> None:
    from test_deploy_subfolders import options as folder_options

    opts = folder_options(virtual_sumo)
    assert run_install(exported, {}, opts, backup_root=tmp_path / "b").ok
    saved = tmp_path / "plan.json"
    assert run_plan(exported, {}, opts, out=saved).ok
    fake = virtual_sumo.fake
    fake.ui_edit(f"/Library/Users/{fake.user_email}/{SUB_FOLDERS_APP}/{ALERTS}/{UDP}",
                 lambda d: d.update(description="edited in the UI"))
    _refused(exported, opts, fake, saved, tmp_path)
