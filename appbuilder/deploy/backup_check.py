"""Local checks of a backup directory before anything is sent to Sumo: is it a backup, and is every file in it
readable JSON of the expected shape? Pure: reads the directory, returns positioned problems, never raises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appbuilder.deploy.backup import BACKUP_MANIFEST, COLLECTOR, CONTENT, ITEMS, SOURCE
from appbuilder.diagnostics import Diagnostic
from appbuilder.load.jsonfile import read_json
from appbuilder.model import Position

ITEM_FILES = (CONTENT, SOURCE, COLLECTOR, ITEMS)
_HINT = "give a directory printed by install, uninstall or restore (.appbuilder/backups/<app>-<UTC time>/ by default)"


def _check_manifest(manifest: dict[str, Any], shown: str) -> list[Diagnostic]:
    found = []
    target = manifest.get("target")
    if not isinstance(target, dict):
        found.append(Diagnostic(Position(shown), "the backup manifest has no 'target' object (where the backup "
                                "came from)", code="backup-invalid", hint=_HINT))
    elif not any(isinstance(target.get(k), str) and target.get(k) for k in ("parentId", "parentPath")):
        found.append(Diagnostic(Position(shown), "the backup manifest's target names no folder (parentId or "
                                "parentPath)", code="backup-invalid", hint=_HINT))
    files = manifest.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        found.append(Diagnostic(Position(shown), "the backup manifest's 'files' is not a list of file names",
                                code="backup-invalid", hint=_HINT))
    else:
        unknown = [f for f in files if f not in ITEM_FILES]
        if unknown:
            found.append(Diagnostic(Position(shown), f"the backup manifest lists unknown files: "
                                    f"{', '.join(unknown)}", code="backup-invalid",
                                    hint=f"a backup holds {', '.join(ITEM_FILES)}"))
    return found


_CHANGED = "the file was changed after the backup was written; restore another backup"


def _check_item(name: str, value: Any, shown: str) -> list[Diagnostic]:
    """The shape restore relies on: objects, content with a type, a name and child objects, items with a kind."""
    def problem(message: str) -> list[Diagnostic]:
        return [Diagnostic(Position(shown), message, code="backup-invalid", hint=_CHANGED)]

    if name == "items.json":
        if not isinstance(value, list) or not all(isinstance(i, dict) and isinstance(i.get("kind"), str)
                                                  and isinstance(i.get("body"), dict) for i in value):
            return problem("items.json is not a list of saved items (each with a 'kind' and a 'body' object)")
        return []
    if not isinstance(value, dict):
        return problem(f"{name} is not a JSON object")
    if name == "content.json":
        children = value.get("children", [])
        if not (isinstance(value.get("name"), str) and isinstance(value.get("type"), str)):
            return problem("content.json is not exported Sumo content (no 'type' and 'name')")
        if not isinstance(children, list) or not all(isinstance(c, dict) for c in children):
            return problem("content.json's 'children' is not a list of content items")
    return []


def check_backup_dir(path: Path) -> list[Diagnostic]:
    """Every reason ``path`` cannot be restored, found locally (empty when it is a well-formed backup)."""
    shown = str(path)
    if not path.exists():
        return [Diagnostic(Position(shown), "backup directory not found", code="backup-missing", hint=_HINT)]
    if not path.is_dir():
        return [Diagnostic(Position(shown), "is a file, expected a backup directory", code="backup-invalid",
                           hint=_HINT)]
    manifest_path = path / BACKUP_MANIFEST
    if not manifest_path.is_file():
        return [Diagnostic(Position(shown), f"not an appbuilder backup (no {BACKUP_MANIFEST})", code="backup-invalid",
                           hint=_HINT)]
    manifest, problems = read_json(manifest_path, str(manifest_path))
    if problems:
        return problems
    if not isinstance(manifest, dict):
        return [Diagnostic(Position(str(manifest_path)), "the backup manifest is not a JSON object",
                           code="backup-invalid", hint=_HINT)]
    found = _check_manifest(manifest, str(manifest_path))
    listed = manifest.get("files") if isinstance(manifest.get("files"), list) else []
    present = [name for name in ITEM_FILES if (path / name).exists()]
    for name in sorted(set(present) | {f for f in listed if f in ITEM_FILES}, key=ITEM_FILES.index):
        item_path = path / name
        value, problems = read_json(item_path, str(item_path))
        if problems:
            found += [Diagnostic(p.position, p.message, code=p.code,
                                 hint=f"{p.hint}; the backup is damaged, restore another one") for p in problems]
            continue
        found += _check_item(name, value, str(item_path))
    if not present:
        found.append(Diagnostic(Position(shown), f"the backup holds nothing to restore (none of "
                                f"{', '.join(ITEM_FILES)})", code="backup-invalid", hint=_HINT))
    return found
