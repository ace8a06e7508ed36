"""The hosted collector (Collector Management API ``/v1/collectors``): identity is its name (unique in the
org). A collector appbuilder created carries ``[appbuilder created app=…]`` at the end of its description; that
mark is not part of the body, and only such a collector is ever removed (uninstall, when it holds no other
source)."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from appbuilder.deploy.marker import collector_mark, split_collector_description
from appbuilder.kinds.base import BaseKind, Item, Org
from appbuilder.sumo.collectors import normalise_collector

if TYPE_CHECKING:
    from appbuilder.build import BuildResult


def _marked(body: dict[str, Any], created_by: str | None) -> dict[str, Any]:
    """``body`` with the mark of the app that created the collector at the end of its description."""
    out = copy.deepcopy(body)
    parts = (out.get("description"), collector_mark(created_by) if created_by else None)
    out["description"] = " ".join(p for p in parts if p)
    return out


class CollectorKind(BaseKind):
    name = "collector"
    order = 0
    in_folder = False

    def render(self, build: BuildResult) -> list[Item]:
        return self.single(build.collector, "collector", lambda body: str(body.get("name")))

    def read(self, org: Org) -> list[Item]:
        collector = org.state.collector
        if collector is None:
            return []
        kept, created_by = split_collector_description(collector.get("description"))
        ref = {"id": str(collector.get("id"))}
        if created_by:
            ref["createdBy"] = created_by
        return [Item(self.name, str(collector.get("name")), {**collector, "description": kept.strip()}, ref)]

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        return normalise_collector(body)

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
