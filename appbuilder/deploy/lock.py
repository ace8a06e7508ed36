"""One writer at a time: a lock per app folder, taken before the first write of install, uninstall and restore.

The lock is a Library folder named ``<app folder> (appbuilder lock)`` next to the app folder. Creating it is the
atomic step: a folder's items have unique names (the spec's beginAsyncImport: "Content items need to have a
unique name within their folder"), so of two runs creating it at once exactly one succeeds; the other gets a
duplicate-name error and reads who holds it from the folder's description::

    appbuilder lock host=runner-7 pid=4242 run=github:9912 started=2026-12-07T22:00:00Z expires=2026-12-07T22:15:00Z

The holder renews the lease (``expires``) as it writes; a lock whose lease has run out (its run died) or that
was released without finishing (an error, Ctrl-C, ``force-unlock``: `` released`` is appended) is taken over by
the next run: it reads what the lock records, deletes that folder by its id (so two runs taking over at once
cannot delete each other's new lock), and creates its own. What a run is about to write (its *intent*, see
``intent``) is recorded in sub-folders ``intent 1``, ``intent 2``… of the lock, so it survives the run.
See docs/locking.md.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from appbuilder.deploy.changes import Target
from appbuilder.deploy.state import DeployError, Remote, no_target_folder
from appbuilder.sumo.errors import SumoApiError, SumoError

LOCK_SUFFIX = " (appbuilder lock)"
DEFAULT_LEASE = 900.0  # seconds; longer than the longest single step (a content job times out after 600 s)
WAIT_STEP = 5.0  # seconds between looks at a lock held by another run
MAX_VANISHED = 5  # creates refused while no lock is to be seen, before the refusal is taken as it is
INTENT_PREFIX = "intent "
_PREFIX = "appbuilder lock"
_NAME_LIMIT = 128
_DESCRIPTION_LIMIT = 255
# Where CI systems name the run (GitHub Actions, GitLab CI, Azure Pipelines, Jenkins, CircleCI).
RUN_IDS = (("GITHUB_RUN_ID", "github"), ("CI_JOB_ID", "gitlab"), ("BUILD_BUILDID", "azure"),
           ("BUILD_TAG", "jenkins"), ("CIRCLE_WORKFLOW_JOB_ID", "circleci"))


class LockHeld(DeployError):
    """Another run holds the lock (and kept it past ``--lock-timeout``); nothing was written."""


class LockLost(DeployError):
    """This run's lease ran out and another run took the lock over; it stopped before its next write."""


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(text: str) -> float | None:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None


def lock_name(folder_name: str) -> str:
    """The lock folder's name (shortened, with a digest of the full name, to fit Sumo's 128 characters)."""
    name = folder_name + LOCK_SUFFIX
    if len(name) <= _NAME_LIMIT:
        return name
    digest = hashlib.sha256(folder_name.encode()).hexdigest()[:8]
    return folder_name[: _NAME_LIMIT - len(LOCK_SUFFIX) - 10] + f" ~{digest}" + LOCK_SUFFIX


def run_id(env: Mapping[str, str]) -> str:
    """The CI run's id from the environment (``github:123``), or "" outside CI."""
    return next((f"{system}:{env[name]}" for name, system in RUN_IDS if env.get(name, "").strip()), "")


@dataclass(frozen=True)
class LockRecord:
    """What a lock folder's description says: who holds it, since when, until when, and whether it was
    released without finishing. ``lock_id`` is the folder's content id (what ``force-unlock`` takes)."""

    host: str
    pid: int
    run: str
    started: float
    expires: float
    released: bool = False
    lock_id: str = ""
    intent: tuple[str, ...] = ()  # item digests recorded in the description itself (when they fit)

    def text(self) -> str:
        parts = [_PREFIX, f"host={self.host[:60] or '?'}", f"pid={self.pid}"]
        if self.run:
            parts.append(f"run={self.run[:60]}")
        parts += [f"started={_iso(self.started)}", f"expires={_iso(self.expires)}"]
        if self.intent:
            parts.append("intent=" + ",".join(self.intent))
        if self.released:
            parts.append("released")
        return " ".join(parts)

    def fits(self) -> bool:
        return len(self.text()) <= _DESCRIPTION_LIMIT

    def same_holder(self, other: LockRecord | None) -> bool:
        return other is not None and (other.host, other.pid, other.run, other.started) == \
            (self.host[:60] or "?", self.pid, self.run[:60], float(int(self.started)))

    def holder(self) -> str:
        """``pid 4242 on runner-7 (CI run github:9912), started 2026-12-07T22:00:00Z``."""
        run = f" (CI run {self.run})" if self.run else ""
        return f"pid {self.pid} on {self.host}{run}, started {_iso(self.started)}"

    def free(self, now: float) -> bool:
        """Released, or its lease has run out: the next run may take it over."""
        return self.released or now >= self.expires

    def dead_here(self) -> bool:
        """The holder ran on this host and its process is gone (it was killed before releasing the lock)."""
        if self.host != (socket.gethostname()[:60] or "?") or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:  # it exists, owned by another user
            return False
        return False


