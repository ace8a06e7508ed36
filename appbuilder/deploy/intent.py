"""Recorded intent: before its first write a run records, in its lock (``lock``), a digest of every item as it
is about to leave it (kind, identity and normalised body; a removal as the item's absence). When the run dies
part way, the next plan finds the digests there: an item that differs from what the last completed install
left, but matches what the earlier run was writing, is that run's own half-applied write, not a change made in
the Sumo UI. It is planned as an ordinary change ("left half-applied by an earlier run"), so the next install
finishes or rolls back without ``--force``; every other difference stays drift.

Items as the last completed install left them are not drift already (the folder marker's modification-time
state and the monitors' and source's own install markers say so), so only the new state needs recording.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from appbuilder.deploy.changes import CREATE, DELETE, DRIFTED, UPDATE, Plan, ResourceChange
from appbuilder.kinds import kind
from appbuilder.sumo.normalise import canonical_json

HALF_APPLIED = "left half-applied by an earlier run"


def item_digest(kind_name: str, identity: str, body: dict[str, Any] | None) -> str:
    """A short digest of an item's normalised body (None: the item is absent)."""
    normalised = None if body is None else kind(kind_name).normalise(body)
    return hashlib.sha256(canonical_json([kind_name, identity, normalised]).encode()).hexdigest()[:12]


def intended(plan: Plan) -> list[str]:
    """The digest of every item the plan writes, as the plan leaves it (the app folder itself is written last,
    with the install marker, and is not recorded)."""
    return [item_digest(c.kind, c.identity, c.after) for c in plan.changes if c.writes and c.kind != "folder"]


def _action(change: ResourceChange) -> str:
    if change.before is None:
        return CREATE
    return DELETE if change.after is None else UPDATE


def recognise(changes: Iterable[ResourceChange], intent: frozenset[str]) -> list[ResourceChange]:
    """``changes`` with each drifted item that an earlier run's intent recorded turned into a plain change."""
    out = []
    for change in changes:
        identity = change.renamed_from or change.identity
        if change.action == DRIFTED and intent and item_digest(change.kind, identity, change.before) in intent:
            change = replace(change, action=_action(change), note=HALF_APPLIED)
        out.append(change)
    return out
