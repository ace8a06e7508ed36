"""Local checks of a backup directory before anything is sent to Sumo: is it a backup, and is every file in it
readable JSON of the expected shape? Pure: reads the directory, returns positioned problems, never raises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.load.jsonfile import read_json
from appbuilder.model import Position

MANIFEST = "backup.json"
ITEM_FILES = ("content.json", "source.json", "collector.json")
_HINT = "give a directory printed by install, uninstall or restore (backups/<app>-<UTC time>/)"


def _object(value: Any, shown: str, what: str, hint: str) -> list[Diagnostic]:
    if isinstance(value, dict):
        return []
    return [Diagnostic(Position(shown), f"{what} is not a JSON object", code="backup-invalid", hint=hint)]


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


def _check_item(name: str, value: dict[str, Any], shown: str) -> list[Diagnostic]:
    if name == "content.json" and not (isinstance(value.get("name"), str) and isinstance(value.get("type"), str)):
        return [Diagnostic(Position(shown), "content.json is not exported Sumo content (no 'type' and 'name')",
                           code="backup-invalid", hint="the file was changed after the backup was written; "
                           "restore another backup")]
    return []


def check_backup_dir(path: Path) -> list[Diagnostic]:
    """Every reason ``path`` cannot be restored, found locally (empty when it is a well-formed backup)."""
    shown = str(path)
    if not path.exists():
        return [Diagnostic(Position(shown), "backup directory not found", code="backup-missing", hint=_HINT)]
    if not path.is_dir():
        return [Diagnostic(Position(shown), "is a file, expected a backup directory", code="backup-invalid",
                           hint=_HINT)]
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        return [Diagnostic(Position(shown), f"not an appbuilder backup (no {MANIFEST})", code="backup-invalid",
                           hint=_HINT)]
    manifest, problems = read_json(manifest_path, str(manifest_path))
    if problems:
        return problems
    found = _object(manifest, str(manifest_path), "the backup manifest", _HINT)
    if found:
        return found
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
        hint = "the file was changed after the backup was written; restore another backup"
        found += _object(value, str(item_path), name, hint) or _check_item(name, value, str(item_path))
    if not present:
        found.append(Diagnostic(Position(shown), "the backup holds nothing to restore (no content.json, "
                                "source.json or collector.json)", code="backup-invalid", hint=_HINT))
    return found