def parse_record(description: str | None, lock_id: str = "") -> LockRecord | None:
    """The record in a lock folder's description; None when it is not one (a folder a person made)."""
    words = str(description or "").split()
    if " ".join(words[:2]) != _PREFIX:
        return None
    fields = dict(w.split("=", 1) for w in words[2:] if "=" in w)
    started, expires = _seconds(fields.get("started", "")), _seconds(fields.get("expires", ""))
    if started is None or expires is None or not fields.get("pid", "").isdigit():
        return None
    intent = tuple(d for d in fields.get("intent", "").split(",") if d)
    return LockRecord(fields.get("host", "?"), int(fields["pid"]), fields.get("run", ""), started, expires,
                      "released" in words[2:], lock_id, intent)


def find_lock(remote: Remote, target: Target) -> dict[str, Any] | None:
    """The lock folder of this target (its full view: description, children), or None."""
    if target.parent_id is None:
        return None
    admin = remote.admin or None
    child = remote.folders.find_child(target.parent_id, lock_name(target.folder_name), "Folder", admin=admin)
    if child is None:
        return None
    try:
        return remote.folders.get(str(child["id"]), admin=admin)
    except SumoApiError as exc:
        if exc.is_not_found:  # released in between
            return None
        raise


def lock_present(remote: Remote, target: Target, personal: dict[str, Any] | None = None) -> bool:
    """Whether the target has a lock folder (held or not): free when the personal folder's listing was read
    anyway (``personal``), else one path look-up."""
    name = lock_name(target.folder_name)
    if personal is not None and target.parent_path is None and not target.admin:
        return any(c.get("name") == name and c.get("itemType") == "Folder" for c in personal.get("children") or [])
    if target.parent_path is None:
        return find_lock(remote, target) is not None
    return remote.folders.by_path(f"{target.parent_path}/{name}", admin=remote.admin or None) is not None


def lock_note(remote: Remote, target: Target, personal: dict[str, Any] | None = None) -> str | None:
    """What a plan says about the target's lock when there is one (another run is writing, or one stopped part
    way); None when there is none (free to know when the personal folder's listing is at hand)."""
    if target.parent_id is None or not lock_present(remote, target, personal):
        return None
    current = find_lock(remote, target)
    record = parse_record(current.get("description"), str(current["id"])) if current is not None else None
    if record is None:
        return None
    if record.free(remote.client.clock.time()):
        return (f"a run that stopped part way left its lock on this app folder ({record.holder()}); the next "
                "install takes it over, and what that run wrote is not counted as drift")
    if record.dead_here():
        return (f"a run that died left its lock on this app folder ({record.holder()}; that process is gone): "
                f"install refuses until its lease ends, or `appbuilder force-unlock PATH {record.lock_id}` now")
    return (f"another run is writing to this app folder ({record.holder()}, lock id {record.lock_id}): this plan "
            "may change when it finishes; install refuses until then, or waits with --lock-timeout")


def read_intent(remote: Remote, target: Target, lock: dict[str, Any] | None = None) -> frozenset[str]:
    """The intent recorded in the target's lock folder (whoever holds it, if anyone): item digests."""
    lock = lock if lock is not None else find_lock(remote, target)
    if lock is None:
        return frozenset()
    record = parse_record(lock.get("description"))
    digests: set[str] = set(record.intent if record is not None else ())
    for child in lock.get("children") or []:
        if str(child.get("name", "")).startswith(INTENT_PREFIX) and child.get("itemType") == "Folder":
            folder = remote.folders.get(str(child["id"]), admin=remote.admin or None)
            digests.update(str(folder.get("description") or "").split())
    return frozenset(digests)


def _chunks(digests: Iterable[str]) -> list[str]:
    """Descriptions of at most 255 characters holding every digest."""
    out: list[str] = []
    for digest in sorted(set(digests)):
        if out and len(out[-1]) + 1 + len(digest) <= _DESCRIPTION_LIMIT:
            out[-1] += " " + digest
        else:
            out.append(digest)
    return out


