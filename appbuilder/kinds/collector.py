"""The hosted collector (Collector Management API ``/v1/collectors``): identity is its name (unique in the
org). A collector appbuilder created carries ``[appbuilder created app=…]`` at the end of its description; that
mark is not part of the body, and only such a collector is ever removed (uninstall, when it holds no other
source). Before that mark, the install marker records what was installed, so a change made in the Sumo UI since
is drift (``recorded``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from appbuilder.kinds.base import Item, Org
from appbuilder.kinds.recorded import RecordedKind, collector_parts, marked_description
from appbuilder.sumo.collectors import normalise_collector

if TYPE_CHECKING:
    from appbuilder.build import BuildResult


def _marked(body: dict[str, Any], created_by: str | None) -> dict[str, Any]:
    """``body`` with the install marker and the mark of the app that created the collector at the end of its
    description."""
    return {**body, "description": marked_description(body.get("description"), body, normalise_collector,
                                                      created_by)}


class CollectorKind(RecordedKind):
    name = "collector"
    order = 0
    in_folder = False
    normalise = staticmethod(normalise_collector)

    def render(self, build: BuildResult) -> list[Item]:
        return self.single(build.collector, "collector", lambda body: str(body.get("name")))

    def read(self, org: Org) -> list[Item]:
        collector = org.state.collector
        if collector is None:
            return []
        body, created_by, recorded = collector_parts(collector)
        ref = {"id": str(collector.get("id"))}
        if created_by:
            ref["createdBy"] = created_by
        if recorded:
            ref["installed"] = recorded
        return [Item(self.name, str(collector.get("name")), body, ref)]

    def create(self, org: Org, after: Item) -> dict[str, str]:
        org.state.collector = org.remote.collectors.create(_marked(after.body, org.app))
        return {"id": str(org.state.collector.get("id")), **({"createdBy": org.app} if org.app else {})}

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        org.state.collector = org.remote.collectors.update(before.ref["id"],
                                                           _marked(after.body, before.ref.get("createdBy")))
        return dict(before.ref)

    def delete(self, org: Org, before: Item) -> None:
        org.remote.collectors.delete(before.ref["id"])
        org.state.collector = None
