"""appbuilder.validate.schema: the JSON Schemas themselves, and the messages/positions of their violations."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.yamlfile import read_yaml
from appbuilder.validate.schema import (
    KINDS,
    SCHEMA_DIR,
    UnknownKindError,
    load_schema,
    schema_path,
    validate_document,
)

PANEL_HEAD = "title: T\npanels:\n"


def check(tmp_path: Path, kind: str, text: str) -> list[Diagnostic]:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    doc, problems = read_yaml(path, f"{kind}.yaml")
    assert problems == [] and doc is not None
    return validate_document(doc, kind)


def only(found: list[Diagnostic]) -> Diagnostic:
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("kind", KINDS)
def test_every_schema_is_a_valid_2020_12_schema(kind: str) -> None:
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_schema_files_are_exactly_the_kinds() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json")) == sorted(f"{k}.schema.json" for k in KINDS)


def test_unknown_kind() -> None:
    with pytest.raises(UnknownKindError):
        schema_path("widgets")


def test_the_minimal_fixture_is_schema_valid() -> None:
    fixture = Path(__file__).resolve().parent / "fixtures" / "minimal"
    for kind, rel in [("app", "app.yaml"), ("source", "source.yaml"), ("queries", "queries.yaml"),
                      ("dashboard", "dashboards/main.yaml")]:
        doc, problems = read_yaml(fixture / rel)
        assert problems == [] and doc is not None
        assert validate_document(doc, kind) == []


def test_unknown_key_with_did_you_mean_points_at_the_key(tmp_path: Path) -> None:
    d = only(check(tmp_path, "dashboard", PANEL_HEAD + "  - id: a\n    title: A\n    chart: text\n    text: x\n"
                                          "    widht: 3\n"))
    assert d.message == "unknown key 'widht'"
    assert d.hint == "did you mean 'width'?"
    assert (d.position.line, d.position.column) == (7, 5)
    assert d.path == "panels[0].widht"
    assert d.code == "schema"


def test_unknown_key_without_close_match_lists_the_allowed(tmp_path: Path) -> None:
    d = only(check(tmp_path, "queries", "queries: []\nzzzzzz: 1\n"))
    assert d.message == "unknown key 'zzzzzz'"
    assert d.hint == "allowed keys: queries"


def test_missing_required_key_uses_its_description(tmp_path: Path) -> None:
    d = only(check(tmp_path, "dashboard", "panels:\n  - {id: a, title: A, chart: text, text: x}\n"))
    assert d.message == "missing required key 'title'"
    assert "Dashboard title" in d.hint
    assert d.path == "(document)"


def test_enum_suggests_the_closest(tmp_path: Path) -> None:
    d = only(check(tmp_path, "dashboard", PANEL_HEAD + "  - {id: a, title: A, chart: colum, query: q}\n"))
    assert d.message == '"colum" is not allowed here'
    assert d.hint == 'did you mean "column"?'
    assert d.path == "panels[0].chart"


def test_enum_without_close_match_lists_choices(tmp_path: Path) -> None:
    d = only(check(tmp_path, "dashboard", "title: T\ntheme: zzzz\npanels:\n  - {id: a, title: A, chart: text, "
                                          "text: x}\n"))
    assert d.hint == 'use one of: "Light", "Dark"'
    assert (d.position.line, d.position.column) == (2, 8)


def test_type_error(tmp_path: Path) -> None:
    d = only(check(tmp_path, "dashboard", PANEL_HEAD + "  - {id: a, title: A, chart: text, text: x, height: 2.5}\n"))
    assert d.message == "expected integer, got number"
    assert "Height" in d.hint


def test_pattern_error_uses_the_description(tmp_path: Path) -> None:
    d = only(check(tmp_path, "source", """\
        collector: {name: C}
        source: {name: S, type: 1Password, category: c, baseUrl: events.1password.com, apis: [sign-in],
                 tokenEnv: my-token}
        """))
    assert d.message == '"my-token" has the wrong form'
    assert "environment variable" in d.hint
    assert d.position.line == 3


def test_bounds_and_unique_items(tmp_path: Path) -> None:
    found = check(tmp_path, "source", """\
        collector: {name: C}
        source: {name: S, type: 1Password, category: c, baseUrl: events.1password.com,
                 apis: [sign-in, sign-in], tokenEnv: T}
        """)
    assert [d.message for d in found] == ["list has duplicate entries"]
    d = only(check(tmp_path, "dashboard", PANEL_HEAD + "  - {id: a, title: A, chart: text, text: x, width: 0}\n"))
    assert "less than the minimum of 1" in d.message


def test_one_of_both_and_neither(tmp_path: Path) -> None:
    both = only(check(tmp_path, "dashboard", PANEL_HEAD + "  - {id: a, title: A, chart: pie, query: q, queryRef: r}\n"))
    assert both.message == "give only one of query, queryRef, queries (found query, queryRef)"
    neither = only(check(tmp_path, "dashboard", PANEL_HEAD + "  - {id: a, title: A, chart: pie}\n"))
    assert neither.message == "one of query, queryRef, queries is required"
    assert neither.path == "panels[0]"


def test_not_combination_names_the_keys_to_remove(tmp_path: Path) -> None:
    d = only(check(tmp_path, "dashboard", PANEL_HEAD + "  - {id: a, title: A, chart: text, text: x, queryRef: r}\n"))
    assert d.message == "this combination of keys is not allowed"
    assert d.hint == "remove query / queryRef here"


def test_non_text_panel_with_text(tmp_path: Path) -> None:
    found = check(tmp_path, "dashboard", PANEL_HEAD + "  - {id: a, title: A, chart: pie, query: q, text: x}\n")
    assert [d.hint for d in found] == ["remove text here"]


def test_saved_search_requires_a_name(tmp_path: Path) -> None:
    d = only(check(tmp_path, "queries", "queries:\n  - id: a\n    savedSearch: true\n    query: q\n"))
    assert d.message == "missing required key 'name'"
    assert (d.position.line, d.position.column) == (2, 5)


def test_time_range_alternatives_are_explained(tmp_path: Path) -> None:
    d = only(check(tmp_path, "dashboard", "title: T\ntimeRange: 1d\npanels:\n  - {id: a, title: A, chart: text, "
                                          "text: x}\n"))
    assert d.message == '"1d" is not allowed here'
    assert "relative time" in d.hint


def test_token_like_key_is_unknown(tmp_path: Path) -> None:
    d = only(check(tmp_path, "source", """\
        collector: {name: C}
        source: {name: S, type: 1Password, category: c, baseUrl: events.1password.com, apis: [sign-in],
                 tokenEnv: T, token: abc}
        """))
    assert d.message == "unknown key 'token'"


def test_all_violations_are_reported_sorted(tmp_path: Path) -> None:
    found = check(tmp_path, "app", """\
        name: ""
        version: one
        description: d
        folder: f
        source: s.txt
        dashboards: []
        extra: 1
        """)
    assert [d.position.line for d in found] == sorted(d.position.line for d in found)
    assert {d.path for d in found} == {"name", "version", "source", "dashboards", "extra"}


def test_required_keys_have_descriptions_for_hints() -> None:
    """'missing required key' takes its hint from the property's description."""
    missing = []
    for kind in ("app", "source", "dashboard"):
        schema = load_schema(kind)
        for name in schema["required"]:
            if not schema["properties"][name].get("description"):
                missing.append(f"{kind}.{name}")
    for ref in ("panel", "variable"):
        definition = load_schema("dashboard")["$defs"][ref]
        missing += [f"{ref}.{n}" for n in definition["required"] if not definition["properties"][n].get("description")]
    assert missing == []


