"""Tests of the bundled 1Password app definition itself: its YAML against the schemas, the dashboards'
panels, variables and queries, the sample events and lookup stubs, and the sample-event generator."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from appbuilder.model import Parameter
from appbuilder.parameters import check_value

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app_definitions" / "1password"
SCHEMAS = ROOT / "appbuilder" / "schemas"
GENERATOR = ROOT / "scripts" / "gen_1password_events.py"

DASHBOARD_FILES = ["overview", "successful_signins", "failed_signins", "threat_intel", "item_usage"]
PANEL_COUNTS = {"overview": 7, "successful_signins": 9, "failed_signins": 9, "threat_intel": 6, "item_usage": 4}
SIGNIN_VARIABLES = {"category", "type", "country", "city", "target_user_name", "client_app_name",
                    "client_platform", "client_os"}
DASHBOARD_VARIABLES = {
    "overview": SIGNIN_VARIABLES,
    "successful_signins": SIGNIN_VARIABLES,
    "failed_signins": SIGNIN_VARIABLES,
    "threat_intel": SIGNIN_VARIABLES | {"malicious_confidence"},
    "item_usage": {"action"},
}
PANEL_TITLES = {
    "overview": {"Failed Sign In Events", "Geolocation of Clients", "One Day Time Comparison",
                 "Sign In Events by Category", "Sign In Events by Category Over Time", "Sign In Events by Type",
                 "Sign In Events by Type Over Time"},
    "successful_signins": {"Breakdown by Client App", "Breakdown by Client OS",
                           "Breakdown by Country, Region, City", "Geolocation of Clients",
                           "Outlier - Sign-in Events", "Sign-in Events - One Day Time Comparison",
                           "Sign-in Events Over Time", "Sign-in Summary", "Top 10 Active Users"},
    "failed_signins": {"Breakdown by Client App", "Breakdown by Client OS", "Breakdown by Country, Region, City",
                       "Geolocation of Clients", "Outlier - Failed Sign-ins",
                       "Sign-in Events - One Day Time Comparison", "Sign-in Events Over Time", "Sign-in Summary",
                       "Top 10 Active Users"},
    "threat_intel": {"Highly Malicious Threat Table", "Threat by Actors", "Threat by Malicious Confidence",
                     "Threat Count", "Threat Locations", "Threat Table"},
    "item_usage": {"Breakdown by Action", "Geolocation of Clients", "Item Usage Summary",
                   "Threat Intel - Item Usage Clients"},
}

# Events API value sets (reference 1.4.1); `u2f_timout` is the 1.2.0 spelling and is also accepted.
CATEGORIES = {"success", "credentials_failed", "mfa_failed", "sso_failed", "modern_version_failed",
              "firewall_failed", "firewall_reported_success"}
TYPES = {"all_blocked", "anonymous_blocked", "code_bad", "code_disabled", "code_timeout", "continent_blocked",
         "country_blocked", "credentials_ok", "duo_bad", "duo_disabled", "duo_native_bad", "duo_timeout",
         "federated", "ip_blocked", "mfa_missing", "mfa_ok", "modern_version_missing", "modern_version_old",
         "non_sso_user", "password_secret_bad", "platform_secret_bad", "platform_secret_disabled",
         "platform_secret_proxy", "service_account_sso_denied", "sso_user_mismatch", "totp_bad",
         "totp_disabled", "totp_timeout", "u2f_bad", "u2f_disabled", "u2f_timeout"}
ACTIONS = {"enter-item-edit-mode", "export", "fill", "other", "reveal", "secure-copy", "select-sso-provider",
           "server-create", "server-fetch", "server-update", "share"}

# Defects of the catalog app's queries that must not come back.
DEFECT_STRINGS = ["country_coude", "categhory", "user_agent", "{{_sourceCategory}}", "matches  ",
                  '"client.ip"', "Labs/onepassword"]
SCOPE = "_sourceCategory=${source_category}"


# --- loading helpers --------------------------------------------------------------------------------------


def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


@cache
def load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return _yaml().load(fh)


def dashboard(slug: str) -> dict[str, Any]:
    data = load(APP / "dashboards" / f"{slug}.yaml")
    assert isinstance(data, dict)
    return data


def yaml_files() -> list[tuple[Path, str]]:
    files = [(APP / "app.yaml", "app"), (APP / "source.yaml", "source"), (APP / "queries.yaml", "queries")]
    files += [(p, "dashboard") for p in sorted((APP / "dashboards").glob("*.yaml"))]
    files += [(p, "tests") for p in sorted((APP / "tests").glob("*.yaml"))]
    return files


def panel_queries() -> Iterator[tuple[str, str, str]]:
    """(dashboard slug, panel id, query) for every panel."""
    for slug in DASHBOARD_FILES:
        for panel in dashboard(slug)["panels"]:
            yield slug, panel["id"], panel["query"]


def all_queries() -> Iterator[tuple[str, str]]:
    """(label, query) for every query of the app: panels, dashboard variables and saved searches."""
    for slug, panel_id, query in panel_queries():
        yield f"{slug}/{panel_id}", query
    for slug in DASHBOARD_FILES:
        for var in dashboard(slug).get("variables", []):
            yield f"{slug}/variable:{var['name']}", var["fromQuery"]["query"]
    for q in load(APP / "queries.yaml")["queries"]:
        yield f"query:{q['id']}", q["query"]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{number}: blank line"
        rows.append(json.loads(line))
    return rows


@cache
def sample_events() -> tuple[dict[str, Any], ...]:
    events: list[dict[str, Any]] = []
    for path in sorted((APP / "samples").glob("*.jsonl")):
        events.extend(read_jsonl(path))
    return tuple(events)


def signins() -> list[dict[str, Any]]:
    return [e for e in sample_events() if "target_user" in e]


def item_usages() -> list[dict[str, Any]]:
    return [e for e in sample_events() if "item_uuid" in e]


@cache
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_1password_events", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def parse_time(text: str) -> datetime:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)", text), text
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00"))


# --- query text helpers -----------------------------------------------------------------------------------


def split_strings(line: str) -> tuple[str, list[str]]:
    """The line with every double-quoted string replaced by "", and the strings' contents."""
    strings: list[str] = []

    def keep(match: re.Match[str]) -> str:
        strings.append(match.group(1))
        return '""'

    return re.sub(r'"((?:\\.|[^"\\])*)"', keep, line), strings


