"""Writes that never happen twice: a create or a guarded update is sent with ``replay=False`` (the client does
not repeat it by itself), and when its outcome is unknown the item is looked up (a create, by name) or read back
and compared (an update) before anything is tried again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from appbuilder.sumo.errors import SumoApiError

T = TypeVar("T")


def create_once(post: Callable[[], T], find: Callable[[], T | None], tries: int = 3,
                tell: Callable[[str], None] | None = None) -> T:
    """Run a create made with ``replay=False`` (the client never repeats it by itself). When its outcome is
    unknown (no reply, a server error), look the item up by name first: found, it is the result; not found,
    the create is tried again. A duplicate name reported after such a retry also means an earlier attempt made
    the item. ``tell`` gets one line per look-up (what happened and what comes next)."""
    say = tell or (lambda message: None)
    for attempt in range(1, tries + 1):
        try:
            return post()
        except SumoApiError as exc:
            if not (exc.outcome_unknown or (exc.is_duplicate and attempt > 1)):
                raise
            call = f"{exc.method} {exc.path}"
            why = "the name is taken" if exc.is_duplicate else f"no answer ({exc.status or 'no reply'})"
            found = find()
            if found is not None:
                say(f"{call}: {why}; looked it up by name: an earlier attempt created it")
                return found
            if exc.is_duplicate or attempt == tries:
                raise
            say(f"{call}: {why}; looked it up by name: not there, creating it again (attempt {attempt + 1}/{tries})")
    raise AssertionError("unreachable")


def update_once(write: Callable[[], T], landed: Callable[[], T | None], tries: int = 3,
                tell: Callable[[str], None] | None = None) -> T:
    """Run an update made with ``replay=False`` whose re-send could do harm (it carries the item's ``version``
    or ETag as read before: after a write that landed, the same request is refused as a conflict). When its
    outcome is unknown, re-read the item first (``landed`` returns it when it already holds what was written,
    else None): landed, that is the result; not landed, ``write`` runs again (it reads the current version
    itself). ``tell`` gets one line per re-read."""
    say = tell or (lambda message: None)
    for attempt in range(1, tries + 1):
        try:
            return write()
        except SumoApiError as exc:
            if not exc.outcome_unknown:
                raise
            call = f"{exc.method} {exc.path}"
            found = landed()
            if found is not None:
                say(f"{call}: no answer ({exc.status or 'no reply'}); read it back: the update had landed")
                return found
            if attempt == tries:
                raise
            say(f"{call}: no answer ({exc.status or 'no reply'}); read it back: not changed, writing it again "
                f"(attempt {attempt + 1}/{tries})")
    raise AssertionError("unreachable")
