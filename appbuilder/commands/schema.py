"""`appbuilder schema KIND` / `appbuilder schema --write DIR`: the JSON Schemas of the YAML kinds.

The schemas ship inside the package; ``--write`` copies them to a directory so that the
``# yaml-language-server: $schema=...`` comments of app YAML files can point at them from any repository.
"""

from __future__ import annotations

from pathlib import Path

from appbuilder.validate.schema import KINDS, schema_path

# every schema's `$id` (a stable name, not a download location) and `x-format-version`, the version of the app
# definition format: raised when a change makes a file that was valid invalid; additions keep it
SCHEMA_ID = "https://appbuilder.dev/schemas/{kind}.schema.json"
FORMAT_VERSION = "1"


def schema_text(kind: str) -> str:
    """The schema file's text for ``kind`` (one of KINDS)."""
    return schema_path(kind).read_text(encoding="utf-8")


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def update_schemas(directory: Path, kinds: tuple[str, ...] = KINDS) -> list[tuple[Path, bool]]:
    """Write each kind's schema as ``DIR/<kind>.schema.json`` (creating DIR): each path, in kind order, and
    whether it was written. A file already holding the same text is left alone, so re-running after an upgrade
    only touches what changed."""
    directory.mkdir(parents=True, exist_ok=True)
    done = []
    for kind in kinds:
        target = directory / schema_file_name(kind)
        text = schema_text(kind)
        changed = not target.is_file() or target.read_text(encoding="utf-8") != text
        if changed:
            target.write_text(text, encoding="utf-8")
        done.append((target, changed))
    return done


def write_schemas(directory: Path, kinds: tuple[str, ...] = KINDS) -> list[Path]:
    """``update_schemas``, the paths only."""
    return [path for path, _ in update_schemas(directory, kinds)]


__all__ = ["FORMAT_VERSION", "KINDS", "SCHEMA_ID", "schema_file_name", "schema_text", "update_schemas",
           "write_schemas"]
