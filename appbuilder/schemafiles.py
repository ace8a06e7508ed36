"""The packaged JSON Schema files of the YAML kinds (inside the package, so wheels carry them)."""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.abc import Traversable

SCHEMA_DIR: Traversable = files("appbuilder") / "schemas"
KINDS = ("app", "source", "queries", "dashboard", "tests", "fragments", "monitor", "environments")


class UnknownKindError(KeyError):
    """Raised for a schema kind that does not exist."""


def schema_path(kind: str) -> Traversable:
    """The packaged schema file of one YAML kind."""
    if kind not in KINDS:
        raise UnknownKindError(kind)
    return SCHEMA_DIR / f"{kind}.schema.json"


@cache
def load_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema for one YAML kind (app, source, queries, dashboard, tests, …)."""
    with schema_path(kind).open(encoding="utf-8") as handle:
        return json.load(handle)
