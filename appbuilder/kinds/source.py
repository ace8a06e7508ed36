"""The Cloud-to-Cloud source (``/v1/collectors/{id}/sources``): identity is its name (unique per collector).
The body never holds the API token: create and update add it from ``Org.token`` at the moment of the call, and
Sumo returns it masked, so it is never part of a diff, a plan file or a backup. The end of ``config.description``
records what was installed (``recorded``), so a change made in the Sumo UI since is drift."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appbuilder.kinds.base import DeployError, Item, Org
from appbuilder.kinds.recorded import RecordedKind, source_parts, with_source_marker
from appbuilder.sumo.sources import SECRET_CONFIG_KEYS, normalise_source, source_name

if TYPE_CHECKING:
    from appbuilder.build import BuildResult


def without_secrets(source: dict[str, Any]) -> dict[str, Any]:
    """The source without its (masked) secret config values: they are never part of a plan or a backup."""
    config = source.get("config")
    if not isinstance(config, dict):
        return source
    return {**source, "config": {k: v for k, v in config.items() if k not in SECRET_CONFIG_KEYS}}


def _collector_id(org: Org) -> str:
    if org.state.collector is None:
        raise DeployError("the source's collector does not exist", hint="run install again")
    return str(org.state.collector["id"])


def _with_token(org: Org, body: dict[str, Any]) -> dict[str, Any]:
    out = with_source_marker(body, normalise_source)
    out.setdefault("config", {})["api_token"] = org.token
    return out


class SourceKind(RecordedKind):
    name = "source"
    order = 1
    in_folder = False
    normalise = staticmethod(normalise_source)

    def render(self, build: BuildResult) -> list[Item]:
        return self.single(build.source, "source", source_name)

    def read(self, org: Org) -> list[Item]:
        source = org.state.source
        if source is None:
            return []
        body, recorded = source_parts(without_secrets(source))
        ref = {"id": str(source.get("id")), "collectorId": str((org.state.collector or {})["id"])}
        if recorded:
            ref["installed"] = recorded
        return [Item(self.name, source_name(source), body, ref)]

    def describe(self, body: dict[str, Any]) -> list[str]:
        """The APIs the source in Sumo collects, as read back: the only place the audit-events value shows."""
        apis = (body.get("config") or {}).get("supported_apis")
        return [f"in Sumo: supported_apis = {json.dumps(apis)}"] if isinstance(apis, list) else []

    def create(self, org: Org, after: Item) -> dict[str, str]:
        collector_id = _collector_id(org)
        org.state.source = org.remote.sources.create(collector_id, _with_token(org, after.body))
        return {"id": str(org.state.source.get("id")), "collectorId": collector_id}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        org.state.source = org.remote.sources.update(before.ref["collectorId"], before.ref["id"],
                                                     _with_token(org, after.body))
        return dict(before.ref)

    def delete(self, org: Org, before: Item) -> None:
        org.remote.sources.delete(before.ref["collectorId"], before.ref["id"])
        org.state.source = None
