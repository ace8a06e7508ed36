"""Benchmark: export + validate + build of every reference app export, and the round trip check; then the
whole-app round trip against the fake Sumo (install the 1Password app, export it with its monitors and source,
plan the export, diff it with the definition).

Run: python benchmarks/bench_export.py [--runs 3] [--exports ../shared/reference/exports]
Prints, per export and in total, the seconds to export (convert, write, build back and compare), to validate
(schema, semantics, query lint) and to build the exported definition; the best of ``--runs`` runs, in one
process (machines are shared and noisy: the best run is the one least disturbed). The whole-app part prints the
seconds and API calls of export (content only, and whole), of the plan of the export (its changes must be none)
and of the diff, in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from appbuilder.build import build_app  # noqa: E402
from appbuilder.export import export_definition  # noqa: E402
from appbuilder.export.residual import differences  # noqa: E402
from appbuilder.validate import validate_app  # noqa: E402


def run_once(files: list[Path], work: Path) -> dict[str, tuple[float, float, float, int, bool]]:
    """Per export: (export s, validate s, build s, validation errors, builds back the same)."""
    out: dict[str, tuple[float, float, float, int, bool]] = {}
    for file in files:
        original = json.loads(file.read_text(encoding="utf-8"))
        target = work / file.stem
        start = time.perf_counter()
        export_definition(original, target)
        exported = time.perf_counter()
        validation = validate_app(target)
        validated = time.perf_counter()
        assert validation.app is not None
        content = build_app(validation.app).content
        built = time.perf_counter()
        out[file.stem] = (exported - start, validated - exported, built - validated, len(validation.errors),
                          not differences(original, content))
    return out


def _round_trip(app: Path, folder: str) -> dict[str, tuple[float, int]]:
    """One run on a fresh fake: seconds and API calls of each step."""
    from appbuilder.commands.diff import run_diff
    from appbuilder.commands.export import Connection, run_export_folder
    from appbuilder.commands.install import run_install
    from appbuilder.commands.plan import run_plan
    from appbuilder.deploy.session import DeployOptions
    from appbuilder.deploy.testing import FAST_CLIENT, count_calls
    from appbuilder.export.whole import PartsWanted
    from appbuilder.fakesumo import FakeSumo

    steps: dict[str, tuple[float, int]] = {}
    with FakeSumo(keys={"bench": "bench-key"}, rate_limit=None, job_polls=1) as fake, \
            tempfile.TemporaryDirectory() as tmp:
        options = DeployOptions(access_id="bench", access_key="bench-key", base_url=fake.base_url,
                                client_options=dict(FAST_CLIENT), env={"ONEPASSWORD_EVENTS_TOKEN": "t"})
        connection = Connection(access_id="bench", access_key="bench-key", base_url=fake.base_url,
                                client_options=dict(FAST_CLIENT), env={})
        assert run_install(app, {}, options, backup_root=Path(tmp) / "b").ok

        def timed(name: str, step: Any) -> Any:
            fake.reset_log()
            start = time.perf_counter()
            result = step()
            steps[name] = (time.perf_counter() - start, count_calls(fake.requests)["calls"])
            return result

        content = PartsWanted(monitors=None, source=None)
        timed("export, content only", lambda: run_export_folder(folder, Path(tmp) / "c", {}, connection,
                                                                wanted=content))
        exported = timed("export, whole app", lambda: run_export_folder(folder, Path(tmp) / "w", {}, connection))
        assert exported.ok, exported.error
        plan = timed("plan of the export", lambda: run_plan(Path(tmp) / "w", {}, options))
        changes = [c for c in plan.plan.changes if c.action != "no-op"]
        assert changes == [], changes
        diff = timed("diff with the definition", lambda: run_diff(app, Path(tmp) / "w"))
        assert diff.diff is not None and diff.diff.equal
    return steps


def whole_app(runs: int) -> None:
    """Install → export (content only, whole) → plan → diff on the fake, best of ``runs``; calls counted."""
    app, folder = REPO / "app_definitions" / "1password", "/Library/Users/dev@example.com/1Password"
    best: dict[str, tuple[float, int]] = {}
    for _ in range(runs):
        for name, figures in _round_trip(app, folder).items():
            if name not in best or figures[0] < best[name][0]:
                best[name] = figures
    print(f"\n{'1Password, fake Sumo':<28}{'seconds':>10}{'API calls':>11}")
    for name, (seconds, calls) in best.items():
        print(f"{name:<28}{seconds:>10.3f}{calls:>11}")
    print(f"plan of the export: no change; diff: equal (best of {runs} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--exports", type=Path, default=None,
                        help="the reference exports (default: shared/reference/exports next to the repository "
                             "or to its worktrees' directory)")
    args = parser.parse_args()
    found = [p / "shared" / "reference" / "exports" for p in (REPO.parent, REPO.parents[1])]
    exports = args.exports or next((p for p in found if p.is_dir()), found[0])
    files = sorted(exports.glob("*.json"))
    if not files:
        print(f"no reference exports in {exports}: only the whole-app round trip is measured")
        whole_app(args.runs)
        return
    best: dict[str, tuple[float, float, float, int, bool]] = {}
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            results = run_once(files, Path(tmp) / f"run{run}")
        for name, figures in results.items():
            if name not in best or sum(figures[:3]) < sum(best[name][:3]):
                best[name] = figures
    print(f"{'export':<22}{'export s':>10}{'validate s':>12}{'build s':>10}{'errors':>8}  same")
    totals = [0.0, 0.0, 0.0]
    for name, (exp, val, bld, errors, same) in best.items():
        totals = [totals[0] + exp, totals[1] + val, totals[2] + bld]
        print(f"{name:<22}{exp:>10.3f}{val:>12.3f}{bld:>10.3f}{errors:>8}  {'yes' if same else 'NO'}")
    print(f"{'total (' + str(len(best)) + ' apps)':<22}{totals[0]:>10.3f}{totals[1]:>12.3f}{totals[2]:>10.3f}")
    print(f"export + validate + build of all {len(best)} apps: {sum(totals):.3f} s (best of {args.runs} runs)")
    whole_app(args.runs)


if __name__ == "__main__":
    main()
