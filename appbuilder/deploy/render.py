"""Text of plans (returned as strings; the CLI prints them). Every field change is shown whole; multi-line
values (queries) as line diffs."""

from __future__ import annotations

from typing import Any

from appbuilder.deploy.changes import ACTIONS, CREATE, DELETE, DRIFTED, NOOP, RECORD, UPDATE, Plan
from appbuilder.kinds import kind

SYMBOLS = {CREATE: "+", UPDATE: "~", NOOP: "=", DRIFTED: "!", DELETE: "-", RECORD: "~"}
TITLES = {"install": "Plan for", "uninstall": "Uninstall plan for", "restore": "Restore plan for"}


def _in_sumo(kind_name: str, before: dict[str, Any] | None) -> list[str]:
    """What the kind shows of an item as read from the org (nothing for a kind this version does not know)."""
    if not before:
        return []
    try:
        return kind(kind_name).describe(before)
    except KeyError:
        return []


def render_plan(plan: Plan) -> str:
    lines = [f"{TITLES.get(plan.purpose, 'Plan for')} {plan.app} {plan.version} → {plan.target.label}"
             + (" (admin mode)" if plan.target.admin else "")]
    width = max((len(c.kind) for c in plan.changes), default=6)
    for change in plan.changes:
        extra = f"  ({change.note})" if change.note else ""
        marker = "  <-- REMOVED" if change.action == DELETE else ""
        lines.append(f"  {SYMBOLS.get(change.action, '?')} {change.kind:<{width}}  {change.identity}: "
                     f"{change.action}{extra}{marker}")
        lines.extend(f"        {line}" for line in _in_sumo(change.kind, change.before))
        for field_change in change.changes if change.action != NOOP else []:
            lines.extend(f"        {line}" for line in field_change.text().splitlines())
    lines.extend(f"Note: {note}" for note in plan.notes)
    counts = plan.counts()
    summary = ", ".join(f"{counts[a]} {a}" for a in ACTIONS if counts.get(a))
    if not plan.changed:
        lines.append(f"No changes. ({summary})" if summary else "No changes: nothing of the app is there.")
    else:
        lines.append(f"Changes: {summary}." + (" What is updated or removed is backed up first."
                                                if counts.get(DELETE) or counts.get(UPDATE) else ""))
        if plan.drifted:
            lines.append("Drift: the content was changed in Sumo since the last install; install refuses to "
                         "overwrite it unless --force is given (a backup is made first).")
    return "\n".join(lines)
