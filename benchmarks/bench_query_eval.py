"""Benchmark: every panel of the 1Password app's dashboards over 100,000 generated events.

    python benchmarks/bench_query_eval.py [--count 100000] [--profile]

Prints the time to prepare the events, the time to run all panels, and events per second.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appbuilder.load import load_app  # noqa: E402
from appbuilder.query.evaluate import Evaluator, Lookups  # noqa: E402


def _events(count: int) -> tuple[list[dict], Lookups]:
    script = ROOT / "scripts" / "gen_1password_events.py"
    if script.is_file():
        spec = importlib.util.spec_from_file_location("gen_1password_events", script)
        assert spec and spec.loader
        gen = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = gen
        spec.loader.exec_module(gen)
        events = gen.generate(count)
        lookups = Lookups(geo={r["ip"]: r for r in gen.geo_table(gen.event_ips(events))},
                          threats={r["threat"]: r for r in gen.threat_table()})
        return events, lookups
    rng = random.Random(1)  # fallback: a small generator of sign-in-shaped events
    events = [{"timestamp": f"2026-11-2{2 + i % 2}T{rng.randrange(24):02d}:00:00Z",
               "category": rng.choice(["success", "credentials_failed", "mfa_failed"]), "type": "credentials_ok",
               "target_user": {"name": f"u{rng.randrange(50)}", "email": "e"},
               "client": {"app_name": "a", "app_version": "1", "platform_name": "p", "os_name": "o",
                          "os_version": "1", "ip_address": f"192.0.2.{rng.randrange(200)}"},
               "location": {"country": "CA", "region": "ON", "city": "Toronto"}} for i in range(count)]
    return events, Lookups()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    app, diagnostics = load_app(ROOT / "app_definitions" / "1password")
    if app is None:
        print("\n".join(d.message for d in diagnostics))
        return 1
    events, lookups = _events(args.count)
    raw = [json.dumps(e, separators=(",", ":")) for e in events]
    panels = [(d, p) for d in app.dashboards for p in d.panels if p.query]
    params = app.parameter_defaults()
    profiler = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    evaluator = Evaluator(events, lookups, raw)
    t1 = time.perf_counter()
    if profiler:
        profiler.enable()
    rows = 0
    for dash, panel in panels:
        table = evaluator.run(panel.query or "", parameters=params, time_range=panel.time_range or dash.time_range)
        rows += len(table.rows)
    t2 = time.perf_counter()
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    total = t2 - t0
    print(f"{len(events)} events, {len(panels)} panels of {len(app.dashboards)} dashboards, {rows} result rows")
    print(f"prepare {t1 - t0:.2f} s, run panels {t2 - t1:.2f} s, total {total:.2f} s")
    print(f"{len(events) * len(panels) / total:,.0f} event-panels/s, {len(events) / total:,.0f} events/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
