"""Semantic diff of two app models: what a reviewer sees change, in dashboard terms.

Generic over the model: every dataclass list on the app (dashboards, queries, monitors, ...) is matched item by
item on its identity (``id``, ``slug`` or ``name``); nested lists (panels, variables) become their own items named
``<parent>/<id>``; nested single dataclasses (the source's collector, a panel's layout) become dotted fields.
Positions, origins and file paths are bookkeeping, not content, and are ignored. Multi-line text (queries) is
compared as a line diff.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from appbuilder.model import App, Position, TextOrigin

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
IDENTITY_FIELDS = ("id", "slug", "name")
# bookkeeping of the loader: where things came from, not what they are
IGNORED_FIELDS = {"position", "origin", "root", "path", "sample_files", "test_files", "test_targets",
                  "queries_unreadable", "dashboards_unreadable", "lint_severity_positions", "parameters_position",
                  "explicit_position", "query_ref"}
# singular labels of the app's item lists; a list not named here is labelled by its field name
KIND_LABELS = {"dashboards": "dashboard", "queries": "query", "panels": "panel", "variables": "variable",
               "parameters": "parameter", "monitors": "monitor", "log_types": "log type"}


@dataclass(frozen=True)
class FieldChange:
    """One field of an item whose value differs; ``old``/``new`` are plain JSON-able values (None: absent)."""

    name: str
    old: Any
    new: Any

    @property
    def multiline(self) -> bool:
        return any(isinstance(v, str) and "\n" in v.strip("\n") for v in (self.old, self.new))

    def line_diff(self) -> list[str]:
        """Unified diff lines (without file headers) of the old and new text."""
        old = (self.old or "") if isinstance(self.old, str) else display(self.old)
        new = (self.new or "") if isinstance(self.new, str) else display(self.new)
        lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2)
        return [line for line in lines if not line.startswith(("---", "+++"))]


@dataclass(frozen=True)
class ItemChange:
    """An item (a dashboard, a panel, a saved search, ...) added, removed or changed."""

    kind: str
    item: str
    action: str
    fields: list[FieldChange] = field(default_factory=list)
    title: str = ""

    @property
    def shown_title(self) -> str:
        """The title when it says more than the item's identity."""
        return "" if self.title in (self.item, self.item.rsplit("/", 1)[-1]) else self.title

    @property
    def label(self) -> str:
        return f"{self.kind} {self.item}" + (f" ({self.shown_title})" if self.shown_title else "")


@dataclass(frozen=True)
class AppDiff:
    """Every change from ``old`` to ``new``, in a stable order (the new app's order, removed items after)."""

    old_name: str
    new_name: str
    old_version: str
    new_version: str
    changes: list[ItemChange] = field(default_factory=list)
    basis: str = ""  # how the two were compared, when not as definitions (``installed_diff``)

    @property
    def equal(self) -> bool:
        return not self.changes

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    def to_dict(self) -> dict[str, Any]:
        return {"equal": self.equal, **({"basis": self.basis} if self.basis else {}),
                "old": {"name": self.old_name, "version": self.old_version},
                "new": {"name": self.new_name, "version": self.new_version},
                "summary": {a: self.count(a) for a in (ADDED, REMOVED, CHANGED)},
                "changes": [{"kind": c.kind, "item": c.item, "title": c.title, "action": c.action,
                             "fields": [{"field": f.name, "old": f.old, "new": f.new,
                                         **({"diff": f.line_diff()} if f.multiline else {})}
                                        for f in c.fields]} for c in self.changes]}


