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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_1password_audit import Context, doc_audit_sample, generate_audit  # noqa: E402

Event = dict[str, Any]

# --- value sets of the Events API (reference 1.4.1; `u2f_timout` is the 1.2.0 spelling) ---

SIGNIN_TYPES: dict[str, tuple[str, ...]] = {
    "success": ("credentials_ok", "mfa_ok", "federated"),
    "credentials_failed": ("password_secret_bad",),
    "mfa_failed": (
        "mfa_missing", "totp_bad", "totp_disabled", "totp_timeout", "u2f_bad", "u2f_disabled", "u2f_timeout",
        "u2f_timout", "duo_bad", "duo_disabled", "duo_native_bad", "duo_timeout", "code_bad", "code_disabled",
        "code_timeout", "platform_secret_bad", "platform_secret_disabled", "platform_secret_proxy",
    ),
    "sso_failed": ("service_account_sso_denied", "non_sso_user", "sso_user_mismatch"),
    "modern_version_failed": ("modern_version_missing", "modern_version_old"),
    "firewall_failed": (
        "ip_blocked", "continent_blocked", "country_blocked", "anonymous_blocked", "all_blocked",
    ),
    "firewall_reported_success": (
        "ip_blocked", "continent_blocked", "country_blocked", "anonymous_blocked", "all_blocked",
    ),
}
CATEGORY_WEIGHTS: dict[str, int] = {
    "success": 58, "credentials_failed": 13, "mfa_failed": 9, "sso_failed": 4,
    "modern_version_failed": 3, "firewall_failed": 8, "firewall_reported_success": 5,
}
ITEM_ACTIONS: dict[str, int] = {
    "fill": 30, "secure-copy": 22, "reveal": 15, "server-fetch": 8, "enter-item-edit-mode": 6,
    "server-update": 5, "server-create": 4, "export": 2, "share": 3, "select-sso-provider": 3, "other": 2,
}
SIGNIN_SHARE = 0.62  # fraction of sign-in attempts among generated events
_HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 9, 11, 12, 12, 10, 8, 6, 5, 4, 3, 3, 2)

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class Site:
    city: str
    region: str
    country: str  # location.country as real events carry it (name)
    country_code: str
    continent: str
    latitude: float
    longitude: float
    postal_code: str


SITES: dict[str, Site] = {
    "toronto": Site("Toronto", "Ontario", "Canada", "CA", "North America", 43.64, -79.433, "M5H"),
    "new_york": Site("New York", "New York", "United States", "US", "North America", 40.7128, -74.006,
                     "10001"),
    "san_francisco": Site("San Francisco", "California", "United States", "US", "North America", 37.7749,
                          -122.4194, "94103"),
    "london": Site("London", "England", "United Kingdom", "GB", "Europe", 51.5072, -0.1276, "EC1A"),
    "berlin": Site("Berlin", "Berlin", "Germany", "DE", "Europe", 52.52, 13.405, "10115"),
    "paris": Site("Paris", "Ile-de-France", "France", "FR", "Europe", 48.8566, 2.3522, "75001"),
    "amsterdam": Site("Amsterdam", "North Holland", "Netherlands", "NL", "Europe", 52.3676, 4.9041, "1012"),
    "linkoping": Site("Linkoping", "Ostergotland", "Sweden", "SE", "Europe", 58.4108, 15.6214, "582 22"),
    "sydney": Site("Sydney", "New South Wales", "Australia", "AU", "Oceania", -33.8688, 151.2093, "2000"),
    "tokyo": Site("Tokyo", "Tokyo", "Japan", "JP", "Asia", 35.6762, 139.6503, "100-0001"),
    "singapore": Site("Singapore", "Singapore", "Singapore", "SG", "Asia", 1.3521, 103.8198, "018956"),
    "mumbai": Site("Mumbai", "Maharashtra", "India", "IN", "Asia", 19.076, 72.8777, "400001"),
    "sao_paulo": Site("Sao Paulo", "Sao Paulo", "Brazil", "BR", "South America", -23.5558, -46.6396,
                      "01000-000"),
    "lagos": Site("Lagos", "Lagos", "Nigeria", "NG", "Africa", 6.5244, 3.3792, "100001"),
}

