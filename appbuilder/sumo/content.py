"""Content import (create or overwrite), export and delete: all async jobs of the Content API v2."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.errors import DUPLICATE_CODES, SumoApiError, SumoError, SumoJobFailed
from appbuilder.sumo.folders import FolderHandler
from appbuilder.sumo.jobs import JobProgress
from appbuilder.sumo.normalise import content_hash, normalise_content
from appbuilder.sumo.ratelimit import poll_delays

__all__ = ["ContentHandler", "ImportResult", "content_id_from_status", "normalise_content", "content_hash"]

Progress = Callable[[JobProgress], None]

MAX_IMPORT_OBJECTS = 1000
LANDING_POLLS = 15  # how long to look for what an import whose reply was lost made: this many longest job polls
_ID_RE = re.compile(r"id\s*:\s*([0-9A-Fa-f]+)")


def content_id_from_status(status_message: str | None) -> str | None:
    """The new item's hex id from an import/copy ``statusMessage`` such as ``id: 0000000006A2E86F``."""
    if not status_message:
        return None
    match = _ID_RE.search(status_message)
    if match:
        return match.group(1).strip()
    if ":" in status_message:
        tail = status_message.split(":", 1)[1].strip()
        return tail if re.fullmatch(r"[0-9A-Fa-f]+", tail) else None
    return None


def count_objects(defn: dict[str, Any]) -> int:
    """How many content objects a sync definition holds (Sumo imports at most 1000 at once)."""
    return 1 + sum(count_objects(c) for c in defn.get("children") or [] if isinstance(c, dict))


@dataclass(frozen=True)
class ImportResult:
    content_id: str
    job_id: str
    status: dict[str, Any]


