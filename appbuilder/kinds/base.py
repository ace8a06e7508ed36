"""The protocol every Sumo resource kind implements, and the two values it trades in: ``Item`` and ``Org``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from appbuilder.sumo.errors import SumoError
from appbuilder.sumo.normalise import canonical_json

if TYPE_CHECKING:
    from appbuilder.build import BuildResult
    from appbuilder.deploy.state import Remote, RemoteState

# What a kind's ``drift`` says: (DRIFTED or None, why).
Verdict = tuple[str | None, str]


class DeployError(SumoError):
    """A deploy step that cannot go on (drift, missing token, missing target folder…); has a hint."""


@dataclass(frozen=True)
class Item:
    """One resource as a kind sees it.

    ``identity`` is how the item is found in the org (a name, unique within its parent); ``body`` the API body
    (what ``render`` produced, or what ``read`` got back); ``ref`` the ids the org gave it (``contentId``,
    ``dashboardId``, ``id``…), empty for a desired item; ``rename_key`` a value that stays the same when the item
    is renamed in the app definition (e.g. a dashboard's panel keys), or "" when the kind cannot tell.
    """

    kind: str
    identity: str
    body: dict[str, Any]
    ref: dict[str, str] = field(default_factory=dict)
    rename_key: str = ""


@dataclass
class Org:
    """What a kind's read and write methods work with: the handlers of one client (``remote``), the state the
    plan read (``state``: target folder, app folder listing and export, collector, sources), the app's name
    (recorded on what it creates), the secret token for writes that need it, and ``cache``: what a kind read
    once and reuses for the rest of the run, plan and apply (keyed by the kind; kept on the state). Retries and
    job polls are reported by the client itself (``remote.client.progress``)."""

    remote: Remote
    state: RemoteState
    app: str = ""
    token: str | None = None
    before_write: Callable[[], None] | None = None  # apply calls it before every write (the lock's renewal)

    @property
    def cache(self) -> dict[str, Any]:
        return self.state.cache

    @property
    def admin(self) -> bool | None:
        return self.remote.admin or None


class Kind(Protocol):
    """One Sumo resource kind (folder, dashboard, saved search, collector, source, …).

    ``name`` is the kind as plans show it; ``order`` sorts kinds for apply (creates and updates in ascending
    order, deletes in descending order: a folder before its items, a collector before its sources);
    ``in_folder`` says the items live in the app folder (their drift is judged against the folder's marker,
    and a fresh install may import them with the folder in one job); ``holds`` names the kind whose items this
    kind's item contains (created with it by ``create_with``, removed with it by ``delete``). ``BaseKind``
    gives the optional parts (``holds``, ``create_with``, ``rename_key``, ``drift``, ``describe``) their
    defaults.
    """

    name: str
    order: int
    in_folder: bool
    holds: str

    def render(self, build: BuildResult) -> list[Item]:
        """The desired items of this kind (API bodies, secrets left out) from a build."""
        ...

    def read(self, org: Org) -> list[Item]:
        """The items of this kind the app has in the org now (with their ids in ``ref``)."""
        ...

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        """The canonical form of a body: server-filled fields dropped, so equal means unchanged."""
        ...

    def rename_key(self, body: dict[str, Any]) -> str:
        """A value that survives a rename of the item in the app definition ("" when the kind cannot tell)."""
        ...

    def drift(self, desired: Item | None, remote: Item | None) -> Verdict:
        """For a kind outside the app folder: was the item in the org changed since appbuilder installed it?
        (The folder's items are judged together, by the folder's marker.)"""
        ...

    def describe(self, body: dict[str, Any]) -> list[str]:
        """Lines a plan shows under an item as read from the org (what only the org can tell)."""
        ...

    @property
    def update_note(self) -> str:
        """What a plan says on an update of this kind ("" when the update is in place)."""
        ...

    def create(self, org: Org, after: Item) -> dict[str, str]:
        """Create the item; returns its ``ref``. A create whose reply was lost is looked up, not repeated."""
        ...

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        """Change the existing item ``before`` (its ids kept) into ``after``; returns its ``ref``."""
        ...

    def delete(self, org: Org, before: Item) -> None:
        """Remove the item (with the items it ``holds``)."""
        ...

    def create_with(self, org: Org, after: Item, items: list[Item]
                    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """Create the item with ``items`` (of the kind it ``holds``) inside, the cheapest way; returns its
        ``ref`` and theirs by identity."""
        ...

    def stamp(self, org: Org) -> Any:
        """What a saved plan's fingerprint records of this kind's items in the org (JSON-able): any change to
        them in Sumo changes it (``deploy.fingerprint``)."""
        ...


class BaseKind:
    """The defaults of a kind's optional parts: holds nothing, no rename key, no drift of its own, nothing to
    describe."""

    name = ""
    order = 0
    in_folder = False
    update_note = ""
    holds = ""

    def create(self, org: Org, after: Item) -> dict[str, str]:
        raise NotImplementedError

    def create_with(self, org: Org, after: Item, items: list[Item]
                    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """Without anything held: the plain create."""
        if items:
            raise NotImplementedError(f"{self.name} holds no items")
        return self.create(org, after), {}

    def rename_key(self, body: dict[str, Any]) -> str:
        return ""

    def single(self, document: dict[str, Any] | None, key: str, identity: Callable[[dict[str, Any]], str]
               ) -> list[Item]:
        """The one item of a kind built as ``document[key]`` (none when the build has no such document)."""
        if document is None:
            return []
        body = document[key]
        return [Item(self.name, identity(body), body)]

    def drift(self, desired: Item | None, remote: Item | None) -> Verdict:
        return None, ""

    def describe(self, body: dict[str, Any]) -> list[str]:
        return []

    def stamp(self, org: Org) -> Any:
        """Each item read: identity, ids and a digest of its normalised body (what the plan compares)."""
        kind: Kind = self  # type: ignore[assignment]  (a subclass implements read and normalise)
        return sorted([i.identity, sorted(i.ref.items()),
                       hashlib.sha256(canonical_json(kind.normalise(i.body)).encode()).hexdigest()[:16]]
                      for i in kind.read(org))
