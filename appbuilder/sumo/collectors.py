"""Hosted collectors of the Collector Management API v1."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from appbuilder import model
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.errors import SumoApiError

PAGE_SIZE = 1000
_NAME_UNSAFE = set(";/%\\")

# Fields we manage on a collector; everything else is server state (id, alive, links, timestamps…).
MANAGED_FIELDS = ("collectorType", "name", "description", "category", "fields")


def render_collector(collector: model.Collector) -> dict[str, Any]:
    """The ``collector`` object to POST for a Hosted collector."""
    return {
        "collectorType": "Hosted",
        "name": collector.name,
        "description": collector.description,
        "category": collector.category,
        "fields": dict(collector.fields),
    }


def normalise_collector(collector: dict[str, Any]) -> dict[str, Any]:
    """Canonical form of a collector: only the managed fields, empty values as defaults."""
    return {
        "collectorType": collector.get("collectorType") or "Hosted",
        "name": collector.get("name") or "",
        "description": collector.get("description") or "",
        "category": collector.get("category") or "",
        "fields": dict(sorted((collector.get("fields") or {}).items())),
    }


def _wrapped(collector: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"collector": collector} if collector is not None else None


class CollectorHandler:
    """Finds, creates, updates and deletes hosted collectors. Returns the ``collector`` dicts."""

    def __init__(self, client: SumoClient):
        self.client = client

    def list_hosted(self) -> list[dict[str, Any]]:
        """All hosted collectors, following ``offset`` paging."""
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.client.get("/v1/collectors",
                                   params={"filter": "hosted", "limit": PAGE_SIZE, "offset": offset})
            items = list((page or {}).get("collectors") or [])
            found.extend(items)
            if len(items) < PAGE_SIZE:
                return found
            offset += len(items)

    def find_by_name(self, name: str) -> dict[str, Any] | None:
        """The collector with this exact name, or None; by name lookup when the name allows it."""
        if name and not (_NAME_UNSAFE & set(name)):
            path = "/v1/collectors/name/" + quote(name, safe="") + ("/" if "." in name else "")
            try:
                return (self.client.get(path) or {}).get("collector")
            except SumoApiError as exc:
                if exc.is_not_found:
                    return None
                if exc.status != 400:
                    raise
        return next((c for c in self.list_hosted() if c.get("name") == name), None)

    def get(self, collector_id: int | str) -> tuple[dict[str, Any], str | None]:
        """The collector and its ETag."""
        reply = self.client.request("GET", f"/v1/collectors/{collector_id}")
        return (reply.data or {}).get("collector") or {}, reply.etag

    def create(self, collector: dict[str, Any]) -> dict[str, Any]:
        """Create a hosted collector, never twice: when the reply is lost, the collector is looked up by name
        (Sumo keeps collector names unique) before the create is tried again."""
        name = str(collector.get("name", ""))
        reply = self.client.create_once(
            lambda: self.client.post("/v1/collectors", {"collector": collector}, replay=False),
            lambda: _wrapped(self.find_by_name(name)))
        return (reply or {}).get("collector") or {}

    def update(self, collector_id: int | str, changes: dict[str, Any]) -> dict[str, Any]:
        """Apply ``changes`` to the current collector with If-Match; re-read and retry once on 412."""
        for attempt in (1, 2):
            current, etag = self.get(collector_id)
            body = {**current, **changes, "id": current.get("id", collector_id)}
            headers = {"If-Match": etag} if etag else {}
            try:
                path = f"/v1/collectors/{collector_id}"
                reply = self.client.put(path, {"collector": body}, headers=headers)
                return (reply or {}).get("collector") or body
            except SumoApiError as exc:
                if exc.is_stale and attempt == 1:
                    continue
                raise
        raise AssertionError("unreachable")

    def delete(self, collector_id: int | str) -> None:
        self.client.delete(f"/v1/collectors/{collector_id}")
