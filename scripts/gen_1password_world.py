"""The world of the 1Password event generators: the Events API's value sets, the sites (with the lookup rows of
their IPs), the clients and the users, and how one event's client, location and details are written.

Shared by ``gen_1password_events.py`` and, through its ``Context``, ``gen_1password_audit.py``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

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
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 9, 11, 12, 12, 10, 8, 6, 5, 4, 3, 3, 2)

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


# --- values of one event ---------------------------------------------------------------------------------


def new_uuid(rng: random.Random, lower: bool = False) -> str:
    bits = rng.getrandbits(130)
    text = "".join(_B32[(bits >> (5 * i)) & 31] for i in range(26))
    return text.lower() if lower else text


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def format_time(value: datetime) -> str:
    """RFC 3339 in UTC; whole seconds or milliseconds, both forms occur in real events."""
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def client_of(name: str, ip: str) -> dict[str, str]:
    c = CLIENTS[name]
    return {
        "app_name": c.app_name, "app_version": c.app_version, "platform_name": c.platform_name,
        "platform_version": c.platform_version, "os_name": c.os_name, "os_version": c.os_version,
        "ip_address": ip,
    }


def location_of(ip: str) -> dict[str, Any]:
    s = SITES[IP_SITES[ip]]
    return {"country": s.country, "region": s.region, "city": s.city, "latitude": s.latitude,
            "longitude": s.longitude}


def details_of(kind: str, ip: str) -> dict[str, str] | None:
    site = SITES[IP_SITES[ip]]
    values = {
        "continent_blocked": site.continent, "country_blocked": site.country_code, "ip_blocked": ip,
        "anonymous_blocked": "anonymous", "all_blocked": "all",
    }
    return {"value": values[kind]} if kind in values else None


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]
