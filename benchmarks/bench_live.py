"""Benchmark: what `appbuilder test --live` costs for a whole app against the fake Sumo at Sumo's limits
(4 requests/s, 10 in flight, search jobs gathering for ``--job-polls`` polls), in real time.

Run: python benchmarks/bench_live.py [--app app_definitions/1password] [--job-polls 1] [--latency 0.05]
Scenarios: a healthy run (the app's samples in the category its queries read: one search job per query), and a
run with the wrong source category (every panel empty and explained: the scope and shape queries are shared, so
they add a few jobs, not one per panel). Prints search jobs, API requests, 429s, the peak requests in any 1 s,
and wall time; after each run the fake holds no search job.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from appbuilder.commands.fake_sumo import preload  # noqa: E402
from appbuilder.commands.test_live import LiveSettings, parse_window, run_live_test  # noqa: E402
from appbuilder.deploy.session import DeployOptions  # noqa: E402
from appbuilder.deploy.testing import peak_rate  # noqa: E402
from appbuilder.fakesumo.server import FakeSumo  # noqa: E402
from appbuilder.live.jobs import MAX_RUNNING_JOBS  # noqa: E402

KEYS = {"bench": "bench-key"}


def _newest_sample(app: Path) -> str:
    import json

    from appbuilder.query.evaluate import timestamp_ms

    stamps = [timestamp_ms(json.loads(line).get("timestamp")) for path in sorted((app / "samples").glob("*.jsonl"))
              for line in path.read_text().splitlines() if line.strip()]
    return str(max(s for s in stamps if s is not None))


def scenario(app: Path, parameters: dict[str, str], job_polls: int, latency: float) -> dict[str, object]:
    with FakeSumo(keys=KEYS, rate_limit=4.0, max_in_flight=10, job_polls=job_polls, latency=latency) as fake:
        problem = preload(fake, sorted((app / "samples").glob("*.jsonl")), "1pw", app / "tests" / "lookups")
        assert problem is None, problem
        settings = LiveSettings(DeployOptions(base_url=fake.base_url, access_id="bench", access_key="bench-key",
                                              env={}), parse_window("7d", None, _newest_sample(app), 0))
        began = time.perf_counter()
        outcome = run_live_test(app, variables={}, parameters=parameters, settings=settings)
        wall = time.perf_counter() - began
        result = outcome.result
        assert result is not None and not fake.search_jobs.active()
        statuses: dict[str, int] = {}
        for case in result.cases:
            statuses[case.status or "?"] = statuses.get(case.status or "?", 0) + 1
        log = fake.requests
        return {"queries": len(result.cases), "statuses": statuses, "search jobs": result.live["searchJobs"],
                "requests": result.live["requests"], "429s": sum(1 for r in log if r.status == 429),
                "peak/s": peak_rate(log), "wall s": round(wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=REPO / "app_definitions" / "1password")
    parser.add_argument("--job-polls", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    print(f"app {args.app.name}; fake at 4 requests/s, {args.latency * 1000:.0f} ms latency, jobs done after "
          f"{args.job_polls} poll(s); at most {MAX_RUNNING_JOBS} search jobs at once")
    for name, params in (("healthy", {}), ("wrong source category", {"source_category": "wrong"})):
        figures = scenario(args.app, params, args.job_polls, args.latency)
        print(f"{name:>22}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
