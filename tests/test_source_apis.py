"""The source's `apis`: the two published values by default, an audit-events value passed through by the user
(never guessed), and the value an existing source has shown in `plan`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appbuilder.build import build_app
from appbuilder.commands.install import run_install
from appbuilder.commands.plan import run_plan
from appbuilder.deploy.render import render_plan
from appbuilder.deploy.session import DeployOptions
from appbuilder.deploy.testing import FAST_CLIENT
from appbuilder.diagnostics import InputError
from appbuilder.fakesumo.server import FakeSumo
from appbuilder.validate import validate_app

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
APP = Path(__file__).resolve().parent.parent / "app_definitions" / "1password"
ENV = {"MINIMAL_TOKEN": "ops_minimal_token_value"}


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(FIXTURE, target)
    source = target / "source.yaml"
    source.write_text(source.read_text().replace("apis: [sign-in, itemUsage]",
                                                 'apis: [sign-in, itemUsage, "${audit_api}"]'))
    manifest = target / "app.yaml"
    manifest.write_text(manifest.read_text().replace(
        "parameters:\n", "parameters:\n  - name: audit_api\n    default: \"\"\n    pattern: \"|[A-Za-z-]+\"\n"))
    return target


def apis(app_path: Path, **params: str) -> list[str]:
    result = validate_app(app_path)
    assert result.ok and result.app is not None, result.diagnostics
    built = build_app(result.app, params)
    assert built.source is not None
    return built.source["source"]["config"]["supported_apis"]


def test_bundled_app_defaults_to_the_published_values_and_passes_one_through() -> None:
    assert apis(APP) == ["sign-in", "itemUsage"]
    assert apis(APP, audit_events_api="auditEvents") == ["sign-in", "itemUsage", "auditEvents"]
    result = validate_app(APP)
    assert result.app is not None
    with pytest.raises(InputError):
        build_app(result.app, {"audit_events_api": "audit events; drop"})


def test_a_literal_unpublished_value_is_accepted_with_a_warning(app: Path) -> None:
    source = app / "source.yaml"
    source.write_text(source.read_text().replace('"${audit_api}"', "auditevents"))
    result = validate_app(app)
    assert result.ok
    (warning,) = [d for d in result.warnings if d.code == "source-api-unpublished"]
    assert "auditevents" in warning.message and "plan" in warning.hint
    source.write_text(source.read_text().replace("auditevents", '"${audit_apis}"'))
    assert any(d.code == "unknown-parameter" for d in validate_app(app).errors)


def test_plan_shows_the_apis_the_existing_source_collects(app: Path, tmp_path: Path) -> None:
    with FakeSumo(keys={"id": "key"}, rate_limit=None, job_polls=1) as fake:
        options = DeployOptions(access_id="id", access_key="key", base_url=fake.base_url,
                                client_options=dict(FAST_CLIENT), env=ENV)  # type: ignore[arg-type]
        installed = run_install(app, {}, options, backup_root=tmp_path / "b")
        assert installed.ok, (installed.error, installed.hint)
        # a person switched audit events on in the Sumo UI: the fake only knows the published values, so the
        # UI's value is put in its store directly
        (source,) = fake.state.sources.values()
        source.data["config"]["supported_apis"].append("uiAuditValue")
        plan = run_plan(app, {}, options).plan
    assert plan is not None
    text = render_plan(plan)
    assert 'in Sumo: supported_apis = ["sign-in", "itemUsage", "uiAuditValue"]' in text
    assert "ops_minimal_token_value" not in text