# IP -> site: users' networks and attacker infrastructure (RFC 5737 plus the two sample-event addresses).
IP_SITES: dict[str, str] = {
    "13.227.95.22": "toronto",
    "89.160.20.156": "linkoping",
    "192.0.2.10": "toronto", "192.0.2.11": "toronto",
    "192.0.2.20": "new_york", "192.0.2.21": "new_york",
    "192.0.2.30": "san_francisco", "192.0.2.31": "san_francisco", "192.0.2.32": "san_francisco",
    "192.0.2.40": "london", "192.0.2.41": "london",
    "192.0.2.50": "berlin", "192.0.2.51": "berlin",
    "192.0.2.60": "paris",
    "192.0.2.70": "amsterdam",
    "192.0.2.80": "sydney", "192.0.2.81": "sydney",
    "192.0.2.90": "tokyo",
    "192.0.2.100": "singapore",
    "192.0.2.110": "mumbai",
    # hotel / coffee-shop networks some users travel through (two are on the threat feed)
    "198.51.100.14": "amsterdam", "198.51.100.27": "singapore", "198.51.100.33": "paris",
    # attacker infrastructure
    "203.0.113.5": "sao_paulo", "203.0.113.17": "lagos", "203.0.113.42": "amsterdam",
    "203.0.113.66": "mumbai", "203.0.113.88": "singapore", "203.0.113.99": "tokyo",
    "203.0.113.120": "sao_paulo", "203.0.113.201": "lagos",
}

# IP -> (actor, threatlevel, labels); "" actor shows as "Unassigned" in the Threat Intel dashboard.
THREATS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "203.0.113.5": ("GRANITE HERON", "high",
                    ("Malware/CredentialStealer", "ThreatType/CredentialHarvesting")),
    "203.0.113.17": ("VELVET JACKAL", "high", ("ThreatType/Criminal", "KillChain/ActionOnObjectives")),
    "203.0.113.42": ("", "high", ("ThreatType/Proxy", "KillChain/Delivery")),
    "203.0.113.66": ("GRANITE HERON", "medium", ("ThreatType/Bruteforce",)),
    "203.0.113.88": ("", "medium", ("ThreatType/Scanner",)),
    "203.0.113.99": ("COPPER MOTH", "low", ("ThreatType/TorExitNode",)),
    "198.51.100.14": ("", "low", ("ThreatType/OpenProxy",)),
    "198.51.100.27": ("VELVET JACKAL", "medium", ("ThreatType/Compromised", "Malware/Infostealer")),
}
ATTACKER_IPS: tuple[str, ...] = tuple(ip for ip in IP_SITES if ip.startswith("203.0.113."))
# feed entries that carry no labels at all (the feed's labels are optional)
UNLABELLED_THREATS: dict[str, tuple[str, str]] = {"198.51.100.33": ("", "low")}


@dataclass(frozen=True)
class Client:
    app_name: str
    app_version: str
    platform_name: str
    platform_version: str
    os_name: str
    os_version: str


CLIENTS: dict[str, Client] = {
    "ext_chrome_mac": Client("1Password Browser Extension", "20127", "Chrome", "119.0.6045.159", "MacOSX",
                             "14.1.1"),
    "ext_chrome_win": Client("1Password Browser Extension", "20127", "Chrome", "119.0.6045.160", "Windows",
                             "10.0.22631"),
    "ext_firefox_linux": Client("1Password Browser Extension", "20126", "Firefox", "120.0", "Linux", "6.5.0"),
    "ext_edge_win": Client("1Password Browser Extension", "20127", "Edge", "119.0.2151.72", "Windows",
                           "10.0.19045"),
    "mac": Client("1Password for Mac", "81024034", "MacBookPro18,3", "arm64", "MacOSX", "14.1.1"),
    "windows": Client("1Password for Windows", "81024034", "Dell Latitude 7440", "x86_64", "Windows",
                      "10.0.22631"),
    "linux": Client("1Password for Linux", "81024034", "ThinkPad X1 Carbon", "x86_64", "Linux", "6.5.0"),
    "ios": Client("1Password for iOS", "81024031", "iPhone15,2", "arm64", "iOS", "17.1.1"),
    "android": Client("1Password for Android", "81024032", "Pixel 8", "arm64", "Android", "14"),
    "web_safari": Client("1Password for Web", "1557", "Safari", "17.1", "MacOSX", "14.1.1"),
    "cli": Client("1Password CLI", "2022001", "arm64", "Apple M2", "MacOSX", "14.1.1"),
    # clients an attacker drives, and one outdated client (modern_version_failed)
    "headless": Client("1Password for Web", "1557", "HeadlessChrome", "118.0.5993.70", "Linux", "5.15.0"),
    "old_ext": Client("1Password Extension", "4.7.5.90", "Chrome", "79.0.3945.130", "Windows", "6.1"),
}


