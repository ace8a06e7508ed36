"""What every deploy command starts with: validate and build the app, and connect to Sumo; and what they share
when they report: the outcome's common part, and running an action against the remote."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from appbuilder.build import BuildResult
from appbuilder.deploy.apply import ApplyResult, apply_plan
from appbuilder.deploy.changes import Plan
from appbuilder.deploy.fingerprint import org_fingerprint
from appbuilder.deploy.intent import intended
from appbuilder.deploy.lock import AppLock, holding, lock_present
from appbuilder.deploy.state import Remote, RemoteState
from appbuilder.diagnostics import Diagnostic
from appbuilder.kinds import Org
from appbuilder.model import App
from appbuilder.pipeline import run_pipeline
from appbuilder.sumo.errors import SumoError
from appbuilder.validate import ValidationResult

Progress = Callable[[str], None]
# Asked with the plan before anything is written: True to go on, False to stop (raise DeployError to refuse).
Approve = Callable[[Plan], bool]


def approved(approve: Approve | None, plan: Plan) -> bool:
    """Whether to apply a plan that writes: no ``approve`` means yes (``--yes``, library callers)."""
    return approve is None or approve(plan)


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
    verify: bool = False  # always export and compare installed content instead of trusting modifiedAt
    lock_timeout: float = 0.0  # seconds to wait for another run's lock (0: refuse at once, naming its holder)
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
    """Validate and build through the pipeline every command shares; problems end up in
    ``validation.diagnostics`` (never raised)."""
    result = run_pipeline(path, parameters)
    return Built(result.validation, result.app, result.build)


def open_remote(options: DeployOptions, progress: Progress | None = None) -> Remote:
    """A Remote over a new client; the client is the one place that reports retries and job polls, to
    ``progress`` (the command's callback; the client options' own only when none is given). Raises
    SumoConfigError when credentials are missing or wrong."""
    from appbuilder.sumo.client import SumoClient
    from appbuilder.sumo.endpoints import resolve_credentials

    credentials = resolve_credentials(options.access_id, options.access_key, options.deployment,
                                      options.base_url, env=options.env)
    client_options = dict(options.client_options)
    if progress is not None:
        client_options["progress"] = progress
    client = SumoClient(credentials, **client_options)
    if credentials.note:
        client.tell(credentials.note)
    return Remote(client, admin=options.admin_mode)


def token_file_of(app: App | None, given: Path | None) -> Path | None:
    """An explicit ``--token-file`` or the source's ``tokenFile`` (relative to the app directory)."""
    if given is not None:
        return given
    if app is not None and app.source is not None and app.source.token_file:
        file = Path(app.source.token_file)
        return file if file.is_absolute() else app.root / file
    return None


@dataclass
class DeployOutcome:
    """Shared by the deploy commands: validation problems, or an error (message + hint), and call counts."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    hint: str = ""
    calls: dict[str, Any] = field(default_factory=dict)
    interrupted: bool = False  # stopped by Ctrl-C (the error says what to do)

    # whether the JSON report lists validation problems (uninstall's and restore's never have)
    reports_diagnostics: ClassVar[bool] = True

    @property
    def invalid(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.invalid

    def to_dict(self) -> dict[str, Any]:
        """The JSON report: ok, calls, then error and diagnostics when there are any."""
        return self._report()

    def _report(self, fields: Mapping[str, Any] | None = None,
                details: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The common part around a command's own keys, in the order the reports have always had:
        ok, ``fields``, calls, ``details``, error, diagnostics."""
        out: dict[str, Any] = {"ok": self.ok, **(fields or {}), "calls": self.calls, **(details or {})}
        if self.error:
            out["error"] = {"message": self.error, "hint": self.hint}
        if self.reports_diagnostics and self.invalid:
            out["diagnostics"] = [d.to_dict() for d in self.diagnostics]
        return out


def fail(outcome: DeployOutcome, exc: SumoError, redact: Callable[[str], str] | None = None) -> None:
    clean = redact or (lambda s: s)
    outcome.error = clean(exc.message)
    outcome.hint = clean(exc.hint)


