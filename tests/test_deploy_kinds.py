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
    assert len(set(names)) == len(names) == 7
    for k in KINDS:
        for method in ("render", "read", "normalise", "create", "update", "delete"):
            assert callable(getattr(k, method)), (k.name, method)
    assert kind("dashboard").in_folder and not kind("collector").in_folder


def test_render_gives_each_kind_its_items() -> None:
    build = _build()
    rendered = {k.name: [i.identity for i in k.render(build)] for k in KINDS}
    assert rendered == {"collector": ["Minimal Collector"], "source": ["Minimal Source"], "folder": ["Minimal mini"],
                        "dashboard": ["Minimal - Main"], "saved search": ["Minimal - All Events"],
                        "monitor folder": [], "monitor": []}  # the minimal app has no monitors
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
