"""Sumo resource kinds: one module per kind, one protocol (``base.Kind``), one registry (``KINDS``).

Plan, apply, uninstall, backup and restore loop over ``KINDS`` and never name a kind: for each kind the planner
pairs the desired items (``render``) with the org's (``read``) by ``identity``, compares their ``normalise``d
bodies, and records a typed change (create / update / delete / no-op / drifted); apply calls ``create``,
``update`` or ``delete`` with exactly what the plan holds. (The model is grafana/grizzly's Handler interface with
its generic diff and apply.)

A kind is a class with:

- ``name`` (as plans show it), ``order`` (apply order: creates and updates ascending, deletes descending) and
  ``in_folder`` (its items live in the app folder: drift is judged by the folder's install marker, a fresh
  install may import them with the folder in one job, and they are exported into backups);
- ``render(build)``: the desired items (``Item(kind, identity, body, ref={}, rename_key)``) from a build;
- ``read(org)``: the items of this kind the app has in the org, with their ids in ``ref``;
- ``normalise(body)``: the canonical form (server-filled fields dropped) so that equal means unchanged;
- ``create(org, after)`` / ``update(org, before, after)`` / ``delete(org, before)``: the API calls; update keeps
  the ids in ``before.ref``; a create that may have happened already (lost reply) looks the item up by name
  (``Org.remote.client.create_once``) instead of repeating it;
- optional parts with defaults in ``base.BaseKind`` (subclass it): ``rename_key(body)`` (pairs an item renamed
  in the app definition with the one in the org), ``drift(desired, remote)`` (a kind outside the app folder
  judging whether the org's item was changed since the install, e.g. monitors by their recorded hash),
  ``describe(body)`` (lines the plan shows about the item as the org has it, e.g. the source's APIs),
  ``update_note`` (what the plan says on an update of this kind, when it is not done in place), and
  ``holds`` with ``create_with(org, after, items)`` (a container kind, e.g. the monitor folder: apply creates it
  with the new items of the kind it holds in one call, and its delete removes them, so they are not deleted one
  by one), and ``stamp(org)`` (what a saved plan's fingerprint records of the kind's items: by default their
  identity, ids and normalised-body digest; the app folder's stamp covers every item in it by modification time).

Items in the app folder (``in_folder``) are identified by their path under it, at any depth (``tree``): kinds
for them subclass ``library.InFolderKind`` and say which definitions they ``claims``; sub-folders are a kind
(``subfolder``), and content no kind models is a raw item (``raw``), so every item of an exported app is
planned, installed, backed up and restored.

Adding a kind (say monitors) touches only:

1. its JSON Schema (``appbuilder/schemas/``), its part of the model (``appbuilder/model.py``) and loader;
2. its build output (a new key of ``BuildResult``) and ``appbuilder/kinds/<kind>.py`` implementing the protocol
   above (reading its own part of the build in ``render``; ``Org.remote.client`` makes any API call);
3. one line in ``KINDS`` below;
4. the fake Sumo's routes for its API (``appbuilder/fakesumo/``).

Nothing in ``appbuilder/deploy/`` changes: the plan, the text and JSON renderings, the plan file, apply, the
backup and restore all work from ``Item`` bodies and the kind's methods.
"""

from __future__ import annotations

from appbuilder.kinds.base import Item, Kind, Org
from appbuilder.kinds.collector import CollectorKind
from appbuilder.kinds.dashboard import DashboardKind
from appbuilder.kinds.folder import FolderKind
from appbuilder.kinds.monitor import MonitorFolderKind, MonitorKind
from appbuilder.kinds.raw import RawKind
from appbuilder.kinds.saved_search import SavedSearchKind
from appbuilder.kinds.source import SourceKind
from appbuilder.kinds.subfolder import SubFolderKind

KINDS: tuple[Kind, ...] = (CollectorKind(), SourceKind(), FolderKind(), SubFolderKind(), DashboardKind(),
                           SavedSearchKind(), RawKind(), MonitorFolderKind(), MonitorKind())


def kind(name: str) -> Kind:
    """The registered kind of this name; KeyError when there is none."""
    for candidate in KINDS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def in_folder(name: str) -> bool:
    """Whether items of the registered kind of this name live in the app folder; KeyError when there is none."""
    return kind(name).in_folder


__all__ = ["KINDS", "Item", "Kind", "Org", "in_folder", "kind"]
