"""The collector and the Cloud-to-Cloud source drift like the other kinds: what was installed is recorded (the
hash in their descriptions), so a change made in the Sumo UI since is ``drifted`` (refused without --force,
backed up then overwritten with it), a change in git is an ``update``, and one installed before anything was
recorded is planned as before (an update, with a note)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests

from appbuilder.commands.install import InstallOutcome, run_install
from appbuilder.commands.plan import run_plan
from appbuilder.commands.restore import run_restore
from appbuilder.deploy.changes import Plan
from appbuilder.deploy.plan import DRIFTED, NOOP, UPDATE
from appbuilder.deploy.session import DeployOptions
from appbuilder.fakesumo.virtual import VirtualSumo
from appbuilder.kinds.recorded import UNRECORDED

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
TOKEN = "ops_minimal_token_value"
ENV = {"MINIMAL_TOKEN": TOKEN}
COLLECTOR, SOURCE = "Minimal Collector", "Minimal Source"


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    return target


def options(sumo: VirtualSumo) -> DeployOptions:
    return DeployOptions(access_id=sumo.access_id, access_key=sumo.access_key, base_url=sumo.base_url,
                         client_options=sumo.client_options(), env=ENV)  # type: ignore[arg-type]


def install(app: Path, sumo: VirtualSumo, tmp_path: Path, **kwargs: Any) -> InstallOutcome:
    return run_install(app, {}, options(sumo), backup_root=tmp_path / "backups", **kwargs)


def actions(app: Path, sumo: VirtualSumo) -> tuple[Plan, dict[str, str]]:
    plan = run_plan(app, {}, options(sumo)).plan
    assert plan is not None
    return plan, {c.kind: c.action for c in plan.changes if c.kind in ("collector", "source")}


def ui_edit(sumo: VirtualSumo, changes: dict[str, Any], source: str | None = None) -> requests.Response:
    body: dict[str, Any] = {"collector": COLLECTOR, "set": changes, **({"source": source} if source else {})}
    return requests.post(f"{sumo.fake.url}/__fake/ui_edit_collector", json=body, timeout=10)


def stored_source(sumo: VirtualSumo) -> dict[str, Any]:
    (source,) = sumo.fake.state.sources.values()
    return source.data


def stored_collector(sumo: VirtualSumo) -> dict[str, Any]:
    (collector,) = sumo.fake.state.collectors.values()
    return collector.data


def test_install_records_a_hash_without_the_token_and_a_reinstall_is_a_no_op(
        virtual_sumo: VirtualSumo, app: Path, tmp_path: Path) -> None:
    assert install(app, virtual_sumo, tmp_path).ok
    source_description = stored_source(virtual_sumo)["config"]["description"]
    collector_description = stored_collector(virtual_sumo)["description"]
    assert "(installed by appbuilder: " in source_description and TOKEN not in source_description
    assert collector_description.endswith("[appbuilder created app=Minimal]")
    assert "(installed by appbuilder: " in collector_description
    assert actions(app, virtual_sumo)[1] == {"collector": NOOP, "source": NOOP}


@pytest.mark.parametrize(("source", "changes", "kind"), [
    (SOURCE, {"category": "edited/in/ui"}, "source"),
    (SOURCE, {"supported_apis": ["sign-in"]}, "source"),
    (None, {"category": "ui/category"}, "collector"),
])
def test_a_ui_edit_is_drift_refused_without_force_and_backed_up_with_it(
        virtual_sumo: VirtualSumo, app: Path, tmp_path: Path, source: str | None, changes: dict[str, Any],
        kind: str) -> None:
    assert install(app, virtual_sumo, tmp_path).ok
    assert ui_edit(virtual_sumo, changes, source).ok
    plan, found = actions(app, virtual_sumo)
    assert found[kind] == DRIFTED and plan.drifted
    assert found[{"source": "collector", "collector": "source"}[kind]] == NOOP
    refused = install(app, virtual_sumo, tmp_path)
    assert not refused.ok and "--force" in (refused.hint or "")
    edited = stored_source(virtual_sumo)["config"] if kind == "source" else stored_collector(virtual_sumo)
    assert all(edited[k] == v for k, v in changes.items())  # nothing was overwritten
    forced = install(app, virtual_sumo, tmp_path, force=True)
    assert forced.ok and forced.backup is not None
    saved = json.loads((Path(forced.backup) / f"{kind}.json").read_text())
    saved_fields = saved["config"] if kind == "source" else saved
    assert all(saved_fields[k] == v for k, v in changes.items())  # what the UI made is saved first
    assert TOKEN not in json.dumps(saved)
    now = stored_source(virtual_sumo)["config"] if kind == "source" else stored_collector(virtual_sumo)
    assert all(now.get(k) != v for k, v in changes.items())  # git's values are back
    assert actions(app, virtual_sumo)[1] == {"collector": NOOP, "source": NOOP}


def test_a_change_in_git_is_an_update_without_force(virtual_sumo: VirtualSumo, app: Path, tmp_path: Path) -> None:
    assert install(app, virtual_sumo, tmp_path).ok
    source_yaml = app / "source.yaml"
    source_yaml.write_text(source_yaml.read_text().replace("apis: [sign-in, itemUsage]", "apis: [sign-in]")
                           .replace("name: Minimal Collector", "name: Minimal Collector\n  category: git/cat"))
    assert actions(app, virtual_sumo)[1] == {"collector": UPDATE, "source": UPDATE}
    assert install(app, virtual_sumo, tmp_path).ok
    assert stored_source(virtual_sumo)["config"]["supported_apis"] == ["sign-in"]
    assert stored_collector(virtual_sumo)["category"] == "git/cat"
    assert actions(app, virtual_sumo)[1] == {"collector": NOOP, "source": NOOP}


def test_a_source_installed_before_anything_was_recorded_is_updated_as_before(
        virtual_sumo: VirtualSumo, app: Path, tmp_path: Path) -> None:
    assert install(app, virtual_sumo, tmp_path).ok
    config = stored_source(virtual_sumo)["config"]
    config["description"] = ""  # as an earlier appbuilder left it: no install marker
    assert ui_edit(virtual_sumo, {"category": "edited/in/ui"}, SOURCE).ok
    plan, found = actions(app, virtual_sumo)
    assert found["source"] == UPDATE and not plan.drifted
    assert next(c for c in plan.changes if c.kind == "source").note == UNRECORDED
    updated = install(app, virtual_sumo, tmp_path)
    assert updated.ok and updated.backup is not None  # a backup is still made
    assert "(installed by appbuilder: " in stored_source(virtual_sumo)["config"]["description"]  # recorded now
    assert ui_edit(virtual_sumo, {"category": "again"}, SOURCE).ok
    assert actions(app, virtual_sumo)[1]["source"] == DRIFTED


def test_the_ui_edit_control_endpoint_rejects_bad_requests(virtual_sumo: VirtualSumo) -> None:
    url = f"{virtual_sumo.fake.url}/__fake/ui_edit_collector"
    assert requests.post(url, json={"collector": "nope", "set": {}}, timeout=10).status_code == 404
    assert requests.post(url, json={"collector": 3, "set": {}}, timeout=10).status_code == 400


def test_restore_puts_the_ui_edit_back_and_records_it(virtual_sumo: VirtualSumo, app: Path, tmp_path: Path) -> None:
    assert install(app, virtual_sumo, tmp_path).ok
    assert ui_edit(virtual_sumo, {"category": "edited/in/ui"}, SOURCE).ok
    forced = install(app, virtual_sumo, tmp_path, force=True)
    assert forced.ok and forced.backup is not None
    restored = run_restore(Path(forced.backup), options(virtual_sumo), backup_root=tmp_path / "backups")
    assert restored.ok, (restored.error, restored.hint)
    assert stored_source(virtual_sumo)["config"]["category"] == "edited/in/ui"
    assert actions(app, virtual_sumo)[1]["source"] == UPDATE  # restored by appbuilder: git differs, no drift
