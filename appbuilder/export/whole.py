"""A whole app: what belongs with the Library folder (the monitor folder of the same name with its monitors, the
collector and source) and appbuilder's own bookkeeping taken back out (install markers: the app's name and
version come from the folder's marker, the full description from the monitor folder).

``OrgParts`` is what the export command read from the org through the kinds; ``None`` in ``monitors`` or
``source`` means that part was not asked for, so the definition lists it under ``unmanaged`` and a plan made
from it leaves that part of the org alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appbuilder.deploy.marker import Marker, split_description
from appbuilder.export.convert import Conversion, Document
from appbuilder.export.errors import ExportError


@dataclass
class OrgParts:
    """What was read from the org besides the Library folder (markers still in the descriptions)."""

    monitors: list[dict[str, Any]] | None = None  # None: not asked for
    monitor_folder: dict[str, Any] | None = None
    collector: dict[str, Any] | None = None
    source: dict[str, Any] | None = None  # with the collector; None: not asked for or not found
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PartsWanted:
    """Which parts to read: ``monitors`` a monitor folder name ("" the folder's own name, None: not read);
    ``source`` ``COLLECTOR/SOURCE`` ("" the ones the app's install created, None: not read)."""

    monitors: str | None = ""
    source: str | None = ""


@dataclass
class Taken:
    """What the whole-app pass added: parameter values Sumo holds (never written), what was left out."""

    values: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    monitors: int = 0
    source: bool = False


def without_marker(root: dict[str, Any]) -> tuple[dict[str, Any], Marker | None]:
    """The folder with appbuilder's install marker taken out of its description, and the marker."""
    text, marker = split_description(root.get("description") if isinstance(root.get("description"), str) else "")
    if marker is None:
        return root, None
    return {**root, "description": text.rstrip()}, marker


def full_description(kept: str, parts: OrgParts | None) -> str | None:
    """The app description the folder's shortened one was cut from: the monitor folder's, when it is that."""
    if parts is None or parts.monitor_folder is None:
        return None
    from appbuilder.kinds.monitor_body import read_marker

    full = read_marker(str(parts.monitor_folder.get("description") or "")).text.rstrip()
    joined, kept = " ".join(full.split()), kept.strip()
    if full and (joined == kept or (kept.endswith("…") and joined.startswith(kept[:-1].rstrip()))):
        return full
    return None


def source_category(parts: OrgParts | None) -> str | None:
    """The category of the exported source: the value the app's queries are scoped by, as installed."""
    config = (parts.source or {}).get("config") if parts else None
    value = config.get("category") if isinstance(config, dict) else None
    return value if isinstance(value, str) and value else None


def add_parts(conversion: Conversion, parts: OrgParts | None, lift: Any, category: str | None) -> Taken:
    """Add ``source.yaml`` and ``monitors/*.yaml`` to the conversion, and ``unmanaged`` for what was not asked."""
    taken = Taken()
    unmanaged = []
    app = conversion.app
    if parts is not None and parts.source is not None and parts.collector is not None:
        from appbuilder.export.monitors import NotModelled
        from appbuilder.export.source import source_data

        try:
            conversion.documents.insert(0, Document("source.yaml", "source",
                                                    source_data(parts.collector, parts.source, category)))
            app["source"] = "source.yaml"
            taken.source = True
        except NotModelled as exc:
            taken.left_out.append(f"source {parts.source.get('config', {}).get('name')!r}: {exc}")
    if not taken.source:
        unmanaged.append("source")
    if parts is None or parts.monitors is None:
        unmanaged.append("monitors")
    elif parts.monitors:
        from appbuilder.export.monitors import export_monitors

        found = export_monitors(parts.monitors)
        for document in found.documents:
            document.data["query"] = lift(document.data["query"])
        conversion.documents += found.documents
        app["monitors"] = [d.path for d in found.documents]
        app.setdefault("parameters", [])
        app["parameters"] += found.parameters
        taken.values, taken.monitors = found.values, len(found.documents)
        taken.left_out += found.left_out
    if not app.get("parameters"):
        app.pop("parameters", None)
    if unmanaged:
        app["unmanaged"] = unmanaged
    return taken


def check_parts(parts: OrgParts | None, taken: Taken, build: Any) -> list[str]:
    """How the monitors and source the written definition builds differ from what was read ([] when equal)."""
    if parts is None:
        return []
    problems = []
    if taken.monitors:
        from appbuilder.kinds.monitor_body import normalise_monitor

        read = {str(b.get("name")): normalise_monitor(b) for b in parts.monitors or []}
        for body in (build.monitors or {}).get("monitors") or []:
            if normalise_monitor(body) != read.get(str(body.get("name"))):
                problems.append(f"monitor {body.get('name')!r} builds differently")
    if taken.source:
        from appbuilder.sumo.collectors import normalise_collector
        from appbuilder.sumo.sources import normalise_source

        if normalise_source(build.source["source"]) != normalise_source(parts.source or {}):
            problems.append("the source builds differently")
        if normalise_collector(build.collector["collector"]) != normalise_collector(parts.collector or {}):
            problems.append("the collector builds differently")
    return problems


def require(problems: list[str]) -> None:
    if problems:
        raise ExportError("the exported definition does not build back the same content (this is a bug in "
                          "appbuilder export): " + "; ".join(problems[:5]),
                          hint="please report it with the export file")
