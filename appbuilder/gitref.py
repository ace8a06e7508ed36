"""An app directory as it was at a git ref, extracted with ``git archive`` into a temporary directory."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class GitRefError(Exception):
    """The ref or the path cannot be read from git; the message says what to do."""


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60)
    except FileNotFoundError as exc:
        raise GitRefError("git is not installed or not on PATH") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitRefError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return done.stdout


def _app_dir(path: Path) -> Path:
    path = path.resolve()
    return path.parent if path.is_file() or path.suffix in (".yaml", ".yml") else path


@contextmanager
def app_at_ref(path: Path, ref: str) -> Iterator[Path | None]:
    """The app directory holding ``path`` as it was at ``ref`` (a temporary copy), or None when it did not exist.

    Raises GitRefError when ``path`` is not in a git work tree or ``ref`` is unknown.
    """
    app_dir = _app_dir(path)
    probe = app_dir if app_dir.exists() else app_dir.parent
    try:
        top = Path(_git(probe, "rev-parse", "--show-toplevel").decode().strip())
    except GitRefError as exc:
        raise GitRefError(f"{app_dir} is not in a git work tree ({exc}); --base compares with a git ref of the "
                          f"repository that holds the app") from exc
    try:
        commit = _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except GitRefError as exc:
        raise GitRefError(f"unknown git ref '{ref}' in {top} (fetch it first, e.g. git fetch origin main)") from exc
    relative = app_dir.relative_to(top.resolve()).as_posix()
    listed = _git(top, "ls-tree", "--name-only", commit, "--", relative).decode().strip()
    with tempfile.TemporaryDirectory(prefix="appbuilder-base-") as tmp:
        if not listed:
            yield None
            return
        archive = _git(top, "archive", "--format=tar", commit, "--", relative)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(tmp, **safe)  # type: ignore[arg-type]
        yield Path(tmp) / relative
