"""Benchmark: every panel of the 1Password app's dashboards over generated events, on the DuckDB engine (events
read straight from a JSON-lines file) and, up to 100,000 events, on the Python evaluator; then one ``count by``
panel against a hand-written DuckDB query over the same file (the floor), and against one written by hand to give
the panel's exact answer (its window back from the newest event, its required keys, its order of ties).

    python benchmarks/bench_query_eval.py [--events 1000000] [--engine duckdb|python|both]
                                          [--data-dir /tmp/appbuilder-bench] [--keep] [--profile]

The events file is generated once per size (in a child process, so the figures here are the engine's own) and
deleted at the end unless ``--keep``. Prints times, peak memory (the process's maximum resident set) and the
machine's load average.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import os
import pstats
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appbuilder.load import load_app  # noqa: E402
from appbuilder.query.evaluate import Evaluator, Lookups  # noqa: E402

PYTHON_LIMIT = 100_000  # the Python evaluator holds every event as dicts: ~9 GB at a million
CHUNK = 100_000
FLOOR_PANEL = "events_by_type"  # overview: `count by type | sort by _count`


def _generator() -> ModuleType:
    script = ROOT / "scripts" / "gen_1password_events.py"
    spec = importlib.util.spec_from_file_location("gen_1password_events", script)
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    return gen


def write_events(path: Path, count: int) -> None:
    """``count`` events (nine sign-ins or item usages to one audit event), written chunk by chunk."""
    gen = _generator()
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8") as fh:
        done, seed = 0, 1
        while done < count:
            n = min(CHUNK, count - done)
            events = gen.generate(n - n // 10, seed) + gen.generate_audits(n // 10, seed)
            fh.writelines(json.dumps(e, separators=(",", ":")) + "\n" for e in events)
            done, seed = done + n, seed + 1
    tmp.replace(path)


def lookups() -> Lookups:
    gen = _generator()
    return Lookups(geo={r["ip"]: r for r in gen.geo_table()}, threats={r["threat"]: r for r in gen.threat_table()})


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process, DuckDB's threads included: less sensitive than wall time to a busy machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_panels(engine: object, panels: list, params: dict) -> tuple[int, float]:
    rows = 0
    start = time.perf_counter()
    for dash, panel in panels:
        table = engine.run(panel.query or "", parameters=params,  # type: ignore[attr-defined]
                           time_range=panel.time_range or dash.time_range)
        rows += len(table.rows)
    return rows, time.perf_counter() - start


def bench_duckdb(path: Path, panels: list, params: dict, count: int) -> None:
    from appbuilder.query.engines.duck import DuckEngine

    c0, t0 = cpu_seconds(), time.perf_counter()
    engine = DuckEngine.from_jsonl([path], lookups())
    engine.prepare([panel.query or "" for _, panel in panels], parameters=params)  # as `test` and `preview` do
    t1 = time.perf_counter()
    rows, seconds = run_panels(engine, panels, params)
    engine.close()
    print(f"duckdb  {count:>10,} events  {len(panels)} panels  {rows} rows  open {t1 - t0:.2f} s  "
          f"panels {seconds:.2f} s  total {t1 - t0 + seconds:.2f} s (CPU {cpu_seconds() - c0:.2f} s)  "
          f"peak {peak_mb():,.0f} MB")


# The panel's exact answer written by hand: the 11 keys its `json` requires present, the sign-ins, its 7-day
# window back from the newest event, and ties in the count in the order the types first appear
SAME_KEYS = ["category", "type", "timestamp", "target_user.name", "target_user.email", "client.app_name",
             "client.app_version", "client.platform_name", "client.os_name", "client.os_version", "client.ip_address"]
SAME_ANSWER = (
    "SELECT type, count(*) AS n FROM (SELECT json_extract_string(j[2], '$') AS type, pos, "
    "sumo_ts(json_extract_string(j[3], '$')) AS ts FROM (SELECT json_extract(json, [{paths}]) AS j, pos "
    "FROM read_ndjson_objects(?) WITH ORDINALITY AS f(json, pos)) WHERE {present} "
    "AND json_extract_string(j[1], '$') IS NOT NULL) "
    "WHERE ts IS NULL OR (ts > ? - 7 * 86400000 AND ts <= ?) GROUP BY type ORDER BY n DESC, min(pos)")


def bench_floor(path: Path, panels: list, params: dict) -> None:
    """One panel on a fresh engine (scan, extraction and all) against the query a user would write by hand:
    the plain one (the floor), and one giving the panel's exact answer (checked equal to the panel's rows)."""
    import duckdb

    from appbuilder.query.engines.duck import DuckEngine
    from appbuilder.query.engines.duckio import TS_MACRO, default_threads

    dash, panel = next((d, p) for d, p in panels if p.id == FLOOR_PANEL)
    c0, t0 = cpu_seconds(), time.perf_counter()
    engine = DuckEngine.from_jsonl([path], lookups())
    engine.prepare([panel.query or ""], parameters=params)  # one query, as `query run` runs it
    opened = time.perf_counter() - t0
    got = engine.run(panel.query or "", parameters=params, time_range=panel.time_range or dash.time_range)
    ours, ours_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    hand = ("SELECT json_extract_string({0}, '$.type') AS type, count(*) AS n FROM {1} "
            "WHERE json_extract({0}, '$.category') IS NOT NULL GROUP BY type ORDER BY n DESC")
    pairs = []  # the panel, then the hand-written query, on the events the engine read: the median of 5 pairs
    for _ in range(5):
        t0 = time.perf_counter()
        engine.run(panel.query or "", parameters=params, time_range=panel.time_range or dash.time_range)
        t1 = time.perf_counter()
        engine.con.execute(hand.format('"_raw"', "events")).fetchall()
        pairs.append((t1 - t0, time.perf_counter() - t1))
    engine.close()
    panel_alone, loaded = statistics.median(a for a, _ in pairs), statistics.median(b for _, b in pairs)
    ratio_read = statistics.median(a / b for a, b in pairs)
    con = duckdb.connect(config={"threads": default_threads(), "memory_limit": "1GB"})
    con.execute("SET TimeZone = 'UTC'")
    con.execute(TS_MACRO)
    c0, t0 = cpu_seconds(), time.perf_counter()
    con.execute(hand.format("json", "read_ndjson_objects(?)"), [str(path)]).fetchall()
    floor, floor_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    t0 = time.perf_counter()
    # as the engine runs it: DuckDB would otherwise extract the keys once per reference to them
    con.execute("SET disabled_optimizers = 'filter_pushdown'")
    newest = con.execute("SELECT max(sumo_ts(json_extract_string(json, '$.timestamp'))) FROM read_ndjson_objects(?)",
                         [str(path)]).fetchone()[0]
    same = SAME_ANSWER.format(paths=", ".join(f"'$.{key}'" for key in SAME_KEYS),
                              present=" AND ".join(f"j[{i}] IS NOT NULL" for i in range(1, len(SAME_KEYS) + 1)))
    rows = con.execute(same, [str(path), newest, newest]).fetchall()
    exact = time.perf_counter() - t0
    con.close()
    if [(r["type"], r["_count"]) for r in got.rows] != rows:
        print("the hand-written exact answer differs from the panel's rows")
    print(f"floor   panel {FLOOR_PANEL}: engine {ours:.2f} s (CPU {ours_cpu:.2f} s; fresh: open {opened:.2f} s, "
          f"then the panel {ours - opened:.2f} s), "
          f"hand-written DuckDB on the file {floor:.2f} s (CPU {floor_cpu:.2f} s), ratio {ours / floor:.2f} "
          f"(CPU {ours_cpu / floor_cpu:.2f}); on the events read (median of 5): panel {panel_alone:.2f} s, "
          f"hand-written {loaded:.2f} s, ratio {ratio_read:.2f}; hand-written with the panel's exact answer "
          f"{exact:.2f} s, ratio {ours / exact:.2f}")


def bench_python(path: Path, panels: list, params: dict, count: int, profile: bool) -> None:
    if count > PYTHON_LIMIT:
        print(f"python  skipped: more than {PYTHON_LIMIT:,} events (it holds them all as Python objects)")
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    t0 = time.perf_counter()
    evaluator = Evaluator([json.loads(line) for line in lines], lookups(), lines)
    t1 = time.perf_counter()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    rows, seconds = run_panels(evaluator, panels, params)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(f"python  {count:>10,} events  {len(panels)} panels  {rows} rows  prepare {t1 - t0:.2f} s  "
          f"panels {seconds:.2f} s  total {t1 - t0 + seconds:.2f} s  peak {peak_mb():,.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", "--count", type=int, default=100_000)
    parser.add_argument("--engine", choices=["duckdb", "python", "both"], default="duckdb")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/appbuilder-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the generated events file")
    parser.add_argument("--no-floor", action="store_true", help="skip the hand-written DuckDB comparison")
    parser.add_argument("--profile", action="store_true", help="profile the Python evaluator")
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)  # the child process that generates
    args = parser.parse_args()
    if args.write:
        write_events(args.write, args.events)
        return 0
    app, diagnostics = load_app(ROOT / "app_definitions" / "1password")
    if app is None:
        print("\n".join(d.message for d in diagnostics))
        return 1
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / f"events-{args.events}.jsonl"
    if not path.is_file():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--write", str(path), "--events", str(args.events)], check=True)
        print(f"generated {args.events:,} events in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:,.0f}"
              f" MB) at {path}")
    panels = [(d, p) for d in app.dashboards for p in d.panels if p.query and str(p.query_type).lower() != "metrics"]
    params = app.parameter_defaults()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    try:
        if args.engine in ("duckdb", "both"):
            bench_duckdb(path, panels, params, args.events)
        if args.engine in ("python", "both"):
            bench_python(path, panels, params, args.events, args.profile)
        if not args.no_floor:
            bench_floor(path, panels, params)
    finally:
        if not args.keep:
            path.unlink(missing_ok=True)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
