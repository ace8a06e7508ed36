"""A saved plan (`install --plan FILE`) is user input too: whatever the file holds, a clear ValueError naming it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from appbuilder.deploy.changes import UPDATE, Plan, ResourceChange, Target, load_plan


def _saved(tmp_path: Path) -> dict[str, Any]:
    plan = Plan("App", "1.0.0", "install", Target("P1", None, False, "App"),
                (ResourceChange("folder", "App", UPDATE, {"name": "App"}, {"name": "App v2"}),), "f1")
    path = tmp_path / "plan.json"
    plan.save(path)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(resources=[{"kind": "folder", "name": "App", "action": "update", "before": 5}]),
     "a part has the wrong type"),
    (lambda d: d.update(target=["P1"]), "a part has the wrong type"),
    (lambda d: d.update(resources=[{"kind": "folder"}]), "not a complete appbuilder plan"),
    (lambda d: d.update(resources="all"), "a part has the wrong type"),
])
def test_a_tampered_plan_is_refused(tmp_path: Path, edit: Any, message: str) -> None:
    data = _saved(tmp_path)
    edit(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match=message) as raised:
        load_plan(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize(("content", "message"), [
    (b"[" * 100_000, "nested more than"), (b"\xff\xfe{}", "not valid UTF-8"), (b"{", "invalid JSON"),
    (b"", "file is empty"),
])
def test_a_plan_file_that_is_not_json_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as raised:
        load_plan(path)
    assert str(path) in str(raised.value)
    with pytest.raises(ValueError, match="file not found"):
        load_plan(tmp_path / "missing.json")


def test_a_plan_of_another_app_is_refused_by_name(tmp_path: Path) -> None:
    from appbuilder.commands.install import check_saved_plan
    from appbuilder.deploy.marker import Marker
    from appbuilder.deploy.state import DeployError

    plan = Plan("Other", "1.0.0", "install", Target("P1", None, False, "Other"), (), "f1",
                Marker("Other", "1.0.0", "sha256:other"))
    with pytest.raises(DeployError, match="a plan of the app 'Other', not of 'App'"):
        check_saved_plan(plan, "f1", "sha256:app", "App")  # not "the app definition changed since the plan"
