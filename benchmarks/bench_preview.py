"""Benchmark: `appbuilder preview` of the bundled 1Password app, every dashboard at its default variable values.

Run: python benchmarks/bench_preview.py [--runs 3] [--app app_definitions/1password]
Each run is a fresh process (cold imports, a new vl-convert engine), as a user's command would be. Prints the
site at default values, the PNGs, both together, and the full site with every variable value precomputed, with
the preview cache (vl-convert's bundle, chart SVGs) filled by a first run; then the PNGs with an empty cache (every
chart drawn). Target: site + PNGs at default values <= 5 s, and the PNGs with an empty cache too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 5.0

CHILD = """
import json, sys, time
began = time.perf_counter()
from pathlib import Path
from appbuilder.commands.preview import run_preview
site = Path(sys.argv[2]) if sys.argv[2] != "-" else None
png = Path(sys.argv[3]) if sys.argv[3] != "-" else None
outcome = run_preview(Path(sys.argv[1]), site=site, png=png, parameters={}, variants=sys.argv[4] == "1")
assert outcome.ok and not outcome.errors, outcome.errors
print(json.dumps({"seconds": time.perf_counter() - began, "panels": outcome.panels,
                  "files": len(outcome.pages) + len(outcome.images)}))
"""


def _run(app: Path, site: bool, png: bool, variants: bool, cold: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as temp:
        args = [str(app), f"{temp}/site" if site else "-", f"{temp}/png" if png else "-", "1" if variants else "0"]
        env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
        if cold:
            env["XDG_CACHE_HOME"] = f"{temp}/cache"  # an empty preview cache
        elif "XDG_CACHE_HOME" in os.environ:
            env["XDG_CACHE_HOME"] = os.environ["XDG_CACHE_HOME"]
        done = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=REPO, capture_output=True, text=True,
                              check=True, env=env)
        return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app", default=str(REPO / "app_definitions" / "1password"))
    args = parser.parse_args()
    app = Path(args.app)
    _run(app, True, True, False)  # fill the cache: the vega bundle (built once per vl-convert version), the charts
    cases = [("site, default values", True, False, False, False), ("PNGs, default values", False, True, False, False),
             ("site + PNGs, default values", True, True, False, False),
             ("site, every variable value", True, False, True, False),
             ("PNGs, empty cache", False, True, False, True)]
    results = {}
    for name, site, png, variants, cold in cases:
        runs = [_run(app, site, png, variants, cold) for _ in range(args.runs)]
        seconds = [r["seconds"] for r in runs]
        results[name] = statistics.median(seconds)
        print(f"{name:30s} median {results[name]:6.2f} s  min {min(seconds):6.2f} s  "
              f"({runs[0]['panels']} panels, {runs[0]['files']} files, {args.runs} runs)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (figures scale with it: the machine may be shared)")
    total, cold = results["site + PNGs, default values"], results["PNGs, empty cache"]
    ok = total <= TARGET_SECONDS and cold <= TARGET_SECONDS
    print(f"target: site + PNGs at default values <= {TARGET_SECONDS:.0f} s: {total:.2f} s; PNGs with an empty cache "
          f"{cold:.2f} s: {'ok' if ok else 'OVER TARGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
