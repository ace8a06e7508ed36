"""What every deploy command starts with: validate and build the app, and connect to Sumo."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.build import BuildResult, build_app
from appbuilder.deploy.state import Remote
from appbuilder.diagnostics import InputError
from appbuilder.model import App
from appbuilder.validate import ValidationResult, validate_app


@dataclass
class DeployOptions:
    """Connection and target options shared by plan, install, uninstall and restore.

    ``client_options`` are passed to SumoClient (tests and benchmarks tune rate and backoff with them);
    ``env`` replaces os.environ for credential and token look-ups.
    """

    access_id: str | None = None
    access_key: str | None = None
    deployment: str | None = None
    base_url: str | None = None
    folder: str | None = None
    admin_mode: bool = False
    client_options: dict[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] | None = None


@dataclass
class Built:
    validation: ValidationResult
    app: App | None = None
    build: BuildResult | None = None

    @property
    def ok(self) -> bool:
        return self.build is not None


def load_and_build(path: Path, parameters: Mapping[str, str]) -> Built:
    """Validate and build; problems end up in ``validation.diagnostics`` (never raised)."""
    validation = validate_app(path)
    built = Built(validation, validation.app)
    if not validation.ok or validation.app is None:
        return built
    try:
        built.build = build_app(validation.app, parameters)
    except InputError as exc:
        validation.diagnostics.extend(exc.diagnostics)
    return built


def open_remote(options: DeployOptions) -> Remote:
    """A Remote over a new client; raises SumoConfigError when credentials are missing or wrong."""
    from appbuilder.sumo.client import SumoClient
    from appbuilder.sumo.endpoints import resolve_credentials

    credentials = resolve_credentials(options.access_id, options.access_key, options.deployment,
                                      options.base_url, env=options.env)
    client = SumoClient(credentials, **options.client_options)
    return Remote(client, admin=options.admin_mode)


def token_file_of(app: App | None, given: Path | None) -> Path | None:
    """An explicit ``--token-file`` or the source's ``tokenFile`` (relative to the app directory)."""
    if given is not None:
        return given
    if app is not None and app.source is not None and app.source.token_file:
        file = Path(app.source.token_file)
        return file if file.is_absolute() else app.root / file
    return None
