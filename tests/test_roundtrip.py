"""Round trip on app exports (the real ones of the reference data when present, the synthetic ones always):
export → validate (no errors) → build gives back the same content, field for field (JSON-string fields such as
visualSettings compared as the JSON they hold; nothing else normalised)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from reference import REAL_EXPORTS, absent_reason, export_cases, load_export, needs_reference
from synthetic_exports import EXPORTS as SYNTHETIC
from synthetic_exports import directory_audit, edge_firewall

from appbuilder.build import build_app
from appbuilder.export import export_definition
from appbuilder.export.residual import differences, same
from appbuilder.validate import validate_app

EXPORTS = REAL_EXPORTS


def roundtrip(definition: Any, out: Path, parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """Export ``definition`` to ``out``, validate it (no errors) and return the content it builds."""
    export_definition(definition, out, parameters)
    validation = validate_app(out)
    assert validation.ok, "\n".join(str(d) for d in validation.errors[:10])
    assert validation.app is not None
    return build_app(validation.app).content


@pytest.mark.parametrize("case", export_cases())
def test_an_export_builds_back_the_same(case: tuple[str, str], tmp_path: Path) -> None:
    original = load_export(case)
    built = roundtrip(original, tmp_path / "app")
    assert differences(original, built) == []


def test_lifting_the_source_category_of_a_synthetic_export_keeps_the_round_trip(tmp_path: Path) -> None:
    original = edge_firewall()
    built = roundtrip(original, tmp_path / "app", {"source_category": "*edge*"})
    assert differences(original, built) == []
    texts = "".join(p.read_text() for p in (tmp_path / "app").rglob("*.yaml"))
    assert "_sourceCategory=${source_category}" in texts and "_sourceCategory=*edge*" not in texts
    other = validate_app(tmp_path / "app").app
    assert other is not None
    moved = json.dumps(build_app(other, {"source_category": "prod/edge"}).content)
    assert moved.count("_sourceCategory=prod/edge") == json.dumps(original).count("_sourceCategory=*edge*") > 10


@pytest.mark.slow
@needs_reference("exports", "Fortigate_Firewall.json")
def test_lifting_the_source_category_keeps_the_round_trip(tmp_path: Path) -> None:
    original = json.loads((EXPORTS / "Fortigate_Firewall.json").read_text(encoding="utf-8"))
    built = roundtrip(original, tmp_path / "app", {"source_category": "*fortigate*"})
    assert differences(original, built) == []
    # Fortigate's panels use 'parse ... multi', which Sumo restricts in dashboards: export keeps the queries and
    # makes that check a warning in app.yaml; validate passes (in roundtrip) and still shows the three findings
    app_yaml = (tmp_path / "app" / "app.yaml").read_text(encoding="utf-8")
    assert "lint:\n  severity:\n    dashboard-forbidden-operator: warning\n" in app_yaml
    validation = validate_app(tmp_path / "app")
    assert [d.code for d in validation.warnings].count("dashboard-forbidden-operator") == 3
    texts = "".join(p.read_text() for p in (tmp_path / "app").rglob("*.yaml"))
    assert "_sourceCategory=${source_category}" in texts and "_sourceCategory=*fortigate*" not in texts
    other = validation.app
    assert other is not None
    moved = json.dumps(build_app(other, {"source_category": "prod/fortigate"}).content)
    assert moved.count("_sourceCategory=prod/fortigate") == json.dumps(original).count("_sourceCategory=*fortigate*")


@pytest.mark.parametrize("case", [
    pytest.param(("real", "Cyral.json"), id="real-Cyral", marks=needs_reference("exports", "Cyral.json")),
    *[pytest.param(("synthetic", name), id=f"synthetic-{name}") for name in SYNTHETIC]])
def test_export_is_deterministic(case: tuple[str, str], tmp_path: Path) -> None:
    original = load_export(case)
    export_definition(original, tmp_path / "a")
    export_definition(original, tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_comparison_is_strict_but_reads_json_strings() -> None:
    assert same({"visualSettings": '{"a":1,"b":[true]}'}, {"visualSettings": '{"b": [true], "a": 1}'})
    assert not same({"visualSettings": '{"a":1}'}, {"visualSettings": '{"a":true}'})
    assert not same({"queryString": '{"a":1}'}, {"queryString": '{"a": 1}'})
    assert not same({"a": None}, {})
    assert differences({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": 0}) == ["b[1]: 2 ≠ 3", "c: unexpected"]


@pytest.mark.parametrize(("case", "dashboard"), [
    pytest.param(("real", "Auth0.json"), "auth0_overview", marks=needs_reference("exports", "Auth0.json"),
                 id="real-Auth0"),
    pytest.param(("synthetic", "directory_audit"), "directory_audit_overview", id="synthetic-directory_audit")])
def test_an_older_export_shape_is_omitted_once_per_dashboard(case: tuple[str, str], dashboard: str,
                                                            tmp_path: Path) -> None:
    """Queries lacking six keys the build writes (the older five-key shape): one wildcard omit on the dashboard,
    plain `query:` blocks."""
    from ruamel.yaml import YAML

    export_definition(load_export(case), tmp_path / "a")
    data = YAML(typ="safe").load((tmp_path / "a" / "dashboards" / f"{dashboard}.yaml").read_text())
    assert "panels.*.queries.*.transient" in data["omit"]
    search_panels = [p for p in data["panels"] if p["chart"] != "text"]
    assert search_panels and all("query" in p and "queries" not in p for p in search_panels)
    assert search_panels[0]["query"].startswith("$$logsrc \n| json auto")


def _mutate(definition: Any, rng: Any) -> None:
    """One random change somewhere in ``definition``: a null, a missing key, another type, a reordered list,
    an unknown key, trailing whitespace, a broken JSON string."""
    def walk(value: Any, path: tuple[Any, ...]) -> Any:
        yield path, value
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, child in items:
            yield from walk(child, (*path, key))

    path, value = rng.choice([(p, v) for p, v in walk(definition, ()) if len(p) > 1])
    parent = definition
    for step in path[:-1]:
        parent = parent[step]
    key, roll = path[-1], rng.random()
    if roll < 0.2:
        parent[key] = None
    elif roll < 0.35 and isinstance(parent, dict) and key not in ("type", "name"):
        del parent[key]
    elif roll < 0.5 and isinstance(value, (str, int)) and key not in ("type", "name"):
        parent[key] = rng.choice([0, -3, 1.5, True, "", "a.b", {"x.y": [1, None]}])
    elif roll < 0.6 and isinstance(value, list):
        rng.shuffle(value)
    elif roll < 0.7 and isinstance(value, dict):
        value["unknownKey"] = {"nested": [1, None, "s"]}
    elif roll < 0.85 and isinstance(value, str):
        parent[key] = value + " \n\t trailing  "
    elif isinstance(parent, dict) and "visualSettings" in parent:
        parent["visualSettings"] = "{not json"


@pytest.mark.parametrize("source", ["real", "synthetic"])
def test_unusual_shapes_round_trip_or_are_refused_clearly(source: str, tmp_path: Path) -> None:
    """Seeded variations of exports: each either builds back exactly (export checks it) with a definition
    the schemas accept, or is refused with an ExportError; never a crash."""
    import copy
    import random

    from appbuilder.export import ExportError

    rng = random.Random(8)
    if source == "real":
        small = [json.loads((EXPORTS / name).read_text(encoding="utf-8"))
                 for name in ("Code42Incydr.json", "testapp.json", "Auth0.json") if (EXPORTS / name).exists()]
        if not small:
            pytest.skip(reason=absent_reason("exports"))
    else:
        small = [directory_audit(), load_export(("synthetic", "load_balancer_metrics"))]
    for number in range(15):
        definition = copy.deepcopy(rng.choice(small))
        for _ in range(rng.randint(1, 5)):
            _mutate(definition, rng)
        try:
            export_definition(definition, tmp_path / str(number))
        except ExportError as exc:
            assert "bug" not in exc.message, exc.message
            continue
        problems = [d for d in validate_app(tmp_path / str(number)).errors
                    if d.code in ("schema", "missing-file", "duplicate-name", "unresolved-reference", "layout")]
        assert not problems, [str(d) for d in problems]


def test_our_own_build_exports_without_anything_verbatim(tmp_path: Path) -> None:
    """The bundled app, built then exported: it builds back the same, and needs no extra/omit at all."""
    app = validate_app(Path(__file__).resolve().parents[1] / "app_definitions" / "1password").app
    assert app is not None
    content = build_app(app).content
    built = roundtrip(content, tmp_path / "op", {"source_category": "1pw"})
    assert differences(content, built) == []
    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "op").rglob("*.yaml")}
    assert not [name for name, text in texts.items() if "\nextra:" in text or "  extra:" in text or "omit:" in text]
    assert "_sourceCategory=${source_category}\n" in texts["overview.yaml"]
