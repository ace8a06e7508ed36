"""What appbuilder records on the remote side: a marker at the end of the app folder's description and of the
description of a collector it created.

Folder marker: ``[appbuilder app=1Password version=1.0.0 hash=sha256:… norm=… state=…]``

- ``hash``  the build's ``contentHash`` (identifies what was built);
- ``norm``  the first 16 hex digits of the hash of the *normalised* content that was imported: an export whose
  normalised hash is the same has not been changed since;
- ``state`` a fingerprint of the folder's children as Sumo listed them right after the import (latest
  ``modifiedAt`` and the number of children): while it is unchanged nothing was edited, so plan needs no export.

The folder description keeps the app description in front of the marker, shortened to fit Sumo's 255 chars.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

DESCRIPTION_LIMIT = 255
NORM_DIGITS = 16
_ELLIPSIS = "…"

_MARKER_RE = re.compile(
    r"\s*\[appbuilder app=(?P<app>.+?) version=(?P<version>\S+) hash=(?P<hash>[^\s\]]+)"
    r"(?: norm=(?P<norm>[0-9a-f]+))?(?: state=(?P<state>[0-9a-z]+\.[0-9]+))?\]\s*$"
)
_COLLECTOR_RE = re.compile(r"\s*\[appbuilder created app=(?P<app>.+?)\]\s*$")


@dataclass(frozen=True)
class Marker:
    app: str
    version: str
    hash: str
    norm: str | None = None
    state: str | None = None

    def text(self) -> str:
        parts = [f"[appbuilder app={self.app} version={self.version} hash={self.hash}"]
        if self.norm:
            parts.append(f" norm={self.norm}")
        if self.state:
            parts.append(f" state={self.state}")
        return "".join(parts) + "]"

    def with_state(self, state: str | None) -> Marker:
        return replace(self, state=state)


def split_description(text: str | None) -> tuple[str, Marker | None]:
    """(the description before the marker, the marker) of a folder description."""
    text = text or ""
    match = _MARKER_RE.search(text)
    if match is None:
        return text, None
    marker = Marker(match["app"], match["version"], match["hash"], match["norm"], match["state"])
    return text[: match.start()], marker


def fit_description(description: str, marker: Marker) -> str:
    """The part of ``description`` kept in front of the marker (shortened with … to fit the limit)."""
    room = DESCRIPTION_LIMIT - len(marker.text()) - 1
    description = " ".join(description.split())
    if len(description) <= room:
        return description
    return description[: max(0, room - 1)].rstrip() + _ELLIPSIS


def compose_description(description: str, marker: Marker) -> str:
    kept = fit_description(description, marker)
    return f"{kept} {marker.text()}" if kept else marker.text()


def collector_mark(app: str) -> str:
    return f"[appbuilder created app={app}]"


def split_collector_description(text: str | None) -> tuple[str, str | None]:
    """(description without the marker, the app that created the collector or None)."""
    text = text or ""
    match = _COLLECTOR_RE.search(text)
    if match is None:
        return text, None
    return text[: match.start()], match["app"]


def _modified_ms(item: dict[str, Any]) -> int | None:
    value = item.get("modifiedAt")
    if not isinstance(value, str) or not value:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def fingerprint(children: list[dict[str, Any]]) -> str | None:
    """``<latest modifiedAt of the children in base 36>.<number of children>``; None when Sumo gave no times."""
    stamps = [_modified_ms(c) for c in children]
    if not stamps:
        return "0.0"
    if any(s is None for s in stamps):
        return None
    return f"{_base36(max(s for s in stamps if s is not None))}.{len(stamps)}"


def state_time(state: str | None) -> int | None:
    """The latest modifiedAt (ms) a state fingerprint records."""
    if not state:
        return None
    try:
        return int(state.split(".", 1)[0], 36)
    except ValueError:
        return None


def modified_after(item: dict[str, Any], state: str | None) -> bool:
    """Was this child (as the folder lists it) modified after the recorded state? True when unknown."""
    recorded = state_time(state)
    stamp = _modified_ms(item)
    return recorded is None or stamp is None or stamp > recorded
