"""Unit tests of the deploy layer's pure parts: marker, diff, backup masking, token resolution, call counting."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from appbuilder.deploy.apply import resolve_token
from appbuilder.deploy.backup import mask_secrets, read_backup, write_backup
from appbuilder.deploy.diff import diff
from appbuilder.deploy.marker import (
    DESCRIPTION_LIMIT,
    Marker,
    collector_mark,
    compose_description,
    fingerprint,
    modified_after,
    split_collector_description,
    split_description,
)
from appbuilder.deploy.state import DeployError
from appbuilder.deploy.testing import count_calls, peak_rate

HASH = "sha256:" + "a" * 64


def test_marker_round_trip_and_limit() -> None:
    marker = Marker("1Password", "1.0.0", HASH, "0123456789abcdef", "lx0abcde.8")
    text = compose_description("x" * 400, marker)
    assert len(text) <= DESCRIPTION_LIMIT
    kept, found = split_description(text)
    assert found == marker
    assert kept.endswith("…")


def test_marker_with_spaces_in_app_name_and_no_state() -> None:
    marker = Marker("My App", "2.0", HASH, "0123456789abcdef")
    kept, found = split_description(compose_description("Hello.", marker))
    assert (kept, found) == ("Hello.", marker)
    assert split_description("just a description") == ("just a description", None)


def test_collector_mark() -> None:
    kept, app = split_collector_description("Hosted collector. " + collector_mark("1Password"))
    assert (kept, app) == ("Hosted collector.", "1Password")
    assert split_collector_description("plain")[1] is None


def test_fingerprint_tracks_latest_change_and_count() -> None:
    children = [{"modifiedAt": "2024-05-01T10:00:00.000Z"}, {"modifiedAt": "2024-05-01T10:00:01.500Z"}]
    state = fingerprint(children)
    assert state is not None and state.endswith(".2")
    assert not modified_after(children[0], state)
    assert modified_after({"modifiedAt": "2024-05-01T10:00:02.000Z"}, state)
    assert fingerprint(children + [{}]) is None
    assert fingerprint(children[:1]) != state


def test_diff_matches_list_items_by_key_and_labels_by_title() -> None:
    old = {"panels": [{"key": "p1", "title": "Events", "queries": [{"queryKey": "A", "queryString": "a"}]},
                      {"key": "p2", "title": "Other"}]}
    new = {"panels": [{"key": "p2", "title": "Other"},
                      {"key": "p1", "title": "Events", "queries": [{"queryKey": "A", "queryString": "b"}]}]}
    changes = diff(old, new)
    assert [c.path for c in changes] == ['panels["Events"].queries["A"].queryString']
    assert changes[0].text() == 'panels["Events"].queries["A"].queryString: "a" → "b"'


def test_diff_added_and_removed() -> None:
    changes = diff({"a": 1, "b": [1, 2]}, {"b": [1, 2, 3], "c": "x"})
    assert [c.text() for c in changes] == ["a: removed (was 1)", "b: [1, 2] → [1, 2, 3]", 'c: added "x"']


def test_mask_secrets_and_backup_files(tmp_path) -> None:
    source = {"id": 1, "config": {"name": "s", "api_token": "ops_SECRET"}}
    assert mask_secrets(source)["config"]["api_token"] == "********"
    backup = write_backup(tmp_path, "My App", "test", {"parentId": "AB"}, source=source, content={"name": "f"})
    assert backup.path.name.startswith("My_App-")
    assert "ops_SECRET" not in (backup.path / "source.json").read_text()
    again = read_backup(backup.path)
    assert again.manifest["files"] == ["content.json", "source.json"]
    assert again.content == {"name": "f"}
    second = write_backup(tmp_path, "My App", "test", {})
    assert second.path != backup.path
    with pytest.raises(ValueError):
        read_backup(tmp_path)


def test_resolve_token(tmp_path) -> None:
    assert resolve_token("TOK", env={"TOK": " abc "}) == "abc"
    assert resolve_token("TOK", env={}) is None
    file = tmp_path / "token"
    file.write_text("from-file\n")
    assert resolve_token("TOK", file, env={}) == "from-file"
    with pytest.raises(DeployError):
        resolve_token("TOK", tmp_path / "missing", env={})
    (tmp_path / "empty").write_text("\n  \n")
    (tmp_path / "binary").write_bytes(b"\xba\xff\x00token")
    with pytest.raises(DeployError, match="token file .*empty is empty"):  # not "the variable is not set"
        resolve_token("TOK", tmp_path / "empty", env={})
    with pytest.raises(DeployError, match="not valid UTF-8"):  # was a UnicodeDecodeError ("internal error")
        resolve_token("TOK", tmp_path / "binary", env={})


def test_call_counting() -> None:
    records = [SimpleNamespace(method=m, path=p, started=t) for m, p, t in [
        ("GET", "/api/v2/content/folders/personal", 0.0), ("POST", "/api/v2/content/AB/export", 0.1),
        ("POST", "/api/v1/collectors", 0.5), ("PUT", "/api/v2/content/folders/AB", 1.2)]]
    assert count_calls(records) == {"calls": 4, "reads": 2, "writes": 2}
    assert peak_rate(records) == 3
    json.dumps(count_calls(records))


def test_a_changed_query_is_a_whole_line_diff() -> None:
    old = "_sourceCategory=1pw\n| json \"category\"\n| where category = \"success\"\n| count by category\n"
    new = old.replace('"success"', '"credentials_failed"') + "| sort by _count\n" + "| limit 10" * 100
    changes = diff({"queryString": old}, {"queryString": new})
    assert len(changes) == 1 and changes[0].multiline
    text = changes[0].text()
    assert '-| where category = "success"' in text and '+| where category = "credentials_failed"' in text
    assert "+| sort by _count" in text and text.count("| limit 10") == 100  # never cut short
    assert changes[0].to_dict() == {"path": "queryString", "old": old, "new": new}


def test_plan_file_round_trip_is_exact_and_deterministic(tmp_path) -> None:
    from appbuilder.deploy.changes import NOOP, UPDATE, Plan, ResourceChange, Target, load_plan
    from appbuilder.deploy.marker import Marker
    from appbuilder.deploy.render import render_plan

    before = {"type": "SavedSearchWithScheduleSyncDefinition", "name": "s", "description": "",
              "search": {"queryText": "a\n| count", "defaultTimeRange": "-15m"}}
    after = {**before, "search": {"queryText": "a\n| count by x", "defaultTimeRange": "-15m"}}
    plan = Plan("App", "1.0.0", "install", Target("P1", None, False, "App"),
                (ResourceChange("saved search", "s", UPDATE, before, after, {"contentId": "C1"}),
                 ResourceChange("folder", "App", NOOP, {"name": "App"}, {"name": "App"})), "f1",
                Marker("App", "1.0.0", "sha256:x", "n1"))
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    plan.save(first)
    load_plan(first).save(second)
    assert first.read_bytes() == second.read_bytes() and load_plan(first) == plan
    assert "-| count\n" in render_plan(plan) + "\n" and "+| count by x" in render_plan(plan)
    first.write_text("{}")
    with pytest.raises(ValueError, match="not an appbuilder plan"):
        load_plan(first)


def test_gave_up_keeps_an_identity_with_a_comma_whole() -> None:
    """What an apply that stopped part way says: a change under way is not also listed as not written, also when
    its name holds ", " (the labels are kept as a list, never split back out of a joined string)."""
    from types import SimpleNamespace as Org

    from appbuilder.deploy.apply import ApplyResult
    from appbuilder.deploy.changes import CREATE, Plan, ResourceChange, Target

    first, odd, last = (ResourceChange("saved search", name, CREATE, None, {"name": name})
                        for name in ("a", "Sign-ins, failed", "z"))
    plan = Plan("App", "1.0.0", "install", Target("P1", None, False, "App"), (first, odd, last), "f1", None)
    result = ApplyResult()
    result.start(Org(before_write=None), first)
    result.done(first)
    result.start(Org(before_write=None), odd)
    assert result.gave_up(plan) == ("landed: saved search 'a'; may or may not have landed: saved search "
                                    "'Sign-ins, failed'; not written: saved search 'z'")