def segments(query: str) -> list[str]:
    """The query's operators, one per line after the scope line."""
    return [line.strip()[1:].strip() for line in query.splitlines()[1:] if line.strip()]


def json_operators(query: str) -> list[tuple[list[str], list[str], str]]:
    """(keys, aliases, options) of every ``json`` operator."""
    found = []
    for seg in segments(query):
        if not seg.startswith("json"):
            continue
        bare, keys = split_strings(seg)
        match = re.fullmatch(r'json\s*(field=\w+)?\s*[",\s]*\bas\b\s+(.*?)(\s+nodrop)?', bare)
        assert match, f"unexpected json form: {seg}"
        aliases = [a.strip() for a in match.group(2).split(",")]
        found.append((keys, aliases, match.group(1) or ""))
    return found


AGGREGATE_OUTPUT = {"count": "_count"}


def check_field_flow(query: str) -> list[str]:
    """Fields a query reads before any operator defines them (a light model of the operators used here)."""
    defined: set[str] = {"_raw", "_messageTime", "_sourceCategory"}
    problems: list[str] = []

    def need(names: list[str], seg: str) -> None:
        for name in names:
            if name and name not in defined:
                problems.append(f"{name!r} used before definition in `{seg}`")

    for seg in segments(query):
        bare, _ = split_strings(seg)
        words = bare.split()
        op = words[0] if words else ""
        if op == "json":
            keys, aliases, options = json_operators("x\n| " + seg)[0]
            if options:
                need([options.split("=", 1)[1]], seg)
            defined.update(aliases)
        elif op == "lookup":
            m = re.fullmatch(r"lookup (.*?) from \S+ on (\w+)\s*=\s*(\w+)", bare)
            assert m, seg
            need([m.group(3)], seg)
            for column in m.group(1).split(","):
                defined.add(column.split(" as ")[-1].strip())
        elif op == "timeslice":
            defined.add("_timeslice")
        elif op == "count":
            m = re.fullmatch(r"count(?: as (\w+))?(?: by (.*))?", bare)
            assert m, seg
            groups = [g.strip() for g in (m.group(2) or "").split(",") if g.strip()]
            need(groups, seg)
            defined.clear()
            defined.update(groups)
            defined.add(m.group(1) or "_count")
        elif op in ("sort", "limit"):
            need([w.strip(",+") for w in words[1:] if w not in ("by", "asc", "desc") and not w.isdigit()], seg)
        elif op == "transpose":
            m = re.fullmatch(r"transpose row (\w+) column (\w+)", bare)
            assert m, seg
            need([m.group(1), m.group(2)], seg)
        elif op == "outlier":
            need([words[1]], seg)
        elif op == "compare":
            pass
        elif op == "where":
            need(re.findall(r"\b([A-Za-z_]\w*)\s+(?:matches|in)\b", bare), seg)
            need(re.findall(r"\b([A-Za-z_]\w*)\s*(?:!?=)", bare), seg)
            need(re.findall(r"is(?:Null|Blank|Empty)\((\w+)\)", bare), seg)
        elif re.search(r"\bas (\w+)$", bare):
            m = re.fullmatch(r"(?:if|replace)\((.*)\) as (\w+)", bare)
            assert m, f"unexpected expression: {seg}"
            args = [a.strip() for a in m.group(1).split(",")]
            refs = [a for a in args if re.fullmatch(r"[A-Za-z_]\w*", a)]
            need(refs + re.findall(r"is(?:Null|Empty|Blank)\((\w+)\)", bare), seg)
            defined.add(m.group(2))
        else:
            problems.append(f"operator not modelled by this test: `{seg}`")
    return problems


