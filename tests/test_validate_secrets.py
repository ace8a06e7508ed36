"""No secret in an app definition, and none repeated in any output."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import edit

from appbuilder.cli import cli
from appbuilder.diagnostics import Diagnostic
from appbuilder.model import Position
from appbuilder.validate import validate_app
from appbuilder.validate.secrets import find_tokens, hide_secrets, is_credential_key, is_id_key

JWT = "eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vdGFyZWFsIn0.eyJhdWQiOlsiZXZlbnRzLjFwYXNzd29yZC5jb20iXX0.c2lnbmF0dXJl"
SERVICE_TOKEN = "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSJ9"
ACCESS_KEY = "Xq7pZ2mK9vR4tL8wN3bY6cH1dF5gJ0sA2eU7iO4yT9rE3wQ8zX1cV6bN5mL2kJ4h"


@pytest.mark.parametrize("text", [JWT, SERVICE_TOKEN, ACCESS_KEY, f"Bearer {JWT}", f"key={ACCESS_KEY};"])
def test_token_shapes_are_found(text: str) -> None:
    assert find_tokens(text)


@pytest.mark.parametrize("text", [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # a sha256 (hex, one case)
    "ae4ay2q3kmdx3g3ocl3c4ilsga",  # a 1Password item uuid
    "_sourceCategory=1pw | json \"client.ip_address\" as ip | count by ip",
    "SuccessfulSignInsByCountryAndRegionOverTheLastDay",  # a long word, no digits
    "eyJ",
])
def test_ordinary_text_is_not_a_token(text: str) -> None:
    assert find_tokens(text) == []


@pytest.mark.parametrize(("key", "credential"), [
    ("api_token", True), ("token", True), ("apiKey", True), ("password", True), ("secret", True),
    ("accessKey", True), ("access_key", True), ("client-secret", True), ("bearer_token", True),
    ("Authorization", True), ("tokenEnv", False), ("tokenFile", False), ("category", False),
    ("_siemForward", False), ("tokens_per_page", False),
])
def test_credential_key_names(key: str, credential: bool) -> None:
    assert is_credential_key(key) is credential


def test_a_credential_key_is_reported_once_and_its_value_never(app_dir: Path) -> None:
    edit(app_dir / "source.yaml", "  tokenEnv: MINIMAL_TOKEN\n",
         f"  tokenEnv: MINIMAL_TOKEN\n  fields:\n    team: sec\n    api_token: {JWT}\n")
    errors = validate_app(app_dir, lint_queries=False).errors
    assert [(e.code, e.position.line, e.path) for e in errors] == [
        ("secret-in-definition", 13, "source.fields.api_token")]
    assert "tokenEnv" in errors[0].hint


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_token_is_never_echoed(app_dir: Path, fmt: str) -> None:
    edit(app_dir / "source.yaml", "tokenEnv: MINIMAL_TOKEN", f"tokenEnv: {JWT}")
    edit(app_dir / "dashboards/main.yaml", "title: Minimal - Main", f"title: Minimal {ACCESS_KEY}")
    edit(app_dir / "app.yaml", "default: mini", f"default: {SERVICE_TOKEN}")
    result = CliRunner().invoke(cli, ["validate", "app", "--format", fmt])
    assert result.exit_code == 1
    for secret in (JWT, SERVICE_TOKEN, ACCESS_KEY, JWT[:20], ACCESS_KEY[:20]):
        assert secret not in result.output
    assert "tokenEnv holds what looks like a token" in result.output
    build = CliRunner().invoke(cli, ["build", "app", "-o", "out"])
    assert build.exit_code == 1 and not Path("out").exists()
    assert JWT not in build.output and ACCESS_KEY not in build.output


def test_hide_secrets_masks_messages_from_any_check() -> None:
    problem = Diagnostic(Position("f.yaml", 1, 1), f'"{JWT}" has the wrong form', hint=f"not {ACCESS_KEY}")
    hidden = hide_secrets(problem)
    assert hidden.message == '"********" has the wrong form' and hidden.hint == "not ********"
    plain = Diagnostic(Position("f.yaml", 1, 1), "fine")
    assert hide_secrets(plain) is plain


def test_a_token_in_the_environments_file_is_refused(tmp_path: Path) -> None:
    from appbuilder.environments import load_environments

    path = tmp_path / "appbuilder.yaml"
    path.write_text(f"environments:\n  prod:\n    deployment: us2\n    parameters: {{source_category: {ACCESS_KEY}}}\n",
                    encoding="utf-8")
    environments, problems = load_environments(path)
    assert environments == [] and [p.code for p in problems] == ["secret-in-definition"]
    assert problems[0].position.line == 4 and ACCESS_KEY not in problems[0].message


@pytest.mark.parametrize("secret", [JWT, ACCESS_KEY], ids=["jwt", "access-key"])
def test_a_token_in_sample_events_or_lookups_is_refused_before_docs_copy_it(app_dir: Path, secret: str) -> None:
    samples = app_dir / "samples" / "events.jsonl"
    samples.write_text(samples.read_text(encoding="utf-8") + f'{{"category": "x", "session": "{secret}"}}\n',
                       encoding="utf-8")
    (app_dir / "tests" / "lookups").mkdir(parents=True)
    (app_dir / "tests" / "lookups" / "geo.jsonl").write_text(f'{{"ip": "192.0.2.1", "note": "{secret}"}}\n',
                                                             encoding="utf-8")
    problems = [(str(d.position), d.code) for d in validate_app(app_dir).errors]
    assert problems == [("app/samples/events.jsonl:3:31", "secret-in-definition"),
                        ("app/tests/lookups/geo.jsonl:1:30", "secret-in-definition")]
    result = CliRunner().invoke(cli, ["docs", str(app_dir)])
    assert result.exit_code == 1 and secret[:12] not in result.output


# a new dashboard's id as Sumo gives it: 60 letters and digits, the shape of an access key (made up for this test)
DASHBOARD_ID = "9VNgJNQdVG8nNn8LzRoqrFBF0QgNSTcPmwMr6sDqcx2FCKSy7nuPLfhR3Ctb"


def test_a_linked_dashboard_id_is_not_a_secret(app_dir: Path) -> None:
    """Ids of Sumo objects (a linked dashboard, a connection, content) are never secrets, however random they
    look; the same value in a title still is one."""
    assert find_tokens(DASHBOARD_ID)  # it has the shape: only where it stands says it is an id
    edit(app_dir / "dashboards/main.yaml", "    chart: pie\n    query: |",
         f"    chart: pie\n    linkedDashboards:\n      - id: {DASHBOARD_ID}\n        relativePath: ../Other\n"
         f"        includeTimeRange: true\n        includeVariables: true\n"
         f"    extra: {{dashboardId: {DASHBOARD_ID}, ids: [{DASHBOARD_ID}]}}\n    query: |")
    validation = validate_app(app_dir, lint_queries=False)
    assert validation.errors == [], [str(e) for e in validation.errors]
    edit(app_dir / "dashboards/main.yaml", "title: Minimal - Main", f"title: Minimal {DASHBOARD_ID}")
    assert [e.code for e in validate_app(app_dir, lint_queries=False).errors] == ["secret-in-definition"]


@pytest.mark.parametrize(("key", "is_id"), [
    ("id", True), ("ids", True), ("dashboardId", True), ("connectionId", True), ("content_id", True),
    ("token", False), ("description", False), ("valid", False), ("paid", False), ("Id", False)])
def test_id_key_names(key: str, is_id: bool) -> None:
    assert is_id_key(key) is is_id


def test_a_jwt_under_an_id_key_is_still_a_secret(app_dir: Path) -> None:
    edit(app_dir / "dashboards/main.yaml", "    chart: pie\n", f"    chart: pie\n    extra: {{sessionId: {JWT}}}\n")
    assert [e.code for e in validate_app(app_dir, lint_queries=False).errors] == ["secret-in-definition"]


def _published_dashboard_id() -> str | None:
    """The linked dashboard id Sumo's OpenAPI spec shows (``LinkedDashboard.id``), when the reference is here."""
    import re

    here = Path(__file__).resolve()
    for base in (here.parents[1].parent, here.parents[2].parent):
        spec = base / "shared" / "reference" / "sumo-logic-openapi.yml"
        if spec.is_file():
            text = spec.read_text(encoding="utf-8")
            found = re.search(r"\n    LinkedDashboard:\n(?:.*\n){0,12}?\s+example: (\S+)\n", text)
            return found.group(1) if found else None
    return None


PUBLISHED_ID = _published_dashboard_id()


@pytest.mark.skipif(PUBLISHED_ID is None, reason="the reference OpenAPI spec (../shared/reference) is not available")
def test_a_published_dashboard_id_links_without_an_error(app_dir: Path) -> None:
    """The dashboard id of Sumo's own linked-dashboard example is shaped like an access key, and is no secret."""
    assert PUBLISHED_ID is not None and find_tokens(PUBLISHED_ID)
    edit(app_dir / "dashboards/main.yaml", "    chart: pie\n",
         f"    chart: pie\n    linkedDashboards:\n      - id: {PUBLISHED_ID}\n        relativePath: ./Other\n")
    assert validate_app(app_dir, lint_queries=False).errors == []
