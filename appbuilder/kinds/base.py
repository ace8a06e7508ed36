"""The protocol every Sumo resource kind implements, and the two values it trades in: ``Item`` and ``Org``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from appbuilder.sumo.errors import SumoError

if TYPE_CHECKING:
    from appbuilder.build import BuildResult
    from appbuilder.deploy.state import Remote, RemoteState

Progress = Callable[[str], None]


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
    (recorded on what it creates), the secret token for writes that need it, and a progress callback."""

    remote: Remote
    state: RemoteState
    app: str = ""
    token: str | None = None
    progress: Progress | None = None

    @property
    def admin(self) -> bool | None:
        return self.remote.admin or None


class Kind(Protocol):
    """One Sumo resource kind (folder, dashboard, saved search, collector, source, …).

    ``name`` is the kind as plans show it; ``order`` sorts kinds for apply (creates and updates in ascending
    order, deletes in descending order: a folder before its items, a collector before its sources);
    ``in_folder`` says the items live in the app folder (their drift is judged against the folder's marker,
    and a fresh install may import them with the folder in one job).
    """

    name: str
    order: int
    in_folder: bool

    def render(self, build: BuildResult) -> list[Item]:
        """The desired items of this kind (API bodies, secrets left out) from a build."""
        ...

    def read(self, org: Org) -> list[Item]:
        """The items of this kind the app has in the org now (with their ids in ``ref``)."""
        ...

    def normalise(self, body: dict[str, Any]) -> dict[str, Any]:
        """The canonical form of a body: server-filled fields dropped, so equal means unchanged."""
        ...

    def create(self, org: Org, after: Item) -> dict[str, str]:
        """Create the item; returns its ``ref``. A create whose reply was lost is looked up, not repeated."""
        ...

    def update(self, org: Org, before: Item, after: Item) -> dict[str, str]:
        """Change the existing item ``before`` (its ids kept) into ``after``; returns its ``ref``."""
        ...

    def delete(self, org: Org, before: Item) -> None:
        """Remove the item."""
        ...
