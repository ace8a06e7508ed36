"""A safety net for values Sumo accepts and the YAML schemas do not: before anything is written, each exported
document is checked against its schema, and an optional modelled key that fails is dropped from its element, so
the residual pass carries the original value verbatim (in ``extra``) instead."""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from appbuilder.validate.schema import load_schema

ELEMENT_LISTS = frozenset({"panels", "variables", "queries", "contents"})
# keys an element cannot do without: a value of theirs the schema refuses cannot be carried verbatim instead
REQUIRED = frozenset({"id", "title", "chart", "name", "query", "text", "dashboard", "savedSearch", "raw", "folder",
                      "version", "description"})


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind))


def _element_key(data: Any, path: list[str | int]) -> tuple[dict[str, Any], str] | None:
    """The innermost element (a document, a panel, a variable, a query, a contents entry) on ``path`` and the key
    of it the path goes through."""
    element, key, node = data, path[0] if path else None, data
    for index, step in enumerate(path):
        is_item = isinstance(step, int) and index > 0 and path[index - 1] in ELEMENT_LISTS
        node = node[step] if isinstance(node, (dict, list)) else None
        if is_item and isinstance(node, dict) and index + 1 < len(path):
            element, key = node, path[index + 1]
    return (element, key) if isinstance(element, dict) and isinstance(key, str) else None


def repair(data: dict[str, Any], kind: str) -> list[str]:
    """Drop the optional keys the ``kind`` schema refuses, in place; returns the dotted paths dropped.

    Whatever cannot be repaired this way is left for the loader to report."""
    dropped: list[str] = []
    for _ in range(10):
        found = False
        for error in _validator(kind).iter_errors(data):
            path = list(error.absolute_path)
            target = _element_key(data, path)
            if target is None or target[1] in REQUIRED or target[1] not in target[0]:
                continue
            element, key = target
            del element[key]
            dropped.append(".".join(str(step) for step in path))
            found = True
            break  # the paths of the other errors may have moved
        if not found:
            return dropped
    return dropped