class AppLock:
    """The lock of one app folder for one run (see the module docstring). ``env`` names the CI run."""

    def __init__(self, remote: Remote, target: Target, *, lease: float = DEFAULT_LEASE,
                 env: Mapping[str, str] | None = None):
        if target.parent_id is None:
            raise no_target_folder(target)
        self.remote, self.target, self.lease = remote, target, lease
        self.clock = remote.client.clock
        now = self.clock.time()
        self.record = LockRecord(socket.gethostname(), os.getpid(), run_id(os.environ if env is None else env),
                                 now, now + lease)
        self.lock_id: str | None = None
        self.intent: set[str] = set()  # recorded in the lock (this run's and one taken over)
        self.finished = False  # set when the run did all it planned: release removes the lock and its intent
        self.wrote = False  # set at the first write (``renew``): from then on, the intent matters
        self.inherited = False  # the intent holds what a run whose lock this one took over recorded
        self._renewed = now
        self._intents = 0

    @property
    def name(self) -> str:
        return lock_name(self.target.folder_name)

    @property
    def _admin(self) -> bool | None:
        return self.remote.admin or None

    # -- taking and giving back ------------------------------------------------------------------------------
    def acquire(self, timeout: float = 0.0, intent: Iterable[str] = ()) -> None:
        """Take the lock, waiting up to ``timeout`` seconds for another run to give it back; LockHeld when it
        does not (nothing was written). A free lock (lease run out, or released) is taken over, with its
        intent. ``intent`` (item digests) is recorded with the lock, in its description when it fits."""
        deadline = self.clock.monotonic() + max(0.0, timeout)
        wanted = set(intent)
        vanished = 0
        while True:
            refused = self._create(wanted)
            if refused is None:
                return
            current = find_lock(self.remote, self.target)
            if current is None:  # given back in between: try again; not there at all: the create's own error
                vanished += 1
                if vanished > MAX_VANISHED or not (refused.is_duplicate or refused.outcome_unknown):
                    raise refused
                continue
            record = parse_record(current.get("description"), str(current["id"]))
            if record is None:
                raise DeployError(f"a folder named {self.name!r} is in {self.target.label.rsplit('/', 1)[0]} "
                                  "but it is not an appbuilder lock", hint="rename or remove it in Sumo")
            if record.free(self.clock.time()):
                self._take_over(current, record)
                continue
            left = deadline - self.clock.monotonic()
            if left <= 0:
                gone = "; that process is gone from this host" if record.dead_here() else ""
                raise LockHeld(
                    f"{self.target.label} is locked by another run: {record.holder()}{gone} (lock id "
                    f"{record.lock_id}, lease until {_iso(record.expires)}); nothing was written",
                    hint="wait for it and run again (or give --lock-timeout SECONDS to wait); if that run is dead, "
                         f"`appbuilder force-unlock PATH {record.lock_id}` releases its lock")
            wait = min(WAIT_STEP, left)
            self.remote.client.tell(f"{self.target.label} is locked by {record.holder()}; waiting "
                                    f"({left:.0f} s left of --lock-timeout)")
            self.clock.sleep(wait)

    def _create(self, wanted: set[str]) -> SumoApiError | None:
        """Try to create the lock folder (with ``wanted`` and any intent taken over in its description, when
        they fit); None when this run now holds it, else the error that refused it (a duplicate name when
        another run holds it; a 400 may be one too, as Sumo does not publish that error)."""
        folders, parent = self.remote.folders, str(self.target.parent_id)
        now = self.clock.time()
        inline = replace(self.record, expires=now + self.lease, intent=tuple(sorted(wanted | self.intent)))
        self.record = inline if inline.fits() else replace(inline, intent=())
        try:
            made = folders.create(parent, self.name, self.record.text(), admin=self._admin)
        except SumoApiError as exc:
            if exc.outcome_unknown:  # did it land? only if the lock there is ours
                found = find_lock(self.remote, self.target)
                if found is not None and self.record.same_holder(parse_record(found.get("description"))):
                    made = found
                else:
                    return exc
            elif exc.is_duplicate or exc.status == 400:
                return exc
            else:
                raise
        self.lock_id, self._renewed = str(made["id"]), now
        self.record = replace(self.record, lock_id=self.lock_id)
        if not self.record.intent:  # did not fit: in sub-folders (with any taken over), before any other write
            self._write_intent(wanted | self.intent)
        self.intent |= wanted | set(self.record.intent)
        return None

    def _take_over(self, current: dict[str, Any], record: LockRecord) -> None:
        """Keep what a free lock recorded, then delete it by its id (a 404: someone else did)."""
        taken = read_intent(self.remote, self.target, current)
        self.intent |= taken
        self.inherited = self.inherited or bool(taken)
        why = "released" if record.released else f"its lease ran out at {_iso(record.expires)}"
        self.remote.client.tell(f"taking over the lock of {record.holder()} ({why})")
        self._delete(str(current["id"]))

    def _delete(self, lock_id: str) -> None:
        try:
            self.remote.content.delete_content(lock_id, admin=self._admin, progress=lambda update: None)  # quiet
        except SumoApiError as exc:
            if not exc.is_not_found:
                raise

    def release(self) -> None:
        """Give the lock back: removed with its intent when the run finished or wrote nothing (and took over no
        intent); else marked released, so the next run takes it over with the intent (its half-applied items are
        then not drift)."""
        if self.lock_id is None:
            return
        lock_id, self.lock_id = self.lock_id, None
        if self.finished or not self.intent or not (self.wrote or self.inherited):
            self._delete(lock_id)
        else:
            self.remote.folders.update(lock_id, self.name, replace(self.record, released=True).text(),
                                       admin=self._admin)

    # -- while holding it ---------------------------------------------------------------------------------------
    def record_intent(self, digests: Iterable[str]) -> None:
        """Record what this run is about to write, before its first write."""
        new = set(digests) - self.intent
        if new:
            self._write_intent(new)
            self.intent |= new

    def _write_intent(self, digests: Iterable[str]) -> None:
        for description in _chunks(digests):
            self._intents += 1
            self._intent_folder(f"{INTENT_PREFIX}{self._intents}", description)

    def _intent_folder(self, name: str, description: str) -> None:
        folders, parent = self.remote.folders, str(self.lock_id)
        self.remote.client.create_once(lambda: folders.create(parent, name, description, admin=self._admin),
                                       lambda: folders.find_child(parent, name, "Folder", admin=self._admin))

    def renew(self) -> None:
        """Before a write: once a third of the lease has passed, check the lock is still ours and renew it;
        LockLost when another run took it over."""
        now = self.clock.time()
        self.wrote = True
        if self.lock_id is None or now - self._renewed < self.lease / 3:
            return
        try:
            current = self.remote.folders.get(self.lock_id, admin=self._admin)
        except SumoApiError as exc:
            if not exc.is_not_found:
                raise
            current = None
        if current is None or not self.record.same_holder(parse_record(current.get("description"))):
            self.lock_id = None
            raise LockLost(f"the lock on {self.target.label} was taken over by another run after this run's "
                           "lease ran out; stopped before the next write",
                           hint="run `appbuilder plan` to see where the org stands, then install again")
        self.record = replace(self.record, expires=now + self.lease)
        self.remote.folders.update(self.lock_id, self.name, self.record.text(), admin=self._admin)
        self._renewed = now


