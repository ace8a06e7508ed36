"""Load an app directory (``app.yaml`` and the files it names) into the typed model.

Each file is read (syntax, encoding, size, depth); model objects are built from whatever is usable so that all
problems of all files are reported in one run. The parsed documents are kept for the validate stage, which checks
them against their JSON Schemas: loading never imports validation.
"""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.diagnostics import WARNING, Diagnostic, field_path
from appbuilder.layout import flow_layout
from appbuilder.load.contents import check_contents, load_contents
from appbuilder.load.contents import overrides_of as _overrides
from appbuilder.load.fragments import SharedDefinitions, expand_query, expand_variables, load_shared
from appbuilder.load.monitors import load_monitor
from appbuilder.load.yamlfile import YamlDocument, display_path, read_yaml
from appbuilder.model import (
    App,
    Collector,
    Dashboard,
    Panel,
    PanelQuery,
    Parameter,
    Position,
    Query,
    QueryVariable,
    Source,
    Variable,
)

APP_FILE = "app.yaml"


@dataclass(frozen=True)
class LoadedDocument:
    """One parsed YAML file of the app and its kind (app, source, queries, dashboard, tests)."""

    kind: str
    doc: YamlDocument


@dataclass
class LoadedApp:
    """The app model (None when app.yaml is unusable), its parsed documents, and every load problem."""

    app: App | None
    documents: list[LoadedDocument] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    schema_checked: bool = False  # whether ``diagnostics`` hold the documents' schema problems already


def _yaml_kind(value: Any) -> str:
    """How a YAML user would call ``value`` (not the Python type name)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else "a mapping"


SchemaCheck = Callable[[YamlDocument, str], list[Diagnostic]]


class _Reader:
    """Reads the files of one app, keeping the documents and the problems. ``check`` (the validate stage's schema
    check, handed in by the caller so that loading imports no validation) runs on each document when given."""

    def __init__(self, check: SchemaCheck | None = None) -> None:
        self.check = check
        self.documents: list[LoadedDocument] = []
        self.diagnostics: list[Diagnostic] = []

    def __call__(self, path: Path, kind: str, diagnostics: list[Diagnostic]) -> tuple[YamlDocument | None, bool]:
        """Read one file (the ``Reader`` of ``load.fragments``): the document, or None when it cannot be used,
        and whether it passed the schema check; problems go to ``diagnostics``."""
        doc, problems = read_yaml(path, display_path(path))
        diagnostics.extend(problems)
        if doc is None:
            return None, False
        if not isinstance(doc.data, dict):
            diagnostics.append(Diagnostic(doc.position([]), f"expected a mapping at the top of this {kind} file, "
                                          f"found {_yaml_kind(doc.data)}", code="schema",
                                          hint=f"see `appbuilder schema {kind}`"))
            return None, False
        self.documents.append(LoadedDocument(kind, doc))
        schema_problems = self.check(doc, kind) if self.check else []
        diagnostics.extend(schema_problems)
        return doc, not schema_problems

    def read(self, path: Path, kind: str) -> YamlDocument | None:
        return self(path, kind, self.diagnostics)[0]


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _inside(root: Path, target: Path) -> bool:
    """Whether ``target`` (symbolic links followed) lies inside the app directory ``root``."""
    try:
        target.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def _outside(doc: YamlDocument, at: list[str | int], ref: str) -> Diagnostic:
    return Diagnostic(doc.position(at), f"'{ref}' is outside the app directory", code="outside-app",
                      path=field_path(at),
                      hint="files of an app live in its directory; give a path relative to app.yaml without '..'")


def _resolve(base: Path, ref: str, doc: YamlDocument, at: list[str | int],
             diagnostics: list[Diagnostic]) -> Path | None:
    target = (base / ref)
    if not _inside(base, target):
        diagnostics.append(_outside(doc, at, ref))
        return None
    try:
        if target.is_file():
            return target
        what = "is a directory" if target.is_dir() else "is not a regular file" if target.exists() \
            else "does not exist"
    except OSError as exc:  # a name too long for the file system, a permission denied on the way...
        what = f"cannot be read ({exc.strerror or exc})"
    diagnostics.append(Diagnostic(doc.position(at), f"'{ref}' {what}", code="missing-file", path=field_path(at),
                                  hint=f"paths are relative to {doc.display}"))
    return None


def load_app(path: str | Path) -> tuple[App | None, list[Diagnostic]]:
    """Load the app at ``path`` (its directory or its app.yaml). Returns the app (None if unusable) and the load
    problems (schema checks belong to the validate stage)."""
    loaded = load_definition(path)
    return loaded.app, loaded.diagnostics


def load_definition(path: str | Path, check: SchemaCheck | None = None) -> LoadedApp:
    """Load the app at ``path`` (its directory or its app.yaml): the model, its documents and the load problems;
    with ``check``, each document's schema problems too (and fragments of a schema-invalid file are not trusted)."""
    reader = _Reader(check)
    app = _load(Path(path), reader)
    return LoadedApp(app, reader.documents, reader.diagnostics, schema_checked=check is not None)


