"""Query lint over an app: metrics panels and metadata-variable filters use the metrics linter, positioned
in the YAML files; field checks follow whether the app ships samples."""

from __future__ import annotations

from pathlib import Path

from helpers import edit

from appbuilder.load import load_app
from appbuilder.validate import validate_app
from appbuilder.validate.querylint import lint_app_queries

DASHBOARD = "dashboards/main.yaml"


def test_metadata_variable_filters_are_linted_as_selectors(app_dir: Path):
    edit(app_dir / DASHBOARD, "variables:\n", "variables:\n  - name: account\n    metadata:\n"
         "      key: account\n      filter: 'region={{type}} | avg'\n")
    found = [d for d in validate_app(app_dir).diagnostics if d.path.endswith("metadata.filter")]
    assert [(d.code, d.severity, d.position.file) for d in found] == [("syntax", "error", str(app_dir / DASHBOARD))]
    assert "takes no operators" in found[0].message


def test_panels_with_the_metrics_query_type_use_the_metrics_linter(app_dir: Path):
    app, problems = load_app(app_dir)
    assert app is not None and problems == []
    panel = next(p for d in app.dashboards for p in d.panels if p.id == "by_category")
    panel.query = "metric=CPU_Total | sum by"
    panel.query_type = "metrics"  # Sumo's queryType, as the loader sets it
    found = [d for d in lint_app_queries(app) if d.path.endswith("panels[by_category].query")]
    assert [(d.code, d.message) for d in found] == [("syntax", "'sum by' needs at least one key")]
    assert found[0].position.line > 0


def test_field_errors_need_the_apps_samples(app_dir: Path):
    edit(app_dir / DASHBOARD, "| count by category", "| count by categry")
    with_samples = [(d.code, d.severity) for d in validate_app(app_dir).diagnostics if d.code]
    assert ("group-by-unknown-field", "error") in with_samples
    edit(app_dir / "app.yaml", "samples:\n  - samples/*.jsonl\n", "")
    result = validate_app(app_dir)
    assert ("group-by-unknown-field", "info") in [(d.code, d.severity) for d in result.diagnostics]
    assert result.ok and not result.warnings


def test_a_named_regex_group_in_a_replacement_is_not_an_install_parameter(app_dir: Path):
    from appbuilder.templating import substitute_parameters

    edit(app_dir / DASHBOARD, "| count by category", '| replace(category, /(?<head>\\\\w+)_.*/, "${head}") as '
         "category\n      | count by category")
    result = validate_app(app_dir)
    assert result.ok, [d.message for d in result.diagnostics]
    assert not [d for d in result.diagnostics if "parameter" in d.code]
    text = '_sourceCategory=${source_category} | replace(a, /(?<head>x)/, "${head}") as b'
    assert substitute_parameters(text, {"source_category": "s", "head": "no"}) == (
        '_sourceCategory=s | replace(a, /(?<head>x)/, "${head}") as b')
