"""What stays empty while an optional part of the collection is off.

A parameter that ``collects`` sample files switches on the collection of those events (the 1Password app's
``audit_events_api`` adds the audit-event API to the source). While it is empty, those events never reach Sumo,
so every panel, saved search and monitor that reads only them shows nothing. ``plan`` and ``install`` add one
note per such parameter to the plan, naming what stays empty and how to set the parameter. What "reads only
them" means is measured, not declared: each query runs on the samples with and without those files (the same
local evaluator as ``appbuilder test``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from pathlib import Path

from appbuilder.deploy.changes import Plan
from appbuilder.model import App, Parameter
from appbuilder.recent import Recent


def _files(app: App, globs: list[str]) -> set[Path]:
    return {path.resolve() for pattern in globs for path in app.root.glob(pattern) if path.is_file()}


# what _emptied measured, by what it depends on (_measured_key); plan and install of one app, each environment
# and each run in one process measure the same app on the same samples
_MEASURED: Recent[str, frozenset[str]] = Recent(64)


def _measured_key(app: App, values: Mapping[str, str], kept: list[Path]) -> str:
    """A digest of everything the measurement reads: the queries (text, time range, variable defaults), the
    monitors, the parameter values, which files are kept, and the bytes of every sample and lookup file."""
    from appbuilder.commands.sample_runner import app_targets
    from appbuilder.load.samples import LOOKUP_DIR

    digest = hashlib.sha256(repr((sorted(app_targets(app).items()), app.monitors, sorted(values.items()),
                                  [str(path) for path in kept])).encode())
    for path in [*app.sample_files, *sorted((app.root / LOOKUP_DIR).glob("*.jsonl"))]:
        digest.update(f"\0{path}\0".encode())
        try:
            digest.update(path.read_bytes())
        except OSError as exc:
            digest.update(f"\0unreadable: {exc}".encode())
    return digest.hexdigest()


def _emptied(app: App, values: Mapping[str, str], kept: list[Path]) -> set[str]:
    """Test targets (``dashboard/panel``, ``query:id``, ``monitor:stem``) with rows on every sample but none on
    ``kept`` alone (measured once per content: see ``_measured_key``)."""
    key = _measured_key(app, values, kept)
    known = _MEASURED.get(key)
    if known is None:
        known = frozenset(_measure(app, values, kept))
        _MEASURED.put(key, known)
    return set(known)


def _measure(app: App, values: Mapping[str, str], kept: list[Path]) -> set[str]:
    from appbuilder.commands.sample_runner import SampleRunner

    everything = SampleRunner(app, {}, values)
    without = SampleRunner(dataclasses.replace(app, sample_files=kept), {}, values)
    empty = set()
    for target, spec in everything.targets().items():
        if not spec[0]:
            continue
        full, _, _ = everything.run(target, spec, {})
        rest, _, _ = without.run(target, spec, {})
        if full is not None and full.rows and rest is not None and not rest.rows:
            empty.add(target)
    return empty


def _names(app: App, empty: set[str]) -> list[str]:
    """What ``empty`` holds, as a person finds it in Sumo: whole dashboards, panels, saved searches, monitors."""
    parts = []
    for board in app.dashboards:
        panels = [p for p in board.panels if p.query]
        gone = [p for p in panels if f"{board.slug}/{p.id}" in empty]
        if gone and len(gone) == len(panels):
            parts.append(f"dashboard '{board.title}' (all {len(panels)} panels)")
        elif gone:
            titles = ", ".join(f"'{p.title}'" for p in gone)
            parts.append(f"panel{'s' if len(gone) > 1 else ''} {titles} of dashboard '{board.title}'")
    searches = [q for q in app.queries if q.saved_search and f"query:{q.id}" in empty]
    if searches:
        parts.append(f"saved search{'es' if len(searches) > 1 else ''} "
                     + ", ".join(f"'{q.name}'" for q in searches))
    monitors = [m for m in app.monitors if f"monitor:{m.slug}" in empty]
    if monitors:
        parts.append(f"{len(monitors)} monitor{'s' if len(monitors) > 1 else ''} (they never fire): "
                     + ", ".join(f"'{m.name}'" for m in monitors))
    return parts


def _note(app: App, parameter: Parameter, files: set[Path], parts: list[str]) -> str:
    shown = ", ".join(sorted(path.relative_to(app.root.resolve()).as_posix() for path in files))
    how = f"install with --param {parameter.name}=VALUE"
    meaning = " ".join(parameter.description.split()).rstrip(".")
    if meaning:
        how += f" ({meaning})"
    return (f"{parameter.name} is empty, so the events of {shown} are not collected and these stay empty: "
            f"{'; '.join(parts)}. To collect them, {how}.")


def uncollected_notes(app: App, given: Mapping[str, str]) -> list[str]:
    """One note per parameter that ``collects`` sample files and is empty (given or by default)."""
    values = {**app.parameter_defaults(), **given}
    notes = []
    for parameter in app.parameters:
        if not parameter.collects or values.get(parameter.name):
            continue
        files = _files(app, parameter.collects)
        kept = [path for path in app.sample_files if path.resolve() not in files]
        if not files or len(kept) == len(app.sample_files):
            continue
        parts = _names(app, _emptied(app, values, kept))
        if parts:
            notes.append(_note(app, parameter, files, parts))
    return notes


def with_notes(plan: Plan, notes: list[str]) -> Plan:
    """``plan`` with ``notes`` after its own."""
    return dataclasses.replace(plan, notes=plan.notes + tuple(notes)) if notes else plan