def run_connected(options: DeployOptions, outcome: DeployOutcome, action: Callable[[Remote], None],
                  progress: Progress | None = None) -> None:
    """Open the remote and run ``action`` on it; a SumoError becomes the outcome's error (redacted once the
    client is up), and the client's call counts are recorded whatever happens."""
    try:
        remote = open_remote(options, progress)
    except SumoError as exc:
        fail(outcome, exc)
        return
    with remote.client:
        try:
            action(remote)
        except SumoError as exc:
            fail(outcome, exc, remote.client.redactor.redact)
        except KeyboardInterrupt:
            outcome.interrupted = True
            outcome.error = ("interrupted (Ctrl-C): the steps shown as done were made; the call under way may or "
                             "may not have reached Sumo")
            outcome.hint = ("run `appbuilder plan` to see where the org stands, then the same command again: it "
                            "plans from what is in Sumo now and does the rest")
        finally:
            outcome.calls = remote.client.stats.as_dict()


def apply_into(outcome: Any, plan: Plan, remote: Remote, state: RemoteState, lock: AppLock,
               **options: Any) -> None:
    """Apply ``plan`` (``options`` as ``apply_plan`` takes them) holding ``lock``: its intent recorded first,
    the lease renewed as it writes. Copy what was done (steps, backup, and the content id where the outcome has
    one) onto ``outcome``, also when apply stops part way (error or Ctrl-C)."""
    lock.record_intent(intended(plan))
    try:
        result = apply_plan(plan, remote, state, before_write=lock.renew, **options)
    except (SumoError, KeyboardInterrupt) as exc:  # what was done before is still reported
        partial = getattr(exc, "result", None)
        if isinstance(partial, ApplyResult):
            _take_result(outcome, partial)
        raise
    lock.finished = True
    _take_result(outcome, result)


REPLANNED = "planned again: the org changed (another run wrote to it) between the first plan and taking the lock"
# Under the lock: None when the org is still what the plan was made from, else a fresh plan and its state.
Replan = Callable[[], "tuple[Plan, RemoteState] | None"]


def apply_locked(outcome: Any, remote: Remote, options: DeployOptions, plan: Plan, state: RemoteState,
                 approve: Approve | None, replan: Replan, check: Callable[[Plan], None] | None = None,
                 **apply_options: Any) -> None:
    """What install, uninstall and restore do with a plan: ``check`` it (refusals before asking), ask
    (``approve``), take the target's lock (waiting up to ``options.lock_timeout``), and when another run wrote
    in between (``replan``), plan, check and ask again; then apply, and give the lock back. A person is asked
    before the lock is taken, so no one waits on a question. A plan without changes takes the lock only when
    there is one (another run may be changing the app right now: its outcome decides)."""
    def agreed(plan: Plan) -> bool:
        """A plan with changes passes ``check`` and is approved (else the outcome says aborted)."""
        if not plan.changed:
            return True
        if check is not None:
            check(plan)
        if approved(approve, plan):
            return True
        outcome.aborted = True
        return False

    if not agreed(plan):
        return
    if not plan.changed and not lock_present(remote, plan.target, state.personal):
        return  # nothing to write, and no other run to wait for
    with holding(remote, plan.target, options.lock_timeout, options.env, intended(plan)) as lock:
        fresh = replan()
        if fresh is not None:
            plan, state = replace(fresh[0], notes=(*fresh[0].notes, REPLANNED)), fresh[1]
            outcome.plan = plan
            if not agreed(plan):
                return
        if not plan.changed:
            lock.finished = True
            return
        apply_into(outcome, plan, remote, state, lock, **apply_options)


def unchanged_since(plan: Plan, remote: Remote, state: RemoteState) -> bool:
    """Whether the org (as ``state`` reads it now) is still what ``plan`` was made from (its fingerprint)."""
    return org_fingerprint(Org(remote, state, plan.app)) == plan.fingerprint


def _take_result(outcome: Any, result: ApplyResult) -> None:
    outcome.steps = result.steps
    outcome.backup = result.backup.path if result.backup else None
    if hasattr(outcome, "content_id"):
        outcome.content_id = result.content_id
