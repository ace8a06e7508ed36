"""Tests of the bundled 1Password app definition itself: its YAML against the schemas, the dashboards'
panels, variables and queries (as the loader expands them from fragments), the monitors, the sample events and
lookup stubs, and the sample-event generator."""

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
from ruamel.yaml import YAML

from appbuilder.build import build_app
from appbuilder.commands.sample_runner import SampleRunner
from appbuilder.load.app import load_app
from appbuilder.load.yamlfile import read_yaml
from appbuilder.model import App, Parameter
from appbuilder.parameters import check_value
from appbuilder.validate.schema import validate_document

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app_definitions" / "1password"
SCHEMAS = ROOT / "schemas"  # the repository's copy of the package's schemas (tests/test_schemas.py)
GENERATOR = ROOT / "scripts" / "gen_1password_events.py"

DASHBOARD_FILES = ["overview", "successful_signins", "failed_signins", "threat_intel", "item_usage", "audit_security"]
PANEL_COUNTS = {"overview": 8, "successful_signins": 9, "failed_signins": 9, "threat_intel": 6, "item_usage": 4,
                "audit_security": 11}
SIGNIN_VARIABLES = {"category", "type", "country", "city", "target_user_name", "client_app_name",
                    "client_platform", "client_os"}
DASHBOARD_VARIABLES = {
    "overview": SIGNIN_VARIABLES,
    "successful_signins": SIGNIN_VARIABLES,
    "failed_signins": SIGNIN_VARIABLES,
    "threat_intel": SIGNIN_VARIABLES | {"malicious_confidence"},
    "item_usage": {"action"},
    "audit_security": {"object_type", "action", "actor_email", "country"},
}
PANEL_TITLES = {
    "overview": {"Failed Sign In Events", "Geolocation of Clients", "One Day Time Comparison",
                 "Sign In Events by Category", "Sign In Events by Category Over Time", "Sign In Events by Type",
                 "Sign In Events by Type Over Time", "Audit Events by Type"},
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
    "audit_security": {"Account Activations", "Deletions", "Email Changes", "Group Creations",
                       "Geolocation of Audit Events", "Top Actions", "Audit Events from Risky Locations",
                       "MFA and SSO Configuration Changes", "Recent Access Activities", "Role Changes",
                       "Service Account Token Events"},
}
# Sumo's monitor table: name → (trigger level, comparison, threshold)
MONITORS = {
    "1Password - Privileged vault and group access control changes": ("Critical", "GreaterThan", 0),
    "1Password - Login Exceeds Set Parameters": ("Critical", "GreaterThan", 1),
    "1Password - Grant User Vault Access": ("Critical", "GreaterThan", 0),
    "1Password - Changes to a User's MFA settings": ("Critical", "GreaterThan", 5),
    "1Password - Audit Events from Risky Locations": ("Critical", "GreaterThan", 0),
    "1Password tenant-level Changes": ("Critical", "GreaterThan", 0),
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
# audit values the Audit Security dashboard and the monitors read
AUDIT_OBJECT_TYPES = {"user", "ec", "group", "gm", "uva", "gva", "sa", "satoken", "sso", "account", "vault"}
AUDIT_ACTIONS = {"activate", "reactive", "delete", "create", "role", "grant", "revoke", "enblmfa", "disblmfa",
                 "updatmfa", "enblduo", "enblsso", "chngasso", "updatfw", "uisas", "trevoke"}


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
    files = [(APP / "app.yaml", "app"), (APP / "source.yaml", "source"), (APP / "queries.yaml", "queries"),
             (APP / "fragments.yaml", "fragments")]
    files += [(p, "dashboard") for p in sorted((APP / "dashboards").glob("*.yaml"))]
    files += [(p, "monitor") for p in sorted((APP / "monitors").glob("*.yaml"))]
    files += [(p, "tests") for p in sorted((APP / "tests").glob("*.yaml"))]
    return files


@cache
def loaded() -> App:
    """The app as the loader gives it: fragments and variable sets expanded."""
    app, problems = load_app(APP)
    assert app is not None and not problems, problems
    return app


def model_dashboard(slug: str) -> Any:
    return next(d for d in loaded().dashboards if d.slug == slug)


def panel_queries() -> Iterator[tuple[str, str, str]]:
    """(dashboard slug, panel id, expanded query) for every panel."""
    for slug in DASHBOARD_FILES:
        for panel in model_dashboard(slug).panels:
            yield slug, panel.id, panel.query


def all_queries() -> Iterator[tuple[str, str]]:
    """(label, expanded query) of every query: panels, dashboard variables, saved searches and monitors."""
    for slug, panel_id, query in panel_queries():
        yield f"{slug}/{panel_id}", query
    for slug in DASHBOARD_FILES:
        for var in model_dashboard(slug).variables:
            yield f"{slug}/variable:{var.name}", var.query
    for q in loaded().queries:
        yield f"query:{q.id}", q.text
    for m in loaded().monitors:
        yield f"monitor:{m.slug}", m.query


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


def audits() -> list[dict[str, Any]]:
    return [e for e in sample_events() if "actor_uuid" in e]


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
        elif op.startswith("count_distinct("):
            m = re.fullmatch(r"count_distinct\((\w+)\) as (\w+) by (.*)", bare)
            assert m, seg
            groups = [g.strip() for g in m.group(3).split(",")]
            need([m.group(1), *groups], seg)
            defined.clear()
            defined.update([*groups, m.group(2)])
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
        elif op == "fields" and words[1:2] == ["-_messageTime"]:
            need(["_messageTime"], seg)
            defined.discard("_messageTime")
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
    doc, problems = read_yaml(path)
    assert doc is not None and not problems, problems
    errors = validate_document(doc, kind)
    assert not errors, "\n".join(f"{e.position}: {e.message}" for e in errors)


@pytest.mark.parametrize(("path", "kind"), yaml_files(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_yaml_starts_with_schema_comment_that_resolves(path: Path, kind: str) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    assert (path.parent / match.group(1)).resolve() == (SCHEMAS / f"{kind}.schema.json").resolve()


def test_manifest() -> None:
    app = load(APP / "app.yaml")
    assert app["name"] == "1Password"
    assert app["version"] == "2.1.0"
    assert len(app["description"]) <= 255
    assert app["logTypes"] == ["Sign-in Events", "Item Usage", "Audit Events"]
    assert app["dashboards"] == [f"dashboards/{slug}.yaml" for slug in DASHBOARD_FILES]
    assert len(app["monitors"]) == 6
    for ref in [app["source"], app["queries"], app["fragments"], *app["dashboards"], *app["monitors"]]:
        assert (APP / ref).is_file(), ref
    assert sorted(APP.glob(app["samples"][0])), "the samples glob matches no file"


def test_source_category_parameter_pattern() -> None:
    param = load(APP / "app.yaml")["parameters"][0]
    assert param["name"] == "source_category" and param["default"] == "1pw" and param["description"]
    parameter = Parameter(param["name"], param["default"], pattern=param["pattern"])
    for good in ["1pw", "Labs/onepassword", "prod/security/1password", "sec_1pw-events.v2"]:
        assert check_value(parameter, good, "--param") is None, good
    for bad in ["", "1pw action", "*", 'a"b', "a|b", "{{x}}", "x" * 1025]:  # 1025: over the length limit
        assert check_value(parameter, bad, "--param"), bad


def test_source() -> None:
    src = load(APP / "source.yaml")["source"]
    assert src["type"] == "1Password" and src["category"] == "${source_category}"
    assert src["baseUrl"] == "${events_region}"  # one of the four Events API hosts, by region
    assert src["apis"] == ["sign-in", "itemUsage", "${audit_events_api}"]  # the audit value is passed through
    assert src["tokenEnv"] == "ONEPASSWORD_EVENTS_TOKEN"
    assert src["fields"] == {"_siemForward": False}
    for path, _ in yaml_files():  # no secret of any kind in the definition
        assert not re.search(r"eyJ[\w-]{10,}|api_?token\s*:", path.read_text(encoding="utf-8"), re.I), path


def test_saved_searches() -> None:
    queries = loaded().saved_searches
    assert {q.name for q in queries} == {
        "1Password - Successful Sign-in", "1Password - Failed Sign-in", "1Password - Item Usage Events",
        "1Password - Recent Access Activities"}
    names = [q.name for q in queries] + [dashboard(s)["title"] for s in DASHBOARD_FILES]
    assert len(names) == len(set(names)), "saved searches and dashboards share the folder: names must differ"
    for q in queries:
        declared = {v.name for v in q.variables}
        used = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", q.text))
        assert used <= declared, f"{q.id}: saved search uses undeclared {used - declared}"
        assert q.text.splitlines()[0] == SCOPE


# --- dashboards -------------------------------------------------------------------------------------------


def test_panel_counts_and_titles() -> None:
    counts = {slug: len(dashboard(slug)["panels"]) for slug in DASHBOARD_FILES}
    assert counts == PANEL_COUNTS
    assert sum(counts.values()) == 47
    for slug in DASHBOARD_FILES:
        titles = [p["title"] for p in dashboard(slug)["panels"]]
        assert len(set(titles)) == len(titles), f"{slug}: duplicate panel titles"
        assert set(titles) == PANEL_TITLES[slug]
    assert [dashboard(s)["title"] for s in DASHBOARD_FILES] == [
        "1Password - Overview", "1Password - Successful Sign-ins", "1Password - Failed Sign-ins",
        "1Password - Threat Intel", "1Password - Item Usage", "1Password - Audit Security"]


@pytest.mark.parametrize("slug", DASHBOARD_FILES)
def test_variables_declared_and_used(slug: str) -> None:
    data = model_dashboard(slug)
    declared = [v.name for v in data.variables]
    assert len(declared) == len(set(declared))
    assert set(declared) == DASHBOARD_VARIABLES[slug]
    used: set[str] = set()
    for panel in data.panels:
        used |= set(re.findall(r"\{\{\s*(\w+)\s*\}\}", panel.query + panel.title))
    assert used == set(declared), f"used but undeclared {used - set(declared)}, unused {set(declared) - used}"
    for var in data.variables:
        assert var.default == "*"
        assert var.query.startswith(SCOPE)
        assert "{{" not in var.query, "variable queries must not depend on other variables"
        aliases = {a for _, names, _ in json_operators(var.query) for a in names}
        outputs = aliases | {"malicious_confidence"} if "sumo://threat/cs" in var.query else aliases
        assert var.field in outputs and re.search(rf"count by {var.field}$", var.query)


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
    for panel in model_dashboard(slug).panels:
        ops = segments(panel.query)
        aggregate = next(op for op in ops if op.startswith("count"))
        if panel.chart == "map":
            assert aggregate.startswith("count by latitude, longitude"), panel.id
        if any(op.startswith("transpose") for op in ops):
            assert panel.chart in ("line", "area", "column"), panel.id
        if any(op.startswith("outlier") for op in ops):
            assert panel.chart == "line", panel.id
        if any(op.startswith("compare") for op in ops):
            assert panel.chart == "table", panel.id
        if panel.chart == "svp":
            assert aggregate == "count", panel.id
        if panel.title.startswith(("Geolocation", "Threat Locations")):
            assert panel.chart == "map", panel.id


@pytest.mark.parametrize(("label", "query"), list(all_queries()), ids=lambda v: v if "\n" not in v else "")
def test_query_has_no_known_defect(label: str, query: str) -> None:
    for defect in DEFECT_STRINGS:
        assert defect not in query, f"{label}: contains {defect!r}"
    lines = query.splitlines()
    assert lines[0] == SCOPE, f"{label}: scope is {lines[0]!r}"
    assert "@include" not in query, f"{label}: fragment not expanded"
    for line in lines[1:]:
        bare, _ = split_strings(line)
        assert bare.lstrip().startswith("| "), f"{label}: operator not on its own line: {line!r}"
        assert "|" not in bare.lstrip()[1:], f"{label}: two operators glued on one line: {line!r}"
    for match in re.finditer(r"\{\{\s*\w+\s*\}\}", query):
        before = query[: match.start()]
        assert before.endswith(' matches "') and query[match.end()] == '"', f"{label}: {match.group(0)} usage"


@pytest.mark.parametrize(("label", "query"), list(all_queries()), ids=lambda v: v if "\n" not in v else "")
def test_query_fields_are_defined_and_real(label: str, query: str) -> None:
    item_scope = '"item_uuid"' in query
    events = item_usages() if item_scope else audits() if '"actor_uuid"' in query else signins()
    for keys, aliases, options in json_operators(query):
        assert len(keys) == len(aliases), f"{label}: {len(keys)} json keys but {len(aliases)} aliases"
        if options:  # json field=raw reads the threat feed's JSON, not the event
            continue
        for key in keys:
            assert any(_has_path(e, key) for e in events), f"{label}: no sample event has {key!r}"
    assert not check_field_flow(query), f"{label}: {check_field_flow(query)}"
    if "item_usage" in label:
        assert item_scope and "target_user" not in query
        assert '"action" as action nodrop' in query, f"{label}: an item usage without action would be dropped"
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
    for panel in model_dashboard("successful_signins").panels:
        assert '| where category matches "*succ*"' in panel.query, panel.id
    for panel in model_dashboard("failed_signins").panels:
        assert '| where !(category matches "*succ*")' in panel.query, panel.id
        assert '"client.platform_name"' in panel.query and "client.platform_version" not in panel.query
    failed = next(p for p in model_dashboard("overview").panels if p.title == "Failed Sign In Events")
    listed = set(re.findall(r'"(\w+)"', failed.query.split("category in", 1)[1].split(")")[0]))
    assert listed == CATEGORIES - {"success", "firewall_reported_success"}


def test_threat_panels_keep_sign_in_type_and_real_columns() -> None:
    for slug, panel_id, query in panel_queries():
        if "sumo://threat/cs" not in query:
            continue
        assert "type as threat_type" in query, f"{slug}/{panel_id}: threat type would overwrite sign-in type"
        assert 'threat_type = "ip_address"' in query
        if "labels[*].name" in query:
            assert '"labels[*].name" as label_name nodrop' in query, f"{slug}/{panel_id}: unlabelled entries lost"
    highly = next(p for p in model_dashboard("threat_intel").panels if p.id == "highly_malicious_threat_table")
    assert 'malicious_confidence = "high"' in highly.query


# --- samples and lookups ----------------------------------------------------------------------------------


def test_sample_events_use_the_real_field_names() -> None:
    assert len(sample_events()) >= 202
    assert len(signins()) + len(item_usages()) + len(audits()) == len(sample_events())
    for event in signins():
        assert set(event) >= {"uuid", "session_uuid", "timestamp", "category", "type", "details", "target_user",
                              "client"}
        assert set(event["target_user"]) >= {"uuid", "name", "email"}
        assert event["details"] is None or set(event["details"]) == {"value"}
    for event in item_usages():
        assert set(event) >= {"uuid", "timestamp", "used_version", "vault_uuid", "item_uuid", "user", "client"}
        assert isinstance(event["used_version"], int)
    for event in audits():
        # actor_details and object_uuid are optional (see test_samples_hold_events_without_their_optional_fields)
        assert set(event) >= {"uuid", "timestamp", "actor_uuid", "action", "object_type", "session"}
        assert set(event["session"]) == {"uuid", "login_time", "device_uuid", "ip"}
        assert ("object_details" in event) == (event["object_type"] == "user")
        assert set(event) <= {"uuid", "timestamp", "actor_uuid", "actor_details", "action", "object_type",
                              "object_uuid", "object_details", "aux_id", "aux_uuid", "aux_details", "aux_info",
                              "session", "location"}
    for event in signins() + item_usages():
        assert "ip" not in event["client"] and "_messageTime" not in event
        assert set(event["client"]) == {"app_name", "app_version", "platform_name", "platform_version",
                                        "os_name", "os_version", "ip_address"}
    for event in sample_events():
        if "location" in event:
            loc = event["location"]
            assert set(loc) == {"country", "region", "city", "latitude", "longitude"}
            assert -90 <= loc["latitude"] <= 90 and -180 <= loc["longitude"] <= 180
        assert parse_time(event["timestamp"]).tzinfo is not None


def test_samples_hold_events_without_their_optional_fields() -> None:
    assert [e["target_user"]["name"] for e in signins() if "location" not in e] == ["Wendy Appleseed", "Mei Tanaka"]
    assert len([e for e in item_usages() if "action" not in e]) == 2
    assert len([e for e in item_usages() if "action" not in e and "location" not in e]) == 1
    assert len([e for e in audits() if "location" not in e]) >= 5
    assert len([e for e in audits() if "actor_details" not in e]) == 1
    assert len([e for e in audits() if "name" not in e.get("actor_details", {"name": ""})]) == 1
    assert len([e for e in audits() if "email" not in e.get("actor_details", {"email": ""})]) == 1
    assert len([e for e in audits() if "object_uuid" not in e]) == 1


def _rows(target: str, variables: dict[str, str] | None = None) -> list[dict[str, Any]]:
    runner = _runner()
    table, error, _ = runner.run(target, runner.targets()[target], variables or {})
    assert table is not None, error
    return table.rows


@cache
def _runner() -> SampleRunner:
    return SampleRunner(loaded(), {}, {})


def _total(rows: list[dict[str, Any]], column: str = "_count") -> int:
    return sum(int(row[column]) for row in rows)


def test_panels_that_list_every_event_count_events_without_optional_fields() -> None:
    assert _total(_rows("overview/events_by_category")) == len(signins())
    assert _total(_rows("overview/events_by_type")) == len(signins())
    assert _total(_rows("item_usage/breakdown_by_action")) == len(item_usages())
    assert _total(_rows("item_usage/item_usage_summary")) == len(item_usages())
    assert _total(_rows("overview/audit_events_by_type")) == len(audits())
    assert _total(_rows("audit_security/audit_events_map")) == len(audits())  # the map plots session IPs
    success = [e for e in signins() if "succ" in e["category"]]
    assert _total(_rows("successful_signins/sign_in_summary")) == len(success)
    assert _total(_rows("successful_signins/breakdown_by_location")) == len(success)
    assert _total(_rows("failed_signins/sign_in_summary")) == len(signins()) - len(success)
    threats = {row["threat"] for row in read_jsonl(APP / "tests" / "lookups" / "threat_cs.jsonl")}
    on_feed = [e for e in signins() if e["client"]["ip_address"] in threats]
    assert _total(_rows("threat_intel/threat_count")) == len(on_feed)
    assert _total(_rows("threat_intel/threat_by_malicious_confidence")) == len(on_feed)
    assert _total(_rows("threat_intel/threat_by_actors")) == len(on_feed)


def test_variables_at_their_default_keep_events_without_optional_fields() -> None:
    everything = {"country": "*", "city": "*", "category": "*", "type": "*", "target_user_name": "*",
                  "client_app_name": "*", "client_platform": "*", "client_os": "*"}
    assert _total(_rows("overview/events_by_category", everything)) == len(signins())
    assert _total(_rows("item_usage/breakdown_by_action", {"action": "*"})) == len(item_usages())
    no_location = [e for e in audits() if "location" not in e]
    assert _total(_rows("audit_security/top_actions", {"country": ""})) == len(no_location)


def test_sign_in_parse_prefix_is_written_once() -> None:
    texts = [p.read_text(encoding="utf-8") for p in APP.rglob("*.yaml")]
    assert sum(t.count('"target_user.name", "target_user.email"') for t in texts) == 1
    assert sum(t.count('"user.name", "client.app_name"') for t in texts) == 1
    assert sum(t.count('"actor_details.name", "actor_details.email"') for t in texts) == 1
    assert sum(t.count('where category matches "{{category}}"') for t in texts) == 1


def test_monitors_follow_sumos_table_and_keep_recipients_out_of_git() -> None:
    monitors = {m.name: m for m in loaded().monitors}
    assert set(monitors) == set(MONITORS)
    for name, (level, comparison, threshold) in MONITORS.items():
        (trigger,) = monitors[name].triggers
        assert (trigger.level, trigger.comparison, trigger.threshold) == (level, comparison, threshold), name
        assert monitors[name].notifications, name
        for note in monitors[name].notifications:
            assert re.fullmatch(r"\$\{\w+\}", note.recipients or note.connection_id), name
    for path in (APP / "monitors").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", text), f"{path.name}: an e-mail address in git"
        assert not re.search(r"\b[0-9A-F]{16}\b", text), f"{path.name}: a connection id in git"


def test_build_holds_six_dashboards_four_saved_searches_six_monitors() -> None:
    result = build_app(loaded())
    assert len(result.manifest["dashboards"]) == 6 and len(result.manifest["savedSearches"]) == 4
    assert result.monitors is not None and len(result.monitors["monitors"]) == 6
    assert all(not m["notifications"] for m in result.monitors["monitors"])  # no recipient given: none sent
    given = build_app(loaded(), {"alert_recipients": "soc@example.com, it@example.com"})
    assert given.monitors is not None
    (note,) = given.monitors["monitors"][0]["notifications"]
    assert note["notification"]["recipients"] == ["soc@example.com", "it@example.com"]


def test_documentation_samples_are_included_and_corrected() -> None:
    doc_signin = [e for e in signins() if e["category"] == "firewall_failed" and e["type"] == "continent_blocked"
                  and e["client"]["ip_address"] == "13.227.95.22"]
    doc_item = [e for e in item_usages() if e.get("action") == "secure-copy"
                and e["client"]["ip_address"] == "13.227.95.22"]
    assert doc_signin and doc_item
    toronto = doc_signin[0]["location"]
    assert toronto["city"] == "Toronto" and toronto["latitude"] > 0 > toronto["longitude"]  # not swapped


def test_samples_cover_every_value() -> None:
    assert {e["category"] for e in signins()} == CATEGORIES
    assert {e["type"] for e in signins()} - {"u2f_timout"} == TYPES
    assert {e["action"] for e in item_usages() if "action" in e} == ACTIONS
    assert {e["object_type"] for e in audits()} >= AUDIT_OBJECT_TYPES
    assert {e["action"] for e in audits()} >= AUDIT_ACTIONS
    assert len({e["target_user"]["name"] for e in signins()}) >= 6
    assert len({e["location"]["country"] for e in sample_events() if "location" in e}) >= 8
    assert len({e["client"]["app_name"] for e in signins() + item_usages()}) >= 4
    assert len({e["client"]["os_name"] for e in signins() + item_usages()}) >= 4
    assert len({e["client"]["ip_address"] for e in signins() + item_usages()}) >= 15
    days = {parse_time(e["timestamp"]).astimezone(timezone.utc).date().isoformat() for e in sample_events()}
    assert days == {"2026-11-22", "2026-11-23"}
    for kind in (signins(), item_usages(), audits()):
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
    ips = {e["client"]["ip_address"] if "client" in e else e["session"]["ip"]: e for e in sample_events()}
    assert set(by_ip) == set(ips)
    for event in sample_events():
        if "location" not in event:
            continue
        ip = event["client"]["ip_address"] if "client" in event else event["session"]["ip"]
        row, loc = by_ip[ip], event["location"]
        assert (row["country_name"], row["region"], row["city"]) == (loc["country"], loc["region"], loc["city"])
        assert (row["latitude"], row["longitude"]) == (loc["latitude"], loc["longitude"])


def test_threat_lookup_rows_and_matches() -> None:
    rows = read_jsonl(APP / "tests" / "lookups" / "threat_cs.jsonl")
    for row in rows:
        assert set(row) == {"threat", "type", "actor", "threatlevel", "raw"}
        assert row["type"] == "ip_address" and row["threatlevel"] in ("high", "medium", "low")
        labels = json.loads(row["raw"]).get("labels", [])
        assert all(isinstance(label["name"], str) for label in labels)
    assert [r["threat"] for r in rows if "labels" not in json.loads(r["raw"])] == ["198.51.100.33"]
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
    for rel in ["samples/signin_attempts.jsonl", "samples/item_usages.jsonl", "samples/audit_events.jsonl",
                "tests/lookups/geo.jsonl", "tests/lookups/threat_cs.jsonl"]:
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


def test_generator_audit_mode(tmp_path: Path) -> None:
    gen = generator()
    first = gen.generate_audits(60, 4)
    assert first == gen.generate_audits(60, 4) and first != gen.generate_audits(60, 5)
    assert len(first) == 60 and len({e["uuid"] for e in first}) == 60
    assert {e["object_type"] for e in first} >= AUDIT_OBJECT_TYPES
    assert any("location" not in e for e in first)
    times = [parse_time(e["timestamp"]) for e in first]
    assert times == sorted(times)
    out = tmp_path / "mixed.jsonl"
    assert gen.main(["--count", "30", "--audit", "50", "--seed", "2", "-o", str(out)]) == 0
    events = read_jsonl(out)
    assert len(events) == 80 and sum(1 for e in events if "actor_uuid" in e) == 50
