"""Cross-reference checks on a loaded app: names, references, variables, parameters and layout."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from appbuilder.diagnostics import ERROR, WARNING, Diagnostic
from appbuilder.layout import overlaps
from appbuilder.load.fragments import has_unexpanded_include
from appbuilder.model import GRID_COLUMNS, App, Dashboard, Position, TextOrigin, origin_note
from appbuilder.parameters import check_name_lengths, check_value, pattern_hint
from appbuilder.patterns import SYNTAX_HINT, compile_pattern
from appbuilder.templating import find_parameters, find_variables
from appbuilder.validate.monitors import check_monitors


def check_app(app: App) -> list[Diagnostic]:
    """Every semantic problem of ``app`` (schema problems are reported by the loader)."""
    found: list[Diagnostic] = []
    found += _check_parameters(app)
    found += _check_names(app)
    found += _check_saved_searches(app)
    for dashboard in app.dashboards:
        found += _check_dashboard(app, dashboard)
    found += _check_test_targets(app)
    found += _check_test_variables(app)
    found += _check_lint_severity(app)
    found += check_name_lengths(app, app.parameter_defaults())
    found += check_monitors(app)
    found += _check_source_apis(app)
    found += _check_unmanaged(app)
    return found


def _check_unmanaged(app: App) -> list[Diagnostic]:
    """A part listed as ``unmanaged`` must not be defined too: which would install and which leave alone?"""
    defined = {"monitors": bool(app.monitors), "source": app.source is not None}
    return [Diagnostic(_where(app.position), f"'{part}' is listed under unmanaged but app.yaml defines it",
                       code="unmanaged-defined", path="unmanaged",
                       hint=f"remove '{part}' from unmanaged to install it, or remove its definition to leave "
                            f"the org's {part} alone")
            for part in app.unmanaged if defined.get(part)]


def _check_lint_severity(app: App) -> list[Diagnostic]:
    """Every check named under ``lint.severity`` exists."""
    from appbuilder.query.lint import DEFAULT_SEVERITY

    found = []
    for name, position in app.lint_severity_positions.items():
        if name not in DEFAULT_SEVERITY:
            close = difflib.get_close_matches(name, sorted(DEFAULT_SEVERITY), n=1)
            found.append(Diagnostic(position, f"unknown lint check '{name}'", code="unknown-lint-check",
                                    path=f"lint.severity.{name}",
                                    hint=f"did you mean '{close[0]}'?" if close else
                                    f"known checks: {', '.join(sorted(DEFAULT_SEVERITY))}"))
    return found


PUBLISHED_APIS = ("sign-in", "itemUsage")


def _check_source_apis(app: App) -> list[Diagnostic]:
    """A literal API value other than the published ones is accepted, with a reminder of where it comes from."""
    if app.source is None:
        return []
    return [Diagnostic(_where(app.source.position), f"source API '{api}' is not one of the published values "
                       f"({', '.join(PUBLISHED_APIS)})", severity=WARNING, code="source-api-unpublished",
                       path="source.apis", hint="make sure it is the value a working source in your org shows "
                       "(`appbuilder plan` prints the source's supported_apis)")
            for api in app.source.apis if api not in PUBLISHED_APIS and not find_parameters(api)]


def _check_test_targets(app: App) -> list[Diagnostic]:
    """Every test target names a panel (``<dashboard file stem>/<panel id>``) or a query (``query:<id>``)."""
    known = {f"{d.slug}/{p.id}" for d in app.dashboards for p in d.panels}
    known |= {f"query:{q.id}" for q in app.queries}
    known |= {f"monitor:{m.slug}" for m in app.monitors}
    found = []
    for target, position in app.test_targets:
        if target.partition("/")[0] in app.dashboards_unreadable or \
                (target.startswith("query:") and app.queries_unreadable):
            continue  # the file it names is already reported: no follow-on error
        if target not in known:
            close = difflib.get_close_matches(target, sorted(known), n=1)
            found.append(Diagnostic(position, f"test target '{target}' names no panel, query or monitor",
                                    code="unresolved-reference", path="tests.target",
                                    hint=f"did you mean '{close[0]}'?" if close else
                                    "use <dashboard file stem>/<panel id>, query:<query id> or monitor:<monitor "
                                    "file stem>"))
    return found


def _check_test_variables(app: App) -> list[Diagnostic]:
    """Every variable a test sets is declared by a dashboard or a saved search: a misspelt one would be ignored
    and the test would run at the default value."""
    if app.dashboards_unreadable or app.queries_unreadable or any(d.variables_incomplete for d in app.dashboards):
        return []  # the variables of an unreadable file (or variable set) are unknown: no follow-on error
    known = {v.name for d in app.dashboards for v in d.variables} | {v.name for q in app.queries for v in q.variables}
    found = []
    for name, position in app.test_variables:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            found.append(Diagnostic(position, f"test variable '{name}' is not declared by any dashboard or saved "
                                    "search, so it would be ignored", code="unresolved-reference",
                                    path="tests.variables", hint=f"did you mean '{close[0]}'?" if close else
                                    f"declared variables: {', '.join(sorted(known)) or 'none'}"))
    return found


def _where(position: Position | None, fallback: Position | None = None) -> Position:
    return position or fallback or Position("?")


def _texts(app: App) -> Iterable[tuple[str, TextOrigin | None, Position | None, str]]:
    """Every user text that may hold ``${param}``: (text, origin, position, field path)."""
    yield app.folder, None, app.position, "folder"
    if app.source:
        yield app.source.category, None, app.source.position, "source.category"
        yield app.source.name, None, app.source.position, "source.name"
        yield app.source.collector.name, None, app.source.collector.position, "collector.name"
        for api in app.source.apis:
            yield api, None, app.source.position, "source.apis"
    for query in app.queries:
        yield query.text, query.origin, query.position, f"queries[{query.id}].query"
        yield query.name, None, query.position, f"queries[{query.id}].name"
    for dashboard in app.dashboards:
        yield dashboard.title, None, dashboard.position, "title"
        for variable in dashboard.variables:
            if variable.query:
                yield variable.query, variable.query_origin, variable.position, f"variables[{variable.name}]"
        for panel in dashboard.panels:
            yield panel.title, None, panel.position, f"panels[{panel.id}].title"
            if panel.query and not panel.query_ref:
                yield panel.query, panel.query_origin, panel.position, f"panels[{panel.id}].query"
            for query in panel.queries[1:]:
                yield query.text, query.origin, query.position, f"panels[{panel.id}].queries[{query.key}]"
    for monitor in app.monitors:
        yield monitor.name, None, monitor.position, f"monitors[{monitor.slug}].name"
        yield monitor.query, monitor.origin, monitor.position, f"monitors[{monitor.slug}].query"
        for note in monitor.notifications:
            yield note.recipients or note.connection_id, None, note.position, f"monitors[{monitor.slug}].notifications"


def _check_parameters(app: App) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    declared = {p.name for p in app.parameters}
    seen: set[str] = set()
    for parameter in app.parameters:
        where = _where(parameter.position, app.position)
        if parameter.name in seen:
            found.append(Diagnostic(where, f"parameter '{parameter.name}' is declared twice", code="duplicate-name",
                                    path="parameters", hint="give each parameter a unique name"))
        seen.add(parameter.name)
        pattern = compile_pattern(parameter.pattern) if parameter.pattern is not None else None
        if pattern is not None and pattern.error:
            found.append(Diagnostic(where, f"pattern of parameter '{parameter.name}' is not a valid regular "
                                    f"expression: {pattern.error}", code="parameter-pattern",
                                    path="parameters.pattern", hint=SYNTAX_HINT))
            continue
        problem = check_value(parameter, parameter.default, "the default")
        if problem:
            found.append(Diagnostic(where, problem, code="parameter-value", path="parameters.default",
                                    hint=pattern_hint(parameter)))
    for text, origin, position, field_path in _texts(app):
        for ref in find_parameters(text):
            if ref.name not in declared:
                where = origin.locate(ref.line, ref.column) if origin else _where(position)
                known = ", ".join(sorted(declared)) or "none"
                found.append(Diagnostic(where, f"unknown install parameter '${{{ref.name}}}'"
                                        f"{origin_note(origin, ref.line)}",
                                        code="unknown-parameter", path=field_path,
                                        hint=f"declare it under parameters in app.yaml (declared: {known})"))
    return found


def _duplicates(items: Iterable[tuple[str, Position | None]], what: str, fix: str) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    first: dict[str, Position | None] = {}
    for name, position in items:
        if not name:
            continue
        if name in first:
            found.append(Diagnostic(_where(position), f"duplicate {what} '{name}' (first at {first[name]})",
                                    code="duplicate-name", hint=fix))
        else:
            first[name] = position
    return found


def _check_names(app: App) -> list[Diagnostic]:
    found = _duplicates(((q.id, q.position) for q in app.queries), "query id", "query ids must be unique")
    found += _duplicates(((d.slug, d.position) for d in app.dashboards), "dashboard file name",
                         "a dashboard is known by its file name (test targets, panel keys, preview pages): rename "
                         "one of the files")
    found += _duplicates(((m.slug, m.position) for m in app.monitors), "monitor file name",
                         "a monitor is known by its file name (monitor:<name> test targets): rename one of the files")
    from appbuilder.load.contents import folder_levels

    for folder_items in folder_levels(app):  # names are unique per folder (sub-folders have their own)
        found += _duplicates(folder_items, "name in the app folder",
                             "dashboard titles and saved-search names share the folder and must be unique")
    return found


def _check_saved_searches(app: App) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for query in app.saved_searches:
        declared = {v.name for v in query.variables}
        for ref in find_variables(query.text):
            if ref.name not in declared:
                found.append(Diagnostic(query.origin.locate(ref.line, ref.column),
                                        f"saved search '{query.name}' uses '{{{{{ref.name}}}}}' which it does not "
                                        f"declare{origin_note(query.origin, ref.line)}", code="undeclared-variable",
                                        path=f"queries[{query.id}].query",
                                        hint="declare it under the query's variables, or remove it"))
    return found


def _check_dashboard(app: App, dashboard: Dashboard) -> list[Diagnostic]:
    found = _duplicates(((p.id, p.position) for p in dashboard.panels), "panel id",
                        "panel ids must be unique within a dashboard")
    found += _duplicates(((v.name, v.position) for v in dashboard.variables), "variable",
                         "variable names must be unique within a dashboard")
    declared = {v.name for v in dashboard.variables}
    declared_list = ", ".join(sorted(declared)) or "none"
    used: set[str] = set()
    for panel in dashboard.panels:
        where = _where(panel.position, dashboard.position)
        if panel.query_ref and app.query_by_id(panel.query_ref) is None and not app.queries_unreadable:
            known = ", ".join(q.id for q in app.queries) or "none"
            found.append(Diagnostic(where, f"queryRef '{panel.query_ref}' does not name a query in queries.yaml",
                                    code="unresolved-reference", path=f"panels[{panel.id}].queryRef",
                                    hint=f"known query ids: {known}"))
        texts = [(panel.query or "", panel.query_origin)] + [(q.text, q.origin) for q in panel.queries[1:]]
        refs = [(r, origin.locate(r.line, r.column) if origin else where, origin_note(origin, r.line))
                for text, origin in texts for r in find_variables(text)]
        refs += [(r, where, "") for r in find_variables(panel.title)]
        for ref, position, note in refs:
            used.add(ref.name)
            if ref.name not in declared and not dashboard.variables_incomplete:
                found.append(Diagnostic(position, f"variable '{{{{{ref.name}}}}}' is not declared on dashboard "
                                        f"'{dashboard.title}'{note}", code="undeclared-variable",
                                        path=f"panels[{panel.id}]",
                                        hint=f"add it under variables (declared: {declared_list})"))
        layout = panel.layout
        if layout and layout.x + layout.width > GRID_COLUMNS:
            found.append(Diagnostic(where, f"panel '{panel.id}' ends at column {layout.x + layout.width}, beyond the "
                                    f"{GRID_COLUMNS}-column grid", code="layout", path=f"panels[{panel.id}].position",
                                    hint=f"make x + width at most {GRID_COLUMNS}"))
    for variable in dashboard.variables:
        for ref in find_variables(variable.query or "") + find_variables(variable.metadata_filter):
            used.add(ref.name)
        if variable.name not in used and not any(has_unexpanded_include(p.query or "") for p in dashboard.panels):
            found.append(Diagnostic(_where(variable.position, dashboard.position),
                                    f"variable '{variable.name}' is declared but no query uses it", severity=WARNING,
                                    code="unused-variable", path=f"variables[{variable.name}]",
                                    hint=f"use '{{{{{variable.name}}}}}' in a panel query or remove the variable"))
    placed = [p for p in dashboard.panels if p.layout]
    for index, panel in enumerate(placed):
        for other in placed[:index]:
            if panel.layout and other.layout and overlaps(panel.layout, other.layout):
                # places kept from Sumo (panels with a Sumo key) may overlap: Sumo's grid pushes panels down
                kept = panel.key is not None and other.key is not None
                found.append(Diagnostic(_where(panel.position), f"panel '{panel.id}' overlaps panel '{other.id}'",
                                        code="layout", path=f"panels[{panel.id}].position",
                                        severity=WARNING if kept else ERROR,
                                        hint="Sumo shows the lower one pushed down; move it to say where it goes"
                                        if kept else "move one of them or drop explicit positions to flow "
                                        "automatically"))
    return found
