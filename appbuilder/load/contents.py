"""The ``contents`` of app.yaml: the app folder's items in order, sub-folders, and raw (verbatim) Sumo content."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.jsonfile import read_json
from appbuilder.load.reader import inside_app, outside_app
from appbuilder.load.yamlfile import YamlDocument
from appbuilder.model import App, ContentItem, Overrides, Position

MAX_RAW_BYTES = 20 * 1024 * 1024


def overrides_of(item: dict[str, Any]) -> Overrides:
    """The verbatim Sumo fields (``extra``/``omit``) of an element, as written by ``appbuilder export``."""
    extra = item.get("extra")
    omit = item.get("omit")
    return Overrides(dict(extra) if isinstance(extra, dict) else {},
                     [o for o in omit if isinstance(o, str)] if isinstance(omit, list) else [])


def read_raw(path: Path, shown: str) -> tuple[dict[str, Any] | None, Diagnostic | None]:
    """A raw Sumo content file (one JSON object with a ``type``), or the reason it cannot be used."""
    data, problems = read_json(path, shown, max_bytes=MAX_RAW_BYTES)
    if problems:
        return None, problems[0]
    if not isinstance(data, dict):
        return None, Diagnostic(Position(shown), "expected a Sumo content object",
                                code="schema", hint="a raw item is Sumo content JSON as Sumo exports it")
    return data, None


def load_contents(doc: YamlDocument, root: Path, entries: list[Any], at: list[str | int],
                  diagnostics: list[Diagnostic]) -> list[ContentItem]:
    """Content items of one folder level; schema problems are reported by the loader's schema check."""
    items: list[ContentItem] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        here: list[str | int] = [*at, index]
        position = doc.position(here)
        if isinstance(entry.get("folder"), str):
            children = entry.get("contents")
            description = entry.get("description")
            items.append(ContentItem(
                "folder", name=entry["folder"], description=description if isinstance(description, str) else "",
                children=load_contents(doc, root, children, [*here, "contents"], diagnostics)
                if isinstance(children, list) else [],
                overrides=overrides_of(entry), position=position))
        elif isinstance(entry.get("dashboard"), str):
            items.append(ContentItem("dashboard", ref=entry["dashboard"], position=position))
        elif isinstance(entry.get("savedSearch"), str):
            items.append(ContentItem("savedSearch", ref=entry["savedSearch"], position=position))
        elif isinstance(entry.get("raw"), str):
            target = root / entry["raw"]
            shown = f"{Path(doc.display).parent / entry['raw']}"
            if not inside_app(root, target):  # as every other file an app names: never read from elsewhere
                diagnostics.append(outside_app(doc, [*here, "raw"], entry["raw"]))
                continue
            if not target.is_file():
                diagnostics.append(Diagnostic(position, f"'{entry['raw']}' does not exist", code="missing-file",
                                              path=".".join(str(s) for s in [*here, "raw"]),
                                              hint=f"paths are relative to {doc.display}"))
                continue
            data, problem = read_raw(target, shown)
            if problem is not None:
                diagnostics.append(problem)
                continue
            name = str(data.get("name") or "") if data else ""
            items.append(ContentItem("raw", ref=entry["raw"], name=name, data=data, position=position))
    return items


def check_contents(app_items: list[ContentItem], dashboards: set[str], query_ids: set[str],
                   saved: set[str]) -> list[Diagnostic]:
    """Every dashboard and saved search placed exactly once, and every reference known."""
    found: list[Diagnostic] = []
    placed: dict[str, Position | None] = {}

    def walk(items: list[ContentItem]) -> None:
        for item in items:
            if item.kind == "folder":
                walk(item.children)
                continue
            if item.kind == "raw":
                continue
            ident = f"{item.kind}:{item.ref}"
            known = dashboards if item.kind == "dashboard" else query_ids
            if item.ref not in known:
                what = "a file listed under dashboards" if item.kind == "dashboard" else "a query id in queries.yaml"
                found.append(Diagnostic(item.position or Position("?"), f"'{item.ref}' is not {what}",
                                        code="unresolved-reference", path="contents"))
            elif item.kind == "savedSearch" and item.ref not in saved:
                found.append(Diagnostic(item.position or Position("?"), f"query '{item.ref}' is not a saved search",
                                        code="unresolved-reference", path="contents",
                                        hint="set savedSearch: true on it in queries.yaml"))
            if ident in placed:
                found.append(Diagnostic(item.position or Position("?"), f"'{item.ref}' is placed twice "
                                        f"(first at {placed[ident]})", code="duplicate-name", path="contents"))
            placed[ident] = item.position

    walk(app_items)
    return found


def folder_levels(app: App) -> list[list[tuple[str, Position | None]]]:
    """(name, position) of the items of each folder of the app: the app folder first, then each sub-folder."""
    dashboards = {str(d.path): d for d in app.dashboards}
    saved = {q.id: q for q in app.saved_searches}
    top: list[tuple[str, Position | None]] = []
    levels = [top]
    placed: set[int] = set()

    def walk(items: list[ContentItem], names: list[tuple[str, Position | None]]) -> None:
        for item in items:
            if item.kind == "folder":
                inner: list[tuple[str, Position | None]] = []
                levels.append(inner)
                names.append((item.name, item.position))
                walk(item.children, inner)
            elif item.kind == "dashboard" and str(app.root / item.ref) in dashboards:
                dashboard = dashboards[str(app.root / item.ref)]
                placed.add(id(dashboard))
                names.append((dashboard.title, dashboard.position))
            elif item.kind == "savedSearch" and item.ref in saved:
                placed.add(id(saved[item.ref]))
                names.append((saved[item.ref].name, saved[item.ref].position))
            elif item.kind == "raw":
                names.append((item.name, item.position))

    walk(app.contents or [], top)
    top += [(d.title, d.position) for d in app.dashboards if id(d) not in placed]
    top += [(q.name, q.position) for q in app.saved_searches if id(q) not in placed]
    return levels
