"""Deterministic generator of realistic 1Password Events API objects (sign-in attempts, item usages and,
through ``gen_1password_audit``, audit events).

The events are the JSON bodies the Sumo Cloud-to-Cloud 1Password source stores as ``_raw``: pure API
objects with the real field names (``client.ip_address``, ``location.{country,region,city,latitude,
longitude}``). Every IP the generator can emit has a row in :func:`geo_table`; a fixed subset has a row in
:func:`threat_table` (the stub of ``sumo://threat/cs``). All IPs are from the documentation ranges
(RFC 5737) except the two addresses that appear in the vendors' own sample events.

Usage::

    python scripts/gen_1password_events.py --count 1000 --seed 7 --start 2026-11-22T00:00:00Z \\
        --days 2 --audit 200 -o out.jsonl

or, from Python, ``generate(count, seed, start, days)``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_1password_audit import Context, doc_audit_sample, edge_audit_samples, generate_audit  # noqa: E402
from gen_1password_world import (  # noqa: E402
    ATTACKER_IPS,
    CATEGORY_WEIGHTS,
    HOUR_WEIGHTS,
    IP_SITES,
    ITEM_ACTIONS,
    SIGNIN_SHARE,
    SIGNIN_TYPES,
    SITES,
    THREATS,
    UNLABELLED_THREATS,
    USERS,
    Event,
    client_of,
    details_of,
    format_time,
    location_of,
    new_uuid,
    parse_time,
    pick,
)


@dataclass(frozen=True)
class _Spec:
    """What to generate for one event; None fields are drawn at random."""

    kind: str  # "signin" or "item"
    category: str | None = None
    type: str | None = None
    action: str | None = None
    ip: str | None = None
    user: int | None = None


def _coverage_specs() -> list[_Spec]:
    """Events forced first so that even a small sample covers every value and every threat IP."""
    specs: list[_Spec] = []
    for category, types in SIGNIN_TYPES.items():
        for kind in types:
            specs.append(_Spec("signin", category, kind))
    for action in ITEM_ACTIONS:
        specs.append(_Spec("item", action=action))
    for ip, (_actor, level, _labels) in THREATS.items():
        specs.append(_Spec("signin", "credentials_failed", "password_secret_bad", ip=ip))
        if level == "high":
            specs.append(_Spec("signin", "success", "credentials_ok", ip=ip))
    # users whose travel networks are on the threat feed use items from there
    for user_index, user in enumerate(USERS):
        for ip in user.ips:
            if ip in THREATS:
                specs.append(_Spec("signin", "success", "mfa_ok", ip=ip, user=user_index))
                specs.append(_Spec("item", action="fill", ip=ip, user=user_index))
                specs.append(_Spec("item", action="reveal", ip=ip, user=user_index))
    return specs


def _signin(rng: random.Random, spec: _Spec) -> Event:
    category = spec.category or pick(rng, CATEGORY_WEIGHTS)
    kind = spec.type or rng.choice([t for t in SIGNIN_TYPES[category] if t != "u2f_timout"])
    user = USERS[spec.user] if spec.user is not None else rng.choice(USERS)
    attack = category in ("credentials_failed", "firewall_failed", "sso_failed") and rng.random() < 0.45
    if spec.ip:
        ip = spec.ip
    elif attack or (category == "firewall_reported_success" and rng.random() < 0.5):
        ip = rng.choice(ATTACKER_IPS)
    else:
        ip = rng.choice(user.ips)
    if category == "modern_version_failed":
        client = "old_ext"
    elif ip in ATTACKER_IPS and ip not in user.ips:
        client = rng.choice(("headless", "ext_chrome_win", "web_safari"))
    else:
        client = rng.choice(user.clients)
    site = SITES[IP_SITES[ip]]
    return {
        "uuid": new_uuid(rng),
        "session_uuid": new_uuid(rng),
        "timestamp": "",
        "category": category,
        "type": kind,
        "country": site.country_code,
        "details": details_of(kind, ip) if category.startswith("firewall") else None,
        "target_user": {"uuid": user.uuid, "name": user.name, "email": user.email},
        "client": client_of(client, ip),
        "location": location_of(ip),
    }


_VAULTS: tuple[str, ...] = tuple(new_uuid(random.Random(f"vault-{i}"), lower=True) for i in range(5))
_ITEMS: tuple[tuple[str, str], ...] = tuple(
    (_VAULTS[i % len(_VAULTS)], new_uuid(random.Random(f"item-{i}"), lower=True)) for i in range(40)
)


def _item_usage(rng: random.Random, spec: _Spec) -> Event:
    user = USERS[spec.user] if spec.user is not None else rng.choice(USERS)
    ip = spec.ip or rng.choice(user.ips)
    action = spec.action or pick(rng, ITEM_ACTIONS)
    client = rng.choice(user.clients)
    vault_uuid, item_uuid = rng.choice(_ITEMS)
    return {
        "uuid": new_uuid(rng),
        "timestamp": "",
        "used_version": rng.randint(1, 24),
        "vault_uuid": vault_uuid,
        "item_uuid": item_uuid,
        "user": {"uuid": user.uuid, "name": user.name, "email": user.email},
        "client": client_of(client, ip),
        "location": location_of(ip),
        "action": action,
    }


# --- public API -------------------------------------------------------------------------------------------


def generate(count: int, seed: int = 1, start: str = "2026-11-22T00:00:00Z", days: int = 2) -> list[Event]:
    """``count`` events (sign-in attempts and item usages) with timestamps in ``[start, start + days)``,
    sorted by time. The same arguments always give the same events. The first events drawn cover every sign-in
    category/type, every item-usage action and every threat-feed IP: ``count >= 65`` covers them all."""
    if count < 0:
        raise ValueError("count must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    rng = random.Random(seed)
    begin = parse_time(start)
    forced = _coverage_specs()
    events: list[Event] = []
    for i in range(count):
        if i < len(forced):
            spec = forced[i]
        else:
            spec = _Spec("signin" if rng.random() < SIGNIN_SHARE else "item")
        event = _signin(rng, spec) if spec.kind == "signin" else _item_usage(rng, spec)
        # working hours are busier; attackers push their attempts into the last day of the window
        day = rng.randrange(days)
        if event["client"]["ip_address"] in ATTACKER_IPS and rng.random() < 0.5:
            day = days - 1
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        offset = ((day * 24 + hour) * 3600 + rng.randrange(3600)) * 1000
        if rng.random() < 0.4:
            offset += rng.randrange(1000)  # some events carry milliseconds
        event["timestamp"] = format_time(begin + timedelta(milliseconds=offset))
        events.append(event)
    events.sort(key=lambda e: (parse_time(e["timestamp"]), e["uuid"]))
    return events


def geo_table(ips: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows of the ``geo://location`` stub, one per IP (all generator IPs, or only ``ips``)."""
    wanted = set(ips) if ips is not None else None
    rows: list[dict[str, Any]] = []
    for ip, site_key in IP_SITES.items():
        if wanted is not None and ip not in wanted:
            continue
        s = SITES[site_key]
        rows.append({
            "ip": ip, "latitude": s.latitude, "longitude": s.longitude, "country_code": s.country_code,
            "country_name": s.country, "region": s.region, "city": s.city, "postal_code": s.postal_code,
        })
    return rows


