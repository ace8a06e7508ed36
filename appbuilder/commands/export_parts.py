"""What `appbuilder export --folder` reads besides the Library folder, through the kinds' read functions: the
monitor folder of the same name (or ``--monitors NAME``) with its monitors, and the collector and source
(``--source COLLECTOR/SOURCE``, or the ones this app's install created, found by their appbuilder marks)."""

from __future__ import annotations

from typing import Any

from appbuilder.deploy.changes import Target
from appbuilder.deploy.marker import split_collector_description, split_description
from appbuilder.deploy.state import Remote, RemoteState
from appbuilder.export.errors import ExportError
from appbuilder.export.whole import OrgParts, PartsWanted
from appbuilder.kinds import Org, kind
from appbuilder.kinds.monitor_body import read_marker
from appbuilder.sumo.errors import SumoApiError
from appbuilder.sumo.sources import source_name

MONITORS_ROOT = "/Monitors/"


def monitor_folder_name(given: str, folder_name: str) -> str:
    """The monitor folder's name from ``--monitors`` (a name, or ``/Monitors/NAME``)."""
    name = given.removeprefix(MONITORS_ROOT).strip("/") if given else folder_name
    if "/" in name:
        raise ExportError(f"--monitors {given}: only a folder directly under /Monitors can be exported",
                          hint="give /Monitors/NAME or NAME")
    return name


def read_parts(remote: Remote, root: dict[str, Any], wanted: PartsWanted) -> OrgParts:
    """The monitors and the source that belong with the exported folder ``root`` (its content export)."""
    parts = OrgParts()
    folder_name = str(root.get("name") or "")
    marker = split_description(str(root.get("description") or ""))[1]
    app = marker.app if marker else folder_name
    if wanted.monitors is None:
        parts.notes.append("monitors: not asked for; app.yaml lists them as unmanaged, so plan leaves them alone")
    else:
        name = monitor_folder_name(wanted.monitors, folder_name)
        try:
            _read_monitors(remote, name, folder_name, app, parts)
        except SumoApiError as exc:  # the content is exported all the same; the monitors are left alone
            parts.monitors = parts.monitor_folder = None
            parts.notes.append(f"monitors: could not be read ({remote.client.redactor.redact(exc.message)}); "
                               "app.yaml lists them as unmanaged")
    if wanted.source is None:
        parts.notes.append("source: not asked for; app.yaml lists it as unmanaged")
    elif wanted.source or marker is not None:
        try:
            _read_source(remote, _org(remote, folder_name, app), wanted.source, app, parts)
        except SumoApiError as exc:
            parts.collector = parts.source = None
            parts.notes.append(f"source: could not be read ({remote.client.redactor.redact(exc.message)}); "
                               "app.yaml lists it as unmanaged")
    else:
        parts.notes.append("source: the folder was not installed by appbuilder, so its source is unknown; give "
                           "--source COLLECTOR/SOURCE to export it")
    return parts


def _read_monitors(remote: Remote, name: str, folder_name: str, app: str, parts: OrgParts) -> None:
    org = _org(remote, name, app)
    folder = kind("monitor folder").read(org)
    parts.monitors = [item.body for item in kind("monitor").read(org)]
    parts.monitor_folder = folder[0].body if folder else None
    if not folder:
        parts.notes.append(f"monitors: there is no monitor folder {MONITORS_ROOT}{name}")
    elif name != folder_name:
        parts.notes.append(f"monitors: install puts them in {MONITORS_ROOT}{folder_name} (the app folder's "
                           f"name), not {MONITORS_ROOT}{name}")


def _org(remote: Remote, folder_name: str, app: str) -> Org:
    # ``folder`` set: the monitor kinds look their folder up by path, as for an installed app
    return Org(remote, RemoteState(Target(None, None, remote.admin, folder_name), folder={}), app)


def _read_source(remote: Remote, org: Org, given: str, app: str, parts: OrgParts) -> None:
    if given:
        collector_name, _, wanted = given.partition("/")
        if not collector_name or not wanted:
            raise ExportError(f"--source {given}: give the collector and the source as COLLECTOR/SOURCE")
        collector = remote.collectors.find_by_name(collector_name)
        source = remote.sources.find_by_name(collector["id"], wanted) if collector else None
        missing = f"no source {wanted!r} in a collector {collector_name!r}"
    else:
        collector = next((c for c in remote.collectors.list_hosted()
                          if split_collector_description(c.get("description"))[1] == app), None)
        sources = remote.sources.list(collector["id"]) if collector else []
        config = [s.get("config") if isinstance(s.get("config"), dict) else {} for s in sources]
        source = next((s for s, c in zip(sources, config, strict=True)
                       if read_marker(str(c.get("description") or "")).hash), None)
        missing = f"no collector and source installed by appbuilder for {app!r}"
    if collector is None or source is None:
        parts.notes.append(f"source: {missing}; app.yaml lists it as unmanaged")
        return
    org.state.collector, org.state.source = collector, source
    parts.collector = kind("collector").read(org)[0].body
    parts.source = kind("source").read(org)[0].body
    if source_name(parts.source) != source_name(source):
        raise ExportError("the source read back has another name (this is a bug in appbuilder export)")
