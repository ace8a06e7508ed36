"""Safe reading of every input file: nesting depth checked before composing, JSON/JSON-lines readers, token files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write

from appbuilder.diagnostics import InputError
from appbuilder.load.jsonfile import MAX_JSON_DEPTH, MAX_LINE_PROBLEMS, load_json, read_json, read_jsonl
from appbuilder.load.textfile import read_token_file
from appbuilder.load.yamlfile import MAX_DEPTH, read_yaml


@pytest.mark.parametrize(("text", "line", "column"), [
    ("a: " + "[" * 30_000 + "]" * 30_000 + "\n", 1, 3 + MAX_DEPTH),  # 60 KB: the C composer would crash
    ("a: " + "{b: " * 20_000 + "1" + "}" * 20_000 + "\n", 1, 4 + 4 * (MAX_DEPTH - 1)),
    ("a:\n" + "- " * 30_000 + "x\n", 2, 1 + 2 * (MAX_DEPTH - 1)),
    ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 400)), MAX_DEPTH + 1, MAX_DEPTH + 1),
])
def test_deep_nesting_is_refused_before_composing(tmp_path: Path, text: str, line: int, column: int) -> None:
    doc, problems = read_yaml(write(tmp_path, text), "doc.yaml")
    assert doc is None
    [problem] = problems
    assert problem.code == "too-deep" and f"more than {MAX_DEPTH} levels" in problem.message
    assert (problem.position.line, problem.position.column) == (line, column)


def test_nesting_at_the_limit_is_fine(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"))
    assert not problems and doc is not None


def test_brackets_inside_a_block_scalar_are_not_nesting(tmp_path: Path) -> None:
    query = "q: |\n  " + "{{x}} [" * 300 + "\n"  # over the cheap bound: the exact scan decides
    doc, problems = read_yaml(write(tmp_path, query))
    assert not problems and doc is not None and doc.data["q"].startswith("{{x}} [")


def test_yaml_with_a_bom_is_read(tmp_path: Path) -> None:
    doc, problems = read_yaml(write(tmp_path, b"\xef\xbb\xbfa: 1\n"))
    assert not problems and doc is not None and doc.data == {"a": 1}


def test_read_json_values_and_positions(tmp_path: Path) -> None:
    assert read_json(write(tmp_path, b'\xef\xbb\xbf{"a": [1, 2]}', "ok.json")) == ({"a": [1, 2]}, [])
    value, [problem] = read_json(write(tmp_path, '{\n  "a": 1,\n  "b": }\n', "bad.json"), "bad.json")
    assert value is None and problem.code == "json-syntax"
    assert (problem.position.file, problem.position.line, problem.position.column) == ("bad.json", 3, 8)
    _, [problem] = read_json(write(tmp_path, b'{"a": "caf\xe9"}', "latin.json"))
    assert problem.code == "encoding" and problem.position.column == 11
    _, [problem] = read_json(write(tmp_path, "  \n", "empty.json"))
    assert problem.code == "empty-file"
    _, [problem] = read_json(tmp_path / "missing.json")
    assert problem.code == "file-missing"
    _, [problem] = read_json(tmp_path)
    assert problem.code == "file-is-directory"


@pytest.mark.parametrize("text", ["[" * 200_000, "[" * 200_000 + "]" * 200_000,
                                  '{"a":' * 50_000 + "1" + "}" * 50_000,
                                  json.dumps(json.loads("[" * (MAX_JSON_DEPTH + 5) + "]" * (MAX_JSON_DEPTH + 5)))])
def test_deep_json_is_a_problem_not_a_crash(tmp_path: Path, text: str) -> None:
    value, problems = read_json(write(tmp_path, text, "deep.json"))
    assert value is None and [p.code for p in problems] in (["too-deep"], ["json-syntax"])
    if text.endswith("]") or text.endswith("}"):
        assert problems[0].code == "too-deep"


def test_load_json_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_json(write(tmp_path, "{", "broken.json"), "broken.json")
    assert raised.value.diagnostics[0].position.file == "broken.json"
    assert load_json(write(tmp_path, "[1]", "fine.json")) == [1]


def test_read_jsonl_reports_each_bad_line(tmp_path: Path) -> None:
    text = b'\xef\xbb\xbf{"a": 1}\n\n  [1, 2]\n{"b": \n"text"\n{"c": 3}\n'
    lines = read_jsonl(write(tmp_path, text, "events.jsonl"), "events.jsonl")
    assert lines.rows == [(1, {"a": 1}), (6, {"c": 3})]
    assert lines.raw == ['{"a": 1}', '{"c": 3}']
    found = [(d.position.line, d.position.column, d.message) for d in lines.diagnostics]
    assert found == [(3, 3, "line is not a JSON object (found an array)"),
                     (4, 6, "invalid JSON: Expecting value"),
                     (5, 1, "line is not a JSON object (found a string)")]
    assert all(d.hint.startswith("each line holds one JSON object") for d in lines.diagnostics)


def test_token_files(tmp_path: Path) -> None:
    assert read_token_file(write(tmp_path, "  secret-value\n", "token")) == ("secret-value", None)
    assert read_token_file(write(tmp_path, "\n", "empty")) == (None, None)
    _, problem = read_token_file(write(tmp_path, b"\xffsecret\xfe", "binary"))
    assert problem is not None and problem.code == "encoding" and str(tmp_path / "binary") in str(problem.position)
    assert "0xff" not in problem.message and "secret" not in problem.message
    _, problem = read_token_file(tmp_path / "nope")
    assert problem is not None and problem.code == "file-missing" and "--token-file" in problem.hint
    _, problem = read_token_file(tmp_path)
    assert problem is not None and problem.code == "file-is-directory"


def test_a_file_that_is_not_json_lines_is_summed_up(tmp_path: Path) -> None:
    text = "".join(f"line {n}: not json\n" for n in range(1, 31)) + '{"ok": 1}\n'
    lines = read_jsonl(write(tmp_path, text, "notes.jsonl"), "notes.jsonl")
    assert lines.rows == [(31, {"ok": 1})]
    assert [d.position.line for d in lines.diagnostics] == [*range(1, MAX_LINE_PROBLEMS + 1), MAX_LINE_PROBLEMS + 1]
    assert lines.diagnostics[-1].message == f"{30 - MAX_LINE_PROBLEMS} more lines of this file are not JSON objects"


def test_install_reports_a_bad_token_file_by_path(tmp_path: Path) -> None:
    from appbuilder.deploy.apply import resolve_token
    from appbuilder.deploy.state import DeployError

    token_file = write(tmp_path, b"\xfftoken-bytes\n", "token")
    with pytest.raises(DeployError) as raised:
        resolve_token("UNSET_TOKEN_ENV", token_file, env={})
    assert str(token_file) in raised.value.message and "not valid UTF-8" in raised.value.message
    assert "token-bytes" not in raised.value.message and raised.value.hint
    assert resolve_token("UNSET_TOKEN_ENV", write(tmp_path, "abc\n", "good"), env={}) == "abc"
