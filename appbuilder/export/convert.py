"""Sumo content JSON → the YAML data of an app definition (modelled fields only; see ``residual`` for the rest).

Every value the model describes is written the way a person would (ids from titles, positions on the grid,
variables by kind, time ranges as ``-1d``); a value the schemas would refuse is left at its default here and
carried verbatim by the residual pass, so the result always validates and always builds back the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appbuilder.build.content import panel_key
from appbuilder.build.visuals import visual_settings
from appbuilder.export.errors import ExportError
from appbuilder.export.names import Namer, common_prefix, file_stem, recorded_names, slug, text_title
from appbuilder.export.residual import residual
from appbuilder.export.shapes import (
    DATA_TYPES,
    NAME,
    REFRESH,
    RELATIVE,
    chart_of,
    decode,
    grid_place,
    text_of,
    time_range_text,
)
from appbuilder.model import Dashboard, Panel

FOLDER = "FolderSyncDefinition"
DASHBOARD = "DashboardV2SyncDefinition"
SAVED_SEARCH = "SavedSearchWithScheduleSyncDefinition"
CLASSIC = ("DashboardSyncDefinition", "MewboardSyncDefinition")
MIGRATION_HINT = ("appbuilder does not model classic dashboards; migrate it to the new Dashboards with Sumo's "
                  "dashboard migration (Library → the classic dashboard → Migrate to New Dashboards), then export "
                  "the new dashboard again")

Lift = Callable[[str], str]


@dataclass
class Document:
    """One file of the exported directory: ``path`` relative to it, ``kind`` its schema (or ``raw``)."""

    path: str
    kind: str
    data: dict[str, Any]


@dataclass
class Conversion:
    """The exported definition before it is written; ``links`` maps ``id()`` of each original JSON element to the
    YAML mapping describing it (where the residual pass adds ``extra``/``omit``)."""

    app: dict[str, Any]
    root: dict[str, Any]
    documents: list[Document] = field(default_factory=list)
    queries: list[dict[str, Any]] = field(default_factory=list)
    links: dict[int, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _link_shape(link: Any) -> bool:
    """Whether a linked dashboard has the shape the schema describes (else it is carried verbatim)."""
    return (isinstance(link, dict) and isinstance(link.get("id"), str)
            and isinstance(link.get("relativePath", ""), (str, type(None)))
            and all(isinstance(link.get(k, True), bool) for k in ("includeTimeRange", "includeVariables")))


def _titles(folder: dict[str, Any], kind: str = DASHBOARD, key: str = "title") -> list[str]:
    """The titles of every dashboard (or the ``key`` of every item of ``kind``) under ``folder``."""
    found: list[str] = []
    for child in folder.get("children") or []:
        if isinstance(child, dict) and child.get("type") == kind and isinstance(child.get(key), str):
            found.append(child[key])
        elif isinstance(child, dict) and child.get("type") == FOLDER:
            found += _titles(child, kind, key)
    return found


class Converter:
    """Turns one export into YAML data; ``lift`` rewrites query text (install parameters)."""

    def __init__(self, lift: Lift) -> None:
        self.lift = lift
        self.prefix = self.search_prefix = ""
        self.files = Namer()
        self.query_ids = Namer()
        self.raw_files = Namer()
        self.conversion: Conversion | None = None

    # --- folders -------------------------------------------------------------------------------------------

    def convert(self, root: dict[str, Any]) -> Conversion:
        name = text_of(root.get("name"), 1, 128) or "Exported app"
        description = text_of(root.get("description"), 1, 255) or f"{name}, exported from Sumo Logic"
        app: dict[str, Any] = {"name": name, "version": "1.0.0", "description": description, "folder": name}
        conversion = self.conversion = Conversion(app, root)
        conversion.links[id(root)] = app
        self.prefix = common_prefix(_titles(root))
        self.search_prefix = common_prefix(_titles(root, SAVED_SEARCH, "name"))
        contents = self.items(root.get("children") if isinstance(root.get("children"), list) else [])
        dashboards = [d.path for d in conversion.documents if d.kind == "dashboard"]
        if conversion.queries:
            app["queries"] = "queries.yaml"
        if dashboards:
            app["dashboards"] = dashboards
        flat = [{"dashboard": path} for path in dashboards]
        flat += [{"savedSearch": q["id"]} for q in conversion.queries]
        if contents != flat:
            app["contents"] = contents
        return conversion

    def items(self, children: list[Any]) -> list[dict[str, Any]]:
        entries = []
        for child in children:
            if not (isinstance(child, dict) and isinstance(child.get("type"), str)
                    and isinstance(child.get("name"), str)):
                raise ExportError(f"a folder holds {json.dumps(child)[:60]}, which is not a content item (Sumo "
                                  "content has a \"type\" and a \"name\")",
                                  hint="export the content again from Sumo; the file may have been edited")
            kind = child.get("type")
            if kind == FOLDER and isinstance(child.get("children"), list):
                entries.append(self.folder(child))
            elif kind == DASHBOARD and isinstance(child.get("panels"), list) and child["panels"] and all(
                    isinstance(panel, dict) for panel in child["panels"]):
                entries.append({"dashboard": self.dashboard(child)})
            elif kind == SAVED_SEARCH and isinstance(child.get("search"), dict):
                entries.append({"savedSearch": self.saved_search(child)})
            else:
                entries.append({"raw": self.raw(child)})
        return entries

    def folder(self, child: dict[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"folder": text_of(child.get("name"), 1, 255) or "Folder"}
        if text_of(child.get("description"), 1):
            entry["description"] = child["description"]
        entry["contents"] = self.items(child["children"])
        self._link(child, entry)
        return entry

    def raw(self, child: dict[str, Any]) -> str:
        name = str(child.get("name") or child.get("type") or "item")
        path = f"raw/{self.raw_files.take(slug(name, 'item'))}.json"
        assert self.conversion is not None
        self.conversion.documents.append(Document(path, "raw", child))
        kind = child.get("type")
        if kind in CLASSIC:
            self.conversion.notes.append(f"classic dashboard '{name}' is kept verbatim in {path}: {MIGRATION_HINT}")
        else:
            self.conversion.notes.append(f"'{name}' ({kind}) is kept verbatim in {path}: appbuilder does not model "
                                         f"this kind of content")
        return path

    def _link(self, original: dict[str, Any], data: dict[str, Any]) -> None:
        assert self.conversion is not None
        self.conversion.links[id(original)] = data

    # --- saved searches ------------------------------------------------------------------------------------

    def saved_search(self, item: dict[str, Any]) -> str:
        search = item["search"]
        name = text_of(item.get("name"), 1, 255) or "Saved search"
        query_id = self.query_ids.take(file_stem(name, self.search_prefix, "search"))
        data: dict[str, Any] = {"id": query_id, "name": name}
        if text_of(item.get("description"), 1):
            data["description"] = item["description"]
        data["savedSearch"] = True
        if isinstance(search.get("defaultTimeRange"), str) and RELATIVE.match(search["defaultTimeRange"]):
            data["timeRange"] = search["defaultTimeRange"]
        if search.get("byReceiptTime") is True:
            data["byReceiptTime"] = True
        if search.get("parsingMode") == "AutoParse":
            data["parsingMode"] = "AutoParse"
        variables = self._query_parameters(search.get("queryParameters"))
        if variables:
            data["variables"] = variables
        if isinstance(item.get("searchSchedule"), dict):
            data["schedule"] = item["searchSchedule"]
        data["query"] = self.lift(search["queryText"]) if text_of(search.get("queryText"), 1) else "*"
        assert self.conversion is not None
        self.conversion.queries.append(data)
        self._link(item, data)
        return query_id

    @staticmethod
    def _query_parameters(parameters: Any) -> list[dict[str, Any]]:
        """The saved search's parameters as ``variables``; a value the YAML cannot hold is left at its default
        (the residual carries the original list), so that every ``{{name}}`` the query uses stays declared."""
        out: list[dict[str, Any]] = []
        for entry in parameters if isinstance(parameters, list) else []:
            if not (isinstance(entry, dict) and isinstance(entry.get("name"), str) and NAME.match(entry["name"])):
                continue
            variable: dict[str, Any] = {"name": entry["name"]}
            if text_of(entry.get("label"), 1) and entry["label"] != entry["name"]:
                variable["label"] = entry["label"]
            if text_of(entry.get("description"), 1):
                variable["description"] = entry["description"]
            variable["default"] = entry["value"] if isinstance(entry.get("value"), str) else "*"
            if entry.get("dataType") in DATA_TYPES and entry["dataType"] != "STRING":
                variable["dataType"] = entry["dataType"]
            out.append(variable)
        return out

    # --- dashboards ----------------------------------------------------------------------------------------

    def dashboard(self, item: dict[str, Any]) -> str:
        title = text_of(item.get("title"), 1, 255) or text_of(item.get("name"), 1, 255) or "Dashboard"
        recorded_stem, recorded_ids = recorded_names(item["panels"])  # names an install by appbuilder recorded
        stem = self.files.take(recorded_stem or file_stem(title, self.prefix))
        path = f"dashboards/{stem}.yaml"
        data: dict[str, Any] = {"title": title}
        if text_of(item.get("description"), 1):
            data["description"] = item["description"]
        if item.get("theme") == "Dark":
            data["theme"] = "Dark"
        when = time_range_text(item.get("timeRange"))
        if when:
            data["timeRange"] = when
        refresh = item.get("refreshInterval")
        if refresh in REFRESH and refresh != 0 and not isinstance(refresh, bool):
            data["refreshInterval"] = refresh
        layout_entries = (item.get("layout") or {}).get("layoutStructures") if isinstance(item.get("layout"),
                                                                                         dict) else None
        entries = [e for e in layout_entries or [] if isinstance(e, dict)]
        layout = {e.get("key"): e.get("structure") for e in entries if isinstance(e.get("key"), str)}
        ids = Namer()
        panels = [self.panel(p, ids, layout, stem, recorded_ids[i]) for i, p in enumerate(item["panels"])]
        order = self._layout_order(item["panels"], panels, [e.get("key") for e in entries])
        if order is not None:
            data["layoutOrder"] = order
        names = Namer({v["name"] for v in item.get("variables") or [] if isinstance(v, dict)
                       and isinstance(v.get("name"), str) and NAME.match(v["name"])}
                      if isinstance(item.get("variables"), list) else set())
        variables = [self.variable(v, names) for v in item.get("variables") if isinstance(v, dict)] if isinstance(
            item.get("variables"), list) else []
        if variables:
            data["variables"] = variables
        data["panels"] = panels
        assert self.conversion is not None
        self.conversion.documents.append(Document(path, "dashboard", data))
        self._link(item, data)
        return path

    @staticmethod
    def _layout_order(originals: list[Any], panels: list[dict[str, Any]], keys: list[Any]) -> Any:
        placed = [(o.get("key"), p) for o, p in zip(originals, panels, strict=True)
                  if isinstance(o, dict) and not p.get("hidden")]
        if [k for k, _ in placed] == keys:
            return None
        by_position = sorted(placed, key=lambda kp: (kp[1]["position"]["y"], kp[1]["position"]["x"]))
        if [k for k, _ in by_position] == keys:
            return "position"
        ids = {k: p["id"] for k, p in placed if isinstance(k, str)}
        return [ids[k] for k in keys] if all(isinstance(k, str) and k in ids for k in keys) else None

    def variable(self, item: dict[str, Any], names: Namer) -> dict[str, Any]:
        """A dashboard variable; a name the YAML cannot hold gets a free stand-in (the residual keeps the name)."""
        valid = isinstance(item.get("name"), str) and NAME.match(item["name"])
        name = item["name"] if valid else names.take(slug(str(item.get("name") or ""), "variable"))
        data: dict[str, Any] = {"name": name}
        if text_of(item.get("displayName"), 1) and item["displayName"] != name:
            data["displayName"] = item["displayName"]
        if isinstance(item.get("defaultValue"), str) and item["defaultValue"] != "*":
            data["default"] = item["defaultValue"]
        if item.get("includeAllOption") is False:
            data["includeAll"] = False
        source = item.get("sourceDefinition")
        kind = source.get("variableSourceType") if isinstance(source, dict) else None
        if (kind == "LogQueryVariableSourceDefinition" and text_of(source.get("query"), 1)
                and text_of(source.get("field"), 1)):
            data["fromQuery"] = {"query": self.lift(source["query"]), "field": source["field"]}
        elif kind == "CsvVariableSourceDefinition" and isinstance(source.get("values"), str):
            data["values"] = source["values"].split(",")
        elif kind == "MetadataVariableSourceDefinition" and text_of(source.get("key"), 1):
            metadata = {"key": source["key"]}
            if text_of(source.get("filter"), 1):
                metadata["filter"] = self.lift(source["filter"])
            data["metadata"] = metadata
        elif isinstance(kind, str):
            data["source"] = source
        else:
            data["values"] = [""]  # not a source at all: carried verbatim by the residual
        self._link(item, data)
        return data

    def panel(self, item: dict[str, Any], ids: Namer, layout: dict[Any, Any], stem: str = "",
              recorded_id: str | None = None) -> dict[str, Any]:
        panel_type = item.get("panelType")
        visuals = decode(item.get("visualSettings"))
        chart = chart_of(panel_type, visuals)
        title = item.get("title") if isinstance(item.get("title"), str) and len(item["title"]) <= 255 else ""
        text = item.get("text") if isinstance(item.get("text"), str) else ""
        name = title or (text_title(text) if chart == "text" else "") or chart
        data: dict[str, Any] = {"id": ids.take(recorded_id or slug(name, "panel")), "title": title, "chart": chart}
        general = visuals.get("general") if isinstance(visuals, dict) else None
        if chart in ("bar", "column", "area") and isinstance(general, dict) and general.get("displayType") == "stacked":
            data["stacked"] = True
        svp = visuals.get("svp") if isinstance(visuals, dict) and chart == "svp" else None
        if isinstance(svp, dict) and text_of(svp.get("label"), 1):
            data["label"] = svp["label"]
        if text_of(item.get("description"), 1):
            data["description"] = item["description"]
        place = grid_place(layout, item.get("key"))
        if place is None:
            data["hidden"] = True
        else:
            data["position"] = {"x": place["x"], "y": place["y"]}
            data["width"], data["height"] = place["width"], place["height"]
            data.update({k: place[k] for k in ("minWidth", "minHeight") if k in place})
        if isinstance(item.get("key"), str) and item["key"] and item["key"] != panel_key(
                Dashboard(stem, "", []), Panel(data["id"], "", "table")):
            data["key"] = item["key"]  # a key the build would not make from the file and panel names
        when = time_range_text(item.get("timeRange"))
        if when:
            data["timeRange"] = when
        if chart == "text":
            data["text"] = text
        else:
            self._queries(item.get("queries"), data)
            links = item.get("linkedDashboards")
            if isinstance(links, list) and links and all(_link_shape(v) for v in links):
                data["linkedDashboards"] = links
            rules = item.get("coloringRules")
            if isinstance(rules, list) and all(isinstance(v, dict) for v in rules):
                data["coloringRules"] = rules
        self._visuals(item, visuals, data)
        self._link(item, data)
        return data

    def _queries(self, queries: Any, data: dict[str, Any]) -> None:
        entries = [q for q in queries if isinstance(q, dict)] if isinstance(queries, list) else []
        written = [self._query(q, index) for index, q in enumerate(entries)]
        if len(written) == 1 and set(written[0]) <= {"type", "query"} and written[0]["query"]:
            if written[0].get("type") == "metrics":
                data["queryType"] = "metrics"
            data["query"] = written[0]["query"]  # its residual, if any, turns this into `queries`
            assert self.conversion is not None
            del self.conversion.links[id(entries[0])]
            return
        data["queries"] = written

    def _query(self, item: dict[str, Any], index: int) -> dict[str, Any]:
        data: dict[str, Any] = {}
        key = item.get("queryKey")
        if isinstance(key, str) and re.fullmatch(r"[A-Z]+", key) and key != chr(ord("A") + index % 26):
            data["key"] = key
        metrics = item.get("queryType") == "Metrics"
        if metrics:
            data["type"] = "metrics"
        if item.get("parseMode") == "Auto":
            data["parseMode"] = "Auto"
        if item.get("timeSource") == "Receipt":
            data["timeSource"] = "Receipt"
        limit = item.get("outputCardinalityLimit", 1000)
        if limit is None or (isinstance(limit, int) and not isinstance(limit, bool) and limit != 1000):
            data["outputCardinalityLimit"] = limit
        mode = item.get("metricsQueryMode")
        if isinstance(mode, str) and mode != ("Advanced" if metrics else None):
            data["metricsQueryMode"] = mode
        if item.get("metricsQueryData") is not None:
            data["metricsQueryData"] = item["metricsQueryData"]
        data["query"] = self.lift(item["queryString"]) if isinstance(item.get("queryString"), str) else ""
        self._link(item, data)
        return data

    @staticmethod
    def _visuals(item: dict[str, Any], visuals: Any, data: dict[str, Any]) -> None:
        """``settings`` over the chart defaults when that is exact, else the visual settings in full."""
        if item.get("visualSettings") is None and "visualSettings" in item:
            data["visualSettings"] = None
            return
        if not isinstance(visuals, dict):
            return  # not JSON: carried verbatim by the residual
        panel = Panel(id="p", title="", chart=data["chart"], stacked=data.get("stacked", False),
                      label=data.get("label"))
        difference = residual(visuals, visual_settings(panel))
        if difference.omit:
            data["visualSettings"] = visuals
            data.pop("stacked", None)  # both are read from the visual settings, which are given in full
            data.pop("label", None)
        elif difference.extra:
            data["settings"] = difference.extra
