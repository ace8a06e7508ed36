"""The plan as data: a frozen ``Plan`` of typed ``ResourceChange``s, serialisable to JSON and back.

A change names its kind, its identity and its action, and carries the full ``before`` (what the org has) and
``after`` (what the app wants) API bodies, and the ids the org gave the item (``ref``). Apply executes the
changes as they are; ``fingerprint`` is a digest of the org state the plan was made from, so a saved plan is
refused when the org changed since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from appbuilder.deploy.diff import FieldChange, diff
from appbuilder.deploy.marker import Marker
from appbuilder.kinds import kind
from appbuilder.load.jsonfile import read_json

CREATE, UPDATE, DELETE, NOOP, DRIFTED, RECORD = "create", "update", "delete", "no-op", "drifted", "record"
UNCHANGED = NOOP
ACTIONS = (CREATE, UPDATE, DELETE, DRIFTED, RECORD, NOOP)
WRITES = frozenset({CREATE, UPDATE, DELETE, DRIFTED, RECORD})
FORMAT = "appbuilder-plan/1"


@dataclass(frozen=True)
class Target:
    """Where the app folder lives: its parent folder (id unknown when the parent does not exist)."""

    parent_id: str | None
    parent_path: str | None
    admin: bool
    folder_name: str

    @property
    def label(self) -> str:
        if self.parent_path:
            return f"{self.parent_path}/{self.folder_name}"
        return f"Personal folder / {self.folder_name}"

    def to_dict(self) -> dict[str, Any]:
        return {"parentId": self.parent_id, "parentPath": self.parent_path, "admin": self.admin,
                "folderName": self.folder_name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(data.get("parentId"), data.get("parentPath"), bool(data.get("admin")), str(data["folderName"]))


@dataclass(frozen=True)
class ResourceChange:
    """One item's change. ``before``/``after`` are API bodies (None when absent); ``renamed_from`` is the old
    identity of an item renamed in the app definition (updated in place)."""

    kind: str
    identity: str
    action: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    ref: dict[str, str] = field(default_factory=dict)
    note: str = ""
    renamed_from: str = ""

    @property
    def name(self) -> str:
        return self.identity

    @property
    def writes(self) -> bool:
        return self.action in WRITES

    @cached_property
    def changes(self) -> list[FieldChange]:
        """The field-level differences of the normalised bodies (empty unless both exist)."""
        if self.before is None or self.after is None:
            return []
        normalise = kind(self.kind).normalise
        return diff(normalise(self.before), normalise(self.after))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.identity, "action": self.action,
                               "changes": [c.to_dict() for c in self.changes]}
        if self.note:
            out["note"] = self.note
        if self.renamed_from:
            out["renamedFrom"] = self.renamed_from
        out.update({"ref": dict(self.ref), "before": self.before, "after": self.after})
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResourceChange:
        return cls(str(data["kind"]), str(data["name"]), str(data["action"]), data.get("before"),
                   data.get("after"), dict(data.get("ref") or {}), str(data.get("note") or ""),
                   str(data.get("renamedFrom") or ""))


@dataclass(frozen=True)
class Plan:
    """What install, uninstall or restore (``purpose``) will do. ``marker`` is the install state to record in
    the folder description (None: record nothing); ``record_state`` adds the children's modification-time
    fingerprint to it (a restore records it only when the backup holds what the marker's install imported;
    otherwise the next plan compares the content)."""

    app: str
    version: str
    purpose: str
    target: Target
    changes: tuple[ResourceChange, ...]
    fingerprint: str
    marker: Marker | None = None
    record_state: bool = True
    token_env: str | None = None
    ours_changed: bool = False
    notes: tuple[str, ...] = ()  # what the reader should know that no change says (e.g. an earlier copy)

    @property
    def resources(self) -> tuple[ResourceChange, ...]:
        return self.changes

    def resource(self, kind: str) -> ResourceChange | None:
        return next((c for c in self.changes if c.kind == kind), None)

    @property
    def changed(self) -> bool:
        return any(c.writes for c in self.changes)

    @property
    def drifted(self) -> bool:
        return any(c.action == DRIFTED for c in self.changes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.changes:
            out[c.action] = out.get(c.action, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        marker = None
        if self.marker is not None:
            marker = {"app": self.marker.app, "version": self.marker.version, "hash": self.marker.hash,
                      "norm": self.marker.norm, "state": self.marker.state}
        return {"format": FORMAT, "app": self.app, "version": self.version, "purpose": self.purpose,
                "target": self.target.to_dict(), "folder": self.target.label, "changed": self.changed,
                "drifted": self.drifted, "counts": self.counts(), "fingerprint": self.fingerprint,
                "marker": marker, "recordState": self.record_state, "tokenEnv": self.token_env,
                "oursChanged": self.ours_changed, "notes": list(self.notes),
                "resources": [c.to_dict() for c in self.changes]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        if data.get("format") != FORMAT:
            raise ValueError(f"not an appbuilder plan (expected format {FORMAT})")
        marker = data.get("marker")
        return cls(str(data["app"]), str(data["version"]), str(data["purpose"]), Target.from_dict(data["target"]),
                   tuple(ResourceChange.from_dict(c) for c in data["resources"]), str(data["fingerprint"]),
                   Marker(**marker) if marker else None, bool(data.get("recordState", True)),
                   data.get("tokenEnv"), bool(data.get("oursChanged")),
                   tuple(str(n) for n in data.get("notes") or ()))

    def save(self, path: Path) -> None:
        """Write the plan as JSON (deterministic: same plan, same bytes)."""
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                        encoding="utf-8")


def load_plan(path: Path) -> Plan:
    """A plan written by ``Plan.save``; ValueError with a readable message otherwise."""
    data, problems = read_json(path, str(path))  # safe on any file: missing, binary, huge, nested deep
    if problems:
        raise ValueError(f"{problems[0].position}: {problems[0].message} (the plan file)")
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not an appbuilder plan")
    try:
        plan = Plan.from_dict(data)
        if not all(isinstance(side, (dict, type(None))) for c in plan.changes for side in (c.before, c.after)):
            raise TypeError("before/after")
        return plan
    except KeyError as exc:
        raise ValueError(f"{path} is not a complete appbuilder plan (missing {exc})") from None
    except (TypeError, AttributeError):
        raise ValueError(f"{path} is not an appbuilder plan (a part has the wrong type)") from None
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