# --- the YAML files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "kind"), yaml_files(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_yaml_validates_against_its_schema(path: Path, kind: str) -> None:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(load(path)), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.mark.parametrize(("path", "kind"), yaml_files(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_yaml_starts_with_schema_comment_that_resolves(path: Path, kind: str) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    assert (path.parent / match.group(1)).resolve() == (SCHEMAS / f"{kind}.schema.json").resolve()


def test_manifest() -> None:
    app = load(APP / "app.yaml")
    assert app["name"] == "1Password"
    assert app["version"] == "1.0.0"
    assert len(app["description"]) <= 255
    assert app["logTypes"] == ["Sign-in Events", "Item Usage"]
    assert app["dashboards"] == [f"dashboards/{slug}.yaml" for slug in DASHBOARD_FILES]
    for ref in [app["source"], app["queries"], *app["dashboards"]]:
        assert (APP / ref).is_file(), ref
    assert sorted(APP.glob(app["samples"][0])), "the samples glob matches no file"


def test_source_category_parameter_pattern() -> None:
    (param,) = load(APP / "app.yaml")["parameters"]
    assert param["name"] == "source_category" and param["default"] == "1pw" and param["description"]
    parameter = Parameter(param["name"], param["default"], pattern=param["pattern"])
    for good in ["1pw", "Labs/onepassword", "prod/security/1password", "sec_1pw-events.v2"]:
        assert check_value(parameter, good, "--param") is None, good
    for bad in ["", "1pw action", "*", 'a"b', "a|b", "{{x}}", "x" * 1025]:  # 1025: over the length limit
        assert check_value(parameter, bad, "--param"), bad


