"""Identifiers and file names derived from Sumo titles, the way a person would write them."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from appbuilder.build.content import key_names

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "item", limit: int = 60) -> str:
    """``Failed Logins by Location`` → ``failed_logins_by_location``; always matches ``^[a-z][a-z0-9_]*$``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"\{\{\s*([a-z0-9_]+)\s*\}\}", r"\1", ascii_text)
    words = _NON_WORD.sub("_", ascii_text).strip("_")
    if len(words) > limit:
        words = words[:limit].rsplit("_", 1)[0] or words[:limit]
    if not words:
        return fallback
    return words if words[0].isalpha() else f"{fallback}_{words}"


class Namer:
    """Hands out unique names: the second ``overview`` becomes ``overview_2``."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def take(self, base: str) -> str:
        name, number = base, 1
        while name in self.taken:
            number += 1
            name = f"{base}_{number}"
        self.taken.add(name)
        return name


_SEPARATOR = re.compile(r"\s+[-–|:]\s+|:\s+")


def common_prefix(titles: list[str]) -> str:
    """The head all titles share before a separator (``Cyral - A``, ``Cyral - B`` → ``Cyral``), else ``""``."""
    heads = set()
    for title in titles:
        parts = _SEPARATOR.split(title, maxsplit=1)
        if len(parts) < 2 or not parts[1].strip():
            return ""
        heads.add(parts[0])
    return heads.pop() if len(heads) == 1 and len(titles) > 1 else ""


def file_stem(title: str, prefix: str, fallback: str = "dashboard") -> str:
    """A dashboard file name: ``Cyral - Policy Summary`` → ``policy_summary`` (when ``Cyral`` is the shared
    prefix); a leading enumeration (``1. ``) is dropped."""
    if prefix and title.startswith(prefix):
        rest = _SEPARATOR.split(title, maxsplit=1)
        title = rest[1] if len(rest) == 2 and rest[0] == prefix else title
    title = re.sub(r"^\s*\d+[.)]\s+", "", title)
    return slug(title, fallback)


def text_title(text: str) -> str:
    """A title for an untitled text panel: its first line without markdown marks."""
    for line in text.splitlines():
        line = line.strip().lstrip("#>*-_ ").strip("*_ ")
        if line:
            return line
    return ""


def recorded_names(panels: list[Any]) -> tuple[str, list[str | None]]:
    """(the dashboard file stem, each panel's id) that the panel keys of a dashboard installed by appbuilder
    record (``panel-<stem>-<id>``); ("", Nones) when the keys do not all name one stem."""
    names = [key_names(p.get("key")) if isinstance(p, dict) else None for p in panels]
    stems = {n[0] for n in names if n}
    if len(stems) != 1 or None in names:
        return "", [None] * len(panels)
    return stems.pop(), [n[1] if n else None for n in names]