@dataclass(frozen=True)
class User:
    name: str
    email: str
    uuid: str
    clients: tuple[str, ...]
    ips: tuple[str, ...]


USERS: tuple[User, ...] = (
    User("Wendy Appleseed", "wendy.appleseed@example.com", "4HCGRGYCTRQFBMGVEGTABYDU2V",
         ("mac", "ext_chrome_mac", "ios"), ("192.0.2.10", "198.51.100.14")),
    User("Jack O'Neill", "jsmith@example.com", "56YE2TYN2VFYRLNSHKPW5NVT5E",
         ("ext_chrome_win", "windows", "android"), ("13.227.95.22", "192.0.2.11", "89.160.20.156")),
    User("Priya Raman", "priya.raman@example.com", "ZRQCUD6A65AKHFETOUFO7NL4OM",
         ("ext_edge_win", "android", "web_safari"), ("192.0.2.110", "192.0.2.100", "198.51.100.27")),
    User("Lukas Brandt", "lukas.brandt@example.com", "GLF6WUEKS5CSNDJ2OG6TCZD3M4",
         ("linux", "ext_firefox_linux", "cli"), ("192.0.2.50", "192.0.2.51")),
    User("Amelie Laurent", "amelie.laurent@example.com", "K6VFYDCJKHGGDI7QFAXX65LCDY",
         ("mac", "ext_chrome_mac", "ios"), ("192.0.2.60", "192.0.2.70", "198.51.100.33")),
    User("Oliver Hughes", "oliver.hughes@example.com", "A5K6COGVRVEJXJW3XQZGS7VAMM",
         ("windows", "ext_chrome_win", "ios"), ("192.0.2.40", "192.0.2.41")),
    User("Mei Tanaka", "mei.tanaka@example.com", "QVWKEOEWXU2DIDHWTK6HGIF4TV",
         ("mac", "ios", "web_safari"), ("192.0.2.90",)),
    User("Daniel Reyes", "daniel.reyes@example.com", "HGIF4OEWXDTVWKEQDIWTKV26HU",
         ("ext_chrome_mac", "cli", "android"), ("192.0.2.30", "192.0.2.31", "192.0.2.32")),
    User("Chloe Nguyen", "chloe.nguyen@example.com", "UED4KFZ5BH37IQWTJ7LG4VPWK7",
         ("android", "ext_chrome_win"), ("192.0.2.80", "192.0.2.81")),
    User("Ethan Brooks", "ethan.brooks@example.com", "MCQODBBWJD5HISKYNP3HJPV2DV",
         ("windows", "ext_edge_win", "ios"), ("192.0.2.20", "192.0.2.21")),
)


# --- helpers ----------------------------------------------------------------------------------------------


def _uuid(rng: random.Random, lower: bool = False) -> str:
    bits = rng.getrandbits(130)
    text = "".join(_B32[(bits >> (5 * i)) & 31] for i in range(26))
    return text.lower() if lower else text


def _parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _format_time(value: datetime) -> str:
    """RFC 3339 in UTC; whole seconds or milliseconds, both forms occur in real events."""
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _client(name: str, ip: str) -> dict[str, str]:
    c = CLIENTS[name]
    return {
        "app_name": c.app_name, "app_version": c.app_version, "platform_name": c.platform_name,
        "platform_version": c.platform_version, "os_name": c.os_name, "os_version": c.os_version,
        "ip_address": ip,
    }


