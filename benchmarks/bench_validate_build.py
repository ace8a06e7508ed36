"""Benchmark: cold validate + build of the bundled app, and a synthetic scale run.

Run: python benchmarks/bench_validate_build.py [--runs 7] [--app app_definitions/1password]
Prints figures and ratios measured in this one run (machines are shared and noisy: compare ratios).
Targets: bundled app <= 0.35 s and <= 6x `python -c pass`; 500 dashboards x 12 panels <= 5 s and
1,000 x 12 in <= 2.2x the time of 500 x 12.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

APP_YAML = """name: Scale
version: 1.0.0
description: Synthetic app for the scale benchmark.
folder: Scale
parameters:
  - name: source_category
    default: scale
source: source.yaml
queries: queries.yaml
dashboards:
{dashboards}
"""
SOURCE_YAML = """collector:
  name: Scale
source:
  name: Scale
  type: 1Password
  category: ${source_category}
  baseUrl: events.1password.com
  apis: [sign-in]
  tokenEnv: SCALE_TOKEN
"""
QUERIES_YAML = """queries:
  - id: all_events
    name: Scale - All
    savedSearch: true
    description: all
    query: |
      _sourceCategory=${source_category}
      | count
"""
CHARTS = ["table", "pie", "bar", "line", "column", "area"]


def _panel(index: int) -> str:
    chart = CHARTS[index % len(CHARTS)]
    return f"""  - id: p{index}
    title: Panel {index}
    chart: {chart}
    width: 8
    height: 6
    query: |
      _sourceCategory=${{source_category}}
      | json "category", "type", "client.ip_address" as category, type, client_ip
      | where category matches "{{{{category}}}}"
      | timeslice 1h
      | count by _timeslice, type
"""


def make_app(root: Path, dashboards: int, panels: int) -> Path:
    (root / "dashboards").mkdir(parents=True)
    (root / "source.yaml").write_text(SOURCE_YAML)
    (root / "queries.yaml").write_text(QUERIES_YAML)
    body = "".join(_panel(i) for i in range(panels))
    refs = []
    for d in range(dashboards):
        name = f"d{d:04d}.yaml"
        refs.append(f"  - dashboards/{name}")
        (root / "dashboards" / name).write_text(
            f"title: Scale {d}\nvariables:\n  - name: category\n    values: [a, b]\npanels:\n{body}")
    (root / "app.yaml").write_text(APP_YAML.format(dashboards="\n".join(refs)))
    return root


def timed(cmd: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--app", default="app_definitions/1password")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        bare = timed([py, "-c", "pass"], args.runs)
        validate = timed([py, "-m", "appbuilder", "validate", args.app], args.runs)
        build = timed([py, "-m", "appbuilder", "build", args.app, "-o", f"{tmp}/out"], args.runs)
        helptime = timed([py, "-m", "appbuilder", "--help"], args.runs)
        print(f"python -c pass            {bare:7.3f} s")
        print(f"appbuilder --help         {helptime:7.3f} s  ({helptime / bare:4.1f}x bare)")
        print(f"appbuilder validate       {validate:7.3f} s  ({validate / bare:4.1f}x bare)")
        print(f"appbuilder build          {build:7.3f} s  ({build / bare:4.1f}x bare; includes validation)")
        scale = {}
        for count in (500, 1000):
            root = make_app(Path(tmp) / f"scale{count}", count, 12)
            scale[count] = timed([py, "-m", "appbuilder", "build", str(root), "-o", f"{tmp}/o{count}"], 1)
            print(f"build {count:5d} x 12 panels  {scale[count]:7.3f} s")
        print(f"scale ratio 1000/500      {scale[1000] / scale[500]:7.2f}x (target <= 2.2x)")


if __name__ == "__main__":
    main()
