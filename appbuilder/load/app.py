"""Load an app directory (``app.yaml`` and the files it names) into the typed model.

Each file is read (syntax, encoding, size, depth); model objects are built from whatever is usable so that all
problems of all files are reported in one run. The parsed documents are kept for the validate stage, which checks
them against their JSON Schemas: loading never imports validation.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.diagnostics import WARNING, Diagnostic, field_path
from appbuilder.load.contents import check_contents, load_contents
from appbuilder.load.contents import overrides_of as _overrides
from appbuilder.load.dashboards import load_dashboard
from appbuilder.load.fragments import SharedDefinitions, expand_query, load_shared
from appbuilder.load.monitors import load_monitor
from appbuilder.load.reader import AppReader, LoadedDocument, SchemaCheck
from appbuilder.load.reader import as_dict as _dict
from appbuilder.load.reader import as_list as _list
from appbuilder.load.reader import as_str as _str
from appbuilder.load.reader import inside_app as _inside
from appbuilder.load.reader import outside_app as _outside
from appbuilder.load.yamlfile import YamlDocument, display_path
from appbuilder.model import App, Collector, Parameter, Position, Query, QueryVariable, Source

__all__ = ["APP_FILE", "LoadedApp", "LoadedDocument", "SchemaCheck", "load_app", "load_definition"]

APP_FILE = "app.yaml"


@dataclass
class LoadedApp:
    """The app model (None when app.yaml is unusable), its parsed documents, and every load problem."""

    app: App | None
    documents: list[LoadedDocument] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    schema_checked: bool = False  # whether ``diagnostics`` hold the documents' schema problems already


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
    hint = f"paths are relative to {doc.display}"
    if any(c in ref for c in "*?[") and not target.exists():  # a glob: only samples and tests take them
        hint += f"; {at[0]} are listed one file each (globs work under samples and tests only)"
    diagnostics.append(Diagnostic(doc.position(at), f"'{ref}' {what}", code="missing-file", path=field_path(at),
                                  hint=hint))
    return None


def _files(root: Path, doc: YamlDocument, key: str, diagnostics: list[Diagnostic]
           ) -> Iterator[tuple[str, Path | None]]:
    """Each file named in the list under ``key`` and where it is (None when it is unusable: a problem is kept)."""
    for index, ref in enumerate(_list(doc.data.get(key))):
        if isinstance(ref, str):
            yield ref, _resolve(root, ref, doc, [key, index], diagnostics)


def load_app(path: str | Path) -> tuple[App | None, list[Diagnostic]]:
    """Load the app at ``path`` (its directory or its app.yaml). Returns the app (None if unusable) and the load
    problems (schema checks belong to the validate stage)."""
    loaded = load_definition(path)
    return loaded.app, loaded.diagnostics


def load_definition(path: str | Path, check: SchemaCheck | None = None) -> LoadedApp:
    """Load the app at ``path`` (its directory or its app.yaml): the model, its documents and the load problems;
    with ``check``, each document's schema problems too (and fragments of a schema-invalid file are not trusted)."""
    reader = AppReader(check)
    app = _load(Path(path), reader)
    return LoadedApp(app, reader.documents, reader.diagnostics, schema_checked=check is not None)


def _load(given: Path, reader: AppReader) -> App | None:
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
    severity = _dict(_dict(data.get("lint")).get("severity"))
    app = App(
        name=_str(data.get("name")),
        version=_str(data.get("version")),
        description=_str(data.get("description")),
        folder=_str(data.get("folder")),
        root=root,
        log_types=[v for v in _list(data.get("logTypes")) if isinstance(v, str)],
        unmanaged=[v for v in _list(data.get("unmanaged")) if isinstance(v, str)],
        lint_severity={k: v for k, v in severity.items() if isinstance(v, str)},
        overrides=_overrides(data), position=doc.position([]),
        parameters_position=doc.position(["parameters"], key=True) if "parameters" in data else None,
    )
    app.lint_severity_positions = {str(k): doc.position(["lint", "severity", k], key=True) for k in severity}
    for index, item in enumerate(_list(data.get("parameters"))):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            app.parameters.append(Parameter(item["name"], _str(item.get("default")), _str(item.get("description")),
                                            item.get("pattern") if isinstance(item.get("pattern"), str) else None,
                                            doc.position(["parameters", index]),
                                            [c for c in _list(item.get("collects")) if isinstance(c, str)]))
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
    for ref, target in _files(root, doc, "dashboards", diagnostics):
        dashboard = load_dashboard(target, reader, shared) if target else None
        if dashboard:
            app.dashboards.append(dashboard)
        else:
            app.dashboards_unreadable.append(Path(ref).stem)
    for _ref, target in _files(root, doc, "monitors", diagnostics):
        monitor = load_monitor(target, reader, diagnostics) if target else None
        if monitor:
            app.monitors.append(monitor)
    app.sample_files = _globs(root, doc, "samples", diagnostics)
    app.test_files = _globs(root, doc, "tests", diagnostics)
    for test_file in app.test_files:
        _read_test_file(app, test_file, reader)
    _expand_fragments(app, shared, diagnostics)
    _resolve_query_refs(app)
    if isinstance(data.get("contents"), list):
        app.contents = load_contents(doc, root, data["contents"], ["contents"], diagnostics)
        listed = {ref for ref in _list(data.get("dashboards")) if isinstance(ref, str)}
        diagnostics += check_contents(app.contents, listed, {q.id for q in app.queries},
                                      {q.id for q in app.saved_searches})
    return app


def _read_test_file(app: App, path: Path, reader: AppReader) -> None:
    """Record the targets and the variable names of the tests in ``path`` (the validate stage checks them)."""
    doc = reader.read(path, "tests")
    if doc is None:
        return
    file_vars = _dict(doc.data.get("variables"))
    app.test_variables += [(str(name), doc.position(["variables", name], key=True)) for name in file_vars]
    for index, case in enumerate(_list(doc.data.get("tests"))):
        if not isinstance(case, dict):
            continue
        if isinstance(case.get("target"), str):
            app.test_targets.append((case["target"], doc.position(["tests", index, "target"])))
        app.test_variables += [(str(name), doc.position(["tests", index, "variables", name], key=True))
                               for name in _dict(case.get("variables"))]


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


def _load_source(path: Path, reader: AppReader) -> Source | None:
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


def _load_queries(path: Path, reader: AppReader) -> list[Query] | None:
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
            live_optional=item.get("live") == "optional",
        ))
    return queries


def _resolve_query_refs(app: App) -> None:
    by_id = {q.id: q for q in app.queries}
    for dashboard in app.dashboards:
        for panel in dashboard.panels:
            if panel.query_ref and panel.query is None and panel.query_ref in by_id:
                panel.query = by_id[panel.query_ref].text
                panel.query_origin = by_id[panel.query_ref].origin
