"""The bodies of monitors and monitor folders as appbuilder compares them, and the install marker it keeps in
their descriptions.

The marker ends the description: ``(installed by appbuilder: <hash>)``, or for a monitor
``(installed by appbuilder: <hash>, key <key>)``. The hash is of the normalised body as installed, so an item
that no longer hashes to it was changed in Sumo since (drift); the key is the monitor's file stem in the app
definition (``monitors/<key>.yaml``), which stays the same when the monitor is renamed, so a monitor renamed and
changed in one go is still updated in place. A monitor folder's marker may end with ``, in <id> <id>…``: the
parent folders of the app's copies that use it (copies in different Library folders share the monitor folder).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MONITOR = "Monitor"  # the ``contentType`` of a monitor in every read (stubs included)
FOLDER = "Folder"
# The Monitors API names the type of a body after the operation (Sumo's OpenAPI spec): a create
# (``monitorsCreate``) takes ``MonitorsLibraryMonitor``, an import (``monitorsImportItem``) the ``…Export`` types,
# an update (``monitorsUpdateById``) the ``…Update`` types with ``version``; reads answer ``…Response`` types,
# and a folder's children are ``MonitorsLibraryBaseResponse`` stubs without queries or triggers.
TYPES = {"create": "MonitorsLibrary{}", "export": "MonitorsLibrary{}Export", "update": "MonitorsLibrary{}Update"}
# the fields appbuilder sets; everything else the API returns (ids, versions, status, defaults) is the server's
MONITOR_FIELDS = ("name", "description", "monitorType", "evaluationDelay", "queries", "triggers",
                  "notifications", "isDisabled", "groupNotifications")
TRIGGER_FIELDS = ("detectionMethod", "triggerType", "timeRange", "threshold", "thresholdType", "field")
_MARKER = re.compile(r"\s*\(installed by appbuilder: ([0-9a-f]{16})(?:, key ([^\n]+?))?(?:, in ([0-9A-Za-z ]+))?\)\s*$")

Normalise = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Marked:
    """A description taken apart: the text before the marker, the recorded hash and key (None when absent)."""

    text: str
    hash: str | None = None
    key: str | None = None
    copies: tuple[str, ...] = ()  # a monitor folder's: the parent folders of the copies that use it


def read_marker(description: str | None) -> Marked:
    """The description's text and what its install marker records."""
    text = description or ""
    match = _MARKER.search(text)
    if not match:
        return Marked(text)
    return Marked(text[:match.start()], match.group(1), match.group(2), tuple((match.group(3) or "").split()))


def content_type(item: dict[str, Any]) -> str:
    """``Monitor`` or ``Folder`` for an item of any read (``contentType``), or of a body typed for a write."""
    declared = item.get("contentType")
    if isinstance(declared, str) and declared:
        return declared
    text = str(item.get("type") or "")
    return next((kind for kind in (FOLDER, MONITOR) if text.startswith(f"MonitorsLibrary{kind}")), "")


def typed(body: dict[str, Any], operation: str, kind: str = MONITOR) -> dict[str, Any]:
    """``body`` with the ``type`` the ``operation`` (create, export, update) takes for a monitor or folder."""
    return {**body, "type": TYPES[operation].format(kind)}


def split_marker(description: str) -> tuple[str, str | None]:
    """(the description without the install marker, the recorded hash or None)."""
    marked = read_marker(description)
    return marked.text, marked.hash


def normalise_monitor(body: dict[str, Any]) -> dict[str, Any]:
    """The fields appbuilder manages, in a canonical form (numbers as floats, empty values dropped, the install
    marker left out of the description: it only restates the other fields)."""
    out: dict[str, Any] = {k: body[k] for k in MONITOR_FIELDS if body.get(k) is not None}
    out["description"] = read_marker(str(body.get("description") or "")).text.rstrip()
    out["triggers"] = sorted(
        ({k: _number(t[k]) if k == "threshold" else t[k] for k in TRIGGER_FIELDS if t.get(k) is not None}
         for t in body.get("triggers") or [] if isinstance(t, dict)),
        key=lambda t: str(t.get("triggerType")))
    out["queries"] = [{"rowId": q.get("rowId"), "query": q.get("query")} for q in body.get("queries") or []]
    out["notifications"] = [{"notification": n.get("notification"),
                             "runForTriggerTypes": sorted(n.get("runForTriggerTypes") or [])}
                            for n in body.get("notifications") or [] if isinstance(n, dict)]
    out.setdefault("evaluationDelay", "0m")
    out.setdefault("isDisabled", False)
    out.setdefault("groupNotifications", True)
    return out


def normalise_folder(body: dict[str, Any]) -> dict[str, Any]:
    """A monitor folder's name and description (without the install marker)."""
    return {"contentType": FOLDER, "name": body.get("name"),
            "description": read_marker(str(body.get("description") or "")).text.rstrip()}


def _number(value: Any) -> Any:
    """3, 3.0 and "3" compare equal (the API may return a threshold as a float)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def body_hash(body: dict[str, Any], normalise: Normalise = normalise_monitor) -> str:
    """The hash recorded in an installed item's description (of the body without the marker)."""
    text = json.dumps(normalise(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def with_marker(body: dict[str, Any], normalise: Normalise = normalise_monitor, key: str = "") -> dict[str, Any]:
    """The body with the install marker (its hash, and ``key`` when given) at the end of its description."""
    text = read_marker(str(body.get("description") or "")).text
    marker = f"(installed by appbuilder: {body_hash(body, normalise)}{f', key {key}' if key else ''})"
    return {**body, "description": f"{text}\n\n{marker}" if text else marker}


def with_copies(description: str, copies: tuple[str, ...]) -> str:
    """A monitor folder's description whose marker records ``copies`` (parent folder ids, in order)."""
    marked = read_marker(description)
    if marked.hash is None:
        return description
    start = description.rstrip().rfind("(installed by appbuilder: ")
    listed = f", in {' '.join(copies)}" if copies else ""
    return f"{description[:start]}(installed by appbuilder: {marked.hash}{listed})"