def threat_table() -> list[dict[str, str]]:
    """Rows of the ``sumo://threat/cs`` stub: indicator, type, actor, threat level and the raw JSON."""
    rows: list[dict[str, str]] = []
    for ip, (actor, level, labels) in THREATS.items():
        raw = {"indicator": ip, "type": "ip_address", "malicious_confidence": level,
               "actors": [actor] if actor else [], "labels": [{"name": label} for label in labels]}
        rows.append({"threat": ip, "type": "ip_address", "actor": actor, "threatlevel": level,
                     "raw": json.dumps(raw, separators=(",", ":"))})
    for ip, (actor, level) in UNLABELLED_THREATS.items():
        raw = {"indicator": ip, "type": "ip_address", "malicious_confidence": level, "actors": []}
        rows.append({"threat": ip, "type": "ip_address", "actor": actor, "threatlevel": level,
                     "raw": json.dumps(raw, separators=(",", ":"))})
    return rows


def doc_samples() -> list[Event]:
    """The sign-in attempt and item usage printed in the Sumo 1Password app documentation, corrected: the
    client IP is ``client.ip_address`` (the doc prints ``client.ip``), ``location`` is added with latitude and
    longitude the right way round, a placeholder ``platform_version`` is filled in, and the timestamps are
    moved into the sample window (numeric UTC offsets kept)."""
    client = {
        "app_name": "1Password Extension", "app_version": "20127", "platform_name": "Chrome",
        "platform_version": "119.0.6045.159", "os_name": "MacOSX", "os_version": "10.15.6",
        "ip_address": "13.227.95.22",
    }
    location = {"country": "Canada", "region": "Ontario", "city": "Toronto", "latitude": 43.64,
                "longitude": -79.433}
    user = {"uuid": "56YE2TYN2VFYRLNSHKPW5NVT5E", "name": "Jack O'Neill", "email": "jsmith@example.com"}
    signin: Event = {
        "uuid": "56YE2TYN2VFYRLNSHKPW5NVT5E", "session_uuid": "56YE2TYN2VFYRLNSHKPW5NVT5E",
        "timestamp": "2026-11-22T16:32:50-03:00", "category": "firewall_failed", "type": "continent_blocked",
        "country": "France", "details": {"value": "Europe"}, "target_user": dict(user),
        "client": dict(client), "location": dict(location),
    }
    item: Event = {
        "uuid": "QZ4N7SKDWRFGHJ3XLMPV5TYB2E", "timestamp": "2026-11-23T09:15:27-03:00", "used_version": 123,
        "vault_uuid": "jaqxqf5qylslqiitnduawrndc5", "item_uuid": "bvwmmwxisuca7wbehrbyqhag54",
        "user": dict(user), "client": dict(client), "location": dict(location), "action": "secure-copy",
    }
    return [signin, item]