def test_source() -> None:
    src = load(APP / "source.yaml")["source"]
    assert src["type"] == "1Password" and src["category"] == "${source_category}"
    assert src["baseUrl"] == "events.1password.com"
    assert src["apis"] == ["sign-in", "itemUsage"]
    assert src["tokenEnv"] == "ONEPASSWORD_EVENTS_TOKEN"
    assert src["fields"] == {"_siemForward": False}
    for path, _ in yaml_files():  # no secret of any kind in the definition
        assert not re.search(r"eyJ[\w-]{10,}|api_?token\s*:", path.read_text(encoding="utf-8"), re.I), path


def test_saved_searches() -> None:
    queries = load(APP / "queries.yaml")["queries"]
    assert {q["name"] for q in queries if q.get("savedSearch")} == {
        "1Password - Successful Sign-in", "1Password - Failed Sign-in", "1Password - Item Usage Events"}
    names = [q["name"] for q in queries if q.get("savedSearch")] + [dashboard(s)["title"] for s in DASHBOARD_FILES]
    assert len(names) == len(set(names)), "saved searches and dashboards share the folder: names must differ"
    for q in queries:
        declared = {v["name"] for v in q.get("variables", [])}
        used = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", q["query"]))
        assert used <= declared, f"{q['id']}: saved search uses undeclared {used - declared}"
        assert q["query"].splitlines()[0].startswith(SCOPE)


# --- dashboards -------------------------------------------------------------------------------------------


def test_panel_counts_and_titles() -> None:
    counts = {slug: len(dashboard(slug)["panels"]) for slug in DASHBOARD_FILES}
    assert counts == PANEL_COUNTS
    assert sum(counts.values()) == 35
    for slug in DASHBOARD_FILES:
        titles = [p["title"] for p in dashboard(slug)["panels"]]
        assert len(set(titles)) == len(titles), f"{slug}: duplicate panel titles"
        assert set(titles) == PANEL_TITLES[slug]
    assert [dashboard(s)["title"] for s in DASHBOARD_FILES] == [
        "1Password - Overview", "1Password - Successful Sign-ins", "1Password - Failed Sign-ins",
        "1Password - Threat Intel", "1Password - Item Usage"]


@pytest.mark.parametrize("slug", DASHBOARD_FILES)
def test_variables_declared_and_used(slug: str) -> None:
    data = dashboard(slug)
    declared = [v["name"] for v in data.get("variables", [])]
    assert len(declared) == len(set(declared))
    assert set(declared) == DASHBOARD_VARIABLES[slug]
    used: set[str] = set()
    for panel in data["panels"]:
        used |= set(re.findall(r"\{\{\s*(\w+)\s*\}\}", panel["query"] + panel["title"]))
    assert used == set(declared), f"used but undeclared {used - set(declared)}, unused {set(declared) - used}"
    for var in data["variables"]:
        assert var.get("default", "*") == "*"
        source = var["fromQuery"]
        assert source["query"].startswith(SCOPE)
        assert "{{" not in source["query"], "variable queries must not depend on other variables"
        aliases = {a for _, names, _ in json_operators(source["query"]) for a in names}
        outputs = aliases | {"malicious_confidence"} if "sumo://threat/cs" in source["query"] else aliases
        assert source["field"] in outputs and re.search(rf"count by {source['field']}$", source["query"])


@pytest.mark.parametrize("slug", DASHBOARD_FILES)
def test_layout_fits_the_grid_without_overlaps(slug: str) -> None:
    rects = []
    for panel in dashboard(slug)["panels"]:
        assert "position" in panel, f"{panel['id']}: every panel is placed explicitly"
        x, y = panel["position"]["x"], panel["position"]["y"]
        w, h = panel.get("width", 12), panel.get("height", 8)
        assert x + w <= 24, f"{panel['id']} goes beyond column 24"
        rects.append((panel["id"], x, y, w, h))
    for i, (a, ax, ay, aw, ah) in enumerate(rects):
        for b, bx, by, bw, bh in rects[i + 1:]:
            assert not (ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah), f"{a} overlaps {b}"