def display(value: Any) -> str:
    """A short one-line rendering of a field value."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _plain(value: Any) -> Any:
    """A JSON-able copy of a model value, bookkeeping dropped."""
    if isinstance(value, (Position, TextOrigin)):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in IGNORED_FIELDS and not f.name.endswith("_origin")}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, PurePath):
        return value.as_posix()
    return value


def _identity(item: Any) -> str | None:
    for name in IDENTITY_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _is_item_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        dataclasses.is_dataclass(v) and _identity(v) is not None for v in value)


def _kind(list_name: str, item: Any) -> str:
    if list_name == "queries" and getattr(item, "saved_search", False):
        return "saved search"
    return KIND_LABELS.get(list_name, list_name.rstrip("s").replace("_", " "))


def _title(item: Any) -> str:
    for name in ("title", "name"):
        value = getattr(item, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _is_record_list(value: Any) -> bool:
    """A non-empty list of dataclasses without identity (a monitor's triggers, its notifications)."""
    return isinstance(value, list) and bool(value) and all(
        dataclasses.is_dataclass(v) and not isinstance(v, type) and _identity(v) is None for v in value)


def _as_items(value: Any) -> list[Any] | None:
    """``value`` as a list of identified items (a single identified dataclass counts), or None if it is not."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and _identity(value) is not None:
        return [value]
    if _is_item_list(value):
        return list(value)
    return None


def _split(old: Any, new: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, tuple[list[Any], list[Any]]]]:
    """Both sides' own fields (flattened, JSON-able) and their nested item lists, decided per field for both."""
    old_own: dict[str, Any] = {}
    new_own: dict[str, Any] = {}
    lists: dict[str, tuple[list[Any], list[Any]]] = {}
    some = new if new is not None else old
    if some is None:
        return old_own, new_own, lists
    for f in dataclasses.fields(some):
        if f.name in IGNORED_FIELDS or f.name.endswith("_origin"):
            continue
        old_value = getattr(old, f.name, None)
        new_value = getattr(new, f.name, None)
        old_items, new_items = _as_items(old_value), _as_items(new_value)
        if old_items is not None or new_items is not None:
            lists[f.name] = (old_items or [], new_items or [])
        elif _is_record_list(old_value) or _is_record_list(new_value):
            olds, news = list(old_value or []), list(new_value or [])
            for i in range(max(len(olds), len(news))):  # records without identity: compared by position
                sub_old, sub_new, _ = _split(olds[i] if i < len(olds) else None, news[i] if i < len(news) else None)
                old_own.update({f"{f.name}[{i}].{k}": v for k, v in sub_old.items()})
                new_own.update({f"{f.name}[{i}].{k}": v for k, v in sub_new.items()})
        elif any(dataclasses.is_dataclass(v) and not isinstance(v, type) for v in (old_value, new_value)):
            sub_old, sub_new, _ = _split(old_value, new_value)
            old_own.update({f"{f.name}.{k}": v for k, v in sub_old.items()})
            new_own.update({f"{f.name}.{k}": v for k, v in sub_new.items()})
        else:
            if old is not None:
                old_own[f.name] = _plain(old_value)
            if new is not None:
                new_own[f.name] = _plain(new_value)
    return old_own, new_own, lists


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    names = list(new) + [n for n in old if n not in new]
    return [FieldChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)]


def _compare_lists(name: str, old: list[Any], new: list[Any], prefix: str, out: list[ItemChange]) -> None:
    old_by_id = {_identity(i): i for i in old}
    new_by_id = {_identity(i): i for i in new}
    single = name not in KIND_LABELS and len(old) <= 1 and len(new) <= 1  # the source: one item, maybe renamed
    if single and old and new:
        old_by_id = {_identity(new[0]): old[0]}
    renamed = _renamed_by_key(old_by_id, new_by_id)
    for ident, item in new_by_id.items():
        _compare_items(name, old_by_id.get(ident, renamed.get(ident)), item, prefix, out)
    paired = {id(item) for item in renamed.values()}
    for ident, item in old_by_id.items():
        if ident not in new_by_id and id(item) not in paired:
            _compare_items(name, item, None, prefix, out)


def _renamed_by_key(old: dict[str | None, Any], new: dict[str | None, Any]) -> dict[str | None, Any]:
    """New identity → old item, for items only one side names that carry the same Sumo ``key`` (a panel whose
    id was renamed is the same panel: a change of its id, not a remove and an add)."""
    def keyed(items: dict[str | None, Any], others: dict[str | None, Any]) -> dict[str, Any]:
        keys = [(getattr(i, "key", None), ident) for ident, i in items.items() if ident not in others]
        found = [k for k, _ in keys if isinstance(k, str) and k]
        return {k: ident for k, ident in keys if isinstance(k, str) and k and found.count(k) == 1}

    old_keys, new_keys = keyed(old, new), keyed(new, old)
    return {ident: old[old_keys[key]] for key, ident in new_keys.items() if key in old_keys}


def _compare_items(list_name: str, old: Any, new: Any, prefix: str, out: list[ItemChange]) -> None:
    some = new if new is not None else old
    ident = f"{prefix}{_identity(some)}"
    kind = _kind(list_name, some)
    if list_name not in KIND_LABELS and not prefix:
        ident = list_name  # a single item such as the source is named by its role
    if old is None or new is None:
        out.append(ItemChange(kind, ident, ADDED if old is None else REMOVED, title=_title(some)))
        return
    old_own, new_own, lists = _split(old, new)
    changed = _field_changes(old_own, new_own)
    if changed:
        out.append(ItemChange(kind, ident, CHANGED, changed, title=_title(new)))
    for name, (old_items, new_items) in lists.items():
        _compare_lists(name, old_items, new_items, f"{ident}/", out)


def diff_apps(old: App | None, new: App | None) -> AppDiff:
    """Every change from ``old`` to ``new``; a missing side (None) makes every item of the other added/removed."""
    result = AppDiff(old.name if old else "", new.name if new else "", old.version if old else "",
                     new.version if new else "")
    old_own, new_own, lists = _split(old, new)
    if old is not None and new is not None:
        changed = _field_changes(old_own, new_own)
        if changed:
            result.changes.append(ItemChange("app", new.name, CHANGED, changed, title=new.name))
    for name, (old_items, new_items) in lists.items():
        _compare_lists(name, old_items, new_items, "", result.changes)
    return result