SAMPLE_COUNT = 400
SAMPLE_SEED = 20261122
AUDIT_COUNT = 120
RISKY_IPS: tuple[str, ...] = ("203.0.113.17", "203.0.113.201")  # Lagos, Nigeria (an embargoed country)


def audit_context() -> Context:
    return Context(USERS, new_uuid, location_of, format_time, RISKY_IPS)


def generate_audits(count: int, seed: int = 1, start: str = "2026-11-22T00:00:00Z", days: int = 2) -> list[Event]:
    """``count`` audit events (at least the ~40 that cover every value the app reads), sorted by time."""
    if count < 0:
        raise ValueError("count must be >= 0")
    return generate_audit(audit_context(), count, seed, parse_time(start), days) if count else []


def edge_samples() -> list[Event]:
    """Events with optional fields left out, as the API sends them: two sign-ins without ``location`` (one of
    them from a threat-feed IP), two item usages without ``action`` (one without ``location`` either).

    Then sign-ins the monitors and tables must tell apart: Oliver Hughes (who otherwise signs in from London
    only) passes the firewall in report mode (``firewall_reported_success``) from Paris within the hour of a
    London sign-in; three failed sign-ins within a minute carry ``Z``, ``+02:00`` and ``-03:00`` offsets, so
    that their text order and time order differ."""
    rng = random.Random("edge-cases")
    events = [_signin(rng, _Spec("signin", "success", "credentials_ok", user=0)),
              _signin(rng, _Spec("signin", "credentials_failed", "password_secret_bad", ip="203.0.113.5", user=6)),
              _item_usage(rng, _Spec("item", action="fill", user=1)),
              _item_usage(rng, _Spec("item", action="fill", user=3))]
    for event, time in zip(events, ("2026-11-22T10:11:12Z", "2026-11-23T03:04:05Z", "2026-11-22T14:15:16Z",
                                    "2026-11-23T08:09:10.250Z"), strict=True):
        event["timestamp"] = time
    del events[0]["location"], events[1]["location"], events[2]["action"], events[3]["action"]
    del events[3]["location"]
    timed = [(_Spec("signin", "firewall_reported_success", "country_blocked", ip="192.0.2.60", user=5),
              "2026-11-22T08:50:00+01:00"),
             (_Spec("signin", "credentials_failed", "password_secret_bad", user=8), "2026-11-23T19:33:30Z"),
             (_Spec("signin", "mfa_failed", "totp_bad", user=9), "2026-11-23T21:33:00+02:00"),
             (_Spec("signin", "sso_failed", "non_sso_user", user=2), "2026-11-23T16:32:50-03:00")]
    for spec, time in timed:
        event = _signin(rng, spec)
        event["timestamp"] = time
        events.append(event)
    return events