def force_unlock(remote: Remote, target: Target, lock_id: str) -> LockRecord:
    """Release the lock ``lock_id`` of this target whoever holds it (its intent is kept for the next run);
    DeployError when the target's lock has another id or there is none."""
    current = find_lock(remote, target)
    record = parse_record(current.get("description"), str(current["id"])) if current is not None else None
    if current is None or record is None:
        raise DeployError(f"{target.label} is not locked", hint="nothing to unlock")
    if record.lock_id != lock_id:
        raise DeployError(f"the lock on {target.label} has the id {record.lock_id}, not {lock_id} "
                          f"(held by {record.holder()})",
                          hint="check the id in the error that named the holder; it may be a newer run's lock")
    remote.folders.update(lock_id, lock_name(target.folder_name), replace(record, released=True).text(),
                          admin=remote.admin or None)
    return record


@contextmanager
def holding(remote: Remote, target: Target, timeout: float = 0.0, env: Mapping[str, str] | None = None,
            intent: Iterable[str] = ()) -> Iterator[AppLock]:
    """Hold the target's lock for the block (taken waiting up to ``timeout`` s, with ``intent`` recorded; given
    back at the end, also on an error or Ctrl-C; set ``lock.finished`` when the block did all it planned)."""
    lock = AppLock(remote, target, env=env)
    lock.acquire(timeout, intent)
    try:
        yield lock
    finally:
        held = lock.lock_id
        try:
            lock.release()
        except SumoError as exc:
            remote.client.tell(f"could not give back the lock {held}: {exc.message}; the next run takes it over "
                               f"once its lease runs out, or run `appbuilder force-unlock PATH {held}`")
