"""Local backups of what is about to be overwritten or removed: ``<backup root>/<app>-<utc timestamp>/`` (the root
is ``.appbuilder/backups`` unless ``--backup-dir`` says otherwise).

Files: ``content.json`` (the exported app folder), ``source.json`` and ``collector.json`` (secrets masked),
``backup.json`` (what, from where, why). Secrets never reach the disk: every secret-named key is masked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from appbuilder.sumo.redact import MASK, SECRET_KEYS, Redactor
from appbuilder.workspace import make_ignored_dir

BACKUP_MANIFEST = "backup.json"
CONTENT = "content.json"
SOURCE = "source.json"
COLLECTOR = "collector.json"
ITEMS = "items.json"  # items of other kinds: [{"kind", "identity", "body"}]


def mask_secrets(value: Any) -> Any:
    """A copy with every secret-named key's value replaced by ``********``."""
    if isinstance(value, dict):
        return {k: (MASK if str(k).lower() in SECRET_KEYS and v else mask_secrets(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "app"


@dataclass(frozen=True)
class Backup:
    """A backup directory: where it is, why and when it was made, where its content came from (``target``:
    parentId, parentPath, admin, folderName), and what it holds (``files``; read with ``content``, ``source``,
    ``collector``). ``manifest`` is ``backup.json`` as written."""

    path: Path
    app: str
    reason: str
    created_at: str
    target: dict[str, Any]
    files: tuple[str, ...] = ()
    version: str = ""
    token_env: str | None = None
    manifest: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, path: Path, manifest: dict[str, Any]) -> Backup:
        return cls(path, str(manifest.get("app") or "app"), str(manifest.get("reason") or ""),
                   str(manifest.get("createdAt") or ""), dict(manifest["target"]),
                   tuple(str(f) for f in manifest.get("files") or ()), str(manifest.get("version") or ""),
                   manifest.get("tokenEnv"), manifest)

    @property
    def content(self) -> dict[str, Any] | None:
        return self._load(CONTENT)

    @property
    def source(self) -> dict[str, Any] | None:
        return self._load(SOURCE)

    @property
    def collector(self) -> dict[str, Any] | None:
        return self._load(COLLECTOR)

    @property
    def items(self) -> list[dict[str, Any]]:
        """Items of kinds outside the app folder, source and collector (``kind``, ``identity``, ``body``)."""
        return list(self._load(ITEMS) or [])

    def _load(self, name: str) -> Any:
        file = self.path / name
        return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None


def write_backup(root: Path, app: str, reason: str, target: dict[str, Any], *,
                 content: dict[str, Any] | None = None, source: dict[str, Any] | None = None,
                 collector: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
                 redactor: Redactor | None = None, items: list[dict[str, Any]] | None = None) -> Backup:
    """Write the given items (secrets masked) into a new timestamped directory under ``root``."""
    now = datetime.now(timezone.utc)
    base = root / f"{_slug(app)}-{now.strftime('%Y%m%dT%H%M%SZ')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    make_ignored_dir(root)  # a backup root appbuilder creates is kept out of git
    path.mkdir()
    files: dict[str, Any] = {CONTENT: content, SOURCE: source, COLLECTOR: collector, ITEMS: items or None}
    written = []
    for name, value in files.items():
        if value is None:
            continue
        text = json.dumps(mask_secrets(value), indent=2, ensure_ascii=False) + "\n"
        if redactor is not None:
            text = redactor.redact(text)
        (path / name).write_text(text, encoding="utf-8")
        written.append(name)
    manifest = {"app": app, "createdAt": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": reason,
                "target": target, "files": written, **(extra or {})}
    (path / BACKUP_MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    return Backup.of(path, manifest)


def read_backup(path: Path) -> Backup:
    """A backup directory written by ``write_backup``; ValueError when it is not one."""
    file = path / BACKUP_MANIFEST
    if not file.is_file():
        raise ValueError(f"{path} is not an appbuilder backup (no {BACKUP_MANIFEST})")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{file} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("target"), dict):
        raise ValueError(f"{file} is not an appbuilder backup manifest")
    return Backup.of(path, manifest)
