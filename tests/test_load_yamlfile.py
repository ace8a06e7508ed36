"""appbuilder.load.yamlfile: safe reading, positions of every node, block-scalar origins, budgets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from helpers import write

from appbuilder.load import yamlfile
from appbuilder.load.yamlfile import YamlDocument, read_yaml
from appbuilder.model import Position, TextOrigin

DOC = textwrap.dedent("""\
    # a comment
    title: Top
    nested:
      inner:
        deep: value
      list:
        - first
        - second: 2
          third: 3
    query: |
      _sourceCategory=x
        | json "a" as a
      | count by a
    folded: >
      one
      two
    quoted: "q {{v}}"
    single: 'q'
    flow: {a: 1, b: [x, y]}
    """)


def _read_ok(tmp_path: Path, text: str) -> YamlDocument:
    doc, problems = read_yaml(write(tmp_path, text), "doc.yaml")
    assert problems == []
    assert doc is not None
    return doc


def test_data_is_plain_python(tmp_path: Path) -> None:
    doc = _read_ok(tmp_path, DOC)
    assert type(doc.data) is dict
    assert type(doc.data["nested"]["list"]) is list
    assert doc.data["nested"]["list"][1] == {"second": 2, "third": 3}
    assert doc.data["query"] == '_sourceCategory=x\n  | json "a" as a\n| count by a\n'
    assert doc.data["folded"] == "one two\n"
    assert doc.data["flow"] == {"a": 1, "b": ["x", "y"]}


@pytest.mark.parametrize(("path", "key", "line", "column"), [
    ([], False, 2, 1),
    (["title"], False, 2, 8),
    (["title"], True, 2, 1),
    (["nested"], True, 3, 1),
    (["nested", "inner"], True, 4, 3),
    (["nested", "inner", "deep"], False, 5, 11),
    (["nested", "inner", "deep"], True, 5, 5),
    (["nested", "list", 0], False, 7, 7),
    (["nested", "list", 1], False, 8, 7),
    (["nested", "list", 1, "third"], False, 9, 14),
    (["nested", "list", 1, "third"], True, 9, 7),
    (["flow", "b", 1], False, 19, 21),
    (["quoted"], False, 17, 9),
])
def test_positions(tmp_path: Path, path: list[str | int], key: bool, line: int, column: int) -> None:
    doc = _read_ok(tmp_path, DOC)
    assert doc.position(path, key=key) == Position("doc.yaml", line, column)


def test_position_falls_back_to_nearest_parent(tmp_path: Path) -> None:
    doc = _read_ok(tmp_path, DOC)
    assert doc.position(["nested", "inner", "missing"]) == doc.position(["nested", "inner"])
    assert doc.position(["nested", "list", 7]) == doc.position(["nested", "list"])
    # key=True for a key that does not exist falls back to the parent's value position
    assert doc.position(["nested", "nope"], key=True) == doc.position(["nested"])


def test_block_scalar_origin_maps_each_line(tmp_path: Path) -> None:
    doc = _read_ok(tmp_path, DOC)
    origin = doc.text_origin(["query"])
    assert origin.block
    assert origin.first_line == 11
    assert origin.indent == 2
    lines = DOC.splitlines()
    text = doc.data["query"]
    for line_no, text_line in enumerate(text.splitlines(), start=1):
        column = text_line.index("|") + 1 if "|" in text_line else 1
        where = origin.locate(line_no, column)
        # the character found at the mapped file position is the one at (line, column) in the text
        assert lines[where.line - 1][where.column - 1] == text_line[column - 1]
    assert origin.locate(2, 3) == Position("doc.yaml", 12, 5)


def test_folded_scalar_origin_is_block(tmp_path: Path) -> None:
    origin = _read_ok(tmp_path, DOC).text_origin(["folded"])
    assert (origin.block, origin.first_line, origin.indent) == (True, 15, 2)


def test_quoted_scalar_origin_starts_after_the_quote(tmp_path: Path) -> None:
    origin = _read_ok(tmp_path, DOC).text_origin(["quoted"])
    assert origin.position == Position("doc.yaml", 17, 10)



def test_quoted_scalar_origin_skips_the_quote(tmp_path: Path) -> None:
    doc = _read_ok(tmp_path, DOC)
    origin = doc.text_origin(["quoted"])
    assert not origin.block
    # "q {{v}}": the variable is at text column 3, i.e. file column 9 (quote) + 1 + 2
    assert origin.locate(1, 3) == Position("doc.yaml", 17, 12)
    assert DOC.splitlines()[16][11:13] == "{{"


def test_plain_scalar_origin(tmp_path: Path) -> None:
    doc = _read_ok(tmp_path, DOC)
    origin = doc.text_origin(["title"])
    assert origin == TextOrigin(Position("doc.yaml", 2, 8))
    assert origin.locate(1, 1) == Position("doc.yaml", 2, 8)  # the "T" of "Top"


def test_text_origin_locate_beyond_first_line_of_flow_scalar() -> None:
    origin = TextOrigin(Position("f.yaml", 4, 10))
    assert origin.locate(3, 5) == Position("f.yaml", 4, 10)  # only the start is known


def test_yaml_1_2_booleans_and_norway(tmp_path: Path) -> None:
    doc = _read_ok(tmp_path, "a: yes\nb: no\nc: on\nd: true\ne: NO\n")
    assert doc.data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": "NO"}


def test_timestamps_and_binary_stay_json_values(tmp_path: Path) -> None:
    """Every loaded value must be JSON-representable: a YAML date is kept as its text."""
    doc = _read_ok(tmp_path, "when: 2026-01-01\nstamp: 2026-01-01T10:00:00Z\nblob: !!binary aGVsbG8=\n")
    for value in doc.data.values():
        assert isinstance(value, (str, int, float, bool)) or value is None, repr(value)
    assert doc.data["when"] == "2026-01-01"


def test_bom_is_accepted(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, "\ufeffa: 1\n".encode()), "doc.yaml")
    assert problems == [] and doc is not None and doc.data == {"a": 1}


@pytest.mark.parametrize(("content", "code", "line"), [
    ("", "empty-file", 1),
    ("   \n\n", "empty-file", 1),
    ("# one\n   # two\n", "empty-file", 1),
    ("a: [1, 2\nb: 3\n", "yaml-syntax", 2),
    ("a: 1\n\tb: 2\n", "yaml-syntax", 2),
])
def test_unreadable_documents(tmp_path: Path, content: str, code: str, line: int) -> None:
    doc, problems = read_yaml(write(tmp_path, content), "doc.yaml")
    assert doc is None
    assert [(p.code, p.position.line) for p in problems] == [(code, line)]


def test_every_duplicate_key_is_reported(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, "a: 1\nb: 2\na: 3\nc:\n  x: 1\n  x: 2\n"), "doc.yaml")
    assert doc is None
    assert [(p.message, p.position.line, p.position.column) for p in problems] == [
        ("duplicate key 'a'", 3, 1), ("duplicate key 'x'", 6, 3)]


def test_missing_and_directory(tmp_path: Path) -> None:
    doc, problems = read_yaml(tmp_path / "nope.yaml", "nope.yaml")
    assert doc is None and [p.code for p in problems] == ["file-missing"]
    doc, problems = read_yaml(tmp_path, "dir")
    assert doc is None and [p.code for p in problems] == ["file-is-directory"]
    assert problems[0].position == Position("dir")


def test_not_utf8_position(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, b"a: 1\nb: caf\xe9\n"), "doc.yaml")
    assert doc is None
    assert problems[0].code == "encoding"
    assert (problems[0].position.line, problems[0].position.column) == (2, 7)
    assert "0xe9" in problems[0].message


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "a: " + "x" * 2000 + "\n")
    monkeypatch.setattr(yamlfile, "MAX_FILE_BYTES", 1000)
    doc, problems = read_yaml(path, "doc.yaml")
    assert doc is None and problems[0].code == "file-too-large"


def test_node_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "items: [" + ", ".join(str(i) for i in range(50)) + "]\n")
    monkeypatch.setattr(yamlfile, "MAX_NODES", 60)
    doc, problems = read_yaml(path, "doc.yaml")
    assert problems == [] and doc is not None and len(doc.data["items"]) == 50
    monkeypatch.setattr(yamlfile, "MAX_NODES", 40)
    doc, problems = read_yaml(path, "doc.yaml")
    assert doc is None and [p.code for p in problems] == ["too-many-nodes"]


def test_alias_expansion_counts_against_the_budget(tmp_path: Path) -> None:
    levels = ["a: &a [" + ",".join(['"lol"'] * 10) + "]"]
    for index, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[index]
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    doc, problems = read_yaml(write(tmp_path, "\n".join(levels) + "\n"), "doc.yaml")
    assert doc is None
    assert [p.code for p in problems] == ["too-many-nodes"]


def test_small_aliases_are_fine(tmp_path: Path) -> None:
    doc = _read_ok(tmp_path, "base: &b {x: 1}\nother: *b\n")
    assert doc.data == {"base": {"x": 1}, "other": {"x": 1}}


def test_deep_nesting_is_reported_as_nesting(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, "a: " + "[" * 1000 + "]" * 1000 + "\n"), "doc.yaml")
    assert doc is None
    assert len(problems) == 1
    assert "deep" in problems[0].message and "aliases" not in problems[0].message


def test_unknown_tag_is_positioned(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, "a: 1\nb: !foo bar\n"), "doc.yaml")
    assert doc is None
    assert (problems[0].position.line, problems[0].position.column) == (2, 4)
    assert "\n" not in problems[0].message and "<unicode string>" not in problems[0].message


def test_unclosed_quote_points_at_the_quote(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, 'a: 1\nb: "open\nc: 2\nd: 3\n'), "doc.yaml")
    assert doc is None
    assert (problems[0].position.line, problems[0].position.column) == (2, 4)
    assert "quoted scalar" in problems[0].message


def test_display_name_is_used(tmp_path: Path) -> None:
    doc, _ = read_yaml(write(tmp_path, "a: 1\n"), "shown/name.yaml")
    assert doc is not None and doc.position(["a"]).file == "shown/name.yaml"
    doc, _ = read_yaml(write(tmp_path, "a: 1\n"))
    assert doc is not None and doc.display == str(tmp_path / "doc.yaml")


def test_a_quote_left_open_is_reported_where_it_opens_not_where_the_yaml_breaks(tmp_path: Path) -> None:
    """The quote opened on line 2 closes at the next `"` (line 5); the parser fails there, the mistake is at 2."""
    text = 'a: 1\nb: "unclosed\nc: 3\nd: 4\ne: "x"\nf: 5\n'
    doc, problems = read_yaml(write(tmp_path, text), "doc.yaml")
    assert doc is None and len(problems) == 1
    assert (problems[0].position.line, problems[0].position.column) == (2, 4)
    assert "runs on to line 5" in problems[0].message and "closing quote" in problems[0].message


def test_the_bundled_dashboard_with_an_open_quote_points_at_its_line(tmp_path: Path) -> None:
    """The case that was reported at overview.yaml:95:29: a title's opening quote on line 13."""
    source = Path(__file__).resolve().parents[1] / "app_definitions/1password/dashboards/overview.yaml"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[12].startswith("    title: ")
    lines[12] = lines[12].replace("title: ", 'title: "', 1)
    doc, problems = read_yaml(write(tmp_path, "".join(lines)), "overview.yaml")
    assert doc is None and (problems[0].position.line, problems[0].position.column) == (13, 12)


