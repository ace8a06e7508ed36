"""Version discipline against a git ref: built content that changed needs a new app version, and every version
needs its entry in the app's CHANGELOG.md."""

from __future__ import annotations

import re
from pathlib import Path

from appbuilder.diagnostics import WARNING, Diagnostic, InputError, has_errors
from appbuilder.gitref import GitRefError, app_at_ref
from appbuilder.model import App, Position

CHANGELOG = "CHANGELOG.md"


def _fingerprint(app: App) -> tuple[str, str | None] | None:
    """Content and source hashes of the app built with its default parameters (None when it does not build)."""
    from appbuilder.build import build_app

    try:
        manifest = build_app(app).manifest
    except InputError:
        return None
    return manifest["contentHash"], manifest["sourceHash"]


def _version_position(app: App) -> Position:
    from appbuilder.load.yamlfile import read_yaml

    where = app.position or Position(str(app.root / "app.yaml"))
    doc, _ = read_yaml(app.root / "app.yaml", where.file)
    return doc.position(["version"]) if doc is not None else where


def changelog_has(text: str, version: str) -> bool:
    """Whether a Markdown heading of ``text`` names ``version`` (``## 1.2.0``, ``## [1.2.0] - 2026-12-01``, ...)."""
    pattern = re.compile(rf"^#+\s*\[?v?{re.escape(version)}\]?(\s|$)", re.MULTILINE)
    return bool(pattern.search(text))


def check_versions(app: App, ref: str) -> list[Diagnostic]:
    """Problems of ``app`` (loaded from the working tree) compared with the same app at git ``ref``."""
    where = _version_position(app)
    try:
        with app_at_ref(app.root, ref) as base_dir:
            base = None
            base_fp = None
            if base_dir is not None:
                from appbuilder.validate import load_checked

                loaded = load_checked(base_dir)
                base, base_problems = loaded.app, loaded.diagnostics
                if base is not None and not has_errors(base_problems):
                    base_fp = _fingerprint(base)
    except GitRefError as exc:
        return [Diagnostic(where, f"cannot compare with {ref}: {exc}", code="version-base")]
    problems: list[Diagnostic] = []
    head_fp = _fingerprint(app)
    if base is not None and base_fp is None:
        # the app as it was does not load or build with this appbuilder: its content cannot be compared
        problems.append(Diagnostic(where, f"the app as it was at {ref} does not build with this appbuilder, so "
                                   "only its version is compared", severity=WARNING, code="version-base"))
        changed = base.version != app.version
    else:
        changed = base is None or base.version != app.version or head_fp != base_fp
    if base is not None and base_fp is not None and base.version == app.version and head_fp != base_fp:
        problems.append(Diagnostic(where, f"the built content changed since {ref} but the version is still "
                                   f"{app.version}", code="version-not-bumped",
                                   hint=f"raise version in app.yaml and describe the change in {CHANGELOG}"))
    if changed:
        changelog = app.root / CHANGELOG
        shown = Position(str(Path(where.file).parent / CHANGELOG)) if where.file else Position(CHANGELOG)
        if not changelog.is_file():
            problems.append(Diagnostic(shown, f"no {CHANGELOG} next to app.yaml", code="changelog-missing",
                                       hint=f"create it with a '## {app.version}' section describing the change"))
        elif not changelog_has(changelog.read_text(encoding="utf-8"), app.version):
            problems.append(Diagnostic(shown, f"{CHANGELOG} has no entry for version {app.version}",
                                       code="changelog-missing-version",
                                       hint=f"add a '## {app.version}' section describing the change"))
    return problems
