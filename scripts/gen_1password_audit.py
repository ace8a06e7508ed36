"""Deterministic generator of 1Password Events API audit events (the ``AuditEventV2`` object).

Used by ``gen_1password_events.py`` (the users, sites and IPs are those of ``gen_1password_world.py``);
importable on its own too::

    from gen_1password_audit import generate_audit
    events = generate_audit(USERS, 120, seed=3)

Each event has ``uuid``, ``timestamp``, ``actor_uuid``, ``actor_details``, ``action``, ``object_type``,
``object_uuid``, ``object_details`` (only when the object is a user), ``aux_*`` where the action has them,
``session`` and, for most events, ``location`` (it is optional in the API: some events carry none).

Meaning of the values used, as the app's Audit Security dashboard and monitors read them: ``ec`` is an e-mail
change, ``uva`` / ``gva`` a user's / group's access to a vault, ``gm`` a group membership (``role`` changes
its role), ``sa`` / ``satoken`` a service account and its tokens; ``updatfw`` updates the firewall rules,
``enblsso`` / ``disblsso`` / ``chngasso`` … change SSO settings, ``uisas`` changes unlock-with-SSO.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

Event = dict[str, Any]

# (action, object_type): weight of the routine mix; the forced list below makes sure every pair the
# dashboard and monitors need appears at least once.
ROUTINE: dict[tuple[str, str], int] = {
    ("create", "vault"): 4, ("update", "vault"): 3, ("create", "item"): 10, ("update", "item"): 8,
    ("delete", "item"): 3, ("view", "report"): 3, ("export", "vault"): 1, ("create", "invite"): 3,
    ("join", "gm"): 4, ("leave", "gm"): 2, ("grant", "uva"): 3, ("revoke", "uva"): 1, ("grant", "gva"): 2,
    ("update", "user"): 3, ("suspend", "user"): 1, ("reactive", "user"): 1, ("create", "device"): 4,
    ("delete", "device"): 2, ("begin", "ec"): 1, ("complete", "ec"): 1, ("changemp", "user"): 2,
}
FORCED: tuple[tuple[str, str], ...] = (
    ("activate", "user"), ("activate", "user"), ("reactive", "user"), ("delete", "user"), ("delete", "vault"),
    ("delete", "group"), ("begin", "ec"), ("complete", "ec"), ("create", "group"), ("create", "group"),
    ("role", "gm"), ("role", "gm"), ("grant", "uva"), ("revoke", "uva"), ("update", "uva"), ("grant", "gva"),
    ("revoke", "gva"), ("enblmfa", "user"), ("disblmfa", "user"), ("updatmfa", "user"), ("enblduo", "account"),
    ("updatduo", "account"), ("disblduo", "account"), ("enblmfa", "user"), ("updatmfa", "user"),
    ("enblsso", "sso"), ("chngasso", "sso"), ("addgsso", "sso"), ("updatfw", "account"), ("uisas", "account"),
    ("create", "sa"), ("create", "satoken"), ("trename", "satoken"), ("trevoke", "satoken"),
    ("tverify", "satoken"), ("suspend", "user"),
)
MFA_ACTIONS = ("enblmfa", "disblmfa", "updatmfa", "enblduo", "disblduo", "updatduo")
AUX_INFO = {"role": ("R", "M"), "join": ("A", "M"), "grant": ("rwd", "r", "rw")}


@dataclass(frozen=True)
class Context:
    """What the audit generator borrows from the sign-in generator."""

    users: Sequence[Any]  # objects with name, email, uuid, ips
    uuid: Callable[[random.Random], str]
    location: Callable[[str], dict[str, Any]]
    format_time: Callable[[datetime], str]
    risky_ips: Sequence[str]  # attacker infrastructure in embargoed countries


def _person(user: Any) -> dict[str, str]:
    return {"uuid": user.uuid, "name": user.name, "email": user.email}


def _audit(rng: random.Random, ctx: Context, action: str, object_type: str, ip: str | None) -> Event:
    actor = ctx.users[rng.randrange(len(ctx.users))]
    other = ctx.users[rng.randrange(len(ctx.users))]
    ip = ip or rng.choice(actor.ips)
    event: Event = {
        "uuid": ctx.uuid(rng), "timestamp": "", "actor_uuid": actor.uuid, "actor_details": _person(actor),
        "action": action, "object_type": object_type, "object_uuid": other.uuid if object_type == "user"
        else ctx.uuid(rng),
    }
    if object_type == "user":
        event["object_details"] = _person(other)
    if object_type in ("uva", "gm", "ec"):
        event["aux_uuid"] = other.uuid
        event["aux_details"] = _person(other)
    if object_type == "device" or action in ("enblmfa", "disblmfa", "updatmfa"):
        event["aux_id"] = rng.randint(1000, 99999)
    if action in AUX_INFO and object_type in ("gm", "uva", "gva"):
        event["aux_info"] = rng.choice(AUX_INFO[action])
    event["session"] = {"uuid": ctx.uuid(rng), "login_time": "", "device_uuid": ctx.uuid(rng).lower(), "ip": ip}
    event["location"] = ctx.location(ip)
    return event


def generate_audit(ctx: Context, count: int, seed: int, begin: datetime, days: int) -> list[Event]:
    """``count`` audit events (at least the forced ones) in ``[begin, begin + days)``, sorted by time.

    Three of the forced events come from sessions in embargoed countries; every twelfth event has no
    ``location`` (the API leaves it out for some events)."""
    rng = random.Random(seed)
    specs: list[tuple[str, str, str | None]] = [(a, o, None) for a, o in FORCED]
    specs += [("view", "report", ctx.risky_ips[0]), ("update", "vault", ctx.risky_ips[-1]),
              ("export", "vault", ctx.risky_ips[0])]
    while len(specs) < count:
        action, object_type = rng.choices(list(ROUTINE), weights=list(ROUTINE.values()))[0]
        specs.append((action, object_type, None))
    events = []
    for index, (action, object_type, ip) in enumerate(specs):
        event = _audit(rng, ctx, action, object_type, ip)
        offset = timedelta(seconds=rng.randrange(days * 86400), milliseconds=rng.randrange(1000))
        login = begin + offset - timedelta(minutes=rng.randint(1, 240))
        event["timestamp"] = ctx.format_time(begin + offset)
        event["session"]["login_time"] = ctx.format_time(max(login, begin))
        if index % 12 == 5:
            del event["location"]
        events.append(event)
    events.sort(key=lambda e: (e["timestamp"].replace("Z", ""), e["uuid"]))
    return events


def doc_audit_sample(ctx: Context) -> Event:
    """The audit event printed in Sumo's 1Password app documentation (a user joins a group), corrected: the
    stray colon in ``actor_details`` is gone and latitude/longitude are the right way round."""
    jack = {"uuid": "56YE2TYN2VFYRLNSHKPW5NVT5E", "name": "Jack O'Neill", "email": "jsmith@example.com"}
    wendy = {"uuid": "4HCGRGYCTRQFBMGVEGTABYDU2V", "name": "Wendy Appleseed",
             "email": "wendy.appleseed@example.com"}
    return {
        "uuid": "56YE2TYN2VFYRLNSHKPW5NVT5E", "timestamp": "2026-11-22T16:32:50-03:00",
        "actor_uuid": jack["uuid"], "actor_details": jack, "action": "join", "object_type": "gm",
        "object_uuid": "pf8soyakgngrphytsyjed4ae3u", "aux_id": 9277034, "aux_uuid": wendy["uuid"],
        "aux_details": wendy, "aux_info": "A",
        "session": {"uuid": "A5K6COGVRVEJXJW3XQZGS7VAMM", "login_time": "2026-11-22T16:30:02-03:00",
                    "device_uuid": "lc5fqgbrcm4plajd8mwncv2b3u", "ip": "13.227.95.22"},
        "location": ctx.location("13.227.95.22"),
    }


def edge_audit_samples(ctx: Context) -> list[Event]:
    """Audit events the app must not lose or miscount, at fixed times (with numeric UTC offsets):

    * six users enable two-factor authentication once each within ten minutes (an org-wide count of MFA
      changes would see six; no user changed theirs more than once);
    * events without the actor's name, without the actor's e-mail, without the object uuid, and without
      ``actor_details`` at all (all four are optional in what the API sends), one of them from an embargoed
      country."""
    rng = random.Random("edge-audit")
    events: list[Event] = []
    for index in range(6):
        event = _audit(rng, ctx, "enblmfa", "user", None)
        user = ctx.users[index]
        event.update(actor_uuid=user.uuid, actor_details=_person(user), object_uuid=user.uuid,
                     object_details=_person(user), timestamp=f"2026-11-23T11:{index + 30:02d}:00+01:00")
        event["session"].update(ip=user.ips[0], login_time=event["timestamp"])
        event["location"] = ctx.location(user.ips[0])
        events.append(event)
    gaps: list[tuple[str, str, str | None, str, str]] = [
        ("grant", "uva", None, "actor_details.email", "2026-11-23T21:05:00+05:30"),
        ("activate", "user", None, "actor_details.name", "2026-11-23T04:40:00-05:00"),
        ("enblsso", "sso", ctx.risky_ips[0], "object_uuid", "2026-11-23T06:10:00Z"),
        ("delete", "vault", None, "actor_details", "2026-11-23T13:20:00.500Z"),
    ]
    for action, object_type, ip, missing, time in gaps:
        event = _audit(rng, ctx, action, object_type, ip)
        event["timestamp"] = time
        event["session"]["login_time"] = time
        if missing.startswith("actor_details."):
            del event["actor_details"][missing.split(".", 1)[1]]
        else:
            del event[missing]
        events.append(event)
    return events


def is_mfa_change(event: Event) -> bool:
    return event.get("action") in MFA_ACTIONS
