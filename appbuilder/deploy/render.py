"""Text of plans (returned as strings; the CLI prints them). Every field change is shown whole; multi-line
values (queries) as line diffs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from appbuilder.deploy.changes import ACTIONS, CREATE, DELETE, DRIFTED, NOOP, RECORD, UPDATE, Plan
from appbuilder.kinds import kind

SYMBOLS = {CREATE: "+", UPDATE: "~", NOOP: "=", DRIFTED: "!", DELETE: "-", RECORD: "~"}
TITLES = {"install": "Plan for", "uninstall": "Uninstall plan for", "restore": "Restore plan for"}
COLOURS = {CREATE: "green", UPDATE: "yellow", RECORD: "yellow", DELETE: "red", DRIFTED: "magenta"}
DONE = {CREATE: "created", UPDATE: "updated", DELETE: "deleted", DRIFTED: "overwritten", RECORD: "recorded",
        NOOP: "unchanged"}


@dataclass(frozen=True)
class PlanStyle:
    """How a plan is shown: every no-op item listed (``verbose``) or folded into a count; ANSI ``colour``."""

    verbose: bool = False
    colour: bool = False

    def paint(self, text: str, action: str) -> str:
        colour = COLOURS.get(action)
        if not self.colour:
            return text
        return click.style(text, fg=colour, bold=action in (DELETE, DRIFTED)) if colour else click.style(
            text, dim=True)


def _in_sumo(kind_name: str, before: dict[str, Any] | None) -> list[str]:
    """What the kind shows of an item as read from the org (nothing for a kind this version does not know)."""
    if not before:
        return []
    try:
        return kind(kind_name).describe(before)
    except KeyError:
        return []


def render_plan(plan: Plan, style: PlanStyle = PlanStyle()) -> str:
    """The plan as text. A no-op item with nothing to say (no note, nothing shown from Sumo) is folded into one
    count line unless ``style.verbose``."""
    lines = [f"{TITLES.get(plan.purpose, 'Plan for')} {plan.app} {plan.version} → {plan.target.label}"
             + (" (admin mode)" if plan.target.admin else "")]
    width = max((len(c.kind) for c in plan.changes), default=6)
    folded = 0
    for change in plan.changes:
        in_sumo = _in_sumo(change.kind, change.before)
        if change.action == NOOP and not (style.verbose or change.note or in_sumo):
            folded += 1
            continue
        extra = f"  ({change.note})" if change.note else ""
        marker = style.paint("  <-- REMOVED", DELETE) if change.action == DELETE else ""
        head = style.paint(f"{SYMBOLS.get(change.action, '?')} {change.kind:<{width}}", change.action)
        lines.append(f"  {head}  {change.identity}: {style.paint(change.action, change.action)}{extra}{marker}")
        lines.extend(f"        {line}" for line in in_sumo)
        for field_change in change.changes if change.action != NOOP else []:
            lines.extend(f"        {line}" for line in field_change.text().splitlines())
    if folded:
        lines.append(style.paint(f"  {SYMBOLS[NOOP]} {folded} unchanged {'item' if folded == 1 else 'items'} "
                                 "(-v lists them)", NOOP))
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


def done_summary(done: str, plan: Plan) -> str:
    """The last line of an applied plan, with counts: ``installed: 2 created, 1 updated, 14 unchanged``."""
    counts = plan.counts()
    return f"{done}: " + ", ".join(f"{counts[a]} {DONE[a]}" for a in ACTIONS if counts.get(a))