def write_app_samples(app_dir: Path, count: int = SAMPLE_COUNT, seed: int = SAMPLE_SEED) -> list[Event]:
    """(Re)write the bundled app's samples and lookup stubs: ``samples/signin_attempts.jsonl``,
    ``samples/item_usages.jsonl``, ``samples/audit_events.jsonl``, ``tests/lookups/geo.jsonl`` and
    ``tests/lookups/threat_cs.jsonl``."""
    events = doc_samples() + generate(count, seed, "2026-11-22T00:00:00Z", 2) + edge_samples()
    audits = [doc_audit_sample(audit_context())] + generate_audits(AUDIT_COUNT, seed) + \
        edge_audit_samples(audit_context())
    (app_dir / "samples").mkdir(parents=True, exist_ok=True)
    (app_dir / "tests" / "lookups").mkdir(parents=True, exist_ok=True)
    write_jsonl((e for e in events if "target_user" in e), app_dir / "samples" / "signin_attempts.jsonl")
    write_jsonl((e for e in events if "target_user" not in e), app_dir / "samples" / "item_usages.jsonl")
    write_jsonl(audits, app_dir / "samples" / "audit_events.jsonl")
    write_jsonl(geo_table(event_ips(events + audits)), app_dir / "tests" / "lookups" / "geo.jsonl")
    write_jsonl(threat_table(), app_dir / "tests" / "lookups" / "threat_cs.jsonl")
    return events


def event_ips(events: Iterable[Event]) -> set[str]:
    """Client IPs of sign-ins and item usages, session IPs of audit events."""
    return {e["client"]["ip_address"] if "client" in e else e["session"]["ip"] for e in events
            if "client" in e or "session" in e}


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="number of events (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--start", default="2026-11-22T00:00:00Z", help="RFC 3339 start of the time window")
    parser.add_argument("--days", type=int, default=2, help="length of the time window in days (default 2)")
    parser.add_argument("--audit", type=int, default=0, help="also generate this many audit events (default 0)")
    parser.add_argument("-o", "--output", type=Path, help="events file (JSON lines); stdout when absent")
    parser.add_argument("--geo", type=Path, help="also write the geo lookup rows for the events' IPs")
    parser.add_argument("--threat", type=Path, help="also write the threat-intel lookup rows")
    parser.add_argument("--app-dir", type=Path,
                        help="instead, rewrite the bundled samples and lookups of this app directory "
                             f"({SAMPLE_COUNT} events, seed {SAMPLE_SEED}, plus the documentation samples)")
    args = parser.parse_args(argv)
    if args.app_dir is not None:
        write_app_samples(args.app_dir)
        return 0
    try:
        events = generate(args.count, args.seed, args.start, args.days)
        events += generate_audits(args.audit, args.seed, args.start, args.days)
    except ValueError as exc:
        parser.error(str(exc))
    if args.output is None:
        for event in events:
            sys.stdout.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        write_jsonl(events, args.output)
    if args.geo is not None:
        write_jsonl(geo_table(event_ips(events)), args.geo)
    if args.threat is not None:
        write_jsonl(threat_table(), args.threat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
