"""`appbuilder schema KIND`: the JSON Schema of one YAML kind."""

from __future__ import annotations

from appbuilder.validate.schema import KINDS, schema_path


def schema_text(kind: str) -> str:
    """The schema file's text for ``kind`` (one of KINDS)."""
    return schema_path(kind).read_text(encoding="utf-8")


__all__ = ["KINDS", "schema_text"]
