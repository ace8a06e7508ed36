"""Apply the verbatim Sumo fields an element carries (``extra`` / ``omit``, see ``model.Overrides``)."""

from __future__ import annotations

import copy
from typing import Any

from appbuilder.model import Overrides


def merge(base: Any, extra: Any) -> Any:
    """A copy of ``base`` with ``extra`` merged in: mappings merge key by key, anything else replaces."""
    if not isinstance(base, dict) or not isinstance(extra, dict):
        return copy.deepcopy(extra)
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = merge(merged[key], value) if key in merged else copy.deepcopy(value)
    return merged


def apply_overrides(built: dict[str, Any], overrides: Overrides) -> dict[str, Any]:
    """``built`` without the dotted paths of ``overrides.omit``, then with ``overrides.extra`` deep-merged in
    (so a path both omitted and given in ``extra`` is replaced as a whole)."""
    if not overrides:
        return built
    out: dict[str, Any] = copy.deepcopy(built) if overrides.omit else built
    for path in overrides.omit:
        _drop(out, path.split("."))
    return merge(out, overrides.extra) if overrides.extra else out


def _drop(node: Any, steps: list[str]) -> None:
    """Remove the key at ``steps``; a ``*`` step stands for every item of a list (``panels.*.queries.*.transient``)."""
    step, rest = steps[0], steps[1:]
    if step == "*" and rest:
        for child in node if isinstance(node, list) else []:
            _drop(child, rest)
    elif not isinstance(node, dict):
        return
    elif not rest:
        node.pop(step, None)
    elif step in node:
        _drop(node[step], rest)
