"""appbuilder.templating: ``{{var}}`` (dashboard variables) and ``${param}`` (install parameters)."""

from __future__ import annotations

from appbuilder.templating import (
    Reference,
    find_parameters,
    find_variables,
    substitute_parameters,
    substitute_variables,
)

TEXT = '_sourceCategory=${source_category}\n| where type matches "{{type}}" and x = "${ other }"\n| limit {{ top_k }}'


def test_find_variables_with_positions() -> None:
    assert find_variables(TEXT) == [Reference("type", 2, 23), Reference("top_k", 3, 9)]


def test_find_parameters_with_positions() -> None:
    assert find_parameters(TEXT) == [Reference("source_category", 1, 17), Reference("other", 2, 42)]


def test_positions_point_at_the_opening_brace() -> None:
    lines = TEXT.splitlines()
    for ref in find_variables(TEXT):
        assert lines[ref.line - 1][ref.column - 1:ref.column + 1] == "{{"
    for ref in find_parameters(TEXT):
        assert lines[ref.line - 1][ref.column - 1:ref.column + 1] == "${"


def test_the_syntaxes_are_not_confused() -> None:
    assert find_variables("${x} $x {x}") == []
    assert find_parameters("{{x}} {x} $x") == []
    # "${{x}}" is a dashboard variable preceded by a dollar sign, not a parameter
    assert find_parameters("${{x}}") == []
    assert find_variables("${{x}}") == [Reference("x", 1, 2)]


def test_invalid_names_are_not_references() -> None:
    assert find_variables("{{1abc}} {{a-b}} {{}} {{ a b }}") == []
    assert find_parameters("${1abc} ${a-b} ${} ${a b}") == []


def test_substitute_parameters() -> None:
    out = substitute_parameters(TEXT, {"source_category": "1password/events", "other": "o"})
    assert out.startswith("_sourceCategory=1password/events\n")
    assert 'x = "o"' in out
    assert "{{type}}" in out and "{{ top_k }}" in out  # dashboard variables untouched


def test_substitute_parameters_leaves_unknown_names() -> None:
    assert substitute_parameters("a ${x} b ${y}", {"x": "1"}) == "a 1 b ${y}"


def test_substituted_values_are_not_rescanned() -> None:
    assert substitute_parameters("${a}", {"a": "${b}", "b": "no"}) == "${b}"
    assert substitute_parameters("${a}", {"a": r"\1 \g<0>"}) == r"\1 \g<0>"


def test_substitute_variables() -> None:
    out = substitute_variables(TEXT, {"type": "t", "top_k": "5"})
    assert out.endswith('matches "t" and x = "${ other }"\n| limit 5')
    assert substitute_variables("{{a}} {{b}}", {"a": "1"}) == "1 {{b}}"


def test_no_references() -> None:
    assert find_variables("") == [] and find_parameters("plain text") == []
    assert substitute_parameters("plain", {"a": "b"}) == "plain"
