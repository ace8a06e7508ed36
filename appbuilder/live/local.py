"""The diagnosis backend over sample events: the same prefix search `test --live` runs on an org, run by the
local query evaluator, so a panel that returns no rows on the samples says where it loses them."""

from __future__ import annotations

from datetime import datetime

from appbuilder.query.evaluate import Evaluator


class SampleBackend:
    """Counts and samples queries with ``evaluator`` over the window a panel has (``time_range`` before ``now``)."""

    def __init__(self, evaluator: Evaluator, now: datetime, time_range: str | None) -> None:
        self.evaluator, self.now, self.time_range = evaluator, now, time_range

    def count(self, query: str) -> int:
        rows = self.evaluator.run(query, now=self.now, time_range=self.time_range).rows
        value = next(iter(rows[0].values()), 0) if rows else 0
        return int(value) if isinstance(value, (int, float)) else 0

    def raw(self, query: str, limit: int) -> list[str]:
        rows = self.evaluator.run(query, now=self.now, time_range=self.time_range).rows
        return [str(r["_raw"]) for r in rows if r.get("_raw")]  # every sample: no cost to bound locally

    def where(self, query: str) -> list[tuple[str, str, int]] | None:
        return None  # sample events have no source metadata