def _load(given: Path, reader: _Reader) -> App | None:
    diagnostics = reader.diagnostics
    if given.is_dir():
        manifest = given / APP_FILE
        if not manifest.exists():
            diagnostics.append(Diagnostic(Position(display_path(given)), f"no {APP_FILE} in this directory",
                                     code="missing-file", hint="point at an app directory such as "
                                     "app_definitions/1password"))
            return None
    elif given.name in (APP_FILE, "app.yml") or not given.exists():
        manifest = given
    else:
        app_dir = given.parent.parent if given.parent.name == "dashboards" else given.parent
        diagnostics.append(Diagnostic(Position(display_path(given)), f"expected the app manifest ({APP_FILE}) or the "
                                      f"app directory, got '{given.name}'", code="not-an-app",
                                      hint=f"run on the directory holding {APP_FILE}, e.g. {display_path(app_dir)}"))
        return None
    doc = reader.read(manifest, "app")
    if doc is None:
        return None
    data = doc.data
    root = manifest.parent
    app = App(
        name=_str(data.get("name")),
        version=_str(data.get("version")),
        description=_str(data.get("description")),
        folder=_str(data.get("folder")),
        root=root,
        log_types=[v for v in _list(data.get("logTypes")) if isinstance(v, str)],
        lint_severity={k: v for k, v in _dict(_dict(data.get("lint")).get("severity")).items()
                       if isinstance(v, str)},
        overrides=_overrides(data), position=doc.position([]),
        parameters_position=doc.position(["parameters"], key=True) if "parameters" in data else None,
    )
    app.lint_severity_positions = {str(k): doc.position(["lint", "severity", k], key=True)
                                   for k in _dict(_dict(data.get("lint")).get("severity"))}
    for index, item in enumerate(_list(data.get("parameters"))):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            app.parameters.append(Parameter(item["name"], _str(item.get("default")), _str(item.get("description")),
                                            item.get("pattern") if isinstance(item.get("pattern"), str) else None,
                                            doc.position(["parameters", index])))
    shared = SharedDefinitions()
    if isinstance(data.get("fragments"), str):
        target = _resolve(root, data["fragments"], doc, ["fragments"], diagnostics)
        if target:
            shared = load_shared(target, reader, diagnostics)
    if isinstance(data.get("source"), str):
        target = _resolve(root, data["source"], doc, ["source"], diagnostics)
        if target:
            app.source = _load_source(target, reader)
    if isinstance(data.get("queries"), str):
        target = _resolve(root, data["queries"], doc, ["queries"], diagnostics)
        loaded = _load_queries(target, reader) if target else None
        app.queries, app.queries_unreadable = loaded or [], loaded is None
    for index, ref in enumerate(_list(data.get("dashboards"))):
        if isinstance(ref, str):
            target = _resolve(root, ref, doc, ["dashboards", index], diagnostics)
            dashboard = _load_dashboard(target, reader, shared) if target else None
            if dashboard:
                app.dashboards.append(dashboard)
            else:
                app.dashboards_unreadable.append(Path(ref).stem)
    for index, ref in enumerate(_list(data.get("monitors"))):
        if isinstance(ref, str):
            target = _resolve(root, ref, doc, ["monitors", index], diagnostics)
            monitor = load_monitor(target, reader, diagnostics) if target else None
            if monitor:
                app.monitors.append(monitor)
    app.sample_files = _globs(root, doc, "samples", diagnostics)
    app.test_files = _globs(root, doc, "tests", diagnostics)
    for test_file in app.test_files:
        test_doc = reader.read(test_file, "tests")
        if test_doc is None:
            continue
        file_vars = test_doc.data.get("variables")
        for name in file_vars if isinstance(file_vars, dict) else []:
            app.test_variables.append((str(name), test_doc.position(["variables", name], key=True)))
        for index, case in enumerate(_list(test_doc.data.get("tests"))):
            if isinstance(case, dict) and isinstance(case.get("target"), str):
                app.test_targets.append((case["target"], test_doc.position(["tests", index, "target"])))
            case_vars = case.get("variables") if isinstance(case, dict) else None
            for name in case_vars if isinstance(case_vars, dict) else []:
                app.test_variables.append((str(name), test_doc.position(["tests", index, "variables", name],
                                                                         key=True)))
    _expand_fragments(app, shared, diagnostics)
    _resolve_query_refs(app)
    if isinstance(data.get("contents"), list):
        app.contents = load_contents(doc, root, data["contents"], ["contents"], diagnostics)
        listed = {ref for ref in _list(data.get("dashboards")) if isinstance(ref, str)}
        diagnostics += check_contents(app.contents, listed, {q.id for q in app.queries},
                                      {q.id for q in app.saved_searches})
    return app


