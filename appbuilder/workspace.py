"""Where appbuilder writes what is not source: builds and backups of org content.

By default both go under one ``.appbuilder/`` directory at the root of the git repository the command runs in
(the current directory outside a repository): ``.appbuilder/dist/<app>`` and ``.appbuilder/backups/``. A
directory appbuilder creates for them holds a ``.gitignore`` of ``*``, so ``git status`` never shows a build
or a backup (full copies of org content), wherever the command runs and whatever ``.gitignore`` the repository
has. A ``--backup-dir`` appbuilder creates gets the same file; a directory that exists already is left as is.
"""

from __future__ import annotations

from pathlib import Path

STATE_DIR = ".appbuilder"
IGNORE_EVERYTHING = ("# written by appbuilder: builds and backups (copies of Sumo org content) stay out of git\n"
                     "*\n")


def repo_root(path: Path) -> Path | None:
    """The root of the git repository holding ``path`` (resolved), or None outside one."""
    here = path.resolve()
    return next((d for d in (here, *here.parents) if (d / ".git").exists()), None)


def repo_path(path: Path) -> str:
    """How a command run at the repository root names ``path`` (``app_definitions/1password``); outside a
    repository, its name alone (the same on every machine, unlike an absolute path)."""
    root = repo_root(path)
    return path.resolve().relative_to(root).as_posix() if root is not None else path.resolve().name


def state_root(cwd: Path | None = None) -> Path:
    """``.appbuilder`` at the root of the git repository holding ``cwd`` (else in ``cwd``), relative to the
    current directory when it lies below it."""
    here = (cwd or Path.cwd()).resolve()
    root = (repo_root(here) or here) / STATE_DIR
    try:
        return root.relative_to(Path.cwd().resolve())
    except ValueError:
        return root


def default_dist(app_root: Path) -> Path:
    return state_root() / "dist" / app_root.resolve().name


def default_backups() -> Path:
    return state_root() / "backups"


def make_ignored_dir(path: Path) -> None:
    """Create ``path`` (and missing parents); the topmost directory created gets a ``.gitignore`` of ``*``."""
    missing = [d for d in (path, *path.parents) if not d.exists()]
    path.mkdir(parents=True, exist_ok=True)
    if missing:
        top = missing[-1]
        ignore = top / ".gitignore"
        if not ignore.exists():
            ignore.write_text(IGNORE_EVERYTHING, encoding="utf-8")
