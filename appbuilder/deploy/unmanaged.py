"""Parts of an app in Sumo that its definition says it does not describe (``unmanaged`` in app.yaml: an export
that did not take the monitors or the source). Plan and uninstall leave their items alone: the plan lists what
is in the org as a no-op "not managed by this definition" instead of a delete."""

from __future__ import annotations

from typing import Any

NOTE = "not managed by this definition"
# a part named in app.yaml → the kinds (as plans name them) that hold it
PARTS = {"monitors": ("monitor folder", "monitor"), "source": ("collector", "source")}


def unmanaged_kinds(manifest: Any) -> frozenset[str]:
    """The kinds the build's definition leaves alone (from its manifest's ``unmanaged`` parts)."""
    parts = getattr(manifest, "unmanaged", None) or []
    return frozenset(kind for part in parts for kind in PARTS.get(part, ()))