def _location(ip: str) -> dict[str, Any]:
    s = SITES[IP_SITES[ip]]
    return {"country": s.country, "region": s.region, "city": s.city, "latitude": s.latitude,
            "longitude": s.longitude}


def _details(kind: str, ip: str) -> dict[str, str] | None:
    site = SITES[IP_SITES[ip]]
    values = {
        "continent_blocked": site.continent, "country_blocked": site.country_code, "ip_blocked": ip,
        "anonymous_blocked": "anonymous", "all_blocked": "all",
    }
    return {"value": values[kind]} if kind in values else None


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


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
    category = spec.category or _pick(rng, CATEGORY_WEIGHTS)
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
        "uuid": _uuid(rng),
        "session_uuid": _uuid(rng),
        "timestamp": "",
        "category": category,
        "type": kind,
        "country": site.country_code,
        "details": _details(kind, ip) if category.startswith("firewall") else None,
        "target_user": {"uuid": user.uuid, "name": user.name, "email": user.email},
        "client": _client(client, ip),
        "location": _location(ip),
    }


_VAULTS: tuple[str, ...] = tuple(_uuid(random.Random(f"vault-{i}"), lower=True) for i in range(5))
_ITEMS: tuple[tuple[str, str], ...] = tuple(
    (_VAULTS[i % len(_VAULTS)], _uuid(random.Random(f"item-{i}"), lower=True)) for i in range(40)
)


def _item_usage(rng: random.Random, spec: _Spec) -> Event:
    user = USERS[spec.user] if spec.user is not None else rng.choice(USERS)
    ip = spec.ip or rng.choice(user.ips)
    action = spec.action or _pick(rng, ITEM_ACTIONS)
    client = rng.choice(user.clients)
    vault_uuid, item_uuid = rng.choice(_ITEMS)
    return {
        "uuid": _uuid(rng),
        "timestamp": "",
        "used_version": rng.randint(1, 24),
        "vault_uuid": vault_uuid,
        "item_uuid": item_uuid,
        "user": {"uuid": user.uuid, "name": user.name, "email": user.email},
        "client": _client(client, ip),
        "location": _location(ip),
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
    begin = _parse_time(start)
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
        hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
        offset = ((day * 24 + hour) * 3600 + rng.randrange(3600)) * 1000
        if rng.random() < 0.4:
            offset += rng.randrange(1000)  # some events carry milliseconds
        event["timestamp"] = _format_time(begin + timedelta(milliseconds=offset))
        events.append(event)
    events.sort(key=lambda e: (_parse_time(e["timestamp"]), e["uuid"]))
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
    return Context(USERS, _uuid, _location, _format_time, RISKY_IPS)


def generate_audits(count: int, seed: int = 1, start: str = "2026-11-22T00:00:00Z", days: int = 2) -> list[Event]:
    """``count`` audit events (at least the ~40 that cover every value the app reads), sorted by time."""
    if count < 0:
        raise ValueError("count must be >= 0")
    return generate_audit(audit_context(), count, seed, _parse_time(start), days) if count else []


def edge_samples() -> list[Event]:
    """Events with optional fields left out, as the API sends them: two sign-ins without ``location`` (one of
    them from a threat-feed IP), two item usages without ``action`` (one without ``location`` either)."""
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
    return events


def write_app_samples(app_dir: Path, count: int = SAMPLE_COUNT, seed: int = SAMPLE_SEED) -> list[Event]:
    """(Re)write the bundled app's samples and lookup stubs: ``samples/signin_attempts.jsonl``,
    ``samples/item_usages.jsonl``, ``samples/audit_events.jsonl``, ``tests/lookups/geo.jsonl`` and
    ``tests/lookups/threat_cs.jsonl``."""
    events = doc_samples() + generate(count, seed, "2026-11-22T00:00:00Z", 2) + edge_samples()
    audits = [doc_audit_sample(audit_context())] + generate_audits(AUDIT_COUNT, seed)
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