@pytest.mark.parametrize("slug", DASHBOARD_FILES)
def test_chart_types_fit_the_results(slug: str) -> None:
    for panel in dashboard(slug)["panels"]:
        ops = segments(panel["query"])
        aggregate = next(op for op in ops if op.startswith("count"))
        if panel["chart"] == "map":
            assert aggregate.startswith("count by latitude, longitude"), panel["id"]
        if any(op.startswith("transpose") for op in ops):
            assert panel["chart"] in ("line", "area", "column"), panel["id"]
        if any(op.startswith("outlier") for op in ops):
            assert panel["chart"] == "line", panel["id"]
        if any(op.startswith("compare") for op in ops):
            assert panel["chart"] == "table", panel["id"]
        if panel["chart"] == "svp":
            assert aggregate == "count", panel["id"]
        if panel["title"].startswith(("Geolocation", "Threat Locations")):
            assert panel["chart"] == "map", panel["id"]


@pytest.mark.parametrize(("label", "query"), list(all_queries()), ids=lambda v: v if "\n" not in v else "")
def test_query_has_no_known_defect(label: str, query: str) -> None:
    for defect in DEFECT_STRINGS:
        assert defect not in query, f"{label}: contains {defect!r}"
    lines = query.splitlines()
    assert lines[0] in (SCOPE, f"{SCOPE} action"), f"{label}: scope is {lines[0]!r}"
    for line in lines[1:]:
        bare, _ = split_strings(line)
        assert bare.lstrip().startswith("| "), f"{label}: operator not on its own line: {line!r}"
        assert "|" not in bare.lstrip()[1:], f"{label}: two operators glued on one line: {line!r}"
    for match in re.finditer(r"\{\{\s*\w+\s*\}\}", query):
        before = query[: match.start()]
        assert before.endswith(' matches "') and query[match.end()] == '"', f"{label}: {match.group(0)} usage"


@pytest.mark.parametrize(("label", "query"), list(all_queries()), ids=lambda v: v if "\n" not in v else "")
def test_query_fields_are_defined_and_real(label: str, query: str) -> None:
    item_scope = query.splitlines()[0].endswith(" action")
    events = item_usages() if item_scope else signins()
    for keys, aliases, options in json_operators(query):
        assert len(keys) == len(aliases), f"{label}: {len(keys)} json keys but {len(aliases)} aliases"
        if options:  # json field=raw reads the threat feed's JSON, not the event
            continue
        for key in keys:
            assert any(_has_path(e, key) for e in events), f"{label}: no sample event has {key!r}"
    assert not check_field_flow(query), f"{label}: {check_field_flow(query)}"
    if "item_usage" in label:
        assert item_scope and "target_user" not in query
    elif label.startswith(("overview", "successful", "failed", "threat")) or "signin" in label:
        assert not item_scope and "user.name" not in query.replace("target_user.name", "")


def _has_path(event: dict[str, Any], key: str) -> bool:
    node: Any = event
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_success_and_failure_split() -> None:
    for panel in dashboard("successful_signins")["panels"]:
        assert '| where category matches "*succ*"' in panel["query"], panel["id"]
    for panel in dashboard("failed_signins")["panels"]:
        assert '| where !(category matches "*succ*")' in panel["query"], panel["id"]
        assert '"client.platform_name"' in panel["query"] and "client.platform_version" not in panel["query"]
    failed = next(p for p in dashboard("overview")["panels"] if p["title"] == "Failed Sign In Events")
    listed = set(re.findall(r'"(\w+)"', failed["query"].split("category in", 1)[1].split(")")[0]))
    assert listed == CATEGORIES - {"success", "firewall_reported_success"}


