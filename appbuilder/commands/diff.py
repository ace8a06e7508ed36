"""`appbuilder diff OLD NEW` / `appbuilder diff --base REF PATH`: a semantic diff of two app definitions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from appbuilder.appdiff import AppDiff, diff_apps
from appbuilder.diagnostics import Diagnostic, has_errors
from appbuilder.gitref import GitRefError, app_at_ref
from appbuilder.model import App

EQUAL, DIFFERENT, ERROR = 0, 2, 1  # 2 is 'different', as `plan --exit-code` uses it for 'changes'


@dataclass
class DiffOutcome:
    """The diff, or why there is none (problems loading a side, or a git error)."""

    diff: AppDiff | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str = ""

    @property
    def exit_code(self) -> int:
        """0 equal, 2 different, 1 error (any error, as under every command)."""
        if self.diff is None or self.error:
            return ERROR
        return EQUAL if self.diff.equal else DIFFERENT


def _load(path: Path, outcome: DiffOutcome) -> App | None:
    from appbuilder.validate import load_checked

    loaded = load_checked(path)  # the pipeline's load step, schema-checked
    app, diagnostics = loaded.app, loaded.diagnostics
    outcome.diagnostics += diagnostics
    return None if has_errors(diagnostics) else app


def run_diff(old: Path, new: Path, as_installed: bool = False) -> DiffOutcome:
    """Compare the app definitions at ``old`` and ``new``: as definitions, or as installed (what the builds put
    in Sumo) with ``as_installed`` or when either is an export (see ``installed_diff``)."""
    outcome = DiffOutcome()
    old_app, new_app = _load(old, outcome), _load(new, outcome)
    if old_app is not None and new_app is not None:
        from appbuilder.installed_diff import diff_installed, is_export

        installed = as_installed or is_export(old_app) or is_export(new_app)
        outcome.diff = diff_installed(old_app, new_app) if installed else diff_apps(old_app, new_app)
    return outcome


def run_diff_base(path: Path, ref: str) -> DiffOutcome:
    """Compare the app at ``path`` as it was at git ``ref`` with the working tree; an app new since ``ref`` is
    shown as all added."""
    outcome = DiffOutcome()
    try:
        with app_at_ref(path, ref) as base:
            old_app = _load(base, outcome) if base is not None else None
            new_app = _load(path, outcome)
            if new_app is not None and (base is None or old_app is not None):
                outcome.diff = diff_apps(old_app, new_app)
    except GitRefError as exc:
        outcome.error = str(exc)
    return outcome