class ContentHandler:
    """Imports, exports and deletes Library content through a SumoClient."""

    def __init__(self, client: SumoClient):
        self.client = client

    def render(self, defn: dict[str, Any]) -> dict[str, Any]:
        """Check a definition is importable as is (type, name, size); returns it unchanged."""
        if not isinstance(defn, dict) or not defn.get("type") or not defn.get("name"):
            raise SumoError("content definition needs a 'type' and a 'name'")
        count = count_objects(defn)
        if count > MAX_IMPORT_OBJECTS:
            limit = MAX_IMPORT_OBJECTS
            raise SumoError(f"content holds {count} objects; Sumo imports at most {limit} at once",
                            hint="split the app into several folders")
        return defn

    def import_content(
        self,
        folder_id: str,
        defn: dict[str, Any],
        *,
        overwrite: bool = True,
        admin: bool | None = None,
        progress: Progress | None = None,
        previous: str | None = None,
    ) -> ImportResult:
        """Import ``defn`` into the folder (replacing a same-named item when ``overwrite``) and wait.

        The new item's id comes from the job's ``statusMessage``; failing that, from a path lookup.

        The import is never re-sent blindly: when the reply to its start is lost, the job may be running
        unseen, so the folder is looked at (for a while, as the job may take time) for the item it makes: a
        new item of that name, or one with another id than ``previous`` (the id of the item an overwrite
        replaces). Only when none appears is it sent again, then with ``overwrite=false`` for a new item, so a
        late first import and the second can never both land.
        """
        body = self.render(defn)
        base = f"/v2/content/folders/{folder_id}/import"
        name = str(defn["name"])

        def start(replace: bool) -> str:
            params = {"overwrite": "true" if replace else "false"}
            return str(self.client.post(base, body, params=params, admin=admin, replay=False)["id"])

        resent = False
        try:
            job_id = start(overwrite)
        except SumoApiError as exc:
            if not exc.outcome_unknown:
                raise
            found = self._landed(folder_id, name, previous, admin)
            call = f"{exc.method} {exc.path}"
            if found is not None:
                self.client.tell(f"{call}: no answer; {name!r} is in the folder: the import had landed")
                return ImportResult(found, "", {})
            self.client.tell(f"{call}: no answer, and {name!r} did not appear in the folder; importing again")
            job_id, resent = start(overwrite and previous is not None), True
        try:
            status = self.client.wait_for_job(f"{base}/{job_id}/status", admin=admin, progress=progress)
        except SumoJobFailed as exc:
            found = self._child_id(folder_id, name, admin) if resent and exc.code in DUPLICATE_CODES else None
            if found is not None and found != previous:  # the first import landed after all
                return ImportResult(found, job_id, {})
            if not exc.timed_out:
                exc.details = {"status": exc.details, "result": self._import_result(base, job_id, admin)}
            raise
        content_id = content_id_from_status(status.get("statusMessage"))
        if not content_id:
            content_id = self._find_by_name(folder_id, str(defn["name"]), admin)
        if not content_id:
            raise SumoError(f"imported {defn['name']!r} but could not find its id in folder {folder_id}")
        return ImportResult(content_id, job_id, status)

    def _child_id(self, folder_id: str, name: str, admin: bool | None) -> str | None:
        """The id of the folder's child of this name, or None."""
        child = FolderHandler(self.client).find_child(folder_id, name, admin=admin)
        return None if child is None else str(child["id"])

    def _landed(self, folder_id: str, name: str, previous: str | None, admin: bool | None) -> str | None:
        """Look for the item an import whose reply was lost makes (see ``import_content``), waiting for a job
        that may still run as long as ``LANDING_POLLS`` of the longest job polls (30 s by default); its id, or
        None."""
        waited, limit = 0.0, LANDING_POLLS * self.client.job_poll_cap
        for delay in poll_delays(self.client.job_poll_initial, self.client.job_poll_cap):
            found = self._child_id(folder_id, name, admin)
            if found is not None and found != previous:
                return found
            if waited + delay > limit:
                return None
            if not waited:
                self.client.tell(f"looking for {name!r}, which the import may have made (its job may still run): "
                                 f"not there yet, looking again for up to {limit:.0f} s")
            self.client.clock.sleep(delay)
            waited += delay
        return None

    def _import_result(self, base: str, job_id: str, admin: bool | None) -> Any:
        """Per-item failures of an import, where the deployment has the ``result`` endpoint."""
        try:
            return self.client.get(f"{base}/{job_id}/result", admin=admin)
        except SumoApiError:
            return None

    def _find_by_name(self, folder_id: str, name: str, admin: bool | None) -> str | None:
        try:
            folder_path = str(self.client.get(f"/v2/content/{folder_id}/path", admin=admin)["path"])
            item = self.client.get("/v2/content/path", params={"path": f"{folder_path}/{name}"}, admin=admin)
            return str(item["id"]) if item and item.get("id") else None
        except SumoApiError as exc:
            if exc.is_not_found:
                return None
            raise

    def export_content(self, content_id: str, *, admin: bool | None = None,
                       progress: Progress | None = None) -> dict[str, Any]:
        """Export an item (a folder recursively) as a sync definition."""
        base = f"/v2/content/{content_id}/export"
        job_id = self.client.post(base, admin=admin)["id"]
        self.client.wait_for_job(f"{base}/{job_id}/status", admin=admin, progress=progress)
        return self.client.get(f"{base}/{job_id}/result", admin=admin)

    def delete_content(self, content_id: str, *, admin: bool | None = None,
                       progress: Progress | None = None) -> None:
        """Delete an item (a folder with everything in it) and wait for the job."""
        base = f"/v2/content/{content_id}/delete"
        job_id = self.client.delete(base, admin=admin)["id"]
        self.client.wait_for_job(f"{base}/{job_id}/status", admin=admin, progress=progress)

    def exists(self, content_id: str, *, admin: bool | None = None) -> bool:
        try:
            self.client.get(f"/v2/content/{content_id}/path", admin=admin)
        except SumoApiError as exc:
            if exc.is_not_found:
                return False
            raise
        return True