def test_threat_panels_keep_sign_in_type_and_real_columns() -> None:
    for slug, panel_id, query in panel_queries():
        if "sumo://threat/cs" not in query:
            continue
        assert "type as threat_type" in query, f"{slug}/{panel_id}: threat type would overwrite sign-in type"
        assert 'threat_type = "ip_address"' in query
    highly = next(p for p in dashboard("threat_intel")["panels"] if p["id"] == "highly_malicious_threat_table")
    assert 'malicious_confidence = "high"' in highly["query"]


# --- samples and lookups ----------------------------------------------------------------------------------


def test_sample_events_use_the_real_field_names() -> None:
    assert len(sample_events()) >= 202
    for event in signins():
        assert set(event) >= {"uuid", "session_uuid", "timestamp", "category", "type", "details", "target_user",
                              "client", "location"}
        assert set(event["target_user"]) >= {"uuid", "name", "email"}
        assert event["details"] is None or set(event["details"]) == {"value"}
    for event in item_usages():
        assert set(event) >= {"uuid", "timestamp", "used_version", "vault_uuid", "item_uuid", "user", "client",
                              "location", "action"}
        assert isinstance(event["used_version"], int)
    for event in sample_events():
        assert "ip" not in event["client"] and "_messageTime" not in event
        assert set(event["client"]) == {"app_name", "app_version", "platform_name", "platform_version",
                                        "os_name", "os_version", "ip_address"}
        loc = event["location"]
        assert set(loc) == {"country", "region", "city", "latitude", "longitude"}
        assert -90 <= loc["latitude"] <= 90 and -180 <= loc["longitude"] <= 180
        assert parse_time(event["timestamp"]).tzinfo is not None


def test_documentation_samples_are_included_and_corrected() -> None:
    doc_signin = [e for e in signins() if e["category"] == "firewall_failed" and e["type"] == "continent_blocked"
                  and e["client"]["ip_address"] == "13.227.95.22"]
    doc_item = [e for e in item_usages() if e["action"] == "secure-copy"
                and e["client"]["ip_address"] == "13.227.95.22"]
    assert doc_signin and doc_item
    toronto = doc_signin[0]["location"]
    assert toronto["city"] == "Toronto" and toronto["latitude"] > 0 > toronto["longitude"]  # not swapped


def test_samples_cover_every_value() -> None:
    assert {e["category"] for e in signins()} == CATEGORIES
    assert {e["type"] for e in signins()} - {"u2f_timout"} == TYPES
    assert {e["action"] for e in item_usages()} == ACTIONS
    assert len({e["target_user"]["name"] for e in signins()}) >= 6
    assert len({e["location"]["country"] for e in sample_events()}) >= 8
    assert len({e["client"]["app_name"] for e in sample_events()}) >= 4
    assert len({e["client"]["os_name"] for e in sample_events()}) >= 4
    assert len({e["client"]["ip_address"] for e in sample_events()}) >= 15
    days = {parse_time(e["timestamp"]).astimezone(timezone.utc).date().isoformat() for e in sample_events()}
    assert days == {"2026-11-22", "2026-11-23"}
    for kind in (signins(), item_usages()):
        per_day = {d: sum(1 for e in kind if parse_time(e["timestamp"]).astimezone(timezone.utc)
                          .date().isoformat() == d) for d in days}
        assert min(per_day.values()) >= 20, per_day


def test_geo_lookup_matches_every_sample_ip() -> None:
    rows = read_jsonl(APP / "tests" / "lookups" / "geo.jsonl")
    by_ip = {r["ip"]: r for r in rows}
    assert len(by_ip) == len(rows)
    for row in rows:
        assert set(row) == {"ip", "latitude", "longitude", "country_code", "country_name", "region", "city",
                            "postal_code"}
        assert re.fullmatch(r"[A-Z]{2}", row["country_code"])
    assert set(by_ip) == {e["client"]["ip_address"] for e in sample_events()}
    for event in sample_events():
        row, loc = by_ip[event["client"]["ip_address"]], event["location"]
        assert (row["country_name"], row["region"], row["city"]) == (loc["country"], loc["region"], loc["city"])
        assert (row["latitude"], row["longitude"]) == (loc["latitude"], loc["longitude"])


