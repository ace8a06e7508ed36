"""Benchmark: export + validate + build of every reference app export, and the round trip check.

Run: python benchmarks/bench_export.py [--runs 3] [--exports ../shared/reference/exports]
Prints, per export and in total, the seconds to export (convert, write, build back and compare), to validate
(schema, semantics, query lint) and to build the exported definition; the best of ``--runs`` runs, in one
process (machines are shared and noisy: the best run is the one least disturbed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--exports", type=Path, default=REPO.parent / "shared" / "reference" / "exports")
    args = parser.parse_args()
    files = sorted(args.exports.glob("*.json"))
    if not files:
        sys.exit(f"no exports in {args.exports}")
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


if __name__ == "__main__":
    main()
