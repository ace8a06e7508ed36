"""Load one dashboard file into the model: its variables (fragments expanded), its panels and their queries, and
the panels' places on the grid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.layout import flow_layout
from appbuilder.load.contents import overrides_of as _overrides
from appbuilder.load.fragments import SharedDefinitions, expand_variables
from appbuilder.load.reader import AppReader
from appbuilder.load.reader import as_dict as _dict
from appbuilder.load.reader import as_int as _int
from appbuilder.load.reader import as_list as _list
from appbuilder.load.reader import as_str as _str
from appbuilder.load.yamlfile import YamlDocument
from appbuilder.model import Dashboard, Panel, PanelQuery, Variable


def load_dashboard(path: Path, reader: AppReader, shared: SharedDefinitions) -> Dashboard | None:
    """The dashboard in the file at ``path``, or None when the file cannot be used; problems go to ``reader``."""
    doc = reader.read(path, "dashboard")
    if doc is None:
        return None
    data = doc.data
    dashboard = Dashboard(
        slug=path.stem, title=_str(data.get("title")), panels=[], description=_str(data.get("description")),
        theme=_str(data.get("theme"), "Light"), time_range=_str(data.get("timeRange"), "-1d"),
        refresh_interval=_int(data.get("refreshInterval"), 0), path=path, position=doc.position([]),
        overrides=_overrides(data),
    )
    order = data.get("layoutOrder")
    if isinstance(order, (str, list)):
        dashboard.layout_order = order if isinstance(order, str) else [str(v) for v in order]
    for var_doc, at, item in expand_variables(doc, _list(data.get("variables")), shared, reader.diagnostics):
        dashboard.variables_incomplete |= not item
        if isinstance(item.get("name"), str):
            dashboard.variables.append(_variable(var_doc, at, item))
    for index, item in enumerate(_list(data.get("panels"))):
        if isinstance(item, dict):
            dashboard.panels.append(_panel(doc, index, item))
    placed = [panel for panel in dashboard.panels if not panel.hidden]
    for panel, layout in zip(placed, flow_layout(placed), strict=True):
        panel.layout = layout
    if isinstance(dashboard.layout_order, list):
        known = {panel.id for panel in placed}
        for index, name in enumerate(dashboard.layout_order):
            if name not in known:
                reader.diagnostics.append(Diagnostic(
                    doc.position(["layoutOrder", index]), f"layoutOrder names '{name}', which is no panel on the "
                    "grid of this dashboard", code="unresolved-reference", path=f"layoutOrder[{index}]",
                    hint="list the ids of panels that are not hidden"))
    return dashboard


def _variable(doc: YamlDocument, at: list[str | int], item: dict[str, Any]) -> Variable:
    from_query = _dict(item.get("fromQuery"))
    metadata = _dict(item.get("metadata"))
    values = item.get("values")
    return Variable(
        name=item["name"], display_name=_str(item.get("displayName"), item["name"]),
        default=_str(item.get("default"), "*"), include_all=item.get("includeAll") is not False,
        query=from_query.get("query") if isinstance(from_query.get("query"), str) else None,
        query_origin=doc.text_origin([*at, "fromQuery", "query"]) if from_query else None,
        field=from_query.get("field") if isinstance(from_query.get("field"), str) else None,
        values=[str(v) for v in values] if isinstance(values, list) else None,
        metadata_key=metadata.get("key") if isinstance(metadata.get("key"), str) else None,
        metadata_filter=_str(metadata.get("filter")),
        source=dict(item["source"]) if isinstance(item.get("source"), dict) else None,
        overrides=_overrides(item), position=doc.position(at),
    )


def _panel(doc: YamlDocument, index: int, item: dict[str, Any]) -> Panel:
    position = _dict(item.get("position"))
    explicit = None
    if isinstance(position.get("x"), int) and isinstance(position.get("y"), int):
        explicit = (position["x"], position["y"])
    query = item.get("query") if isinstance(item.get("query"), str) else None
    queries = _panel_queries(doc, index, item)
    if query is None and queries:
        query = queries[0].text
    visual = item.get("visualSettings")
    return Panel(
        id=_str(item.get("id")), title=_str(item.get("title")), chart=_str(item.get("chart")),
        width=_int(item.get("width"), 12), height=_int(item.get("height"), 8), explicit_position=explicit,
        description=_str(item.get("description")), query=query,
        query_origin=(doc.text_origin(["panels", index, "query"]) if "query" in item
                      else queries[0].origin if queries else None),
        query_ref=item.get("queryRef") if isinstance(item.get("queryRef"), str) else None,
        time_range=item.get("timeRange") if isinstance(item.get("timeRange"), str) else None,
        text=item.get("text") if isinstance(item.get("text"), str) else None,
        label=item.get("label") if isinstance(item.get("label"), str) else None,
        stacked=item.get("stacked") is True, settings=dict(_dict(item.get("settings"))),
        query_type=queries[0].type if queries else _str(item.get("queryType"), "logs"), queries=queries,
        key=item.get("key") if isinstance(item.get("key"), str) else None, hidden=item.get("hidden") is True,
        visual_settings=dict(visual) if isinstance(visual, dict) else None, visual_verbatim="visualSettings" in item,
        links=[dict(v) for v in _list(item.get("linkedDashboards")) if isinstance(v, dict)],
        live_optional=item.get("live") == "optional",
        min_size={k: v for k in ("minWidth", "minHeight") if isinstance(v := item.get(k), int)},
        coloring_rules=list(item["coloringRules"]) if isinstance(item.get("coloringRules"), list) else None,
        overrides=_overrides(item), position=doc.position(["panels", index]),
    )


def _panel_queries(doc: YamlDocument, index: int, item: dict[str, Any]) -> list[PanelQuery]:
    """The ``queries`` list of a panel (keys default to A, B, ...); empty when the panel uses ``query``."""
    found: list[PanelQuery] = []
    for number, entry in enumerate(_list(item.get("queries"))):
        if not isinstance(entry, dict) or not isinstance(entry.get("query"), str):
            continue
        at: list[str | int] = ["panels", index, "queries", number]
        limit = entry.get("outputCardinalityLimit", 1000)
        mode = entry.get("metricsQueryMode")
        found.append(PanelQuery(
            text=entry["query"], origin=doc.text_origin([*at, "query"]),
            key=_str(entry.get("key"), chr(ord("A") + number % 26)), type=_str(entry.get("type"), "logs"),
            parse_mode=_str(entry.get("parseMode"), "Manual"), time_source=_str(entry.get("timeSource"), "Message"),
            output_limit=limit if isinstance(limit, int) and not isinstance(limit, bool) else None,
            metrics_mode=mode if isinstance(mode, str) else None, metrics_data=entry.get("metricsQueryData"),
            overrides=_overrides(entry), position=doc.position(at),
        ))
    return found
