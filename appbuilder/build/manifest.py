"""The build manifest: what was built (app, version, folder, parameters, hashes, item names) as a typed value.

It reads like the ``manifest.json`` it is written as (``manifest["contentHash"]``, ``manifest.get("tokenEnv")``),
so code that treated it as a dict keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# attribute → manifest.json key, in the file's order
_KEYS = {"app": "app", "version": "version", "folder": "folder", "parameters": "parameters",
         "content_hash": "contentHash", "source_hash": "sourceHash", "token_env": "tokenEnv",
         "dashboards": "dashboards", "saved_searches": "savedSearches", "monitors": "monitors",
         "monitors_hash": "monitorsHash", "unmanaged": "unmanaged"}
_ONLY_WHEN_SET = ("monitors", "monitors_hash", "unmanaged")  # an app without monitors has the manifest it always had


@dataclass(frozen=True)
class Manifest(Mapping[str, Any]):
    app: str
    version: str
    folder: str
    content_hash: str
    parameters: dict[str, str] = field(default_factory=dict)
    source_hash: str | None = None
    token_env: str | None = None
    dashboards: list[str] = field(default_factory=list)
    saved_searches: list[str] = field(default_factory=list)
    monitors: list[str] = field(default_factory=list)
    monitors_hash: str | None = None
    unmanaged: list[str] = field(default_factory=list)  # parts in Sumo the definition leaves alone

    def to_dict(self) -> dict[str, Any]:
        """The ``manifest.json`` object."""
        return {key: getattr(self, attr) for attr, key in _KEYS.items()
                if attr not in _ONLY_WHEN_SET or getattr(self, attr)}

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())
