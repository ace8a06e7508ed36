"""What preview computes slowly and always the same way, kept under ``$XDG_CACHE_HOME/appbuilder`` (default
``~/.cache/appbuilder``): vl-convert's JavaScript bundle (``page``) and chart SVGs (``png``). An entry's name is
the hash of everything that decides its content, so a stale entry is never read; entries are written atomically,
and charts unused for ``CHART_DAYS`` days are removed. Without a writable cache directory nothing is kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

CHART_DAYS = 30


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "appbuilder"


def vl_versions() -> list[str]:
    """vl-convert's, Vega's and Vega-Lite's versions: what the bundle and a chart's SVG are made with."""
    from importlib.metadata import version

    import vl_convert

    return [version("vl-convert-python"), vl_convert.get_vega_version(), vl_convert.get_vegalite_versions()[-1]]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file; a failure leaves no entry (it is a cache)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(text, encoding="utf-8")
        temp.replace(path)
    except OSError:
        pass


class ChartCache:
    """Chart SVGs by the hash of their sized Vega-Lite spec and of vl-convert's, Vega's and Vega-Lite's versions."""

    def __init__(self, root: Path | None = None):
        self.versions = vl_versions()
        self.root = (root or cache_dir()) / "charts"

    def _path(self, spec: dict[str, Any]) -> Path:
        text = json.dumps([self.versions, spec], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return self.root / f"{hashlib.sha256(text.encode()).hexdigest()}.svg"

    def get(self, spec: dict[str, Any]) -> str | None:
        path = self._path(spec)
        try:
            svg = path.read_text(encoding="utf-8")
            os.utime(path)  # used: kept for another CHART_DAYS days
        except OSError:
            return None
        return svg

    def put(self, spec: dict[str, Any], svg: str) -> None:
        write_atomic(self._path(spec), svg)

    def prune(self, now: float | None = None) -> int:
        """Remove the charts not used for ``CHART_DAYS`` days; returns how many."""
        oldest = (time.time() if now is None else now) - CHART_DAYS * 86400
        removed = 0
        try:
            entries = list(self.root.glob("*.svg"))
        except OSError:
            return 0
        for path in entries:
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed
