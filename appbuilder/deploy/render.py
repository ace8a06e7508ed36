"""Text of plans and deploy results (returned as strings; the CLI prints them)."""

from __future__ import annotations

from appbuilder.deploy.plan import CREATE, DELETE, DRIFTED, UNCHANGED, UPDATE, Plan

SYMBOLS = {CREATE: "+", UPDATE: "~", UNCHANGED: "=", DRIFTED: "!", DELETE: "-"}
MAX_CHANGES_SHOWN = 40


def render_plan(plan: Plan) -> str:
    lines = [f"Plan for {plan.app} {plan.version} → {plan.target.label}"
             + (" (admin mode)" if plan.target.admin else "")]
    width = max((len(r.kind) for r in plan.resources), default=6)
    for res in plan.resources:
        extra = f"  ({res.note})" if res.note else ""
        lines.append(f"  {SYMBOLS.get(res.action, '?')} {res.kind:<{width}}  {res.name}: {res.action}{extra}")
        for change in res.changes[:MAX_CHANGES_SHOWN]:
            lines.append(f"        {change.text()}")
        if len(res.changes) > MAX_CHANGES_SHOWN:
            lines.append(f"        … and {len(res.changes) - MAX_CHANGES_SHOWN} more")
    counts = plan.counts()
    order = (CREATE, UPDATE, DELETE, DRIFTED, UNCHANGED)
    summary = ", ".join(f"{counts[a]} {a}" for a in order if counts.get(a))
    if not plan.changed:
        lines.append(f"No changes. ({summary})")
    else:
        lines.append(f"Changes: {summary}.")
        if plan.drifted:
            lines.append("Drift: the content was changed in Sumo since the last install; install refuses to "
                         "overwrite it unless --force is given (a backup is made first).")
    return "\n".join(lines)
