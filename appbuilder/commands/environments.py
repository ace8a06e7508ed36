"""`plan` / `install` across environments (``--env NAME`` / ``--all-envs``): the same command in several orgs in
parallel, each with its own client and so its own rate budget, gathered into one report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Protocol

from appbuilder.deploy.session import DeployOptions, Progress
from appbuilder.environments import Environment, EnvironmentResult, EnvironmentsReport

MAX_PARALLEL = 8


class Outcome(Protocol):
    """What plan and install return: ``ok`` and a JSON report."""

    @property
    def ok(self) -> bool: ...

    def to_dict(self) -> dict[str, Any]: ...


# runs one command in one org: (environment, its parameters, its options, its progress) -> outcome
Runner = Callable[[Environment, dict[str, str], DeployOptions, Progress], Outcome]


def count_actions(report: Any) -> dict[str, int]:
    """How many resources of a deploy report take each plan action (create, update, unchanged, ...)."""
    counts: Counter[str] = Counter()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("action"), str) and "kind" in node:
                counts[node["action"]] += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(report.get("plan") if isinstance(report, dict) and "plan" in report else report)
    return dict(sorted(counts.items()))


def options_for(environment: Environment, base: DeployOptions, environ: Mapping[str, str], *,
                require_variables: bool = True) -> DeployOptions:
    """``base`` pointed at ``environment``'s org; ValueError when its credentials (or, with
    ``require_variables``, its mapped variables such as a source token) are not set."""
    access_id, access_key = environment.credentials(environ)
    env = environment.environ(environ, require_variables) if environment.variables else base.env
    return replace(base, access_id=access_id, access_key=access_key, deployment=environment.deployment, env=env,
                   base_url=environment.base_url, folder=environment.folder or base.folder,
                   admin_mode=environment.admin_mode or base.admin_mode)


def _one(command: str, environment: Environment, runner: Runner, parameters: Mapping[str, str],
         base: DeployOptions, environ: Mapping[str, str], progress: Progress | None,
         describe: Callable[[Any], str] | None) -> EnvironmentResult:
    try:
        options = options_for(environment, base, environ, require_variables=command != "plan")  # plan writes nothing
    except ValueError as exc:
        return EnvironmentResult(environment.name, environment.target, False, error=str(exc))

    def tell(message: str) -> None:
        if progress is not None:
            progress(f"[{environment.name}] {message}")

    outcome = runner(environment, {**environment.parameters, **parameters}, options, tell)
    report = outcome.to_dict()
    error = report.get("error") or {}
    message = error.get("message", "") if isinstance(error, dict) else str(error)
    if not outcome.ok and not message:
        message = f"{command} failed (see the report of this environment)"
    calls = report.get("calls") or {}
    return EnvironmentResult(environment.name, environment.target, outcome.ok, count_actions(report),
                             int(calls.get("calls", 0)) if isinstance(calls, dict) else 0, message, report,
                             describe(outcome) if describe is not None else "")


def run_across(command: str, environments: list[Environment], runner: Runner, parameters: Mapping[str, str],
               base: DeployOptions, environ: Mapping[str, str], progress: Progress | None = None,
               max_parallel: int = MAX_PARALLEL, describe: Callable[[Any], str] | None = None) -> EnvironmentsReport:
    """Run ``runner`` once per environment, in parallel; rows in the order the environments were given.
    ``describe`` turns an outcome into the text shown for its environment (e.g. the rendered plan)."""
    workers = max(1, min(max_parallel, len(environments)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="env") as pool:
        futures = [pool.submit(_one, command, env, runner, parameters, base, environ, progress, describe)
                   for env in environments]
        return EnvironmentsReport(command, [f.result() for f in futures])
