"""The residual pass: compare each original element with what its YAML builds and record the difference on the
YAML mapping (``extra`` / ``omit``), so the definition builds back exactly what was exported."""

from __future__ import annotations

from typing import Any

from appbuilder.export.convert import DASHBOARD, FOLDER, SAVED_SEARCH, Conversion
from appbuilder.export.residual import residual
from appbuilder.model import Overrides

_PANEL_QUERY_KEYS = ("queryType", "query")


def _record(data: dict[str, Any], overrides: Overrides) -> None:
    if overrides.extra:
        data["extra"] = overrides.extra
    if overrides.omit:
        data["omit"] = overrides.omit


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def attach(conversion: Conversion, original: dict[str, Any], built: dict[str, Any]) -> None:
    """Add ``extra``/``omit`` to every YAML mapping of ``conversion`` whose build differs from the original."""
    _folder(conversion, original, built, conversion.app)


def _folder(conversion: Conversion, item: dict[str, Any], made: dict[str, Any], data: dict[str, Any]) -> None:
    paired = _paired(item, made, ("children",))
    _record(data, residual(item, made, paired))
    if paired:
        _children(conversion, item["children"], made["children"])


def _children(conversion: Conversion, originals: list[Any], builts: list[Any]) -> None:
    for item, made in zip(originals, builts, strict=False):
        data = conversion.links.get(id(item))
        if data is None or not isinstance(item, dict) or not isinstance(made, dict):
            continue  # raw content is written as it was
        kind = item.get("type")
        if kind == FOLDER:
            _folder(conversion, item, made, data)
        elif kind == DASHBOARD:
            _dashboard(conversion, item, made, data)
        elif kind == SAVED_SEARCH:
            _record(data, residual(item, made))


def _paired(original: dict[str, Any], built: dict[str, Any], keys: tuple[str, ...]) -> frozenset[str]:
    """The list-valued keys both sides have with as many items: those are compared item by item."""
    return frozenset(k for k in keys if isinstance(original.get(k), list) and isinstance(built.get(k), list)
                     and len(original[k]) == len(built[k]))


def _query_pairs(item: dict[str, Any], made: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    pairs = []
    for panel, built_panel in zip(_list(item.get("panels")), _list(made.get("panels")), strict=False):
        if isinstance(panel, dict) and isinstance(built_panel, dict) and _paired(panel, built_panel, ("queries",)):
            pairs += [(q, b) for q, b in zip(panel["queries"], built_panel["queries"], strict=True)
                      if isinstance(q, dict) and isinstance(b, dict)]
    return pairs


def _shared_omit(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    """The keys every original of ``pairs`` lacks and the build writes (an older export shape): omitted once."""
    missing = [[k for k in built if k not in original] for original, built in pairs]
    return missing[0] if missing and missing[0] and all(m == missing[0] for m in missing) else []


def _without(value: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k not in keys}


def _dashboard(conversion: Conversion, item: dict[str, Any], made: dict[str, Any], data: dict[str, Any]) -> None:
    paired = _paired(item, made, ("panels", "variables"))
    queries = _shared_omit(_query_pairs(item, made)) if "panels" in paired else []
    variables = _shared_omit([(v, b) for v, b in zip(item["variables"], made["variables"], strict=True)
                              if isinstance(v, dict)]) if "variables" in paired else []
    overrides = residual(item, made, paired)
    overrides.omit += [f"panels.*.queries.*.{key}" for key in queries]
    overrides.omit += [f"variables.*.{key}" for key in variables]
    _record(data, overrides)
    made = {**made}
    if queries:
        made["panels"] = [{**p, "queries": [_without(q, queries) for q in p["queries"]]}
                          if isinstance(p, dict) and isinstance(p.get("queries"), list) else p
                          for p in made["panels"]]
    if variables:
        made["variables"] = [_without(v, variables) for v in made["variables"]]
    if "variables" in paired:
        for variable, built_variable in zip(item["variables"], made["variables"], strict=True):
            if id(variable) in conversion.links:
                _record(conversion.links[id(variable)], residual(variable, built_variable))
    if "panels" not in paired:
        return
    for panel, built_panel in zip(item["panels"], made["panels"], strict=True):
        panel_data = conversion.links.get(id(panel))
        if panel_data is None or not isinstance(panel, dict) or not isinstance(built_panel, dict):
            continue
        queries = _paired(panel, built_panel, ("queries",))
        _record(panel_data, residual(panel, built_panel, queries))
        if not queries:
            continue
        if "query" in panel_data and len(panel["queries"]) == 1:
            overrides = residual(panel["queries"][0], built_panel["queries"][0])
            if overrides:
                _to_list_form(panel_data, overrides)
            continue
        for query, built_query in zip(panel["queries"], built_panel["queries"], strict=True):
            if id(query) in conversion.links:
                _record(conversion.links[id(query)], residual(query, built_query))


def _to_list_form(panel: dict[str, Any], overrides: Overrides) -> None:
    """``query: …`` → ``queries: [{query: …, extra: …}]`` in place, keeping the key order of the panel."""
    entry: dict[str, Any] = {}
    if panel.get("queryType") == "metrics":
        entry["type"] = "metrics"
    entry["query"] = panel["query"]
    _record(entry, overrides)
    rebuilt: dict[str, Any] = {}
    for key, value in panel.items():
        if key == "query":
            rebuilt["queries"] = [entry]
        elif key not in _PANEL_QUERY_KEYS:
            rebuilt[key] = value
    panel.clear()
    panel.update(rebuilt)
