"""`appbuilder export`: Sumo content (an export file, or a folder of a live org) → an app definition directory."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.export import ExportError, ExportResult, OrgParts, export_definition
from appbuilder.export.whole import PartsWanted
from appbuilder.load.jsonfile import read_json

MAX_EXPORT_BYTES = 200 * 1024 * 1024
WHOLE_APP = PartsWanted()  # the monitor folder of the same name, and the source when the install marks say
_CONTENT_ID = re.compile(r"^[0-9A-Fa-f]{16}$")


@dataclass
class Connection:
    """Where and as whom to read a live org (the same credentials and flags as ``install``)."""

    access_id: str | None = None
    access_key: str | None = None
    deployment: str | None = None
    base_url: str | None = None
    admin_mode: bool = False
    client_options: dict[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] | None = None


@dataclass
class ExportOutcome:
    """What export did: the result, or an error (message, hint, problems); ``calls`` counts API calls."""

    result: ExportResult | None = None
    error: str | None = None
    hint: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    calls: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result is not None and self.error is None


def read_export_file(path: Path) -> Any:
    """The JSON of an export file (read by the shared safe JSON reader); raises ExportError naming file:line:col
    when it cannot be read."""
    value, problems = read_json(path, str(path), max_bytes=MAX_EXPORT_BYTES)
    if problems:
        first = problems[0]
        hint = "give the JSON file exactly as Sumo exported it" if first.code in ("json-syntax", "empty-file") \
            else first.hint
        raise ExportError(f"{first.position}: {first.message}", hint=hint)
    return value


def _finish(outcome: ExportOutcome, run: Callable[[], ExportResult]) -> ExportOutcome:
    try:
        outcome.result = run()
    except ExportError as exc:
        outcome.error, outcome.hint, outcome.diagnostics = exc.message, exc.hint, exc.diagnostics
    return outcome


def run_export_file(path: Path, out_dir: Path, parameters: Mapping[str, str]) -> ExportOutcome:
    """Export the content of a Sumo export file (a folder, a dashboard or a saved search) into ``out_dir``."""
    return _finish(ExportOutcome(), lambda: export_definition(read_export_file(path), out_dir, parameters))


def fetch_folder(folder: str, connection: Connection, calls: dict[str, Any],
                 progress: Callable[[str], None] | None = None, wanted: PartsWanted | None = None
                 ) -> tuple[Any, OrgParts | None]:
    """The content export of a Library item given by path (``/Library/Users/...``) or 16-hex content id, and
    the parts of the app that belong with a folder (``wanted``: its monitors and source; None reads neither)."""
    from appbuilder.sumo.client import SumoClient
    from appbuilder.sumo.content import ContentHandler
    from appbuilder.sumo.endpoints import resolve_credentials
    from appbuilder.sumo.errors import SumoApiError, SumoError
    from appbuilder.sumo.folders import FolderHandler

    credentials = resolve_credentials(connection.access_id, connection.access_key, connection.deployment,
                                      connection.base_url, env=connection.env)
    if credentials.note and progress:
        progress(credentials.note)
    with SumoClient(credentials, admin_mode=connection.admin_mode, **connection.client_options) as client:
        try:
            content_id = folder
            if not _CONTENT_ID.match(folder):
                item = FolderHandler(client).by_path(folder.rstrip("/") or "/")
                if item is None or not item.get("id"):
                    raise ExportError(f"nothing at {folder} in the Sumo Library",
                                      hint="give the path as the Library shows it, e.g. /Library/Users/<email>/"
                                           "<folder>, or the item's content id")
                content_id = str(item["id"])
            if progress:
                progress(f"exporting {folder} (content id {content_id})")
            exported = ContentHandler(client).export_content(content_id, admin=connection.admin_mode or None)
            if wanted is None or not isinstance(exported, dict) or exported.get("type") != "FolderSyncDefinition":
                return exported, None
            from appbuilder.commands.export_parts import read_parts
            from appbuilder.deploy.state import Remote

            return exported, read_parts(Remote(client, connection.admin_mode), exported, wanted)
        except SumoApiError as exc:
            if exc.is_not_found:
                raise ExportError(f"no content with id {folder} in this org", hint=exc.hint) from exc
            raise ExportError(client.redactor.redact(exc.message), client.redactor.redact(exc.hint)) from exc
        except SumoError as exc:
            raise ExportError(client.redactor.redact(exc.message), client.redactor.redact(exc.hint)) from exc
        finally:
            calls.update(client.stats.as_dict())


def run_export_folder(folder: str, out_dir: Path, parameters: Mapping[str, str], connection: Connection,
                      progress: Callable[[str], None] | None = None,
                      wanted: PartsWanted | None = WHOLE_APP) -> ExportOutcome:
    """Export a folder (or any item) of a live org through the content export job into ``out_dir``, with the
    monitors and source that belong with it (``wanted``)."""
    from appbuilder.sumo.errors import SumoError

    outcome = ExportOutcome()
    try:
        definition, parts = fetch_folder(folder, connection, outcome.calls, progress, wanted)
    except (ExportError, SumoError) as exc:  # a SumoError here is a credentials problem: nothing secret in it
        outcome.error, outcome.hint = exc.message, exc.hint
        return outcome
    return _finish(outcome, lambda: export_definition(definition, out_dir, parameters, parts))

