"""Benchmark: API calls and writes of install, uninstall and restore against the fake Sumo (100 ms latency, its
4 requests/s limit).

Run: python benchmarks/bench_install_calls.py [--app app_definitions/1password | --export EXPORT.json]
     [--latency 0.1] [--job-polls 2]
(``--export`` runs the scenarios on the app ``appbuilder export --file`` makes of a Sumo export, e.g.
../shared/reference/exports/Fortigate_Firewall.json, whose sub-folders are installed like the rest.)
Scenarios: a fresh install, a no-op install (nothing changed), an install after a one-panel change, an install
after a dashboard rename, an uninstall (with the source) and a restore of the backup the uninstall made.
Counts come from the fake's request log (a write is POST/PUT/DELETE except the export start); the peak is the
most request starts in any sliding 1 s window.
The ``lock`` column counts the calls of the install lock (docs/locking.md): its create and its delete job; the
org is also read again under the lock (about five reads) to check no other run wrote since the plan.
Targets: fresh <= 17 calls in all besides the lock's (12, and the re-read under the lock), of which at most 3 to
the Monitors API (``monitor calls``: read the root, read it again under the lock, import the folder with its
monitors; any number of monitors); no-op 0 writes and <= 5 reads (and one per sub-folder), and no lock; one-panel
change and rename <= 2 writes besides the lock's (the item, and the install state); the lock <= 6 calls; never
above 4 requests/s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from appbuilder.commands.export import run_export_file  # noqa: E402
from appbuilder.commands.install import run_install  # noqa: E402
from appbuilder.commands.restore import run_restore  # noqa: E402
from appbuilder.commands.uninstall import run_uninstall  # noqa: E402
from appbuilder.deploy.session import DeployOptions  # noqa: E402
from appbuilder.deploy.testing import count_calls, peak_rate, without_lock  # noqa: E402
from appbuilder.fakesumo.server import FakeSumo  # noqa: E402
from appbuilder.fakesumo.traffic import RateLimiter  # noqa: E402

TOKEN_ENV = "ONEPASSWORD_EVENTS_TOKEN"


def _token_env(app: Path) -> str:
    if not (app / "source.yaml").is_file():
        return TOKEN_ENV
    for line in (app / "source.yaml").read_text().splitlines():
        if line.strip().startswith("tokenEnv:"):
            return line.split(":", 1)[1].strip()
    return TOKEN_ENV


def _edit_first_dashboard(app: Path, top_level: bool) -> None:
    """Append to the first panel title (``top_level=False``) or to the dashboard title (True)."""
    dashboards = sorted((app / "dashboards").glob("*.yaml"))
    lines = dashboards[0].read_text().splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.strip().startswith("title:") and line.startswith("  ") != top_level:
            lines[i] = line.rstrip("\n") + " (changed)\n"
            break
    dashboards[0].write_text("".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default=str(REPO / "app_definitions" / "1password"))
    parser.add_argument("--export", type=Path, help="a Sumo export file to run the scenarios on (exported first)")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--job-polls", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, \
            FakeSumo(keys={"bench": "benchkey"}, rate_limit=4.0, job_polls=args.job_polls,
                     latency=args.latency) as fake:
        app = Path(tmp) / "app"
        if args.export is not None:
            exported = run_export_file(args.export, app, {})
            if exported.error:
                print(f"export failed: {exported.error}", file=sys.stderr)
                return 1
        else:
            shutil.copytree(args.app, app)
        subfolders = (app / "app.yaml").read_text().count("- folder:")
        backups = Path(tmp) / "backups"
        options = DeployOptions(access_id="bench", access_key="benchkey", base_url=fake.base_url,
                                env={_token_env(app): "bench-token-value"})
        last: dict[str, Any] = {}

        def install() -> Any:
            return run_install(app, {}, options, backup_root=backups)

        def uninstall() -> Any:
            outcome = run_uninstall(app, {}, options, with_source=True, backup_root=backups)
            last["backup"] = outcome.backup
            return outcome

        def restore() -> Any:
            return run_restore(last["backup"], options, backup_root=backups)

        scenarios: list[tuple[str, Callable[[], None] | None, Callable[[], Any]]] = [
            ("fresh install", None, install),
            ("no-op install", None, install),
            ("one-panel change", lambda: _edit_first_dashboard(app, top_level=False), install),
            ("dashboard rename", lambda: _edit_first_dashboard(app, top_level=True), install),
            ("uninstall", None, uninstall),
            ("restore", None, restore),
        ]
        for name, prepare, run in scenarios:
            if prepare is not None:
                prepare()
            fake.limiter = RateLimiter(fake.clock)  # separate invocations: each starts a fresh rate window
            fake.reset_log()
            started = time.monotonic()
            outcome = run()
            elapsed = time.monotonic() - started
            if not outcome.ok:
                print(f"{name}: FAILED: {outcome.error}", file=sys.stderr)
                return 1
            records = fake.requests
            counted = count_calls(without_lock(records))
            lock = len(records) - counted["calls"]
            throttled = sum(1 for r in records if r.status == 429)
            monitor_calls = sum(1 for r in records if "/v1/monitors" in r.path)
            rows.append((name, counted["calls"], counted["reads"], counted["writes"], peak_rate(records),
                         throttled, elapsed, monitor_calls, lock))
    print(f"API calls against the fake Sumo (latency {args.latency * 1000:.0f} ms, "
          f"job polls {args.job_polls}, limit 4 req/s)")
    print(f"{'scenario':<18} {'calls':>5} {'reads':>5} {'writes':>6} {'peak/s':>6} {'429s':>4} {'seconds':>7} "
          f"{'monitor calls':>13} {'lock':>4}")
    for name, calls, reads, writes, peak, throttled, elapsed, monitor_calls, lock in rows:
        print(f"{name:<18} {calls:>5} {reads:>5} {writes:>6} {peak:>6} {throttled:>4} {elapsed:>7.2f} "
              f"{monitor_calls:>13} {lock:>4}")
    by_name = {row[0]: row for row in rows}
    fresh = by_name["fresh install"]
    checks = {
        "fresh install: <= 17 calls besides the lock's": fresh[1] <= 17,
        "fresh install: <= 3 monitor calls (the root, again under the lock, one import)": fresh[7] <= 3,
        f"no-op install: 0 writes, <= {5 + subfolders} reads, no lock": by_name["no-op install"][3] == 0
        and by_name["no-op install"][2] <= 5 + subfolders and by_name["no-op install"][8] == 0,
        "the lock: <= 6 calls (create, delete job)": all(r[8] <= 6 for r in rows),
        "one-panel change: <= 2 writes": by_name["one-panel change"][3] <= 2,
        "dashboard rename: <= 2 writes": by_name["dashboard rename"][3] <= 2,
        "never above 4 requests/s": all(r[4] <= 4 for r in rows),
        "no 429 from the fake": all(r[5] == 0 for r in rows),
    }
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