def _expand_fragments(app: App, shared: SharedDefinitions, diagnostics: list[Diagnostic]) -> None:
    """Replace every ``@include NAME`` line of every query by the fragment it names."""
    for query in app.queries:
        query.text, query.origin = expand_query(query.text, query.origin, shared, f"queries[{query.id}].query",
                                                diagnostics)
    for dashboard in app.dashboards:
        for variable in dashboard.variables:
            if variable.query and variable.query_origin:
                variable.query, variable.query_origin = expand_query(
                    variable.query, variable.query_origin, shared,
                    f"{dashboard.slug}.variables[{variable.name}].fromQuery.query", diagnostics)
        for panel in dashboard.panels:
            for query in panel.queries:  # a panel written with `queries:` (its first is also `panel.query`)
                if query.origin:
                    query.text, query.origin = expand_query(
                        query.text, query.origin, shared, f"{dashboard.slug}.panels[{panel.id}].queries[{query.key}]",
                        diagnostics)
            if panel.queries:
                panel.query, panel.query_origin = panel.queries[0].text, panel.queries[0].origin
            elif panel.query and panel.query_origin:
                panel.query, panel.query_origin = expand_query(
                    panel.query, panel.query_origin, shared, f"{dashboard.slug}.panels[{panel.id}].query",
                    diagnostics)
    for monitor in app.monitors:
        monitor.query, monitor.origin = expand_query(monitor.query, monitor.origin, shared,
                                                     f"monitors[{monitor.slug}].query", diagnostics)


def _globs(root: Path, doc: YamlDocument, key: str, diagnostics: list[Diagnostic]) -> list[Path]:
    """The files the patterns under ``key`` match; a pattern matching nothing, or reaching outside, is a problem."""
    found: list[Path] = []
    for index, pattern in enumerate(_list(doc.data.get(key))):
        if not isinstance(pattern, str):
            continue
        if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
            diagnostics.append(_outside(doc, [key, index], pattern))
            continue
        matched = [Path(p) for p in sorted(glob.glob(str(Path(glob.escape(str(root))) / pattern)))
                   if Path(p).is_file()]
        inside = [p for p in matched if _inside(root, p)]
        if len(inside) < len(matched):
            diagnostics.append(_outside(doc, [key, index], pattern))
        if not matched:
            diagnostics.append(Diagnostic(doc.position([key, index]), f"'{pattern}' matches no file",
                                          severity=WARNING, code="missing-file", path=f"{key}[{index}]",
                                          hint=f"paths and globs are relative to {doc.display}; add the files or "
                                          f"remove the entry"))
        found.extend(inside)
    return found


def _load_source(path: Path, reader: _Reader) -> Source | None:
    doc = reader.read(path, "source")
    if doc is None:
        return None
    col = _dict(doc.data.get("collector"))
    src = _dict(doc.data.get("source"))
    collector = Collector(_str(col.get("name")), _str(col.get("description")), _str(col.get("category")),
                          {str(k): str(v) for k, v in _dict(col.get("fields")).items()},
                          doc.position(["collector"]))
    token_file = src.get("tokenFile")
    return Source(
        name=_str(src.get("name")), type=_str(src.get("type")), category=_str(src.get("category")),
        base_url=_str(src.get("baseUrl")), apis=[a for a in _list(src.get("apis")) if isinstance(a, str)],
        token_env=_str(src.get("tokenEnv")), collector=collector, description=_str(src.get("description")),
        token_file=token_file if isinstance(token_file, str) else None,
        fields=dict(_dict(src.get("fields"))), position=doc.position(["source"]),
    )


def _load_queries(path: Path, reader: _Reader) -> list[Query] | None:
    """The named queries, or None when the file cannot be read at all."""
    doc = reader.read(path, "queries")
    if doc is None:
        return None
    queries: list[Query] = []
    for index, item in enumerate(_list(doc.data.get("queries"))):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("query"), str):
            continue
        variables = [QueryVariable(v["name"], _str(v.get("default"), "*"), _str(v.get("label")),
                                   _str(v.get("description")), _str(v.get("dataType"), "STRING"))
                     for v in _list(item.get("variables")) if isinstance(v, dict) and isinstance(v.get("name"), str)]
        queries.append(Query(
            id=item["id"], text=item["query"], origin=doc.text_origin(["queries", index, "query"]),
            name=_str(item.get("name")), description=_str(item.get("description")),
            saved_search=item.get("savedSearch") is True, time_range=_str(item.get("timeRange"), "-15m"),
            by_receipt_time=item.get("byReceiptTime") is True,
            parsing_mode=_str(item.get("parsingMode"), "Manual"), variables=variables,
            schedule=item.get("schedule") if isinstance(item.get("schedule"), dict) else None,
            overrides=_overrides(item), position=doc.position(["queries", index]),
        ))
    return queries


def _load_dashboard(path: Path, reader: _Reader, shared: SharedDefinitions) -> Dashboard | None:
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


def _resolve_query_refs(app: App) -> None:
    by_id = {q.id: q for q in app.queries}
    for dashboard in app.dashboards:
        for panel in dashboard.panels:
            if panel.query_ref and panel.query is None and panel.query_ref in by_id:
                panel.query = by_id[panel.query_ref].text
                panel.query_origin = by_id[panel.query_ref].origin
