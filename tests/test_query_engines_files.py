"""Events from JSON-lines files (`--events`): the checks naming a bad file and line, the choice of engine, and
the error when DuckDB fails on a query the Python evaluator cannot take over (no events in memory)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from appbuilder.query.engines import files, local
from appbuilder.query.engines.duck import DuckEngine
from appbuilder.query.engines.files import EventsError, check_files, count_lines, load_events, open_duck
from appbuilder.query.engines.local import LocalEngine
from appbuilder.query.evaluate import EvalError, Evaluator

EVENTS = [{"timestamp": "2026-11-22T10:00:00Z", "type": "a"}, {"timestamp": "2026-11-23T10:00:00Z", "type": "b"},
          {"timestamp": "2026-11-23T11:00:00Z", "type": "a"}]
QUERY = '| json "type" as type | count by type | sort by type'


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return jsonl(tmp_path / "good.jsonl", [json.dumps(e) for e in EVENTS])


@pytest.mark.parametrize("engine", ["duckdb", "python", "auto"])
def test_each_engine_answers_as_the_evaluator_on_the_events_with_now_the_newest(good, engine):
    engine_ = LocalEngine.from_files([good], engine=engine)
    reference = Evaluator(EVENTS)
    assert engine_.last_time == reference.last_time == 1795431600000  # 2026-11-23T11:00:00Z
    assert engine_.run(QUERY).rows == reference.run(QUERY).rows == [{"type": "b", "_count": 1},
                                                                    {"type": "a", "_count": 2}]
    windowed = engine_.run(QUERY, time_range="-2h")  # the window ends at the newest event
    assert windowed.rows == reference.run(QUERY, time_range="-2h").rows == [{"type": "b", "_count": 1},
                                                                            {"type": "a", "_count": 1}]
    assert bool(engine_.files) == (engine == "duckdb")  # only DuckDB reads the files; the others loaded them


def test_auto_reads_the_files_with_duckdb_from_small_input_on(good, monkeypatch):
    monkeypatch.setattr(local, "SMALL_INPUT", 3)
    assert LocalEngine.from_files([good]).files == [str(good)]
    monkeypatch.setattr(local, "SMALL_INPUT", 4)
    assert LocalEngine.from_files([good]).files == []


def test_several_files_are_one_event_set(tmp_path):
    first = jsonl(tmp_path / "a.jsonl", [json.dumps(EVENTS[0])])
    second = jsonl(tmp_path / "b.jsonl", [json.dumps(e) for e in EVENTS[1:]] + [""])
    for engine in ("duckdb", "python"):
        assert LocalEngine.from_files([first, second], engine=engine).run(QUERY).rows[-1] == {"type": "a", "_count": 2}


@pytest.mark.parametrize(("lines", "where", "message"), [
    (['{"a": 1}', '{"a": 2', '{"a": 3}'], ":2:8", "invalid JSON"),
    (['{"a": 1}', '', 'not json at all'], ":3:1", "invalid JSON"),
    (['{"a": 1}', '  {"a": x}'], ":2:9", "invalid JSON"),
])
@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_bad_line_is_named_by_file_line_and_column(tmp_path, lines, where, message, engine):
    path = jsonl(tmp_path / "bad.jsonl", lines)
    with pytest.raises(EventsError) as caught:
        LocalEngine.from_files([path], engine=engine)
    assert caught.value.where == f"{path}{where}" and message in caught.value.message
    assert str(caught.value).startswith(f"{path}{where}: ") and "\n" not in str(caught.value)


def test_bytes_that_are_not_utf8_are_named(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"a": 1}\n{"name": "M\xfcller"}\n')
    for engine in ("duckdb", "python"):
        with pytest.raises(EventsError, match=r"latin1\.jsonl:2:\d+: not valid UTF-8 \(byte 0xfc\)"):
            LocalEngine.from_files([path], engine=engine)


def test_a_byte_order_mark_and_blank_lines_are_accepted(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(json.dumps(e) for e in EVENTS).encode() + b"\n\n")
    assert load_events([path])[0] == EVENTS
    assert open_duck([path], None).run(QUERY).rows[-1] == {"type": "a", "_count": 2}


def test_files_that_cannot_be_read(tmp_path, good):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    cases = {tmp_path / "missing.jsonl": "file not found", tmp_path: "is a directory", fifo: "not a regular file"}
    for path, message in cases.items():
        with pytest.raises(EventsError) as caught:
            check_files([good, path])
        assert caught.value.where == str(path) and message in caught.value.message and caught.value.hint
    with pytest.raises(EventsError, match="no file given"):
        check_files([])


def test_a_json_array_is_refused_with_how_to_convert_it(tmp_path):
    path = tmp_path / "events.json"
    path.write_text("\n  " + json.dumps(EVENTS), encoding="utf-8")
    with pytest.raises(EventsError, match="holds a JSON array") as caught:
        check_files([path])
    assert "jq -c '.[]'" in caught.value.hint


def test_the_python_evaluator_refuses_more_than_it_loads(good, monkeypatch):
    monkeypatch.setattr(files, "MAX_LOADED_BYTES", good.stat().st_size - 1)
    with pytest.raises(EventsError, match="holds every event in memory") as caught:
        LocalEngine.from_files([good], engine="python")
    assert "--engine duckdb" in caught.value.hint
    assert LocalEngine.from_files([good], engine="auto").files == [str(good)]  # auto reads them with DuckDB


def test_count_lines_stops_at_the_limit_and_counts_a_last_line_without_newline(tmp_path):
    path = tmp_path / "e.jsonl"
    path.write_text("{}\n" * 5 + "{}", encoding="utf-8")
    assert count_lines([path], 100) == 6
    assert count_lines([path, path], 100) == 12
    assert 3 <= count_lines([path, path], 3) <= 6


def test_a_duckdb_failure_on_file_input_names_the_query_and_the_cause(good, monkeypatch):
    def gap(self, text, **kwargs):
        raise RuntimeError("no SQL for this")

    monkeypatch.setattr(DuckEngine, "run", gap)
    engine = LocalEngine.from_files([good], engine="duckdb")
    with pytest.raises(EvalError) as caught:
        engine.run(QUERY)
    message = str(caught.value)
    assert "'| json \"type\" as type | count by type | sort by type'" in message
    assert "RuntimeError: no SQL for this" in message and str(good) in message and "--engine python" in message