@pytest.mark.parametrize("ending", ["\n", ""])
def test_a_broken_flow_list_on_the_last_line_is_reported_on_that_line(tmp_path: Path, ending: str) -> None:
    doc, problems = read_yaml(write(tmp_path, f"a: 1\nb: [1, 2{ending}"), "doc.yaml")
    assert doc is None
    assert (problems[0].position.line, problems[0].position.column) == (2, 4)
    assert "flow sequence" in problems[0].message


def test_the_context_mark_is_named_as_a_second_place(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, "a:\n  b: 1\n c: 2\n"), "doc.yaml")
    assert doc is None and (problems[0].position.line, problems[0].position.column) == (3, 2)
    assert problems[0].message.endswith("(while parsing a block mapping at doc.yaml:1:1)")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_a_control_character_is_reported_at_its_line_and_column(tmp_path: Path, char: str) -> None:
    doc, problems = read_yaml(write(tmp_path, f"a: 1\nb: 2\nc: 3\nd: x{char}y\n"), "doc.yaml")
    assert doc is None and len(problems) == 1
    assert (problems[0].position.line, problems[0].position.column) == (4, 5)
    assert f"U+{ord(char):04X}" in problems[0].message and "<unicode string>" not in problems[0].message


def test_a_text_read_again_is_not_parsed_again_and_each_reader_gets_its_own_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parses: list[str] = []
    real = yamlfile._parse
    monkeypatch.setattr(yamlfile, "_parse", lambda path, shown, text: parses.append(shown) or real(path, shown, text))
    text = DOC + f"# {tmp_path}\n"  # a text no other test read
    first_path, copy_path = write(tmp_path, text, "first.yaml"), write(tmp_path, text, "copy.yaml")
    first, problems = read_yaml(first_path, "first.yaml")
    assert problems == [] and first is not None
    first.data["nested"]["list"].append("changed by its reader")
    again, problems = read_yaml(copy_path, "copy.yaml")  # the same text in another file: not parsed again
    assert problems == [] and again is not None and parses == ["first.yaml"]
    assert (again.path, again.display) == (copy_path, "copy.yaml") and again.position(["title"]).file == "copy.yaml"
    assert again.data["nested"]["list"] == ["first", {"second": 2, "third": 3}]  # not the first reader's change
    assert (again.values, again.keys, again.merged_at) == (first.values, first.keys, first.merged_at)
    write(tmp_path, text.replace("title: Top", "title: Changed"), "first.yaml")
    changed, _ = read_yaml(first_path, "first.yaml")
    assert changed is not None and changed.data["title"] == "Changed" and parses == ["first.yaml", "first.yaml"]
