"""A generic, readable field-level diff of two canonical (normalised) JSON values.

Lists of objects are matched by an identity field (``key``, ``queryKey``, ``name``) when every item has one,
and shown by a human label (``title`` or ``name``), e.g. ``panels["Failed sign-ins"].queries["A"].queryString``.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

IDENTITY_FIELDS = ("key", "queryKey", "name")
LABEL_FIELDS = ("title", "name", "displayName", "queryKey", "key")
_MISSING = object()


@dataclass(frozen=True)
class FieldChange:
    """One difference: ``old`` is the remote value, ``new`` the desired one (``None`` when absent)."""

    path: str
    old: Any
    new: Any
    old_present: bool = True
    new_present: bool = True

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path}
        if self.old_present:
            out["old"] = self.old
        if self.new_present:
            out["new"] = self.new
        return out

    @property
    def multiline(self) -> bool:
        """Both sides are strings and one spans several lines (a query): shown as a line diff."""
        return (self.old_present and self.new_present and isinstance(self.old, str) and isinstance(self.new, str)
                and ("\n" in self.old or "\n" in self.new))

    def line_diff(self) -> list[str]:
        """A unified line diff (difflib) of a multi-line value, whole: nothing is cut."""
        return list(difflib.unified_diff(str(self.old).splitlines(), str(self.new).splitlines(),
                                         "in Sumo", "in the app", n=2, lineterm=""))

    def text(self) -> str:
        if self.multiline:
            return "\n".join([f"{self.path}:", *("  " + line for line in self.line_diff())])
        if not self.old_present:
            return f"{self.path}: added {show(self.new)}"
        if not self.new_present:
            return f"{self.path}: removed (was {show(self.old)})"
        return f"{self.path}: {show(self.old)} → {show(self.new)}"


def show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _unique(items: list[Any], field: str) -> bool:
    values = [i.get(field) if isinstance(i, dict) else None for i in items]
    return all(isinstance(v, (str, int)) for v in values) and len(set(values)) == len(values)


def _identity(old: list[Any], new: list[Any]) -> str | None:
    """The identity field shared by the items of both lists (unique within each), if any."""
    if not old or not new:
        return None
    return next((f for f in IDENTITY_FIELDS if _unique(old, f) and _unique(new, f)), None)


def _label(item: dict[str, Any], field: str) -> str:
    for name in LABEL_FIELDS:
        value = item.get(name)
        if isinstance(value, str) and value:
            return value
    return str(item.get(field))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _pair(old: Any, new: Any, path: str) -> list[FieldChange]:
    """The change between two counterparts, either of which may be missing (``_MISSING``)."""
    if old is _MISSING:
        return [FieldChange(path, None, new, old_present=False)]
    if new is _MISSING:
        return [FieldChange(path, old, None, new_present=False)]
    return diff(old, new, path)


def diff(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """Every difference between ``old`` (remote) and ``new`` (desired), in a stable order."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[FieldChange] = []
        for key in sorted(set(old) | set(new)):
            changes.extend(_pair(old.get(key, _MISSING), new.get(key, _MISSING), _join(path, str(key))))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path)
    return [FieldChange(path or "(value)", old, new)]


def _diff_lists(old: list[Any], new: list[Any], path: str) -> list[FieldChange]:
    field = _identity(old, new)
    if field is None:
        if len(old) == len(new):
            out: list[FieldChange] = []
            for index, (a, b) in enumerate(zip(old, new, strict=True)):
                out.extend(diff(a, b, f"{path}[{index}]"))
            return out
        return [FieldChange(path, old, new)]
    old_by = {item[field]: item for item in old}
    new_by = {item[field]: item for item in new}
    changes: list[FieldChange] = []
    order = [item[field] for item in new] + [item[field] for item in old if item[field] not in new_by]
    for ident in order:
        a, b = old_by.get(ident, _MISSING), new_by.get(ident, _MISSING)
        label = json.dumps(_label(b if b is not _MISSING else a, field), ensure_ascii=False)
        changes.extend(_pair(a, b, f"{path}[{label}]"))
    return changes
