"""What appbuilder records on the collector and the source it installed, so that a change made in the Sumo UI
since the install (``drifted``) is told apart from a change in git (``update``).

The record is the install marker of the monitors (``(installed by appbuilder: <hash>)``, ``monitor_body``): the
hash of the item's normalised body as installed (never the token: it is not part of the body). It sits in the
collector's description (before the ``[appbuilder created app=…]`` mark) and in the source's
``config.description``, so reading it costs no call: the plan reads both anyway. A collector or source installed
before appbuilder recorded anything has no marker: its changes are planned as updates, as before.
"""

from __future__ import annotations

import copy
from typing import Any

from appbuilder.deploy.marker import collector_mark, split_collector_description
from appbuilder.kinds.base import BaseKind, Item, Verdict
from appbuilder.kinds.monitor_body import Normalise, body_hash, read_marker

DRIFTED = "drifted"
UNRECORDED = "installed before appbuilder recorded what it installed: a change made in Sumo shows as an update"


def marked_description(text: str | None, body: dict[str, Any], normalise: Normalise,
                       created_by: str | None = None) -> str:
    """``text`` followed by the install marker of ``body`` (and the collector's created mark when given)."""
    parts = (read_marker(text).text.strip(), f"(installed by appbuilder: {body_hash(body, normalise)})",
             collector_mark(created_by) if created_by else None)
    return " ".join(p for p in parts if p)


def collector_parts(collector: dict[str, Any]) -> tuple[dict[str, Any], str | None, str | None]:
    """(the collector with its description as written in git, the app that created it, the recorded hash)."""
    kept, created_by = split_collector_description(collector.get("description"))
    marked = read_marker(kept)
    return {**collector, "description": marked.text.strip()}, created_by, marked.hash


def source_parts(source: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(the source with its ``config.description`` as written in git, the recorded hash)."""
    config = source.get("config")
    if not isinstance(config, dict) or not isinstance(config.get("description"), str):
        return source, None
    marked = read_marker(config["description"])
    return {**source, "config": {**config, "description": marked.text.strip()}}, marked.hash


def with_source_marker(body: dict[str, Any], normalise: Normalise) -> dict[str, Any]:
    """The source body with the install marker at the end of ``config.description``."""
    out = copy.deepcopy(body)
    config = out.setdefault("config", {})
    config["description"] = marked_description(config.get("description"), body, normalise)
    return out


def recorded_drift(remote: Item | None, normalise: Normalise) -> Verdict:
    """Drifted when the item in Sumo no longer hashes to what its marker recorded; without a marker, as before
    (an update) with a note that says so."""
    if remote is None:
        return None, ""
    recorded = remote.ref.get("installed")
    if recorded is None:
        return None, UNRECORDED
    if recorded != body_hash(remote.body, normalise):
        return DRIFTED, "changed in Sumo since the last install"
    return None, ""


class RecordedKind(BaseKind):
    """A kind whose item in Sumo carries its install record (the collector, the source): ``normalise`` is set by
    the subclass, and drift is judged against the record (``recorded_drift``)."""

    normalise: Normalise

    def drift(self, desired: Item | None, remote: Item | None) -> Verdict:
        """Drifted when the item was changed in Sumo since appbuilder installed it."""
        return recorded_drift(remote, self.normalise)