def test_threat_lookup_rows_and_matches() -> None:
    rows = read_jsonl(APP / "tests" / "lookups" / "threat_cs.jsonl")
    for row in rows:
        assert set(row) == {"threat", "type", "actor", "threatlevel", "raw"}
        assert row["type"] == "ip_address" and row["threatlevel"] in ("high", "medium", "low")
        labels = json.loads(row["raw"])["labels"]
        assert labels and all(isinstance(label["name"], str) for label in labels)
    assert {r["threatlevel"] for r in rows} == {"high", "medium", "low"}
    assert any(r["actor"] == "" for r in rows) and any(r["actor"] for r in rows)
    level = {r["threat"]: r["threatlevel"] for r in rows}
    success = {e["client"]["ip_address"] for e in signins() if "succ" in e["category"]}
    failed = {e["client"]["ip_address"] for e in signins() if "succ" not in e["category"]}
    used_items = {e["client"]["ip_address"] for e in item_usages()}
    assert any(level.get(ip) == "high" for ip in success)
    assert any(level.get(ip) == "high" for ip in failed)
    assert used_items & set(level), "no item-usage client is on the threat feed"
    assert set(level) - used_items, "every threat IP used items; sign-in-only attackers are missing"


# --- generator --------------------------------------------------------------------------------------------


def test_generator_is_deterministic() -> None:
    gen = generator()
    first = gen.generate(300, 11, "2026-11-22T00:00:00Z", 2)
    assert first == gen.generate(300, 11, "2026-11-22T00:00:00Z", 2)
    assert first != gen.generate(300, 12, "2026-11-22T00:00:00Z", 2)
    assert len(first) == 300
    times = [parse_time(e["timestamp"]) for e in first]
    assert times == sorted(times)
    start = datetime(2026, 11, 22, tzinfo=timezone.utc)
    assert all(0 <= (t - start).total_seconds() < 2 * 86400 for t in times)
    assert len({e["uuid"] for e in first}) == len(first)


def test_generator_covers_values_and_lookups() -> None:
    gen = generator()
    events = gen.generate(65, 5, "2026-12-01T00:00:00Z", 3)  # the documented minimum for full coverage
    assert {e["category"] for e in events if "category" in e} == CATEGORIES
    assert {e["type"] for e in events if "type" in e} - {"u2f_timout"} == TYPES
    assert {e["action"] for e in events if "action" in e} == ACTIONS
    geo_ips = {r["ip"] for r in gen.geo_table()}
    assert {e["client"]["ip_address"] for e in gen.generate(3000, 9)} <= geo_ips
    assert gen.threat_table() == read_jsonl(APP / "tests" / "lookups" / "threat_cs.jsonl")


def test_committed_samples_are_the_generator_output(tmp_path: Path) -> None:
    generator().write_app_samples(tmp_path)
    for rel in ["samples/signin_attempts.jsonl", "samples/item_usages.jsonl", "tests/lookups/geo.jsonl",
                "tests/lookups/threat_cs.jsonl"]:
        assert (tmp_path / rel).read_bytes() == (APP / rel).read_bytes(), f"{rel} differs: rerun the generator"


def test_generator_command_line(tmp_path: Path) -> None:
    out, geo = tmp_path / "events.jsonl", tmp_path / "geo.jsonl"
    status = generator().main(["--count", "250", "--seed", "3", "--start", "2026-11-22T00:00:00Z", "--days", "2",
                               "-o", str(out), "--geo", str(geo)])
    assert status == 0
    events = read_jsonl(out)
    assert len(events) == 250
    assert events == json.loads(json.dumps(generator().generate(250, 3, "2026-11-22T00:00:00Z", 2)))
    assert {r["ip"] for r in read_jsonl(geo)} == {e["client"]["ip_address"] for e in events}
    with pytest.raises(SystemExit):
        generator().main(["--count", "-1"])
