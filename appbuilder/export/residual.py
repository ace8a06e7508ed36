"""What an exported element needs beyond its modelled fields: the inverse of ``build.overrides``.

Values are compared strictly (``true`` is not ``1``); the JSON-string fields Sumo stores (``visualSettings``,
layout ``structure``) are compared as the JSON they hold.
"""

from __future__ import annotations

import json
from typing import Any

from appbuilder.model import Overrides
from appbuilder.sumo.normalise import decode_json_string

JSON_STRING_FIELDS = frozenset({"visualSettings", "structure"})


def same(a: Any, b: Any, key: str | None = None) -> bool:
    """Strict JSON equality: types matter (``1`` ≠ ``true``, ``1`` = ``1.0``), dict key order does not."""
    if key in JSON_STRING_FIELDS and isinstance(a, str) and isinstance(b, str) and a != b:
        a, b = decode_json_string(a), decode_json_string(b)
        if isinstance(a, str) or isinstance(b, str):
            return False
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], k) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


ABSENT = object()  # a key one side of ``changed_paths`` lacks


def changed_paths(original: Any, rebuilt: Any, path: str = "", key: str | None = None
                  ) -> list[tuple[str, Any, Any]]:
    """(path, original value, rebuilt value) wherever they differ, down to the smallest differing parts (lists
    of the same length item by item); ``ABSENT`` for a key one side lacks."""
    if same(original, rebuilt, key):
        return []
    if isinstance(original, dict) and isinstance(rebuilt, dict):
        found: list[tuple[str, Any, Any]] = []
        for k in list(original) + [k for k in rebuilt if k not in original]:
            here = f"{path}.{k}" if path else str(k)
            if k in original and k in rebuilt:
                found += changed_paths(original[k], rebuilt[k], here, str(k))
            else:
                found.append((here, original.get(k, ABSENT), rebuilt.get(k, ABSENT)))
        return found
    if isinstance(original, list) and isinstance(rebuilt, list) and len(original) == len(rebuilt):
        return [c for i, (a, b) in enumerate(zip(original, rebuilt, strict=True))
                for c in changed_paths(a, b, f"{path}[{i}]")]
    return [(path, original, rebuilt)]


def differences(original: Any, rebuilt: Any, path: str = "", key: str | None = None) -> list[str]:
    """Paths where ``rebuilt`` differs from ``original`` (empty when they are the same, field for field)."""
    def text(where: str, a: Any, b: Any) -> str:
        if b is ABSENT:
            return f"{where}: missing"
        if a is ABSENT:
            return f"{where}: unexpected"
        return (f"{where or '(root)'}: {json.dumps(a, ensure_ascii=False)[:120]} ≠ "
                f"{json.dumps(b, ensure_ascii=False)[:120]}")

    return [text(*change) for change in changed_paths(original, rebuilt, path, key)]


def residual(original: dict[str, Any], built: dict[str, Any], skip: frozenset[str] = frozenset(),
             prefix: str = "") -> Overrides:
    """The ``extra``/``omit`` that turn ``built`` into ``original`` (keys in ``skip`` are handled elsewhere)."""
    extra: dict[str, Any] = {}
    omit: list[str] = []
    for key, value in original.items():
        if key in skip:
            continue
        if key not in built:
            extra[key] = value
        elif same(value, built[key], key):
            continue
        elif isinstance(value, dict) and isinstance(built[key], dict) and _nestable(key, value, built[key]):
            inner = residual(value, built[key], prefix=f"{prefix}{key}.")
            if inner.extra:
                extra[key] = inner.extra
            omit += inner.omit
        else:
            if isinstance(value, dict) and isinstance(built[key], dict) and "." not in key:
                omit.append(f"{prefix}{key}")  # dropped first, then set again from extra: a whole replacement
            extra[key] = value
    omit += [f"{prefix}{key}" for key in built if key not in original and key not in skip]
    return Overrides(extra, omit)


def _nestable(key: str, original: dict[str, Any], built: dict[str, Any]) -> bool:
    """Whether a difference inside a mapping is written key by key: not when the two are of different ``type``
    (then the whole value reads better), nor when a dotted omit path would be ambiguous."""
    return ("." not in key and original.get("type") == built.get("type")
            and all("." not in str(k) for k in built if k not in original))