def test_schema_text_is_the_file() -> None:
    from appbuilder.commands.schema import schema_text

    for kind in KINDS:
        assert json.loads(schema_text(kind)) == load_schema(kind)


def test_inlined_schema_accepts_and_rejects_exactly_like_the_file_schema() -> None:
    """The validator inlines local $refs for speed; it must judge documents exactly as the schema file does."""
    from jsonschema import Draft202012Validator

    from appbuilder.validate.schema import _validator, load_schema

    documents = [
        {"title": "t", "panels": [{"id": "a", "title": "A", "chart": "pie", "query": "q"}]},
        {"title": "t", "timeRange": "1d", "panels": [{"id": "a", "title": "A", "chart": "pie", "query": "q"}]},
        {"title": "t", "panels": [{"id": "a", "title": "A", "chart": "text", "query": "q"}]},
        {"title": "t", "variables": [{"name": "v", "values": ["x"], "fromQuery": {"query": "q", "field": "f"}}],
         "panels": [{"id": "a", "title": "A", "chart": "map", "queryRef": "r", "position": {"x": 30, "y": 0}}]},
    ]
    plain = Draft202012Validator(load_schema("dashboard"))
    for document in documents:
        expected = sorted((list(e.absolute_path), e.validator) for e in plain.iter_errors(document))
        actual = sorted((list(e.absolute_path), e.validator) for e in _validator("dashboard").iter_errors(document))
        assert actual == expected
    assert any(plain.iter_errors(d) for d in documents[1:])


def test_a_document_seen_valid_is_not_walked_again_and_an_invalid_one_always_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from appbuilder.validate import schema

    walked: list[str] = []
    real = schema._violations
    monkeypatch.setattr(schema, "_violations", lambda doc, kind: walked.append(doc.display) or real(doc, kind))
    board = f"title: Seen valid {tmp_path.name}\npanels:\n  - id: a\n    title: A\n    chart: text\n    text: hi\n"
    assert check(tmp_path, "dashboard", board) == [] and check(tmp_path, "dashboard", board) == []
    assert walked == ["dashboard.yaml"]
    assert check(tmp_path, "queries", "queries: []\n") == [] and len(walked) == 2  # another kind: its own verdict
    broken = board.replace("chart: text", "chart: piee")
    first = check(tmp_path, "dashboard", broken)
    assert first and check(tmp_path, "dashboard", broken) == first and len(walked) == 4
    typed = board.replace("title: A", 'title: "1"')
    assert check(tmp_path, "dashboard", typed) == [] and len(walked) == 5
    assert check(tmp_path, "dashboard", typed.replace('title: "1"', "title: 1"))  # the number 1 is no title
