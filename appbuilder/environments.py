"""Environments: the Sumo orgs an app is installed into, read from ``appbuilder.yaml`` at the repository root.

Each environment names its deployment (or base URL), the environment variables holding its credentials (by
default ``SUMOLOGIC_ACCESSID`` / ``SUMOLOGIC_ACCESSKEY``, as Sumo's Terraform provider reads them), its folder and
its install parameters. Secrets are never in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appbuilder.diagnostics import Diagnostic
from appbuilder.model import Position

ENV_FILE = "appbuilder.yaml"
DEFAULT_ACCESS_ID_ENV = "SUMOLOGIC_ACCESSID"
DEFAULT_ACCESS_KEY_ENV = "SUMOLOGIC_ACCESSKEY"


@dataclass(frozen=True)
class Environment:
    """One org to install into."""

    name: str
    deployment: str | None = None
    base_url: str | None = None
    access_id_env: str = DEFAULT_ACCESS_ID_ENV
    access_key_env: str = DEFAULT_ACCESS_KEY_ENV
    folder: str | None = None
    admin_mode: bool = False
    parameters: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # variable this org reads → variable holding it
    position: Position | None = None

    @property
    def target(self) -> str:
        """Where it points, for the summary: the base URL or the deployment (or the default)."""
        return self.base_url or self.deployment or "default deployment"

    def credentials(self, environ: Mapping[str, str]) -> tuple[str, str]:
        """The access id and key from this environment's variables; ValueError names what is missing."""
        values = {var: environ.get(var, "").strip() for var in (self.access_id_env, self.access_key_env)}
        missing = [var for var, value in values.items() if not value]
        if missing:
            raise ValueError(f"environment '{self.name}': set {' and '.join(missing)} (the Sumo access id and key "
                             "of this org)")
        return values[self.access_id_env], values[self.access_key_env]

    def environ(self, environ: Mapping[str, str], require: bool = True) -> dict[str, str]:
        """``environ`` with this org's ``variables`` taken from the variables they name; ValueError when one is
        unset and ``require`` (a command that needs none of them, like plan, leaves the unset ones out)."""
        missing = [source for source in self.variables.values() if not environ.get(source)]
        if missing and require:
            raise ValueError(f"environment '{self.name}': set {' and '.join(missing)}")
        return {**environ, **{target: environ[source] for target, source in self.variables.items()
                              if source not in missing}}


def find_environments_file(start: Path) -> Path | None:
    """``appbuilder.yaml`` in ``start`` or the nearest directory above it."""
    here = start.resolve()
    for directory in (here if here.is_dir() else here.parent, *here.parents):
        candidate = directory / ENV_FILE
        if candidate.is_file():
            return candidate
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def load_environments(path: Path) -> tuple[list[Environment], list[Diagnostic]]:
    """Every environment of the file (in file order) and the problems found; none are returned when invalid."""
    from appbuilder.load.yamlfile import read_yaml
    from appbuilder.validate.schema import validate_document

    doc, problems = read_yaml(path, str(path))
    if doc is None:
        return [], problems
    if not isinstance(doc.data, dict):
        return [], [Diagnostic(doc.position([]), f"expected a mapping with 'environments' in {ENV_FILE}",
                               code="schema", hint="see `appbuilder schema environments`")]
    from appbuilder.validate.secrets import check_document_secrets, hide_secrets

    problems = [hide_secrets(d) for d in validate_document(doc, "environments")]
    problems += check_document_secrets(doc, "environments")  # a token pasted here would reach git
    if problems:
        return [], problems
    environments = []
    for name, spec in doc.data["environments"].items():
        environments.append(Environment(
            name=name, deployment=spec.get("deployment"), base_url=spec.get("baseUrl"),
            access_id_env=spec.get("accessIdEnv", DEFAULT_ACCESS_ID_ENV),
            access_key_env=spec.get("accessKeyEnv", DEFAULT_ACCESS_KEY_ENV), folder=spec.get("folder"),
            admin_mode=bool(spec.get("adminMode", False)),
            parameters={k: _text(v) for k, v in (spec.get("parameters") or {}).items()},
            variables=dict(spec.get("variables") or {}),
            position=doc.position(["environments", name], key=True)))
    return environments, []


def select(environments: list[Environment], names: tuple[str, ...], all_envs: bool,
           where: Position) -> tuple[list[Environment], list[Diagnostic]]:
    """The environments named (in the order given), or all of them; a diagnostic for an unknown name."""
    if all_envs:
        return environments, []
    by_name = {e.name: e for e in environments}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        known = ", ".join(by_name) or "none"
        return [], [Diagnostic(where, f"no environment named {', '.join(repr(n) for n in unknown)}",
                               code="unknown-environment", hint=f"environments in {ENV_FILE}: {known}")]
    return [by_name[n] for n in dict.fromkeys(names)], []


@dataclass(frozen=True)
class EnvironmentResult:
    """What one command did in one environment: ``changes`` counts plan actions (create, update, ...)."""

    environment: str
    target: str
    ok: bool
    changes: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    error: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    detail: str = ""  # the command's own text output for this environment (its plan), shown above the table


@dataclass(frozen=True)
class EnvironmentsReport:
    """One command across environments: a row per environment, for one summary table."""

    command: str
    results: list[EnvironmentResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def changed(self) -> bool:
        """Whether any environment's plan writes (the plan's own notion: an action in ``WRITES``)."""
        from appbuilder.deploy.changes import WRITES

        return any(count for r in self.results for action, count in r.changes.items() if action in WRITES)
