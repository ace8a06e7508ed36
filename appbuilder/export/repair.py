"""A safety net for values Sumo accepts and the YAML schemas do not: before anything is written, each exported
document is checked against its schema, and an optional modelled key that fails is dropped from its element, so
the residual pass carries the original value verbatim (in ``extra``) instead."""

from __future__ import annotations

from typing import Any

from appbuilder.validate.schema import _validator  # the validate stage's compiled (cached) validator per kind

ELEMENT_LISTS = frozenset({"panels", "variables", "queries", "contents"})


def _element_key(path: list[str | int]) -> tuple[list[str | int], str] | None:
    """The path of the innermost element (the document, a panel, a variable, a query, a contents entry) on
    ``path``, and the key of it the path goes through."""
    element: list[str | int] = []
    for index, step in enumerate(path):
        if isinstance(step, int) and index > 0 and path[index - 1] in ELEMENT_LISTS and index + 1 < len(path):
            element = path[: index + 1]
    key = path[len(element)] if len(path) > len(element) else None
    return (element, key) if isinstance(key, str) else None


def _at(data: Any, path: list[str | int]) -> Any:
    for step in path:
        data = data[step] if isinstance(data, (dict, list)) else None
    return data


def _missing(data: dict[str, Any], kind: str, element: list[str | int], key: str) -> bool:
    """Whether the schema needs ``key`` on the element at ``element``."""
    return any(error.validator == "required" and list(error.absolute_path) == element and f"'{key}'" in error.message
               for error in _validator(kind).iter_errors(data))


def repair(data: dict[str, Any], kind: str) -> list[str]:
    """Drop the optional keys the ``kind`` schema refuses, in place; returns the dotted paths dropped.

    A key the element cannot do without is kept: the loader reports it."""
    dropped: list[str] = []
    kept: set[str] = set()
    for _ in range(20):
        progress = False
        for error in _validator(kind).iter_errors(data):
            path = list(error.absolute_path)
            found = _element_key(path)
            element = _at(data, found[0]) if found else None
            if found is None or not isinstance(element, dict) or found[1] not in element:
                continue
            where = ".".join(str(step) for step in [*found[0], found[1]])
            if where in kept:
                continue
            order = list(element.items())
            del element[found[1]]
            if _missing(data, kind, found[0], found[1]):
                element.clear()
                element.update(order)  # required: put it back where it was
                kept.add(where)
                continue
            dropped.append(".".join(str(step) for step in path))
            progress = True
            break  # the other errors' paths may have moved
        if not progress:
            return dropped
    return dropped
