"""Paths under the app folder (``appbuilder.kinds.tree``) and the fake's content move."""

from __future__ import annotations

import requests

from appbuilder.fakesumo import FakeSumo
from appbuilder.kinds.tree import assemble, is_under, join, leaf, parent, rebase, split, walk


def test_paths_escape_slashes_in_names() -> None:
    path = join("Alerts / old", "a\\b", "Traffic")
    assert path == "Alerts \\/ old/a\\\\b/Traffic"
    assert split(path) == ["Alerts / old", "a\\b", "Traffic"]
    assert parent(path) == join("Alerts / old", "a\\b") and leaf(path) == "Traffic"
    assert split(join("Top")) == ["Top"] and parent("Top") == "" and split("") == []
    assert is_under("A/B/C", "A") and is_under("A/B/C", "A/B") and not is_under("A", "A")
    assert not is_under("AB/C", "A")


def test_rebase_follows_the_deepest_renamed_folder() -> None:
    moves = {"A": "A2", "A2/B": "A2/B2"}
    assert rebase("A/x", moves) == "A2/x"
    assert rebase("A2/B/y", moves) == "A2/B2/y"
    assert rebase("A", moves) == "A"  # the folder itself is paired, not rebased
    assert rebase("C/z", moves) == "C/z"


def test_walk_and_assemble_are_inverse() -> None:
    folder = {"type": "FolderSyncDefinition", "name": "App", "children": [
        {"type": "FolderSyncDefinition", "name": "Sub", "description": "", "children": [
            {"type": "FolderSyncDefinition", "name": "Deep", "description": "", "children": [
                {"type": "X", "name": "leaf"}]},
            {"type": "Y", "name": "a/b"}]},
        {"type": "Z", "name": "top"}]}
    items = list(walk(folder))
    assert [p for p, _ in items] == ["Sub", "Sub/Deep", "Sub/Deep/leaf", "Sub/a\\/b", "top"]
    flat = [(p, {k: v for k, v in body.items() if k != "children"}) for p, body in items]
    assert assemble(flat) == folder["children"]
    backwards = {"type": "FolderSyncDefinition", "name": "App", "children": assemble(flat[::-1])}
    assert sorted(p for p, _ in walk(backwards)) == sorted(p for p, _ in items)  # what a folder holds, inside it


def test_fake_moves_an_item_keeping_its_id(fake: FakeSumo, api: requests.Session) -> None:
    personal = api.get(f"{fake.base_url}/v2/content/folders/personal").json()
    make = lambda name, parent: api.post(f"{fake.base_url}/v2/content/folders",  # noqa: E731
                                         json={"name": name, "parentId": parent}).json()
    a, b = make("A", personal["id"]), make("B", personal["id"])
    inner = make("inner", a["id"])
    moved = api.post(f"{fake.base_url}/v2/content/{inner['id']}/move", params={"destinationFolderId": b["id"]})
    assert moved.status_code == 200, moved.text
    assert [c["id"] for c in api.get(f"{fake.base_url}/v2/content/folders/{b['id']}").json()["children"]] == \
        [inner["id"]]
    into_itself = api.post(f"{fake.base_url}/v2/content/{b['id']}/move", params={"destinationFolderId": inner["id"]})
    assert into_itself.status_code == 400 and "itself" in into_itself.json()["errors"][0]["message"]
    missing = api.post(f"{fake.base_url}/v2/content/{b['id']}/move")
    assert missing.status_code == 400


def test_only_renames_inside_the_app_folder_move_what_a_folder_holds() -> None:
    from appbuilder.deploy.nested import moved, record_moves
    from appbuilder.kinds import Item

    moves: dict[str, str] = {}
    record_moves([(Item("collector", "Alerts 2", {}), Item("collector", "Alerts", {}))], moves)
    assert moves == {}  # a collector is not a folder of the app
    record_moves([(Item("sub-folder", "Alerts 2", {}), Item("sub-folder", "Alerts", {})),
                  (Item("sub-folder", "Same", {}), Item("sub-folder", "Same", {})), (None, None)], moves)
    assert moves == {"Alerts": "Alerts 2"}
    inside = Item("saved search", "Alerts/x", {}, {"contentId": "1"})
    other = Item("saved search", "Other/y", {})
    assert [i.identity for i in moved([inside, other], moves)] == ["Alerts 2/x", "Other/y"]
    assert moved([inside], moves)[0].ref == {"contentId": "1"}
