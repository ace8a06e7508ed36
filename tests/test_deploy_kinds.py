"""The kinds registry and the pure parts of each kind: render from a build, API bodies, rename keys."""

from __future__ import annotations

from pathlib import Path

from appbuilder.build import build_app
from appbuilder.kinds import KINDS, kind
from appbuilder.kinds.dashboard import rename_key as dashboard_key
from appbuilder.kinds.dashboard import to_request
from appbuilder.kinds.saved_search import to_definition
from appbuilder.validate import validate_app

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def _build():
    app = validate_app(MINIMAL).app
    assert app is not None
    return build_app(app, {})


def test_registry_names_are_unique_and_every_kind_has_the_protocol() -> None:
    names = [k.name for k in KINDS]
    assert len(set(names)) == len(names) == 9
    for k in KINDS:
        for method in ("render", "read", "normalise", "rename_key", "drift", "describe", "create", "update",
                       "delete"):
            assert callable(getattr(k, method)), (k.name, method)
    assert kind("dashboard").in_folder and not kind("collector").in_folder


def test_optional_parts_have_defaults_and_the_kinds_that_need_them_override_them() -> None:
    """plan and render call drift / describe / rename_key on every kind, never asking whether it has them."""
    from appbuilder.kinds.base import BaseKind, Item

    assert all(isinstance(k, BaseKind) for k in KINDS)
    assert kind("collector").drift(None, None) == (None, "") and kind("folder").describe({"name": "x"}) == []
    apis = {"config": {"supported_apis": ["sign-in"]}}
    assert kind("source").describe(apis) == ['in Sumo: supported_apis = ["sign-in"]']
    query = {"queries": [{"rowId": "A", "query": "_sourceCategory=x | count"}]}
    monitor = kind("monitor")
    assert monitor.rename_key({"name": "a", **query}) == monitor.rename_key({"name": "b", **query}) != ""
    marker = "(installed by appbuilder: 0000000000000000)"
    changed = Item("monitor", "m", {"name": "m", "description": f"edited\n\n{marker}"}, {"installed": "0" * 16})
    assert kind("monitor").drift(None, changed)[0] == "drifted"


def test_render_gives_each_kind_its_items() -> None:
    build = _build()
    rendered = {k.name: [i.identity for i in k.render(build)] for k in KINDS}
    assert rendered == {"collector": ["Minimal Collector"], "source": ["Minimal Source"], "folder": ["Minimal mini"],
                        "dashboard": ["Minimal - Main"], "saved search": ["Minimal - All Events"],
                        "monitor folder": [], "monitor": [], "sub-folder": [],
                        "raw item": []}  # the minimal app has no monitors, sub-folders or raw items
    for k in KINDS:
        for item in k.render(build):
            assert item.kind == k.name and k.normalise(item.body) == k.normalise(item.body)
            assert "api_token" not in repr(item.body)


def test_dashboard_request_and_rename_key_survive_a_new_title() -> None:
    build = _build()
    body = kind("dashboard").render(build)[0].body
    request = to_request(body, "00000000000000AB")
    assert request["title"] == "Minimal - Main" and request["folderId"] == "00000000000000AB"
    assert "type" not in request and "name" not in request
    assert all(None not in p.values() for p in request["panels"])
    renamed = {**body, "name": "Other", "title": "Other"}
    assert dashboard_key(renamed) == dashboard_key(body) != ""


def test_saved_search_definition() -> None:
    build = _build()
    body = kind("saved search").render(build)[0].body
    definition = to_definition(body)
    assert definition["name"] == "Minimal - All Events"
    assert definition["queryString"] == body["search"]["queryText"]
    assert definition["timeRange"]["type"] == "BeginBoundedTimeRange"
    assert definition["parsingMode"] in ("Manual", "AutoParse")
