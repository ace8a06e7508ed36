"""Sources of a hosted collector (the Cloud-to-Cloud 1Password source): list, find, create, update
with ETag/If-Match, delete (waiting while the source is Stopping). Secrets are never part of a diff."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from appbuilder import model
from appbuilder.sumo.client import SumoClient
from appbuilder.sumo.errors import SumoApiError, SumoError
from appbuilder.sumo.ratelimit import poll_delays

SECRET_CONFIG_KEYS = frozenset({"api_token"})
VOLATILE_KEYS = frozenset({
    "id", "alive", "state", "status", "createdAt", "createdBy", "modifiedAt", "modifiedBy", "links",
    "url", "hashAlgorithm", "encoding", "ecsUri", "thirdPartyRef",
})
C2C_CONFIG_DEFAULTS: dict[str, Any] = {"description": "", "category": "", "fields": {}}


def render_source(source: model.Source, token: str | None) -> dict[str, Any]:
    """The ``source`` object of a Cloud-to-Cloud (``Universal``) source; ``token=None`` leaves the secret
    out (for files on disk and for diffs)."""
    config: dict[str, Any] = {
        "name": source.name,
        "description": source.description,
        "category": source.category,
        "fields": dict(source.fields),
        "base_url": source.base_url,
        "supported_apis": list(source.apis),
    }
    if token is not None:
        config["api_token"] = token
    return {"sourceType": "Universal", "schemaRef": {"type": source.type}, "config": config}


def source_name(source: dict[str, Any]) -> str:
    """The name of a source: ``config.name`` for Cloud-to-Cloud sources, else ``name``."""
    config = source.get("config")
    if isinstance(config, dict) and config.get("name"):
        return str(config["name"])
    return str(source.get("name") or "")


def source_state(source: dict[str, Any]) -> str:
    """The source's state (``Collecting``, ``Stopping``, …) whether given as a string or ``{"state": …}``."""
    state = source.get("state")
    if isinstance(state, dict):
        state = state.get("state")
    return str(state or "")


def normalise_source(source: dict[str, Any]) -> dict[str, Any]:
    """Canonical form: ids, state and secrets (masked or real ``api_token``) dropped; defaults filled."""
    out = {k: v for k, v in source.items() if k not in VOLATILE_KEYS and v is not None}
    schema = out.get("schemaRef")
    if isinstance(schema, dict):
        out["schemaRef"] = {"type": schema.get("type")}
    config = out.get("config")
    if isinstance(config, dict):
        clean = {k: v for k, v in config.items() if k not in SECRET_CONFIG_KEYS and v is not None}
        for key, default in C2C_CONFIG_DEFAULTS.items():
            if clean.get(key) == default:
                clean.pop(key)
        if isinstance(clean.get("supported_apis"), list):
            clean["supported_apis"] = sorted(str(a) for a in clean["supported_apis"])
        if isinstance(clean.get("base_url"), str):
            clean["base_url"] = clean["base_url"].strip().rstrip("/")
        if isinstance(clean.get("fields"), dict):
            clean["fields"] = dict(sorted(clean["fields"].items()))
        out["config"] = dict(sorted(clean.items()))
    return dict(sorted(out.items()))


class SourceHandler:
    """Reads and writes the sources of a collector. Returns the ``source`` dicts (secrets as Sumo sends)."""

    def __init__(self, client: SumoClient, sleep: Callable[[float], None] = time.sleep):
        self.client = client
        self._sleep = sleep

    def _register_secrets(self, source: dict[str, Any]) -> None:
        config = source.get("config")
        if isinstance(config, dict):
            for key in SECRET_CONFIG_KEYS:
                if isinstance(config.get(key), str):
                    self.client.redactor.add(config[key])

    def list(self, collector_id: int | str) -> list[dict[str, Any]]:
        return list((self.client.get(f"/v1/collectors/{collector_id}/sources") or {}).get("sources") or [])

    def find_by_name(self, collector_id: int | str, name: str) -> dict[str, Any] | None:
        """The source with this name, ignoring one that is being deleted (state Stopping)."""
        return next((s for s in self.list(collector_id)
                     if source_name(s) == name and source_state(s) != "Stopping"), None)

    def get(self, collector_id: int | str, source_id: int | str) -> tuple[dict[str, Any], str | None]:
        """The source and its ETag; raises SumoApiError (``is_not_found``) when gone."""
        reply = self.client.request("GET", f"/v1/collectors/{collector_id}/sources/{source_id}")
        return (reply.data or {}).get("source") or {}, reply.etag

    def create(self, collector_id: int | str, source: dict[str, Any]) -> dict[str, Any]:
        """Create a source (the body carries the real token), never twice: when the reply is lost, the source
        is looked up by name (unique per collector) before the create is tried again."""
        self._register_secrets(source)
        name = source_name(source)

        def find() -> dict[str, Any] | None:
            found = self.find_by_name(collector_id, name)
            return {"source": found} if found is not None else None

        reply = self.client.create_once(
            lambda: self.client.post(f"/v1/collectors/{collector_id}/sources", {"source": source}, replay=False),
            find)
        return (reply or {}).get("source") or {}

    def update(self, collector_id: int | str, source_id: int | str, source: dict[str, Any]) -> dict[str, Any]:
        """Replace a source with ``source`` (full desired object, real token included): GET for the ETag,
        PUT with ``If-Match``; on 412 (changed meanwhile) re-read and try once more."""
        config = source.get("config")
        if isinstance(config, dict) and not config.get("api_token"):
            raise SumoError(f"updating source {source_name(source)!r} needs its api_token",
                            hint="Sumo returns the token masked; provide it from the environment")
        self._register_secrets(source)
        path = f"/v1/collectors/{collector_id}/sources/{source_id}"
        for attempt in (1, 2):
            current, etag = self.get(collector_id, source_id)
            body = {**source, "id": current.get("id", source_id)}
            headers = {"If-Match": etag} if etag else {}
            try:
                reply = self.client.put(path, {"source": body}, headers=headers)
                return (reply or {}).get("source") or body
            except SumoApiError as exc:
                if exc.is_stale and attempt == 1:
                    continue
                raise
        raise AssertionError("unreachable")

    def delete(self, collector_id: int | str, source_id: int | str, *, wait: bool = True,
               timeout: float = 300.0, initial: float | None = None, cap: float | None = None) -> None:
        """Delete a source; with ``wait``, poll until it is gone (Cloud-to-Cloud sources pass Stopping), at the
        client's job-poll pace unless ``initial``/``cap`` are given."""
        initial = self.client.job_poll_initial if initial is None else initial
        cap = self.client.job_poll_cap if cap is None else cap
        path = f"/v1/collectors/{collector_id}/sources/{source_id}"
        try:
            self.client.delete(path)
        except SumoApiError as exc:
            if exc.is_not_found:
                return
            raise
        if not wait:
            return
        start = time.monotonic()
        for delay in poll_delays(initial, cap):
            try:
                current, _ = self.get(collector_id, source_id)
            except SumoApiError as exc:
                if exc.is_not_found:
                    return
                raise
            elapsed = time.monotonic() - start
            if elapsed + delay > timeout:
                state = source_state(current) or "unknown state"
                raise SumoError(f"source {source_id} still present ({state}) {elapsed:.0f}s after delete",
                                hint="Sumo is stopping the source; check it in the UI or retry later")
            self._sleep(delay)
